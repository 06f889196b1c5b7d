"""Modern (continuous) Hopfield layers for JAX: functional core and Flax NNX modules.

Functional core: :func:`retrieve` (iterated retrieval, one step = attention), :func:`energy`
and the separation functions :func:`softmax`, :func:`softmax_1`, :func:`sparsemax`,
:func:`entmax`. Modules (Flax NNX): :class:`Hopfield`, :class:`HopfieldPooling`,
:class:`HopfieldLayer`, :class:`HopfieldEncoderLayer`, :class:`HopfieldDecoderLayer`, with
the option values :class:`Norms` / :class:`Norm` and :class:`CallOptions`; roles are query /
key / value throughout (``layer(query, key, value)`` as ``nnx.MultiHeadAttention``).
Example data and models: :mod:`hopfield_sim.layers.tasks`, :mod:`hopfield_sim.layers.examples`.
Porting PyTorch hopfield-layers weights: :func:`from_reference`,
:func:`canonical_from_state_dict`. Everything that returns more than the output returns a
:class:`HopfieldResult` (``Retrieval`` and ``HopfieldOutput`` are deprecated aliases).
Every floating dtype works (bfloat16 / float16 with float32 accumulation); see
``docs/layers.md``.
"""

from __future__ import annotations

from hopfield_sim.layers._reference import canonical_from_state_dict as canonical_from_state_dict
from hopfield_sim.layers._reference import from_reference as from_reference
from hopfield_sim.layers.cloob import CLOOBHead as CLOOBHead
from hopfield_sim.layers.contrastive import CLOOBParts as CLOOBParts
from hopfield_sim.layers.contrastive import InfoNCEParts as InfoNCEParts
from hopfield_sim.layers.contrastive import cloob_loss as cloob_loss
from hopfield_sim.layers.contrastive import hopfield_retrieval as hopfield_retrieval
from hopfield_sim.layers.contrastive import infoloob as infoloob
from hopfield_sim.layers.contrastive import infonce as infonce
from hopfield_sim.layers.functional import energy as energy
from hopfield_sim.layers.functional import retrieve as retrieve
from hopfield_sim.layers.modules import Hopfield as Hopfield
from hopfield_sim.layers.options import CallOptions as CallOptions
from hopfield_sim.layers.options import Norm as Norm
from hopfield_sim.layers.options import Norms as Norms
from hopfield_sim.layers.pooling import HopfieldLayer as HopfieldLayer
from hopfield_sim.layers.pooling import HopfieldPooling as HopfieldPooling
from hopfield_sim.layers.result import HopfieldResult as HopfieldResult
from hopfield_sim.layers.separation import entmax as entmax
from hopfield_sim.layers.separation import softmax as softmax
from hopfield_sim.layers.separation import softmax_1 as softmax_1
from hopfield_sim.layers.separation import sparsemax as sparsemax
from hopfield_sim.layers.transformer import HopfieldDecoderLayer as HopfieldDecoderLayer
from hopfield_sim.layers.transformer import HopfieldEncoderLayer as HopfieldEncoderLayer

__all__ = [
    "Hopfield",
    "HopfieldDecoderLayer",
    "HopfieldEncoderLayer",
    "HopfieldLayer",
    "HopfieldPooling",
    "HopfieldResult",
    "CallOptions",
    "Norm",
    "Norms",
    "canonical_from_state_dict",
    "from_reference",
    "energy",
    "retrieve",
    "entmax",
    "softmax",
    "softmax_1",
    "sparsemax",
    "CLOOBHead",
    "CLOOBParts",
    "InfoNCEParts",
    "cloob_loss",
    "hopfield_retrieval",
    "infoloob",
    "infonce",
]


def __getattr__(name: str):
    """Deprecated names: ``Retrieval`` and ``HopfieldOutput`` (use ``HopfieldResult``)."""
    if name in ("Retrieval", "HopfieldOutput"):
        from hopfield_sim.layers.result import deprecated_alias

        return deprecated_alias(name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
