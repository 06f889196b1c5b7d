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

from theory import _x64
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
    central-difference Jacobian (step 1e-6, batched), steps capped at 0.25 in max-norm and
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

    def step(it, state):
        y, _, _, _ = state
        pts = y[None] + steps[:, None, None, :]
        g, _, R, m = evaluate(pts)
        J = jnp.moveaxis((R[:d] - R[d : 2 * d]) * mask_nt / 2e-6, 0, -1)  # (..., eq, var)
        eye = jnp.eye(d) * (1.0 - mask_nt)[..., None, :]
        Jm = J * mask_nt[..., :, None] * mask_nt[..., None, :] + eye
        newton_dy = jnp.linalg.solve(Jm, (R[-1] * mask_nt)[..., None])[..., 0]
        # fixed-point phase: y <- G(y) = y - R on the fixed-point rows (scan coordinate held)
        dy = jnp.where(it < n_fp, R[-1] * mask_fp, newton_dy)
        dy = jnp.where(jnp.all(jnp.isfinite(dy), axis=-1, keepdims=True), dy, 0.0)
        big = jnp.maximum(jnp.max(jnp.abs(dy), -1, keepdims=True), 1e-300)
        dy = dy * jnp.where(it < n_fp, 1.0, jnp.minimum(1.0, 0.25 / big))
        res = jnp.max(jnp.abs(R[-1] * mask_nt), axis=-1)
        return jnp.clip(y - dy, lo, hi), g[-1], res, m[-1]

    zeros = jnp.zeros(Y0.shape[:-1])
    y, g, res, m = jax.lax.fori_loop(0, n_fp + n_nt, step, (Y0, zeros, zeros, zeros))
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
def _a_b(x, alpha, rho, P, quad):
    """Outer nodes ``a`` (nY, n0), their weights, and the inner width ``b``."""
    nbar, q0, _ = x
    Y, wY, t0, _ = quad
    c = alpha * P * math.factorial(P) / 4.0
    s = _signal(nbar, rho, Y, P)
    b = jnp.maximum(safe_sqrt(c * (1.0 - q0 ** (P - 1))), 1e-150)
    sd0 = safe_sqrt(c * q0 ** (P - 1))
    a, w0 = kink_rule(s, sd0 + 0.0 * s, jnp.maximum(b, 1e-4 * sd0) + 0.0 * s, t0)
    return a, b, wY[:, None] * w0


def log_exp_abs(a, b, mu):
    """``ln E_z exp(mu |a + b z|)`` and ``<sign(a + b z)>`` under that tilt, closed form."""
    up = mu * a + log_ndtr(a / b + mu * b)
    dn = -mu * a + log_ndtr(-a / b + mu * b)
    return 0.5 * (mu * b) ** 2 + jnp.logaddexp(up, dn), jnp.tanh(0.5 * (up - dn))


def energy0(x, alpha, rho, P, quad):
    """1RSB ground-state energy per neuron at ``x = (n, q0, mu)``, ``mu = beta theta``."""
    nbar, q0, mu = x
    a, b, W = _a_b(x, alpha, rho, P, quad)
    logZ, _ = log_exp_abs(a, b, mu)
    return (
        -jnp.sum(W * logZ) / mu
        + 0.5 * (P - 1) * (1.0 + rho) ** (0.5 * P) * nbar**P
        + alpha * math.factorial(P) / 8.0 * mu * (P - 1) * (1.0 - q0**P)
    )


def averages0(x, alpha, rho, P, quad):
    """T = 0 right-hand sides ``(n, q0)`` and ``m``."""
    Y = quad[0]
    a, b, W = _a_b(x, alpha, rho, P, quad)
    _, sgn = log_exp_abs(a, b, x[2])
    rho = jnp.asarray(rho)
    n_new = jnp.sum(W * (1.0 + jnp.sqrt(rho) * Y)[:, None] * sgn) / (1.0 + rho)
    return n_new, jnp.sum(W * sgn**2), jnp.sum(W * sgn)


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


def select(x, g, res, m, *, rho, retrieval: bool, gap):
    """Pick RS (candidate 0) or the best broken candidate; returns (x, g, m, converged)."""
    onb = (x[..., 0] * (1.0 + rho[:, None]) > 0.2) if retrieval else jnp.ones(g.shape, bool)
    valid = (res < TOL) & (gap > Q_GAP) & onb & jnp.isfinite(g)
    valid = valid.at[:, 0].set(False)
    k = jnp.argmin(jnp.where(valid, g, jnp.inf), axis=1)
    rows = jnp.arange(g.shape[0])
    rs_ok = res[:, 0] < 1e-8
    rs_onb = rs_ok & onb[:, 0]
    use = valid[rows, k] & (~rs_onb | (g[rows, k] < g[:, 0] - 1e-10))
    pick = jnp.where(use, k, 0)
    return x[rows, pick], g[rows, pick], m[rows, pick], use | rs_ok


