"""One-step replica symmetry breaking (1RSB) for dense Hebbian networks, P >= 4.

Notation of ``theory/MODELS.md`` §4.2 and §5: ``H = -(N/2) sum_mu m_mu^P``, ``K = alpha N^(P-1)``,
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
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp, ndtr

from theory import _validate, _x64
from theory._quadrature import gauss_normal

LOG2 = math.log(2.0)
THETA_MIN = 1e-3  # theta is kept in [THETA_MIN, 1]
Q_GAP = 1e-6  # q1 - q0 below this counts as replica symmetric
TOL = 1e-9  # residual tolerance of the Newton polish
KEYS = ("m", "n", "q", "q0", "q1", "theta", "free_energy", "converged")


# ----------------------------------------------------------------------------- small utilities
def log_cosh(x: jax.Array) -> jax.Array:
    """``ln cosh x`` without overflow."""
    ax = jnp.abs(x)
    return ax + jnp.log1p(jnp.exp(-2.0 * ax)) - LOG2


def safe_sqrt(x: jax.Array) -> jax.Array:
    """``sqrt(max(x, 0))`` with a finite derivative at 0."""
    return jnp.sqrt(jnp.maximum(x, 1e-300))


def log_ndtr(x: jax.Array) -> jax.Array:
    return jax.scipy.special.log_ndtr(x)


def quadrature(n_y: int, n0: int, n1: int) -> tuple[jax.Array, ...]:
    """Rules ``(Y, wY, t0, t1)``: Gauss-Hermite for ``Y`` (``n_y = 1``: Y = 0) and uniform
    grids on [0, 1] for the mapped trapezoid rules of ``z0`` and ``z1`` (see :func:`kink_rule`)."""
    Y, wY = gauss_normal(n_y) if n_y > 1 else (np.zeros(1), np.ones(1))
    return (jnp.asarray(Y), jnp.asarray(wY), jnp.linspace(0.0, 1.0, n0), jnp.linspace(0.0, 1.0, n1))


def kink_rule(mean, sd, eps, t, L=9.0):
    """Nodes and weights for ``E f(X)``, ``X ~ N(mean, sd^2)``, resolving a transition of width
    ``eps`` at ``X = 0`` (a tanh, sign or |X| of the local field).

    ``X = eps sinh(u)`` with ``u`` uniform between the images of ``mean -/+ L sd``: the trapezoid
    rule in ``u`` is spectrally accurate for smooth integrands and puts nodes where the
    integrand bends, which Gauss-Hermite does not. Weights are normalised to sum 1.
    ``mean``, ``sd``, ``eps`` (and the half-width ``L`` in units of ``sd``; widen it by the
    tilt ``mu sd`` for averages weighted by ``exp(mu |X|)``) broadcast; the node axis is last.
    """
    sd = jnp.maximum(sd, 1e-9 * (jnp.abs(mean) + eps))
    eps = jnp.maximum(eps, sd / 16.0)  # finer transitions cost accuracy in the bulk
    lo = jnp.arcsinh((mean - L * sd) / eps)[..., None]
    hi = jnp.arcsinh((mean + L * sd) / eps)[..., None]
    u = lo + (hi - lo) * t
    X = eps[..., None] * jnp.sinh(u)
    end = jnp.where((t == 0.0) | (t == 1.0), jnp.log(0.5), 0.0)
    logw = -0.5 * ((X - mean[..., None]) / sd[..., None]) ** 2 + jnp.log(jnp.cosh(u)) + end
    return X, jax.nn.softmax(logw, axis=-1)


def solve_candidates(ev, params, Y0, A, B, mask_fp, mask_nt, lo, hi, n_fp: int, n_nt: int):
    """Solve stationarity equations from several candidate starts at every grid point.

    One loop for the whole grid: ``n_fp`` fixed-point sweeps ``y_i <- G_i(x)`` on ``mask_fp``
    (the scan coordinate, e.g. theta, held), then ``n_nt`` Newton steps on ``mask_nt`` with a
    central-difference Jacobian (step 1e-6, batched), steps capped at 0.25 relative and
    clipped to ``[lo, hi]``. A candidate is parametrised by ``y`` with ``x = A y + B`` (this
    ties q0 = q1 for the RS candidate).

    Parameters
    ----------
    ev : callable ``ev(x, *p) -> (g, G, R, m)``
        Objective (minimised by the caller's choice), fixed-point map, residual (shape ``(d,)``
        each) and the Mattis overlap, for one point.
    params : tuple of arrays, shape (n_grid,)
    Y0 : array (n_grid, C, d); A : (C, d, d); B, mask_fp, mask_nt : (C, d); lo, hi : (d,)

    Returns
    -------
    x, g, res, m : arrays (n_grid, C, d), (n_grid, C), (n_grid, C), (n_grid, C)
        Solution, objective, max masked residual and m at the last evaluated point.
    """
    d = Y0.shape[-1]
    steps = jnp.concatenate([jnp.eye(d), -jnp.eye(d), jnp.zeros((1, d))]) * 1e-6

    def to_x(y):
        return jnp.einsum("cij,...cj->...ci", A, y) + B

    def evaluate(y):  # y (..., n_grid, C, d) with params broadcast over leading axes
        x = to_x(y)
        f = ev
        for _ in range(y.ndim - 1):
            f = jax.vmap(f, in_axes=(0,) + (0,) * len(params))
        shp = y.shape[:-1]
        ps = tuple(jnp.broadcast_to(p.reshape((1,) * (y.ndim - 3) + (-1, 1)), shp) for p in params)
        return f(x, *ps)

    def fp_step(_, state):  # y <- G(y) = y - R on the fixed-point rows (scan value held)
        y = state[0]
        g, _, R, m = evaluate(y)
        dy = jnp.where(jnp.isfinite(R), R * mask_fp, 0.0)
        return jnp.clip(y - dy, lo, hi), g, jnp.max(jnp.abs(R * mask_nt), axis=-1), m

    def nt_step(_, state):
        y = state[0]
        pts = y[None] + steps[:, None, None, :]
        g, _, R, m = evaluate(pts)
        J = jnp.moveaxis((R[:d] - R[d : 2 * d]) * mask_nt / 2e-6, 0, -1)  # (..., eq, var)
        eye = jnp.eye(d) * (1.0 - mask_nt)[..., None, :]
        Jm = J * mask_nt[..., :, None] * mask_nt[..., None, :] + eye
        dy = jnp.linalg.solve(Jm, (R[-1] * mask_nt)[..., None])[..., 0]
        dy = jnp.where(jnp.all(jnp.isfinite(dy), axis=-1, keepdims=True), dy, 0.0)
        rel = jnp.abs(dy) / jnp.maximum(jnp.abs(y), 1.0)  # mu may be O(10-100)
        big = jnp.maximum(jnp.max(rel, -1, keepdims=True), 1e-300)
        dy = dy * jnp.minimum(1.0, 0.25 / big)
        res = jnp.max(jnp.abs(R[-1] * mask_nt), axis=-1)
        return jnp.clip(y - dy, lo, hi), g[-1], res, m[-1]

    zeros = jnp.zeros(Y0.shape[:-1])
    state = jax.lax.fori_loop(0, n_fp, fp_step, (Y0, zeros, zeros, zeros))
    y, g, res, m = jax.lax.fori_loop(0, n_nt, nt_step, state)
    # (g, res, m) belong to the point before the last step; where res < tol that step is
    # below tolerance too, so the stepped point is reported with them
    return to_x(y), g, res, m


# ------------------------------------------------------------------ the P >= 4 functional, T > 0
def _signal(nbar, rho, Y, P):
    return 0.5 * P * (1.0 + rho) ** (0.5 * P - 1.0) * nbar ** (P - 1) * (1.0 + jnp.sqrt(rho) * Y)


def _fields(x, beta, alpha, rho, P, quad):
    """Local fields ``h / beta`` on the (Y, z0, z1) nodes and the outer weights (nY, n0)."""
    nbar, q0, q1, theta = x
    Y, wY, t0, t1 = quad
    c = alpha * P * math.factorial(P) / 4.0
    s = _signal(nbar, rho, Y, P)
    b0 = safe_sqrt(c * q0 ** (P - 1))
    b1 = safe_sqrt(c * (q1 ** (P - 1) - q0 ** (P - 1)))
    a, w0 = kink_rule(s, b0 + 0.0 * s, b1 + 1.0 / beta + 0.0 * s, t0)  # (nY, n0)
    H, w1 = kink_rule(a, b1 + 0.0 * a, 1.0 / beta + 0.0 * a, t1, 9.0 + theta * beta * b1)
    return H, w1, wY[:, None] * w0


def _spin(x, beta, alpha, rho, P, quad):
    """``E ln E_z1 cosh^theta h`` (nY, n0), the tilted ``<ln cosh h>``, ``<tanh h>``,
    ``<tanh^2 h>`` and the outer weights."""
    theta = x[3]
    H, w1, W = _fields(x, beta, alpha, rho, P, quad)
    lc = log_cosh(beta * H)
    inner = logsumexp(theta * lc, b=w1, axis=-1)
    wt = w1 * jnp.exp(theta * lc - inner[..., None])
    t = jnp.tanh(beta * H)
    avg = [jnp.sum(wt * f, axis=-1) for f in (lc, t, t * t)]
    return inner, *avg, W


def _glass(x, beta, alpha, P):
    nbar, q0, q1, theta = x
    return (beta**2 * alpha * math.factorial(P) / 8.0) * (
        1.0 - P * q1 ** (P - 1) + (P - 1) * q1**P - theta * (P - 1) * (q1**P - q0**P)
    )


def pressure(x, beta, alpha, rho, P, quad):
    """1RSB pressure ``A = -beta f`` at ``x = (n, q0, q1, theta)`` (MODELS.md §5)."""
    nbar, theta = x[0], x[3]
    inner, _, _, _, W = _spin(x, beta, alpha, rho, P, quad)
    kin = -0.5 * beta * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P
    return LOG2 + jnp.sum(W * inner) / theta + kin + _glass(x, beta, alpha, P)


def averages(x, beta, alpha, rho, P, quad):
    """Right-hand sides ``(n, q0, q1)`` of the 1RSB equations and ``m``."""
    Y = quad[0]
    _, _, t1, t2, W = _spin(x, beta, alpha, rho, P, quad)
    n_new = jnp.sum(W * (1.0 + jnp.sqrt(rho) * Y)[:, None] * t1) / (1.0 + rho)
    return n_new, jnp.sum(W * t1**2), jnp.sum(W * t2), jnp.sum(W * t1)


def dA_dtheta(x, beta, alpha, rho, P, quad):
    """``dA/dtheta = E[<ln cosh h>/theta - ln Z/theta^2] - (beta^2 alpha P!/8)(P-1)(q1^P-q0^P)``."""
    q0, q1, theta = x[1], x[2], x[3]
    inner, lc, _, _, W = _spin(x, beta, alpha, rho, P, quad)
    return jnp.sum(W * (lc / theta - inner / theta**2)) - (
        beta**2 * alpha * math.factorial(P) / 8.0
    ) * (P - 1) * (q1**P - q0**P)


def residual(x, beta, alpha, rho, P, quad):
    """Stationarity equations: ``x[:3] - rhs`` and ``dA/dtheta``."""
    n_new, q0_new, q1_new, _ = averages(x, beta, alpha, rho, P, quad)
    dtheta = dA_dtheta(x, beta, alpha, rho, P, quad) / beta**2
    return jnp.stack([x[0] - n_new, x[1] - q0_new, x[2] - q1_new, dtheta])


# ------------------------------------------------------------------ the P >= 4 functional, T = 0
_GL = np.polynomial.legendre.leggauss(64)


def log_exp_abs(a, b, mu):
    """``ln E_z exp(mu |a + b z|)`` and ``<sign(a + b z)>`` under that tilt, closed form."""
    up = mu * a + log_ndtr(a / b + mu * b)
    dn = -mu * a + log_ndtr(-a / b + mu * b)
    return 0.5 * (mu * b) ** 2 + jnp.logaddexp(up, dn), jnp.tanh(0.5 * (up - dn))


def tilted_averages(s, sd0, b, mu):
    """Averages over ``a ~ N(s, sd0^2)`` of the T = 0 inner quantities, all of shape ``s``:
    ``E ln Z``, ``E <sign>``, ``E <sign>^2`` and ``E[2 phi(a/b)/(b Z)]``, where
    ``Z(a) = E_z exp(mu |a + b z|)`` and ``<.>`` is the average tilted by ``exp(mu |a + b z|)``.

    Each quantity is split into its ``b -> 0`` limit (``mu |a| + mu^2 b^2/2``, ``sign a``, 1, 0),
    averaged over ``a`` in closed form with normal CDFs, plus a correction that vanishes for
    ``|a| >> b``; the correction is integrated by Gauss-Legendre on the window where it lives
    intersected with the bulk of the Gaussian, split at ``a = 0``: no quadrature ever straddles
    the kink of ``|a|`` or the jump of ``sign a``.
    """
    sd = jnp.maximum(sd0, 1e-300)
    u = s / sd
    erf_u = jax.scipy.special.erf(u / math.sqrt(2.0))
    phi_u = jnp.exp(-0.5 * u**2) / math.sqrt(2.0 * math.pi)
    mean_abs = s * erf_u + 2.0 * sd * phi_u
    W = jnp.minimum(b * (mu * b + 8.0), jnp.maximum(18.0 / mu, 8.0 * b))

    def corrections(a):
        logZ, sgn = log_exp_abs(a, b, mu)
        d_logZ = logZ - mu * jnp.abs(a) - 0.5 * (mu * b) ** 2
        dens = 2.0 * jnp.exp(-0.5 * (a / b) ** 2 - logZ) / (b * math.sqrt(2.0 * math.pi))
        return jnp.stack([d_logZ, sgn - jnp.sign(a), sgn**2 - 1.0, dens])

    # corrections jump (sign) or kink (|a|) at a = 0: Gauss-Legendre on each side of 0, over
    # the part of the window [-W, W] where the Gaussian of a has mass
    xg, wg = (jnp.asarray(v) for v in _GL)
    lo = jnp.maximum(-W, s - 10.0 * sd)[..., None]
    hi = jnp.minimum(W, s + 10.0 * sd)[..., None]
    c = 0.0
    for left, right in ((lo, jnp.minimum(hi, 0.0)), (jnp.maximum(lo, 0.0), hi)):
        half = 0.5 * jnp.maximum(right - left, 0.0)
        aa = 0.5 * (left + right) + half * xg
        dens = jnp.exp(-0.5 * ((aa - s[..., None]) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
        w = wg * half * dens
        c = c + jnp.sum(corrections(aa) * w, axis=-1)
    c = jnp.where(sd0 > 1e-12 * W, c, corrections(s))  # a = s exactly
    return (
        mu * mean_abs + 0.5 * (mu * b) ** 2 + c[0],
        erf_u + c[1],
        1.0 + c[2],
        c[3],
    )


def _s_sd0_b(x, alpha, rho, P, quad):
    nbar, q0, _ = x
    c = alpha * P * math.factorial(P) / 4.0
    s = _signal(nbar, rho, quad[0], P)
    b = jnp.maximum(safe_sqrt(c * (1.0 - q0 ** (P - 1))), 1e-150)
    return s, safe_sqrt(c * q0 ** (P - 1)), b


def energy0(x, alpha, rho, P, quad):
    """1RSB ground-state energy per neuron at ``x = (n, q0, mu)``, ``mu = beta theta``."""
    nbar, q0, mu = x
    s, sd0, b = _s_sd0_b(x, alpha, rho, P, quad)
    logZ = tilted_averages(s, sd0, b, mu)[0]
    return (
        -jnp.sum(quad[1] * logZ) / mu
        + 0.5 * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P
        + alpha * math.factorial(P) / 8.0 * mu * (P - 1) * (1.0 - q0**P)
    )


def averages0(x, alpha, rho, P, quad):
    """T = 0 right-hand sides ``(n, q0)`` and ``m``."""
    Y, wY = quad[0], quad[1]
    s, sd0, b = _s_sd0_b(x, alpha, rho, P, quad)
    _, sgn, sgn2, _ = tilted_averages(s, sd0, b, x[2])
    rho = jnp.asarray(rho)
    n_new = jnp.sum(wY * (1.0 + jnp.sqrt(rho) * Y) * sgn) / (1.0 + rho)
    return n_new, jnp.sum(wY * sgn2), jnp.sum(wY * sgn)


def residual0(x, alpha, rho, P, quad):
    n_new, q0_new, _ = averages0(x, alpha, rho, P, quad)
    dmu = jax.grad(lambda mu: energy0(x.at[2].set(mu), alpha, rho, P, quad))(x[2])
    return jnp.stack([x[0] - n_new, x[1] - q0_new, dmu])


def energy0_rs(nbar, alpha, rho, P, quad):
    """RS ground-state energy ``-E|s + sqrt(c) z| + ((P-1)/2)(1+rho)^(P/2) n^P`` (closed form)."""
    Y, wY = quad[0], quad[1]
    c = alpha * P * math.factorial(P) / 4.0
    s = _signal(nbar, rho, Y, P)
    sd = safe_sqrt(c)
    mean_abs = s * (2.0 * ndtr(s / sd) - 1.0) + sd * jnp.sqrt(2.0 / jnp.pi) * jnp.exp(
        -0.5 * (s / sd) ** 2
    )
    return -jnp.sum(wY * mean_abs) + 0.5 * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P


def rs_n0(nbar, alpha, rho, P, quad):
    """RS T = 0 right-hand side ``(n, m)``: ``E[(1+sqrt(rho)Y) erf(s/sqrt(2c))]/(1+rho)``."""
    Y, wY = quad[0], quad[1]
    c = alpha * P * math.factorial(P) / 4.0
    g = 2.0 * ndtr(_signal(nbar, rho, Y, P) / safe_sqrt(c)) - 1.0
    return jnp.sum(wY * (1.0 + jnp.sqrt(rho) * Y) * g) / (1.0 + rho), jnp.sum(wY * g)


# ------------------------------------------------------------------------------- solvers
def _ev_T(x, beta, alpha, rho, *, P, quad):
    """(A, fixed-point map, residual, m) at T > 0 from one pass over the nodes."""
    nbar, q0, q1, theta = x
    Y = quad[0]
    inner, lc, t1, t2, W = _spin(x, beta, alpha, rho, P, quad)
    n_new = jnp.sum(W * (1.0 + jnp.sqrt(rho) * Y)[:, None] * t1) / (1.0 + rho)
    q0_new, q1_new = jnp.sum(W * t1**2), jnp.sum(W * t2)
    A = LOG2 + jnp.sum(W * inner) / theta + _glass(x, beta, alpha, P)
    A = A - 0.5 * beta * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P
    dth = jnp.sum(W * (lc / theta - inner / theta**2)) - (
        beta**2 * alpha * math.factorial(P) / 8.0
    ) * (P - 1) * (q1**P - q0**P)
    G = jnp.stack([n_new, q0_new, q1_new, theta])
    R = jnp.stack([nbar - n_new, q0 - q0_new, q1 - q1_new, dth / beta**2])
    return A, G, R, jnp.sum(W * t1)


def _ev_0(x, alpha, rho, *, P, quad):
    """(-E, fixed-point map, residual, m) at T = 0."""
    n_new, q0_new, m = averages0(x, alpha, rho, P, quad)
    E, dE = jax.value_and_grad(lambda mu: energy0(x.at[2].set(mu), alpha, rho, P, quad))(x[2])
    G = jnp.stack([n_new, q0_new, x[2]])
    return -E, G, jnp.stack([x[0] - n_new, x[1] - q0_new, dE]), m


RS_T = (
    np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]], float),
    np.array([0, 0, 0, 1.0]),
)  # x = (n, q, q, 1) from y
RS_0 = (np.diag([1.0, 0, 0]), np.array([0, 1.0, 1.0]))  # x = (n, 1, 1): q0 = 1 is RS at T = 0


def candidate_starts(S, n0, fn, glassy, y_rs, y_b, scan_slot):
    """Initial points (n_grid, 1 + n_scan, d): the RS candidate, then one per scan value."""
    ng, ns = S.shape
    Yb = jnp.broadcast_to(jnp.asarray(y_b), (ng, ns, len(y_b)))
    Yb = Yb.at[..., 0].set(n0[:, None] * fn).at[..., scan_slot].set(S)
    Yr = jnp.broadcast_to(jnp.asarray(y_rs), (ng, 1, len(y_rs))).at[..., 0].set(n0[:, None] * fn)
    return jnp.concatenate([Yr, Yb], axis=1)


def _raw_T(S, beta, alpha, rho, *, P, branch, quad, n_fp=50, n_nt=10):
    """Candidates at fixed theta = S (n_grid, n_scan): (x, A, residual, m)."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    n0 = 1.0 / (1.0 + rho)
    Y0 = candidate_starts(
        S, n0, fn, glassy, [0, 0, glassy, 1.0], [0, fn * (1 - 1e-3), 1 - 1e-9, 0], 3
    )
    C = Y0.shape[1]
    A = jnp.concatenate([jnp.asarray(RS_T[0])[None], jnp.broadcast_to(jnp.eye(4), (C - 1, 4, 4))])
    B = jnp.concatenate([jnp.asarray(RS_T[1])[None], jnp.zeros((C - 1, 4))])
    mask = jnp.concatenate(
        [
            jnp.array([[fn, 0, glassy, 0]]),
            jnp.tile(jnp.array([fn, fn * glassy, glassy, 0]), (C - 1, 1)),
        ]
    )
    ev = functools.partial(_ev_T, P=P, quad=quad)
    lo, hi = jnp.array([0, 0, 0, THETA_MIN]), jnp.ones(4)
    return solve_candidates(ev, (beta, alpha, rho), Y0, A, B, mask, mask, lo, hi, n_fp, n_nt)


