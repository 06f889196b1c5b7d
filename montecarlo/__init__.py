"""Numba Monte Carlo engines for dense and multitasking Hebbian networks."""

from __future__ import annotations

from montecarlo.dense import DenseHebbianNetwork
from montecarlo.patterns import archetypes, examples

__all__ = ["DenseHebbianNetwork", "archetypes", "examples"]
