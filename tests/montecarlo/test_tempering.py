"""Parallel tempering samples the Gibbs measure at every rung of the ladder."""

from __future__ import annotations

import numpy as np
from mc_reference import all_states, cost, gibbs_average

import montecarlo
from montecarlo.observables import mean_and_error


def test_tempering_ladder_matches_exact_enumeration():
    N, P = 10, 4
    xi = montecarlo.archetypes(2, N, seed=6)
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi)
    ladder = np.array([0.5, 1.0, 1.6, 2.4, 3.4, 4.6, 6.0])
    res = net.sample(
        beta=ladder, sweeps=30000, burn_in=100, chains=2, init="archetype", seed=4, tempering=True
    )
    assert res.m.dims == ("beta", "chain", "pattern")
    np.testing.assert_allclose(res["T"], 1 / ladder)
    acc = res.swap_acceptance.values
    assert np.all((acc > 0.05) & (acc < 1.0))
    states = all_states(N)
    H = cost(states, P, "hebbian", patterns=xi)
    m = states @ xi.T / N
    for k, beta in enumerate(ladder):
        for name, trace, exact in [
            ("energy", res.energy_trace[k], gibbs_average(H / N, H, beta)),
            ("m", res.m_trace[k], gibbs_average(m, H, beta)),
            ("|m|", np.abs(res.m_trace[k]), gibbs_average(np.abs(m), H, beta)),
        ]:
            t = np.moveaxis(np.asarray(trace), 1, -1)
            mean, err, _ = mean_and_error(t)
            mc, e = mean.mean(0), np.sqrt((err**2).sum(0)) / t.shape[0]
            assert np.all(e > 0) and np.all(np.abs(mc - exact) < 5 * e), (name, beta, mc, e)
    # without exchanges the coldest chains stay frozen in the +m state (exact <m> = 0)
    frozen = net.sample(beta=ladder, sweeps=2000, chains=2, seed=4)
    assert np.all(frozen.m.isel(beta=-1, pattern=0).values == 1.0)


def test_ladder_without_tempering_runs_independent_temperatures():
    xi = montecarlo.archetypes(1, 200, seed=0)
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi)
    res = net.sample(T=[0.5, 2.0], sweeps=100, burn_in=50, seed=0)
    m = res.m.sel(pattern=0, chain=0).values
    assert m[0] > 0.9 and abs(m[1]) < 0.3  # ordered below T_c = 1, paramagnetic above
    assert "swap_acceptance" not in res
