"""P = 2 student of the Curie-Weiss teacher, RS kernels (theory.rs.teacher_p2) against
independent routes (issue 29, mutation testing).

* The map and the free energy at a fixed trial point (not a solution) against NumPy
  Gauss-Hermite quadrature of the equations of docs/teacher-student.md ("P = 2 student"):
  h / beta = m eta + t xi + sqrt(alpha r) z with eta, xi = +-1, t = alpha kappa q*/(1 - C),
  r = (q + kappa q*^2)/(1 - C)^2, q = 1 - C/beta.
* The variational free energy f(m, q*, q, r, t) at a solution found here by a NumPy
  iteration of that map (the teacher state at T = 0.8, T* = 1.5): its central
  differences in every variable vanish and its value is the reported free energy.
* The replicon against quadrature of 1 - alpha beta^2 E sech^4 h/(1 - C)^2, and at the
  paramagnet against its zero at T_g = 1 + sqrt(alpha).
* The paramagnet's closed form f = (alpha T/2) ln(1 - beta) - T ln 2 and its stability
  above max(1 + sqrt(alpha), 1 + alpha kappa).
* The projection against theory.rs.ags.project (the same C domain) and |m|, |q*| <= 1.

Eager JAX on scalars and NumPy only (no solver is compiled here).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from theory import _x64
from theory.rs import ags
from theory.rs import teacher_p2 as tp


def _E(g, beta, mu, sd):
    """E g(beta x), x ~ N(mu, sd^2), by the trapezoid rule in x on mu +- 12 sd (4001 nodes:
    spectrally accurate for these integrands, analytic in a strip of half-width pi/(2 beta))."""
    x = mu + sd * np.linspace(-12.0, 12.0, 4001)
    w = np.exp(-0.5 * ((x - mu) / sd) ** 2)
    return float(np.sum(w * g(beta * x)) / np.sum(w))


def _sech2(u):
    return 1.0 / np.cosh(u) ** 2


def _fields(x, beta, kappa, alpha):
    m, qs, C = x
    q = 1.0 - C / beta
    t = alpha * kappa * qs / (1.0 - C)
    r = (q + kappa * qs**2) / (1.0 - C) ** 2
    return m, qs, C, q, t, r, math.sqrt(alpha * r)


def _map(x, beta, kappa, alpha):
    """(m', q*', C') averaged over the four (eta, xi): field means +-(m + t), +-(m - t)."""
    m, _, _, _, t, _, sd = _fields(x, beta, kappa, alpha)
    Tp, Tm = _E(np.tanh, beta, m + t, sd), _E(np.tanh, beta, m - t, sd)
    Sp, Sm = _E(_sech2, beta, m + t, sd), _E(_sech2, beta, m - t, sd)
    return np.array([0.5 * (Tp + Tm), 0.5 * (Tp - Tm), 0.5 * beta * (Sp + Sm)])


def _call(fn, *args):
    with _x64.enabled():
        out = fn(*args)
        if isinstance(out, dict):
            return {k: np.asarray(v) for k, v in out.items()}
        return np.asarray(out)


P_TRIAL = {"beta": 1.25, "kappa": 1.5, "alpha": 0.3}
X_TRIAL = (0.4, 0.3, 0.35)


def test_map_at_a_trial_point_is_the_quadrature():
    p = {k: np.float64(v) for k, v in P_TRIAL.items()}
    ours = _call(tp.rs_map, np.array(X_TRIAL), p)
    want = _map(X_TRIAL, *P_TRIAL.values())
    np.testing.assert_allclose(ours, want, rtol=0, atol=1e-12)


def test_free_energy_at_a_trial_point_is_the_quadrature():
    """f = m^2/2 + (alpha T/2) ln(1 - C) - (alpha/2)(q_h + a)/(1 - C) + (alpha/2) r C + t q*
    - E ln 2cosh(h)/beta, with q_h = E tanh^2 h (as theory.rs.ags) and a = kappa q*^2."""
    beta, kappa, alpha = P_TRIAL.values()
    p = {k: np.float64(v) for k, v in P_TRIAL.items()}
    obs = _call(tp.observables, np.array(X_TRIAL), p)
    m, qs, C, _, t, r, sd = _fields(X_TRIAL, beta, kappa, alpha)
    means = (m + t, m - t)
    L = np.mean([_E(lambda u: np.logaddexp(u, -u), beta, mu, sd) for mu in means]) / beta
    q_h = np.mean([_E(lambda u: np.tanh(u) ** 2, beta, mu, sd) for mu in means])
    Q = q_h + kappa * qs**2
    f = (0.5 * m**2 + 0.5 * alpha / beta * math.log(1 - C) - 0.5 * alpha * Q / (1 - C)
         + 0.5 * alpha * r * C + t * qs - L)  # fmt: skip
    assert obs["free_energy"] == pytest.approx(f, abs=1e-12)
    assert obs["t"] == pytest.approx(t, rel=1e-14)
    assert obs["sd"] == pytest.approx(sd, rel=1e-14)
    assert obs["q"] == pytest.approx(q_h, abs=1e-12)


def test_variational_free_energy_is_stationary_at_the_teacher_state():
    """T = 0.8, teacher at T* = 1.5 (kappa = 1/(T* - 1) = 2), alpha = 1: the teacher state
    (m = 0, q* > 0) from a NumPy iteration of the map; central differences of
    f(m, q*, q, r, t) vanish to O(h^2) and f equals observables' free energy there."""
    beta, kappa, alpha = 1 / 0.8, 2.0, 1.0
    x = np.array([0.0, 1.0, 0.0])
    for _ in range(400):
        x = x + 0.5 * (_map(x, beta, kappa, alpha) - x)
    assert np.abs(_map(x, beta, kappa, alpha) - x).max() < 1e-14 and x[1] > 0.5
    _, qs, C, q, t, r, _ = _fields(x, beta, kappa, alpha)
    v = np.array([0.0, qs, q, r, t])
    h = 1e-4
    steps = np.vstack([np.zeros(5), h * np.eye(5), -h * np.eye(5)])
    p = {"beta": np.float64(beta), "kappa": np.float64(kappa), "alpha": np.float64(alpha)}
    f = np.array([_call(tp.free_energy_variational, *w, p) for w in v + steps])  # scalars
    obs = _call(tp.observables, x, p)
    assert f[0] == pytest.approx(float(obs["free_energy"]), abs=1e-11)
    np.testing.assert_array_less(np.abs(f[1:6] - f[6:]) / (2 * h), 1e-7)


def test_replicon_is_the_quadrature_and_minus_inf_at_zero_temperature():
    beta = np.array([1.25, 2.0])
    alpha, q = np.array([0.3, 0.1]), np.array([0.72, 0.9])
    m, t, sd = np.array([0.4, 0.1]), np.array([0.2, 0.5]), np.array([0.8, 0.3])
    want = [1 - a * b**2 * 0.5 * (_E(lambda u: _sech2(u) ** 2, b, mm + tt, s)
                                  + _E(lambda u: _sech2(u) ** 2, b, mm - tt, s))
            / (1 - b * (1 - qq)) ** 2
            for b, a, qq, mm, tt, s in zip(beta, alpha, q, m, t, sd)]  # fmt: skip
    np.testing.assert_allclose(tp.replicon(beta, alpha, q, m, t, sd), want, rtol=0, atol=1e-12)
    # T = 0: RS is AT-unstable under load, alpha = 0 has no replicon mode (1)
    zero = tp.replicon(np.inf, np.array([0.5, 0.0]), 1.0, 0.9, 0.1, 0.2)
    assert zero.tolist() == [-np.inf, 1.0]


def test_paramagnet_closed_form_and_stability():
    T = np.array([2.0, 1.4, 2.0, 0.6, 0.5, 1 + math.sqrt(0.3)])
    alpha = np.array([0.3, 0.3, 0.3, 0.0, 0.3, 0.3])
    kappa = np.array([1.0, 0.5, 5.0, 1.0, 1.0, 0.1])
    out = tp.solve_flat(1 / T, kappa, alpha, branch="paramagnet")
    # exists for T > 1, or without load at any T (the Curie-Weiss paramagnet, f = -T ln 2)
    assert out["converged"].tolist() == [True, True, True, True, False, True]
    b = np.where((alpha > 0) & (T > 1), 1 / T, 0.0)  # the closed form where it exists
    f = 0.5 * alpha * T * np.log1p(-b) - T * math.log(2)
    np.testing.assert_allclose(out["free_energy"][[0, 1, 2, 3, 5]], f[[0, 1, 2, 3, 5]],
                               rtol=1e-14)  # fmt: skip
    assert np.isnan(out["free_energy"][4])
    # stable above T_g = 1 + sqrt(alpha) = 1.548 and above the teacher onset 1 + alpha kappa
    assert out["stable"][:5].tolist() == [True, False, False, False, False]
    lam = 1 - alpha * b**2 / (1 - b) ** 2
    np.testing.assert_allclose(out["replicon"][[0, 1, 2, 3]], lam[[0, 1, 2, 3]], rtol=1e-14)
    assert out["replicon"][5] == pytest.approx(0.0, abs=1e-14)  # zero at T_g
    assert (out["m"] == 0).all() and (out["q_star"] == 0).all() and (out["q"] == 0).all()


def test_paramagnet_at_beta_zero_divides_by_nothing():
    """beta = 0 (T = inf, refused by theory.teacher_student) is guarded: no 1/0 is taken."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = tp.solve_flat(np.array([0.0, 0.5]), 1.0, 0.3, branch="paramagnet")
    assert out["converged"].all()


def test_projection_is_the_ags_domain_with_overlaps_in_minus_one_one():
    for alpha, beta in [(0.5, 2.0), (0.0, 2.0), (0.5, 0.7)]:
        p = {"beta": np.float64(beta), "kappa": np.float64(1.0), "alpha": np.float64(alpha)}
        pa = {"beta": np.float64(beta), "alpha": np.float64(alpha), "rho": np.float64(0.0)}
        for x in [(-1.5, 1.5, 1.5), (-0.5, 0.2, 0.9), (0.3, -2.0, -0.1), (1.2, 0.7, 3.0)]:
            ours = _call(tp.project, np.array(x), p)
            C = _call(ags.project, np.array([0.0, x[2]]), pa)[1]
            assert ours.tolist() == [min(max(x[0], -1.0), 1.0), min(max(x[1], -1.0), 1.0), C]
