"""1RSB of the P = 2 Hopfield model (Crisanti-Amit-Gutfreund): reductions to the AGS RS
free energy, the T = 0 limit against large beta, and the 1RSB capacity (published 0.138186,
Steffan & Kuehn 1994; RS 0.137906, AGS)."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from theory import _x64, rsb
from theory._gaussian import gauss_normal
from theory.rsb import ags as rsb_ags
from theory.rsb import engine

ALPHA_C_RS = 0.137906  # AGS, docs/models.md §4.1 [PUB]


def _ags_rs_f(m, q, beta, alpha):
    """AGS RS free energy, docs/models.md §4.1, written out independently."""
    z, w = gauss_normal(150)
    lam = 1 - beta * (1 - q)
    r = q / lam**2
    h = beta * (m + np.sqrt(alpha * r) * z)
    lc = np.abs(h) + np.log1p(np.exp(-2 * np.abs(h)))
    return (
        m**2 / 2
        + alpha / (2 * beta) * (np.log(lam) - beta * q / lam)
        + alpha * beta / 2 * r * (1 - q)
        - np.sum(w * lc) / beta
    )


@functools.lru_cache(maxsize=1)
def _evaluate():
    """``(A, G, R, m)`` of the P = 2 functional at T > 0 over a batch of points
    (``theory.rsb.ags._ev_T``) and ``A`` of ``theory.rsb.ags.pressure``: one compiled program
    (128 nodes for z0 and z1, 4 for the dataset noise Y; ``rho = 0`` unless given) shared by
    the tests below."""
    quad = rsb.quadrature(4, 128, 128)

    def one(x, b, a, r):
        return (*rsb_ags._ev_T(x, b, a, r, quad=quad), rsb_ags.pressure(x, b, a, r, quad))

    f = jax.jit(jax.vmap(one))
    return lambda x, b, a, r=None: f(jnp.asarray(x), b, a, np.zeros(3) if r is None else r)


def _pressure():
    """``A(x, beta, alpha)`` (``theory.rsb.ags.pressure``) from the shared program."""
    return lambda x, b, a: _evaluate()(x, b, a)[4]


def test_functional_reduces_to_ags_rs():
    beta, alpha, m, q = 1.6, 0.08, 0.9, 0.7
    with _x64.enabled():
        X = np.array([[m, q, q, 0.4], [m, q, 0.85, 1.0], [m, q, q, 1.0]])
        f = -np.asarray(_pressure()(X, np.full(3, beta), np.full(3, alpha))) / beta
    ref = _ags_rs_f(m, q, beta, alpha)
    np.testing.assert_allclose(f[0], ref, atol=1e-7)  # q0 = q1
    np.testing.assert_allclose(f[1], ref, atol=1e-7)  # theta = 1, RS at q0
    np.testing.assert_allclose(f[0], f[2], atol=1e-12)


@functools.lru_cache(maxsize=1)
def _energy0_parts():
    """``((E, n', q0', C', m), E)`` at T = 0 over a batch of points (``energy0_parts`` and
    ``energy0``; one compiled program, as above, with 4 Gauss-Hermite nodes for the
    dataset noise Y; ``rho = 0`` unless given)."""
    quad = rsb.quadrature(4, 128, 128)

    def one(x, a, r):
        return rsb_ags.energy0_parts(x, a, r, quad), rsb_ags.energy0(x, a, r, quad)

    f = jax.jit(jax.vmap(one))
    return lambda x, a, r=None: f(jnp.asarray(x), a, np.zeros(3) if r is None else r)


def _energy0():
    """``E(x, alpha)`` (``theory.rsb.ags.energy0``) from the shared program."""
    return lambda x, a: _energy0_parts()(x, a)[1]


def test_rs_ground_state_parts_are_the_ags_closed_forms():
    """q0 = 1: the AGS T = 0 equations, field n + sigma z with sigma = sqrt(alpha)/(1 - C):
    n' = m = erf(n/(sqrt 2 sigma)), C' = 2 phi(n/sigma)/sigma, and the energy
    n^2/2 - alpha/(2(1-C)) + alpha C/(2(1-C)^2) - E|n + sigma z|."""
    from scipy.special import erf

    X = np.array([[0.95, 1.0, 0.05, 2.0], [0.8, 1.0, 0.2, 0.5], [0.6, 1.0, 0.4, 1.0]])
    alpha = np.array([0.1, 0.05, 0.12])
    with _x64.enabled():
        parts = np.stack([np.asarray(v) for v in _energy0_parts()(X, alpha)[0]], 1)
    for (n, _, C, _), a, got in zip(X, alpha, parts):
        sig = np.sqrt(a) / (1 - C)
        m = erf(n / (np.sqrt(2) * sig))
        phi = np.exp(-0.5 * (n / sig) ** 2) / np.sqrt(2 * np.pi)
        E = 0.5 * n**2 - a / (2 * (1 - C)) + a * C / (2 * (1 - C) ** 2) - (n * m + 2 * sig * phi)
        np.testing.assert_allclose(got, [E, m, 1.0, 2 * phi / sig, m], rtol=0, atol=1e-12)


def _cag_energy0(n, q0, C, mu, alpha, nodes=100):
    """The T = 0 limit of the same formula (module docstring of theory.rsb.ags), with the
    inner average in closed form: E exp(mu |a + b z|) = sum_s e^{s mu a + mu^2 b^2/2}
    Phi((s a + mu b^2)/b), and the outer one by Gauss-Hermite."""
    from scipy.special import log_ndtr

    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    lam1, lam2 = 1 - C, 1 - C - mu * (1 - q0)
    r0 = q0 / lam2**2
    r1 = (1 - q0) / (lam1 * lam2) + r0
    a, b = n + np.sqrt(alpha * r0) * z, np.sqrt(alpha * (r1 - r0))
    log_inner = np.logaddexp(mu * a + log_ndtr((a + mu * b * b) / b),
                             -mu * a + log_ndtr((-a + mu * b * b) / b)) + 0.5 * (mu * b) ** 2
    glass = (np.log(lam2) - np.log(lam1)) / mu - q0 / lam2 + C * r1 + mu * (r1 - r0 * q0)
    return 0.5 * n**2 + 0.5 * alpha * glass - np.sum(w * log_inner) / mu


def test_broken_ground_state_energy_equals_the_published_formula():
    X = np.array([[0.95, 0.9, 0.05, 2.0], [0.8, 0.6, 0.1, 0.5], [0.5, 0.3, 0.2, 1.0]])
    alpha = np.array([0.1, 0.05, 0.02])
    with _x64.enabled():
        E = np.asarray(_energy0()(X, alpha))
    ref = [_cag_energy0(*x, a) for x, a in zip(X, alpha)]
    np.testing.assert_allclose(E, ref, rtol=0, atol=1e-8)


def _cag_parts0(n, q0, C, mu, alpha, rho):
    """``(E, n', q0', C', m)`` of the T = 0 formula (module docstring of theory.rsb.ags) with
    dataset noise: ``a = n (1 + sqrt(rho) Y) + sqrt(alpha r0) z0``; the inner average in
    closed form as in :func:`_cag_energy0`, ``<sign>`` = tanh of half the difference of its
    two terms, and the outer ones by Gauss-Hermite in Y (4 nodes, the rule of the program) and a
    uniform rule in z0."""
    from scipy.special import log_ndtr

    Y, wY = gauss_normal(4)
    z0 = np.linspace(-10, 10, 2001)
    w0 = np.exp(-0.5 * z0**2) / np.exp(-0.5 * z0**2).sum()
    lam1, lam2 = 1 - C, 1 - C - mu * (1 - q0)
    r0 = q0 / lam2**2
    r1 = (1 - q0) / (lam1 * lam2) + r0
    g = (1 + np.sqrt(rho) * Y)[:, None]
    a, b = n * g + np.sqrt(alpha * r0) * z0[None, :], np.sqrt(alpha * (r1 - r0))
    up, dn = mu * a + log_ndtr((a + mu * b * b) / b), -mu * a + log_ndtr((-a + mu * b * b) / b)
    log_z = np.logaddexp(up, dn) + 0.5 * (mu * b) ** 2
    sgn = np.tanh(0.5 * (up - dn))
    dens = 2 * np.exp(-0.5 * (a / b) ** 2 - log_z) / (np.sqrt(2 * np.pi) * b)
    W = wY[:, None] * w0[None, :]
    glass = (np.log(lam2) - np.log(lam1)) / mu - q0 / lam2 + C * r1 + mu * (r1 - r0 * q0)
    E = 0.5 * (1 + rho) * n**2 + 0.5 * alpha * glass - np.sum(W * log_z) / mu
    return np.array([E, np.sum(W * g * sgn) / (1 + rho), np.sum(W * sgn**2), np.sum(W * dens),
                     np.sum(W * sgn)])  # fmt: skip


def test_supervised_broken_ground_state_parts():
    """rho = 0.3 (supervised: the field's mean n (1 + sqrt(rho) Y) varies with the examples):
    every right-hand side of the broken T = 0 equations and the energy against the formula."""
    X = np.array([[0.95, 0.9, 0.05, 2.0], [0.8, 0.6, 0.1, 0.5], [0.5, 0.3, 0.2, 1.0]])
    alpha, rho = np.array([0.1, 0.05, 0.02]), np.full(3, 0.3)
    with _x64.enabled():
        parts = np.stack([np.asarray(v) for v in _energy0_parts()(X, alpha, rho)[0]], 1)
    for x, a, r, got in zip(X, alpha, rho, parts):
        np.testing.assert_allclose(got, _cag_parts0(*x, a, r), rtol=0, atol=1e-7)


def _fields(n, q0, q1, theta, beta, alpha, nodes, rho, r=None):
    """``beta H`` on (Y, z0, z1) nodes with H = n (1 + sqrt(rho) Y) + b0 z0 + b1 z1, the
    weights of (Y, z0) and of z1 (Gauss-Hermite; Y = 0 alone at rho = 0), lambda1,2, r0, r1."""
    z, w = np.polynomial.hermite_e.hermegauss(nodes)
    w = w / w.sum()
    Y, wY = gauss_normal(4) if rho else (np.zeros(1), np.ones(1))
    lam1 = 1 - beta * (1 - q1)
    lam2 = lam1 - beta * theta * (q1 - q0)
    r0 = q0 / lam2**2
    r1 = (q1 - q0) / (lam1 * lam2) + r0
    r0, r1 = (r0, r1) if r is None else r
    H = beta * (n * (1 + np.sqrt(rho) * Y)[:, None, None] + np.sqrt(alpha * r0) * z[:, None]
                + np.sqrt(alpha * (r1 - r0)) * z)  # fmt: skip
    return H, wY[:, None] * w, w, (1 + np.sqrt(rho) * Y)[:, None], lam1, lam2, r0, r1


def _cag_pressure(n, q0, q1, theta, beta, alpha, nodes=100, r=None, rho=0.0):
    """The P = 2 1RSB pressure (Crisanti, Amit & Gutfreund 1986; module docstring of
    theory.rsb.ags), written out with nested NumPy Gauss-Hermite rules; ``r``: hold (r0, r1)
    at these values instead of their saddle point in q."""
    H, W, w, _, lam1, lam2, r0, r1 = _fields(n, q0, q1, theta, beta, alpha, nodes, rho, r)
    lc = np.abs(H) + np.log1p(np.exp(-2 * np.abs(H))) - np.log(2)  # ln cosh
    inner = np.log(np.sum(w * np.exp(theta * lc), axis=-1))
    logdet = (1 - 1 / theta) * np.log(lam1) + np.log(lam2) / theta - beta * q0 / lam2
    return (-0.5 * beta * (1 + rho) * n**2 - 0.5 * alpha * logdet
            - 0.5 * alpha * beta**2 * (r1 * (1 - q1) + theta * (r1 * q1 - r0 * q0))
            + np.log(2) + np.sum(W * inner) / theta)


def test_broken_functional_equals_the_published_formula():
    """Away from the RS reductions (q0 < q1, theta < 1), at three points and two (beta, alpha)."""
    X = np.array([[0.9, 0.5, 0.8, 0.4], [0.7, 0.3, 0.85, 0.6], [0.2, 0.05, 0.9, 0.3]])
    beta, alpha = np.array([1.6, 1.6, 1.2]), np.array([0.08, 0.05, 0.08])
    with _x64.enabled():
        A = np.asarray(_pressure()(X, beta, alpha))
    ref = [_cag_pressure(*x, b, a) for x, b, a in zip(X, beta, alpha)]
    np.testing.assert_allclose(A, ref, rtol=0, atol=1e-8)


def _cag_map(n, q0, q1, theta, beta, alpha, nodes=100, rho=0.0):
    """(n', q0', q1', m) = E_{Y,z0} ((1 + sqrt(rho) Y) <tanh>/(1 + rho), <tanh>^2, <tanh^2>,
    <tanh>), <.> the cosh^theta-tilted z1 average, by nested NumPy Gauss-Hermite rules."""
    H, W, w, g, *_ = _fields(n, q0, q1, theta, beta, alpha, nodes, rho)
    lc = np.abs(H) + np.log1p(np.exp(-2 * np.abs(H)))
    tilt = w * np.exp(theta * (lc - lc.max(axis=-1, keepdims=True)))
    tilt /= tilt.sum(axis=-1, keepdims=True)
    t1, t2 = (np.sum(tilt * f, axis=-1) for f in (np.tanh(H), np.tanh(H) ** 2))
    return np.array([np.sum(W * g * t1) / (1 + rho), np.sum(W * t1**2), np.sum(W * t2),
                     np.sum(W * t1)])  # fmt: skip


def test_broken_fixed_point_map_and_theta_derivative():
    """The map (n, q0, q1) -> (n', q0', q1') by quadrature, and the theta residual
    dA/dtheta / beta (r0, r1 held: they are stationary) by a central difference of the
    quadrature pressure."""
    X = np.array([[0.9, 0.5, 0.8, 0.4], [0.7, 0.3, 0.85, 0.6], [0.2, 0.05, 0.9, 0.3]])
    beta, alpha = np.array([1.6, 1.6, 1.2]), np.array([0.08, 0.05, 0.08])
    h = 1e-4
    with _x64.enabled():
        A, G, R, m, A_public = (np.asarray(v) for v in _evaluate()(X, beta, alpha))
    np.testing.assert_array_equal(A_public, A)  # theory.rsb.ags.pressure is _ev_T's A
    for x, g, res, mm, b, a in zip(X, G, R, m, beta, alpha):
        ref = _cag_map(*x, b, a)[:3]
        np.testing.assert_allclose(g[:3], ref, rtol=0, atol=1e-8)
        assert g[3] == x[3] and mm == pytest.approx(ref[0], abs=1e-8)  # rho = 0: m = n'
        np.testing.assert_allclose(res[:3], x[:3] - ref, rtol=0, atol=1e-8)
        n, q0, q1, th = x
        lam2 = 1 - b * (1 - q1) - b * th * (q1 - q0)
        r = (q0 / lam2**2, (q1 - q0) / ((1 - b * (1 - q1)) * lam2) + q0 / lam2**2)
        dA = (_cag_pressure(n, q0, q1, th + h, b, a, r=r)
              - _cag_pressure(n, q0, q1, th - h, b, a, r=r)) / (2 * h)
        assert res[3] == pytest.approx(dA / b, abs=1e-7)


def test_supervised_and_spin_glass_points():
    """rho = 0.3 (the field's mean n (1 + sqrt(rho) Y) varies with the examples) at two points,
    and a spin glass point (n = q0 = 0: the field is centred on the kink of both mapped
    rules) at the third: the pressure, the map and m against the formula."""
    X = np.array([[0.9, 0.5, 0.8, 0.4], [0.7, 0.3, 0.85, 0.6], [0.0, 0.0, 0.9, 0.3]])
    beta, alpha, rho = np.array([1.6, 1.6, 1.2]), np.array([0.08, 0.05, 0.08]), [0.3, 0.3, 0.0]
    with _x64.enabled():
        A, G, _, m, _ = (np.asarray(v) for v in _evaluate()(X, beta, alpha, np.array(rho)))
    for x, a_, g, mm, b, a, r in zip(X, A, G, m, beta, alpha, rho):
        assert a_ == pytest.approx(_cag_pressure(*x, b, a, rho=r), abs=1e-8)
        ref = _cag_map(*x, b, a, rho=r)
        np.testing.assert_allclose([*g[:3], mm], ref, rtol=0, atol=1e-8)


def _fine_map(n, q0, q1, theta, beta, alpha):
    """(n', q0', q1') as in :func:`_cag_map`, by uniform trapezoid rules (801 nodes on z0 in
    [-10, 10], 1201 on z1 in [-9, 9]) that resolve a tanh turning over a width 1/beta: its
    poles lie pi/(2 beta b1) from the real z1 axis, about 0.1 here, against nodes 0.015 apart."""
    z0, z1 = np.linspace(-10, 10, 801), np.linspace(-9, 9, 1201)
    w0, w1 = np.exp(-0.5 * z0**2), np.exp(-0.5 * z1**2)
    w0, w1 = w0 / w0.sum(), w1 / w1.sum()
    lam1 = 1 - beta * (1 - q1)
    lam2 = lam1 - beta * theta * (q1 - q0)
    r0 = q0 / lam2**2
    r1 = (q1 - q0) / (lam1 * lam2) + r0
    H = beta * (n + np.sqrt(alpha * r0) * z0[:, None] + np.sqrt(alpha * (r1 - r0)) * z1[None, :])
    lc = np.abs(H) + np.log1p(np.exp(-2 * np.abs(H)))
    tilt = w1[None, :] * np.exp(theta * (lc - lc.max(axis=1, keepdims=True)))
    tilt /= tilt.sum(axis=1, keepdims=True)
    t1, t2 = (np.sum(tilt * f, axis=1) for f in (np.tanh(H), np.tanh(H) ** 2))
    return np.array([np.sum(w0 * t1), np.sum(w0 * t1**2), np.sum(w0 * t2)])


def test_fixed_point_map_resolves_the_low_temperature_tanh():
    """beta = 100 near the T = 0 limit (q1 = 1 - C/beta, theta = mu/beta): the kink-resolving
    rules of theory.rsb.ags against the fine uniform rules (difference ~1e-8; nodes placed
    for a wider transition miss it by ~1e-5)."""
    beta = 100.0
    P = np.array([[0.95, 0.9, 0.05, 2.0], [0.8, 0.6, 0.1, 0.5], [0.5, 0.3, 0.2, 1.0]])
    X = np.stack([P[:, 0], P[:, 1], 1 - P[:, 2] / beta, P[:, 3] / beta], 1)
    alpha = np.array([0.1, 0.05, 0.1])
    with _x64.enabled():
        G = np.asarray(_evaluate()(X, np.full(3, beta), alpha)[1])
    np.testing.assert_allclose(G[2, :3], _fine_map(*X[2], beta, alpha[2]), rtol=0, atol=1e-7)


def test_zero_temperature_limit_of_the_functional():
    """E(n, q0, C, mu) is the beta -> inf limit of -A/beta at q1 = 1 - C/beta, theta = mu/beta
    (difference O(1/beta))."""
    alpha, x0 = 0.1, (0.95, 0.9, 0.05, 2.0)
    betas = np.array([100.0, 400.0])
    with _x64.enabled():
        E0 = float(_energy0()(np.array([x0] * 3), np.full(3, alpha))[0])
        x = np.stack([np.full(2, x0[0]), np.full(2, x0[1]), 1 - x0[2] / betas, x0[3] / betas], 1)
        # three points, as in the test above (the compiled program is reused)
        A = _pressure()(np.vstack([x, x[-1:]]), np.r_[betas, betas[-1]], np.full(3, alpha))[:2]
    diffs = -np.asarray(A) / betas - E0
    assert abs(diffs[1]) < 1e-5 and abs(diffs[1]) < abs(diffs[0]) / 3


def test_retrieval_beyond_rs_capacity_and_guerra_at_T0():
    """At alpha = 0.1381 > alpha_c(RS) the 1RSB retrieval state still exists; below it the
    1RSB energy lies above the RS one (Guerra at T = 0)."""
    out = rsb.solve_1rsb(
        protocol="hebbian",
        P=2,
        beta=np.full(2, np.inf),
        alpha=np.array([0.1370, 0.1381]),
        rho=np.zeros(2),
        branch="retrieval",
        n_scan=6,
    )
    assert out["converged"].all() and np.all(out["m"] > 0.95)
    assert np.all(out["q0"] < 1) and np.all(out["mu"] > 0)
    assert np.all(out["residual"] < engine.TOL)  # broken candidates: Newton polished
    assert np.all(out["iterations"] == engine.N_FP + engine.N_NT)
    # AGS RS T = 0 at alpha = 0.137: m = erf(y), y (sqrt(2 alpha) + (2/sqrt(pi)) e^{-y^2}) = erf(y)
    from scipy import optimize, special

    a = 0.1370
    y = optimize.brentq(
        lambda y: y * (np.sqrt(2 * a) + 2 / np.sqrt(np.pi) * np.exp(-(y**2))) - special.erf(y),
        1.5,
        3.0,
    )
    m = special.erf(y)
    x = np.sqrt(2 / (np.pi * a)) * np.exp(-(y**2))  # = C/(1 - C), C = beta(1 - q)
    C = x / (1 + x)
    np.testing.assert_allclose(m * (1 - C) / np.sqrt(2 * a), y, rtol=1e-10)  # consistency
    sig = np.sqrt(a) / (1 - C)
    mean_abs = m * special.erf(m / (sig * np.sqrt(2))) + sig * np.sqrt(2 / np.pi) * np.exp(
        -(m**2) / (2 * sig**2)
    )
    E_rs = m**2 / 2 - a / (2 * (1 - C)) + a * C / (2 * (1 - C) ** 2) - mean_abs
    assert out["free_energy"][0] > E_rs
    assert out["free_energy"][0] - E_rs < 1e-3


@pytest.mark.slow
def test_1rsb_capacity_in_published_window():
    a_c = rsb.critical_load_1rsb(2)
    assert 0.1380 < a_c < 0.1385 and a_c > ALPHA_C_RS
