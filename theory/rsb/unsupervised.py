"""One-step RSB of the unsupervised protocol (docs/models.md §2, §4.2-4.3; docs/rsb.md
"Unsupervised learning at 1RSB"): the network stores every example, ``H = -(N/2) R^(-P/2)
sum_mu (1/M) sum_a (eta^(mu a) . sigma / N)^P`` with ``R = r^2 (1 + rho)``.

**P = 2.** The M example overlaps of one uncondensed class are Gaussian with a covariance
(divided by M R) of eigenvalue 1 (the class mean, multiplicity 1) and ``eps = rho/(1+rho)``
(multiplicity ``g = M - 1``). An eigenvalue ``lam`` acts like a pairwise pattern at inverse
temperature ``beta lam``, so each mode adds the Crisanti-Amit-Gutfreund log-determinant of
``1 - beta lam Q`` over the Parisi matrix ``Q``. With ``l1(lam) = 1 - beta lam (1 - q1)``,
``l2(lam) = l1 - beta lam theta (q1 - q0)`` and the sums ``S[.] = sum_lam g_lam (.)``:

    L = S[(1 - 1/theta) ln l1 + (1/theta) ln l2 - beta lam q0/l2]
    r1 = S[lam^2 ((q1 - q0)/(l1 l2) + q0/l2^2)],    r0 = S[lam^2 q0/l2^2]
    h = beta [n (1 + sqrt(rho) Y) + sqrt(alpha r0) z0 + sqrt(alpha (r1 - r0)) z1]
    A = -(beta/2)(1+rho) n^2 - (alpha/2) L - (alpha beta^2/2)[r1 (1 - q1) + theta (r1 q1 - r0 q0)]
        + ln 2 + (1/theta) E_{Y,z0} ln E_{z1} cosh^theta h

(the r's solve dA/dq = 0; q1 = E<tanh^2 h>, q0 = E<tanh h>^2, n = E[(1 + sqrt(rho) Y)
<tanh h>]/(1+rho) and dA/dtheta = 0). The condensed class carries the supervised signal, as in
the RS theory (docs/models.md §4.3). ``theta = 1`` or ``q0 = q1`` gives that RS theory, M = 1 or
``rho = 0`` the model of :mod:`theory.rsb.ags`. At T = 0 (``C = beta (1 - q1)``, ``mu = beta
theta``): ``l1 = 1 - lam C``, ``l2 = l1 - lam mu (1 - q0)`` and

    E = (1+rho) n^2/2 + (alpha/2) S[(ln l2 - ln l1)/mu - lam q0/l2]
        + (alpha/2)[C r1 + mu (r1 - r0 q0)] - (1/mu) E ln E_{z1} exp(mu |a + b z1|).

**P >= 4.** The cross-talk of the uncondensed classes is a Gaussian field of covariance
``(alpha_eff P!/4) q^P`` with ``alpha_eff = alpha (1 + rho_P)/(1 + rho)^P``,
``rho_P = (1 - r^(2P))/(M r^(2P))`` (same example and distinct examples of one class), so the
1RSB functional is that of :mod:`theory.rsb.dense` at ``alpha_eff`` (:func:`alpha_eff`).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from theory._gaussian import LOG2, tilted_averages
from theory._gaussian import sqrt_floor as safe_sqrt
from theory.rsb import engine
from theory.rsb.ags import AGSModel, field_averages, fixed_point_map
from theory.rsb.capacity import fold_from_start, scan_start
from theory.rsb.dense import DenseModel


def alpha_eff(alpha, r, M, P: int):
    """Load of the hebbian/supervised dense model with the same cross-talk (P >= 3):
    ``alpha (1 + rho_P)/(1 + rho)^P``; ``rho_P = (1 - r^(2P))/(M r^(2P))``, ``rho`` the
    dataset entropy ``(1 - r^2)/(M r^2)`` (docs/models.md §4.2)."""
    r, M = np.asarray(r, dtype=float), np.asarray(M, dtype=float)
    rho = (1.0 - r**2) / (M * r**2)
    rho_P = (1.0 - r ** (2 * P)) / (M * r ** (2 * P))
    return np.asarray(alpha, dtype=float) * (1.0 + rho_P) / (1.0 + rho) ** P


def _modes(rho, g_eps):
    """(eigenvalue, multiplicity) of the example-overlap covariance of one class."""
    return ((1.0, 1.0), (rho / (1.0 + rho), g_eps))


def _glass(q0, q1, b_theta, b_1mq1, rho, g_eps):
    """Sums over the modes ``S[ln l1], S[ln l2], S[lam/l2], S[lam^2 q0 (q1 - q0)/l2^2], r0,
    r1`` with ``b_theta = beta theta`` (mu at T = 0) and ``b_1mq1 = beta (1 - q1)`` (C); NaN
    where ``l1`` or ``l2`` of the ``lam = 1`` mode is not positive (the ``eps < 1`` modes are
    then positive too)."""
    out = [0.0] * 6
    for lam, g in _modes(rho, g_eps):
        l1 = 1.0 - lam * b_1mq1
        l2 = l1 - lam * b_theta * (q1 - q0)
        ok = (l1 > 0) & (l2 > 0)
        l1, l2 = jnp.where(ok, l1, jnp.nan), jnp.where(ok, l2, jnp.nan)
        terms = (
            jnp.log(l1), jnp.log(l2), lam / l2, lam**2 * q0 * (q1 - q0) / l2**2,
            lam**2 * q0 / l2**2, lam**2 * ((q1 - q0) / (l1 * l2) + q0 / l2**2),
        )
        out = [o + g * t for o, t in zip(out, terms)]
    return out


# ------------------------------------------------------------------------------------ T > 0
def evaluate(x, beta, alpha, rho, g_eps, quad):
    """``(A, fixed-point map, residual, m)`` at ``x = (n, q0, q1, theta)``; P = 2 with the
    ``g_eps = M - 1`` example modes of eigenvalue ``rho/(1+rho)``. ``A = -beta f`` is the
    pressure per neuron; the residual is ``x - G(x)`` for (n, q0, q1) and ``dA/dtheta / beta``."""
    nbar, q0, q1, theta = x
    ln1, ln2, il2, dq, r0, r1 = _glass(q0, q1, beta * theta, beta * (1.0 - q1), rho, g_eps)
    W, inner, t1_, t2_, lcm = field_averages(nbar, theta, beta, alpha, rho, r0, r1, quad)
    logdet = (1.0 - 1.0 / theta) * ln1 + ln2 / theta - beta * q0 * il2
    A = (
        -0.5 * beta * (1.0 + rho) * nbar**2
        - 0.5 * alpha * logdet
        - 0.5 * alpha * beta**2 * (r1 * (1.0 - q1) + theta * (r1 * q1 - r0 * q0))
        + LOG2
        + jnp.sum(W * inner) / theta
    )
    dlogdet = (ln1 - ln2) / theta**2 - beta * (q1 - q0) * il2 / theta - beta**2 * dq
    dA = (
        -0.5 * alpha * dlogdet
        - 0.5 * alpha * beta**2 * (r1 * q1 - r0 * q0)
        + jnp.sum(W * (lcm / theta - inner / theta**2))
    )
    G, R, m = fixed_point_map(x, W, t1_, t2_, dA, beta, rho, quad)
    return A, G, R, m


def pressure(x, beta, alpha, rho, M, quad):
    """1RSB pressure ``A = -beta f`` of the unsupervised P = 2 model at ``x = (n, q0, q1,
    theta)``; ``M`` examples per class, dataset entropy ``rho`` (``quad``:
    :func:`theory.rsb.engine.quadrature`)."""
    return evaluate(jnp.asarray(x), beta, alpha, rho, M - 1.0, quad)[0]


# ------------------------------------------------------------------------------------ T = 0
def energy0_parts(x, alpha, rho, g_eps, quad):
    """Energy, ``(n, q0, C)`` right-hand sides and ``m`` at ``x = (n, q0, C, mu)``, T = 0.

    ``q0 = 1`` is the RS limit, in closed form: ``E = (1+rho) n^2/2 - (alpha/2) S[lam/(1 -
    lam C)] + (alpha/2) C r - E|s + sigma z|`` with ``r = sigma^2/alpha = S[lam^2/(1 - lam C)^2]``.
    """
    nbar, q0, C, mu = x
    Y, wY = quad[0], quad[1]
    g = 1.0 + jnp.sqrt(rho) * Y
    s = nbar * g
    ln1, ln2, il2, _, r0, r1 = _glass(q0, 1.0, mu, C, rho, g_eps)
    kin = 0.5 * (1.0 + rho) * nbar**2
    rs = q0 >= 1.0
    b = jnp.maximum(safe_sqrt(alpha * (r1 - r0)), 1e-150)
    logZ, sgn, sgn2, dens = tilted_averages(s, safe_sqrt(alpha * r0), b, mu)
    glass = (ln2 - ln1) / mu - q0 * il2 + C * r1 + mu * (r1 - r0 * q0)
    E_b = kin + 0.5 * alpha * glass - jnp.sum(wY * logZ) / mu
    b_vals = (E_b, jnp.sum(wY * g * sgn) / (1.0 + rho), jnp.sum(wY * sgn2), jnp.sum(wY * dens),
              jnp.sum(wY * sgn))
    # RS: q0 = q1 = 1, the sums at mu (1 - q0) = 0
    _, _, il, _, _, r = _glass(1.0, 1.0, 0.0, jnp.minimum(C, 1.0 - 1e-12), rho, g_eps)
    sig = safe_sqrt(alpha * r)
    erf_ = jax.scipy.special.erf(s / (sig * jnp.sqrt(2.0)))
    gauss = jnp.exp(-0.5 * (s / sig) ** 2) / jnp.sqrt(2.0 * jnp.pi)
    mean_abs = s * erf_ + 2.0 * sig * gauss
    E_rs = kin - 0.5 * alpha * il + 0.5 * alpha * C * r - jnp.sum(wY * mean_abs)
    rs_vals = (E_rs, jnp.sum(wY * g * erf_) / (1.0 + rho), 1.0, jnp.sum(wY * 2.0 * gauss / sig),
               jnp.sum(wY * erf_))
    return tuple(jnp.where(rs, u, v) for u, v in zip(rs_vals, b_vals))


def energy0(x, alpha, rho, M, quad):
    """1RSB ground-state energy per neuron of the unsupervised P = 2 model at
    ``x = (n, q0, C, mu)`` (``C = beta (1 - q1)``, ``mu = beta theta``)."""
    return energy0_parts(jnp.asarray(x), alpha, rho, M - 1.0, quad)[0]


def _ev_0(x, alpha, rho, g_eps, quad):
    parts, tangents = jax.jvp(
        lambda mu: energy0_parts(x.at[3].set(mu), alpha, rho, g_eps, quad), (x[3],),
        (jnp.ones_like(x[3]),),
    )
    E, n_new, q0_new, C_new, m = parts
    dE = jnp.where(x[1] >= 1.0, 0.0, tangents[0])
    G = jnp.stack([n_new, q0_new, C_new, x[3]])
    return -E, G, jnp.stack([x[0] - n_new, x[1] - q0_new, x[2] - C_new, dE]), m


# ----------------------------------------------------------------------------------- solvers
def _raw_T(S, beta, alpha, rho, *, g_eps, branch, quad, n_fp=engine.N_FP, n_nt=engine.N_NT):
    """Candidates at fixed theta = S: (x, A, residual, m); x = (n, q0, q1, theta)."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    gap = 1e-3
    ev = functools.partial(_ev_T_static, g_eps=g_eps, quad=quad)
    # the paramagnet solves no equation: its broken starts must be m = q0 = q1 = 0 (a start
    # with q1 > q0 would be returned unsolved as a "broken solution"; as in theory.rsb.ags)
    return engine.raw_candidates(
        ev, S, (beta, alpha, rho),
        y_rs=[0, 0, glassy, 1.0], y_b=[0, fn * (1 - 1e-9 - gap), glassy * (1 - 1e-9), 0],
        scan_slot=3,
        rs_map=engine.RS_T, rs_mask=[fn, 0, glassy, 0], mask=[fn, fn * glassy, glassy, 0],
        lo=[0, 0, 0, engine.THETA_MIN], hi=[1, 1, 1, 1], fn=fn, n_fp=n_fp, n_nt=n_nt,
    )


