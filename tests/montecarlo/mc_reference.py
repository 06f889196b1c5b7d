"""Independent references for the Monte Carlo tests: energies straight from the cost
functions of docs/models.md §2 (real-valued class means, e_P by the product expansion,
not Newton's identities or tracked integer sums) and exact Gibbs averages by enumeration."""

from __future__ import annotations

import itertools
import math

import numpy as np


def all_states(N: int) -> np.ndarray:
    """All 2**N spin configurations, shape (2**N, N), int8."""
    return np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.int8)


def elementary(x: np.ndarray, P: int) -> np.ndarray:
    """e_P of the last axis by the product expansion prod_i (1 + x_i t)."""
    e = [np.ones(x.shape[:-1])] + [np.zeros(x.shape[:-1]) for _ in range(P)]
    for i in range(x.shape[-1]):
        for k in range(P, 0, -1):
            e[k] = e[k] + x[..., i] * e[k - 1]
    return e[P]


def cost(states, P, protocol, *, patterns=None, examples=None, r=None, distinct=True):
    """Total energy H of each state, straight from docs/models.md §2."""
    s = np.asarray(states, dtype=np.float64)
    N = s.shape[-1]
    if protocol == "hebbian":
        W, kappa, scale = np.asarray(patterns, float), 1.0, 1.0
    else:
        eta = np.asarray(examples, float)
        K, M, _ = eta.shape
        rho = (1 - r**2) / (M * r**2)
        R = r**2 * (1 + rho)
        if protocol == "supervised":
            W, kappa, scale = eta.mean(axis=1), 1.0, math.sqrt(R)
        else:
            W, kappa, scale = eta.reshape(K * M, N), R ** (-P / 2) / M, 1.0
    x = s[..., None, :] * W  # (..., L, N)
    if distinct:
        eP = elementary(x, P)
        return -kappa * math.factorial(P) / (2 * N ** (P - 1) * scale**P) * eP.sum(-1)
    ov = x.sum(-1) / (N * scale)
    return -kappa * N / 2 * (ov**P).sum(-1)


def gibbs_average(values, H, beta):
    """Boltzmann average of ``values`` (2**N, ...) with energies H (2**N,)."""
    w = np.exp(-beta * (H - H.min()))
    w /= w.sum()
    return np.tensordot(w, values, axes=(0, 0))


def accepts(dh: float, beta: float, dynamics: str, x: int) -> bool:
    """The acceptance rule of ``montecarlo._kernels.accept`` in Python floats:
    ``beta dH < t(x 2**-53)``, t the heat-bath (``"glauber"``) or Metropolis threshold."""
    u = x * 2.0**-53
    if u == 0.0:
        return True
    t = math.log((1.0 - u) / u) if dynamics == "glauber" else -math.log(u)
    return beta * dh < t
