"""Replicon eigenvalue and AT lines. References: the paramagnet replicon of P = 2 in closed
form, 1 - alpha beta^2/(1 - beta)^2, which vanishes at T_g = 1 + sqrt(alpha) [PUB, AGS];
the P-spin AT condition at q = 0 (replicon = 1); the T -> 0 divergence."""

from __future__ import annotations

import numpy as np

from theory.rs import at


def test_paramagnet_replicon_closed_form_and_at_line_meets_Tg():
    beta = np.array([0.5, 0.8, 0.9])
    lam = at.replicon(P=2, beta=beta, alpha=0.05, q=0.0)
    np.testing.assert_allclose(lam, 1 - 0.05 * beta**2 / (1 - beta) ** 2, atol=1e-10)
    # q = 1 - C/beta rounds to a hair below 0 at the paramagnet: still q = 0, not NaN
    np.testing.assert_allclose(at.replicon(P=2, beta=beta, alpha=0.05, q=-4e-16), lam, atol=1e-10)
    assert at.replicon(P=4, beta=5.0, alpha=0.02, q=-4e-16) == 1.0
    alphas = np.array([0.05, 0.1])
    T_at = at.at_line(2, alphas, branch="paramagnet")
    np.testing.assert_allclose(T_at, 1 + np.sqrt(alphas), rtol=1e-6)


def _rs_retrieval_p4(beta, alpha):
    """RS retrieval solution of P = 4 (hebbian), written out independently of the package:
    ``n = E tanh(beta (2 n^3 + sqrt(c q^3) z))``, ``q = E tanh^2(...)``, ``c = alpha P P!/4``
    (= 24 alpha), by fixed-point iteration with a fine trapezoid rule in z (no JAX program to
    compile; agrees with ``at.rs_solution`` to 1e-8)."""
    z = np.linspace(-10.0, 10.0, 20001)
    w = np.exp(-0.5 * z**2)
    w /= w.sum()
    n, q = np.ones_like(beta), np.ones_like(beta)
    for _ in range(200):
        sd = np.sqrt(24 * alpha * q**3)
        t = np.tanh(beta[:, None] * (2 * n[:, None] ** 3 + sd[:, None] * z))
        n, q = t @ w, (t * t) @ w
    return {"n": n, "q": q}


def test_dense_replicon_and_zero_temperature():
    np.testing.assert_allclose(at.replicon(P=4, beta=5.0, alpha=0.02, q=0.0), 1.0)
    assert at.replicon(P=4, beta=np.inf, alpha=0.02, q=1.0, n=1.0) == -np.inf
    assert at.replicon(P=4, beta=np.inf, alpha=0.0, q=1.0, n=1.0) == 1.0
    # retrieval at P = 4, alpha = 0.02: stable at T = 0.2, unstable at T = 0.005
    sol = _rs_retrieval_p4(np.array([5.0, 200.0]), 0.02)
    stable = at.rs_stable(P=4, beta=np.array([5.0, 200.0]), alpha=0.02, q=sol["q"], n=sol["n"])
    assert stable.tolist() == [True, False]
    # large-beta asymptote: gamma = E sech^4 ~ (4/3) p(0)/beta, p(0) the density of s + sqrt(c) z
    beta, c = 2000.0, 0.02 * 4 * 24 / 4
    s = 2.0 * sol["n"][1] ** 3
    p0 = np.exp(-(s**2) / (2 * c)) / np.sqrt(2 * np.pi * c)
    lam = at.replicon(P=4, beta=beta, alpha=0.02, q=1.0, n=sol["n"][1])
    np.testing.assert_allclose(lam, 1 - beta * c * 3 * 4 / 3 * p0, rtol=2e-2)


def test_solve_attaches_replicon_to_rs_results():
    import theory

    ds = theory.solve(P=2, T=[1.1, 1.5], alpha=0.05, branch="paramagnet")
    # paramagnet (q = 0): replicon 1 - alpha beta^2/(1 - beta)^2, stable above T_g = 1.224
    beta = 1 / np.array([1.1, 1.5])
    np.testing.assert_allclose(ds.replicon, 1 - 0.05 * beta**2 / (1 - beta) ** 2, atol=1e-10)
    assert ds.rs_stable.values.tolist() == [False, True]


def test_bad_input_named():
    import pytest

    with pytest.raises(ValueError, match="P must be an integer >= 2"):
        at.replicon(P=1, beta=1.0, alpha=0.1, q=0.5)
    with pytest.raises(ValueError, match="protocol must be one of"):
        at.replicon(P=2, beta=1.0, alpha=0.1, q=0.5, protocol="unsupervised")
    with pytest.raises(ValueError, match="alpha must lie in"):
        at.at_line(2, [-0.1])


def test_sech4_average_matches_adaptive_quadrature():
    """The replicon's E_z sech^4(beta (s + sd z)) in both regimes (smooth and sharp)."""
    from scipy import integrate

    from theory.rs.at import _gamma

    rng = np.random.default_rng(3)
    s = rng.uniform(-1.0, 1.5, (12, 1))
    sd = rng.uniform(0.0, 1.0, (12, 1))
    beta = np.exp(rng.uniform(np.log(0.3), np.log(300.0), (12, 1)))
    got = _gamma(s, sd, beta, np.ones(1))
    for i in range(12):
        b, mu, sig = beta[i, 0], s[i, 0], sd[i, 0]

        def f(z, b=b, mu=mu, sig=sig):
            x = min(abs(b * (mu + sig * z)), 150.0)
            return np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi) / np.cosh(x) ** 4

        zc = -mu / max(sig, 1e-12)
        ref = integrate.quad(
            f, -12, 12, points=[zc] if abs(zc) < 12 else None, limit=400, epsabs=1e-14
        )[0]
        assert abs(got[i] - ref) < 1e-10, (i, got[i], ref)


def test_old_paths_re_export():
    import theory.rsb
    import theory.rsb.at

    assert theory.rsb.at_line is at.at_line and theory.rsb.at.replicon is at.replicon
