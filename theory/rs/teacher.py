"""Teacher-student dense networks, replica symmetric (docs/teacher-student.md).

Student of order P storing M = alpha N^(P-1) examples (every example a pattern, energy
-(N/2) sum_a (eta^a . sigma / N)^P) drawn from the paramagnetic single-pattern teacher of
the same order at temperature T* (energy -(N/2) (xi* . eta / N)^P). Unknowns
x = (m, q*, C): overlap m with one example, teacher overlap q* = xi* . sigma / N and
C = beta (1 - q). With c = alpha P P!/4 (the cross-talk constant of docs/models.md §4.2),

    h / beta = beta* c q*^(P-1) xi + (P/2) m^(P-1) eta + sqrt(c q^(P-1)) z,
    q* = E[xi tanh h],  m = E[eta tanh h],  q = E tanh^2 h   (xi, eta = +-1 independent)
    f = (P-1) m^P / 2 + (P-1) beta* c q*^P / P - (beta alpha P!/8)(1 - P q^(P-1) + (P-1) q^P)
        - E ln 2cosh(h) / beta.

The teacher signal enters like a condensed pattern whose coupling is beta* c; on the
Nishimori line beta = beta* (the student's temperature matched to the teacher's) the
teacher-retrieval branch depends on beta^2 alpha only. In the units of Theriault & Tantari
(SciPost Phys. 17, 040 (2024)) T' = 2T, T*' = 2T*, alpha' = P! alpha.

Mismatched teacher p* = 2, odd P (``solve_pair``): the paramagnetic p* = 2 teacher at T* > 1
correlates its examples in pairs, E[eta_i eta_j] = kappa xi_i xi_j / N with
kappa = beta*/(1 - beta*), and its +-xi symmetry removes every odd-order signal. The example
overlaps y_rho = sqrt(N) eta . sigma^rho / N are Gaussian with covariance
Q = q + a (a = kappa q*^2) between replicas and 1 + a within one; the distinct-index energy is
N^(1-P/2) He_P(y) per example, so the cross-talk becomes
F(Q, a) = Cov(He_P(y), He_P(y')) = sum_{j odd <= P} P!^2 / (j! k!^2 4^k) a^(2k) Q^j, k = (P-j)/2,
and with DD(q, a) = (F(1+a, a) - F(q+a, a)) / (1 - q):

    h / beta = (alpha/4) kappa q* C dDD/da xi + (P/2) m^(P-1) eta + sqrt((alpha/4) dF/dQ(q+a)) z
    f = (P-1) m^P / 2 + q* h_teacher - (alpha/8) C DD + (alpha/8) C dF/dQ(q+a) - E ln 2cosh(h)/beta

(kappa = 0: the direct model with random patterns). For even P the same teacher gives a
signal of order N^(P/2) instead; its finite scaling regime is the matched equations above with
an effective beta* (theory.teacher_student).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from theory import _x64
from theory._conventions import factorial, temperature
from theory._gaussian import safe_sqrt, tanh_averages
from theory.rs.dense import _glass_coefficients
from theory.rs.fixed_point import fixed_point
from theory.rs.stability import is_stable

#: starting points (m, q*, C) of the branches
STARTS = {
    "teacher": (0.0, 1.0, 0.0),  # retrieval of the teacher's archetype (generalisation)
    "example": (1.0, 0.0, 0.0),  # retrieval of one example (memorisation)
    "spinglass": (0.0, 0.0, 0.0),
}


def _fields(x, p, P):
    m, qs, C = x[0], x[1], x[2]
    beta = p["beta"]
    q = jnp.clip(jnp.where(jnp.isfinite(beta), 1.0 - C / beta, 1.0), 0.0, 1.0)
    c = p["alpha"] * P * factorial(P) / 4.0
    A = p["beta_star"] * c * qs ** (P - 1)
    B = 0.5 * P * m ** (P - 1)
    return A, B, safe_sqrt(c * q ** (P - 1)), q


def _averages(x, p, P):
    A, B, b, q = _fields(x, p, P)
    tp, Cp, Lp, qp = tanh_averages(p["beta"], A + B, b)
    tm, Cm, Lm, qm = tanh_averages(p["beta"], A - B, b)
    return 0.5 * (tp - tm), 0.5 * (tp + tm), 0.5 * (Cp + Cm), 0.5 * (Lp + Lm), 0.5 * (qp + qm)


def rs_map(x, p, P):
    """(m, q*, C) -> (m', q*', C') at one point ``p`` (beta, beta_star, alpha)."""
    m, qs, C, _, _ = _averages(x, p, P)
    return jnp.stack([m, qs, C])


def project(x, p):
    return jnp.stack([jnp.clip(x[0], -1.0, 1.0), jnp.clip(x[1], -1.0, 1.0),
                      jnp.clip(x[2], 0.0, p["beta"])])  # fmt: skip


def observables(x, p, P):
    """m, q*, q and the free energy per neuron at a solution ``x``."""
    m, qs, _, L, q = _averages(x, p, P)
    beta = p["beta"]
    T = temperature(beta)
    C = x[2]
    glass = sum(cj * C**j * T ** (j - 1) for j, cj in _glass_coefficients(P))  # beta * bracket
    c = p["alpha"] * P * factorial(P) / 4.0
    f = (
        0.5 * (P - 1) * x[0] ** P
        + (P - 1) * p["beta_star"] * c * x[1] ** P / P
        - p["alpha"] * factorial(P) / 8.0 * glass
        - L
    )
    return {"m": m, "q_star": qs, "q": q, "free_energy": f}


def _solved(equations, read_out, x0, p, P):
    """Fixed point of ``equations`` from ``x0``, its observables, convergence and stability."""
    sol = fixed_point(functools.partial(equations, p=p, P=P), x0, functools.partial(project, p=p))
    out = read_out(sol.x, p, P)
    out["converged"] = sol.converged
    out["stable"] = is_stable(sol.jacobian)
    return out


def _point(x0, beta, beta_star, alpha, *, P):
    p = {"beta": beta, "beta_star": beta_star, "alpha": alpha}
    return _solved(rs_map, observables, x0, p, P)


@functools.partial(jax.jit, static_argnames=("P",))
def _grid(x0, beta, beta_star, alpha, *, P):
    return jax.vmap(functools.partial(_point, P=P))(x0, beta, beta_star, alpha)


def pair_crosstalk(Q, a, P: int):
    """F(Q, a) = Cov(He_P(y), He_P(y')) for Gaussian y, y' of variances 1 + a, covariance Q
    (the p* = 2 teacher's cross-talk kernel; F(Q, 0) = P! Q^P, the direct model's)."""
    out = 0.0
    for j in range(P % 2, P + 1, 2):
        k = (P - j) // 2
        w = factorial(P) ** 2 / (factorial(j) * factorial(k) ** 2 * 4.0**k)
        out = out + w * a ** (2 * k) * Q**j
    return out


def _divided(q, a, P):
    """DD(q, a) = (F(1+a, a) - F(q+a, a)) / (1 - q), as a polynomial (finite at q = 1)."""
    out = 0.0
    for j in range(P % 2, P + 1, 2):
        k = (P - j) // 2
        w = factorial(P) ** 2 / (factorial(j) * factorial(k) ** 2 * 4.0**k)
        out = out + w * a ** (2 * k) * sum((1 + a) ** i * (q + a) ** (j - 1 - i) for i in range(j))
    return out


def _pair_fields(x, p, P):
    m, qs, C = x[0], x[1], x[2]
    beta, kappa, alpha = p["beta"], p["kappa"], p["alpha"]
    q = jnp.clip(jnp.where(jnp.isfinite(beta), 1.0 - C / beta, 1.0), 0.0, 1.0)
    a = kappa * qs**2
    dDD_da = jax.grad(_divided, argnums=1)(q, a, P)
    dF_dQ = jax.grad(pair_crosstalk, argnums=0)(q + a, a, P)
    A = 0.25 * alpha * kappa * qs * C * dDD_da
    return A, 0.5 * P * m ** (P - 1), safe_sqrt(0.25 * alpha * dF_dQ), q, a, dF_dQ


def _pair_averages(x, p, P):
    A, B, b, q, a, dF_dQ = _pair_fields(x, p, P)
    tp, Cp, Lp, qp = tanh_averages(p["beta"], A + B, b)
    tm, Cm, Lm, qm = tanh_averages(p["beta"], A - B, b)
    av = 0.5 * (tp - tm), 0.5 * (tp + tm), 0.5 * (Cp + Cm), 0.5 * (Lp + Lm), 0.5 * (qp + qm)
    return av, (A, q, a, dF_dQ)


def pair_map(x, p, P):
    """(m, q*, C) -> (m', q*', C') for the p* = 2 teacher (odd P) at ``p`` (beta, kappa,
    alpha)."""
    (m, qs, C, _, _), _ = _pair_averages(x, p, P)
    return jnp.stack([m, qs, C])


def pair_observables(x, p, P):
    (m, qs, _, L, q), (A, q_in, a, dF_dQ) = _pair_averages(x, p, P)
    C, alpha = x[2], p["alpha"]
    f = (0.5 * (P - 1) * x[0] ** P + A * x[1]
         - alpha / 8.0 * C * (_divided(q_in, a, P) - dF_dQ) - L)  # fmt: skip
    return {"m": m, "q_star": qs, "q": q, "free_energy": f}


def _pair_point(x0, beta, kappa, alpha, *, P):
    p = {"beta": beta, "kappa": kappa, "alpha": alpha}
    return _solved(pair_map, pair_observables, x0, p, P)


@functools.partial(jax.jit, static_argnames=("P",))
def _pair_grid(x0, beta, kappa, alpha, *, P):
    return jax.vmap(functools.partial(_pair_point, P=P))(x0, beta, kappa, alpha)


def solve_flat(beta, beta_star, alpha, *, P: int, branch: str, kappa=None) -> dict:
    """Solve one branch at flat float64 points; NumPy arrays out (``m``, ``q_star``, ``q``,
    ``free_energy``, ``converged``, ``stable``). ``branch="paramagnet"`` is the closed form
    f = -T ln 2 - beta alpha P!/8 (finite T). ``kappa`` (array, >= 0): the p* = 2 teacher's
    pair correlation, odd P; ``beta_star`` is then ignored."""
    pair = kappa is not None
    if pair and P % 2 == 0:
        raise ValueError("the pair (p* = 2) equations are for odd P.")
    beta, beta_star, alpha, kappa = (
        np.asarray(a, dtype=np.float64).ravel()
        for a in np.broadcast_arrays(beta, beta_star, alpha, 0.0 if kappa is None else kappa)
    )
    if branch == "paramagnet":
        finite = np.isfinite(beta)
        bs = np.where(finite, beta, 1.0)
        f = np.where(finite, -np.log(2.0) / bs - bs * alpha * float(factorial(P)) / 8.0, np.nan)
        zero = np.zeros_like(beta)
        return {"m": zero, "q_star": zero, "q": zero, "free_energy": f,
                "converged": finite | (alpha == 0), "stable": finite.copy()}  # fmt: skip
    n = beta.size
    size = 8 if n <= 8 else -(-n // 128) * 128  # few compiled sizes: pad with the first point
    take = np.r_[np.arange(n), np.zeros(size - n, dtype=int)]
    x0 = np.tile(np.asarray(STARTS[branch], dtype=np.float64), (size, 1))
    with _x64.enabled():
        if pair:
            out = _pair_grid(x0, beta[take], kappa[take], alpha[take], P=P)
        else:
            out = _grid(x0, beta[take], beta_star[take], alpha[take], P=P)
        return {k: np.asarray(v)[:n] for k, v in out.items()}
