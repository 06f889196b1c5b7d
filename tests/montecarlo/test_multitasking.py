"""Multitasking (diluted, P = 2) engine: exact enumeration, the T -> 0 cascade, and the
finite-M theory of docs/models.md §6 computed here by exact sums."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from mc_reference import all_states, cost, gibbs_average
from scipy.stats import binom

import montecarlo
from montecarlo.observables import mean_and_error


def multitasking_finite_M(K, d, beta, M=None, r=1.0, iterations=3000):
    """(m, n_bar) of the low-storage multitasking equations, exact over xi in {-1,0,1}^K and
    over the binomial law of the class means (M = None: no data, chi_bar = 1)."""
    if M is None:
        chis, pchi, rho = np.array([1.0]), np.array([1.0]), 0.0
    else:
        B = np.arange(M + 1)
        chis, pchi = (2 * B - M) / M, binom.pmf(B, M, (1 + r) / 2)
        rho = (1 - r**2) / (M * r**2)
    xis, pxi = np.array([-1.0, 0.0, 1.0]), np.array([(1 - d) / 2, d, (1 - d) / 2])
    grid_x = np.array(list(itertools.product(xis, repeat=K)))  # (3^K, K)
    w_x = np.prod(np.array(list(itertools.product(pxi, repeat=K))), axis=1)
    grid_c = np.array(list(itertools.product(chis, repeat=K)))  # (C^K, K)
    w_c = np.prod(np.array(list(itertools.product(pchi, repeat=K))), axis=1)
    eta = grid_x[:, None, :] * grid_c[None, :, :]  # eta_hat / xi-sign pattern, (3^K, C^K, K)
    w = w_x[:, None] * w_c[None, :]
    n = np.array([(1 - d) * d**k for k in range(K)]) / (1 + rho)
    for _ in range(iterations):
        t = np.tanh(beta * (eta @ n) / r)
        new = np.einsum("xc,xck,xc->k", w, eta, t) / (r * (1 + rho))
        n = 0.5 * n + 0.5 * new
    t = np.tanh(beta * (eta @ n) / r)
    m = np.einsum("xc,xk,xc->k", w, grid_x, t)
    return m, n


def test_reference_reproduces_the_zero_temperature_cascade():
    m, _ = multitasking_finite_M(3, 0.4, beta=200.0)
    np.testing.assert_allclose(m, [0.6, 0.24, 0.096], atol=1e-3)  # (1-d) d^(k-1)


@pytest.mark.parametrize("protocol", ["hebbian", "supervised", "unsupervised"])
def test_diluted_network_matches_exact_enumeration(protocol):
    N, K, d, beta = 10, 3, 0.3, 1.5
    xi = montecarlo.archetypes(K, N, d=d, seed=12)
    kw = dict(patterns=xi)
    if protocol != "hebbian":
        kw.update(examples=montecarlo.examples(xi, M=3, r=0.6, seed=13), r=0.6)
    net = montecarlo.MultitaskingNetwork(protocol=protocol, **kw)
    assert net.sparse and net._storage.val.size == np.count_nonzero(net._storage.val)
    states = all_states(N)
    H = cost(states, 2, protocol, **kw)
    np.testing.assert_allclose(net.energy(states), H / N, rtol=0, atol=1e-12)
    res = net.sample(beta=beta, sweeps=8000, burn_in=100, chains=2, init="random", seed=3)
    m = states @ xi.T / N
    for name, trace, exact in [
        ("energy", res.energy_trace, gibbs_average(H / N, H, beta)),
        ("m", res.m_trace, gibbs_average(m, H, beta)),
        ("|m|", np.abs(res.m_trace), gibbs_average(np.abs(m), H, beta)),
    ]:
        mean, err, _ = mean_and_error(np.moveaxis(np.asarray(trace), 1, -1))
        mc, e = mean.mean(0), np.sqrt((err**2).sum(0)) / 2
        assert np.all(e > 0) and np.all(np.abs(mc - exact) < 5 * e), (name, mc, exact, e)


def _cascade(N, seed):
    xi = montecarlo.archetypes(2, N, d=0.3, seed=seed)
    net = montecarlo.MultitaskingNetwork(patterns=xi)
    res = net.sample(beta=50.0, sweeps=40, burn_in=40, chains=2, seed=seed + 1)
    return np.abs(res.m.values).mean(axis=0)


def test_two_pattern_cascade_at_low_temperature_small_N():
    np.testing.assert_allclose(_cascade(3000, seed=1), [0.70, 0.21], atol=0.025)


@pytest.mark.slow
def test_two_pattern_cascade_at_low_temperature_large_N():
    np.testing.assert_allclose(_cascade(40000, seed=2), [0.70, 0.21], atol=0.008)


def _with_data(N, protocol, seed):
    K, d, M, r, beta = 2, 0.3, 50, 0.41, 50.0
    xi = montecarlo.archetypes(K, N, d=d, seed=seed)
    eta = montecarlo.examples(xi, M=M, r=r, seed=seed + 1)
    net = montecarlo.MultitaskingNetwork(patterns=xi, examples=eta, protocol=protocol, r=r)
    res = net.sample(beta=beta, sweeps=40, burn_in=40, chains=2, seed=seed + 2)
    return np.abs(res.m.values).mean(axis=0), multitasking_finite_M(K, d, beta, M, r)[0]


@pytest.mark.parametrize(
    "protocol", ["supervised", pytest.param("unsupervised", marks=pytest.mark.slow)]
)
def test_amplitudes_with_data_match_finite_M_theory_small_N(protocol):
    m, m_ref = _with_data(3000, protocol, seed=30)
    np.testing.assert_allclose(m, m_ref, atol=0.03)


@pytest.mark.slow
@pytest.mark.parametrize("protocol", ["supervised", "unsupervised"])
def test_amplitudes_with_data_match_finite_M_theory_large_N(protocol):
    m, m_ref = _with_data(30000, protocol, seed=40)
    np.testing.assert_allclose(m, m_ref, atol=0.01)


@pytest.mark.slow  # the unsupervised multitasking driver compile (~20 s)
def test_supervised_and_unsupervised_give_the_same_amplitudes():
    m_sup, _ = _with_data(3000, "supervised", seed=50)
    m_uns, _ = _with_data(3000, "unsupervised", seed=50)  # same data, other cost
    np.testing.assert_allclose(m_sup, m_uns, atol=0.02)
