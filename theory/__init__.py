"""Replica theory of Hebbian associative memories (RS and 1RSB), in the notation of MODELS.md."""

from __future__ import annotations

from theory import multitasking
from theory._warnings import ConvergenceWarning
from theory.critical import critical_load, critical_point
from theory.lines import T_g, learning_threshold, load_line, temperature_line
from theory.lowstorage import mixture, zero_temperature_overlap
from theory.solve import solve

__all__ = [
    "ConvergenceWarning",
    "T_g",
    "critical_load",
    "critical_point",
    "learning_threshold",
    "load_line",
    "mixture",
    "multitasking",
    "solve",
    "temperature_line",
    "zero_temperature_overlap",
]
