"""Large-N simulations against low/high-storage theory. The references are a few lines of
quadrature written here (docs/models.md §3-4), independent of the ``theory`` package."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

import montecarlo


def curie_weiss_m(beta: float) -> float:
    """Positive root of m = tanh(beta m) (P = 2, one pattern)."""
    m = 1.0
    for _ in range(10_000):
        m = math.tanh(beta * m)
    return m


def supervised_finite_M(P: int, beta: float, M: int, r: float) -> tuple[float, float]:
    """(m, n_bar) of the exact finite-M low-storage law (docs/models.md §3), by fixed point."""
    rho = (1 - r**2) / (M * r**2)
    B = np.arange(M + 1)
    w = binom.pmf(B, M, (1 + r) / 2)
    a = (2 * B - M) / M / (r * (1 + rho))
    n = 1.0 / (1 + rho)
    for _ in range(5000):
        g = beta * (P / 2) * (1 + rho) ** (P / 2) * n ** (P - 1) * a
        n = float(np.sum(w * a * np.tanh(g)))
    g = beta * (P / 2) * (1 + rho) ** (P / 2) * n ** (P - 1) * a
    return float(np.sum(w * np.tanh(g))), n


def test_curie_weiss_magnetisation():
    N = 3000
    betas = np.array([1.25, 1.5, 2.0])
    net = montecarlo.DenseHebbianNetwork(2, patterns=montecarlo.archetypes(1, N, seed=0))
    res = net.sample(beta=betas, sweeps=400, burn_in=50, chains=2, seed=1)
    for k, beta in enumerate(betas):
        m = res.m.isel(beta=k, pattern=0)
        err = float(np.sqrt((res.m_err.isel(beta=k, pattern=0) ** 2).sum()) / 2)
        ref = curie_weiss_m(beta)
        # finite-N shift of <m> is O(1/N); 5 error bars or 0.01, whichever is larger
        assert abs(float(m.mean()) - ref) < max(5 * err, 0.01), (beta, float(m.mean()), ref)


def _supervised_run(N, seed):
    P, K, M, r, beta = 4, 2, 20, 0.3, 5.0
    xi = montecarlo.archetypes(K, N, seed=seed)
    eta = montecarlo.examples(xi, M=M, r=r, seed=seed + 1)
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi, examples=eta, protocol="supervised", r=r)
    res = net.sample(beta=beta, sweeps=150, burn_in=50, chains=2, seed=seed + 2)
    m_ref, n_ref = supervised_finite_M(P, beta, M, r)
    return res, m_ref, n_ref


def test_dense_supervised_P4_matches_finite_M_theory_small_N():
    res, m_ref, n_ref = _supervised_run(3000, seed=10)
    assert abs(float(res.m.sel(pattern=0).mean()) - m_ref) < 0.03
    assert abs(float(res.n.sel(pattern=0).mean()) - n_ref) < 0.03
    assert float(abs(res.m.sel(pattern=1)).max()) < 0.1  # the other class stays uncondensed


@pytest.mark.slow
def test_dense_supervised_P4_matches_finite_M_theory_large_N():
    res, m_ref, n_ref = _supervised_run(20000, seed=20)
    assert abs(float(res.m.sel(pattern=0).mean()) - m_ref) < 0.01
    assert abs(float(res.n.sel(pattern=0).mean()) - n_ref) < 0.01


@pytest.mark.parametrize("alpha, retrieves", [(0.05, True), (0.2, False)])
def test_P2_high_storage_retrieval_is_lost_above_capacity(alpha, retrieves):
    N = 600
    K = int(alpha * N)
    net = montecarlo.DenseHebbianNetwork(2, patterns=montecarlo.archetypes(K, N, seed=K))
    res = net.sample(T=0.1, sweeps=60, burn_in=60, chains=2, seed=5)
    m = float(res.m.sel(pattern=0).mean())
    if retrieves:
        assert m > 0.95  # AGS T = 0.1, alpha = 0.05: m = 0.99+
    else:
        assert m < 0.6  # alpha = 0.2 > alpha_c(T = 0.1) ~ 0.13: no retrieval state
