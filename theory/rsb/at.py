"""Re-export of :mod:`theory.rs.at` (the replicon is a property of RS solutions; it lived
here before)."""

from __future__ import annotations

from theory.rs.at import _gamma, at_line, attach_replicon, replicon, rs_solution, rs_stable

__all__ = ["_gamma", "at_line", "attach_replicon", "replicon", "rs_solution", "rs_stable"]