def _raw_0(S, alpha, rho, *, P, branch, quad, n_fp=50, n_nt=10):
    """Candidates at fixed mu = S, T = 0: (x, -E, residual, m)."""
    fn, glassy = float(branch == "retrieval"), float(branch != "paramagnet")
    n0 = 1.0 / (1.0 + rho)
    Y0 = candidate_starts(S, n0, fn, glassy, [0, 0, 1.0], [0, fn * (1 - 1e-3), 0], 2)
    C = Y0.shape[1]
    A = jnp.concatenate([jnp.asarray(RS_0[0])[None], jnp.broadcast_to(jnp.eye(3), (C - 1, 3, 3))])
    B = jnp.concatenate([jnp.asarray(RS_0[1])[None], jnp.zeros((C - 1, 3))])
    mask = jnp.concatenate(
        [jnp.array([[fn, 0, 0]]), jnp.tile(jnp.array([fn, fn * glassy, 0]), (C - 1, 1))]
    )
    ev = functools.partial(_ev_0, P=P, quad=quad)
    lo, hi = jnp.array([0, 0, 1e-6]), jnp.array([1, 1, 1e4])
    return solve_candidates(ev, (alpha, rho), Y0, A, B, mask, mask, lo, hi, n_fp, n_nt)


def scan_solve(raw, params, S, *, rho, retrieval: bool, gap_fn, n_pass: int = 5):
    """Minimise the objective over the scan coordinate by nested geometric grids.

    Each pass solves every candidate at fixed scan value; the next pass zooms on the two grid
    intervals around the best broken candidate. Returns NumPy ``(x, g, m, converged, broken)``
    for the chosen candidate (RS = candidate 0 unless a broken one lowers the objective).
    """
    S = np.asarray(S, dtype=float)
    for p in range(n_pass):
        x, g, res, m = (np.asarray(v) for v in raw(jnp.asarray(S), *params))
        gap = gap_fn(x)
        onb = x[..., 0] * (1.0 + rho[:, None]) > 0.2 if retrieval else np.ones(g.shape, bool)
        valid = (res < TOL) & (gap > Q_GAP) & onb & np.isfinite(g)
        valid[:, 0] = False
        k = np.argmin(np.where(valid, g, np.inf), axis=1)
        if p == n_pass - 1:
            break
        j = np.clip(k - 1, 0, S.shape[1] - 1)
        found = valid[np.arange(len(k)), k]
        lo = S[np.arange(len(j)), np.maximum(j - 1, 0)]
        hi = S[np.arange(len(j)), np.minimum(j + 1, S.shape[1] - 1)]
        zoom = np.geomspace(lo, hi, S.shape[1], axis=1)
        S = np.where(found[:, None], zoom, S)
    rows = np.arange(g.shape[0])
    rs_ok = res[:, 0] < 1e-8
    rs_onb = rs_ok & onb[:, 0]
    use = valid[rows, k] & (~rs_onb | (g[rows, k] < g[:, 0] - 1e-10))
    pick = np.where(use, k, 0)
    return x[rows, pick], g[rows, pick], m[rows, pick], use | rs_ok, use


