"""Low-storage closed forms against quadrature and exact sums (issue 29).

At T = 0 the retrieval state of the example protocols has the local field ``1 + sqrt(rho) z``
with z standard normal, so ``m = E sign(1 + sqrt(rho) z)`` and
``n = E |1 + sqrt(rho) z| / (1 + rho)``: integrated here with scipy's adaptive quadrature,
split at the kink. The symmetric s-mixture is checked against its textbook T = 0 values
(Amit, Gutfreund & Sompolinsky 1985: m = 1/2, energy -3/8 for s = 3; m = 3/8 for s = 5) and
against the stationarity of its free energy at finite temperature.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from theory.rs.lowstorage import mixture, zero_temperature_overlap


def _gauss(z):
    return math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _quadrature(rho: float) -> tuple[float, float]:
    k = -1.0 / math.sqrt(rho)  # the field changes sign at z = k
    field = lambda z: 1.0 + math.sqrt(rho) * z  # noqa: E731
    below = integrate.quad(lambda z: _gauss(z), -np.inf, k, epsabs=1e-14, epsrel=1e-13)[0]
    above = integrate.quad(lambda z: _gauss(z), k, np.inf, epsabs=1e-14, epsrel=1e-13)[0]
    abs_below = integrate.quad(lambda z: -field(z) * _gauss(z), -np.inf, k, epsabs=1e-14)[0]
    abs_above = integrate.quad(lambda z: field(z) * _gauss(z), k, np.inf, epsabs=1e-14)[0]
    return above - below, (abs_below + abs_above) / (1.0 + rho)


@pytest.mark.parametrize("rho", [0.05, 0.3, 1.0, 2.5, 10.0])
def test_zero_temperature_overlaps_equal_quadrature(rho):
    m, n = zero_temperature_overlap(rho)
    m_q, n_q = _quadrature(rho)
    assert float(m) == pytest.approx(m_q, abs=1e-11)
    assert float(n) == pytest.approx(n_q, abs=1e-11)


def test_zero_temperature_overlaps_vectorised_and_noise_free_limit():
    rho = np.array([0.0, 0.5, 4.0])
    m, n = zero_temperature_overlap(rho)
    np.testing.assert_array_equal(m[:1], [1.0])
    np.testing.assert_array_equal(n[:1], [1.0])
    for k in (1, 2):
        np.testing.assert_allclose([m[k], n[k]], _quadrature(float(rho[k])), atol=1e-11)


@pytest.mark.parametrize("s, m0", [(3, 0.5), (5, 0.375)])
def test_mixture_zero_temperature_textbook_values(s, m0):
    out = mixture(s, T=0.0)
    assert float(out.m) == pytest.approx(m0, abs=1e-14)
    if s == 3:
        assert float(out.free_energy) == pytest.approx(-0.375, abs=1e-14)


@pytest.mark.parametrize("s, T", [(3, 0.2), (3, 0.4), (5, 0.15)])
def test_mixture_is_a_stationary_point_of_its_free_energy(s, T):
    """``f(m) = s m**2 / 2 - E ln 2cosh(m Z / T) T`` over the 2**s sign patterns: the
    returned m makes df/dm vanish (central differences) and f(m) the returned free energy."""
    signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * s)).reshape(s, -1)
    Z = signs.sum(axis=0)  # all 2**s equally likely patterns

    def f(m):
        return s * m * m / 2 - T * np.mean(np.log(2.0 * np.cosh(m * Z / T)))

    out = mixture(s, T=T)
    m = float(out.m)
    assert 0.05 < m < 1.0
    h = 1e-5
    assert (f(m + h) - f(m - h)) / (2 * h) == pytest.approx(0.0, abs=1e-8)
    assert float(out.free_energy) == pytest.approx(f(m), abs=1e-12)
