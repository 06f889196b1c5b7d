"""One-step RSB of the classic pairwise Hopfield model (P = 2, AGS), after Crisanti, Amit and
Gutfreund (1986), in the normalisation of docs/models.md §3.1 and §5.3 (``H = -(N/2) sum m^2``,
``K = alpha N``). Unlike P >= 4, the uncondensed patterns leave the "soft" Gaussian glass term
``-(alpha/2) ln det(1 - beta Q)``. With a Parisi matrix ``Q`` (``q1`` in blocks of size
``theta``, ``q0`` outside) its eigenvalues give

    lambda1 = 1 - beta (1 - q1),    lambda2 = lambda1 - beta theta (q1 - q0)
    r1 = (q1 - q0)/(lambda1 lambda2) + q0/lambda2^2,    r0 = q0/lambda2^2
    h = beta [n (1 + sqrt(rho) Y) + sqrt(alpha r0) z0 + sqrt(alpha (r1 - r0)) z1]
    A = -(beta/2)(1+rho) n^2 - (alpha/2)[(1 - 1/theta) ln lambda1 + (1/theta) ln lambda2
        - beta q0/lambda2] - (alpha beta^2/2)[r1 (1 - q1) + theta (r1 q1 - r0 q0)]
        + ln 2 + (1/theta) E_{Y,z0} ln E_{z1} cosh^theta h

(the r's solve dA/dq = 0; q1 = E<tanh^2 h>, q0 = E<tanh h>^2 solve dA/dr = 0). At theta = 1
or q0 = q1 this is the AGS RS free energy. At T = 0 (``q1 -> 1``, ``C = beta (1 - q1)`` and
``mu = beta theta`` fixed): ``lambda1 = 1 - C``, ``lambda2 = 1 - C - mu (1 - q0)`` and

    E = (1+rho) n^2/2 + (alpha/2)[(ln lambda2 - ln lambda1)/mu - q0/lambda2 + C r1
        + mu (r1 - r0 q0)] - (1/mu) E ln E_{z1} exp(mu |a + b z1|),
    C = E[2 phi(a/b) / (b E_{z1} exp(mu |a + b z1|))]

with ``a = n (1 + sqrt(rho) Y) + sqrt(alpha r0) z0``, ``b = sqrt(alpha (r1 - r0))``.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from theory._gaussian import LOG2, kink_rule, log_cosh, tilted_averages
from theory._gaussian import sqrt_floor as safe_sqrt
from theory.rsb import engine


def _lambdas_r(q0, q1, beta_theta, beta_1mq1):
    lam1 = 1.0 - beta_1mq1
    lam2 = lam1 - beta_theta * (q1 - q0)
    r0 = q0 / lam2**2
    r1 = (q1 - q0) / (lam1 * lam2) + r0
    return lam1, lam2, r0, r1



def field_averages(nbar, theta, beta, alpha, rho, r0, r1, quad):
    """The field averages of the P = 2 1RSB pressure (shared with the unsupervised model).

    The field is ``H = s + b0 z0 + b1 z1`` with ``s = n (1 + sqrt(rho) Y)``,
    ``b0 = sqrt(alpha r0)``, ``b1 = sqrt(alpha (r1 - r0))``. Returns the outer weights ``W``
    over (Y, z0), ``inner = ln E_z1 cosh^theta(beta H)`` and the theta-tilted averages of
    ``tanh``, ``tanh^2`` and ``ln cosh`` over z1.
    """
    Y, wY, t0, t1 = quad
    s = nbar * (1.0 + jnp.sqrt(rho) * Y)
    b0, b1 = safe_sqrt(alpha * r0), safe_sqrt(alpha * (r1 - r0))
    a, w0 = kink_rule(s, b0 + 0.0 * s, b1 + 1.0 / beta + 0.0 * s, t0)
    H, w1 = kink_rule(a, b1 + 0.0 * a, 1.0 / beta + 0.0 * a, t1, 9.0 + theta * beta * b1)
    W = wY[:, None] * w0
    lc = log_cosh(beta * H)
    inner = jax.scipy.special.logsumexp(theta * lc, b=w1, axis=-1)
    wt = w1 * jnp.exp(theta * lc - inner[..., None])
    t = jnp.tanh(beta * H)
    t1_, t2_, lcm = (jnp.sum(wt * f, axis=-1) for f in (t, t * t, lc))
    return W, inner, t1_, t2_, lcm


def fixed_point_map(x, W, t1_, t2_, dA, beta, rho, quad):
    """``(G, R, m)``: the fixed-point map of (n, q0, q1), the residual (``x - G`` and
    ``dA/dtheta / beta``) and the overlap m, from the field averages."""
    nbar, q0, q1, theta = x
    Y = quad[0]
    n_new = jnp.sum(W * (1.0 + jnp.sqrt(rho) * Y)[:, None] * t1_) / (1.0 + rho)
    q0_new, q1_new = jnp.sum(W * t1_**2), jnp.sum(W * t2_)
    G = jnp.stack([n_new, q0_new, q1_new, theta])
    R = jnp.stack([nbar - n_new, q0 - q0_new, q1 - q1_new, dA / beta])
    return G, R, jnp.sum(W * t1_)


# ------------------------------------------------------------------------------------ T > 0
def _ev_T(x, beta, alpha, rho, *, quad):
    """(A, fixed-point map, residual, m) at ``x = (n, q0, q1, theta)``."""
    nbar, q0, q1, theta = x
    lam1, lam2, r0, r1 = _lambdas_r(q0, q1, beta * theta, beta * (1.0 - q1))
    ok = (lam1 > 0) & (lam2 > 0)
    lam1, lam2 = jnp.where(ok, lam1, jnp.nan), jnp.where(ok, lam2, jnp.nan)
    W, inner, t1_, t2_, lcm = field_averages(nbar, theta, beta, alpha, rho, r0, r1, quad)
    logdet = (1.0 - 1.0 / theta) * jnp.log(lam1) + jnp.log(lam2) / theta - beta * q0 / lam2
    A = (
        -0.5 * beta * (1.0 + rho) * nbar**2
        - 0.5 * alpha * logdet
        - 0.5 * alpha * beta**2 * (r1 * (1.0 - q1) + theta * (r1 * q1 - r0 * q0))
        + LOG2
        + jnp.sum(W * inner) / theta
    )
    dlogdet = (jnp.log(lam1) - jnp.log(lam2)) / theta**2 - beta * (q1 - q0) / (theta * lam2)
    dlogdet = dlogdet - beta**2 * q0 * (q1 - q0) / lam2**2
    dA = (
        -0.5 * alpha * dlogdet
        - 0.5 * alpha * beta**2 * (r1 * q1 - r0 * q0)
        + jnp.sum(W * (lcm / theta - inner / theta**2))
    )
    G, R, m = fixed_point_map(x, W, t1_, t2_, dA, beta, rho, quad)
    return A, G, R, m


def pressure(x, beta, alpha, rho, quad):
    """1RSB pressure ``A = -beta f`` of the P = 2 model at ``x = (n, q0, q1, theta)``."""
    return _ev_T(jnp.asarray(x), beta, alpha, rho, quad=quad)[0]


# ------------------------------------------------------------------------------------ T = 0
def energy0_parts(x, alpha, rho, quad):
    """Energy, ``(n, q0, C)`` right-hand sides and ``m`` at ``x = (n, q0, C, mu)``, T = 0.

    ``q0 = 1`` is the RS limit, evaluated in closed form (the inner width ``b`` vanishes).
    """
    nbar, q0, C, mu = x
    Y, wY = quad[0], quad[1]
    g = 1.0 + jnp.sqrt(rho) * Y
    s = nbar * g
    lam1, lam2, r0, r1 = _lambdas_r(q0, 1.0, mu, C)
    ok = (lam1 > 0) & (lam2 > 0)
    lam1, lam2 = jnp.where(ok, lam1, jnp.nan), jnp.where(ok, lam2, jnp.nan)
    kin = 0.5 * (1.0 + rho) * nbar**2
    rs = q0 >= 1.0
    # broken: closed-form inner average (theory._gaussian.tilted_averages)
    b = jnp.maximum(safe_sqrt(alpha * (r1 - r0)), 1e-150)
    logZ, sgn, sgn2, dens = tilted_averages(s, safe_sqrt(alpha * r0), b, mu)
    glass = (jnp.log(lam2) - jnp.log(lam1)) / mu - q0 / lam2 + C * r1 + mu * (r1 - r0 * q0)
    E_b = kin + 0.5 * alpha * glass - jnp.sum(wY * logZ) / mu
    n_b = jnp.sum(wY * g * sgn) / (1.0 + rho)
    q0_b, C_b, m_b = jnp.sum(wY * sgn2), jnp.sum(wY * dens), jnp.sum(wY * sgn)
    # RS (AGS T = 0): H = s + sigma z, sigma = sqrt(alpha)/(1 - C)
    sig = jnp.sqrt(alpha) / (1.0 - C)
    erf_ = jax.scipy.special.erf(s / (sig * jnp.sqrt(2.0)))
    gauss = jnp.exp(-0.5 * (s / sig) ** 2) / jnp.sqrt(2.0 * jnp.pi)
    mean_abs = s * erf_ + 2.0 * sig * gauss
    E_rs = kin - 0.5 * alpha / (1.0 - C) + 0.5 * alpha * C / (1.0 - C) ** 2
    E_rs = E_rs - jnp.sum(wY * mean_abs)
    rs_vals = (
        E_rs,
        jnp.sum(wY * g * erf_) / (1.0 + rho),
        1.0,
        jnp.sum(wY * 2.0 * gauss / sig),
        jnp.sum(wY * erf_),
    )
    b_vals = (E_b, n_b, q0_b, C_b, m_b)
    return tuple(jnp.where(rs, u, v) for u, v in zip(rs_vals, b_vals))


def energy0(x, alpha, rho, quad):
    """1RSB ground-state energy per neuron of the P = 2 model at ``x = (n, q0, C, mu)``."""
    return energy0_parts(jnp.asarray(x), alpha, rho, quad)[0]


def _ev_0(x, alpha, rho, *, quad):
    # one forward pass gives every part and dE/dmu (a reverse-mode grad here would trace the
    # energy twice and make the Jacobians taken of this function far larger to compile)
    parts, tangents = jax.jvp(
        lambda mu: energy0_parts(x.at[3].set(mu), alpha, rho, quad), (x[3],), (jnp.ones_like(x[3]),)
    )
    E, n_new, q0_new, C_new, m = parts
    dE = jnp.where(x[1] >= 1.0, 0.0, tangents[0])
    G = jnp.stack([n_new, q0_new, C_new, x[3]])
    return -E, G, jnp.stack([x[0] - n_new, x[1] - q0_new, x[2] - C_new, dE]), m


# ----------------------------------------------------------------------------------- solvers
def _raw_T(S, beta, alpha, rho, *, branch, quad, n_fp=engine.N_FP, n_nt=engine.N_NT):
    """Candidates at fixed theta = S: (x, A, residual, m); x = (n, q0, q1, theta)."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    gap = 1e-3
    # the paramagnet solves no equation: its broken starts must be m = q0 = q1 = 0 (a start
    # with q1 > q0 would be returned unsolved as a "broken solution")
    return engine.raw_candidates(
        functools.partial(_ev_T, quad=quad), S, (beta, alpha, rho),
        y_rs=[0, 0, glassy, 1.0], y_b=[0, fn * (1 - 1e-9 - gap), glassy * (1 - 1e-9), 0],
        scan_slot=3,
        rs_map=engine.RS_T, rs_mask=[fn, 0, glassy, 0], mask=[fn, fn * glassy, glassy, 0],
        lo=[0, 0, 0, engine.THETA_MIN], hi=[1, 1, 1, 1], fn=fn, n_fp=n_fp, n_nt=n_nt,
    )


