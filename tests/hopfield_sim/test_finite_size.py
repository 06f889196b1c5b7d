"""Finite-size scaling tools: step fit, adaptive location, extrapolation (issue 16).

The statistics are checked against synthetic data with a known truth (a logistic
retrieval probability whose x_c(N) follows a known law), including that the bootstrap error
bars match the real scatter of independent repetitions; the Monte Carlo path is checked on a
tiny network against the zero-temperature capacity range of the theory.
"""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim import finite_size as fs

X_INF, A, NU, WIDTH = 0.14, 0.6, 0.5, 0.01


def truth(N: float) -> float:
    return X_INF + A * N**-NU


def synthetic(N: int, x: float, k: int, seed: int = 0) -> float:
    """An 'overlap' that retrieves (1) with probability step(x; x_c(N), width), else 0.2."""
    rng = np.random.default_rng([seed, N, int(round(x * 1e9)), k])
    return 1.0 if rng.random() < fs.step(x, truth(N), WIDTH * N**-0.25) else 0.2


def test_step_fit_recovers_parameters_with_honest_errors():
    x = np.repeat(np.linspace(0.1, 0.2, 11), 12)
    estimates, errors = [], []
    for rep in range(12):
        rng = np.random.default_rng(rep)
        y = (rng.random(x.size) < fs.step(x, 0.15, 0.01)).astype(float)
        fit = fs.fit_step(x, y, bootstrap=60, seed=rep)
        estimates.append(fit.x_c)
        errors.append(fit.x_c_err)
    estimates = np.array(estimates)
    assert abs(estimates.mean() - 0.15) < 3 * estimates.std(ddof=1) / np.sqrt(12)
    ratio = np.mean(errors) / estimates.std(ddof=1)  # bootstrap error vs real scatter
    assert 0.5 < ratio < 2.0, ratio


def test_adaptive_location_concentrates_points_at_the_step():
    N = 1000
    tr = fs.locate_transition(N, bounds=(0.05, 0.4), fixed=0.1, budget=120, min_samples=4,
                              bootstrap=60, measure=synthetic)  # fmt: skip
    assert abs(tr.fit.x_c - truth(N)) < 4 * tr.fit.x_c_err + 1e-3
    near = np.abs(tr.x - truth(N)) < 0.05  # 0.1 of a 0.35 wide interval
    assert near.mean() > 0.3  # uniform placement would give ~0.29 at best
    assert tr.x.size >= 120 and tr.fit.n_points < tr.x.size  # repeated samples per point


def test_extrapolation_recovers_the_infinite_size_limit():
    Ns = np.array([500, 1000, 2000, 4000, 8000])
    rng = np.random.default_rng(5)
    err = np.array([0.004, 0.003, 0.002, 0.0015, 0.001])  # unequal, as measured ones are
    x_c = np.array([truth(N) for N in Ns]) + err * rng.standard_normal(Ns.size)
    out = fs.extrapolate(Ns, x_c, err, nu=0.5, bootstrap=400)
    assert abs(out["x_inf"] - X_INF) < 4 * out["x_inf_err"]
    # the error of x_inf is the propagated one, sqrt of (A^T W A)^-1 [0, 0], W = 1 / err**2
    design = np.stack([np.ones(Ns.size), Ns**-0.5], axis=1) / err[:, None]
    exact = np.sqrt(np.linalg.inv(design.T @ design)[0, 0])
    assert out["x_inf_err"] == pytest.approx(exact, rel=0.15) and out["dof"] == 3
    free = fs.extrapolate(Ns, x_c, err, nu=None, bootstrap=200)
    assert abs(free["nu"] - NU) < 4 * free["nu_err"] + 0.05
    reps = [x + e * rng.standard_normal(200) for x, e in zip(x_c, err)]
    via_reps = fs.extrapolate(Ns, x_c, err, replicates=reps, bootstrap=400)
    assert via_reps["x_inf_err"] == pytest.approx(out["x_inf_err"], rel=0.3)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"path": "beta"}, "path must be one of"),
        ({"bounds": (0.3, 0.1)}, "bounds must be increasing"),
        ({"budget": 2}, "budget must be an integer >= 3"),
    ],
)
def test_bad_requests(kw, match):
    args = {"bounds": (0.05, 0.4), "fixed": 0.1, "measure": synthetic, **kw}
    with pytest.raises(ValueError, match=match):
        fs.locate_transition(100, **args)
    with pytest.raises(ValueError, match="equal length >= 3"):
        fs.fit_step([0.1, 0.2], [1, 0])
    with pytest.raises(ValueError, match="at least 3 sizes"):
        fs.extrapolate([100, 200], [0.2, 0.18], [0.01, 0.01], nu=None)


