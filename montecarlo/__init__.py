"""Numba Monte Carlo engines for dense and multitasking Hebbian networks and the log-sum-exp
memory with exponentially many patterns (``montecarlo.lse``)."""

from __future__ import annotations

from montecarlo._memory import check_memory, sample_memory
from montecarlo.datasets import load_digits
from montecarlo.dense import DenseHebbianNetwork
from montecarlo.lse import sample_lse
from montecarlo.multitasking import MultitaskingNetwork
from montecarlo.patterns import archetypes, examples
from montecarlo.teacher import teacher_examples

__all__ = [
    "DenseHebbianNetwork",
    "MultitaskingNetwork",
    "archetypes",
    "check_memory",
    "examples",
    "load_digits",
    "sample_lse",
    "sample_memory",
    "teacher_examples",
]
