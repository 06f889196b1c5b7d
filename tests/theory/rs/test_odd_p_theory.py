"""Odd interaction orders in the RS theory (docs/models.md §4.2 holds for every P >= 3).

References, each independent of the solver's code path:

- T = 0 capacity: at T = 0 the retrieval equation is m = erf(P m^(P-1) / (2 sqrt(2 c))),
  c = alpha P P!/4, so alpha_c = max_m (2 / (P P!)) (P m^(P-1) / (2 erfinv m))**2 (a
  one-line maximisation, no Gaussian quadrature, no fixed point);
- low storage: m = tanh(beta P m^(P-1) / 2) by bisection;
- finite T and load: a plain damped iteration of the same equations written in the peer
  paper's units (arXiv 2401.04191: alpha' = P! alpha, T' = 2 T), with a fine
  trapezoid rule;
- Monte Carlo of the P = 3 network at low load.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erfinv

import montecarlo
import theory


def _alpha_c_closed_form(P: int) -> float:
    m = np.linspace(0.3, 1.0 - 1e-9, 400_001)
    a = 2.0 / (P * math.factorial(P)) * (P * m ** (P - 1) / (2.0 * erfinv(m))) ** 2
    return float(a.max())


@pytest.mark.parametrize("P", [3, 5])
def test_zero_temperature_capacity_matches_closed_form(P):
    assert theory.critical_load(P) == pytest.approx(_alpha_c_closed_form(P), rel=1e-7)


def test_p3_capacity_value():
    """P = 3, T = 0: alpha_c = 0.12610 (Delta_c = alpha_c P!/P = 0.2522; the peer's units
    alpha'_c = 3! alpha_c = 0.7566)."""
    assert theory.critical_load(3) == pytest.approx(0.126095, abs=2e-6)


@pytest.mark.parametrize("P, T", [(3, 0.6), (3, 0.8), (5, 0.5)])
def test_low_storage_overlap_matches_scalar_equation(P, T):
    beta = 1.0 / T
    m = brentq(lambda x: x - np.tanh(beta * P * x ** (P - 1) / 2.0), 0.75, 1.0)
    ds = theory.solve("hebbian", P=P, T=T, alpha=0.0)
    assert bool(ds.converged) and float(ds.m) == pytest.approx(m, abs=1e-9)
    # f = (P - 1) m^P / 2 - T ln 2cosh(beta P m^(P-1) / 2)
    f = (P - 1) * m**P / 2 - T * np.log(2 * np.cosh(beta * P * m ** (P - 1) / 2))
    assert float(ds.free_energy) == pytest.approx(f, abs=1e-9)


def _peer_units_iteration(P, T, alpha, start):
    """(m, q) of docs/models.md §4.2 in the peer's units, plain damped iteration."""
    Tp, ap = 2.0 * T, math.factorial(P) * alpha  # T' = 2 T, alpha' = P! alpha
    z = np.linspace(-12.0, 12.0, 6001)  # trapezoid rule: exponentially accurate here
    w = np.exp(-0.5 * z * z)
    w = w / w.sum()
    m, q = start
    for _ in range(20_000):
        h = (P * m ** (P - 1) + np.sqrt(ap * P * q ** (P - 1)) * z) / Tp
        m_new, q_new = w @ np.tanh(h), w @ np.tanh(h) ** 2
        if abs(m_new - m) + abs(q_new - q) < 1e-14:
            break
        m, q = 0.5 * (m + m_new), 0.5 * (q + q_new)
    return m_new, q_new


@pytest.mark.parametrize("P, T, alpha", [(3, 0.4, 0.06), (3, 0.6, 0.02), (5, 0.3, 0.002)])
def test_finite_temperature_retrieval_matches_peer_unit_iteration(P, T, alpha):
    m, q = _peer_units_iteration(P, T, alpha, (1.0, 1.0))
    ds = theory.solve("hebbian", P=P, T=T, alpha=alpha)
    assert bool(ds.converged) and bool(ds.stable)
    assert float(ds.m) == pytest.approx(m, abs=1e-8)
    assert float(ds.q) == pytest.approx(q, abs=1e-8)


def test_spin_glass_branch_matches_peer_unit_iteration():
    m, q = _peer_units_iteration(3, 0.3, 0.2, (0.0, 1.0))
    ds = theory.solve("hebbian", P=3, T=0.3, alpha=0.2, branch="spinglass")
    assert abs(m) < 1e-12 and abs(float(ds.m)) < 1e-12
    assert float(ds.q) == pytest.approx(q, abs=1e-8)


def test_odd_p_overlaps_are_signed_not_folded():
    """The retrieval branch of odd P has n >= 0 by itself (the signal n^(P-1) >= 0); the
    solver does not fold the sign (even P folds the global flip)."""
    ds = theory.solve("hebbian", P=3, T=[0.0, 0.5], alpha=[0.0, 0.05])
    assert np.all(ds.m.values > 0.9)
    line = theory.lines.temperature_line(3, [0.0, 0.05])
    # P = 3, alpha = 0: the spinodal of m = tanh(3 m^2 / (2 T)) (saddle-node), where the
    # largest excess max_x [tanh(1.5 x^2 / T) - x] of the map over the identity reaches zero
    def excess(T: float) -> float:
        peak = minimize_scalar(lambda x: x - np.tanh(1.5 * x * x / T), bounds=(0.3, 1.0),
                               method="bounded", options={"xatol": 1e-12})  # fmt: skip
        return -peak.fun

    T_sp = brentq(excess, 0.85, 0.95, xtol=1e-13)  # 0.873874...
    assert line[0] == pytest.approx(T_sp, abs=1e-6)
    assert line[1] < line[0]


def test_p3_monte_carlo_matches_low_storage_theory():
    """N = 1000, K = 1 (alpha = K/N^2 = 1e-6): m from Monte Carlo within its error bar and
    the finite-size corrections O(1/N) of the alpha = 0 theory, T = 0.7 (m = 0.962)."""
    xi = montecarlo.archetypes(1, 1000, seed=3)
    net = montecarlo.DenseHebbianNetwork(3, patterns=xi)
    res = net.sample(T=0.7, sweeps=300, burn_in=50, chains=4, seed=5)
    m_mc = float(res.m.mean())
    err = float(np.sqrt((res.m_err**2).sum())) / 4
    m_th = float(theory.solve("hebbian", P=3, T=0.7, alpha=0.0).m)
    assert abs(m_mc - m_th) < 4 * err + 2.0 / 1000
