"""The log-sum-exp (modern Hopfield) energy with M = e^{alpha N} patterns on the N-sphere
(docs/exponential.md): REM capacity at T = 0 (``rem``), the finite-T phase diagram
(``thermal``) and the ``theory.solve("lse", ...)`` / ``theory.critical_load("lse", ...)``
front doors (``front``)."""

from __future__ import annotations

from theory.lse import rem, thermal
from theory.lse.front import critical_load_lse, solve_lse

__all__ = ["critical_load_lse", "rem", "solve_lse", "thermal"]
