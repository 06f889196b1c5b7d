"""Hopular: modern Hopfield networks for tabular data, built on :mod:`hopfield_sim.layers`.

Data: :func:`load_dataset` reads a folder with a ``dataset.toml`` card. Model:
:class:`Hopular` (Flax NNX). Training: :func:`train` with a :func:`recipe` (``"budget"`` or
``"reference"``). See ``docs/tabular.md``.
"""

from __future__ import annotations

from hopfield_sim.tabular.api import run_split as run_split
from hopfield_sim.tabular.data import Dataset as Dataset
from hopfield_sim.tabular.data import Encoded as Encoded
from hopfield_sim.tabular.data import Split as Split
from hopfield_sim.tabular.data import load_dataset as load_dataset
from hopfield_sim.tabular.model import Hopular as Hopular
from hopfield_sim.tabular.model import HopularConfig as HopularConfig
from hopfield_sim.tabular.recipes import Recipe as Recipe
from hopfield_sim.tabular.recipes import recipe as recipe
from hopfield_sim.tabular.train import TrainResult as TrainResult
from hopfield_sim.tabular.train import train as train

__all__ = [
    "Dataset",
    "Encoded",
    "Hopular",
    "HopularConfig",
    "Recipe",
    "Split",
    "TrainResult",
    "load_dataset",
    "recipe",
    "run_split",
    "train",
]