def _finish_T(x, g, m, conv, broken, beta):
    return dict(
        m=m,
        n=x[:, 0],
        q=x[:, 2],
        q0=x[:, 1],
        q1=x[:, 2],
        theta=x[:, 3],
        mu=beta * x[:, 3],
        free_energy=-g / beta,
        converged=conv,
    )


def _finish_0(x, g, m, conv, broken, glassy, mu_col=2):
    """T = 0 outputs; ``mu`` (= beta theta) is column ``mu_col`` of ``x``."""
    one = np.ones_like(m)
    return dict(
        m=m,
        n=x[:, 0],
        q=glassy * one,
        q0=np.where(broken, x[:, 1], glassy),
        q1=glassy * one,
        theta=0 * m,
        mu=np.where(broken, x[:, mu_col], 0.0),
        free_energy=-g,
        converged=conv,
    )


@functools.lru_cache(maxsize=32)
def compiled(raw_fn, **static):
    """``jax.jit`` of a candidate solver with its static settings (cached per setting)."""
    n_y, nodes = static.pop("n_y"), static.pop("nodes")
    quad = quadrature(n_y, nodes, nodes)
    return jax.jit(functools.partial(raw_fn, quad=quad, **static))


def run_grid(model, *, beta, alpha, rho, branch, n_scan, **static) -> dict[str, np.ndarray]:
    """Solve over a flattened grid: finite beta with ``model.raw_T``, beta = inf with
    ``model.raw_0``; the scan ranges and result layout come from ``model``."""
    beta, alpha, rho = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (beta, alpha, rho))
    )
    shape = beta.shape
    b, a, r = beta.ravel(), alpha.ravel(), rho.ravel()
    zero = np.isinf(b)
    out = {k: np.full(b.shape, np.nan) for k in (*KEYS, "mu")}
    out["converged"] = np.zeros(b.shape, dtype=bool)
    retrieval, glassy = branch == "retrieval", float(branch != "paramagnet")
    n_scan = n_scan if glassy else 1
    with _x64.enabled():
        if (~zero).any():
            bb, aa, rr = b[~zero], a[~zero], r[~zero]
            S = model.scan_T(bb, n_scan, retrieval)
            f = compiled(model.raw_T, branch=branch, **static)
            sel = scan_solve(
                f,
                (jnp.asarray(bb), jnp.asarray(aa), jnp.asarray(rr)),
                S,
                rho=rr,
                retrieval=retrieval,
                gap_fn=model.gap_T,
            )
            for k, v in model.finish_T(*sel, bb).items():
                out[k][~zero] = v
        if zero.any():
            aa, rr = a[zero], r[zero]
            S = model.scan_0(aa, n_scan, retrieval)
            f = compiled(model.raw_0, branch=branch, **static)
            sel = scan_solve(
                f,
                (jnp.asarray(aa), jnp.asarray(rr)),
                S,
                rho=rr,
                retrieval=retrieval,
                gap_fn=model.gap_0,
            )
            for k, v in model.finish_0(*sel, glassy).items():
                out[k][zero] = v
    return {k: v.reshape(shape) for k, v in out.items()}


