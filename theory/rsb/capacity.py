"""The 1RSB retrieval capacity (route A of docs/rsb.md): one broken retrieval solution from
the engine's scan, then the Newton continuation of :mod:`theory.rsb.spinodal` to the fold;
:func:`critical_load_1rsb` is the user's call (``theory.critical_load(level="1RSB")``).

The residuals are the engine models' own stationarity equations (:mod:`theory.rsb.dense`,
:mod:`theory.rsb.ags`): at T > 0 ``x = (n, q0, q1, theta)`` with ``dA/dtheta = 0``; at T = 0
``x = (n, q0, mu)`` (P >= 4) or ``(n, q0, C, mu)`` (P = 2) with ``dE/dmu = 0``.
"""

from __future__ import annotations

import functools
import math

import jax.numpy as jnp
import numpy as np

from theory import _validate, _x64
from theory._conventions import beta_of_T, is_retrieval
from theory.rsb import ags, dense, engine, spinodal
from theory.rsb._solve1rsb import model_of

NODES = 64  # mapped-trapezoid nodes for z0, z1 (T > 0); the T = 0 averages are closed form
START = (0.999, 1.01, 1.05)  # loads (in units of the RS spinodal) tried for a broken start


@functools.lru_cache(maxsize=16)
def residual_fn(P: int, zero: bool, n_y: int, nodes: int = NODES):
    """``R(x, alpha, beta, rho)``: the model's stationarity residuals (one function per
    static setting, so the Newton solver compiles once for it)."""
    quad = engine.quadrature(n_y, nodes, nodes)
    if P == 2:
        if zero:
            return lambda x, a, b, r: ags._ev_0(x, a, r, quad=quad)[2]
        return lambda x, a, b, r: ags._ev_T(x, b, a, r, quad=quad)[2]
    if zero:
        return lambda x, a, b, r: dense._ev_0(x, a, r, P=P, quad=quad)[2]
    return lambda x, a, b, r: dense._ev_T(x, b, a, r, P=P, quad=quad)[2]


def scan_start(model, static: dict, beta: float, rho: float, alpha: float, n_scan: int):
    """The engine's best broken retrieval candidate of ``model`` (an engine model class:
    ``raw_T``/``raw_0``, ``scan_T``/``scan_0``, ``gap_T``/``gap_0``) at ``alpha``: its raw
    ``x``, or None when no converged broken retrieval solution is found. ``static``: the
    model's static settings (``n_y``, ``nodes`` and its own, e.g. ``P``); ``beta = inf`` is
    T = 0; ``n_scan`` start values of the model's retrieval range."""
    zero = math.isinf(beta)
    a, r = np.array([alpha]), np.array([rho])
    with _x64.enabled():
        if zero:
            f = engine.compiled(model.raw_0, branch="retrieval", **static)
            S, params, gap = model.scan_0(a, n_scan, True), (a, r), model.gap_0
        else:
            b = np.array([beta])
            f = engine.compiled(model.raw_T, branch="retrieval", **static)
            S, params, gap = model.scan_T(b, n_scan, True), (b, a, r), model.gap_T
        x, g, m, conv, broken, res = engine.scan_solve(
            f, tuple(map(jnp.asarray, params)), S, rho=r, retrieval=True, gap_fn=gap
        )
    ok = broken[0] and conv[0] and is_retrieval(m=m)[0]
    return np.asarray(x[0]) if ok else None


def broken_start(P: int, beta: float, rho: float, alpha: float, n_y: int, n_scan: int = 16):
    """The engine's best broken retrieval candidate at ``alpha``: its raw ``x`` or None."""
    model = ags.AGSModel if P == 2 else dense.DenseModel
    static = {"n_y": n_y, "nodes": NODES} | ({} if P == 2 else {"P": P})
    return scan_start(model, static, beta, rho, alpha, n_scan)


