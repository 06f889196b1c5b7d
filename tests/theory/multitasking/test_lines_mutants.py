"""Thresholds of the multitasking network (theory.multitasking.lines) against independent
routes (issue 29, mutation testing):

* d_c(K) against the roots of 1 - d - ... - d^(K-1) (numpy.roots) and the golden ratio;
* the cascade m_k = (1-d) d^(k-1) as a T = 0 fixed point, E[xi^k sign h] by enumeration;
* d_par(rho) as the dilution where the quartic moment E[h^4] of the field is the same along
  one pattern and along the symmetric direction (Landau), E[h^4] by Gauss-Hermite quadrature
  over the data noises and enumeration over the patterns.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import brentq

import theory.multitasking as mt


@pytest.mark.parametrize("K", [3, 4, 5, 6])
def test_critical_dilution_is_the_root_of_the_cascade_polynomial(K):
    roots = np.roots([-1.0] * (K - 1) + [1.0])  # -d^(K-1) - ... - d + 1
    real = [r.real for r in roots if abs(r.imag) < 1e-12 and 0.5 < r.real < 1.0]
    assert len(real) == 1
    assert mt.critical_dilution(K) == pytest.approx(real[0], abs=1e-14)


def test_critical_dilution_small_K_and_golden_ratio():
    assert mt.critical_dilution(1) == 1.0 and mt.critical_dilution(2) == 1.0
    assert mt.critical_dilution(3) == pytest.approx((math.sqrt(5) - 1) / 2, abs=1e-15)


def _sign_update(m, d):
    """E[xi^k sign(sum_nu xi^nu m_nu)] by enumeration of the 3^K patterns (tie = 0)."""
    out = np.zeros(len(m))
    for xi in itertools.product((-1, 0, 1), repeat=len(m)):
        p = math.prod(d if v == 0 else (1 - d) / 2 for v in xi)
        out += p * np.array(xi) * np.sign(np.dot(xi, m))
    return out


def test_cascade_is_a_zero_temperature_fixed_point():
    for K, d in [(4, 0.3), (3, 0.6), (2, 0.9)]:
        m = mt.cascade(K, d)
        np.testing.assert_allclose(m, [(1 - d) * d**k for k in range(K)], atol=1e-15)
        np.testing.assert_allclose(_sign_update(m, d), m, atol=1e-14)
    two = mt.cascade(3, np.array([[0.0], [0.5]]))
    assert two.shape == (2, 1, 3)
    np.testing.assert_allclose(two[:, 0], [[1.0, 0.0, 0.0], [0.5, 0.25, 0.125]], atol=1e-15)


def test_cascade_domain_ends_at_critical_dilution():
    dc = mt.critical_dilution(3)
    assert mt.cascade(3, np.nextafter(dc, 0.0))[0] > 0
    with pytest.raises(ValueError, match=r"d_c\(K=3\).*got d=0\.7\. "):  # the first bad one
        mt.cascade(3, [0.1, 0.7, 0.65])
    with pytest.raises(ValueError, match=r"got d=0\.618"):
        mt.cascade(3, dc)
    with pytest.raises(ValueError, match=r"got d=0\.7"):
        mt.cascade(3, 0.7)


def test_critical_temperature_values_and_types():
    Tc = mt.critical_temperature(0.25, rho=3.0)
    assert isinstance(Tc, float) and Tc == 0.75
    assert mt.critical_temperature(0.4) == pytest.approx(0.6, abs=1e-15)
    arr = mt.critical_temperature(np.array([0.0, 0.5]), rho=0.0)
    assert isinstance(arr, np.ndarray)
    np.testing.assert_allclose(arr, [1.0, 0.5], atol=1e-15)


def test_entropy_bounds():
    assert isinstance(mt.parallel_dilution(1e6), float)
    assert mt.parallel_dilution(0.0) == pytest.approx(2 / 3, abs=1e-15)
    with pytest.raises(ValueError, match="rho"):
        mt.parallel_dilution(1e6 + 1.0)
    with pytest.raises(ValueError, match="rho"):
        mt.parallel_dilution(-0.5)


def _quartic(d, rho, direction, nodes=20):
    """E[h^4], h = sum_nu xi^nu n_nu (1 + sqrt(rho) Y_nu), K = 2, unit direction n."""
    y, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    Y1, Y2 = np.meshgrid(y, y, indexing="ij")
    W = np.outer(w, w)
    n = np.asarray(direction, float) / np.linalg.norm(direction)
    total = 0.0
    for xi in itertools.product((-1, 0, 1), repeat=2):
        p = math.prod(d if v == 0 else (1 - d) / 2 for v in xi)
        h = xi[0] * n[0] * (1 + math.sqrt(rho) * Y1) + xi[1] * n[1] * (1 + math.sqrt(rho) * Y2)
        total += p * np.sum(W * h**4)
    return total


@pytest.mark.parametrize("rho", [0.0, 0.2, 1.0, 3.0])
def test_parallel_dilution_is_where_the_quartic_terms_tie(rho):
    """At T_c the quadratic term of f vanishes in every direction (E h^2 is isotropic); the
    state whose direction has the larger E[h^4] (the more negative quartic of -E ln cosh)
    condenses first: one pattern below d_par, both equally above."""
    def gap(d):
        return _quartic(d, rho, [1, 1]) - _quartic(d, rho, [1, 0])

    ref = brentq(gap, 1e-6, 1 - 1e-6, xtol=1e-14)
    assert mt.parallel_dilution(rho) == pytest.approx(ref, abs=1e-10)
    both = mt.parallel_dilution(np.array([rho, 0.0]))
    assert isinstance(both, np.ndarray) and both[0] == pytest.approx(ref, abs=1e-10)
