"""Gauss–Hermite quadrature for averages over a standard normal variable.

``E_z[f(z)] = sum_k w_k f(x_k)`` with z ~ N(0, 1), i.e. the physicists' Hermite rule with
nodes scaled by sqrt(2) and weights by 1/sqrt(pi). 64 nodes integrate smooth integrands
(tanh, log cosh of O(10) arguments) to ~1e-10; use more for large beta, or the exact T = 0
limits, where the integrand has a kink.
"""

from __future__ import annotations

import functools

import numpy as np

DEFAULT_NODES = 96


@functools.lru_cache(maxsize=16)
def gauss_normal(n: int = DEFAULT_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of an ``n``-point rule for the standard normal law.

    Returns
    -------
    (x, w) : tuple of float64 ndarrays, shape (n,)
        ``sum(w * f(x))`` approximates ``E[f(z)]`` for z ~ N(0, 1); ``sum(w) == 1``.
    """
    if n < 1:
        raise ValueError(f"number of quadrature nodes must be >= 1; got n={n}")
    x, w = np.polynomial.hermite.hermgauss(n)
    x = x * np.sqrt(2.0)
    w = w / np.sqrt(np.pi)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w