class _DenseModel:
    """Scan ranges, candidate solvers and result layout of the P >= 4 model."""

    raw_T, raw_0 = staticmethod(_raw_T), staticmethod(_raw_0)
    finish_T, finish_0 = staticmethod(_finish_T), staticmethod(_finish_0)

    @staticmethod
    def scan_T(beta, n, retrieval):
        lo = np.clip(0.3 / beta, 2e-3, 0.05)
        return np.geomspace(lo, 0.98 + 0 * lo, n, axis=1)

    @staticmethod
    def scan_0(alpha, n, retrieval):
        return np.broadcast_to(np.geomspace(0.05, 60.0, n), (alpha.shape[0], n))

    @staticmethod
    def gap_T(x):
        return x[..., 2] - x[..., 1]

    @staticmethod
    def gap_0(x):
        return 1.0 - x[..., 1]


def solve_1rsb(
    *,
    protocol: str,
    P: int,
    beta: np.ndarray,
    alpha: np.ndarray,
    rho: np.ndarray,
    branch: str,
    nodes: int = 64,
    n_scan: int = 8,
) -> dict[str, np.ndarray]:
    """1RSB order parameters and free energy on a grid (inputs already validated).

    Parameters
    ----------
    protocol : {"hebbian", "supervised"}
        "hebbian" stores the patterns directly (``rho`` is ignored, ``n = m``); "supervised"
        uses the class means of the examples, dataset entropy ``rho`` (MODELS.md §4.2).
    P : int
        Even interaction order; ``P = 2`` is dispatched to :mod:`theory.rsb_ags`.
    beta, alpha, rho : ndarray, one common shape
        Inverse temperature (``inf`` is T = 0, solved in closed form), load
        ``K = alpha N^(P-1)``, dataset entropy.
    branch : {"retrieval", "spinglass", "paramagnet"}
        Start from ``m = 1``; or ``m = 0`` with glassy (q > 0) or trivial (q = 0) overlaps.
    nodes : int
        Nodes of the mapped trapezoid rules for z0 and z1 (Gauss-Hermite with 16 for Y).
    n_scan : int
        Starting values of theta (mu at T = 0) tried for the broken solution.

    Returns
    -------
    dict of ndarray, each of the grid shape
        ``m``, ``n`` (class-mean overlap), ``q`` (= ``q1``), ``q0``, ``q1``, ``theta`` (Parisi
        block size, 1 where RS holds, 0 at T = 0), ``mu`` (``beta theta``, finite at T = 0),
        ``free_energy`` (per neuron; the energy at T = 0), ``converged`` (bool).
    """
    if protocol not in ("hebbian", "supervised"):
        raise ValueError(
            f"protocol must be one of 'hebbian', 'supervised' at level='1RSB'; got {protocol!r}."
        )
    if branch not in ("retrieval", "spinglass", "paramagnet"):
        raise ValueError(
            f"branch must be one of 'retrieval', 'spinglass', 'paramagnet'; got {branch!r}."
        )
    if P == 2:
        from theory import rsb_ags

        return rsb_ags.solve_1rsb(
            protocol=protocol, beta=beta, alpha=alpha, rho=rho, branch=branch, nodes=nodes
        )
    rho = np.zeros_like(np.asarray(rho, dtype=float)) if protocol == "hebbian" else rho
    return run_grid(
        _DenseModel,
        beta=beta,
        alpha=alpha,
        rho=rho,
        branch=branch,
        n_scan=n_scan,
        P=P,
        n_y=16 if protocol == "supervised" else 1,
        nodes=nodes,
    )


