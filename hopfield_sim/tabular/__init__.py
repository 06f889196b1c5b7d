"""Hopular: modern Hopfield networks for tabular data, built on :mod:`hopfield_sim.layers`.

Data: :func:`load_dataset` reads a folder with a ``dataset.toml`` card. Model:
:class:`Hopular` (Flax NNX). Training: :func:`train` with a :func:`recipe` (``"budget"`` or
``"reference"``). See ``docs/tabular.md``.
"""

from __future__ import annotations

from hopfield_sim.tabular.data import Dataset as Dataset
from hopfield_sim.tabular.data import Encoded as Encoded
from hopfield_sim.tabular.data import Split as Split
from hopfield_sim.tabular.data import load_dataset as load_dataset

__all__ = ["Dataset", "Encoded", "Split", "load_dataset"]
