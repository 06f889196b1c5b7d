"""Warnings shared by every theory solver."""

from __future__ import annotations


class ConvergenceWarning(RuntimeWarning):
    """Some grid points did not converge; they are NaN with ``converged=False``."""