@pytest.mark.slow  # ~60 s on 2 cores; the fit machinery is tested above on exact data
def test_tiny_monte_carlo_transition_is_near_the_capacity():
    """N = 100, T = 0.1: x_c(N) lies above the RS capacity 0.138 (finite-N systems retrieve
    beyond it) and well below the load 0.4 where nothing is retrieved."""
    tr = fs.locate_transition(100, bounds=(0.02, 0.5), fixed=0.1, budget=32, min_samples=4,
                              bootstrap=40, sweeps=10, burn_in=10, seed=3)  # fmt: skip
    assert 0.1 < tr.fit.x_c < 0.4, tr.fit
    assert tr.m[tr.x < 0.06].min() > 0.8  # low load: every sample retrieves
    again = fs.retrieval_overlap(100, float(tr.x[0]), fixed=0.1, sweeps=10, burn_in=10, seed=3)
    assert again in set(tr.m[tr.x == tr.x[0]])  # seeds depend on (N, x, sample) only


def test_transition_outside_the_bounds_is_reported():
    with pytest.raises(ValueError, match="outside these bounds"):
        fs.locate_transition(1000, bounds=(0.01, 0.05), fixed=0.1, budget=12, min_samples=2,
                             measure=synthetic)  # fmt: skip


def test_separated_outcomes_get_the_gap_as_error():
    x = np.repeat([0.1, 0.2], 20)
    y = (x < 0.15).astype(float)
    fit = fs.fit_step(x, y, bootstrap=20)
    assert 0.1 < fit.x_c < 0.2 and fit.x_c_err >= 0.1 / np.sqrt(12)


@pytest.mark.slow
def test_capacity_script_quick_run_extrapolates_near_the_theory(tmp_path):
    """The script's reduced run (N = 100, 200, 400; ~1 min): the extrapolated P = 2 capacity
    is within its error bar (plus 0.01 of finite-time bias) of the RS value 0.138."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "capacity_finite_size.py"
    out = tmp_path / "cap.json"
    argv = ["--quick", "--cases", "P=2", "--workers", "1", "--out", str(out),
            "--figure", str(tmp_path / "cap.png")]  # fmt: skip
    subprocess.run([sys.executable, str(script), *argv], check=True)
    res = json.loads(out.read_text())["results"]["P=2"]
    fit = res["fit"]
    assert abs(fit["x_inf"] - res["theory"]["RS"]) < 3 * fit["x_inf_err"] + 0.01
    assert (tmp_path / "cap.png").exists()


def test_binder_cumulant_limits():
    rng = np.random.default_rng(0)
    assert abs(fs.binder(rng.standard_normal(200_000))) < 0.02  # Gaussian: 0
    assert fs.binder(np.repeat([-0.7, 0.7], 100)) == pytest.approx(2 / 3)  # ordered: 2/3


def test_binder_crossing_finds_the_curie_weiss_transition():
    """K = 1, P = 2 is the Curie-Weiss magnet: T_c = 1 exactly. The cumulants of N = 32 and
    N = 128 cross there within the bootstrap error plus a small finite-size shift."""
    T = np.linspace(0.8, 1.2, 9)
    small = fs.binder_curves(32, T, chains=12, sweeps=300, burn_in=100, seed=1)
    large = fs.binder_curves(128, T, chains=12, sweeps=300, burn_in=100, seed=1)
    T_x, err = fs.binder_crossing(T, small, large, bootstrap=100)
    assert abs(T_x - 1.0) < 3 * err + 0.04, (T_x, err)
    assert 0 < err < 0.1


def test_non_bracketing_bootstrap_refits_are_dropped_not_averaged():
    """A weak, noisy step (4 samples at 6 loads, retrieval probability 0.65 -> 0.35, as at
    the small-N dense networks): some resamples contain no step, their logistic slope runs
    off and x_c lands at ~1e3. Those refits must be dropped and counted, and the error of
    x_c stay of the order of the sampled interval (the old std of all refits gave ~2e3)."""
    rng = np.random.default_rng(0)
    x = np.repeat(np.linspace(0.02, 0.06, 6), 4)
    for _ in range(33):  # the 33rd draw of this stream is a case with runaway refits
        y = (rng.random(x.size) < 0.5 + 0.15 * np.tanh(-(x - 0.04) / 0.02)).astype(float)
    fit = fs.fit_step(x, y, bootstrap=100, seed=32)
    assert fit.n_failed > 0 and fit.n_failed + fit.replicates.size == 100
    assert np.all((fit.replicates >= 0.02) & (fit.replicates <= 0.06))
    assert 0 < fit.x_c_err <= 0.04


def test_robust_spread_is_the_gaussian_std_and_ignores_runaways():
    z = np.random.default_rng(1).standard_normal(20000)
    assert fs.robust_std(z) == pytest.approx(1.0, rel=0.03)
    assert fs.robust_std(np.r_[z, np.full(200, 1e3), np.nan]) == pytest.approx(1.0, rel=0.05)
    Ns = np.array([100.0, 400.0, 1600.0])
    x_c = truth(Ns)
    err = np.full(3, 0.002)
    reps = [x + 0.002 * np.random.default_rng(i).standard_normal(200) for i, x in enumerate(x_c)]
    clean = fs.extrapolate(Ns, x_c, err, replicates=reps, bootstrap=400)
    dirty = [np.r_[r, 1e3, -1e3, np.nan] for r in reps]
    out = fs.extrapolate(Ns, x_c, err, replicates=dirty, bootstrap=400)
    assert out["x_inf_err"] == pytest.approx(clean["x_inf_err"], rel=0.25)