def _ev_T_static(x, beta, alpha, rho, *, g_eps, quad):
    return evaluate(x, beta, alpha, rho, g_eps, quad)


def _ev_0_static(x, alpha, rho, *, g_eps, quad):
    return _ev_0(x, alpha, rho, g_eps, quad)


def _raw_0(S, alpha, rho, *, g_eps, branch, quad, n_fp=engine.N_FP, n_nt=engine.N_NT):
    """Candidates at fixed mu = S, T = 0: (x, -E, residual, m); x = (n, q0, C, mu)."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    ev = functools.partial(_ev_0_static, g_eps=g_eps, quad=quad)
    return engine.raw_candidates(
        ev, S, (alpha, rho),
        y_rs=[0, 1.0, 0, 1.0], y_b=[0, fn * (1 - 1e-2), 0, 0], scan_slot=3,
        rs_map=None, rs_mask=[fn, 0, 1.0, 0], mask=[fn, fn * glassy, 1.0, 0],
        lo=[0, 0, 0, 1e-6], hi=[1, 1, 0.999, 1e4], fn=fn, n_fp=n_fp, n_nt=n_nt,
    )


class UnsupervisedAGSModel:
    """The unsupervised P = 2 model for :mod:`theory.rsb.engine` (see :class:`engine.Model`);
    static setting ``g_eps`` (= M - 1: one compiled program per value). The scan ranges are
    those of :class:`theory.rsb.ags.AGSModel` (the ``lam = 1`` mode sets the bounds)."""

    raw_T, raw_0 = staticmethod(_raw_T), staticmethod(_raw_0)
    finish_T = staticmethod(engine.finish_T)
    finish_0 = staticmethod(functools.partial(engine.finish_0, mu_col=3))  # x = (n, q0, C, mu)
    gap_T, gap_0 = staticmethod(engine.gap_T), staticmethod(engine.gap_0)
    scan_T, scan_0 = staticmethod(AGSModel.scan_T), staticmethod(AGSModel.scan_0)


def solve(*, P: int, beta, alpha, rho, r, M, branch: str, nodes: int = 64,
          n_scan: int = 8) -> dict[str, np.ndarray]:
    """1RSB order parameters and free energy of the unsupervised protocol on a grid.

    Parameters
    ----------
    P : int
        Even interaction order: 2 runs :class:`UnsupervisedAGSModel` (one compiled program per
        distinct ``M``), ``P >= 4`` the dense model at :func:`alpha_eff`.
    beta, alpha, rho, r, M : array_like, broadcast together
        Inverse temperature (``inf``: T = 0), load ``K = alpha N^(P-1)`` (classes), dataset
        entropy, example quality and examples per class; ``rho = (1 - r^2)/(M r^2)`` wherever
        ``alpha > 0`` (at ``alpha = 0`` only ``rho`` matters: give ``r = M = 1``).
    branch, nodes, n_scan
        As in :func:`theory.rsb.solve_1rsb` (16 Gauss-Hermite nodes for the data variable Y).

    Returns
    -------
    dict of ndarray
        The keys of :data:`theory.rsb.engine.KEYS` and ``mu``, of the broadcast shape.
    """
    beta, alpha, rho, r, M = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (beta, alpha, rho, r, M))
    )
    static = {"n_y": 16, "nodes": nodes}
    if P != 2:
        return engine.run_grid(DenseModel, beta=beta, alpha=alpha_eff(alpha, r, M, P), rho=rho,
                               branch=branch, n_scan=n_scan, P=P, **static)
    out: dict[str, np.ndarray] = {}
    for m_value in np.unique(M):
        sel = M == m_value
        part = engine.run_grid(UnsupervisedAGSModel, beta=beta[sel], alpha=alpha[sel],
                               rho=rho[sel], branch=branch, n_scan=n_scan,
                               g_eps=float(m_value) - 1.0, **static)
        for k, v in part.items():
            out.setdefault(k, np.zeros(M.shape, dtype=v.dtype))[sel] = v
    return out


# ---------------------------------------------------------------------------------- capacity
@functools.lru_cache(maxsize=4)
def _residual(zero: bool, nodes: int = 64):
    """``R(x, alpha, beta, rho, g_eps)`` of the P = 2 model (``g_eps`` traced: every M shares
    the compiled Newton solver of :func:`theory.rsb.spinodal.fold`)."""
    quad = engine.quadrature(16, nodes, nodes)
    if zero:
        return lambda x, a, b, r, g: _ev_0(x, a, r, g, quad)[2]
    return lambda x, a, b, r, g: evaluate(x, b, a, r, g, quad)[2]


def _broken_start(beta: float, rho: float, alpha: float, g_eps: float, n_scan: int = 16):
    """The engine's best broken retrieval candidate of the P = 2 model at ``alpha``, or None."""
    static = {"n_y": 16, "nodes": 64, "g_eps": g_eps}
    return scan_start(UnsupervisedAGSModel, static, beta, rho, alpha, n_scan)


