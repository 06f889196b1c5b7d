"""Single-flip kernel: detailed balance on the full transition matrix, zero-temperature
descent, drift-free overlap bookkeeping, thread-count independence, the random stream."""

from __future__ import annotations

import numba
import numpy as np
import pytest
import xarray as xr
from mc_reference import all_states, cost

import montecarlo
from montecarlo import _chains, _energy, _kernels
from montecarlo._rng import stream_states, uniform


def _transition_matrix(net, beta, dynamics_code):
    """Random-site single-flip transition matrix from the kernel's own dH and acceptance."""
    t, st = net._terms, net._storage
    states = all_states(net.N)
    index = {tuple(s): k for k, s in enumerate(states.tolist())}
    S = _energy.tracked_sums(st, states, t.n_sums)
    p, e = np.zeros(t.P + 1), np.zeros(t.P + 1)
    n = len(states)
    Tm = np.zeros((n, n))
    dH = np.zeros((n, net.N))
    for k, s in enumerate(states):
        for i in range(net.N):
            s_i = int(s[i])
            if t.mode == _kernels.MODE_TABLE:  # the sweep's own routes
                a, b = st.indptr[i], st.indptr[i + 1]
                tab = t.table if t.fast == _kernels.FAST_QUADRATIC else t.dpoly
                rsq = t.rowsq[i] if t.fast == _kernels.FAST_QUADRATIC else 0
                dh = _kernels.table_delta(
                    a, b, s_i, S[k], st.val, st.idx, tab, t.fast, t.q4, rsq, st.dense
                )
            else:
                dh = _kernels.power_delta(
                    i, s_i, S[k], t.pe, t.c, t.P, st.indptr, st.idx, st.val, st.dense, p, e
                )
            dH[k, i] = dh
            flipped = s.copy()
            flipped[i] = -flipped[i]
            Tm[k, index[tuple(flipped.tolist())]] = (
                _kernels.acceptance_probability(dh, beta, dynamics_code) / net.N
            )
        Tm[k, k] = 1.0 - Tm[k].sum()
    return states, Tm, dH


ROUTES = [  # (P, protocol, d, plain): every energy route of the sweep
    (4, "hebbian", 0.0, False),  # FAST_UNIT, dense rows
    (4, "hebbian", 0.4, False),  # power mode, sparse rows (diluted, P = 4)
    (2, "hebbian", 0.4, False),  # FAST_QUADRATIC, sparse rows
    (2, "supervised", 0.0, False),  # FAST_QUADRATIC, integer class sums
    (4, "supervised", 0.0, False),  # power mode, real-valued class means
    (4, "supervised", 0.0, True),  # FAST_PLAIN (written out), integer class sums
    (6, "supervised", 0.0, True),  # FAST_PLAIN, generic loop
    (4, "unsupervised", 0.0, True),  # plain form, FAST_UNIT
]


@pytest.mark.parametrize(
    "dynamics", [_kernels.GLAUBER, _kernels.METROPOLIS], ids=["glauber", "metropolis"]
)
@pytest.mark.parametrize(
    "P, protocol, d, plain",
    ROUTES,
    ids=[f"P={r[0]}-{r[1]}-d={r[2]}" + ("-plain" if r[3] else "") for r in ROUTES],
)
def test_detailed_balance_on_full_transition_matrix(P, protocol, d, plain, dynamics):
    N, beta = 7, 1.7
    xi = montecarlo.archetypes(2, N, d=d, seed=4)
    kw = dict(patterns=xi)
    if protocol != "hebbian":
        kw.update(examples=montecarlo.examples(xi, M=3, r=0.5, seed=5), r=0.5)
    net = montecarlo.DenseHebbianNetwork(
        P, protocol=protocol, self_interaction=plain, sparse=d > 0, **kw
    )
    routes = {(4, "hebbian", 0.0): _kernels.FAST_UNIT, (2, "hebbian", 0.4): _kernels.FAST_QUADRATIC}
    if (P, protocol, d) in routes and not plain:
        assert net._terms.fast == routes[(P, protocol, d)]
    if plain and protocol == "supervised":
        assert net._terms.fast == _kernels.FAST_PLAIN
    states, Tm, dH = _transition_matrix(net, beta, dynamics)
    H = cost(states, P, protocol, distinct=not plain, **kw)
    # the kernel's energy changes agree with the independent cost function
    flips = np.array([[H[k ^ (1 << (N - 1 - i))] - H[k] for i in range(N)] for k in range(len(H))])
    np.testing.assert_allclose(dH, flips, rtol=0, atol=1e-12)
    pi = np.exp(-beta * (H - H.min()))
    pi /= pi.sum()
    flow = pi[:, None] * Tm
    np.testing.assert_allclose(flow, flow.T, rtol=0, atol=1e-15)
    assert np.all(Tm >= 0) and np.allclose(Tm.sum(axis=1), 1.0)
    np.testing.assert_allclose(pi @ Tm, pi, rtol=0, atol=1e-14)  # stationarity


