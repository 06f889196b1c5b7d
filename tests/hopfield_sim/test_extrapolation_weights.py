"""Weighted extrapolation of transition points (issue 29): ``x_c(N) = x_inf + a N^(-nu)``
against the normal equations of weighted least squares, written out by hand, on a synthetic
law with unequal error bars; the error of x_inf against its exact Gaussian propagation."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim import finite_size as fs

NU, X_INF, A = 0.5, 0.14, -1.2
Ns = np.array([250.0, 500.0, 1000.0, 2000.0, 4000.0])
ERR = np.array([0.05, 0.004, 0.002, 0.001, 0.0005])  # very unequal error bars


def _wls(N, y, e, nu):
    """Weighted least squares by the 2 x 2 normal equations; returns (coef, covariance)."""
    w = 1.0 / e**2
    u = N ** (-nu)
    M = np.array([[w.sum(), (w * u).sum()], [(w * u).sum(), (w * u * u).sum()]])
    rhs = np.array([(w * y).sum(), (w * u * y).sum()])
    cov = np.linalg.inv(M)
    return cov @ rhs, cov


def _data():
    y = X_INF + A * Ns ** (-NU)
    y[0] += 2.0 * ERR[0]  # the small, noisy size is off by two of its (large) error bars
    y[1:] += ERR[1:] * np.array([0.3, -0.5, 0.2, -0.1])
    return y


def test_weighted_fit_equals_normal_equations():
    y = _data()
    out = fs.extrapolate(Ns, y, ERR, nu=NU, bootstrap=2)
    (x_inf, a), _ = _wls(Ns, y, ERR, NU)
    assert out["x_inf"] == pytest.approx(x_inf, abs=1e-12)
    assert out["a"] == pytest.approx(a, abs=1e-10)
    chi2 = np.sum(((y - x_inf - a * Ns ** (-NU)) / ERR) ** 2)
    assert out["chi2"] == pytest.approx(chi2, rel=1e-9) and out["dof"] == 3
    # the weights matter here: an unweighted fit is pulled by the noisy point, far off
    (x_u, _), _ = _wls(Ns, y, np.ones_like(ERR), NU)
    assert abs(x_u - x_inf) > 20 * np.sqrt(_wls(Ns, y, ERR, NU)[1][0, 0])
    assert abs(out["x_inf"] - X_INF) < 3 * np.sqrt(_wls(Ns, y, ERR, NU)[1][0, 0])


def test_error_of_x_inf_is_the_propagated_error():
    y = _data()
    out = fs.extrapolate(Ns, y, ERR, nu=NU, bootstrap=3000, seed=1)
    _, cov = _wls(Ns, y, ERR, NU)
    # Gaussian draws with the error bars: the spread of refits is sqrt(cov[0, 0]); 3000
    # draws estimate it to ~1.3 %
    assert out["x_inf_err"] == pytest.approx(np.sqrt(cov[0, 0]), rel=0.06)


def test_free_exponent_recovers_the_law_from_exact_data():
    y = X_INF + A * Ns ** (-NU)
    out = fs.extrapolate(Ns, y, ERR, nu=None, bootstrap=2)
    assert out["nu"] == pytest.approx(NU, abs=1e-4)
    assert out["x_inf"] == pytest.approx(X_INF, abs=1e-5)
    assert out["a"] == pytest.approx(A, rel=1e-3)
