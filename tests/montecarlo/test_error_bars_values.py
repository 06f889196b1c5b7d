"""Error bars and autocorrelation times against exact values (issue 29).

References: i.i.d. draws (variance of the mean ``var / n``, ``tau_int = 1/2``) and the AR(1)
process ``x_t = phi x_{t-1} + sqrt(1 - phi**2) eps_t`` with unit variance, whose
autocorrelation is ``phi**|t|``: ``tau_int = (1 + phi) / (2 (1 - phi))`` and the exact
variance of the mean of n steps is
``(1/n) [(1 + phi)/(1 - phi) - 2 phi (1 - phi**n) / (n (1 - phi)**2)]``.
"""

from __future__ import annotations

import types

import numpy as np
import pytest

from montecarlo import _chains, _dataset
from montecarlo.observables import blocking_error, integrated_autocorrelation_time, mean_and_error


def ar1(phi: float, chains: int, n: int, seed: int) -> np.ndarray:
    """Stationary AR(1) traces with unit variance, shape (chains, n)."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((chains, n))
    x = np.empty((chains, n))
    x[:, 0] = eps[:, 0]
    a = np.sqrt(1.0 - phi**2)
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + a * eps[:, t]
    return x


def ar1_tau(phi: float) -> float:
    return (1.0 + phi) / (2.0 * (1.0 - phi))


def ar1_var_of_mean(phi: float, n: int) -> float:
    return ((1 + phi) / (1 - phi) - 2 * phi * (1 - phi**n) / (n * (1 - phi) ** 2)) / n


def test_ar1_generator_has_the_exact_variance_of_the_mean():
    x = ar1(0.6, 2000, 256, seed=1)
    # the spread of the chain means over 2000 chains: relative sampling error ~ 3 %
    assert x.mean(axis=1).var() == pytest.approx(ar1_var_of_mean(0.6, 256), rel=0.1)


def test_blocking_error_without_blocks_is_the_naive_standard_error():
    # 40 samples leave fewer than 32 blocks of 2: only blocks of one sample, std / sqrt(n)
    x = np.random.default_rng(2).standard_normal((3, 40))
    np.testing.assert_allclose(blocking_error(x), x.std(axis=-1, ddof=1) / np.sqrt(40), rtol=1e-13)


def test_blocking_error_of_iid_draws_is_sigma_over_sqrt_n():
    n, sigma = 4096, 2.5
    x = sigma * np.random.default_rng(3).standard_normal((400, n))
    err = blocking_error(x)
    exact = sigma / np.sqrt(n)
    # each level estimates the exact error; the maximum over the 8 levels lies a little above
    rms = np.sqrt(np.mean(err**2))
    assert exact <= rms <= 1.25 * exact


@pytest.mark.parametrize("phi", [0.5, 0.8])
def test_blocking_error_of_ar1_is_the_exact_error_of_the_mean(phi):
    n = 8192
    x = ar1(phi, 300, n, seed=4)
    exact = np.sqrt(ar1_var_of_mean(phi, n))
    rms = np.sqrt(np.mean(blocking_error(x) ** 2))
    assert 0.9 * exact <= rms <= 1.3 * exact


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.8])
def test_integrated_autocorrelation_time_of_ar1(phi):
    x = ar1(phi, 300, 8192, seed=5)
    tau = integrated_autocorrelation_time(x)
    # Sokal's window: bias phi**W ~ 1e-3, statistical error of the mean over 300 chains ~ 1 %
    assert tau.mean() == pytest.approx(ar1_tau(phi), rel=0.04)


@pytest.mark.parametrize("phi", [0.0, 0.7])
def test_mean_and_error_matches_exact_error_and_tau(phi):
    n = 8192
    x = ar1(phi, 300, n, seed=6)
    mean, err, tau = mean_and_error(x)
    np.testing.assert_allclose(mean, x.mean(axis=1), rtol=0, atol=1e-14)
    exact = np.sqrt(ar1_var_of_mean(phi, n))
    assert np.sqrt(np.mean(err**2)) == pytest.approx(exact, rel=0.15)
    # tau implied by the reported error: the maximum over the blocking levels lifts it a little
    assert tau.mean() == pytest.approx(ar1_tau(phi), rel=0.2)
    # the error bars cover: the chain means scatter by the exact error around 0
    z = mean / err
    assert 0.75 <= z.std() <= 1.15


def test_dataset_reports_tau_in_sweeps_for_thinned_records():
    """``thin`` sweeps between records: a record-to-record AR(1) with tau = 2.25 records is a
    tau of 9 sweeps at thin = 4 (``m_tau``, ``energy_tau`` in units of sweeps)."""
    phi, thin, chains, n, N = 0.8, 4, 64, 4096, 100
    x = ar1(phi, chains, n, seed=7)
    engine = types.SimpleNamespace(protocol="hebbian", N=N, K=1, _model_attrs=lambda: {})
    G = (x * N)[:, :, None]  # group sums: m = G / N
    E = x * N
    none = np.zeros(0, np.int64)
    records = _chains.Records(G, np.zeros((chains, n, 0)), E, np.zeros((1, 0, n)), none, none,
                              none, none, none)  # fmt: skip
    settings = {"thin": thin, "tempering": False, "chains": chains, "burn_in": 10}
    ds = _dataset.build(
        engine, np.array([1.0]), True, np.ones((chains, N), np.int8), records, settings
    )
    tau_records = mean_and_error(x)[2]  # per chain, in records
    np.testing.assert_allclose(ds.m_tau.sel(pattern=0).values, thin * tau_records, rtol=1e-12)
    np.testing.assert_allclose(ds.energy_tau.values, thin * tau_records, rtol=1e-12)
    assert float(ds.m_tau.mean()) == pytest.approx(thin * ar1_tau(phi), rel=0.2)
    assert ds.m_tau.attrs["units"] == "sweeps"
    np.testing.assert_array_equal(ds.sweep.values, 10 + thin * (1 + np.arange(n)))
    # the error of the mean does not depend on the units of tau
    exact = np.sqrt(ar1_var_of_mean(phi, n))
    assert float(np.sqrt((ds.m_err**2).mean())) == pytest.approx(exact, rel=0.15)
