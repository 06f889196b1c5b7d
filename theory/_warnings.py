"""Re-export of ``ConvergenceWarning`` (now in ``theory._conventions``)."""

from __future__ import annotations

from theory._conventions import ConvergenceWarning

__all__ = ["ConvergenceWarning"]
