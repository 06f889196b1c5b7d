"""One-step replica symmetry breaking (1RSB) for dense Hebbian networks, P >= 4.

Notation of docs/models.md §3 and §5: ``H = -(N/2) sum_mu m_mu^P``, ``K = alpha N^(P-1)``,
cross-talk strength ``c = alpha P P!/4`` (``= Delta P^2/4``). With data (``protocol="supervised"``)
the signal is ``s(Y) = (P/2) (1+rho)^(P/2-1) n^(P-1) (1 + sqrt(rho) Y)``, ``Y ~ N(0, 1)``; the
hebbian protocol is ``rho = 0`` and ``n = m``. The 1RSB pressure ``A = -beta f`` is

    h = beta [s(Y) + sqrt(c q0^(P-1)) z0 + sqrt(c (q1^(P-1) - q0^(P-1))) z1]
    A = ln 2 + (1/theta) E_{Y,z0} ln E_{z1} cosh^theta h - (beta/2)(P-1)(1+rho)^(P/2) n^P
        + (beta^2 alpha P!/8) [1 - P q1^(P-1) + (P-1) q1^P - theta (P-1)(q1^P - q0^P)]

which is the Parisi one-step functional of a mixed Ising p-spin glass with covariance
``xi(q) = (alpha P!/4) q^P`` in the field ``s(Y)``. At T = 0 (``q1 -> 1``, ``mu = beta theta``
fixed) the inner average is closed form, ``E_z exp(mu |a + b z|) = e^(mu a + mu^2 b^2/2)
Phi(a/b + mu b) + e^(-mu a + mu^2 b^2/2) Phi(-a/b + mu b)``, and the energy per neuron is

    E = -(1/mu) E_{Y,z0} ln E_{z1} exp(mu |a + b z1|) + ((P-1)/2)(1+rho)^(P/2) n^P
        + (alpha P!/8) mu (P-1) (1 - q0^P),   a = s(Y) + sqrt(c q0^(P-1)) z0,
                                              b = sqrt(c (1 - q0^(P-1))).

RS is the special case ``q0 = q1`` (or ``theta`` in {0, 1}); at T = 0, ``mu -> 0`` or ``q0 = 1``.
The 1RSB solution at fixed ``n`` is the minimum of ``A`` over ``(q0, q1, theta)`` (Guerra's
broken-replica bound), so it is found by a scan in ``theta`` (``mu`` at T = 0) followed by Newton
steps on the full stationarity equations. Where no broken solution lowers ``A`` the RS solution
is returned with ``q0 = q1`` and ``theta = 1``.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp, ndtr

from theory._conventions import crosstalk, factorial
from theory._gaussian import LOG2, kink_rule, log_cosh, sqrt_floor, tilted_averages
from theory.rsb import engine


# ------------------------------------------------------------------ the P >= 4 functional, T > 0
def _signal(nbar, rho, Y, P):
    return 0.5 * P * (1.0 + rho) ** (0.5 * P - 1.0) * nbar ** (P - 1) * (1.0 + jnp.sqrt(rho) * Y)


def _fields(x, beta, alpha, rho, P, quad):
    """Local fields ``h / beta`` on the (Y, z0, z1) nodes and the outer weights (nY, n0)."""
    nbar, q0, q1, theta = x
    Y, wY, t0, t1 = quad
    c = crosstalk(alpha, P)
    s = _signal(nbar, rho, Y, P)
    b0 = sqrt_floor(c * q0 ** (P - 1))
    b1 = sqrt_floor(c * (q1 ** (P - 1) - q0 ** (P - 1)))
    a, w0 = kink_rule(s, b0 + 0.0 * s, b1 + 1.0 / beta + 0.0 * s, t0)  # (nY, n0)
    H, w1 = kink_rule(a, b1 + 0.0 * a, 1.0 / beta + 0.0 * a, t1, 9.0 + theta * beta * b1)
    return H, w1, wY[:, None] * w0


def evaluate(x, beta, alpha, rho, P, quad):
    """Everything at ``x = (n, q0, q1, theta)`` from one pass over the nodes: the pressure
    ``A = -beta f``, the right-hand sides ``(n, q0, q1)``, ``dA/dtheta`` and ``m``.

    ``dA/dtheta = E[<ln cosh h>/theta - ln Z/theta^2] - (beta^2 alpha P!/8)(P-1)(q1^P-q0^P)``
    with ``Z = E_z1 cosh^theta h`` and ``<.>`` the average tilted by ``cosh^theta h``.
    """
    nbar, q0, q1, theta = x
    Y = quad[0]
    H, w1, W = _fields(x, beta, alpha, rho, P, quad)
    lc = log_cosh(beta * H)
    inner = logsumexp(theta * lc, b=w1, axis=-1)
    wt = w1 * jnp.exp(theta * lc - inner[..., None])
    t = jnp.tanh(beta * H)
    lcm, t1, t2 = (jnp.sum(wt * f, axis=-1) for f in (lc, t, t * t))
    g = beta**2 * alpha * factorial(P) / 8.0
    glass = g * (1.0 - P * q1 ** (P - 1) + (P - 1) * q1**P - theta * (P - 1) * (q1**P - q0**P))
    kin = -0.5 * beta * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P
    A = LOG2 + jnp.sum(W * inner) / theta + kin + glass
    n_new = jnp.sum(W * (1.0 + jnp.sqrt(rho) * Y)[:, None] * t1) / (1.0 + rho)
    rhs = (n_new, jnp.sum(W * t1**2), jnp.sum(W * t2))
    dth = jnp.sum(W * (lcm / theta - inner / theta**2)) - g * (P - 1) * (q1**P - q0**P)
    return A, rhs, dth, jnp.sum(W * t1)


def pressure(x, beta, alpha, rho, P, quad):
    """1RSB pressure ``A = -beta f`` at ``x = (n, q0, q1, theta)`` (docs/models.md §5.2)."""
    return evaluate(x, beta, alpha, rho, P, quad)[0]


def averages(x, beta, alpha, rho, P, quad):
    """Right-hand sides ``(n, q0, q1)`` of the 1RSB equations and ``m``."""
    _, rhs, _, m = evaluate(x, beta, alpha, rho, P, quad)
    return (*rhs, m)


def dA_dtheta(x, beta, alpha, rho, P, quad):
    """``dA/dtheta`` (see :func:`evaluate`)."""
    return evaluate(x, beta, alpha, rho, P, quad)[2]


def residual(x, beta, alpha, rho, P, quad):
    """Stationarity equations: ``x[:3] - rhs`` and ``dA/dtheta / beta^2``."""
    _, rhs, dth, _ = evaluate(x, beta, alpha, rho, P, quad)
    return jnp.stack([x[0] - rhs[0], x[1] - rhs[1], x[2] - rhs[2], dth / beta**2])


# ------------------------------------------------------------------ the P >= 4 functional, T = 0
def _s_sd0_b(x, alpha, rho, P, quad):
    nbar, q0, _ = x
    c = crosstalk(alpha, P)
    s = _signal(nbar, rho, quad[0], P)
    b = jnp.maximum(sqrt_floor(c * (1.0 - q0 ** (P - 1))), 1e-150)
    return s, sqrt_floor(c * q0 ** (P - 1)), b


def _parts0(x, alpha, rho, P, quad):
    """Energy, right-hand sides ``(n, q0)`` and ``m`` at ``x = (n, q0, mu)``, one pass."""
    nbar, q0, mu = x
    Y, wY = quad[0], quad[1]
    s, sd0, b = _s_sd0_b(x, alpha, rho, P, quad)
    logZ, sgn, sgn2, _ = tilted_averages(s, sd0, b, mu)
    E = (
        -jnp.sum(wY * logZ) / mu
        + 0.5 * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P
        + alpha * factorial(P) / 8.0 * mu * (P - 1) * (1.0 - q0**P)
    )
    rho = jnp.asarray(rho)
    n_new = jnp.sum(wY * (1.0 + jnp.sqrt(rho) * Y) * sgn) / (1.0 + rho)
    return E, n_new, jnp.sum(wY * sgn2), jnp.sum(wY * sgn)


def energy0(x, alpha, rho, P, quad):
    """1RSB ground-state energy per neuron at ``x = (n, q0, mu)``, ``mu = beta theta``."""
    return _parts0(x, alpha, rho, P, quad)[0]


def averages0(x, alpha, rho, P, quad):
    """T = 0 right-hand sides ``(n, q0)`` and ``m``."""
    return _parts0(x, alpha, rho, P, quad)[1:]


def energy0_rs(nbar, alpha, rho, P, quad):
    """RS ground-state energy ``-E|s + sqrt(c) z| + ((P-1)/2)(1+rho)^(P/2) n^P`` (closed form)."""
    Y, wY = quad[0], quad[1]
    c = crosstalk(alpha, P)
    s = _signal(nbar, rho, Y, P)
    sd = sqrt_floor(c)
    mean_abs = s * (2.0 * ndtr(s / sd) - 1.0) + sd * jnp.sqrt(2.0 / jnp.pi) * jnp.exp(
        -0.5 * (s / sd) ** 2
    )
    return -jnp.sum(wY * mean_abs) + 0.5 * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P


# ------------------------------------------------------------------------ the model (engine)
def _ev_T(x, beta, alpha, rho, *, P, quad):
    """(A, fixed-point map, residual, m) at T > 0, for the engine."""
    A, rhs, dth, m = evaluate(x, beta, alpha, rho, P, quad)
    G = jnp.stack([*rhs, x[3]])
    R = jnp.stack([x[0] - rhs[0], x[1] - rhs[1], x[2] - rhs[2], dth / beta**2])
    return A, G, R, m


def _ev_0(x, alpha, rho, *, P, quad):
    """(-E, fixed-point map, residual, m) at T = 0, ``x = (n, q0, mu)``."""
    # one forward pass for every part and dE/dmu (see theory.rsb.ags._ev_0)
    (E, n_new, q0_new, m), (dE, *_) = jax.jvp(
        lambda mu: _parts0(x.at[2].set(mu), alpha, rho, P, quad), (x[2],), (jnp.ones_like(x[2]),)
    )
    G = jnp.stack([n_new, q0_new, x[2]])
    return -E, G, jnp.stack([x[0] - n_new, x[1] - q0_new, dE]), m


def _raw_T(S, beta, alpha, rho, *, P, branch, quad, n_fp=engine.N_FP, n_nt=engine.N_NT):
    """Candidates at fixed theta = S (n_grid, n_scan): (x, A, residual, m)."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    return engine.raw_candidates(
        functools.partial(_ev_T, P=P, quad=quad), S, (beta, alpha, rho),
        y_rs=[0, 0, glassy, 1.0], y_b=[0, fn * (1 - 1e-3), 1 - 1e-9, 0], scan_slot=3,
        rs_map=engine.RS_T, rs_mask=[fn, 0, glassy, 0], mask=[fn, fn * glassy, glassy, 0],
        lo=[0, 0, 0, engine.THETA_MIN], hi=[1, 1, 1, 1], fn=fn, n_fp=n_fp, n_nt=n_nt,
    )


