"""P >= 4 high storage: convention-free capacity, T = 0 closed equation, stationarity."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf

import theory
from theory import _x64
from theory.rs import dense


def test_P4_capacity_in_Delta():
    """docs/models.md §4.2: P = 4 Delta_c = 0.19786 (m_c = 0.9179), alpha_c = 0.032977."""
    alpha_c, m_c = theory.critical_point(4, protocol="hebbian")
    assert alpha_c * math.factorial(4) / 4 == pytest.approx(0.1979, abs=1e-4)
    assert alpha_c == pytest.approx(0.03298, abs=2e-5)
    assert m_c == pytest.approx(0.9179, abs=1e-3)


def test_zero_temperature_closed_equation():
    """rho = 0, T = 0: m = erf(m^(P-1)/sqrt(2 Delta)), largest root (brentq)."""
    Delta = np.array([0.05, 0.15])
    ds = theory.solve(P=4, T=0.0, alpha=Delta * 4 / 24)
    for D, m in zip(Delta, ds.m.values):
        root = brentq(lambda x, D=D: x - erf(x**3 / np.sqrt(2 * D)), 0.8, 1.0, xtol=1e-15)
        assert m == pytest.approx(root, abs=1e-9)


def test_zero_temperature_is_the_large_beta_limit():
    """1 - q = O(T) enters b^2 ~ q^(P-1), so m(T) - m(0) = O(T): compare the exact T = 0
    result with the linear (Richardson) extrapolation of two small temperatures."""
    ds = theory.solve("supervised", P=4, T=[0.0, 0.0005, 0.001], alpha=0.02, rho=0.1)
    m0, m1, m2 = ds.m.values
    f0, f1, f2 = ds.free_energy.values
    assert abs(m1 - m0) < abs(m2 - m0)  # approaches the T = 0 value
    assert m0 == pytest.approx(2 * m1 - m2, abs=2e-6)
    assert f0 == pytest.approx(2 * f1 - f2, abs=2e-6)


@pytest.mark.parametrize("rho", [0.0, 0.2])
def test_equations_are_stationarity_of_free_energy(rho):
    T, alpha, P = 0.4, 0.01, 4
    ds = theory.solve("supervised", P=P, T=T, alpha=alpha, rho=rho)
    x = np.array([float(ds.n), float(ds.q)])
    p = {"beta": 1 / T, "alpha": alpha, "rho": rho}
    with _x64.enabled():
        grad = jax.grad(lambda v: dense.free_energy_variational(v[0], v[1], p, P))(x)
        f = dense.free_energy_variational(*x, p, P)
    np.testing.assert_allclose(np.asarray(grad), 0.0, atol=1e-8)
    assert float(f) == pytest.approx(float(ds.free_energy), abs=1e-10)


def test_unsupervised_high_storage_rescales_the_load():
    """Unsupervised: Delta -> Delta (1 + rho_P)/(1 + rho)^P (docs/models.md §4.2)."""
    r, M, P, alpha = 0.9, 50, 4, 0.01
    rho = (1 - r * r) / (M * r * r)
    rho_P = (1 - r ** (2 * P)) / (M * r ** (2 * P))
    uns = theory.solve("unsupervised", P=P, T=0.0, alpha=alpha, r=r, M=M)
    sup = theory.solve(
        "supervised", P=P, T=0.0, alpha=alpha * (1 + rho_P) / (1 + rho) ** P, rho=rho
    )
    assert float(uns.m) == pytest.approx(float(sup.m), abs=1e-12)
