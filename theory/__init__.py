"""Replica theory of Hebbian associative memories (RS and 1RSB), in the notation of MODELS.md."""

from __future__ import annotations

from theory.solve import ConvergenceWarning, solve

__all__ = ["ConvergenceWarning", "solve"]
