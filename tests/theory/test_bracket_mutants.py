"""``theory._bracket`` on predicates with a known threshold (issue 29, mutation testing): the
brackets after a given number of halvings, worked by hand, and the rounds of the grid
bisection, counted from its shrink factor ``points - 1`` per round."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory._bracket import bisect, grid_bisect


def test_bisect_arithmetic_by_hand():
    # c = 0.3 in [0, 1]: mid 0.5 False, 0.25 True, 0.375 False
    lo, hi = bisect(lambda x: x < 0.3, 0.0, 1.0, 3)
    assert (float(lo), float(hi)) == (0.25, 0.375)
    # vectorised: one bracket per threshold
    c = np.array([0.3, 0.8])
    lo, hi = bisect(lambda x: x < c, [0.0, 0.0], [1.0, 1.0], 2)
    np.testing.assert_array_equal(lo, [0.25, 0.75])
    np.testing.assert_array_equal(hi, [0.5, 1.0])


def test_bisect_geometric_by_hand():
    # c = 3 in [1, 16]: mid 4 False, 2 True, sqrt(8) True
    lo, hi = bisect(lambda x: x < 3.0, 1.0, 16.0, 3, geometric=True)
    assert float(lo) == pytest.approx(math.sqrt(8.0), rel=1e-15)
    assert float(hi) == 4.0


def test_bisect_zero_steps_returns_the_bracket():
    lo, hi = bisect(lambda x: x < 0.3, 0.0, 1.0, 0)
    assert (float(lo), float(hi)) == (0.0, 1.0)


def _counting(c):
    calls = []

    def predicate(x):
        calls.append(np.array(x))
        return x <= c

    return predicate, calls


def test_grid_bisect_rounds_and_result():
    """c = 1.5 in [1, 2], 8 points: the bracket shrinks 7-fold per round, from width 1 to
    1/7^4 = 4.2e-4 <= 1e-3 * lo after 4 rounds (1/7^3 = 2.9e-3 is not)."""
    pred, calls = _counting(1.5)
    x = grid_bisect(pred, 1.0, 2.0, rtol=1e-3, points=8)
    assert len(calls) == 4
    assert all(len(c) == 8 for c in calls)
    np.testing.assert_allclose(calls[0], np.linspace(1.0, 2.0, 8))
    assert abs(x - 1.5) <= 0.5 / 7**4
    # the first round keeps [x_3, x_4] = [1 + 3/7, 1 + 4/7]
    np.testing.assert_allclose(calls[1][[0, -1]], [1 + 3 / 7, 1 + 4 / 7])


def test_grid_bisect_stops_at_rtol_times_lo():
    """Width 1/7 after one round; rtol * lo = 0.2 * 1.4286 = 0.286 >= 1/7: one round only,
    the midpoint of [1 + 3/7, 1 + 4/7]."""
    pred, calls = _counting(1.5)
    x = grid_bisect(pred, 1.0, 2.0, rtol=0.2, points=8)
    assert len(calls) == 1 and x == pytest.approx(1.5, abs=1e-12)
    # a bracket already narrow enough is not evaluated: [1, 1.05] with rtol 0.1
    pred, calls = _counting(1.02)
    assert grid_bisect(pred, 1.0, 1.05, rtol=0.1) == 1.025
    assert calls == []


def test_grid_bisect_outside_the_bracket():
    # the predicate fails at lo: NaN, or the bracket moves down by halving
    pred, calls = _counting(0.3)
    assert math.isnan(grid_bisect(pred, 1.0, 2.0, rtol=1e-3))
    assert len(calls) == 1
    pred, calls = _counting(0.3)
    x = grid_bisect(pred, 1.0, 2.0, rtol=1e-3, widen=True)
    assert abs(x - 0.3) <= 1e-3 * 0.3
    np.testing.assert_allclose(calls[1][[0, -1]], [0.5, 1.0])  # [lo/2, lo]
    np.testing.assert_allclose(calls[2][[0, -1]], [0.25, 0.5])
    # the predicate holds at hi: NaN, or the bracket moves up to [hi, 2 hi - lo]
    pred, calls = _counting(3.5)
    assert math.isnan(grid_bisect(pred, 1.0, 2.0, rtol=1e-3))
    pred, calls = _counting(3.5)
    x = grid_bisect(pred, 1.0, 2.0, rtol=1e-3, widen=True)
    assert abs(x - 3.5) <= 1e-3 * 3.5
    np.testing.assert_allclose(calls[1][[0, -1]], [2.0, 3.0])
    np.testing.assert_allclose(calls[2][[0, -1]], [3.0, 4.0])


def test_grid_bisect_with_a_progress_bar(capsys):
    pred, _ = _counting(1.5)
    assert abs(grid_bisect(pred, 1.0, 2.0, rtol=1e-3, progress=True) - 1.5) <= 0.5 / 7**4


def test_signatures_keyword_only_options():
    lo, hi = bisect(predicate=lambda x: x < 0.3, lo=0.0, hi=1.0, steps=1)
    assert (float(lo), float(hi)) == (0.0, 0.5)
    with pytest.raises(TypeError):
        bisect(lambda x: x < 0.3, 0.0, 1.0, 1, True)
    assert grid_bisect(predicate=lambda x: x <= 1.02, lo=1.0, hi=1.05, rtol=0.1) == 1.025
    with pytest.raises(TypeError):
        grid_bisect(lambda x: x <= 1.5, 1.0, 2.0, 1e-3)


def test_grid_bisect_defaults(capsys):
    """8 points per round, no progress bar on stderr."""
    pred, calls = _counting(1.5)
    grid_bisect(pred, 1.0, 2.0, rtol=1e-3)
    assert [len(c) for c in calls] == [8] * 4
    assert capsys.readouterr().err == ""


def test_grid_bisect_exact_tolerance_and_threshold_next_to_lo():
    # hi - lo = rtol * lo exactly: done, no round
    pred, calls = _counting(1.2)
    assert grid_bisect(pred, 1.0, 1.5, rtol=0.5) == 1.25 and calls == []
    # the predicate holds at lo only: the next bracket is [x_0, x_1]
    pred, calls = _counting(1.05)
    x = grid_bisect(pred, 1.0, 2.0, rtol=1e-3)
    assert abs(x - 1.05) <= 1e-3 * 1.05
    np.testing.assert_allclose(calls[1][[0, -1]], [1.0, 1 + 1 / 7])


def test_grid_bisect_many_points():
    """300 points: the last index is compared by value (an int above 256 is not cached)."""
    pred, calls = _counting(3.5)
    assert math.isnan(grid_bisect(pred, 1.0, 2.0, rtol=1e-3, points=300))
    pred, calls = _counting(1.5)
    assert abs(grid_bisect(pred, 1.0, 2.0, rtol=1e-3, points=300) - 1.5) <= 1e-3