def critical_load_1rsb(
    P: int, *, rho: float = 0.0, protocol: str = "hebbian", T: float = 0.0, rtol: float = 1e-5
) -> float:
    """Largest load ``alpha`` (``K = alpha N^(P-1)``) at which the 1RSB retrieval solution exists.

    Grid bisection: 8 loads per round on the current bracket; the largest one with a converged
    retrieval solution (``m > 0.5``) and its right neighbour become the next bracket, until
    its relative width is below ``rtol``.

    Parameters
    ----------
    P : int
        Even interaction order (2 = AGS).
    rho : float
        Dataset entropy (``protocol="supervised"``; ignored for "hebbian").
    protocol : {"hebbian", "supervised"}
    T : float
        Temperature; 0 uses the closed-form T = 0 theory.

    Examples
    --------
    >>> 0.1380 < critical_load_1rsb(2) < 0.1385  # doctest: +SKIP
    True
    """
    if protocol not in ("hebbian", "supervised"):
        raise ValueError(
            f"protocol must be one of 'hebbian', 'supervised' at level='1RSB'; got {protocol!r}."
        )
    P = _validate.interaction_order(P)
    T = float(_validate.real_array("T", T, low=0.0, meaning="T is the temperature."))
    beta = np.inf if T == 0 else 1.0 / T
    fact = math.factorial(P) / P
    lo, hi = (0.05, 0.2) if P == 2 else (0.02 / fact, 1.0 / fact)  # Delta in [0.02, 1]
    while hi - lo > rtol * lo:
        alphas = np.linspace(lo, hi, 8)
        out = solve_1rsb(
            protocol=protocol,
            P=P,
            beta=np.full(8, beta),
            alpha=alphas,
            rho=np.full(8, rho),
            branch="retrieval",
            n_scan=16,  # near the spinodal the coarse scan can miss the broken solution
        )
        ok = out["converged"] & (out["m"] > 0.5)
        if not ok[0]:
            lo, hi = lo / 2.0, lo
            continue
        i = int(np.max(np.nonzero(ok)[0]))
        if i == 7:
            lo, hi = hi, 2.0 * hi - lo
            continue
        lo, hi = alphas[i], alphas[i + 1]
    return float(0.5 * (lo + hi))
