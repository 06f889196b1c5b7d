"""The P >= 4 1RSB functional of ``theory.rsb.dense`` against its formulas (docs/models.md §5,
the module docstring) evaluated here with plain Gauss-Hermite quadrature (issue 29, mutation
testing).

T > 0: the pressure ``A = ln 2 + (1/theta) E_{Y,z0} ln E_{z1} cosh^theta h - (beta/2)(P-1)
(1+rho)^(P/2) n^P + (beta^2 alpha P!/8)[1 - P q1^(P-1) + (P-1) q1^P - theta (P-1)(q1^P - q0^P)]``
with ``h = beta [s(Y) + sqrt(c q0^(P-1)) z0 + sqrt(c (q1^(P-1) - q0^(P-1))) z1]``, its
right-hand sides ``n, q0, q1, m`` (averages of tanh tilted by ``cosh^theta``) and its theta
derivative (a central difference of the reference pressure). T = 0: the energy with the
closed-form inner average ``E_z exp(mu |a + b z|)``, its right-hand sides and its mu derivative
(central difference); the RS energy with ``E|s + sqrt(c) z|`` by adaptive quadrature. The module
integrates with its own kink-resolving rules; here 80-node Gauss-Hermite rules do it. The
supervised protocol (rho = 0.3) exercises every rho term. One compiled program.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate
from scipy.special import log_ndtr

from theory import _x64, rsb
from theory.rsb import dense

P, RHO = 4, 0.3
POINTS_T = [  # (n, q0, q1, theta), beta, alpha
    ((0.8, 0.3, 0.7, 0.4), 1.7, 0.02),
    ((0.6, 0.1, 0.5, 0.8), 2.5, 0.05),
]
POINTS_0 = [((0.8, 0.4, 2.0), 0.02), ((0.5, 0.2, 0.7), 0.05)]  # (n, q0, mu), alpha
N_RS = (0.9, 0.4)


def _gh(n):
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / w.sum()


Y, WY = _gh(40)
Z, WZ = _gh(80)
W = WY[:, None] * WZ[None, :]  # (Y, z0)
# T = 0, q0 near 1: <sign> turns within b ~ 0.03 of its zero; the trapezoid rule on a uniform
# grid is spectrally accurate for such analytic integrands (Gauss-Hermite with 80 nodes is not)
_z0 = np.linspace(-10.0, 10.0, 20001)
FINE0 = (_z0, np.exp(-0.5 * _z0**2) / np.exp(-0.5 * _z0**2).sum())


def _signal(n, alpha, rho=RHO, Y=Y):
    c = alpha * P * math.factorial(P) / 4.0
    return c, 0.5 * P * (1 + rho) ** (0.5 * P - 1) * n ** (P - 1) * (1 + math.sqrt(rho) * Y)


def _ref_T(x, beta, alpha, RHO=RHO, Y=Y, WY=WY, Z=Z, WZ=WZ):
    """(A, n, q0, q1, m) at T > 0 from the formulas, Gauss-Hermite in Y, z0, z1."""
    n, q0, q1, th = x
    W = WY[:, None] * WZ[None, :]
    c, s = _signal(n, alpha, RHO, Y)
    b0, b1 = math.sqrt(c * q0 ** (P - 1)), math.sqrt(max(c * (q1 ** (P - 1) - q0 ** (P - 1)), 0.0))
    h = beta * (s[:, None, None] + b0 * Z[None, :, None] + b1 * Z[None, None, :])
    lc = np.abs(h) + np.log1p(np.exp(-2 * np.abs(h))) - math.log(2)  # ln cosh h
    tilt = WZ * np.exp(th * lc)
    Zin = tilt.sum(-1)
    t1, t2 = ((tilt * f).sum(-1) / Zin for f in (np.tanh(h), np.tanh(h) ** 2))
    g = beta**2 * alpha * math.factorial(P) / 8
    A = (
        math.log(2)
        + np.sum(W * np.log(Zin)) / th
        - 0.5 * beta * (P - 1) * (1 + RHO) ** (0.5 * P) * n**P
        + g * (1 - P * q1 ** (P - 1) + (P - 1) * q1**P - th * (P - 1) * (q1**P - q0**P))
    )
    n_new = np.sum(W * (1 + math.sqrt(RHO) * Y)[:, None] * t1) / (1 + RHO)
    return A, n_new, np.sum(W * t1**2), np.sum(W * t2), np.sum(W * t1)


def _ref_0(x, alpha, RHO=RHO, Y=Y, WY=WY, Z=Z, WZ=WZ):
    """(E, n, q0, m) at T = 0 from the closed-form inner average, Gauss-Hermite in Y, z0."""
    n, q0, mu = x
    W = WY[:, None] * WZ[None, :]
    c, s = _signal(n, alpha, RHO, Y)
    sd0, b = math.sqrt(c * q0 ** (P - 1)), math.sqrt(c * (1 - q0 ** (P - 1)))
    a = s[:, None] + sd0 * Z[None, :]
    up, dn = mu * a + log_ndtr(a / b + mu * b), -mu * a + log_ndtr(-a / b + mu * b)
    logZ = 0.5 * (mu * b) ** 2 + np.logaddexp(up, dn)
    sgn = np.tanh(0.5 * (up - dn))  # (e^up - e^dn) / (e^up + e^dn): <sign(a + b z)>
    E = (
        -np.sum(W * logZ) / mu
        + 0.5 * (P - 1) * (1 + RHO) ** (0.5 * P) * n**P
        + alpha * math.factorial(P) / 8 * mu * (P - 1) * (1 - q0**P)
    )
    n_new = np.sum(W * (1 + math.sqrt(RHO) * Y)[:, None] * sgn) / (1 + RHO)
    return E, n_new, np.sum(W * sgn**2), np.sum(W * sgn)


def _ref_rs0(n, alpha):
    c, s = _signal(n, alpha)
    sd = math.sqrt(c)

    def mean_abs(si):
        f = lambda z: abs(si + sd * z) * math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
        return integrate.quad(f, -40, 40, points=[-si / sd], epsabs=1e-14, epsrel=1e-13)[0]

    return -np.sum(WY * [mean_abs(si) for si in s]) + 0.5 * (P - 1) * (1 + RHO) ** (0.5 * P) * n**P


def _everything():
    """Every quantity at every point, the points batched by vmap (each function traced once)."""
    quad = rsb.quadrature(40, 64, 64)  # the 40-node Gauss-Hermite Y rule of the reference

    def at_T(x, beta, alpha):
        args = (x, beta, alpha, RHO, P, quad)
        return {
            "ev": dense.evaluate(*args),
            "wrap": (dense.pressure(*args), dense.averages(*args), dense.dA_dtheta(*args),
                     dense.residual(*args)),
            "engine": dense._ev_T(x, beta, alpha, RHO, P=P, quad=quad),
        }  # fmt: skip

    def at_0(x, alpha, n_rs):
        return {
            "e0": dense.energy0(x, alpha, RHO, P, quad),
            "avg0": dense.averages0(x, alpha, RHO, P, quad),
            "engine0": dense._ev_0(x, alpha, RHO, P=P, quad=quad),
            "rs0": dense.energy0_rs(n_rs, alpha, RHO, P, quad),
        }

    T = [jnp.asarray(v) for v in zip(*POINTS_T)]
    Z0 = [jnp.asarray(v) for v in zip(*POINTS_0)]
    return jax.vmap(at_T)(*T), jax.vmap(at_0)(*Z0, jnp.asarray(N_RS))


@pytest.fixture(scope="module")
def got():
    with _x64.enabled():
        at_T, at_0 = jax.tree.map(np.asarray, jax.jit(_everything)())
    pick = lambda tree, i: jax.tree.map(lambda a: a[i], tree)  # noqa: E731
    return {(k, i): pick(v, i) for tree in (at_T, at_0) for k, v in tree.items() for i in (0, 1)}


@pytest.mark.parametrize("i", range(len(POINTS_T)))
def test_positive_temperature_functional(got, i):
    x, beta, alpha = POINTS_T[i]
    A, n, q0, q1, m = _ref_T(x, beta, alpha)
    h = 1e-5  # the theta equation: derivative of the reference pressure
    dth = _ref_T((*x[:3], x[3] + h), beta, alpha)[0] - _ref_T((*x[:3], x[3] - h), beta, alpha)[0]
    dth /= 2 * h
    got_A, rhs, got_dth, got_m = got["ev", i]
    assert float(got_A) == pytest.approx(A, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(np.asarray(rhs), [n, q0, q1], rtol=1e-11, atol=1e-12)
    assert float(got_m) == pytest.approx(m, rel=1e-11, abs=1e-12)
    assert float(got_dth) == pytest.approx(dth, rel=1e-6, abs=1e-8)
    pressure, averages, dA, residual = got["wrap", i]
    assert float(pressure) == pytest.approx(A, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(np.asarray(averages), [n, q0, q1, m], rtol=1e-11, atol=1e-12)
    assert float(dA) == pytest.approx(dth, rel=1e-6, abs=1e-8)
    want_R = [x[0] - n, x[1] - q0, x[2] - q1, dth / beta**2]
    np.testing.assert_allclose(residual, want_R, rtol=1e-6, atol=1e-9)
    eA, G, R, em = got["engine", i]
    assert float(eA) == pytest.approx(A, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(G, [n, q0, q1, x[3]], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(R, want_R, rtol=1e-6, atol=1e-9)
    assert float(em) == pytest.approx(m, rel=1e-11, abs=1e-12)


@pytest.mark.parametrize("i", range(len(POINTS_0)))
def test_zero_temperature_functional(got, i):
    x, alpha = POINTS_0[i]
    E, n, q0, m = _ref_0(x, alpha)
    h = 1e-5
    dE = (_ref_0((*x[:2], x[2] + h), alpha)[0] - _ref_0((*x[:2], x[2] - h), alpha)[0]) / (2 * h)
    assert float(got["e0", i]) == pytest.approx(E, rel=1e-11, abs=1e-12)
    np.testing.assert_allclose(np.asarray(got["avg0", i]), [n, q0, m], rtol=1e-11, atol=1e-12)
    negE, G, R, em = got["engine0", i]
    assert float(negE) == pytest.approx(-E, rel=1e-11, abs=1e-12)
    np.testing.assert_allclose(G, [n, q0, x[2]], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(R, [x[0] - n, x[1] - q0, dE], rtol=1e-6, atol=1e-9)
    assert float(em) == pytest.approx(m, rel=1e-11, abs=1e-12)
    rs = _ref_rs0(N_RS[i], alpha)
    assert float(got["rs0", i]) == pytest.approx(rs, rel=1e-10, abs=1e-11)


def test_scan_grids():
    beta = np.array([2.0, 100.0, 1e4])  # lo = 0.3 / beta clipped to [2e-3, 0.05]
    S = dense.DenseModel.scan_T(beta, 5, True)
    for row, lo in zip(S, (0.05, 3e-3, 2e-3)):
        np.testing.assert_allclose(row, lo * (0.98 / lo) ** (np.arange(5) / 4), rtol=1e-12)
    S0 = dense.DenseModel.scan_0(np.array([0.01, 0.1]), 4, False)
    assert S0.shape == (2, 4)
    np.testing.assert_allclose(S0, [0.05 * (60 / 0.05) ** (np.arange(4) / 3)] * 2, rtol=1e-12)


def test_zero_temperature_retrieval_candidates_solve_their_equations():
    """The engine's T = 0 candidates on the retrieval branch (hebbian, alpha = 0.02): the RS one
    ``(n, 1, 1)`` and one per scan value (mu held at it) retrieve (n close to 1), and the broken
    ones solve the reference's n and q0 equations to the residual the solver reports. (T > 0
    candidates: the solver tests of test_rsb.py.)"""
    with _x64.enabled():
        quad = rsb.quadrature(1, 64, 64)  # rho = 0: Y does not enter
        raw = jax.jit(functools.partial(dense._raw_0, P=P, branch="retrieval", quad=quad))
        out = raw(jnp.array([[0.5, 3.0]]), jnp.array([0.02]), jnp.array([0.0]))
    x0, g0, res0, m0 = (np.asarray(v)[0] for v in out)
    np.testing.assert_array_equal(x0[:, 1:], [[1.0, 1.0], [x0[1, 1], 0.5], [x0[2, 1], 3.0]])
    assert x0[0, 0] > 0.9 and res0[0] < 1e-4  # RS at T = 0 (q0 = 1: no z1 average left)
    for x, g, m, r in zip(x0[1:], g0[1:], m0[1:], res0[1:]):  # broken: n and q0 solved
        E, n, q0, m_ref = _ref_0(x, 0.02, 0.0, np.zeros(1), np.ones(1), *FINE0)
        assert x[0] > 0.9 and x[1] < 1 and r < 1e-4
        assert m == pytest.approx(m_ref, abs=1e-9) and g == pytest.approx(-E, abs=1e-8)
        assert max(abs(n - x[0]), abs(q0 - x[1])) <= 2 * r + 1e-10