def _grid_T(beta, alpha, rho, *, P, branch, quad, n_scan, n_fp=60, n_nt=25):
    retrieval, glassy = branch == "retrieval", float(branch != "paramagnet")
    fn = float(retrieval)
    n0 = jnp.where(retrieval, 1.0 / (1.0 + rho), 0.0)
    ng = beta.shape[0]
    thetas = (
        jnp.concatenate(
            [
                jnp.broadcast_to(
                    jnp.linspace(0.08, 0.92, n_scan - n_scan // 2), (ng, n_scan - n_scan // 2)
                ),
                jnp.clip(
                    jnp.geomspace(0.5, 20.0, n_scan // 2)[None, :] / beta[:, None], 2e-3, 0.95
                ),
            ],
            axis=1,
        )
        if glassy
        else jnp.zeros((ng, 0))
    )
    C = 1 + thetas.shape[1]
    y_rs = jnp.stack([n0, 0 * n0, glassy + 0 * n0, 1.0 + 0 * n0], -1)[:, None]
    y_b = jnp.stack(
        [
            jnp.broadcast_to(n0[:, None], thetas.shape),
            fn * (1 - 1e-3) + 0 * thetas,
            1 - 1e-9 + 0 * thetas,
            thetas,
        ],
        -1,
    )
    Y0 = jnp.concatenate([y_rs, y_b], axis=1)
    A = jnp.concatenate([jnp.asarray(RS_T[0])[None], jnp.broadcast_to(jnp.eye(4), (C - 1, 4, 4))])
    B = jnp.concatenate([jnp.asarray(RS_T[1])[None], jnp.zeros((C - 1, 4))])
    m_rs = jnp.array([fn, 0, glassy, 0])
    m_fp = jnp.concatenate(
        [m_rs[None], jnp.tile(jnp.array([fn, fn * glassy, glassy, 0]), (C - 1, 1))]
    )
    m_nt = m_fp.at[1:, 3].set(glassy)
    ev = functools.partial(_ev_T, P=P, quad=quad)
    x, g, res, m = solve_candidates(
        ev,
        (beta, alpha, rho),
        Y0,
        A,
        B,
        m_fp,
        m_nt,
        jnp.array([0, 0, 0, THETA_MIN]),
        jnp.ones(4),
        n_fp,
        n_nt,
    )
    x, g, m, conv = select(x, g, res, m, rho=rho, retrieval=retrieval, gap=x[..., 2] - x[..., 1])
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


def _grid_0(alpha, rho, *, P, branch, quad, n_scan, n_fp=60, n_nt=25):
    retrieval, glassy = branch == "retrieval", float(branch != "paramagnet")
    fn = float(retrieval)
    n0 = jnp.where(retrieval, 1.0 / (1.0 + rho), 0.0)
    ng = alpha.shape[0]
    mus = jnp.broadcast_to(jnp.geomspace(0.3, 30.0, n_scan), (ng, n_scan))
    mus = mus if glassy else mus[:, :0]
    C = 1 + mus.shape[1]
    y_rs = jnp.stack([n0, 0 * n0, 1.0 + 0 * n0], -1)[:, None]
    y_b = jnp.stack([jnp.broadcast_to(n0[:, None], mus.shape), fn * (1 - 1e-3) + 0 * mus, mus], -1)
    Y0 = jnp.concatenate([y_rs, y_b], axis=1)
    A = jnp.concatenate([jnp.asarray(RS_0[0])[None], jnp.broadcast_to(jnp.eye(3), (C - 1, 3, 3))])
    B = jnp.concatenate([jnp.asarray(RS_0[1])[None], jnp.zeros((C - 1, 3))])
    m_fp = jnp.concatenate(
        [jnp.array([[fn, 0, 0]]), jnp.tile(jnp.array([fn, fn * glassy, 0]), (C - 1, 1))]
    )
    m_nt = m_fp.at[1:, 2].set(glassy)
    ev = functools.partial(_ev_0, P=P, quad=quad)
    x, g, res, m = solve_candidates(
        ev,
        (alpha, rho),
        Y0,
        A,
        B,
        m_fp,
        m_nt,
        jnp.array([0, 0, 1e-6]),
        jnp.array([1, 1, 1e4]),
        n_fp,
        n_nt,
    )
    x, g, m, conv = select(x, g, res, m, rho=rho, retrieval=retrieval, gap=1.0 - x[..., 1])
    rsb = x[:, 1] < 1.0
    return dict(
        m=m,
        n=x[:, 0],
        q=glassy + 0 * m,
        q0=jnp.where(rsb, x[:, 1], glassy),
        q1=glassy + 0 * m,
        theta=0 * m,
        mu=jnp.where(rsb, x[:, 2], 0.0),
        free_energy=-g,
        converged=conv,
    )


@functools.lru_cache(maxsize=32)
def compiled(grid_fn, **static):
    """``jax.jit`` of a grid function with its static settings (cached per setting)."""
    n_y, nodes = static.pop("n_y"), static.pop("nodes")
    quad = quadrature(n_y, nodes, nodes)
    return jax.jit(functools.partial(grid_fn, quad=quad, **static))


def run_grid(grid_T, grid_0, *, beta, alpha, rho, **static) -> dict[str, np.ndarray]:
    """Evaluate ``grid_T`` (finite beta) and ``grid_0`` (beta = inf) over a flattened grid."""
    beta, alpha, rho = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (beta, alpha, rho))
    )
    shape = beta.shape
    b, a, r = beta.ravel(), alpha.ravel(), rho.ravel()
    zero = np.isinf(b)
    out = {k: np.full(b.shape, np.nan) for k in (*KEYS, "mu")}
    out["converged"] = np.zeros(b.shape, dtype=bool)
    with _x64.enabled():
        for mask, fn, args in ((~zero, grid_T, (b, a, r)), (zero, grid_0, (a, r))):
            if not mask.any():
                continue
            f = compiled(fn, **static)
            res = jax.tree.map(np.asarray, f(*(jnp.asarray(v[mask]) for v in args)))
            for k, v in res.items():
                out[k][mask] = v
    return {k: v.reshape(shape) for k, v in out.items()}


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
        _grid_T,
        _grid_0,
        beta=beta,
        alpha=alpha,
        rho=rho,
        P=P,
        branch=branch,
        n_y=16 if protocol == "supervised" else 1,
        nodes=nodes,
        n_scan=n_scan,
    )
