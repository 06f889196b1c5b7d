"""Monte Carlo means against exact Gibbs averages over all 2**N states (N = 10)."""

from __future__ import annotations

import numpy as np
import pytest
from mc_reference import all_states, cost, gibbs_average

import montecarlo
from montecarlo.observables import mean_and_error

N = 10
SIGMAS = 5.0  # tolerance in error bars; seeds fixed

CASES = [  # (P, protocol, K, beta, self_interaction)
    (2, "hebbian", 2, 1.2, False),
    (2, "supervised", 2, 1.2, False),
    (2, "unsupervised", 2, 1.2, False),
    (4, "hebbian", 3, 2.0, False),
    (4, "supervised", 2, 2.0, False),
    (4, "unsupervised", 2, 2.0, False),
    (4, "hebbian", 2, 2.0, True),
    (4, "supervised", 2, 2.0, True),
    (6, "hebbian", 2, 3.0, False),
    (6, "supervised", 2, 3.0, False),
]


def _network(P, protocol, K, self_interaction, seed=3, d=0.0):
    xi = montecarlo.archetypes(K, N, d=d, seed=seed)
    if protocol == "hebbian":
        net = montecarlo.DenseHebbianNetwork(P, patterns=xi, self_interaction=self_interaction)
        return net, dict(patterns=xi)
    eta = montecarlo.examples(xi, M=3, r=0.6, seed=seed + 1)
    net = montecarlo.DenseHebbianNetwork(
        P,
        patterns=xi,
        examples=eta,
        protocol=protocol,
        r=0.6,
        self_interaction=self_interaction,
    )
    return net, dict(patterns=xi, examples=eta, r=0.6)


def _chain_average(trace):
    """Mean over chains of per-chain means; trace (chain, sweep, ...) -> value, error."""
    t = np.moveaxis(np.asarray(trace), 1, -1)
    mean, err, _ = mean_and_error(t)
    return mean.mean(axis=0), np.sqrt((err**2).sum(axis=0)) / t.shape[0]


def _check(name, mc, err, exact):
    mc, err, exact = np.atleast_1d(mc), np.atleast_1d(err), np.atleast_1d(exact)
    assert np.all(err > 0), f"{name}: zero error bar, chain did not move"
    dev = np.abs(mc - exact) / err
    assert np.all(dev < SIGMAS), f"{name}: MC {mc} vs exact {exact} (+- {err}), {dev} sigma"


@pytest.mark.parametrize("dynamics", ["glauber", "metropolis"])
@pytest.mark.parametrize(
    "P, protocol, K, beta, self_interaction",
    CASES,
    ids=[f"P={c[0]}-{c[1]}-K={c[2]}" + ("-plain" if c[4] else "") for c in CASES],
)
def test_sampler_matches_exact_enumeration(P, protocol, K, beta, self_interaction, dynamics):
    net, data = _network(P, protocol, K, self_interaction)
    states = all_states(N)
    H = cost(states, P, protocol, distinct=not self_interaction, **data)
    m = states @ data["patterns"].T / N  # (2**N, K)
    res = net.sample(
        beta=beta, sweeps=6000, burn_in=100, chains=2, init="random", dynamics=dynamics, seed=11
    )
    _check("energy", *_chain_average(res.energy_trace), gibbs_average(H / N, H, beta))
    _check("m", *_chain_average(res.m_trace), gibbs_average(m, H, beta))
    _check("|m|", *_chain_average(np.abs(res.m_trace)), gibbs_average(np.abs(m), H, beta))
    if protocol != "hebbian":
        eta = data["examples"]
        rho = (1 - 0.36) / (3 * 0.36)
        nbar = states @ eta.mean(axis=1).T / (N * 0.6 * (1 + rho))
        _check("n", *_chain_average(res.n_trace), gibbs_average(nbar, H, beta))


def test_energy_method_matches_cost_functions():
    for P, protocol, K, _, si in CASES:
        net, data = _network(P, protocol, K, si)
        states = all_states(N)[::7]
        H = cost(states, P, protocol, distinct=not si, **data)
        np.testing.assert_allclose(net.energy(states), H / N, rtol=0, atol=1e-12)


def test_diluted_patterns_match_exact_enumeration():
    """Ternary patterns (sparse storage, power mode at P = 4) against enumeration."""
    for P in (2, 4):
        net, data = _network(P, "hebbian", 2, False, seed=5, d=0.4)
        assert net.sparse
        states = all_states(N)
        H = cost(states, P, "hebbian", **data)
        np.testing.assert_allclose(net.energy(states), H / N, rtol=0, atol=1e-12)
        m = states @ data["patterns"].T / N
        res = net.sample(beta=1.5, sweeps=6000, burn_in=100, chains=2, init="random", seed=2)
        _check("energy", *_chain_average(res.energy_trace), gibbs_average(H / N, H, 1.5))
        _check("|m|", *_chain_average(np.abs(res.m_trace)), gibbs_average(np.abs(m), H, 1.5))


def test_sequential_sweeps_sample_the_gibbs_measure():
    """Site-ordered sweeps break detailed balance per step but keep the Gibbs measure."""
    net, data = _network(2, "hebbian", 2, False, seed=7)
    states = all_states(N)
    H = cost(states, 2, "hebbian", **data)
    m = states @ data["patterns"].T / N
    res = net.sample(
        beta=1.2, sweeps=6000, burn_in=100, chains=2, init="random", order="sequential", seed=5
    )
    _check("energy", *_chain_average(res.energy_trace), gibbs_average(H / N, H, 1.2))
    _check("|m|", *_chain_average(np.abs(res.m_trace)), gibbs_average(np.abs(m), H, 1.2))
