"""Per-sample storage (issue 24): a sweep keeps every disorder sample and chain; the
retrieval probability, median, quantiles and P(m) / P(q) are one call each and equal the
same quantities computed from direct ``sample()`` runs with the point's documented seeds."""

from __future__ import annotations

import numpy as np
import pytest

import hopfield_sim
from hopfield_sim import samples

SPEC = {"seed": 5, "model": {"protocol": "hebbian", "P": 2}, "axes": {"alpha": [0.05, 0.3]},
        "fixed": {"T": 0.3, "N": 120},
        "montecarlo": {"sweeps": 30, "burn_in": 10, "chains": 2, "samples": 3}}  # fmt: skip


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    path = tmp_path_factory.mktemp("ps") / "s.h5"
    hopfield_sim.sweep(SPEC, store=path, workers=1, progress=False)
    return hopfield_sim.open_sweep(path)  # read back: the per-sample data survive storage


def direct(ds, i):
    """The sample() runs of grid point i, seeded as montecarlo_point documents."""
    import montecarlo

    alpha, N = float(ds.alpha[i]), 120
    K = int(round(alpha * N))
    runs = []
    for child in np.random.SeedSequence(int(ds.seed_mc[i])).spawn(3):
        s_xi, _, s_run = child.spawn(3)
        xi = montecarlo.archetypes(K, N, seed=s_xi)
        net = montecarlo.DenseHebbianNetwork(2, patterns=xi, protocol="hebbian")
        runs.append(net.sample(T=0.3, sweeps=30, burn_in=10, chains=2, seed=s_run))
    return runs


def test_per_sample_values_match_direct_runs(stored):
    assert stored["m_mc_sample"].dims == ("alpha", "sample", "chain")
    assert stored["q_mc_sample"].dims == ("alpha", "sample", "chain_pair")
    assert stored["N"].dtype == np.int64 and stored["K_mc"].dtype == np.int64
    for i in range(2):
        runs = direct(stored, i)
        m = np.array([r["m"].values[:, 0] for r in runs])  # (sample, chain), pattern 1
        np.testing.assert_allclose(stored["m_mc_sample"][i], m)
        p = samples.retrieval_probability(stored, m_cut=0.5)[i]
        assert float(p) == np.mean(np.abs(m) >= 0.5) and p.attrs["count"] == 6
        assert float(samples.median(stored)[i]) == pytest.approx(np.median(m))
        np.testing.assert_allclose(samples.quantiles(stored, [0.25, 0.75])[:, i],
                                   np.quantile(m, [0.25, 0.75]))  # fmt: skip
        # P(q): the instantaneous two-chain overlaps of every sample, 50 bins on [-1, 1]
        edges = np.linspace(-1, 1, 51)
        dens = [np.histogram(r["q_trace"].values, edges, density=True)[0] for r in runs]
        P_q = samples.distribution(stored, "q")[i]
        np.testing.assert_allclose(P_q, np.mean(dens, axis=0), atol=1e-12)
        assert float(P_q.sum()) * (edges[1] - edges[0]) == pytest.approx(1.0)
        P_m = samples.distribution(stored, "m")[i]
        dens_m = [np.histogram(r["m_trace"].values[:, :, 0], edges, density=True)[0]
                  for r in runs]  # fmt: skip
        np.testing.assert_allclose(P_m, np.mean(dens_m, axis=0), atol=1e-12)


def test_point_observables_and_opt_out(stored):
    assert float(samples.retrieval_probability(stored)[0]) == 1.0  # alpha = 0.05 retrieves
    for name in ("chi_mc", "binder_mc", "specific_heat_mc", "rhat_mc"):
        assert np.all(np.isfinite(stored[name]))
    plain = {**SPEC, "montecarlo": {**SPEC["montecarlo"], "per_sample": False}}
    ds = hopfield_sim.sweep(plain, workers=1, progress=False)
    assert "m_mc_sample" not in ds and "sample" not in ds.dims
    np.testing.assert_allclose(ds["m_mc"], stored["m_mc"])  # same seeds, same averages
    with pytest.raises(KeyError, match="per_sample"):
        samples.retrieval_probability(ds)
