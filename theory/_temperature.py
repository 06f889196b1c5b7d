"""The one conversion between temperature T and inverse temperature beta = 1/T.

``T = 0`` is ``beta = inf`` (the zero-temperature limit, solved exactly) and ``T = inf`` is
``beta = 0`` (infinite temperature, the trivial paramagnet). NumPy versions for inputs and
coordinates, a JAX version for use inside compiled kernels.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np


def beta_of_T(T) -> np.ndarray:
    """``1/T`` elementwise with ``1/0 = inf`` and ``1/inf = 0`` (float64 array)."""
    t = np.asarray(T, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(t == 0.0, np.inf, 1.0 / np.where(t == 0.0, 1.0, t))


def T_of_beta(beta) -> np.ndarray:
    """``1/beta`` elementwise with ``1/inf = 0`` and ``1/0 = inf`` (float64 array)."""
    return beta_of_T(beta)


def temperature(beta):
    """``T = 1/beta`` inside JAX code for beta > 0, with ``T = 0`` at ``beta = inf``."""
    finite = jnp.isfinite(beta)
    return jnp.where(finite, 1.0 / jnp.where(finite, beta, 1.0), 0.0)
