"""Odd interaction orders (P = 3, 5): energies against the cost functions of docs/models.md
§2 (product expansion, independent of the kernels), detailed balance on the full transition
matrix and Monte Carlo means against exact Gibbs averages over all 2**N states."""

from __future__ import annotations

import numpy as np
import pytest
from mc_reference import all_states, cost, gibbs_average
from test_exact_enumeration import _chain_average, _check
from test_kernels import _transition_matrix

import montecarlo
from montecarlo import _kernels

CASES = [  # (P, protocol, self_interaction): every odd-P route
    (3, "hebbian", False),  # e_3 of +-1 patterns: table, binomial route of the whole poly
    (3, "hebbian", True),  # plain form
    (5, "hebbian", False),
    (3, "unsupervised", False),  # +-1 examples
    (3, "supervised", True),  # integer class sums, plain form
    (5, "supervised", True),
]


def _network(P, protocol, plain, N, seed=3, K=2):
    xi = montecarlo.archetypes(K, N, seed=seed)
    kw = dict(patterns=xi)
    if protocol != "hebbian":
        kw.update(examples=montecarlo.examples(xi, M=3, r=0.6, seed=seed + 1), r=0.6)
    net = montecarlo.DenseHebbianNetwork(P, protocol=protocol, self_interaction=plain, **kw)
    return net, kw


@pytest.mark.parametrize("P, protocol, plain", CASES)
def test_energies_match_cost_functions(P, protocol, plain):
    net, kw = _network(P, protocol, plain, N=10)
    assert net._terms.mode == _kernels.MODE_TABLE
    states = all_states(10)
    H = cost(states, P, protocol, distinct=not plain, **kw)
    np.testing.assert_allclose(net.energy(states), H / 10, rtol=0, atol=1e-12)
    # no +-m symmetry: the energy is odd in sigma for hebbian storage
    if protocol == "hebbian":
        np.testing.assert_allclose(net.energy(-states), -net.energy(states), atol=1e-12)


@pytest.mark.parametrize("dynamics", [_kernels.GLAUBER, _kernels.METROPOLIS])
@pytest.mark.parametrize("P, protocol, plain", CASES[:4])
def test_detailed_balance_odd_p(P, protocol, plain, dynamics):
    N, beta = 7, 1.7
    net, kw = _network(P, protocol, plain, N=N, seed=4)
    states, Tm, dH = _transition_matrix(net, beta, dynamics)
    H = cost(states, P, protocol, distinct=not plain, **kw)
    flips = np.array([[H[k ^ (1 << (N - 1 - i))] - H[k] for i in range(N)] for k in range(len(H))])
    np.testing.assert_allclose(dH, flips, rtol=0, atol=1e-12)
    pi = np.exp(-beta * (H - H.min()))
    pi /= pi.sum()
    flow = pi[:, None] * Tm
    np.testing.assert_allclose(flow, flow.T, rtol=0, atol=1e-15)
    np.testing.assert_allclose(pi @ Tm, pi, rtol=0, atol=1e-14)


@pytest.mark.parametrize("P, protocol, plain, beta", [(3, "hebbian", False, 2.0),
                                                      (5, "hebbian", False, 3.0),
                                                      (3, "supervised", True, 2.0)])  # fmt: skip
def test_sampler_matches_exact_enumeration_odd_p(P, protocol, plain, beta):
    """Signed overlaps: m and -m are different states at odd P, so m itself (not |m|) is
    compared, from a random start."""
    N = 10
    net, kw = _network(P, protocol, plain, N=N)
    states = all_states(N)
    H = cost(states, P, protocol, distinct=not plain, **kw)
    m = states @ kw["patterns"].T / N
    res = net.sample(beta=beta, sweeps=6000, burn_in=100, chains=2, init="random", seed=11)
    _check("energy", *_chain_average(res.energy_trace), gibbs_average(H / N, H, beta))
    _check("m", *_chain_average(res.m_trace), gibbs_average(m, H, beta))


def test_odd_p_has_no_reversed_retrieval_state():
    """P = 3, T = 0: started on -xi the network leaves it (m = -1 is a maximum of the
    condensed energy -m**3 / 2), started on +xi it stays."""
    xi = montecarlo.archetypes(3, 200, seed=2)
    net = montecarlo.DenseHebbianNetwork(3, patterns=xi)
    plus = net.sample(T=0.0, sweeps=5, chains=1, init=xi[0], seed=1)
    minus = net.sample(T=0.0, sweeps=5, chains=1, init=-xi[0], seed=1)
    assert float(plus.m.sel(chain=0, pattern=0)) > 0.99
    assert float(minus.m.sel(chain=0, pattern=0)) > -0.5  # escaped the reversed state
    assert net.energy(-xi[0]) > net.energy(xi[0]) + 0.9  # H/N = -m**3/2 +- cross-talk


def test_odd_p_real_valued_weights_need_the_plain_form():
    xi = montecarlo.archetypes(2, 12, seed=0)
    eta = montecarlo.examples(xi, M=3, r=0.5, seed=1)
    with pytest.raises(ValueError, match=r"odd P \(here P=3\).*self_interaction=True"):
        montecarlo.DenseHebbianNetwork(3, patterns=xi, examples=eta, protocol="supervised")


def test_jax_engine_odd_p_matches_exact_enumeration():
    """engine="jax" reads the odd-P energy table (both signs of S) by lookups."""
    N, beta = 10, 2.0
    net, kw = _network(3, "hebbian", False, N=N)
    H = cost(all_states(N), 3, "hebbian", distinct=True, **kw)
    res = net.sample(beta=beta, sweeps=4000, burn_in=100, chains=4, init="random", seed=1,
                     engine="jax")  # fmt: skip
    _check("energy", *_chain_average(res.energy_trace), gibbs_average(H / N, H, beta))
