"""Value tests of ``montecarlo._kernels`` against independent references (issue 29, mutation
testing): the acceptance probabilities in closed form, the P = 2 table lookup against the
threshold rule written out in Python's ``math``, the observable-only sums recomputed from
the state, and the sweep's sparse-row routes against the cost function of docs/models.md §2.
Cheap: the kernels are compiled by tests/montecarlo/test_kernels.py and
tests/montecarlo/test_delta_routes.py already, or are small (one signature each).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mc_reference import cost

import montecarlo
from montecarlo import _energy, _kernels


def test_dynamics_codes_are_distinct():
    codes = {_kernels.GLAUBER, _kernels.METROPOLIS, _kernels.ZERO_TEMPERATURE}
    assert len(codes) == 3


@pytest.mark.parametrize("beta", [0.3, 1.7])
def test_acceptance_probabilities_equal_the_closed_forms(beta):
    """Heat bath ``1 / (1 + e^{beta dH})``, Metropolis ``min(1, e^{-beta dH})``, zero
    temperature 1 / 1/2 / 0 for downhill / flat / uphill moves."""
    for dh in (-3.0, -0.4, 0.0, 0.4, 3.0):
        glauber = _kernels.acceptance_probability(dh, beta, _kernels.GLAUBER)
        assert glauber == pytest.approx(1.0 / (1.0 + math.exp(beta * dh)), rel=1e-14)
        metropolis = _kernels.acceptance_probability(dh, beta, _kernels.METROPOLIS)
        assert metropolis == pytest.approx(min(1.0, math.exp(-beta * dh)), rel=1e-14)
        zero = _kernels.acceptance_probability(dh, beta, _kernels.ZERO_TEMPERATURE)
        assert zero == (1.0 if dh < 0 else 0.5 if dh == 0 else 0.0)


def _accepts(dh: float, beta: float, glauber: bool, x: int) -> bool:
    """``beta dH < t(x 2**-53)`` in Python floats (the rule of ``_kernels.accept``)."""
    u = x * 2.0**-53
    if u == 0.0:
        return True
    t = math.log((1.0 - u) / u) if glauber else -math.log(u)
    return beta * dh < t


@pytest.mark.parametrize("dynamics", [_kernels.GLAUBER, _kernels.METROPOLIS])
def test_level_lookup_clips_to_the_table_and_falls_back_to_the_logarithm(dynamics):
    """``level_accept`` on a hand-made row: ``x < X`` for a tabulated level (the ends stand
    for every level beyond them), the logarithm's decision for an entry -1."""
    q4, beta, lo = 0.3, 1.1, -2
    row = np.array([5, 1 << 52, -1, 3, 1 << 53], np.int64)  # levels -2 .. 2
    rng = np.random.default_rng(1)
    xs = [0, 2, 4, 5, 6, 1 << 51, (1 << 52) - 1, 1 << 52, (1 << 53) - 1]
    xs += [int(x) for x in rng.integers(0, 1 << 53, size=40)]
    for n in range(-6, 7):
        X = int(row[min(max(n - lo, 0), row.size - 1)])
        for x in xs:
            got = _kernels.level_accept(n, q4, beta, dynamics, x, row, lo)
            want = x < X if X >= 0 else _accepts(q4 * n, beta, dynamics == _kernels.GLAUBER, x)
            assert got == want, (n, x)
    # the fallback row of no table: every level by the logarithm, on both sides of 0
    none = np.full(1, -1, np.int64)
    for n in (-3, 1, 2, 5):
        for x in xs:
            want = _accepts(q4 * n, beta, dynamics == _kernels.GLAUBER, x)
            assert _kernels.level_accept(n, q4, beta, dynamics, x, none, 0) == want, (n, x)


@pytest.mark.parametrize("sparse", [False, True])
def test_observable_sums_follow_the_flips(sparse):
    """``obs_flip``: ``O_l = sum_i w_il sigma_i`` recomputed from the flipped state (int32)."""
    rng = np.random.default_rng(7)
    W = rng.choice([-1, 0, 1], size=(3, 9)).astype(np.int8)
    st = _energy.per_spin_storage(W, sparse=sparse)
    sigma = rng.choice([-1, 1], size=9).astype(np.int8)
    O = (W.astype(np.int64) @ sigma).astype(np.int32)[:, None].copy()
    for i in (0, 4, 8, 4, 2):
        _kernels.obs_flip(i, int(sigma[i]), O, st.indptr, st.idx, st.val, st.dense)
        sigma[i] = -sigma[i]
        np.testing.assert_array_equal(O[:, 0], W.astype(np.int64) @ sigma)


def _check_run(net, xi, P, protocol, **kw):
    """The end state's energy and overlaps from the cost function and from ``sigma @ xi``."""
    res = net.sample(beta=1.2, sweeps=20, chains=2, init="random", seed=4)
    sigma = res.sigma.values
    N = sigma.shape[1]
    np.testing.assert_array_equal(np.rint(res.m_trace.values[:, -1] * N),
                                  sigma.astype(np.int64) @ np.asarray(xi, np.int64).T)  # fmt: skip
    H = cost(sigma, P, protocol, **kw)
    np.testing.assert_allclose(res.energy_trace.values[:, -1], H / N, rtol=0, atol=1e-11)
    assert float(res.m_trace.isel(sweep=slice(None, 5)).std("sweep").min()) > 0  # moved


@pytest.mark.parametrize("P, d", [(4, 0.0), (2, 0.3)])
def test_sparse_rows_track_energy_and_overlaps(P, d):
    """Sparse rows through the sweep: +-1 weights at P = 4 (the unit polynomial) and diluted
    ones at P = 2 (the dot product): the tracked sums, and the decisions by the route's own
    energy change."""
    xi = montecarlo.archetypes(3, 60, d=d, seed=2)
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi, sparse=True)
    assert not net._storage.dense
    assert net._terms.fast == (_kernels.FAST_UNIT if P == 4 else _kernels.FAST_QUADRATIC)
    _check_run(net, xi, P, "hebbian", patterns=xi)
    # the route's energy change drives the decisions: zero-temperature descent (never up)
    # ends in a local minimum of the energy (no single flip lowers it)
    res = net.sample(T=0.0, sweeps=10, chains=2, init="random", seed=5)
    assert np.all(np.diff(res.energy_trace.values, axis=1) <= 1e-12)
    sigma = res.sigma.values[0]
    flipped = np.repeat(sigma[None], net.N, axis=0)
    flipped[np.arange(net.N), np.arange(net.N)] *= -1
    assert np.all(net.energy(flipped) >= net.energy(sigma) - 1e-12)


def test_single_observable_sum_is_tracked():
    """One archetype, learnt from examples: the observable-only sums have one row."""
    xi = montecarlo.archetypes(1, 60, seed=3)
    eta = montecarlo.examples(xi, M=3, r=0.5, seed=4)
    net = montecarlo.DenseHebbianNetwork(2, protocol="supervised", patterns=xi, examples=eta,
                                         r=0.5)  # fmt: skip
    _check_run(net, xi, 2, "supervised", patterns=xi, examples=eta, r=0.5)
