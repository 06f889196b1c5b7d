"""Error bars of correlated series against the spread of means over independent replicas."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from montecarlo import _dataset
from montecarlo.observables import integrated_autocorrelation_time, mean_and_error


def _ar1(a, n, reps, rng):
    x = np.zeros((reps, n))
    noise = rng.standard_normal((reps, n))
    x[:, 0] = noise[:, 0] / np.sqrt(1 - a * a)
    for t in range(1, n):
        x[:, t] = a * x[:, t - 1] + noise[:, t]
    return x


def test_ar1_tau_and_error_match_closed_form_and_replica_spread():
    rng = np.random.default_rng(0)
    a, n = 0.8, 20000
    x = _ar1(a, n, 200, rng)
    tau_exact = (1 + a) / (2 * (1 - a))  # = 4.5
    tau = integrated_autocorrelation_time(x)
    assert abs(np.median(tau) - tau_exact) < 0.1 * tau_exact
    mean, err, _ = mean_and_error(x)
    spread = mean.std(ddof=1)  # true error of one replica's mean
    assert 0.85 < np.median(err) / spread < 1.35


def test_correlations_at_even_lags_only_are_accounted_for():
    """Runs of 4 equal values interleaved with white noise: rho(odd lag) = 0, rho(2) > 0."""
    rng = np.random.default_rng(1)
    reps, n = 200, 8192
    runs = np.repeat(rng.standard_normal((reps, n // 8)), 4, axis=1)  # (reps, n // 2)
    y = np.empty((reps, n))
    y[:, 0::2] = runs
    y[:, 1::2] = rng.standard_normal((reps, n // 2))
    mean, err, _ = mean_and_error(y)
    spread = mean.std(ddof=1)
    assert 0.8 < np.median(err) / spread < 1.4


def test_constant_series_has_zero_error():
    mean, err, tau = mean_and_error(np.full((2, 50), 0.3))
    assert np.all(err == 0) and np.all(tau == 0.5) and np.allclose(mean, 0.3)


@pytest.mark.parametrize("chunk_bytes", [None, 4096])
def test_dataset_statistics_do_not_depend_on_threads(chunk_bytes, monkeypatch):
    """The Dataset's error analysis of a strided (chains, patterns, sweeps) view, as the
    Dataset passes it, spread over memory chunks and threads: the same for 1 and 2 threads,
    and within rounding of one call."""
    rng = np.random.default_rng(2)
    x = np.moveaxis(_ar1(0.6, 70, 3 * 160, rng).reshape(3, 70, 160), -2, -1)
    assert x.size >= _dataset.PARALLEL_STATS and not x.flags.c_contiguous
    if chunk_bytes is not None:
        monkeypatch.setattr(_dataset, "STATS_CHUNK_BYTES", chunk_bytes)
    old = numba.get_num_threads()
    got = []
    try:
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(threads)
            got.append(_dataset._stats(x))
    finally:
        numba.set_num_threads(old)
    for a, b, w in zip(got[0], got[-1], mean_and_error(x), strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, w, rtol=1e-13, atol=1e-15)


def test_binder_fluctuation_and_rhat_closed_forms():
    """Binder: 0 for a centred Gaussian, 2/3 for +-x0; fluctuation = beta N var (NaN at
    beta = inf); split-R-hat ~ 1 for chains from one law, large for shifted chains, inf for
    chains frozen apart."""
    from montecarlo.observables import binder_cumulant, fluctuation, split_rhat

    rng = np.random.default_rng(3)
    g = rng.standard_normal((4, 200_000))
    assert np.all(np.abs(binder_cumulant(g)) < 0.02)
    assert binder_cumulant(np.tile([0.7, -0.7], 50)) == pytest.approx(2 / 3)
    np.testing.assert_allclose(fluctuation(g, 10, 0.5), 0.5 * 10 * g.var(axis=-1))
    assert np.isnan(fluctuation(g[0], 10, np.inf))
    same = rng.standard_normal((4, 2000))
    assert split_rhat(same) == pytest.approx(1.0, abs=0.01)
    shifted = same + np.array([0.0, 0.0, 1.0, 1.0])[:, None]
    # half means 0 (x4) and 1 (x4): B/n = var = 2/7, W = 1: R = sqrt(1 + 2/7)
    assert split_rhat(shifted) == pytest.approx(np.sqrt(1 + 2 / 7), abs=0.02)
    drift = same + np.linspace(0, 3, 2000)  # one trend in every chain: the split halves see it
    assert split_rhat(drift) > 1.2
    assert split_rhat(np.ones((2, 10))) == 1.0
    assert split_rhat(np.array([np.ones(10), -np.ones(10)])) == np.inf


def test_curie_weiss_susceptibility_in_sample():
    """K = 1, P = 2 (Curie-Weiss), T = 2: in the paramagnet N var(m) = 1 / (1 - beta), so
    chi = beta N var(m) = beta / (1 - beta) = 1 up to O(1/N); split-R-hat ~ 1."""
    import montecarlo

    xi = montecarlo.archetypes(1, 400, seed=1)
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi, protocol="hebbian")
    res = net.sample(T=2.0, sweeps=4000, burn_in=100, chains=4, init="random", seed=2)
    chi = float(res["m_susceptibility"].mean())
    assert chi == pytest.approx(1.0, abs=0.1)
    assert float(res["rhat"]) < 1.05
    assert res["specific_heat"].shape == (4,) and np.all(res["specific_heat"] > 0)
    assert float(res["m_binder"].mean()) == pytest.approx(0.0, abs=0.1)
