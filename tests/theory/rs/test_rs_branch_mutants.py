"""Value tests of theory.rs.branch (issue #29, mutation testing): the bisection of the P = 2
retrieval branch at T = 0 against the closed-form AGS capacity, and the bracket it returns
against the width its rounds give in closed form (k equally spaced candidates per line and
round shrink the bracket k + 1 times; k = 128 // lines, between 3 and 15); the warm solver
passes against the Curie-Weiss magnetisation (alpha = 0); and the wide / narrow bracket rules
with the solver replaced by an oracle whose spinodal and slow band are known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf

from theory.rs import branch
from theory.rs.branch import _solve_from, bisect_branch_end


def _ags_capacity_t0() -> float:
    """T = 0 AGS: m = erf(y), y = m (1 - C)/sqrt(2 alpha), C/(1 - C) = sqrt(2/(pi alpha))
    e^(-y^2) give sqrt(2 alpha) = erf(y)/y - (2/sqrt(pi)) e^(-y^2); the retrieval solution
    exists up to the maximum of the right-hand side."""
    g = minimize_scalar(lambda y: -(erf(y) / y - 2 / math.sqrt(math.pi) * math.exp(-y * y)),
                        bracket=(1.0, 1.5, 2.5), tol=1e-12)  # fmt: skip
    return 0.5 * g.fun**2


def test_bisection_brackets_the_ags_capacity_with_the_closed_form_width():
    lines, xtol = 9, 1e-3  # 9 lines: k = 128 // 9 = 14 candidates per line and round

    def points(v, rows):
        return np.full(v.size, np.inf), v.ravel(), np.zeros(v.size)

    lo, hi, at_lo = bisect_branch_end(points, np.full(lines, 0.1), np.full(lines, 0.2), P=2,
                                      xtol=xtol)  # fmt: skip
    alpha_c = _ags_capacity_t0()
    assert at_lo.all()
    assert np.all(lo <= alpha_c + 1e-9) and np.all(hi >= alpha_c - 1e-9)
    np.testing.assert_allclose(hi - lo, 0.1 / 15**2, rtol=1e-9)  # 6.7e-3, then 4.4e-4


def test_points_and_brackets_of_other_sizes_are_refused():
    with pytest.raises(ValueError, match="x0 and the points differ in size"):
        _solve_from(np.zeros((2, 2)), np.ones(3), np.ones(3), np.zeros(3), P=2, passes=())
    with pytest.raises(ValueError, match="lo and hi must be 1-D of the same size"):
        bisect_branch_end(None, np.zeros(2), np.ones(3), P=2)


def _curie_weiss_m(T: float) -> float:
    """alpha = 0, P = 2, rho = 0: the retrieval state is the Curie-Weiss magnet m = tanh(m/T)."""
    return brentq(lambda m: math.tanh(m / T) - m, 1e-6, 1.0, xtol=1e-15)


def test_warm_passes_reach_the_curie_weiss_magnetisation_next_to_T_c():
    """Warm starts from the magnet at T = 0.95 and 0.5 towards T = 1 - 1e-6 (m = 1.7e-3,
    critical slowing down). From T = 0.95 the residual is below 0.05 at once, Newton takes
    over and the first warm pass converges within its 12 + 12 iterations; from T = 0.5 it
    does not, and the second warm pass continues from where the first stopped."""
    T_lo, T = np.array([0.95, 0.5]), 1.0 - 1e-6
    x0 = np.array([[_curie_weiss_m(t), 0.0] for t in T_lo])
    pts = (np.full(2, 1.0 / T), np.zeros(2), np.zeros(2))
    first = _solve_from(x0, *pts, P=2, passes=(branch._WARM,))
    assert first["converged"].tolist() == [True, False]
    both = _solve_from(x0, *pts, P=2, passes=(branch._WARM, branch._WARM_FINE))
    assert both["converged"].all() and both["stable"].all()
    # residual 1e-10 against a slope 1 - 2e-6: m to about 1e-4 relative
    np.testing.assert_allclose(both["m"], _curie_weiss_m(T), rtol=1e-3)
    np.testing.assert_allclose(first["m"][0], _curie_weiss_m(T), rtol=1e-3)


def test_later_passes_continue_the_unconverged_points():
    """Three passes, the first two too short for the AGS point alpha = 0.1 at T = 0 from
    m = 1: only the third converges it, to m = erf(y) with sqrt(2 alpha) = erf(y)/y -
    (2/sqrt(pi)) e^(-y^2) (the larger root)."""
    one = (np.int32(1), np.int32(0), np.float64(0.05))
    passes = (one, one, (np.int32(12), np.int32(12), np.float64(0.05)))
    out = _solve_from(np.array([[1.0, 0.0]]), np.array([np.inf]), np.array([0.1]),
                      np.zeros(1), P=2, passes=passes)  # fmt: skip
    y = brentq(lambda y: erf(y) / y - 2 / math.sqrt(math.pi) * math.exp(-y * y)
               - math.sqrt(0.2), 1.6, 5.0, xtol=1e-15)  # fmt: skip
    assert out["converged"].tolist() == [True]
    np.testing.assert_allclose(out["m"], erf(y), rtol=1e-9)


# --- the bracket rules, with the solver replaced by an oracle -----------------------------

A_C, BAND = 0.5, 0.05  # the oracle's spinodal in alpha, and the width of its slow band


def _oracle(x0, beta, alpha, rho, *, P, passes, modes=None):
    """A solver with a known answer: retrieval (m = 1 - alpha, start x = (m, 0)) exists for
    alpha < A_C, and is reached from any start with m > 0; m = 0 is a fixed point (the spin
    glass at rho = 0). A warm start from below the band [A_C - BAND, A_C) into it, and any
    start above A_C (the ghost of the spinodal), needs 500 iterations; everything else 5.
    Converged where the passes' budget (damped + Newton, summed) covers the need."""
    alpha = np.asarray(alpha, dtype=float)
    m0 = x0[:, 0]
    start = 1.0 - m0  # the load whose retrieval solution is the start
    slow = ((alpha >= A_C - BAND) & (start < A_C - BAND) & (m0 > 0)) | (alpha >= A_C)
    budget = sum(int(damped) + int(newton) for damped, newton, _ in passes)
    found = (m0 > 0) & (alpha < A_C)
    m = np.where(found, 1.0 - alpha, 0.0)
    return {
        "converged": budget >= np.where(slow, 500, 5),
        "stable": np.ones(alpha.size, dtype=bool),
        "n": m.copy(),
        "m": m,
        "x": np.stack([m, np.zeros(alpha.size)], axis=1),
    }


