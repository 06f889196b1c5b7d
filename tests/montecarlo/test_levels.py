"""The P = 2 acceptance table (``montecarlo._levels``) decides as the logarithm does.

References independent of the table: the threshold written out in Python's ``math`` (strict
IEEE arithmetic, the C library's ``log``) at random integers placed on either side of each
tabulated threshold, and at a random integer of the stream with the temperature moved to
the last float that still accepts it; and the engine with the table switched off
(``LEVELS_MAX = 0``: every decision by the logarithm) from the same state and stream.
"""

from __future__ import annotations

import numpy as np
import pytest
from mc_reference import accepts as _accepts

import montecarlo
from montecarlo import _kernels, _levels
from montecarlo._rng import stream_states

DYNAMICS = {"glauber": _kernels.GLAUBER, "metropolis": _kernels.METROPOLIS}


def _net(N=40, K=3, seed=1):
    xi = montecarlo.archetypes(K, N, seed=seed)
    return montecarlo.DenseHebbianNetwork(2, patterns=xi), xi


@pytest.mark.parametrize("dynamics", sorted(DYNAMICS))
def test_every_tabulated_threshold_splits_accept_from_reject(dynamics):
    net, _ = _net()
    t = net._terms
    levels, lo = _levels.acceptance_levels(t, net._storage, np.array([0.7]), DYNAMICS[dynamics])
    row, lo = levels[0], int(lo[0])
    assert (row[1:-1] >= 0).all() and row.size > 100  # every inner level verified
    rng = np.random.default_rng(0)
    for k in range(1, row.size - 1):
        X, dh = int(row[k]), t.q4 * float(lo + k)
        if X > 0:  # the last accepted integers
            assert _accepts(dh, 0.7, dynamics, X - 1), (k, X)
        if X < 2**53:  # the first rejected ones
            assert not _accepts(dh, 0.7, dynamics, X), (k, X)
        x = int(rng.integers(0, 2**53))  # anywhere
        assert _accepts(dh, 0.7, dynamics, x) == (x < X)


def _first_x(seed: int) -> int:
    """The 53-bit integer of the first draw of chain 0 of ``sample(seed=seed)``."""
    s = stream_states(np.random.SeedSequence(seed).spawn(3)[0], 1)[0]
    return int((int(s[0]) + int(s[3])) % 2**64) >> 11


def _boundary_betas(dh: float, dynamics: str, x: int) -> tuple[float, float]:
    """Adjacent floats ``beta_a < beta_r``: the first accepts the draw ``x``, the second not
    (``dh > 0``: the decision is monotone in beta), by bisection on the float bits."""
    bits = lambda b: int(np.float64(b).view(np.int64))  # noqa: E731
    val = lambda i: float(np.int64(i).view(np.float64))  # noqa: E731
    a, r = bits(1e-6), bits(1e6)
    assert _accepts(dh, val(a), dynamics, x) and not _accepts(dh, val(r), dynamics, x)
    while r - a > 1:
        mid = (a + r) // 2
        a, r = (mid, r) if _accepts(dh, val(mid), dynamics, x) else (a, mid)
    return val(a), val(r)


@pytest.mark.parametrize("dynamics", sorted(DYNAMICS))
@pytest.mark.parametrize("first", [3, 11])
def test_sampler_decides_at_the_last_accepting_temperature(dynamics, first):
    """Sequential order: the first attempt is spin 0 with the stream's first integer x.
    At beta_a the threshold integer of its level is x + 1 (x = X - 1 accepts), at the next
    float beta_r it is x (x = X rejects); the sampler flips spin 0 at beta_a only. (A seed
    with u < 1/2: the heat bath accepts an uphill flip at some temperature.)"""
    seed = next(s for s in range(first, first + 100) if _first_x(s) < 2**52)
    net, xi = _net(seed=seed)
    s0 = -np.asarray(xi[0], np.int8)  # anti-aligned with pattern 0: the flip of spin 0 costs
    s0[1::3] *= -1
    W = xi.astype(np.int64)  # (K, N)
    n = int(net._terms.rowsq[0]) - int(s0[0]) * int(W[:, 0] @ (W @ s0))  # dH = q4 n
    dh = net._terms.q4 * float(n)
    assert dh > 0
    x = _first_x(seed)
    for beta, flips, X in zip(_boundary_betas(dh, dynamics, x), (True, False), (x + 1, x)):
        levels, lo = _levels.acceptance_levels(
            net._terms, net._storage, np.array([beta]), DYNAMICS[dynamics]
        )
        assert levels[0, n - lo[0]] == X  # the table holds this boundary
        ds = net.sample(beta=beta, sweeps=1, init=s0, seed=seed, order="sequential",
                        dynamics=dynamics)  # fmt: skip
        assert (ds["sigma"].values[0, 0] == -s0[0]) == flips


def _run(net, table: bool, monkeypatch, **kw):
    with monkeypatch.context() as m:
        if not table:
            m.setattr(_levels, "LEVELS_MAX", 0)
        return net.sample(seed=5, **kw)


@pytest.mark.parametrize("dynamics", sorted(DYNAMICS))
def test_chains_with_and_without_the_table_are_identical(dynamics, monkeypatch):
    """Same seed: the same trajectory (every recorded overlap and energy, the end states)
    with the table as with the logarithm; a ladder of two rungs (rows per temperature) and
    a temperature whose table ends at unsaturated levels (-1 entries)."""
    net, xi = _net(N=120, K=4)
    ladder = np.array([0.05, 6.0])
    levels, _ = _levels.acceptance_levels(net._terms, net._storage, ladder, DYNAMICS[dynamics])
    assert levels[0, 0] == -1  # unsaturated end (beta dH = 0.4): the logarithm beyond
    assert levels[1, 0] >= 0 and levels[1, -1] >= 0 and levels.shape[1] > 100
    noisy = np.asarray(xi[0], np.int8).copy()
    noisy[::3] *= -1  # overlap 1/3 with pattern 0: the cold rung retrieves it
    kw = dict(beta=ladder, sweeps=60, burn_in=0, chains=2, dynamics=dynamics, init=noisy)
    a, b = (_run(net, table, monkeypatch, **kw) for table in (True, False))
    for name in ("sigma", "m_trace", "energy", "q_trace"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    moved = np.ptp(a["m_trace"].values, axis=2).max(axis=(1, 2))  # per rung
    assert (moved > 0).all()  # flips were decided on both rungs


@pytest.mark.slow
@pytest.mark.parametrize("dynamics", sorted(DYNAMICS))
@pytest.mark.parametrize("d", [0.0, 0.3])
def test_large_runs_with_and_without_the_table_are_identical(dynamics, d, monkeypatch):
    """N = 2000, K = 100 (the benchmark size), three temperatures on a tempering ladder;
    dense +-1 patterns and diluted ones in sparse rows (the other P = 2 route)."""
    xi = montecarlo.archetypes(100, 2000, d=d, seed=1)
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi, sparse=d > 0)
    assert net._storage.dense == (d == 0)
    ladder = np.array([0.5, 2.0, 8.0])
    assert _levels.acceptance_levels(net._terms, net._storage, ladder, 0)[0].shape[1] > 1
    init = np.where(xi[0] == 0, 1, xi[0]).astype(np.int8)
    kw = dict(beta=ladder, sweeps=100, chains=2, dynamics=dynamics, tempering=True, init=init)
    a, b = (_run(net, table, monkeypatch, **kw) for table in (True, False))
    for name in ("sigma", "m_trace", "energy", "q_trace"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
