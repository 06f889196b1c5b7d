"""Value tests of theory.rs.branch (issue #29, mutation testing): the bisection of the P = 2
retrieval branch at T = 0 against the closed-form AGS capacity, and the bracket it returns
against the width its rounds give in closed form (k equally spaced candidates per line and
round shrink the bracket k + 1 times; k = 128 // lines, between 3 and 15)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import erf

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
