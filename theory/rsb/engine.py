"""The one 1RSB engine: candidate solutions of a model's stationarity equations on a grid,
a scan over the Parisi block size, and the choice of the solution (docs/models.md §5).

A *model* (theory.rsb.dense for P >= 4, theory.rsb.ags for P = 2) implements
:class:`Model`; the engine knows nothing of its equations. At finite beta the unknowns are
``x = (n, q0, q1, theta)`` (P = 2 and P >= 4 alike); at T = 0 each model has its own
coordinates with ``mu = beta theta`` in the last or third slot. For every grid point and
every value ``S`` of the scan coordinate (theta, or mu at T = 0) the engine solves the
equations from an RS start and from broken starts (:func:`solve_candidates`), keeps the
broken candidate that maximises the model's objective (the pressure ``A = -beta f``, or
``-E`` at T = 0; Guerra's bound) and returns it where it beats RS, else the RS candidate.
"""

from __future__ import annotations

import functools
from typing import Protocol

import jax
import jax.numpy as jnp
import numpy as np

from theory import _x64
from theory._conventions import N_BRANCH, is_retrieval
from theory._gaussian import gauss_normal

THETA_MIN = 1e-3  # theta is kept in [THETA_MIN, 1]
Q_GAP = 1e-6  # q1 - q0 below this counts as replica symmetric
TOL = 1e-9  # residual tolerance of the Newton polish
RS_TOL = 1e-8  # residual below which the RS candidate counts as converged
KEYS = ("m", "n", "q", "q0", "q1", "theta", "free_energy", "converged", "residual",
        "iterations")
N_FP, N_NT = 50, 10  # fixed-point sweeps, then Newton steps, per candidate solve


class Model(Protocol):
    """What a 1RSB model gives the engine (all static; arrays are NumPy unless noted).

    ``raw_T(S, beta, alpha, rho, *, branch, quad, **static)`` and
    ``raw_0(S, alpha, rho, *, branch, quad, **static)``
        JAX: solve the candidates at fixed scan values ``S`` (n_grid, n_scan) and return
        ``(x, objective, residual, m)`` with a leading RS candidate (:func:`raw_candidates`).
    ``scan_T(beta, n, retrieval)`` / ``scan_0(alpha, n, retrieval)``
        The scan values (n_grid, n) of theta (finite beta) or mu (T = 0).
    ``gap_T(x)`` / ``gap_0(x)``
        The replica-symmetry-breaking gap of candidates (q1 - q0, or 1 - q0 at T = 0).
    ``finish_T(x, g, m, conv, broken, beta)`` / ``finish_0(x, g, m, conv, broken, glassy)``
        The result dict (:data:`KEYS` and ``mu``) of the chosen candidates.
    """

    raw_T: object
    raw_0: object

    def scan_T(self, beta: np.ndarray, n: int, retrieval: bool) -> np.ndarray: ...
    def scan_0(self, alpha: np.ndarray, n: int, retrieval: bool) -> np.ndarray: ...
    def gap_T(self, x: np.ndarray) -> np.ndarray: ...
    def gap_0(self, x: np.ndarray) -> np.ndarray: ...
    def finish_T(self, x, g, m, conv, broken, beta) -> dict: ...
    def finish_0(self, x, g, m, conv, broken, glassy) -> dict: ...


def quadrature(n_y: int, n0: int, n1: int) -> tuple[jax.Array, ...]:
    """Rules ``(Y, wY, t0, t1)``: Gauss-Hermite for ``Y`` (``n_y = 1``: Y = 0) and uniform
    grids on [0, 1] for the mapped trapezoid rules of ``z0`` and ``z1`` (see :func:`kink_rule`).

    Always float64, whatever the caller's JAX precision (float32 Gauss-Hermite weights summed
    to 1 only to ~1e-8 and moved the P = 2 capacity by 2e-7 for ``n_y = 16``)."""
    Y, wY = gauss_normal(n_y) if n_y > 1 else (np.zeros(1), np.ones(1))
    with _x64.enabled():
        return (jnp.asarray(Y), jnp.asarray(wY), jnp.linspace(0.0, 1.0, n0),
                jnp.linspace(0.0, 1.0, n1))