def critical_load(P: int, *, r: float, M: float, T: float = 0.0,
                  progress: bool | None = None) -> float:
    """Largest load at which the 1RSB retrieval solution of the unsupervised protocol exists.

    ``P >= 4``: the supervised 1RSB capacity at ``rho`` divided by ``alpha_eff/alpha``.
    ``P = 2``: the fold of the broken retrieval branch of :class:`UnsupervisedAGSModel`
    (:func:`theory.rsb.spinodal.fold`), started from the engine's solution near the RS
    spinodal (loads 0.999, 1.01, 1.05 times it); the RS spinodal where none is found there.
    Inputs are validated by the caller (:func:`theory.critical_load`).
    """
    from theory.critical import critical_point  # RS spinodal (imports theory.rsb lazily)
    from theory.rsb import critical_load_1rsb

    rho = (1.0 - r * r) / (M * r * r)
    if P != 2:
        factor = float(alpha_eff(1.0, r, M, P))
        return critical_load_1rsb(P, rho=rho, protocol="supervised", T=T,
                                  progress=progress) / factor
    if math.isinf(T):
        return 0.0
    beta = 1.0 / T if T > 0 else math.inf
    alpha_rs = critical_point(2, protocol="unsupervised", r=r, M=M, T=T)[0]
    zero = math.isinf(beta)
    return fold_from_start(lambda a: _broken_start(beta, rho, a, M - 1.0), _residual(zero),
                           (0.0 if zero else beta, rho, M - 1.0), alpha_rs,
                           "critical_load(P=2, protocol='unsupervised', level='1RSB')",
                           progress)[0]  # fmt: skip