def _raw_0(S, alpha, rho, *, P, branch, quad, n_fp=engine.N_FP, n_nt=engine.N_NT):
    """Candidates at fixed mu = S, T = 0: (x, -E, residual, m), ``x = (n, q0, mu)``."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    return engine.raw_candidates(
        functools.partial(_ev_0, P=P, quad=quad), S, (alpha, rho),
        y_rs=[0, 0, 1.0], y_b=[0, fn * (1 - 1e-3), 0], scan_slot=2,
        rs_map=engine.RS_0, rs_mask=[fn, 0, 0], mask=[fn, fn * glassy, 0],
        lo=[0, 0, 1e-6], hi=[1, 1, 1e4], fn=fn, n_fp=n_fp, n_nt=n_nt,
    )


class DenseModel:
    """The P >= 4 model for :mod:`theory.rsb.engine` (see :class:`engine.Model`)."""

    raw_T, raw_0 = staticmethod(_raw_T), staticmethod(_raw_0)
    finish_T, finish_0 = staticmethod(engine.finish_T), staticmethod(engine.finish_0)
    gap_T, gap_0 = staticmethod(engine.gap_T), staticmethod(engine.gap_0)

    @staticmethod
    def scan_T(beta, n, retrieval):
        lo = np.clip(0.3 / beta, 2e-3, 0.05)
        return np.geomspace(lo, 0.98 + 0 * lo, n, axis=1)

    @staticmethod
    def scan_0(alpha, n, retrieval):
        return np.broadcast_to(np.geomspace(0.05, 60.0, n), (alpha.shape[0], n))
