"""theory.rs.continuation without the RS solver (issue 29, mutation testing).

``solve_rs_grid`` solves the coarse points of a large grid, starts every other point from
the multilinear interpolation of its cell's corners, re-solves the points of cells across a
transition from the corners of one class, and solves only what is left from the branch's
starting point. Here ``solve_rs_flat`` is replaced by an oracle with a known answer on a
40 x 60 grid: retrieval (a non-bilinear x_R(u, v)) below the line v = 0.3 + 0.4 u, the other
solution x_S elsewhere; from the branch's start every point needs 30 iterations except the
four corners of the cell [8, 16)^2, which need 1000 (more than all but the last pass give);
from a given start, Newton reaches the solution of the start's class in 3 iterations if it
exists there. So the final answer is the oracle's everywhere, and the points of each solver
call are known: the interpolated starts against scipy's RegularGridInterpolator, the
class-wise starts against a per-point average over the cell's corners, and the last cold
solve against the one cell whose corners all failed. The point index travels in ``r``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.interpolate import RegularGridInterpolator

from theory.rs import continuation
from theory.rs.grid import PASSES

SHAPE = (40, 60)
SLOW = (8, 16)  # the corner indices, on both axes, of the cell whose corners need 1000


def _truth(shape):
    i, j = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    u, v = (i / (shape[0] - 1)).ravel(), (j / (shape[1] - 1)).ravel()
    exists = v < 0.3 + 0.4 * u
    x_r = np.stack([0.9 - 0.3 * v**2 + 0.05 * u * v, 0.2 + 0.3 * u**2 * v], axis=1)
    x_s = np.stack([np.zeros_like(u), 0.6 + 0.2 * u * v**2], axis=1)
    need = np.where(np.isin(i, SLOW) & np.isin(j, SLOW), 1000, 30).ravel()
    return exists, np.where(exists[:, None], x_r, x_s), x_r, x_s, need


class Oracle:
    def __init__(self, shape):
        self.exists, self.x, self.x_r, self.x_s, self.need = _truth(shape)
        self.calls = []

    def __call__(self, beta, alpha, rho, r, M, *, P, branch, M_max=0, spectrum=False,
                 x0=None, passes=PASSES, keep_x=False):  # fmt: skip
        idx = np.asarray(r).astype(int)
        budget = sum(int(d) + int(nw) for d, nw, _ in passes)
        self.calls.append({"idx": idx, "x0": None if x0 is None else np.array(x0)})
        if x0 is None:  # from the branch's start (m = 1): the true answer
            x, conv = self.x[idx], budget >= self.need[idx]
        else:  # Newton from x0 reaches the solution of x0's class where that exists
            ret = x0[:, 0] > 0.45
            x = np.where(ret[:, None], self.x_r[idx], self.x_s[idx])
            conv = (~ret | self.exists[idx]) & (budget >= 3)
            x = np.where(conv[:, None], x, x0)
        out = {"m": x[:, 0].copy(), "n": x[:, 0].copy(), "converged": conv,
               "iterations": np.full(idx.size, 3)}  # fmt: skip
        if keep_x:
            out["x"] = x
        return out


def _arrays(shape):
    n = int(np.prod(shape))
    return {"beta": np.full(n, 2.0), "alpha": np.full(n, 0.1), "rho": np.zeros(n),
            "r": np.arange(n, dtype=float), "M": np.ones(n)}  # fmt: skip


@pytest.fixture
def oracle(monkeypatch):
    o = Oracle(SHAPE)
    monkeypatch.setattr(continuation, "solve_rs_flat", o)
    return o


@pytest.mark.parametrize("shape, branch", [((10, 20), "retrieval"), ((12, 12, 15), "retrieval"),
                                           (SHAPE, "paramagnet")])  # fmt: skip
def test_small_grids_and_the_paramagnet_are_solved_point_by_point(monkeypatch, shape, branch):
    """Fewer than 2048 points, no axis of 16 points, or the paramagnet: one cold solve."""
    o = Oracle((int(np.prod(shape)), 2))  # any answer, as long as it is known
    monkeypatch.setattr(continuation, "solve_rs_flat", o)
    out = continuation.solve_rs_grid(_arrays(shape), shape, P=2, branch=branch)
    assert len(o.calls) == 1 and o.calls[0]["x0"] is None
    assert o.calls[0]["idx"].tolist() == list(range(int(np.prod(shape))))
    np.testing.assert_array_equal(out["m"], o.x[: int(np.prod(shape)), 0])


def test_large_grid_answer_and_the_points_of_each_solve(oracle):
    out = continuation.solve_rs_grid(_arrays(SHAPE), SHAPE, P=2, branch="retrieval")
    # the oracle's answer at every point
    np.testing.assert_array_equal(out["m"], oracle.x[:, 0])
    np.testing.assert_array_equal(out["n"], oracle.x[:, 0])
    assert out["converged"].all() and set(out) == {"m", "n", "converged", "iterations"}

    axes = [np.r_[np.arange(0, s, 8), s - 1] for s in SHAPE]  # [0, 8, ..., 32, 39], [.., 59]
    coarse = np.ravel_multi_index(np.ix_(*axes), SHAPE).ravel()
    cold, warm, *mixed, last = oracle.calls
    assert cold["x0"] is None and cold["idx"].tolist() == coarse.tolist()
    assert last["x0"] is None
    i, j = np.unravel_index(last["idx"], SHAPE)
    block = [(a, b) for a in range(8, 16) for b in range(8, 16)]
    assert sorted(zip(i.tolist(), j.tolist())) == block  # the cell whose corners all failed

    # corners of each fine point's cell, and which of them converged to which class
    ok = np.ones(SHAPE, dtype=bool)
    ok[np.ix_(SLOW, SLOW)] = False
    ret = oracle.exists.reshape(SHAPE)

    def corners(p):
        a, b = np.unravel_index(p, SHAPE)
        lo = [min(np.searchsorted(ax, k, side="right") - 1, ax.size - 2) for ax, k in
              zip(axes, (a, b))]  # fmt: skip
        out = []
        for bits in itertools.product((0, 1), repeat=2):
            c = tuple(int(ax[lo_k + bit]) for ax, lo_k, bit in zip(axes, lo, bits))
            w = np.prod([(k - ax[lo_k]) / (ax[lo_k + 1] - ax[lo_k]) if bit
                         else 1 - (k - ax[lo_k]) / (ax[lo_k + 1] - ax[lo_k])
                         for ax, lo_k, bit, k in zip(axes, lo, bits, (a, b))])  # fmt: skip
            out.append((c, w))
        return out

    fine = np.setdiff1d(np.arange(ret.size), coarse)
    uniform = [p for p in fine if len({(ok[c], ret[c]) for c, _ in corners(p)}) == 1
               and all(ok[c] for c, _ in corners(p))]  # fmt: skip
    assert warm["idx"].tolist() == uniform
    x_c = oracle.x.reshape(SHAPE + (2,))[np.ix_(*axes)]
    interp = RegularGridInterpolator(axes, x_c)
    np.testing.assert_allclose(warm["x0"], interp(np.column_stack(np.unravel_index(
        warm["idx"], SHAPE))), rtol=0, atol=1e-13)  # fmt: skip

    # cells across the transition: starts from the converged corners of one class
    assert len(mixed) == 2
    for call, cls in zip(mixed, (True, False)):
        assert call["idx"].size > 0
        for p, x0 in zip(call["idx"], call["x0"]):
            pick = [(c, w) for c, w in corners(p) if ok[c] and ret[c] == cls]
            if sum(w for _, w in pick) == 0:  # corners of zero weight only: their mean
                pick = [(c, 1.0) for c, _ in pick]
            want = sum(w * oracle.x.reshape(SHAPE + (2,))[c] for c, w in pick)
            want = want / sum(w for _, w in pick)
            np.testing.assert_allclose(x0, want, rtol=0, atol=1e-9)
