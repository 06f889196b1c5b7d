"""alpha_c(N) located, extrapolated and plotted in one call (issue 24); locate_transition
gives the same result with worker processes."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim import finite_size as fs
from hopfield_sim.scaling import capacity_scaling

X_INF, A = 0.138, 0.3  # synthetic law x_c(N) = X_INF + A / sqrt(N)


def synthetic(N, x, k):
    """Retrieves (m = 1) with probability step(x; x_c(N), 0.004), else m = 0.3."""
    rng = np.random.default_rng([N, int(round(x * 1e9)), k])
    return 1.0 if rng.random() < fs.step(x, X_INF + A / np.sqrt(N), 0.004) else 0.3


def test_one_call_recovers_the_law_and_draws_it(tmp_path):
    out = capacity_scaling([500, 1000, 2000, 4000], bounds=(0.10, 0.20), fixed=0.1,
                           budget=120, min_samples=6, bootstrap=60, measure=synthetic,
                           theory={"RS": X_INF}, figure=tmp_path / "fs.png")  # fmt: skip
    fit = out["fit"]
    assert abs(fit["x_inf"] - X_INF) < 4 * fit["x_inf_err"] + 1e-3
    assert abs(fit["a"] - A) < 0.15
    ax = out["figure"].axes[0]
    (law,) = [ln for ln in ax.lines if ln.get_label().startswith("fit")]
    xs, ys = law.get_data()
    np.testing.assert_allclose(ys, fit["x_inf"] + fit["a"] * np.asarray(xs))
    assert ax.get_xlabel() == "N^(-0.5)"
    assert (tmp_path / "fs.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow  # ~13 s: two spawned processes import montecarlo
def test_workers_do_not_change_the_result():
    kw = dict(bounds=(0.02, 0.6), fixed=0.1, budget=6, min_samples=2, sweeps=4, burn_in=2,
              bootstrap=10, seed=1)  # fmt: skip
    one = fs.locate_transition(40, **kw)
    two = fs.locate_transition(40, workers=2, **kw)
    np.testing.assert_array_equal(one.m, two.m)
    np.testing.assert_array_equal(one.x, two.x)
