"""Teacher-student P = 2: the AGS student of a paramagnetic p* = 2 teacher, RS
(docs/teacher-student.md, "P = 2 student").

The student stores M = alpha N examples, H = -(N/2) sum_a (eta^a . sigma / N)^2; the examples
are Gibbs samples of the Curie-Weiss teacher -(N/2) (xi* . eta / N)^2 at T* > 1, so
E[eta_i eta_j] = kappa xi*_i xi*_j / N with kappa = beta*/(1 - beta*). Given the replicas, the
example overlaps y_rho = sqrt(N) eta . sigma^rho / N are Gaussian with covariance
Sigma = (1 - q) I + (q + a) 11^T, a = kappa q*^2 (variance 1 + a, covariance q + a), and each
uncondensed example contributes -(1/2) ln det(1 - beta Sigma) to ln Z^n: the AGS term with
Q = q + a in place of q, the eigenvalue 1 - C (C = beta (1 - q)) unchanged. Unknowns
x = (m, q*, C), m the overlap with one (condensed) example, eta, xi = +-1 independent:

    h / beta = m eta + t xi + sqrt(alpha r) z,  t = alpha kappa q* / (1 - C),
    r = (q + kappa q*^2) / (1 - C)^2
    m = E[eta tanh h],  q* = E[xi tanh h],  C = beta E sech^2 h  (q = E tanh^2 h)
    f = m^2/2 + (alpha T/2) ln(1 - C) - (alpha/2)(q + a)/(1 - C) + (alpha/2) r C + t q*
        - E ln 2cosh(h) / beta.

kappa = 0 is AGS (theory.rs.ags). The paramagnet (m = q* = q = 0, T > 1) turns unstable
towards the teacher at T = 1 + alpha kappa (dq*'/dq* = beta alpha kappa / (1 - beta)), above
the spin-glass temperature 1 + sqrt(alpha) exactly when alpha kappa^2 > 1 (the BBP threshold
of the examples' spiked covariance). On the Nishimori line T = T* the solution has q = q*
and the transition is at T = 1 + sqrt(alpha). The replicon is AGS's (the 11^T shift drops
out of the replicon block): lambda_R = 1 - alpha beta^2 E sech^4 h / (1 - C)^2.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from theory import _x64
from theory._conventions import temperature
from theory._gaussian import safe_sqrt, tanh_averages
from theory.rs.at import _gamma
from theory.rs.fixed_point import fixed_point
from theory.rs.stability import is_stable
from theory.rs.teacher import STARTS

C_MAX = 1.0 - 1e-12  # the RS saddle point needs 1 - C > 0 (as AGS)
R_TINY = 1e-20


def _fields(x, p):
    """(t, m, sqrt(alpha r), q, a, C) at x = (m, q*, C) and the point p (beta, kappa, alpha)."""
    m, qs, C = x[0], x[1], jnp.minimum(x[2], C_MAX)
    beta, kappa, alpha = p["beta"], p["kappa"], p["alpha"]
    q = jnp.where(jnp.isfinite(beta), 1.0 - x[2] / beta, 1.0)  # unclipped, as AGS (a kink)
    a = kappa * qs**2
    t = alpha * kappa * qs / (1.0 - C)
    r = (q + a) / (1.0 - C) ** 2
    # below R_TINY the noise sd (< 1e-10) only carries rounding, whose derivative through
    # sqrt is garbage (q ~ 0 with q* ~ 1e-17 gave dC'/dC = 2.3): zero it, as AGS's q = 0 does
    r = jnp.where(r > R_TINY, r, 0.0)
    return t, m, safe_sqrt(alpha * r), q, a, C, r


def _averages(x, p):
    """E[eta tanh h], E[xi tanh h], beta E sech^2 h, E ln 2cosh(h)/beta, E tanh^2 h."""
    t, m, b, *_ = _fields(x, p)
    tp, Cp, Lp, qp = tanh_averages(p["beta"], t + m, b)
    tm, Cm, Lm, qm = tanh_averages(p["beta"], t - m, b)
    return 0.5 * (tp - tm), 0.5 * (tp + tm), 0.5 * (Cp + Cm), 0.5 * (Lp + Lm), 0.5 * (qp + qm)


def rs_map(x, p):
    """(m, q*, C) -> (m', q*', C') at one point ``p`` (beta, kappa, alpha)."""
    m, qs, C, _, _ = _averages(x, p)
    return jnp.stack([m, qs, C])


def project(x, p):
    c_hi = jnp.where(p["alpha"] > 0.0, jnp.minimum(p["beta"], C_MAX), p["beta"])
    return jnp.stack([jnp.clip(x[0], -1.0, 1.0), jnp.clip(x[1], -1.0, 1.0),
                      jnp.clip(x[2], 0.0, c_hi)])  # fmt: skip


def observables(x, p):
    """m, q*, q, free energy per neuron and the noise sd sqrt(alpha r) at a solution ``x``."""
    m, qs, _, L, q = _averages(x, p)
    t, _, b, _, a, C, r = _fields(x, p)
    alpha = p["alpha"]
    # q = E tanh^2 h in the -(alpha/2) Q/(1 - C) term, as theory.rs.ags (equal at a solution)
    f = (0.5 * x[0] ** 2 + 0.5 * alpha * temperature(p["beta"]) * jnp.log1p(-C)
         - 0.5 * alpha * (q + a) / (1.0 - C) + 0.5 * alpha * r * C + t * x[1] - L)  # fmt: skip
    return {"m": m, "q_star": qs, "q": q, "free_energy": f, "sd": b, "t": t}


def free_energy_variational(m, q_star, q, r, t, p):
    """RS free energy f(m, q*, q, r, t) at finite beta before the saddle point; its stationary
    points are the solutions of ``rs_map`` (docs/teacher-student.md)."""
    beta, kappa, alpha = p["beta"], p["kappa"], p["alpha"]
    D = 1.0 - beta * (1.0 - q)
    Q = q + kappa * q_star**2
    b = jnp.sqrt(alpha * r)
    _, _, Lp, _ = tanh_averages(beta, t + m, b)
    _, _, Lm, _ = tanh_averages(beta, t - m, b)
    return (0.5 * m**2 + alpha / (2.0 * beta) * (jnp.log(D) - beta * Q / D)
            + 0.5 * alpha * beta * r * (1.0 - q) + t * q_star - 0.5 * (Lp + Lm))  # fmt: skip


def _point(x0, beta, kappa, alpha):
    p = {"beta": beta, "kappa": kappa, "alpha": alpha}
    sol = fixed_point(functools.partial(rs_map, p=p), x0, functools.partial(project, p=p))
    out = observables(sol.x, p)
    out["converged"] = sol.converged
    out["stable"] = is_stable(sol.jacobian)
    return out


@jax.jit
def _grid(x0, beta, kappa, alpha):
    return jax.vmap(_point)(x0, beta, kappa, alpha)


def replicon(beta, alpha, q, m, t, sd) -> np.ndarray:
    """AGS replicon 1 - alpha beta^2 E sech^4 h / (1 - beta (1 - q))^2 with the two field
    means m + t, m - t (equal weights) and noise ``sd``; -inf at T = 0 with alpha > 0."""
    beta, alpha, q, m, t, sd = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (beta, alpha, q, m, t, sd)))  # fmt: skip
    zero = np.isinf(beta)
    b = np.where(zero, 1.0, beta)
    s = np.stack([m + t, m - t], axis=-1)
    gam = _gamma(s.reshape(-1, 2), sd.reshape(-1, 1), b.reshape(-1, 1), np.array([0.5, 0.5]))
    lam = 1.0 - alpha * b**2 * gam.reshape(b.shape) / (1.0 - b * (1.0 - q)) ** 2
    return np.where(zero, np.where(alpha > 0, -np.inf, 1.0), lam)


