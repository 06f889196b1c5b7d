"""The JAX many-chain engine (``sample(..., engine="jax")``): exact enumeration at N = 10 with
the machinery of test_exact_enumeration, agreement with the Numba engine, independence of
the batch layout, lazy import. Shapes are shared between tests to limit JAX compilations."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from mc_reference import all_states, cost, gibbs_average
from test_exact_enumeration import CASES, N, _chain_average, _check, _network

import montecarlo

pytest.importorskip("jax")

JAX_KW = dict(sweeps=400, burn_in=50, chains=48, init="random", engine="jax")
# table-mode cases (the JAX engine's scope); supervised P >= 4 distinct is power mode
TABLE_CASES = [c for c in CASES if not (c[0] >= 4 and c[1] == "supervised" and not c[4])]
FAST = [(2, "supervised", 2, 1.2, False), (4, "hebbian", 3, 2.0, False)]


def _exact_check(P, protocol, K, beta, self_interaction, dynamics, seed=11):
    net, data = _network(P, protocol, K, self_interaction)
    states = all_states(N)
    H = cost(states, P, protocol, distinct=not self_interaction, **data)
    m = states @ data["patterns"].T / N
    res = net.sample(beta=beta, dynamics=dynamics, seed=seed, **JAX_KW)
    assert res.attrs["engine"] == "jax"
    _check("energy", *_chain_average(res.energy_trace), gibbs_average(H / N, H, beta))
    _check("m", *_chain_average(res.m_trace), gibbs_average(m, H, beta))
    _check("|m|", *_chain_average(np.abs(res.m_trace)), gibbs_average(np.abs(m), H, beta))
    if protocol != "hebbian":
        rho = (1 - 0.36) / (3 * 0.36)
        nbar = states @ data["examples"].mean(axis=1).T / (N * 0.6 * (1 + rho))
        _check("n", *_chain_average(res.n_trace), gibbs_average(nbar, H, beta))
    pa, pb = res.chain_a.values, res.chain_b.values
    q_exact = np.mean(res.sigma.values[pa] * res.sigma.values[pb], axis=1)
    np.testing.assert_allclose(res.q_trace.values[:, -1], q_exact)  # q of the final states


@pytest.mark.parametrize("dynamics", ["glauber", "metropolis"])
@pytest.mark.parametrize("case", FAST, ids=[f"P={c[0]}-{c[1]}" for c in FAST])
def test_jax_engine_matches_exact_enumeration(case, dynamics):
    _exact_check(*case, dynamics)


@pytest.mark.slow
@pytest.mark.parametrize("dynamics", ["glauber", "metropolis"])
@pytest.mark.parametrize(
    "case", TABLE_CASES, ids=[f"P={c[0]}-{c[1]}-K={c[2]}-{c[4]}" for c in TABLE_CASES]
)
def test_jax_engine_matches_exact_enumeration_all_cases(case, dynamics):
    _exact_check(*case, dynamics)


def test_chains_do_not_depend_on_the_batch_layout():
    """Chain c's random numbers are fold_in(fold_in(key, c), sweep): running 48 or 47 chains
    together gives the same first 47 chains, sample by sample (the 48-chain run shares its
    compiled shapes with the exact-enumeration test)."""
    net, _ = _network(4, "hebbian", 3, False)
    kw = {**JAX_KW, "beta": 2.0, "init": "archetype", "seed": 4}
    full = net.sample(**kw)
    fewer = net.sample(**{**kw, "chains": 47})
    np.testing.assert_array_equal(full.m_trace.values[:47], fewer.m_trace.values)
    np.testing.assert_array_equal(full.sigma.values[:47], fewer.sigma.values)
    other = net.sample(**{**kw, "seed": 5})
    assert not np.array_equal(other.m_trace.values, full.m_trace.values)


def _agree(net, sweeps, chains, beta, pattern_mean_above):
    kw = dict(beta=beta, sweeps=sweeps, burn_in=50, chains=chains, init="archetype", seed=2)
    a, b = net.sample(**kw), net.sample(**kw, engine="jax")
    for name in ("m", "energy", "q"):
        sel = dict(pattern=0) if name == "m" else {}
        va, vb = a[name].sel(**sel), b[name].sel(**sel)
        ea, eb = a[f"{name}_err"].sel(**sel), b[f"{name}_err"].sel(**sel)
        diff = float(va.mean() - vb.mean())
        err = float(np.sqrt((ea**2).mean() / ea.size + (eb**2).mean() / eb.size))
        assert abs(diff) < 5 * err, (name, float(va.mean()), float(vb.mean()), err)
    if pattern_mean_above is not None:  # the retrieval state, not a trivial one
        assert float(b.m.sel(pattern=0).mean()) > pattern_mean_above


def test_jax_and_numba_engines_agree_at_small_N():
    net, _ = _network(4, "hebbian", 3, False)  # the exact test's compiled shapes
    _agree(net, JAX_KW["sweeps"], JAX_KW["chains"], 2.0, None)


@pytest.mark.slow
def test_jax_and_numba_engines_agree_at_N_1000():
    xi = montecarlo.archetypes(5, 1000, seed=8)
    _agree(montecarlo.DenseHebbianNetwork(2, patterns=xi), 1000, 16, 1.6, 0.5)


def test_jax_engine_scope_is_checked_up_front():
    net, _ = _network(4, "supervised", 2, False)  # real-valued class means, distinct: power
    with pytest.raises(ValueError, match=r"engine='jax' covers"):
        net.sample(beta=1.0, sweeps=2, seed=0, engine="jax")
    net2, _ = _network(2, "hebbian", 2, False)
    with pytest.raises(ValueError, match=r"tempering=True is available with engine='numba'"):
        net2.sample(beta=[1.0, 2.0], tempering=True, sweeps=2, seed=0, engine="jax")


def test_montecarlo_does_not_import_jax():
    code = (
        "import sys, montecarlo\n"
        "net = montecarlo.DenseHebbianNetwork(2, patterns=montecarlo.archetypes(2, 20, seed=0))\n"
        "net.sample(beta=1.0, sweeps=2, seed=0)\n"
        "assert 'jax' not in sys.modules, 'jax imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