@pytest.mark.parametrize("P", [2, 4])
def test_zero_temperature_dynamics_never_raises_the_energy(P):
    xi = montecarlo.archetypes(6, 300, seed=1)
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi)
    res = net.sample(T=0.0, sweeps=30, chains=3, init="random", seed=7)
    E = res.energy_trace.values
    assert np.all(np.diff(E, axis=1) <= 1e-12)
    # the end state is a local minimum: no single flip lowers the energy
    sigma = res.sigma.values[0]
    flipped = np.repeat(sigma[None], net.N, axis=0)
    flipped[np.arange(net.N), np.arange(net.N)] *= -1
    assert np.all(net.energy(flipped) >= net.energy(sigma) - 1e-12)
    # and its energy equals the recorded one
    assert abs(net.energy(sigma) - E[0, -1]) < 1e-12


@pytest.mark.parametrize(
    "protocol, P", [("hebbian", 4), ("supervised", 4), ("unsupervised", 2), ("supervised", 2)]
)
def test_tracked_overlaps_equal_recomputation_after_long_runs(protocol, P):
    N, K, M, r = 120, 3, 4, 0.5
    xi = montecarlo.archetypes(K, N, seed=8)
    kw = dict(patterns=xi)
    if protocol != "hebbian":
        kw.update(examples=montecarlo.examples(xi, M=M, r=r, seed=9), r=r)
    net = montecarlo.DenseHebbianNetwork(P, protocol=protocol, **kw)
    res = net.sample(beta=0.8, sweeps=3000, chains=2, init="random", seed=3)
    sigma = res.sigma.values
    m_now = sigma @ xi.T / N
    np.testing.assert_array_equal(np.rint(res.m_trace.values[:, -1] * N), np.rint(m_now * N))
    H = cost(sigma, P, protocol, **kw)
    np.testing.assert_allclose(res.energy_trace.values[:, -1], H / N, rtol=0, atol=1e-11)
    # the chains moved: every chain's overlap with every pattern fluctuates along the run by
    # about sqrt(chi / N) in this paramagnetic phase (a frozen chain would give exactly 0)
    moved = res.m_trace.isel(sweep=slice(None, 100)).std("sweep")
    assert float(moved.min()) > 0.2 / np.sqrt(N), float(moved.min())


def test_same_seed_gives_identical_dataset_for_1_and_2_threads(monkeypatch):
    monkeypatch.setattr(_chains, "PARALLEL_MIN_WORK", 0)  # use the threaded driver
    xi = montecarlo.archetypes(4, 400, seed=2)
    net = montecarlo.DenseHebbianNetwork(4, patterns=xi)
    old = numba.get_num_threads()
    kw = dict(beta=[0.8, 1.1], sweeps=40, chains=3, init="random", seed=99, tempering=True)
    try:
        numba.set_num_threads(1)
        one = net.sample(**kw)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = net.sample(**kw)
    finally:
        numba.set_num_threads(old)
    xr.testing.assert_identical(one, two)
    different = net.sample(**{**kw, "seed": 100})
    assert not different.m_trace.equals(one.m_trace)