def solve_flat(beta, kappa, alpha, *, branch: str) -> dict:
    """Solve one branch at flat float64 points; NumPy arrays out (``m``, ``q_star``, ``q``,
    ``free_energy``, ``converged``, ``stable``, ``replicon``). ``branch="paramagnet"``: the
    closed form f = (alpha T/2) ln(1 - beta) - T ln 2 (T > 1), linearly stable above
    max(1 + sqrt(alpha), 1 + alpha kappa)."""
    beta, kappa, alpha = (np.asarray(a, dtype=np.float64).ravel()
                          for a in np.broadcast_arrays(beta, kappa, alpha))  # fmt: skip
    if branch == "paramagnet":
        return _paramagnet(beta, kappa, alpha)
    n = beta.size
    size = 8 if n <= 8 else -(-n // 128) * 128  # few compiled sizes: pad with the first point
    take = np.r_[np.arange(n), np.zeros(size - n, dtype=int)]
    x0 = np.tile(np.asarray(STARTS[branch], dtype=np.float64), (size, 1))
    with _x64.enabled():
        out = {k: np.asarray(v)[:n] for k, v in _grid(x0, beta[take], kappa[take],
                                                       alpha[take]).items()}  # fmt: skip
    with np.errstate(invalid="ignore", over="ignore"):
        out["replicon"] = replicon(beta, alpha, out["q"], out["m"], out.pop("t"), out.pop("sd"))
    return out


def _paramagnet(beta, kappa, alpha):
    finite = np.isfinite(beta)
    T = np.where(finite & (beta > 0), 1.0 / np.where(beta > 0, beta, 1.0), 0.0)
    exists = finite & ((beta < 1.0) | (alpha == 0))
    b = np.where(exists & (beta < 1.0), beta, 0.0)
    f = np.where(exists, 0.5 * alpha * T * np.log1p(-b) - T * np.log(2.0), np.nan)
    zero = np.zeros_like(beta)
    with np.errstate(divide="ignore"):
        lam = 1.0 - alpha * b**2 / (1.0 - b) ** 2
    stable = exists & (T > 1.0 + np.sqrt(alpha)) & (T > 1.0 + alpha * kappa)
    return {"m": zero, "q_star": zero, "q": zero, "free_energy": f, "converged": exists,
            "stable": stable, "replicon": np.where(exists, lam, np.nan)}  # fmt: skip