def test_wide_brackets_decide_slow_points_from_m1_and_narrow_ones_count_them_as_lost(
    monkeypatch,
):
    """Line 0 (alpha = v, bracket [0, 1]): the second round's bracket [7/16, 1/2] is still
    wide (width > COARSE) and its candidates in the slow band, warm-started from 7/16, are
    re-solved from m = 1 with the full budget, so the bisection ends at the spinodal A_C.
    Line 1 (alpha = v - 10, bracket [10.42, 10.52]: width 0.1 < COARSE * 10.52, narrow from
    the start, the relative width taken against |hi| > 1): slow points count as no
    retrieval, so the bisection ends at the band's lower edge A_C - BAND."""
    monkeypatch.setattr(branch, "_solve_from", _oracle)
    offset = np.array([0.0, 10.0])

    def points(v, rows):
        return np.ones(v.size), (v - offset[rows, None]).ravel(), np.zeros(v.size)

    lo, hi, at_lo = bisect_branch_end(points, np.array([0.0, 10.42]), np.array([1.0, 10.52]),
                                      P=2, xtol=1e-12)  # fmt: skip
    assert at_lo.all()
    want = np.array([A_C, 10.0 + A_C - BAND])
    assert np.all(lo <= want) and np.all(want <= hi)
    assert np.all(hi - lo <= 1e-12 * np.maximum(1.0, hi))
