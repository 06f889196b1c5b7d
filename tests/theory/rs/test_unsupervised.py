"""Unsupervised protocol at P = 2 in high storage (docs/models.md §4.3).

References: the supervised equations (M = 1 has no example modes), the closed-form
effective load of the signal-to-noise variance, autodiff stationarity of the variational
free energy, and Monte Carlo of the same Hamiltonian (``montecarlo``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import montecarlo
import theory
from montecarlo import _chains
from theory import _x64
from theory.rs import ags

R, M, T = 0.3, 40, 0.4  # rho = 0.194, eps = rho/(1+rho) = 0.163 with M - 1 = 39 modes


def test_one_example_is_the_supervised_network():
    """M = 1: no example modes; the network stores the single example (r, M = 1)."""
    kw = dict(P=2, T=[0.0, 0.3], alpha=[0.002, 0.005], r=0.8, M=1)
    a = theory.solve("unsupervised", **kw)
    b = theory.solve("supervised", **kw)
    np.testing.assert_array_equal(a.m.values, b.m.values)
    np.testing.assert_array_equal(a.free_energy.values, b.free_energy.values)


def test_example_modes_add_noise_and_lower_the_capacity():
    kw = dict(P=2, T=T, alpha=[0.005, 0.01, 0.015], r=R, M=M)
    a = theory.solve("unsupervised", **kw)
    b = theory.solve("supervised", **kw)
    assert bool(a.converged.all())
    # the extra noise lowers m (0.799 vs 0.818 at alpha = 0.01); at alpha = 0.015 the
    # unsupervised retrieval state is gone while the supervised one holds (m = 0.78)
    assert np.all(a.m.values[:2] < b.m.values[:2] - 5e-3)
    assert float(a.m[2]) < 1e-6 < 0.7 < float(b.m[2])
    # r_AGS at q -> 0 and T = 0 (C = 0): 1 + (M - 1) eps^2 = (1 + rho_2)/(1 + rho)^2
    rho = (1 - R**2) / (M * R**2)
    rho2 = (1 - R**4) / (M * R**4)
    eps = rho / (1 + rho)
    assert 1 + (M - 1) * eps**2 == pytest.approx((1 + rho2) / (1 + rho) ** 2, rel=1e-13)


def test_solution_is_stationary_point_of_the_variational_free_energy():
    ds = theory.solve("unsupervised", P=2, T=T, alpha=0.01, r=R, M=M)
    rho = (1 - R**2) / (M * R**2)
    p = {"beta": 1 / T, "alpha": 0.01, "rho": rho, "eps": rho / (1 + rho), "g_eps": M - 1.0}
    n, q, r_ags = float(ds.n), float(ds.q), float(ds.r_AGS)
    # no replicon derived for the example modes: rs_stable is "not computed" (NaN)
    assert np.isnan(float(ds.rs_stable)) and "not computed" in ds.rs_stable.long_name
    with _x64.enabled():
        grad = jax.grad(ags.free_energy_variational, argnums=(0, 1, 2))(
            jnp.float64(n), jnp.float64(q), jnp.float64(r_ags), p
        )
        f = ags.free_energy_variational(n, q, r_ags, p)
    np.testing.assert_allclose(np.array(grad, dtype=float), 0.0, atol=1e-8)
    assert float(f) == pytest.approx(float(ds.free_energy), abs=1e-10)


def test_paramagnet_onset_is_the_spectrum_condition():
    """The q = 0 state is stable above T_g(alpha) with
    beta^2 alpha [1/(1 - beta)^2 + (M - 1) eps^2/(1 - eps beta)^2] = 1."""
    alpha = 0.05
    rho = (1 - R**2) / (M * R**2)
    eps = rho / (1 + rho)

    def onset(Tx):
        b = 1 / Tx
        return b**2 * alpha * (1 / (1 - b) ** 2 + (M - 1) * eps**2 / (1 - eps * b) ** 2) - 1

    from scipy.optimize import brentq

    T_g = brentq(onset, 1.01, 5.0)
    assert T_g > 1 + np.sqrt(alpha)  # the example modes raise the spin-glass temperature
    ds = theory.solve("unsupervised", P=2, T=[T_g * 0.999, T_g * 1.001], alpha=alpha, r=R, M=M,
                      branch="paramagnet")
    assert ds.stable.values.tolist() == [False, True]


def _mc_overlap(N: int, alpha: float, sweeps: int) -> float:
    K = int(round(alpha * N))
    xi = montecarlo.archetypes(K, N, seed=1)
    eta = montecarlo.examples(xi, M, R, seed=2)
    net = montecarlo.DenseHebbianNetwork(P=2, patterns=xi, examples=eta,
                                         protocol="unsupervised", r=R)  # fmt: skip
    res = net.sample(T=T, sweeps=sweeps, burn_in=sweeps // 3, chains=2, seed=3)
    return float(res.m.isel(pattern=0).mean())


def test_matches_monte_carlo_small(monkeypatch):
    """N = 1000, K = 10 classes of 40 examples: theory (large-M law) vs simulation."""
    # the serial driver (same results as the threaded one, tests/montecarlo/test_kernels.py),
    # whose signature the Monte Carlo files have compiled: no second driver compile
    monkeypatch.setattr(_chains, "PARALLEL_MIN_WORK", 2**62)
    m_mc = _mc_overlap(1000, 0.01, 150)
    m_th = float(theory.solve("unsupervised", P=2, T=T, alpha=0.01, r=R, M=M).m)
    assert m_mc == pytest.approx(m_th, abs=0.03)


@pytest.mark.slow
def test_matches_monte_carlo_and_not_the_supervised_theory():
    """N = 2000, alpha = 0.01: simulation 0.795 (measured), unsupervised theory 0.800,
    supervised theory 0.818."""
    m_mc = _mc_overlap(2000, 0.01, 300)
    kw = dict(P=2, T=T, alpha=0.01, r=R, M=M, finite_M=True)
    m_th = float(theory.solve("unsupervised", **kw).m)
    m_sup = float(theory.solve("supervised", **kw).m)
    assert m_mc == pytest.approx(m_th, abs=0.01)
    assert m_mc < m_sup - 0.01


def test_critical_load_is_where_solve_stops_retrieving():
    """critical_load(protocol='unsupervised', P=2) brackets the end of the retrieval branch
    of theory.solve (docs/models.md §4.3), below the supervised capacity."""
    a_c = theory.critical_load(2, protocol="unsupervised", T=T, r=R, M=M)
    a_sup = theory.critical_load(2, protocol="supervised", T=T, r=R, M=M)
    assert 0.01 < a_c < a_sup
    ds = theory.solve("unsupervised", P=2, T=T, alpha=[a_c * 0.999, a_c * 1.001], r=R, M=M)
    assert float(ds.m[0]) > 0.5 and float(ds.m[1]) < 1e-3
