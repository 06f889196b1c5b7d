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

import jax.numpy as jnp

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
