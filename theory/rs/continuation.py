"""Coarse-to-fine continuation for RS grids: most points start next to their solution.

``theory.solve`` on a large grid (``MIN_POINTS`` or more, an axis of at least
``2 STRIDE`` points) first solves every ``STRIDE``-th point of each axis from the branch's
starting point (the full solver, theory.rs.grid). Every other point starts from the
multilinear interpolation of the coarse solutions at the corners of its cell and takes Newton
steps with the autodiff Jacobian at once (``WARM``: a few iterations, no damped phase). The
warm result is kept where every corner converged on the same side of the retrieval threshold
and the point lands on that side too; points of cells that straddle a transition (a spinodal,
the edge of the spin-glass or paramagnetic solution) start from the interpolation of their
retrieval corners: where Newton converges to a retrieval state the point retrieves; else
they start from the other corners and, where Newton converges to a non-retrieval state, the
retrieval solution is taken not to exist there. Only the points left (and those that do not
converge quickly) are solved from the branch's starting point. Converged values agree with
the point-by-point solve to the solver tolerance; the branch can differ from the
point-by-point answer only within a sliver next to a saddle-node (spinodal), where the
relaxation from m = 1 needs thousands of iterations to decide.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from theory._conventions import N_WARM, is_retrieval
from theory.rs.grid import PASSES, solve_rs_flat

MIN_POINTS = 2048
STRIDE = 8
# (damped, Newton, Newton below) per pass. Pure Newton (no damped phase) keeps little state
# between iterations but x, so splitting its budget over two passes gives nearly the same
# iterates as one pass: the first, in large chunks, stops where most points have converged
# (two Newton steps from an interpolated start), and the
# few stragglers continue in the smallest chunks instead of holding up a whole large chunk
# (a vmapped while-loop runs every lane until the slowest one stops).
WARM = ((np.int32(0), np.int32(2), np.float64(np.inf)),
        (np.int32(0), np.int32(8), np.float64(np.inf)))  # 10 Newton iterations in all
MIXED = ((np.int32(0), np.int32(8), np.float64(np.inf)),
         (np.int32(0), np.int32(12), np.float64(np.inf)))  # 20 in all


def _coarse_axes(shape: tuple[int, ...]) -> list[np.ndarray]:
    return [np.unique(np.r_[np.arange(0, s, STRIDE), s - 1]) for s in shape]


def _cells(shape, axes):
    """Per fine point (flat, row-major) and axis: the cell's lower corner (index into the
    coarse axis) and the interpolation weight of the upper corner."""
    idx = np.meshgrid(*[np.arange(s) for s in shape], indexing="ij")
    lower, weight = [], []
    for k, ax in enumerate(axes):
        i = idx[k].ravel()
        if ax.size == 1:
            lower.append(np.zeros(i.size, dtype=int))
            weight.append(np.zeros(i.size))
            continue
        pos = np.clip(np.searchsorted(ax, i, side="right") - 1, 0, ax.size - 2)
        lower.append(pos)
        weight.append((i - ax[pos]) / (ax[pos + 1] - ax[pos]))
    return lower, weight


def _corner_starts(shape, axes, xc, ok_c, cls_c):
    """Multilinear interpolation of the coarse solutions ``xc`` to every grid point: the start
    ``x0`` from all cell corners, the starts ``xs[c]`` / weights ``ws[c]`` from the converged
    corners of class ``c`` (retrieval or not), whether all corners are converged and of one
    class (``uniform``), and the class of the first corner (``first``)."""
    n = math.prod(shape)
    lower, weight = _cells(shape, axes)
    # interpolated starts: all corners, and the converged corners of either class
    x0 = np.zeros((n, 2))
    xs = {True: np.zeros((n, 2)), False: np.zeros((n, 2))}
    ws = {True: np.zeros(n), False: np.zeros(n)}
    uniform = np.ones(n, dtype=bool)
    first = None
    for bits in itertools.product((0, 1), repeat=len(shape)):
        corner = tuple(lo + b for lo, b in zip(lower, bits))
        w = np.prod([wk if b else 1.0 - wk for wk, b in zip(weight, bits)], axis=0)
        x0 += w[:, None] * xc[corner]
        cls = cls_c[corner]
        first = cls if first is None else first
        uniform &= ok_c[corner] & (cls == first)
        for c in (True, False):
            wc = (w + 1e-12) * (ok_c[corner] & (cls == c))
            xs[c] += wc[:, None] * xc[corner]
            ws[c] += wc
    return x0, xs, ws, uniform, first


def solve_rs_grid(arrays: dict, shape: tuple[int, ...], *, P: int, branch: str,
                  M_max: int = 0, spectrum: bool = False) -> dict:
    """Like :func:`theory.rs.grid.solve_rs_flat` for flat arrays laid out on a row-major grid
    of ``shape`` (keys beta, alpha, rho, r, M), with coarse-to-fine continuation."""
    kw = dict(P=P, branch=branch, M_max=M_max, spectrum=spectrum)
    flat = [np.asarray(arrays[k], dtype=np.float64).ravel() for k in ("beta", "alpha", "rho",
                                                                         "r", "M")]
    n = math.prod(shape)
    if branch == "paramagnet" or n < MIN_POINTS or max(shape) < 2 * STRIDE:
        return solve_rs_flat(*flat, **kw)
    axes = _coarse_axes(shape)
    index = np.arange(n).reshape(shape)
    coarse = index[np.ix_(*axes)].ravel()
    # the coarse points get all but the long last pass: a coarse point that needs it (next to
    # a spinodal, relaxing through the ghost of the saddle-node for ~1000 iterations) would
    # hold up a whole chunk; it is solved like a fine point of a cell across a transition
    cold = solve_rs_flat(*(a[coarse] for a in flat), keep_x=True, passes=PASSES[:-1], **kw)
    cshape = tuple(ax.size for ax in axes)
    xc = cold["x"].reshape(cshape + (2,))
    ok_c = cold["converged"].reshape(cshape)
    cls_c = is_retrieval(n=cold["n"], threshold=N_WARM).reshape(cshape)
    x0, xs, ws, uniform, first = _corner_starts(shape, axes, xc, ok_c, cls_c)
    fine = np.ones(n, dtype=bool)
    fine[coarse] = False
    warm = np.flatnonzero(fine & uniform)
    out = {k: np.empty((n,) + v.shape[1:], dtype=v.dtype) for k, v in cold.items() if k != "x"}
    for k in out:
        out[k][coarse] = cold[k]
    done = np.zeros(n, dtype=bool)
    done[coarse] = cold["converged"]
    if warm.size:
        res = solve_rs_flat(*(a[warm] for a in flat), x0=x0[warm], passes=WARM, **kw)
        good = res["converged"] & (is_retrieval(n=res["n"], threshold=N_WARM) == first[warm])
        for k in out:
            out[k][warm[good]] = res[k][good]
        done[warm[good]] = True
    # cells across a transition: retrieval where Newton from the retrieval corners converges
    # to a retrieval state, else the other solution where Newton from the other corners
    # converges to it; only what is left starts from the branch's starting point
    for c in (True, False):
        pts = np.flatnonzero(~done & (ws[c] > 0))
        if not pts.size:
            continue
        start = xs[c][pts] / ws[c][pts, None]
        res = solve_rs_flat(*(a[pts] for a in flat), x0=start, passes=MIXED, **kw)
        good = res["converged"] & (is_retrieval(n=res["n"], threshold=N_WARM) == c)
        for k in out:
            out[k][pts[good]] = res[k][good]
        done[pts[good]] = True
    rest = np.flatnonzero(~done)
    if rest.size:
        res = solve_rs_flat(*(a[rest] for a in flat), **kw)
        for k in out:
            out[k][rest] = res[k]
    return out
