"""Linear stability of RS solutions.

A solution x* of x = F(x) is reported ``stable`` when every eigenvalue of the Jacobian
J = dF/dx at x* has real part below 1, i.e. x* attracts the relaxation dx/dt = F(x) - x (and
the damped iteration x <- x + gamma (F(x) - x) for small gamma). For the low-storage
equations this is exactly the condition that x* is a local minimum of the free energy
(e.g. beta (1 - m^2) < 1 for m = tanh(beta m)); branches that appear in a saddle-node pair
(P >= 4, or AGS at the spinodal) show one stable and one unstable member. The
de Almeida-Thouless (replicon) stability against replica symmetry breaking is a separate
question (theory.at).

``mixture_hessian`` gives the Hessian of the low-storage free energy of a symmetric
s-mixture (theory.lowstorage) over all overlaps, whose positivity is the mixture's
thermodynamic stability.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

MARGIN = 1e-9  # eigenvalues within MARGIN of 1 count as marginal, i.e. not stable


def max_real_eigenvalue(J):
    """Largest real part of the eigenvalues of the 2x2 Jacobians ``J`` (..., 2, 2)."""
    if J.shape[-1] != 2:
        return jnp.max(jnp.real(jnp.linalg.eigvals(J)), axis=-1)
    tr = J[..., 0, 0] + J[..., 1, 1]
    det = J[..., 0, 0] * J[..., 1, 1] - J[..., 0, 1] * J[..., 1, 0]
    disc = 0.25 * tr * tr - det
    return 0.5 * tr + jnp.sqrt(jnp.maximum(disc, 0.0))


def is_stable(J):
    """``True`` where the fixed point with Jacobian ``J`` is linearly stable."""
    return max_real_eigenvalue(J) < 1.0 - MARGIN


def mixture_eigenvalues(s: int, beta, m):
    """Hessian eigenvalues of the P = 2 low-storage free energy at a symmetric s-mixture.

    f(m_1..m_K) = sum m_mu^2/2 - E ln 2cosh(beta sum_mu m_mu xi^mu)/beta, at m_mu = m for
    mu <= s and 0 otherwise: H = delta - beta E[xi^mu xi^nu sech^2(beta m Z)]. With
    a = 1 - beta E[sech^2], b = -beta E[xi^1 xi^2 sech^2] the eigenvalues are a + (s-1) b
    (symmetric), a - b (s-1 fold, inside the mixture) and a (non-condensed patterns).
    At beta = inf (T = 0, m > 0) sech^2 vanishes on every Z != 0: H = identity unless some
    Z = 0 (even s). Returns an array (..., 3).
    """
    beta = np.asarray(beta, dtype=float)
    m = np.asarray(m, dtype=float)
    k = np.arange(s + 1)
    z = (s - 2 * k).astype(float)
    w = np.array([math.comb(s, int(j)) for j in k], dtype=float) / 2.0**s
    # E[xi1 xi2 | Z] = (Z^2 - s)/(s (s - 1)) for s independent +-1 with sum Z
    c12 = (z * z - s) / (s * (s - 1))
    finite = np.isfinite(beta)
    bf = np.where(finite, beta, 1.0)
    y = np.abs(bf[..., None] * m[..., None] * z)
    sech2 = 4.0 * np.exp(-2 * y) / (1.0 + np.exp(-2 * y)) ** 2
    a = 1.0 - bf * (w * sech2).sum(-1)
    b = -bf * (w * c12 * sech2).sum(-1)
    a = np.where(finite, a, 1.0)
    b = np.where(finite, b, 0.0)
    return np.stack([a + (s - 1) * b, a - b, a], axis=-1)
