"""Dense (P >= 4) Hebbian storage, replica symmetric, any load (docs/models.md §3 and §4.2).

With alpha = 0 these are the low-storage equations (any even P, P = 2 included through
theory.ags). Unknowns ``x = (nbar, C)`` with ``C = beta (1 - q)``:

    h / beta = S u + b z,  S = (P/2)(1+rho)^(P/2-1) nbar^(P-1),  b^2 = alpha P P! q^(P-1) / 4
    nbar = E[u tanh h]/(1+rho),  m = E tanh h,  q = E tanh^2 h
    f = (P-1)(1+rho)^(P/2) nbar^P / 2 - (beta alpha P!/8)(1 - P q^(P-1) + (P-1) q^P)
        - E ln 2cosh(h)/beta

Only the Ising P-spin glass term appears (no reaction term for P > 2). At T = 0, q = 1 and
the last bracket vanishes like C^2/beta, evaluated here from its exact power series in C/beta
so that the T = 0 limit is exact. The convention-free load is Delta = alpha P!/P.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from theory._conventions import factorial, temperature
from theory._gaussian import field_averages, safe_sqrt


def _glass_coefficients(P: int) -> list[tuple[int, float]]:
    """Coefficients c_j of 1 - P(1-e)^(P-1) + (P-1)(1-e)^P = sum_{j>=2} c_j e^j."""
    out = []
    for j in range(2, P + 1):
        c = (-1) ** j * ((P - 1) * math.comb(P, j) - P * math.comb(P - 1, j))
        if c:
            out.append((j, float(c)))
    return out


def _q_of(C, beta):
    return jnp.where(jnp.isfinite(beta), 1.0 - C / beta, 1.0)


def _fields(x, p, P):
    nbar, C = x[0], x[1]
    rho = p["rho"]
    q = jnp.clip(_q_of(C, p["beta"]), 0.0, 1.0)
    S = 0.5 * P * (1.0 + rho) ** (0.5 * P - 1.0) * nbar ** (P - 1)
    b = safe_sqrt(p["alpha"] * P * factorial(P) * q ** (P - 1) / 4.0)
    return S, b, q


def rs_map(x, p, P, law=None):
    """The fixed-point map (nbar, C) -> (nbar', C') at one grid point ``p``."""
    S, b, _ = _fields(x, p, P)
    _, nbar, C, _, _ = field_averages(p["beta"], S, b, p["rho"], law)
    return jnp.stack([nbar, C])


def project(x, p):
    """Clip into the domain nbar in [-2, 2], 0 <= C <= beta."""
    return jnp.stack([jnp.clip(x[0], -2.0, 2.0), jnp.clip(x[1], 0.0, p["beta"])])


def observables(x, p, P, law=None):
    """m, n, q and the free energy per neuron at a solution x."""
    S, b, q = _fields(x, p, P)
    m, _, _, L, q = field_averages(p["beta"], S, b, p["rho"], law)
    nbar, C = x[0], x[1]
    T = temperature(p["beta"])
    beta_g = sum(c * C**j * T ** (j - 1) for j, c in _glass_coefficients(P))
    f = (
        0.5 * (P - 1) * (1.0 + p["rho"]) ** (0.5 * P) * nbar**P
        - p["alpha"] * factorial(P) / 8.0 * beta_g
        - L
    )
    return {"m": m, "n": nbar, "q": q, "free_energy": f}


def free_energy_variational(nbar, q, p, P, law=None):
    """RS free energy f(nbar, q) at finite beta; stationary exactly at the RS solutions."""
    beta, alpha, rho = p["beta"], p["alpha"], p["rho"]
    S = 0.5 * P * (1.0 + rho) ** (0.5 * P - 1.0) * nbar ** (P - 1)
    b = jnp.sqrt(alpha * P * factorial(P) * q ** (P - 1) / 4.0)
    _, _, _, L, _ = field_averages(beta, S, b, rho, law)
    glass = 1.0 - P * q ** (P - 1) + (P - 1) * q**P
    return (
        0.5 * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P
        - beta * alpha * factorial(P) / 8.0 * glass
        - L
    )


def paramagnet(p, P):
    """Closed form q = m = 0 solution, f = -T ln 2 - beta alpha P!/8; always locally stable
    for P >= 4; at T = 0 it exists only without load (f = 0)."""
    beta, alpha = p["beta"], p["alpha"]
    finite = jnp.isfinite(beta)
    T = temperature(beta)
    exists = finite | (alpha == 0.0)
    b_safe = jnp.where(finite, beta, 0.0)
    f = jnp.where(exists, -T * jnp.log(2.0) - b_safe * alpha * factorial(P) / 8.0, jnp.nan)
    return f, exists, jnp.ones_like(f, dtype=bool)
