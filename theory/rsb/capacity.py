"""The 1RSB retrieval capacity (route A of docs/rsb.md): one broken retrieval solution from
the engine's scan, then the Newton continuation of :mod:`theory.rsb.spinodal` to the fold.

The residuals are the engine models' own stationarity equations (:mod:`theory.rsb.dense`,
:mod:`theory.rsb.ags`): at T > 0 ``x = (n, q0, q1, theta)`` with ``dA/dtheta = 0``; at T = 0
``x = (n, q0, mu)`` (P >= 4) or ``(n, q0, C, mu)`` (P = 2) with ``dE/dmu = 0``.
"""

from __future__ import annotations

import functools
import math

import jax.numpy as jnp
import numpy as np

from theory import _x64
from theory._conventions import is_retrieval
from theory.rsb import ags, dense, engine, spinodal

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


def broken_start(P: int, beta: float, rho: float, alpha: float, n_y: int, n_scan: int = 16):
    """The engine's best broken retrieval candidate at ``alpha``: its raw ``x`` or None."""
    model = ags.AGSModel if P == 2 else dense.DenseModel
    static = {"n_y": n_y, "nodes": NODES} | ({} if P == 2 else {"P": P})
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


def capacity(
    P: int, beta: float, rho: float, alpha_rs: float, *, n_y: int, progress: bool | None = None
) -> tuple[float, np.ndarray | None]:
    """``(alpha_c, x_c)``: the fold of the broken retrieval branch, started from the engine's
    solution at a load near the RS spinodal ``alpha_rs`` (:data:`START`); ``(alpha_rs, None)``
    if no broken retrieval solution is found there (1RSB = RS)."""
    zero = math.isinf(beta)
    for f in START:
        x0 = broken_start(P, beta, rho, f * alpha_rs, n_y)
        if x0 is not None:
            break
    else:
        return alpha_rs, None
    R = residual_fn(P, zero, n_y)
    args = (0.0 if zero else beta, rho)
    return spinodal.fold(
        R, x0, f * alpha_rs, args, progress=progress, desc=f"critical_load(P={P}, level='1RSB')"
    )
