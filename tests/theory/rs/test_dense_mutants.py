"""Dense (P >= 4) RS kernels (theory.rs.dense) against independent routes (issue 29).

At fixed trial points (not solutions), with the field per unit beta
``S u + b z``, ``S = (P/2)(1+rho)^(P/2-1) nbar^(P-1)``, ``b^2 = alpha P P! q^(P-1)/4``,
``u = 1 + sqrt(rho) Y`` (docs/models.md §4.2):

* the P-spin glass bracket ``1 - P q^(P-1) + (P-1) q^P`` against its power series;
* the map and free energy against NumPy Gauss-Hermite quadrature over Y and z (finite T) and
  the T = 0 closed forms ``E sign = erf(S/(sqrt 2 b))``, ``E|x| = S erf + b sqrt(2/pi) e^...``;
* the paramagnet ``f = -T ln 2 - beta alpha P!/8`` (Gardner 1985).

Eager JAX on scalars only (no solver is compiled here).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gh_two_normals import expect2 as _gh
from scipy.special import erf

from theory import _x64
from theory.rs import dense


def _p(**kw):
    return {k: np.float64(v) for k, v in kw.items()}


@pytest.mark.parametrize("P", [4, 6, 8])
def test_glass_coefficients_are_the_power_series(P):
    for e in (0.0, 0.1, 0.37, 0.9):
        series = sum(c * e**j for j, c in dense._glass_coefficients(P))
        assert series == pytest.approx(1 - P * (1 - e) ** (P - 1) + (P - 1) * (1 - e) ** P,
                                       abs=1e-13)
    assert min(j for j, _ in dense._glass_coefficients(P)) == 2  # vanishes like e^2


@pytest.mark.parametrize("P, alpha", [(4, 0.01), (6, 4e-4)])
def test_map_and_free_energy_at_finite_temperature_equal_quadrature(P, alpha):
    """(beta times the field's spread is about 2: the 80-node rule is exact to 1e-12.)"""
    nbar, C, rho, beta = 0.8, 0.5, 0.2, 2.5
    p = _p(beta=beta, alpha=alpha, rho=rho)
    q = 1 - C / beta
    S = 0.5 * P * (1 + rho) ** (0.5 * P - 1) * nbar ** (P - 1)
    b = math.sqrt(alpha * P * math.factorial(P) * q ** (P - 1) / 4)

    def field(y, z):
        return beta * (S * (1 + math.sqrt(rho) * y) + b * z)

    with _x64.enabled():
        out = np.asarray(dense.rs_map(np.array([nbar, C]), p, P))
        obs = {k: float(v) for k, v in dense.observables(np.array([nbar, C]), p, P).items()}
        fv = float(dense.free_energy_variational(nbar, q, p, P))
    n_new = _gh(lambda y, z: (1 + math.sqrt(rho) * y) * np.tanh(field(y, z))) / (1 + rho)
    c_new = beta * _gh(lambda y, z: 1 / np.cosh(field(y, z)) ** 2)
    np.testing.assert_allclose(out, [n_new, c_new], rtol=0, atol=1e-10)
    assert obs["m"] == pytest.approx(_gh(lambda y, z: np.tanh(field(y, z))), abs=1e-10)
    assert obs["q"] == pytest.approx(_gh(lambda y, z: np.tanh(field(y, z)) ** 2), abs=1e-10)
    assert obs["n"] == nbar
    lc = _gh(lambda y, z: np.logaddexp(field(y, z), -field(y, z))) / beta
    glass = 1 - P * q ** (P - 1) + (P - 1) * q**P
    f = (0.5 * (P - 1) * (1 + rho) ** (P / 2) * nbar**P
         - beta * alpha * math.factorial(P) / 8 * glass - lc)
    assert obs["free_energy"] == pytest.approx(f, abs=1e-10)
    assert fv == pytest.approx(f, abs=1e-10)


def test_zero_temperature_map_and_energy_are_the_closed_forms():
    P, nbar, C, alpha = 4, 0.9, 0.3, 0.01
    p = _p(beta=math.inf, alpha=alpha, rho=0.0)
    S = 2 * nbar**3
    b = math.sqrt(alpha * 4 * 24 / 4)  # q = 1
    a = S / (math.sqrt(2) * b)
    with _x64.enabled():
        out = np.asarray(dense.rs_map(np.array([nbar, C]), p, P))
        obs = {k: float(v) for k, v in dense.observables(np.array([nbar, C]), p, P).items()}
    np.testing.assert_allclose(out, [erf(a), math.sqrt(2 / math.pi) / b * math.exp(-a * a)],
                               rtol=0, atol=1e-12)
    assert obs["q"] == 1.0 and obs["m"] == pytest.approx(erf(a), abs=1e-12)
    e_abs = S * erf(a) + b * math.sqrt(2 / math.pi) * math.exp(-a * a)
    assert obs["free_energy"] == pytest.approx(1.5 * nbar**4 - e_abs, abs=1e-12)


@pytest.mark.parametrize("P", [4, 6])
def test_paramagnet_closed_form(P):
    for T, alpha in ((0.5, 0.01), (2.0, 0.003), (0.0, 0.0), (0.0, 0.01)):
        beta = 1 / T if T else math.inf
        p = _p(beta=beta, alpha=alpha, rho=0.0)
        with _x64.enabled():
            f, exists, stable = (np.asarray(v) for v in dense.paramagnet(p, P))
        assert bool(stable)
        assert bool(exists) == (T > 0 or alpha == 0)
        if T == 0 and alpha > 0:
            assert np.isnan(f)
            continue
        want = (-T * math.log(2) - beta * alpha * math.factorial(P) / 8) if T else 0.0
        assert float(f) == pytest.approx(want, abs=1e-14)
        if T:  # the variational free energy at nbar = q = 0
            with _x64.enabled():
                assert float(dense.free_energy_variational(0.0, 0.0, p, P)) == pytest.approx(
                    want, abs=1e-13)


def test_project_clips_into_the_domain():
    with _x64.enabled():
        for x, beta, want in (([3.0, 5.0], 2.0, [2.0, 2.0]), ([-3.0, -1.0], 2.0, [-2.0, 0.0]),
                              ([0.4, 1.5], 2.0, [0.4, 1.5])):
            got = np.asarray(dense.project(np.array(x), _p(beta=beta)))
            np.testing.assert_array_equal(got, want)
