"""Multitasking RS equations (theory.multitasking.equations) against independent routes
(issue 29, mutation testing), at fixed trial overlaps (not solutions):

* the pattern law by enumeration of all 3^K configurations, and the finite-M example law by
  its first two moments (E chi = r, E chi^2 = r^2 + (1 - r^2)/M, binomial);
* F(nbar), m and f by a product Gauss-Hermite rule over the K independent data noises
  (``h = sum_nu xi_nu nbar_nu (1 + sqrt(rho) Y_nu)``), and at rho = 0 by the direct sum.

Eager JAX on small arrays only (no solver is compiled here).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.stats

from theory import _x64
from theory._gaussian import gauss_normal
from theory.multitasking import equations as eq


@pytest.mark.parametrize("K", [1, 2, 3])
def test_exact_configs_are_one_of_each_pair(K):
    table = eq.exact_configs(K)
    assert table.shape == ((3**K + 1) // 2, K)
    assert not table[0].any()
    rows = {tuple(r) for r in table} | {tuple(-r) for r in table}
    assert rows == set(itertools.product((-1.0, 0.0, 1.0), repeat=K))


def test_weights_are_the_pattern_probabilities():
    d = 0.3
    xi = eq.exact_configs(2)
    with _x64.enabled():
        w = np.asarray(eq._weights(xi, np.float64(d)))
    direct = {c: math.prod(d if v == 0 else (1 - d) / 2 for v in c)
              for c in itertools.product((-1.0, 0.0, 1.0), repeat=2)}
    for row, wr in zip(map(tuple, xi), w):
        want = direct[row] if not any(row) else direct[row] + direct[tuple(-v for v in row)]
        assert wr == pytest.approx(want, abs=1e-15)


def test_sampled_configs_split_the_unit_interval():
    d = 0.25  # P(0) = d, P(+1) = P(-1) = (1 - d)/2: u < d, d <= u < (1 + d)/2, the rest
    u = np.array([[0.0, 0.2499, 0.25, 0.6249, 0.625, 0.999]])
    with _x64.enabled():
        got = np.asarray(eq._sampled_configs(u, np.float64(d)))
    np.testing.assert_array_equal(got, [[0.0, 0.0, 1.0, 1.0, -1.0, -1.0]])


@pytest.mark.parametrize("K", [1, 2])
def test_finite_M_law_moments(K):
    M, r, d = 5, 0.6, 0.2
    xi, amp, pmf = eq.finite_M_configs(K, M, r)
    assert xi.shape[0] == ((2 * M + 3) ** K + 1) // 2
    with _x64.enabled():
        _, x, w = (np.asarray(a) for a in eq.config_table(np.float64(d), None, (xi, amp, pmf)))
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    # chi = r amp for xi != 0; by symmetry E[x_1^2] over the +-pairs is (1 - d) E[chi^2]/r^2
    B = np.arange(M + 1)
    pB = scipy.stats.binom.pmf(B, M, (1 + r) / 2)
    chi = (2 * B - M) / M
    assert (pB * chi).sum() == pytest.approx(r, abs=1e-14)
    assert (w * x[:, 0] ** 2).sum() == pytest.approx((1 - d) * (r * r + (1 - r * r) / M) / r**2,
                                                     abs=1e-13)
    assert (w * xi[:, 0] ** 2).sum() == pytest.approx(1 - d, abs=1e-14)
    assert (w * xi[:, 0] * x[:, 0]).sum() == pytest.approx(1 - d, abs=1e-14)  # E chi / r = 1
    support = np.append(np.abs(chi / r), 0.0)
    assert np.abs(np.abs(x[:, 0])[:, None] - support).min(axis=1).max() < 1e-14


def _brute(n, d, beta, rho, K, nodes=40):
    """F, m, f of K patterns by a K-dimensional product rule over the data noises; at T = 0
    with noise, h is Gaussian for each xi and the Gaussian closed forms are used instead."""
    y, wy = np.polynomial.hermite_e.hermegauss(nodes)
    wy = wy / wy.sum()
    Ys = np.meshgrid(*[y] * K, indexing="ij")
    W = np.prod(np.meshgrid(*[wy] * K, indexing="ij"), axis=0)
    F, m, lc = np.zeros(K), np.zeros(K), 0.0
    for xi in itertools.product((-1, 0, 1), repeat=K):
        p = math.prod(d if v == 0 else (1 - d) / 2 for v in xi)
        a = np.array(xi) * np.asarray(n)  # h = sum_k a_k (1 + sqrt(rho) Y_k)
        mu, sd = a.sum(), math.sqrt(rho * (a * a).sum())
        if math.isinf(beta) and sd > 0:  # E sign h, E[Y_k sign h] = 2 phi(mu/sd) sqrt(rho) a_k/sd
            es = math.erf(mu / (math.sqrt(2) * sd))
            dens = 2 * math.exp(-0.5 * (mu / sd) ** 2) / math.sqrt(2 * math.pi) / sd
            F += p * np.array(xi) * (es + rho * a * dens)
            m += p * np.array(xi) * es
            lc += p * (mu * es + sd * sd * dens)
            continue
        u = [1 + math.sqrt(rho) * Y for Y in Ys]
        h = sum(a[k] * u[k] for k in range(K))
        t = np.tanh(beta * h) if math.isfinite(beta) else np.sign(h)
        F += p * np.array([np.sum(W * xi[k] * u[k] * t) for k in range(K)])
        m += p * np.array(xi) * np.sum(W * t)
        tail = np.log1p(np.exp(-2 * beta * np.abs(h))) / beta if math.isfinite(beta) else 0.0
        lc += p * np.sum(W * (np.abs(h) + tail))
    return F / (1 + rho), m, 0.5 * (1 + rho) * np.sum(np.asarray(n) ** 2) - lc


def _rhs(n, d, beta, rho, K, noise):
    xi = eq.exact_configs(K)
    z, wz = gauss_normal() if noise else (np.zeros(1), np.ones(1))
    with _x64.enabled():
        xi_, x, w = eq.config_table(np.float64(d), None, (xi, np.ones_like(xi), np.ones_like(xi)))
        F, (F2, m, f) = eq.rhs(np.asarray(n, float), np.float64(beta), np.float64(rho), xi_, x, w,
                               z, wz, "gauss")
        f_only = eq.free_energy(np.asarray(n, float), np.float64(beta), np.float64(rho), xi_, x,
                                w, z, wz, "gauss")
        return np.asarray(F), np.asarray(m), float(f), float(f_only)


@pytest.mark.parametrize("beta, rho", [(2.0, 0.3), (2.0, 0.0), (math.inf, 0.0), (math.inf, 0.3)])
def test_rhs_equals_product_quadrature_at_a_trial_point(beta, rho):
    n, d, K = [0.55, 0.3], 0.35, 2
    F, m, f, f_only = _rhs(n, d, beta, rho, K, noise=rho > 0)
    F_ref, m_ref, f_ref = _brute(n, d, beta, rho, K)
    atol = 1e-9
    np.testing.assert_allclose(F, F_ref, atol=atol)
    np.testing.assert_allclose(m, m_ref, atol=atol)
    assert f == pytest.approx(f_ref, abs=atol) and f_only == f


def test_local_field_mean_and_spread():
    x = np.array([[1.0, -1.0], [0.0, 2.0]])
    n = np.array([0.5, 0.25])
    with _x64.enabled():
        mu, sigma = (np.asarray(a) for a in eq.local_field(n, np.float64(0.4), x))
    np.testing.assert_allclose(mu, [0.25, 0.5], atol=1e-15)
    np.testing.assert_allclose(sigma, np.sqrt(0.4 * np.array([0.25 + 0.0625, 0.25])), atol=1e-15)
