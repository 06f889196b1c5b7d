"""A real theory + Monte Carlo sweep: the Dataset layout and theory-vs-simulation agreement.

Low-storage P = 2 retrieval at N = 1000 must agree with the RS theory (docs/models.md §3: m =
tanh(beta m), independently re-solved here) within 4 error bars; the same low-storage
theory put next to a simulation at K/N = 0.2, beyond the AGS capacity (docs/models.md §4.1,
alpha_c = 0.138), must be flagged by ``compare``.
"""

from __future__ import annotations

import numpy as np
import pytest
import sweep_fakes
from scipy.optimize import brentq

from hopfield_sim import compare, comparison_table, sweep

pytest.importorskip("theory")
pytest.importorskip("montecarlo")

SPEC = {
    "seed": 2024,
    "model": {"protocol": "hebbian", "P": 2},
    # points 0, 1: low storage (K = 1); point 2: K/N = 0.2 > alpha_c, outside the theory
    "points": {"T": [0.5, 0.75, 0.3], "K": [1, 1, 200]},
    "theory": {},
    "montecarlo": {"N": 1000, "sweeps": 100, "burn_in": 30, "chains": 4},
}


def curie_weiss_m(T: float) -> float:
    """Positive root of m = tanh(m / T) (T < 1)."""
    return brentq(lambda m: m - np.tanh(m / T), 1e-6, 1.0)


@pytest.fixture(scope="module")
def result():
    return sweep(SPEC, workers=1, progress=False)


def test_layout(result):
    ds = result
    assert ds["m_mc"].dims == ("point",) and ds.sizes["point"] == 3
    for name in ("m_theory", "q_theory", "free_energy_theory", "converged_theory", "m_mc",
                 "m_mc_err", "q_mc", "energy_mc", "K_mc", "done_mc", "seed_mc"):  # fmt: skip
        assert name in ds, name
    np.testing.assert_array_equal(ds["K_mc"], [1, 1, 200])
    np.testing.assert_allclose(ds["beta"], 1 / ds["T"])
    assert ds["m_theory"].attrs["long_name"] and ds["T"].attrs["units"]
    assert bool(ds["converged_theory"].all())


def test_theory_column_matches_closed_form(result):
    expected = [curie_weiss_m(T) for T in result["T"].values]
    np.testing.assert_allclose(result["m_theory"], expected, atol=1e-6)


def test_simulation_agrees_where_it_should_and_is_flagged_where_not(result):
    cmp = compare(result)
    z = cmp["z"].values
    assert np.all(np.abs(z[:2]) < 4), comparison_table(result)
    assert bool(cmp["agree"][:2].all())
    assert not bool(cmp["agree"][2]) and abs(z[2]) > 4, comparison_table(result)
    assert cmp.attrs["worst_z"] == pytest.approx(abs(z[2]))


def test_real_engines_give_the_same_dataset_on_dask(result):
    """Seeds per point: a Dask cluster (2 threaded workers, loopback) reproduces the run."""
    distributed = pytest.importorskip("distributed")

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            again = sweep(SPEC, client=client, batch_size=1, progress=False)
    sweep_fakes.assert_same(again, result)


def test_multitasking_sweep_has_a_pattern_dimension():
    """Multitasking: all K overlaps, theory and simulation, ranked from largest."""
    spec = {
        "seed": 5,
        "model": {"protocol": "hebbian", "P": 2, "multitasking": True},
        "axes": {"d": [0.2, 0.4]},
        "fixed": {"K": 3, "T": 0.1},
        "theory": {},
        "montecarlo": {"N": 400, "sweeps": 20, "burn_in": 10, "chains": 2},
    }
    ds = sweep(spec, workers=1, progress=False)
    for name in ("m_theory", "m_mc", "m_mc_err"):
        assert ds[name].dims == ("d", "pattern") and ds.sizes["pattern"] == 3, name
    assert np.all(np.diff(ds["m_mc"].values, axis=1) <= 0)  # ranked, largest first
    # the leading amplitude is the T = 0 cascade value 1 - d up to thermal corrections
    np.testing.assert_allclose(ds["m_theory"][:, 0], 1 - ds["d"], atol=0.02)
    np.testing.assert_allclose(ds["m_mc"][:, 0], 1 - ds["d"], atol=0.05)
