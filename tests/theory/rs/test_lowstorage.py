"""Low storage (alpha = 0): closed forms, published values, limits between protocols/laws."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf
from scipy.stats import binom

import theory

SOLVER_TOL = 1e-9


def test_hebbian_P2_is_curie_weiss():
    """m = tanh(beta m) (AGS, low load), solved independently with brentq."""
    T = np.array([0.2, 0.5, 0.8, 0.95])
    ds = theory.solve(P=2, T=T, alpha=0.0)
    expected = [brentq(lambda m, t=t: m - np.tanh(m / t), 1e-3, 1.0, xtol=1e-15) for t in T]
    np.testing.assert_allclose(ds.m, expected, rtol=0, atol=10 * SOLVER_TOL)
    assert bool(ds.stable.all()) and bool(ds.converged.all())
    # above T = 1 the retrieval start falls to the paramagnet m = 0
    hot = theory.solve(P=2, T=1.2)
    assert abs(float(hot.m)) < 1e-8


@pytest.mark.parametrize("P", [2, 4, 6], ids=lambda p: f"P={p}")
def test_zero_temperature_overlap_is_erf(P):
    """T = 0, any P (docs/models.md §3, convention free): m = erf(1/sqrt(2 rho))."""
    rho = np.array([0.1, 0.5, 1.0])
    ds = theory.solve("supervised", P=P, T=0.0, rho=rho)
    np.testing.assert_allclose(ds.m, erf(1 / np.sqrt(2 * rho)), atol=1e-12)
    n = (erf(1 / np.sqrt(2 * rho)) + np.sqrt(2 * rho / np.pi) * np.exp(-0.5 / rho)) / (1 + rho)
    np.testing.assert_allclose(ds.n, n, atol=1e-12)
    np.testing.assert_allclose(ds.m, [0.998435, 0.842701, 0.682689], atol=1e-6)  # docs/models.md


def test_supervised_rho_to_zero_is_hebbian():
    T = np.array([0.0, 0.3, 0.7])
    heb = theory.solve("hebbian", P=4, T=T)
    sup = theory.solve("supervised", P=4, T=T, rho=1e-12)
    np.testing.assert_allclose(sup.m, heb.m, atol=1e-9)
    np.testing.assert_allclose(sup.free_energy, heb.free_energy, atol=1e-9)


def test_finite_M_matches_direct_binomial_sum_at_T0():
    """Exact finite-M law at T = 0: m = P(chi > 0) - P(chi < 0), n = E|a| (independent sum)."""
    r, Ms = 0.5, np.array([3, 10, 40])
    ds = theory.solve("supervised", P=2, T=0.0, r=r, M=Ms, finite_M=True)
    for M, m, n in zip(Ms, ds.m.values, ds.n.values):
        k = np.arange(M + 1)
        w = binom.pmf(k, M, (1 + r) / 2)
        chi = (2 * k - M) / M
        rho = (1 - r * r) / (M * r * r)
        assert m == pytest.approx((w * np.sign(chi)).sum(), abs=1e-12)
        assert n == pytest.approx((w * np.abs(chi)).sum() / (r * (1 + rho)), abs=1e-12)


def test_finite_M_law_tends_to_gaussian_law():
    r, T = 0.4, 0.5
    Ms = np.array([3, 10, 40])  # same binomial support bucket as the T = 0 test (one compile)
    exact = theory.solve("supervised", P=2, T=T, r=r, M=Ms, finite_M=True).m.values
    gauss = theory.solve("supervised", P=2, T=T, r=r, M=Ms).m.values
    gap = np.abs(exact - gauss)
    assert gap[0] > gap[1] > gap[2]
    assert gap[0] > 5 * gap[2] and gap[2] < 2e-3


def test_three_mixture_published_values():
    """AGS: symmetric 3-mixture has m = 1/2 at T = 0 and is stable below T ~ 0.46."""
    ds = theory.mixture(3, T=[0.0, 0.40, 0.50])
    assert float(ds.m[0]) == pytest.approx(0.5, abs=1e-14)
    assert ds.stable.values.tolist() == [True, True, False]
    # the mixture lies above the pure state in free energy at T = 0 (-1/2 pure, -3/8 mixture)
    assert float(ds.free_energy[0]) == pytest.approx(-0.375, abs=1e-12)


def test_P4_spinodal_published_value():
    """P = 4, rho = 0: beta_sp = min_m artanh(m)/(2 m^3) = 1.00850 at m = 0.8895."""
    T = theory.temperature_line(4, 0.0, kind="spinodal")
    assert 1.0 / float(T) == pytest.approx(1.00850, abs=5e-5)
    ds = theory.solve(P=4, T=float(T) * (1 - 1e-7))
    assert float(ds.m) == pytest.approx(0.8895, abs=2e-3)


def test_unsupervised_low_storage_equals_supervised():
    """docs/models.md §3: at alpha = 0 the archetype branch has identical equations."""
    kw = dict(P=4, T=[0.0, 0.3], r=0.5, M=20)
    uns = theory.solve("unsupervised", **kw)
    sup = theory.solve("supervised", **kw)
    np.testing.assert_array_equal(uns.m.values, sup.m.values)
