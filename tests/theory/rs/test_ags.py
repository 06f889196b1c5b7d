"""P = 2 high storage (AGS): published capacity, T_g, T = 0 limit, data, stationarity."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf

import theory
from theory import _x64
from theory.rs import ags


def test_published_capacity():
    """AGS: alpha_c(T = 0) = 0.1379 with m_c = 0.967."""
    alpha_c, m_c = theory.critical_point(2, protocol="hebbian")
    assert alpha_c == pytest.approx(0.1379, abs=2e-4)
    assert m_c == pytest.approx(0.967, abs=1e-3)
    assert theory.critical_load(2, protocol="hebbian") == alpha_c


def test_zero_temperature_matches_ags_closed_equation():
    """T = 0: m = erf(y) with y (sqrt(2 alpha) + (2/sqrt(pi)) e^{-y^2}) = erf(y)."""
    alpha = np.array([0.02, 0.08, 0.13])
    ds = theory.solve(P=2, T=0.0, alpha=alpha)
    for a, m in zip(alpha, ds.m.values):
        g = lambda y, a=a: y * (np.sqrt(2 * a) + 2 / np.sqrt(np.pi) * np.exp(-y * y)) - erf(y)  # noqa: E731
        y = brentq(g, 1.5, 8.0, xtol=1e-15)  # the largest root is the retrieval state
        assert m == pytest.approx(erf(y), abs=1e-9)


def test_spin_glass_onset_is_T_g():
    """The spin-glass branch has q > 0 just below T_g = 1 + sqrt(alpha) and q = 0 above."""
    alpha = np.array([0.05, 0.1])
    Tg = theory.T_g(alpha)
    np.testing.assert_allclose(Tg, 1 + np.sqrt(alpha))
    below = theory.solve(P=2, T=Tg - 0.02, alpha=alpha, branch="spinglass")
    above = theory.solve(P=2, T=Tg + 0.02, alpha=alpha, branch="spinglass")
    q_below = np.diag(below.q.values)
    q_above = np.diag(above.q.values)
    assert np.all(q_below > 1e-3) and np.all(q_above < 1e-6)
    # near T_g, q ~ (T_g - T) * const: the jump is continuous
    assert np.all(q_below < 0.1)


def test_zero_temperature_is_the_large_beta_limit():
    alpha = np.array([0.03, 0.1])
    cold = theory.solve(P=2, T=[0.0, 0.002], alpha=alpha)
    # differences are O(T) (entropy) or smaller
    np.testing.assert_allclose(cold.m[0], cold.m[1], atol=1e-6)
    np.testing.assert_allclose(cold.free_energy[0], cold.free_energy[1], atol=1e-4)
    np.testing.assert_allclose(cold.r_AGS[0], cold.r_AGS[1], rtol=1e-3)


def test_supervised_with_rho0_is_ags_exactly():
    kw = dict(P=2, T=[0.0, 0.3], alpha=[0.05, 0.1])
    heb = theory.solve("hebbian", **kw)
    sup = theory.solve("supervised", rho=0.0, **kw)
    for v in ("m", "n", "q", "free_energy"):
        np.testing.assert_array_equal(heb[v].values, sup[v].values)
    # data lower the retrieval overlap
    noisy = theory.solve("supervised", rho=0.2, **kw)
    assert np.all(noisy.m.values < heb.m.values)


@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_equations_are_stationarity_of_free_energy(rho):
    """The autodiff gradient of f(nbar, q, r) vanishes at the solver's solution."""
    T, alpha = 0.3, 0.05
    ds = theory.solve("supervised", P=2, T=T, alpha=alpha, rho=rho)
    x = np.array([float(ds.n), float(ds.q), float(ds.r_AGS)])
    p = {"beta": 1 / T, "alpha": alpha, "rho": rho}
    with _x64.enabled():
        grad = jax.grad(lambda v: ags.free_energy_variational(v[0], v[1], v[2], p))(x)
        f = ags.free_energy_variational(*x, p)
    np.testing.assert_allclose(np.asarray(grad), 0.0, atol=1e-8)
    assert float(f) == pytest.approx(float(ds.free_energy), abs=1e-10)


def test_finite_M_law_at_high_storage_tends_to_gaussian():
    kw = dict(P=2, T=0.3, alpha=0.05, r=0.8, M=[4, 16, 48])
    exact = theory.solve("supervised", finite_M=True, **kw).m.values
    gauss = theory.solve("supervised", **kw).m.values
    gap = np.abs(exact - gauss)
    assert gap[0] > gap[1] > gap[2] and gap[2] < 5e-4