def _raw_0(S, alpha, rho, *, branch, quad, n_fp=engine.N_FP, n_nt=engine.N_NT):
    """Candidates at fixed mu = S, T = 0: (x, -E, residual, m); x = (n, q0, C, mu)."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    return engine.raw_candidates(
        functools.partial(_ev_0, quad=quad), S, (alpha, rho),
        y_rs=[0, 1.0, 0, 1.0], y_b=[0, fn * (1 - 1e-2), 0, 0], scan_slot=3,
        rs_map=None, rs_mask=[fn, 0, 1.0, 0], mask=[fn, fn * glassy, 1.0, 0],
        lo=[0, 0, 0, 1e-6], hi=[1, 1, 0.999, 1e4], fn=fn, n_fp=n_fp, n_nt=n_nt,
    )


class AGSModel:
    """The P = 2 model for :mod:`theory.rsb.engine`. Scan ranges: lambda2 > 0 needs
    mu (q1 - q0) < 1 - C."""

    raw_T, raw_0 = staticmethod(_raw_T), staticmethod(_raw_0)
    finish_T = staticmethod(engine.finish_T)
    finish_0 = staticmethod(functools.partial(engine.finish_0, mu_col=3))  # x = (n, q0, C, mu)
    gap_T, gap_0 = staticmethod(engine.gap_T), staticmethod(engine.gap_0)

    @staticmethod
    def scan_T(beta, n, retrieval):
        mu_max = 0.9 / 1e-3 if retrieval else 0.95
        hi = np.minimum(mu_max / beta, 0.98)
        # the spin glass breaks with theta ~ 0.01-0.035 at alpha = 0.05 (0.022 at T = 1,
        # 0.013 at T = 0.1: docs/rsb.md), below the retrieval scan's floor 0.05 / beta
        lo = np.minimum(0.05 / beta, 0.5 * hi) if retrieval else np.full_like(hi, 4e-3)
        return np.geomspace(lo, hi, n, axis=1)

    @staticmethod
    def scan_0(alpha, n, retrieval):
        mus = np.geomspace(0.05, 85.0, n) if retrieval else np.geomspace(0.01, 0.95, n)
        return np.broadcast_to(mus, (alpha.shape[0], n))