def fold_from_start(start, R, args: tuple, alpha_rs: float, desc: str,
                    progress: bool | None = None) -> tuple[float, np.ndarray | None]:  # fmt: skip
    """``(alpha_c, x_c)``: the fold of ``R(x, alpha, *args) = 0`` followed from the first
    broken retrieval solution ``start(alpha)`` (raw ``x`` or None) found at the loads
    :data:`START` times the RS spinodal ``alpha_rs``; ``(alpha_rs, None)`` if there is none
    (1RSB = RS). One progress bar (``desc``) covers the start-up scans and the continuation."""
    bar = spinodal.open_bar(progress, desc)
    try:
        for f in START:
            spinodal.note(bar, f"start-up scan at alpha={f * alpha_rs:.6f}")
            x0 = start(f * alpha_rs)
            bar.update()
            if x0 is not None:
                break
        else:
            return alpha_rs, None
        return spinodal.fold(R, x0, f * alpha_rs, args, bar=bar)
    finally:
        bar.close()


def capacity(
    P: int, beta: float, rho: float, alpha_rs: float, *, n_y: int, progress: bool | None = None
) -> tuple[float, np.ndarray | None]:
    """``(alpha_c, x_c)``: the fold of the broken retrieval branch, started from the engine's
    solution at a load near the RS spinodal ``alpha_rs`` (:data:`START`); ``(alpha_rs, None)``
    if no broken retrieval solution is found there (1RSB = RS)."""
    zero = math.isinf(beta)
    return fold_from_start(lambda a: broken_start(P, beta, rho, a, n_y),
                           residual_fn(P, zero, n_y), (0.0 if zero else beta, rho), alpha_rs,
                           f"critical_load(P={P}, level='1RSB')", progress)  # fmt: skip


def critical_load_1rsb(
    P: int,
    *,
    rho: float = 0.0,
    protocol: str = "hebbian",
    T: float = 0.0,
    rtol: float = 1e-5,
    progress: bool | None = None,
) -> float:
    """Largest load ``alpha`` (``K = alpha N^(P-1)``) at which the 1RSB retrieval solution exists.

    The RS spinodal (theory.critical) sets the scale; the engine finds one broken retrieval
    solution near it (:data:`START`) and Newton continuation in the overlap ``n`` follows it
    to the fold, with the Parisi block size (``mu = beta theta`` at T = 0) fixed by its
    stationarity condition (:mod:`theory.rsb.spinodal`). Where no broken retrieval solution
    exists there, the RS spinodal is returned (1RSB = RS).

    Parameters
    ----------
    P : int
        Even interaction order (2 = AGS).
    rho : float
        Dataset entropy (``protocol="supervised"``; ignored for "hebbian").
    protocol : {"hebbian", "supervised"}
    T : float
        Temperature; 0 uses the closed-form T = 0 theory; ``inf`` (no retrieval) gives 0.
    rtol : float
        Accepted for compatibility; the fold is located to ``|d alpha/dn| < 1e-9``, i.e.
        ``alpha_c`` to ~1e-12 for the discretised equations (quadrature error ~1e-8).
    progress : bool or None
        Show the steps -- start-up scans and continuation (tqdm, stderr); None (default): a
        bar appears only if the search takes longer than a second.

    Returns
    -------
    float
        alpha_c (multiply by P!/P for the convention-free Delta_c).

    Examples
    --------
    >>> round(critical_load_1rsb(2), 6)  # Steffan & Kuehn 1994: 0.138186  # doctest: +SKIP
    0.138186
    """
    if protocol not in ("hebbian", "supervised"):
        raise ValueError(
            f"protocol must be one of 'hebbian', 'supervised' at level='1RSB'; got {protocol!r}."
        )
    P = _validate.interaction_order(P)
    T = _validate.scalar_T(T)
    rho = float(_validate.real_array("rho", rho, low=0.0, high=math.inf, high_open=True))
    float(_validate.real_array("rtol", rtol, low=0.0, high=1.0, low_open=True))
    if progress is not None:
        _validate.flag("progress", progress)
    if math.isinf(T):  # infinite temperature: the paramagnet only
        return 0.0
    beta = float(beta_of_T(T))
    from theory.critical import critical_point  # RS spinodal (theory.critical imports us lazily)

    rho = rho if protocol == "supervised" else 0.0
    alpha_rs = critical_point(P, rho=rho, protocol=protocol, T=T)[0]
    # the Y (example-noise) quadrature only matters for rho > 0: one node otherwise, so that
    # supervised at rho = 0 shares hebbian's compiled programs
    n_y = model_of(P, protocol)[1]["n_y"] if rho > 0 else 1
    return capacity(P, beta, rho, alpha_rs, n_y=n_y, progress=progress)[0]
