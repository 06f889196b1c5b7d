"""P = 2 high storage (Amit-Gutfreund-Sompolinsky), with supervised data (MODELS.md §4.1).

Unknowns ``x = (nbar, C)`` with ``C = beta (1 - q)``, which stays finite at T = 0 and makes
the zero-temperature equations the exact beta = inf limit of the same map:

    h / beta = nbar u + sqrt(alpha r_AGS) z,   r_AGS = q / (1 - C)^2,   q = 1 - C/beta
    nbar = E[u tanh h]/(1+rho),  m = E tanh h,  C = beta E sech^2 h
    f = (1+rho) nbar^2/2 + (alpha T/2) ln(1-C) - (alpha/2) q/(1-C) + (alpha/2) r_AGS C
        - E ln 2cosh(h)/beta

(u = 1 + sqrt(rho) Y, the normalised class mean; rho = 0 gives the AGS equations, n = m.)
At T = 0 (q = 1): m = E sign(x), C = 2 p_x(0), f -> the ground-state energy per neuron.
"""

from __future__ import annotations

import jax.numpy as jnp

from theory._averages import _safe_sqrt, field_averages

C_MAX = 1.0 - 1e-12  # the RS saddle point needs 1 - beta(1 - q) > 0


def _q_of(C, beta):
    return jnp.where(jnp.isfinite(beta), 1.0 - C / beta, 1.0)


def _fields(x, p):
    nbar, C = x[0], x[1]
    q = _q_of(C, p["beta"])
    r_ags = q / (1.0 - jnp.minimum(C, C_MAX)) ** 2
    return nbar, _safe_sqrt(p["alpha"] * r_ags), q, r_ags


def rs_map(x, p, law=None):
    """The fixed-point map (nbar, C) -> (nbar', C') at one grid point ``p``."""
    S, b, _, _ = _fields(x, p)
    _, nbar, C, _, _ = field_averages(p["beta"], S, b, p["rho"], law)
    return jnp.stack([nbar, C])


def project(x, p):
    """Clip into the domain nbar in [-2, 2], 0 <= C <= beta (and C < 1 when alpha > 0)."""
    c_hi = jnp.where(p["alpha"] > 0.0, jnp.minimum(p["beta"], C_MAX), p["beta"])
    return jnp.stack([jnp.clip(x[0], -2.0, 2.0), jnp.clip(x[1], 0.0, c_hi)])


def observables(x, p, law=None):
    """m, n, q, free energy per neuron and r_AGS at a solution x."""
    S, b, q, r_ags = _fields(x, p)
    m, _, C, L, q = field_averages(p["beta"], S, b, p["rho"], law)
    nbar, Cx = x[0], jnp.minimum(x[1], C_MAX)
    alpha, rho = p["alpha"], p["rho"]
    T = jnp.where(jnp.isfinite(p["beta"]), 1.0 / p["beta"], 0.0)
    f = (
        0.5 * (1.0 + rho) * nbar**2
        + 0.5 * alpha * T * jnp.log1p(-Cx)
        - 0.5 * alpha * q / (1.0 - Cx)
        + 0.5 * alpha * r_ags * Cx
        - L
    )
    return {"m": m, "n": nbar, "q": q, "free_energy": f, "r_AGS": r_ags}


def free_energy_variational(nbar, q, r, p, law=None):
    """RS free energy f(nbar, q, r) at finite beta, before the saddle point is taken.

    Its stationary points are the solutions of ``rs_map`` (checked by autodiff in the tests).
    """
    beta, alpha, rho = p["beta"], p["alpha"], p["rho"]
    D = 1.0 - beta * (1.0 - q)
    _, _, _, L, _ = field_averages(beta, nbar, jnp.sqrt(alpha * r), rho, law)
    return (
        0.5 * (1.0 + rho) * nbar**2
        + alpha / (2.0 * beta) * (jnp.log(D) - beta * q / D)
        + 0.5 * alpha * beta * r * (1.0 - q)
        - L
    )


def paramagnet(p):
    """Closed form q = m = 0 solution: f = (alpha T/2) ln(1 - beta) - T ln 2 (needs beta < 1
    when alpha > 0); locally stable for T > T_g = 1 + sqrt(alpha)."""
    beta, alpha = p["beta"], p["alpha"]
    T = jnp.where(jnp.isfinite(beta), 1.0 / beta, 0.0)
    exists = (alpha == 0.0) | (beta < 1.0)
    log_term = 0.5 * alpha * T * jnp.log1p(-jnp.where(beta < 1.0, beta, 0.0))
    f = jnp.where(exists, log_term - T * jnp.log(2.0), jnp.nan)
    stable = T > 1.0 + jnp.sqrt(alpha)
    return f, exists, stable
