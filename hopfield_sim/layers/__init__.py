"""Modern (continuous) Hopfield layers for JAX: functional core and Flax NNX modules."""

from __future__ import annotations

from hopfield_sim.layers.functional import Retrieval as Retrieval
from hopfield_sim.layers.functional import energy as energy
from hopfield_sim.layers.functional import retrieve as retrieve
from hopfield_sim.layers.modules import Hopfield as Hopfield
from hopfield_sim.layers.modules import HopfieldOutput as HopfieldOutput
from hopfield_sim.layers.pooling import HopfieldLayer as HopfieldLayer
from hopfield_sim.layers.pooling import HopfieldPooling as HopfieldPooling
from hopfield_sim.layers.separation import entmax as entmax
from hopfield_sim.layers.separation import softmax as softmax
from hopfield_sim.layers.separation import softmax_1 as softmax_1
from hopfield_sim.layers.separation import sparsemax as sparsemax

__all__ = [
    "Hopfield",
    "HopfieldLayer",
    "HopfieldOutput",
    "HopfieldPooling",
    "Retrieval",
    "energy",
    "retrieve",
    "entmax",
    "softmax",
    "softmax_1",
    "sparsemax",
]
