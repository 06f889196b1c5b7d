"""The argument checks of ``hopfield_sim.finite_size`` at their bounds, and the error
fallback of :func:`extrapolate` (issue 29, mutation testing). Exact fits: with ``nu`` fixed
the law is linear in ``(x_inf, a)``, so data on the law are fitted exactly."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim import finite_size as fs


def _check(**kw):
    args = {"N": 1, "bounds": (0.1, 0.2), "path": "alpha", "budget": 3, "min_samples": 1,
            "workers": 1}  # fmt: skip
    args.update(kw)
    return fs._check_locate(**args)


def test_locate_arguments_at_their_bounds_are_accepted():
    assert _check() == (0.1, 0.2)
    assert _check(path="T", workers=None, N=np.int64(5), budget=np.int64(3)) == (0.1, 0.2)
    assert _check(workers=np.int64(2), min_samples=2) == (0.1, 0.2)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"bounds": (0.2, 0.2)}, "bounds must be increasing"),
        ({"N": 0}, "N must be an integer >= 1"),
        ({"N": True}, "N must be an integer >= 1"),
        ({"N": 1.5}, "N must be an integer >= 1"),
        ({"budget": 2}, "budget must be an integer >= 3"),
        ({"min_samples": 0}, "min_samples must be an integer >= 1"),
        ({"workers": 0}, "workers must be an integer >= 1 or None"),
        ({"workers": -1}, "workers must be an integer >= 1 or None"),
        ({"workers": True}, "workers must be an integer >= 1 or None"),
        ({"workers": 2.0}, "workers must be an integer >= 1 or None"),
    ],
)
def test_locate_arguments_beyond_their_bounds(kw, match):
    with pytest.raises(ValueError, match=match):
        _check(**kw)


N3 = [100.0, 400.0, 1600.0]


def _law(N, x_inf=0.14, a=-0.3, nu=0.5):
    return x_inf + a * np.asarray(N) ** (-nu)


def test_extrapolate_smallest_valid_inputs():
    out = fs.extrapolate([100, 400], _law([100, 400]), [0.01, 0.01], bootstrap=2)
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-12) and out["dof"] == 0
    out = fs.extrapolate(N3, _law(N3), [0.01] * 3, nu=None, bootstrap=2)
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-6) and out["dof"] == 0
    # nu as an integer is a number too; replicates of the right length
    out = fs.extrapolate(N3, _law(N3, nu=1.0), [0.01] * 3, nu=1, bootstrap=2,
                         replicates=[[], [], []])  # fmt: skip
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-12) and out["dof"] == 1


@pytest.mark.parametrize(
    "args, kw, match",
    [
        (([100], [0.1], [0.01]), {}, "1-d of equal length >= 2"),
        (([[100, 400]], [[0.1, 0.1]], [[0.01, 0.01]]), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1, 0.1, 0.1], [0.01, 0.01]), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1, 0.1], [0.01]), {}, "1-d of equal length >= 2"),
        (([100, 400, 1600], [0.1, 0.1], [0.01, 0.01]), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1] * 3, [0.01] * 3), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1] * 2, [0.01] * 3), {}, "1-d of equal length >= 2"),
        (([100, 400, 1600], [0.1] * 2, [0.01] * 3), {}, "1-d of equal length >= 2"),
        (([100, 0], [0.1, 0.1], [0.01, 0.01]), {}, "N must be finite and > 0"),
        (([100, -400], [0.1, 0.1], [0.01, 0.01]), {}, "N must be finite and > 0"),
        (([100, np.inf], [0.1, 0.1], [0.01, 0.01]), {}, "N must be finite and > 0"),
        (([100, 400], [0.1, np.nan], [0.01, 0.01]), {}, "x_c finite"),
        (([100, 400], [0.1, 0.1], [0.01, 0.01]), {"nu": None}, "fitting nu needs at least 3"),
        (([100, 100, 400], [0.1] * 3, [0.01] * 3), {"nu": None}, "at least 3 distinct sizes"),
        (([100, 100], [0.1] * 2, [0.01] * 2), {}, "at least 2 distinct sizes"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": 0.0}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": -0.5}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": np.inf}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": [0.5]}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"replicates": [[]]}, "one array per size"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"replicates": [[]] * 3}, "one array per size"),
    ],
)
def test_extrapolate_refuses(args, kw, match):
    with pytest.raises(ValueError, match=match):
        fs.extrapolate(*args, bootstrap=2, **kw)


def test_unusable_errors_take_the_largest_finite_one():
    """Errors of 0, < 0 or NaN are replaced by the largest finite error (0.02 here): the
    weighted fit then equals the fit with that error given."""
    y = _law(N3) + np.array([0.004, -0.003, 0.002])  # off the law: the weights matter
    ref = fs.extrapolate(N3, y, [0.01, 0.02, 0.02], bootstrap=2)
    for bad in (0.0, -0.02, np.nan):
        out = fs.extrapolate(N3, y, [0.01, 0.02, bad], bootstrap=2)
        for key in ("x_inf", "chi2", "x_inf_err"):
            assert out[key] == pytest.approx(ref[key], rel=1e-12), (bad, key)
    # no usable error at all: 1e-3 everywhere
    ref = fs.extrapolate(N3, y, [1e-3] * 3, bootstrap=2)
    out = fs.extrapolate(N3, y, [np.nan] * 3, bootstrap=2)
    assert out["chi2"] == pytest.approx(ref["chi2"], rel=1e-12)


def test_constant_replicates_give_no_spread():
    """Resampling replicates that all equal x_c(N): every bootstrap fit is the same."""
    y = _law(N3)
    out = fs.extrapolate(N3, y, [0.01] * 3, replicates=[[v] * 4 for v in y], bootstrap=20)
    assert out["x_inf_err"] == pytest.approx(0.0, abs=1e-12)
    assert fs.extrapolate(N3, y, [0.01] * 3, bootstrap=20)["x_inf_err"] > 1e-4


def test_extrapolate_options_are_keyword_only_and_one_is_a_size():
    with pytest.raises(TypeError):
        fs.extrapolate(N3, _law(N3), [0.01] * 3, None)
    out = fs.extrapolate([1, 400], _law([1, 400]), [0.01, 0.01], bootstrap=2)
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-12)


def test_pool_only_for_several_workers():
    assert fs._pool(None) is None and fs._pool(1) is None and fs._pool(0) is None
    pool = fs._pool(2)
    try:
        assert pool is not None and pool._max_workers == 2
    finally:
        pool.shutdown()
