"""P = 2 AGS kernels (theory.rs.ags) against independent routes (issue 29, mutation testing).

The fixed-point map, the free energy and the paramagnet are evaluated at fixed trial points
(not solutions) and compared with

* the T = 0 closed forms: with the field ``nbar + sqrt(alpha r) z``,
  ``m = erf(nbar/sqrt(2 alpha r))``, ``C = 2 p(0) = sqrt(2/(pi alpha r)) e^{-nbar^2/(2 alpha r)}``;
* NumPy Gauss-Hermite quadrature over both Gaussians (data ``Y`` and cross-talk ``z``) at
  finite temperature, with ``r = q/(1-C)^2`` written from AGS (1987);
* the paramagnet ``f = (alpha T/2) ln(1 - beta) - T ln 2`` and the spin-glass onset read off
  the map itself: ``q' = slope q`` near ``q = 0``, unstable when the slope exceeds 1.

Eager JAX on scalars only (no solver is compiled here).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gh_two_normals import expect2 as _gh
from scipy.special import erf

from theory import _x64
from theory.rs import ags


def _pp(p):
    return {k: np.float64(v) for k, v in p.items()}


def _call(fn, x, p):
    with _x64.enabled():
        out = fn(np.asarray(x, dtype=float), _pp(p))
        if isinstance(out, dict):
            return {k: np.asarray(v) for k, v in out.items()}
        if isinstance(out, tuple):
            return tuple(np.asarray(v) for v in out)
        return np.asarray(out)


def test_map_and_free_energy_at_zero_temperature_are_the_closed_forms():
    nbar, C, alpha = 0.9, 0.3, 0.05
    p = {"beta": math.inf, "alpha": alpha, "rho": 0.0}
    r = 1.0 / (1.0 - C) ** 2  # q = 1
    s2 = alpha * r
    out = _call(ags.rs_map, [nbar, C], p)
    m = erf(nbar / math.sqrt(2 * s2))
    assert out[0] == pytest.approx(m, abs=1e-12)
    c_new = math.sqrt(2 / (math.pi * s2)) * math.exp(-(nbar**2) / (2 * s2))
    assert out[1] == pytest.approx(c_new, abs=1e-12)
    obs = _call(ags.observables, [nbar, C], p)
    assert obs["r_AGS"] == pytest.approx(r, rel=1e-14)
    assert obs["q"] == 1.0 and obs["n"] == nbar and obs["m"] == pytest.approx(m, abs=1e-12)
    # f = nbar^2/2 - (alpha/2)/(1-C) + (alpha/2) r C - E|nbar + sqrt(s2) z|
    e_abs = nbar * m + math.sqrt(2 * s2 / math.pi) * math.exp(-nbar**2 / (2 * s2))
    f = 0.5 * nbar**2 - 0.5 * alpha / (1 - C) + 0.5 * alpha * r * C - e_abs
    assert obs["free_energy"] == pytest.approx(f, abs=1e-12)


@pytest.mark.parametrize("extra", [False, True], ids=["supervised", "unsupervised-modes"])
def test_map_and_free_energy_at_finite_temperature_equal_quadrature(extra):
    nbar, C, alpha, rho, beta = 0.8, 0.4, 0.06, 0.3, 2.5
    p = {"beta": beta, "alpha": alpha, "rho": rho}
    q = 1.0 - C / beta
    r = q / (1.0 - C) ** 2
    eps, g = 0.2, 3.0
    if extra:
        p |= {"eps": eps, "g_eps": g}
        r += g * eps**2 * q / (1.0 - eps * C) ** 2
    b = math.sqrt(alpha * r)

    def field(y, z):
        return beta * (nbar * (1 + math.sqrt(rho) * y) + b * z)

    out = _call(ags.rs_map, [nbar, C], p)
    n_new = _gh(lambda y, z: (1 + math.sqrt(rho) * y) * np.tanh(field(y, z))) / (1 + rho)
    c_new = beta * _gh(lambda y, z: 1 / np.cosh(field(y, z)) ** 2)
    np.testing.assert_allclose(out, [n_new, c_new], rtol=0, atol=1e-10)
    obs = _call(ags.observables, [nbar, C], p)
    assert obs["r_AGS"] == pytest.approx(r, rel=1e-13)
    assert obs["q"] == pytest.approx(_gh(lambda y, z: np.tanh(field(y, z)) ** 2), abs=1e-10)
    assert obs["m"] == pytest.approx(_gh(lambda y, z: np.tanh(field(y, z))), abs=1e-10)
    lc = _gh(lambda y, z: np.logaddexp(field(y, z), -field(y, z))) / beta
    T, q_avg = 1 / beta, _gh(lambda y, z: np.tanh(field(y, z)) ** 2)

    def f_of(qq):  # qq: the q of the -alpha q / (2 (1 - C)) terms
        f = (0.5 * (1 + rho) * nbar**2 + 0.5 * alpha * T * math.log(1 - C)
             - 0.5 * alpha * qq / (1 - C) + 0.5 * alpha * r * C - lc)
        if extra:
            De = 1 - eps * C
            f += g * (0.5 * alpha * T * math.log(De) - 0.5 * alpha * eps * qq / De)
        return f

    # observables: q = E tanh^2 (equal to 1 - C/beta at a solution)
    assert obs["free_energy"] == pytest.approx(f_of(q_avg), abs=1e-10)
    # the variational form at (nbar, q, r), q = 1 - C/beta
    with _x64.enabled():
        fv = float(ags.free_energy_variational(nbar, q, r, _pp(p)))
    assert fv == pytest.approx(f_of(q), abs=1e-10)


def test_zero_temperature_free_energy_is_the_large_beta_limit_at_fixed_point():
    """At fixed (nbar, C) the beta = inf branch is the limit of the finite-beta one."""
    x, p = [0.85, 0.5], {"alpha": 0.04, "rho": 0.2}
    cold = _call(ags.observables, x, p | {"beta": math.inf})
    warm = _call(ags.observables, x, p | {"beta": 1e7})
    for k in ("m", "q", "free_energy", "r_AGS"):
        assert warm[k] == pytest.approx(cold[k], abs=1e-6), k


@pytest.mark.parametrize("alpha", [0.0, 0.09])
def test_paramagnet_closed_form_and_spin_glass_line(alpha):
    """f = (alpha T/2) ln(1 - beta) - T ln 2, exists for beta < 1 (any beta at alpha = 0),
    stable above T_g = 1 + sqrt(alpha) (AGS)."""
    Tg = 1 + math.sqrt(alpha)
    for T in (0.5, 0.7, 0.9 * Tg, 1.1 * Tg, 3.0):
        beta = 1 / T
        p = {"beta": beta, "alpha": alpha}
        f, exists, stable = _call(lambda _, pp: ags.paramagnet(pp), None, p)
        assert bool(stable) == (T > Tg)
        assert bool(exists) == (alpha == 0.0 or beta < 1.0)
        if exists:
            want = -T * math.log(2) + (0.5 * alpha * T * math.log(1 - beta) if alpha else 0.0)
            assert float(f) == pytest.approx(want, abs=1e-14)
        else:
            assert np.isnan(f)


@pytest.mark.parametrize("T", [1.23, 1.257, 1.29, 2.2])  # onset at T = 1.2581
def test_paramagnet_with_modes_matches_the_map_and_the_variational_form(T):
    """Unsupervised spectrum: the stability flag is the slope of q' = map(q) at q -> 0 below
    one, and f is the variational free energy at nbar = q = r = 0."""
    p = {"beta": 1 / T, "alpha": 0.05, "rho": 0.0, "eps": 0.6, "g_eps": 6.0}
    f, exists, stable = _call(lambda _, pp: ags.paramagnet(pp), None, p)
    q = 1e-7
    C_new = _call(ags.rs_map, [0.0, p["beta"] * (1 - q)], p)[1]
    slope = (1 - C_new / p["beta"]) / q
    assert bool(exists) and bool(stable) == (slope < 1)
    with _x64.enabled():
        fv = float(ags.free_energy_variational(0.0, 0.0, 0.0, _pp(p)))
    assert float(f) == pytest.approx(fv, abs=1e-13)


def test_paramagnet_with_modes_does_not_exist_below_T_1():
    """beta > 1: ln(1 - beta) is undefined, no paramagnet (and so none stable), even where
    the onset sum happens to lie below one (here 0.97 at T = 1/4)."""
    p = {"beta": 4.0, "alpha": 0.05, "rho": 0.0, "eps": 0.6, "g_eps": 6.0}
    f, exists, stable = _call(lambda _, pp: ags.paramagnet(pp), None, p)
    assert not bool(exists) and not bool(stable) and np.isnan(f)


def test_project_clips_into_the_domain():
    """0 <= C <= beta, and C < 1 (1 - C > 0: the RS saddle point) when alpha > 0."""
    assert 0.0 < 1.0 - ags.C_MAX < 1e-9
    p = {"beta": 10.0, "alpha": 0.05}
    np.testing.assert_array_equal(_call(ags.project, [3.0, 5.0], p), [2.0, ags.C_MAX])
    np.testing.assert_array_equal(_call(ags.project, [-3.0, -1.0], p), [-2.0, 0.0])
    np.testing.assert_array_equal(_call(ags.project, [0.5, 0.7], p), [0.5, 0.7])
    np.testing.assert_array_equal(_call(ags.project, [1.0, 5.0], p | {"alpha": 0.0}), [1.0, 5.0])
    np.testing.assert_array_equal(_call(ags.project, [1.0, 0.9], p | {"beta": 0.5}), [1.0, 0.5])
