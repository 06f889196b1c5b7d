"""The one conversion between temperature T and inverse temperature beta = 1/T (NumPy).

``T = 0`` is ``beta = inf`` (the zero-temperature limit) and ``T = inf`` is ``beta = 0``
(infinite temperature). Temperatures are in units of the coupling (dimensionless, units "1").
"""

from __future__ import annotations

import numpy as np


def beta_of_T(T) -> np.ndarray:
    """``1/T`` elementwise with ``1/0 = inf`` and ``1/inf = 0`` (float64 array)."""
    t = np.asarray(T, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(t == 0.0, np.inf, 1.0 / np.where(t == 0.0, 1.0, t))


def T_of_beta(beta) -> np.ndarray:
    """``1/beta`` elementwise with ``1/inf = 0`` and ``1/0 = inf`` (float64 array)."""
    return beta_of_T(beta)


__all__ = ["T_of_beta", "beta_of_T"]
