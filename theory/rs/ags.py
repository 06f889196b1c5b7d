"""P = 2 high storage (Amit-Gutfreund-Sompolinsky), with supervised data (docs/models.md §4.1).

Unknowns ``x = (nbar, C)`` with ``C = beta (1 - q)``, which stays finite at T = 0 and makes
the zero-temperature equations the exact beta = inf limit of the same map:

    h / beta = nbar u + sqrt(alpha r_AGS) z,   r_AGS = q / (1 - C)^2,   q = 1 - C/beta
    nbar = E[u tanh h]/(1+rho),  m = E tanh h,  C = beta E sech^2 h
    f = (1+rho) nbar^2/2 + (alpha T/2) ln(1-C) - (alpha/2) q/(1-C) + (alpha/2) r_AGS C
        - E ln 2cosh(h)/beta

(u = 1 + sqrt(rho) Y, the normalised class mean; rho = 0 gives the AGS equations, n = m.)
At T = 0 (q = 1): m = E sign(x), C = 2 p_x(0), f -> the ground-state energy per neuron.

Unsupervised protocol (docs/models.md §4.3): the point dict ``p`` carries the extra
eigenvalue ``eps = rho/(1+rho)`` of each uncondensed class with multiplicity ``g_eps = M - 1``
besides the eigenvalue 1, and every sum over the spectrum gains its term; without these keys
the equations are exactly the ones above.
"""

from __future__ import annotations

import jax.numpy as jnp

from theory._conventions import temperature
from theory._gaussian import field_averages, safe_sqrt

C_MAX = 1.0 - 1e-12  # the RS saddle point needs 1 - beta(1 - q) > 0


def _q_of(C, beta):
    return jnp.where(jnp.isfinite(beta), 1.0 - C / beta, 1.0)


def _extra_modes(p):
    """(eps, multiplicity) of the unsupervised spectrum, or None (docs/models.md §4.3)."""
    return (p["eps"], p["g_eps"]) if "eps" in p else None


def _fields(x, p):
    nbar, C = x[0], x[1]
    q = _q_of(C, p["beta"])
    Cc = jnp.minimum(C, C_MAX)
    r_ags = q / (1.0 - Cc) ** 2
    extra = _extra_modes(p)
    if extra is not None:
        eps, g = extra
        r_ags = r_ags + g * eps**2 * q / (1.0 - eps * Cc) ** 2
    return nbar, safe_sqrt(p["alpha"] * r_ags), q, r_ags


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
    T = temperature(p["beta"])
    f = (
        0.5 * (1.0 + rho) * nbar**2
        + 0.5 * alpha * T * jnp.log1p(-Cx)
        - 0.5 * alpha * q / (1.0 - Cx)
        + 0.5 * alpha * r_ags * Cx
        - L
    )
    extra = _extra_modes(p)
    if extra is not None:
        eps, g = extra
        De = 1.0 - eps * Cx
        f = f + g * (0.5 * alpha * T * jnp.log1p(-eps * Cx) - 0.5 * alpha * eps * q / De)
    return {"m": m, "n": nbar, "q": q, "free_energy": f, "r_AGS": r_ags}


def free_energy_variational(nbar, q, r, p, law=None):
    """RS free energy f(nbar, q, r) at finite beta, before the saddle point is taken.

    Its stationary points are the solutions of ``rs_map`` (checked by autodiff in the tests).
    """
    beta, alpha, rho = p["beta"], p["alpha"], p["rho"]
    D = 1.0 - beta * (1.0 - q)
    _, _, _, L, _ = field_averages(beta, nbar, jnp.sqrt(alpha * r), rho, law)
    f = (
        0.5 * (1.0 + rho) * nbar**2
        + alpha / (2.0 * beta) * (jnp.log(D) - beta * q / D)
        + 0.5 * alpha * beta * r * (1.0 - q)
        - L
    )
    extra = _extra_modes(p)
    if extra is not None:
        eps, g = extra
        De = 1.0 - eps * beta * (1.0 - q)
        f = f + g * alpha / (2.0 * beta) * (jnp.log(De) - eps * beta * q / De)
    return f


def paramagnet(p):
    """Closed form q = m = 0 solution: f = (alpha T/2) ln(1 - beta) - T ln 2 (needs beta < 1
    when alpha > 0); locally stable for T > T_g = 1 + sqrt(alpha)."""
    beta, alpha = p["beta"], p["alpha"]
    T = temperature(beta)
    exists = (alpha == 0.0) | (beta < 1.0)
    b = jnp.where(beta < 1.0, beta, 0.0)
    log_term = 0.5 * alpha * T * jnp.log1p(-b)
    stable = T > 1.0 + jnp.sqrt(alpha)
    extra = _extra_modes(p)
    if extra is not None:  # spin-glass onset: beta^2 alpha sum_l g_l l^2/(1 - beta l)^2 = 1
        eps, g = extra
        log_term = log_term + g * 0.5 * alpha * T * jnp.log1p(-eps * b)
        onset = b**2 * alpha * (1.0 / (1.0 - b) ** 2 + g * eps**2 / (1.0 - eps * b) ** 2)
        stable = (beta < 1.0) & (onset < 1.0)
    f = jnp.where(exists, log_term - T * jnp.log(2.0), jnp.nan)
    return f, exists, stable