def test_random_streams_are_uniform_and_independent():
    states = stream_states(np.random.SeedSequence(5), 2)
    u = np.array([[uniform(states[k]) for _ in range(20000)] for k in range(2)])
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.003
    assert abs(np.corrcoef(u[0], u[1])[0, 1]) < 0.03


@pytest.mark.parametrize("P", [4, 6, 8])
@pytest.mark.parametrize("dense", [True, False])
def test_power_mode_closed_forms_equal_newtons_identities(P, dense):
    """P = 4 and 6 use written-out e_{P-1}; P = 8 the generic loop: all equal Newton's
    identities evaluated term by term (independent code path, same power sums)."""
    rng = np.random.default_rng(P)
    L, J, c = 6, P // 2, -0.37
    val = rng.integers(-3, 4, size=L).astype(np.int8)
    idx = np.empty(0, np.int32) if dense else rng.permutation(L + 3)[:L].astype(np.int32)
    n_terms = L if dense else L + 3
    S = rng.integers(-60, 60, size=(n_terms, J)).astype(np.int64)
    pe = rng.uniform(10.0, 80.0, size=(n_terms, J))
    indptr = np.array([0, L], np.int64)
    p, e = np.zeros(P + 1), np.zeros(P + 1)
    for s_i in (1, -1):
        got = _kernels.power_delta(0, s_i, S, pe, c, P, indptr, idx, val, dense, p, e)
        want = 0.0
        for j in range(L):
            l = j if dense else idx[j]
            x = float(val[j]) * s_i
            for t in range(J):
                p[2 * t + 1] = S[l, t] - x ** (2 * t + 1)
                p[2 * t + 2] = pe[l, t] - x ** (2 * t + 2)
            want -= 2.0 * c * x * _kernels.elementary_from_power(p, P - 1, e)
        assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(
    "dynamics", [_kernels.GLAUBER, _kernels.METROPOLIS, _kernels.ZERO_TEMPERATURE]
)
def test_accept_rule_matches_acceptance_probability(dynamics):
    """The sweep's decision accept(dh, u) over a fine grid of u has the stated probability."""
    u = (np.arange(100_000) + 0.5) / 100_000
    beta = np.inf if dynamics == _kernels.ZERO_TEMPERATURE else 1.3
    for dh in (-2.0, -0.1, 0.0, 0.1, 2.0):
        freq = np.mean([_kernels.accept(dh, beta, dynamics, x) for x in u[::10]])
        assert abs(freq - _kernels.acceptance_probability(dh, beta, dynamics)) < 2e-4


@pytest.mark.parametrize("tempering", [False, True])
def test_thinning_records_every_kth_sweep_of_the_same_run(tempering):
    """Recording does not touch the dynamics: thin=5 keeps every 5th record of thin=1."""
    net = montecarlo.DenseHebbianNetwork(2, patterns=montecarlo.archetypes(3, 300, seed=1))
    kw = dict(beta=[0.8, 1.2], sweeps=40, burn_in=3, chains=2, seed=8, tempering=tempering)
    full, thin = net.sample(**kw), net.sample(**kw, thin=5)
    sel = dict(sweep=slice(4, None, 5))
    for name in ("m_trace", "energy_trace", "q_trace"):
        np.testing.assert_array_equal(thin[name].values, full[name].isel(**sel).values)
    np.testing.assert_array_equal(thin.sweep.values, full.sweep.values[4::5])
    xr.testing.assert_identical(thin.sigma, full.sigma)
    with pytest.raises(ValueError, match=r"sweeps must be a multiple of thin"):
        net.sample(**{**kw, "sweeps": 41}, thin=5)


def test_parallel_and_serial_drivers_have_separate_numba_caches():
    """Numba keys its disk cache by function name and signature, not by ``parallel=``: two
    drivers compiled from one function would load each other's code (the parallel one then
    runs serially). Each driver must have its own cache entry."""
    from montecarlo import _chains

    parallel = _chains.run_parallel._cache._cache_file._index_name
    serial = _chains.run_serial._cache._cache_file._index_name
    assert parallel != serial
