"""Value tests of theory._gaussian beyond tanh_averages (issue #29, mutation testing): the
Gauss-Hermite rule, the overflow-free logs and square roots, the RS field averages, the
sinh-mapped kink rule and the closed-form T = 0 tilted averages of 1RSB, each against closed
forms or NumPy Gauss-Hermite / Gauss-Legendre quadrature written here."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest

from theory import _x64
from theory._gaussian import (
    field_averages,
    gauss_normal,
    kink_rule,
    log2cosh,
    log_cosh,
    log_exp_abs,
    safe_sqrt,
    sqrt_floor,
    tilted_averages,
)

_Z, _WZ = np.polynomial.hermite_e.hermegauss(160)
_WZ = _WZ / np.sqrt(2.0 * np.pi)  # E f(z), z ~ N(0, 1)


# compiled once per function (a whole average in one XLA program is cheaper to compile than
# its operations one by one)
_JIT = {f.__name__: jax.jit(f) for f in (log2cosh, log_cosh, field_averages, kink_rule,
                                          log_exp_abs, tilted_averages)}  # fmt: skip


def _np(*arrays):
    return [np.asarray(a) for a in arrays]


def test_gauss_normal_rule():
    """One node is the mean; five nodes integrate z^0..z^9 exactly; read-only; n >= 1."""
    with pytest.raises(ValueError, match="n=0"):
        gauss_normal(0)
    x1, w1 = gauss_normal(1)
    assert x1.tolist() == [0.0] and w1.tolist() == [pytest.approx(1.0, abs=1e-15)]
    x, w = gauss_normal(5)
    moments = [w @ x**k for k in range(9)]
    np.testing.assert_allclose(moments, [1, 0, 1, 0, 3, 0, 15, 0, 105], atol=1e-12)
    with pytest.raises(ValueError):
        x[0] = 1.0
    with pytest.raises(ValueError):
        w[0] = 1.0


def test_logs_and_square_roots():
    y = np.array([-3.0, -0.2, 0.0, 0.7, 5.0])
    with _x64.enabled():
        l2, lc = _np(_JIT["log2cosh"](y), _JIT["log_cosh"](y))
        big = float(log2cosh(np.float64(800.0)))
        roots = _np(safe_sqrt(np.array([4.0, 0.0, -1.0])),
                    sqrt_floor(np.array([4.0, 0.0, -1.0])))  # fmt: skip
        grads = [float(jax.grad(safe_sqrt)(v)) for v in (0.0, -1.0, 4.0)]
        grad_floor = float(jax.grad(sqrt_floor)(4.0))
    np.testing.assert_allclose(l2, np.log(2.0 * np.cosh(y)), rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(lc, np.log(np.cosh(y)), rtol=1e-14, atol=1e-15)
    assert big == 800.0  # ln 2cosh(800) = 800 + ln(1 + e^-1600), no overflow
    np.testing.assert_array_equal(roots[0], [2.0, 0.0, 0.0])
    np.testing.assert_allclose(roots[1], [2.0, 1e-150, 1e-150], rtol=1e-15)
    assert grads == [0.0, 0.0, 0.25] and grad_floor == 0.25


def _field_reference(beta, S, b, rho, u_nodes, u_weights):
    """E over u (nodes) and z (Gauss-Hermite) of tanh, u tanh/(1+rho), beta sech^2, ..."""
    x = S * u_nodes[:, None] + b * _Z[None, :]
    w = u_weights[:, None] * _WZ[None, :]
    t = np.tanh(beta * x)
    lc = np.log(2 * np.cosh(beta * x))
    nbar = (w * u_nodes[:, None] * t).sum() / (1 + rho)
    return np.array([(w * t).sum(), nbar, beta * (w * (1 - t * t)).sum(), (w * lc).sum() / beta,
                     (w * t * t).sum()])  # fmt: skip


@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_field_averages_gaussian_law(rho):
    """u = 1 + sqrt(rho) Y: 2-D Gauss-Hermite reference (beta s < 1, analytic integrand)."""
    beta, S, b = 1.5, 0.6, 0.4
    Y, wY = np.polynomial.hermite_e.hermegauss(120)
    ref = _field_reference(beta, S, b, rho, 1 + np.sqrt(rho) * Y, wY / np.sqrt(2 * np.pi))
    with _x64.enabled():
        got = _np(*_JIT["field_averages"](np.float64(beta), np.float64(S), np.float64(b),
                                  np.float64(rho)))  # fmt: skip
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


def test_field_averages_discrete_law():
    """A three-point law of u (E u = 1): sums over u of the z averages."""
    beta, S, b, rho = 1.5, 0.6, 0.4, 0.5
    u, w = np.array([0.0, 1.0, 2.0]), np.array([0.25, 0.5, 0.25])  # E u^2 = 1.5 = 1 + rho
    ref = _field_reference(beta, S, b, rho, u, w)
    with _x64.enabled():
        got = _np(*_JIT["field_averages"](np.float64(beta), np.float64(S), np.float64(b),
                                  np.float64(rho), law=(u, w)))  # fmt: skip
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mean,sd,eps", [(0.3, 0.8, 0.05), (-0.2, 0.5, 0.02), (0.4, 0.0, 0.1)])
def test_kink_rule_integrates_gaussian_averages(mean, sd, eps):
    """E X, E X^2, E X^4 and E tanh(X/eps) over N(mean, sd^2) (sd = 0: the point mean)."""
    t = np.linspace(0.0, 1.0, 241)
    with _x64.enabled():
        X, w = _np(*_JIT["kink_rule"](np.float64(mean), np.float64(sd), np.float64(eps), t))
    got = [w.sum(), w @ X, w @ X**2, w @ X**4, w @ np.tanh(X / eps)]
    if sd == 0.0:
        ref = [1.0, mean, mean**2, mean**4, math.tanh(mean / eps)]
    else:
        # E tanh(X/eps): Gauss-Legendre, the transition |X| < 30 eps on its own
        y, wy = np.polynomial.legendre.leggauss(200)
        th = 0.0
        for a, c in ((mean - 12 * sd, -30 * eps), (-30 * eps, 30 * eps),
                     (30 * eps, mean + 12 * sd)):  # fmt: skip
            xx = 0.5 * (a + c) + 0.5 * (c - a) * y
            dens = np.exp(-0.5 * ((xx - mean) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
            th += 0.5 * (c - a) * (wy * dens) @ np.tanh(xx / eps)
        m4 = mean**4 + 6 * mean**2 * sd**2 + 3 * sd**4
        ref = [1.0, mean, mean**2 + sd**2, m4, th]
    tol = 1e-14 if sd == 0.0 else 1e-9  # sd = 0: every node at the mean (to ~1e-9 eps)
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol)


def test_kink_rule_is_symmetric_for_a_centred_law():
    """mean = 0: the nodes and weights of the trapezoid rule mirror each other, end nodes
    (half weight) included."""
    with _x64.enabled():
        X, w = _np(*_JIT["kink_rule"](np.float64(0.0), np.float64(0.7), np.float64(0.1),
                              np.linspace(0.0, 1.0, 41)))  # fmt: skip
    np.testing.assert_allclose(X, -X[::-1], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(w, w[::-1], rtol=1e-12, atol=0.0)


def _inner(a, b, mu):
    """ln E_z exp(mu|a + b z|), the tilted <sign> and 2 phi(a/b)/(b Z) by Gauss-Legendre
    on z in [-14, 14] split at the kink z = -a/b (a: 1-D array)."""
    y, wy = np.polynomial.legendre.leggauss(120)
    zk = np.clip(-a / b, -14.0, 14.0)[:, None]
    Z = S = 0.0
    for lo, hi in ((-14.0, zk), (zk, 14.0)):
        z = 0.5 * (lo + hi) + 0.5 * (hi - lo) * y
        w = 0.5 * (hi - lo) * wy * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        x = a[:, None] + b * z
        e = w * np.exp(mu * np.abs(x))
        Z, S = Z + e.sum(-1), S + (e * np.sign(x)).sum(-1)
    dens = 2 * np.exp(-0.5 * (a / b) ** 2) / (b * math.sqrt(2 * math.pi) * Z)
    return np.log(Z), S / Z, dens


def test_log_exp_abs_matches_quadrature():
    a, b, mu = np.array([-0.7, -0.05, 0.0, 0.3, 1.2]), 0.4, 1.7
    ref = _inner(a, b, mu)
    with _x64.enabled():
        got = _np(*_JIT["log_exp_abs"](a, np.float64(b), np.float64(mu)))
    np.testing.assert_allclose(got, ref[:2], rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("s,sd0,b,mu", [(0.3, 0.5, 0.2, 2.0), (-0.1, 0.2, 0.6, 0.8),
                                        (0.25, 0.0, 0.3, 1.5), (0.05, 1.0, 0.05, 30.0),
                                        (0.01, 0.005, 0.02, 2.0)])  # fmt: skip
def test_tilted_averages_match_nested_quadrature(s, sd0, b, mu):
    """Outer Gauss-Legendre over a ~ N(s, sd0^2), split at a = 0; inner as in _inner."""
    if sd0 == 0.0:
        logZ, sgn, dens = _inner(np.array([s]), b, mu)
        ref = [logZ[0], sgn[0], sgn[0] ** 2, dens[0]]
    else:
        y, wy = np.polynomial.legendre.leggauss(300)
        ref = np.zeros(4)
        for lo, hi in ((s - 12 * sd0, 0.0), (0.0, s + 12 * sd0)):
            a = 0.5 * (lo + hi) + 0.5 * (hi - lo) * y
            w = 0.5 * (hi - lo) * wy * np.exp(-0.5 * ((a - s) / sd0) ** 2) / (
                sd0 * math.sqrt(2 * math.pi))  # fmt: skip
            logZ, sgn, dens = _inner(a, b, mu)
            ref += [w @ logZ, w @ sgn, w @ sgn**2, w @ dens]
    with _x64.enabled():
        got = _np(*_JIT["tilted_averages"](np.float64(s), np.float64(sd0), np.float64(b),
                                   np.float64(mu)))  # fmt: skip
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-10)