def solve_candidates(ev, params, Y0, A, B, mask_fp, mask_nt, lo, hi, n_fp: int, n_nt: int):
    """Solve stationarity equations from several candidate starts at every grid point.

    One loop for the whole grid: ``n_fp`` fixed-point sweeps ``y_i <- G_i(x)`` on ``mask_fp``
    (the scan coordinate, e.g. theta, held), then ``n_nt`` Newton steps on ``mask_nt`` with a
    central-difference Jacobian (step 1e-6), steps capped at 0.25 relative and clipped to
    ``[lo, hi]``. A candidate is parametrised by ``y`` with ``x = A y + B`` (this ties
    q0 = q1 for the RS candidate). The model ``ev`` is traced once: every step evaluates it
    at the current points (a fixed-point sweep) or at them and their ``2 d`` displacements,
    one after the other in an inner loop (a Newton step), on arrays of one shape.

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
    # the point itself first, then +h and -h along each coordinate (h = 1e-6)
    steps = jnp.concatenate([jnp.zeros((1, d)), jnp.eye(d), -jnp.eye(d)]) * 1e-6
    per_point = jax.vmap(jax.vmap(ev, in_axes=(0,) + (None,) * len(params)))

    def evaluate(y):  # y (n_grid, C, d) -> g, R, m at x = A y + B
        g, _, R, m = per_point(jnp.einsum("cij,...cj->...ci", A, y) + B, *params)
        return g, R, m

    def fixed_point(y, R):  # y <- G(y) = y - R on the fixed-point rows (scan value held)
        return y - jnp.where(jnp.isfinite(R[0]), R[0] * mask_fp, 0.0)

    def newton(y, R):
        J = jnp.moveaxis((R[1 : d + 1] - R[d + 1 :]) * mask_nt / 2e-6, 0, -1)  # (..., eq, var)
        eye = jnp.eye(d) * (1.0 - mask_nt)[..., None, :]
        Jm = J * mask_nt[..., :, None] * mask_nt[..., None, :] + eye
        dy = jnp.linalg.solve(Jm, (R[0] * mask_nt)[..., None])[..., 0]
        dy = jnp.where(jnp.all(jnp.isfinite(dy), axis=-1, keepdims=True), dy, 0.0)
        rel = jnp.abs(dy) / jnp.maximum(jnp.abs(y), 1.0)  # mu may be O(10-100)
        big = jnp.maximum(jnp.max(rel, -1, keepdims=True), 1e-300)
        return y - dy * jnp.minimum(1.0, 0.25 / big)

    def step(i, state):
        y = state[0]
        is_newton = i >= n_fp

        def one(k, acc):  # the model at the k-th displaced point
            g, R, m = acc
            gk, Rk, mk = evaluate(y + steps[k])
            first = k == 0
            return jnp.where(first, gk, g), R.at[k].set(Rk), jnp.where(first, mk, m)

        R0 = jnp.zeros((2 * d + 1, *y.shape))
        g, R, m = jax.lax.fori_loop(0, jnp.where(is_newton, 2 * d + 1, 1), one,
                                    (state[1], R0, state[3]))
        # a point where the solved equations are undefined (e.g. lambda < 0) is left halfway
        # back towards the last point where they were defined, instead of being held
        defined = jnp.isfinite(g) & jnp.all(
            jnp.isfinite(jnp.where(mask_nt + mask_fp > 0, R[0], 0.0)), axis=-1)
        back = 0.5 * (y + state[4])
        y_ok = jnp.where(defined[..., None], y, state[4])
        y = jnp.where(defined[..., None], jax.lax.cond(is_newton, newton, fixed_point, y, R),
                      back)
        res = jnp.max(jnp.abs(R[0] * mask_nt), axis=-1)
        return jnp.clip(y, lo, hi), g, res, m, y_ok

    zeros = jnp.zeros(Y0.shape[:-1])
    y, g, res, m, _ = jax.lax.fori_loop(0, n_fp + n_nt, step, (Y0, zeros, zeros, zeros, Y0))
    # (g, res, m) belong to the point before the last step; where res < tol that step is
    # below tolerance too, so the stepped point is reported with them
    return jnp.einsum("cij,...cj->...ci", A, y) + B, g, res, m


RS_T = (
    np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]], float),
    np.array([0, 0, 0, 1.0]),
)  # x = (n, q, q, 1) from y
RS_0 = (np.diag([1.0, 0, 0]), np.array([0, 1.0, 1.0]))  # x = (n, 1, 1): q0 = 1 is RS at T = 0


def candidate_starts(S, n0, fn, y_rs, y_b, scan_slot):
    """Initial points (n_grid, 1 + n_scan, d): the RS candidate, then one per scan value."""
    ng, ns = S.shape
    Yb = jnp.broadcast_to(jnp.asarray(y_b), (ng, ns, len(y_b)))
    Yb = Yb.at[..., 0].set(n0[:, None] * fn).at[..., scan_slot].set(S)
    Yr = jnp.broadcast_to(jnp.asarray(y_rs), (ng, 1, len(y_rs))).at[..., 0].set(n0[:, None] * fn)
    return jnp.concatenate([Yr, Yb], axis=1)


def raw_candidates(ev, S, params, *, y_rs, y_b, scan_slot, rs_map, rs_mask, mask, lo, hi,
                   fn, n_fp=N_FP, n_nt=N_NT):
    """Candidates of one model at fixed scan values ``S``: the RS candidate (``x = A y + B``
    with ``rs_map = (A, B)``, or the identity) and one broken candidate per scan value.

    ``params`` are the per-point arrays ``ev`` takes, the dataset entropy ``rho`` last (it
    sets the starting overlap 1/(1+rho), times ``fn``: 1 on the retrieval branch, else 0);
    ``rs_mask`` / ``mask`` select the equations solved for the RS / broken candidates.
    """
    d = len(y_rs)
    n0 = 1.0 / (1.0 + params[-1])
    Y0 = candidate_starts(S, n0, fn, y_rs, y_b, scan_slot)
    C = Y0.shape[1]
    A_rs, B_rs = rs_map if rs_map is not None else (np.eye(d), np.zeros(d))
    A = jnp.concatenate([jnp.asarray(A_rs)[None], jnp.broadcast_to(jnp.eye(d), (C - 1, d, d))])
    B = jnp.concatenate([jnp.asarray(B_rs)[None], jnp.zeros((C - 1, d))])
    masks = jnp.concatenate([jnp.asarray([rs_mask], float), jnp.tile(jnp.asarray(mask, float),
                                                                       (C - 1, 1))])
    lo, hi = jnp.asarray(lo, float), jnp.asarray(hi, float)
    return solve_candidates(ev, params, Y0, A, B, masks, masks, lo, hi, n_fp, n_nt)


def scan_solve(raw, params, S, *, rho, retrieval: bool, gap_fn, n_pass: int = 5):
    """Minimise the objective over the scan coordinate by nested geometric grids.

    Each pass solves every candidate at fixed scan value; the next pass zooms on the two grid
    intervals around the best broken candidate. Returns NumPy ``(x, g, m, converged, broken,
    residual)`` for the chosen candidate (RS = candidate 0 unless a broken one lowers the
    objective); ``residual`` is the candidate's max masked residual.
    """
    S = np.asarray(S, dtype=float)
    for p in range(n_pass):
        x, g, res, m = (np.asarray(v) for v in raw(jnp.asarray(S), *params))
        gap = gap_fn(x)
        onb = (
            is_retrieval(n=x[..., 0], rho=rho[:, None], threshold=N_BRANCH)
            if retrieval
            else np.ones(g.shape, bool)
        )
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
    rs_ok = res[:, 0] < RS_TOL
    rs_onb = rs_ok & onb[:, 0]
    use = valid[rows, k] & (~rs_onb | (g[rows, k] < g[:, 0] - 1e-10))
    pick = np.where(use, k, 0)
    return x[rows, pick], g[rows, pick], m[rows, pick], use | rs_ok, use, res[rows, pick]


def finish_T(x, g, m, conv, broken, beta):
    """Finite-beta outputs from candidates ``x = (n, q0, q1, theta)``."""
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


def finish_0(x, g, m, conv, broken, glassy, mu_col=2):
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


def gap_T(x):
    """q1 - q0 of finite-beta candidates."""
    return x[..., 2] - x[..., 1]


def gap_0(x):
    """1 - q0 of T = 0 candidates (q1 = 1)."""
    return 1.0 - x[..., 1]


MAX_BUCKET = 64  # larger grids run in chunks of this size (no new program per grid size)


def bucket(k: int) -> int:
    """Padded size for a chunk of ``k <= MAX_BUCKET`` points: the next of 4, 8, 16, 32, 64
    (at most five compiled programs per static setting, whatever the grid size)."""
    return min(MAX_BUCKET, max(4, 1 << (int(k) - 1).bit_length()))


def chunks(k: int):
    """Index ranges of at most :data:`MAX_BUCKET` points covering ``range(k)``."""
    return (slice(i, min(i + MAX_BUCKET, k)) for i in range(0, k, MAX_BUCKET))


@functools.lru_cache(maxsize=32)
def compiled(raw_fn, **static):
    """``jax.jit`` of a candidate solver with its static settings (cached per setting)."""
    n_y, nodes = static.pop("n_y"), static.pop("nodes")
    quad = quadrature(n_y, nodes, nodes)
    return jax.jit(functools.partial(raw_fn, quad=quad, **static))


def _padded(params, k):
    """``params`` padded to ``bucket(k)`` points by repeating the last one."""
    return tuple(np.pad(p, (0, bucket(k) - k), mode="edge") for p in params)


def rs_candidate(model, which: str, params, **static) -> tuple[np.ndarray, ...]:
    """The RS candidate alone (no scan) at flat points: ``(x, objective, residual, m)``.

    ``which`` is ``"T"`` (params beta, alpha, rho) or ``"0"`` (alpha, rho)."""
    f = compiled(model.raw_T if which == "T" else model.raw_0, **static)
    params = tuple(np.ravel(p) for p in params)
    parts = []
    with _x64.enabled():
        for part in chunks(params[0].size):
            k = part.stop - part.start
            ps = _padded(tuple(p[part] for p in params), k)
            out = f(jnp.zeros((ps[0].size, 0)), *map(jnp.asarray, ps))
            parts.append([np.asarray(v)[:k, 0] for v in out])
    return tuple(np.concatenate(v) for v in zip(*parts))


def _solve_chunk(model, which, params, *, branch, n_scan, static):
    """The chosen candidates at ``k <= MAX_BUCKET`` points (padded to :func:`bucket`)."""
    k = params[0].size
    params = _padded(params, k)
    retrieval = branch == "retrieval"
    if which == "T":
        S = model.scan_T(params[0], n_scan, retrieval)
        f, gap = compiled(model.raw_T, branch=branch, **static), model.gap_T
    else:
        S = model.scan_0(params[0], n_scan, retrieval)
        f, gap = compiled(model.raw_0, branch=branch, **static), model.gap_0
    chosen = scan_solve(
        f, tuple(map(jnp.asarray, params)), S, rho=params[-1], retrieval=retrieval, gap_fn=gap
    )
    return tuple(v[:k] for v in chosen)


def run_grid(model, *, beta, alpha, rho, branch, n_scan, **static) -> dict[str, np.ndarray]:
    """Solve over a flattened grid: finite beta with ``model.raw_T``, beta = inf with
    ``model.raw_0``; the scan ranges and result layout come from ``model``. The points run
    in chunks of at most :data:`MAX_BUCKET`, each padded to a :func:`bucket` size (repeating
    its last point) so that one compiled program serves every grid size."""
    beta, alpha, rho = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (beta, alpha, rho))
    )
    shape = beta.shape
    b, a, r = beta.ravel(), alpha.ravel(), rho.ravel()
    zero = np.isinf(b)
    out = {k: np.full(b.shape, np.nan) for k in (*KEYS, "mu")}
    out["converged"] = np.zeros(b.shape, dtype=bool)
    # every candidate takes the same fixed number of steps (theory.rsb.engine.solve_candidates)
    out["iterations"] = np.full(b.shape, N_FP + N_NT, dtype=np.int64)
    glassy = float(branch != "paramagnet")
    n_scan = n_scan if glassy else 1
    if not r.any():  # without data noise (rho = 0) the Y average is trivial: one node
        static["n_y"] = 1
    with _x64.enabled():
        for sel, params, which in ((~zero, (b, a, r), "T"), (zero, (a, r), "0")):
            idx = np.flatnonzero(sel)
            for part in chunks(idx.size):
                at = idx[part]
                ps = tuple(p[at] for p in params)
                *chosen, residual = _solve_chunk(
                    model, which, ps, branch=branch, n_scan=n_scan, static=static
                )
                res = model.finish_T(*chosen, ps[0]) if which == "T" else model.finish_0(
                    *chosen, glassy
                )
                for key, v in res.items():
                    out[key][at] = v
                out["residual"][at] = residual
    return {k: v.reshape(shape) for k, v in out.items()}
