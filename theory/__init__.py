"""Replica theory of Hebbian associative memories (RS and 1RSB), in the notation of
docs/models.md.

Layout: ``theory.solve`` / ``critical_load`` / ``lines`` (the public entry points),
``theory.rs`` (replica-symmetric equations per model family), ``theory.rsb`` (one 1RSB engine,
the P = 2 and P >= 4 models, de Almeida-Thouless, ground states), ``theory.multitasking``
(equations, solver, lines, signal-to-noise), ``theory.lse`` (the log-sum-exp memory with
M = e^{alpha N} patterns, docs/exponential.md) and private shared numerics (``_gaussian``,
``_bracket``, ``_conventions``, ``_validate``, ``_memory``). The module names
of the flat layout (``theory.at``, ``theory.ground_state``, ``theory.snr`` ...) still import,
with a ``DeprecationWarning``.
"""

from __future__ import annotations

from theory import _aliases, lse, multitasking, rsb
from theory._conventions import ConvergenceWarning
from theory.critical import critical_load, critical_point
from theory.lines import T_g, learning_threshold, load_line, temperature_line
from theory.rs.lowstorage import mixture, zero_temperature_overlap
from theory.solve import solve
from theory.teacher_student import teacher_student

_aliases.install()


def __getattr__(name: str):
    return _aliases.attribute(name)


__all__ = [
    "ConvergenceWarning",
    "T_g",
    "critical_load",
    "critical_point",
    "learning_threshold",
    "load_line",
    "lse",
    "mixture",
    "multitasking",
    "rsb",
    "solve",
    "teacher_student",
    "temperature_line",
    "zero_temperature_overlap",
]
