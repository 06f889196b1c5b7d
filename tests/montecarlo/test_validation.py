"""Bad input raises before any Numba call, naming the parameter and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

import montecarlo
from montecarlo.datasets import load_digits

XI = montecarlo.archetypes(2, 20, seed=0)
ETA = montecarlo.examples(XI, M=3, r=0.5, seed=1)
NET = montecarlo.DenseHebbianNetwork(2, patterns=XI)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(P=1, patterns=XI), ValueError, r"P must be an integer >= 2; got P=1"),
        (dict(P=0, patterns=XI), ValueError, r"P must be an integer >= 2; got P=0"),
        (dict(P=2.0, patterns=XI), TypeError, r"P must be an integer"),
        (dict(P=2), ValueError, r"protocol='hebbian' needs patterns"),
        (dict(P=2, patterns=XI * 2), ValueError, r"patterns must have entries in \{-1, 0, \+1\}"),
        (dict(P=2, patterns=XI[0]), ValueError, r"patterns must have 2 dimensions"),
        (
            dict(P=2, patterns=XI, protocol="supervized"),
            ValueError,
            r"protocol must be one of 'hebbian', 'supervised', 'unsupervised', 'teacher'; "
            r"got 'supervized'",
        ),
        (dict(P=4, patterns=XI[:, :3]), ValueError, r"N must be >= P; got N=3, P=4"),
        (
            dict(P=2, examples=ETA, protocol="supervised", r=1.3),
            ValueError,
            r"r must lie in \(0, 1\]; got r=1.3",
        ),
        (
            dict(P=2, examples=ETA, protocol="supervised", r=float("nan")),
            ValueError,
            r"r must lie in \(0, 1\]",
        ),
        (dict(P=2, examples=ETA, protocol="supervised"), ValueError, r"r is required"),
        (
            dict(P=2, patterns=XI[:1], examples=ETA, protocol="unsupervised", r=0.5),
            ValueError,
            r"patterns \(K, N\) and examples \(K, M, N\) disagree",
        ),
        (dict(P=2, patterns=XI, protocol="supervised", r=0.5), ValueError, r"needs examples"),
        (dict(P=2, patterns=XI, examples=ETA), ValueError, r"examples are used only by"),
    ],
)
def test_network_rejects_bad_construction(kwargs, exc, match):
    P = kwargs.pop("P")
    with pytest.raises(exc, match=match):
        montecarlo.DenseHebbianNetwork(P, **kwargs)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(beta=-1.0), ValueError, r"beta must be >= 0 and not NaN; got beta=-1.0"),
        (dict(beta=float("nan")), ValueError, r"beta must be >= 0 and not NaN"),
        (dict(T=-0.5), ValueError, r"T must be >= 0"),
        (dict(beta=1.0, T=1.0), ValueError, r"give exactly one of beta or T"),
        (dict(), ValueError, r"give exactly one of beta or T"),
        (dict(beta=1.0, sweeps=0), ValueError, r"sweeps must be an integer >= 1; got sweeps=0"),
        (dict(beta=1.0, chains=0), ValueError, r"chains must be an integer >= 1"),
        (dict(beta=1.0, burn_in=-1), ValueError, r"burn_in must be an integer >= 0"),
        (
            dict(beta=1.0, dynamics="kawasaki"),
            ValueError,
            r"dynamics must be one of 'glauber', 'metropolis', 'zero_temperature'; got 'kawasaki'",
        ),
        (dict(beta=1.0, init="ones"), ValueError, r"init must be one of 'archetype', 'random'"),
        (dict(beta=1.0, init=5), ValueError, r"init as a pattern index must lie in \[0, 1\]"),
        (dict(beta=1.0, init=np.ones(7)), ValueError, r"init array must have shape"),
        (dict(beta=1.0, order="backwards"), ValueError, r"order must be one of"),
        (dict(beta=1.0, tempering=True), ValueError, r"tempering=True needs a ladder"),
        (dict(beta=2.0, dynamics="zero_temperature"), ValueError, r"runs at T = 0"),
        (dict(beta=1.0, seed=-3), TypeError, r"seed must be a non-negative integer"),
    ],
)
def test_sample_rejects_bad_arguments(kwargs, exc, match):
    kwargs = {"sweeps": 2, "seed": 0, **kwargs}
    with pytest.raises(exc, match=match):
        NET.sample(**kwargs)


def test_pattern_generators_reject_bad_input():
    with pytest.raises(ValueError, match=r"d must lie in \[0, 1\); got d=1.0"):
        montecarlo.archetypes(2, 10, d=1.0, seed=0)
    with pytest.raises(ValueError, match=r"K must be an integer >= 1; got K=0"):
        montecarlo.archetypes(0, 10, seed=0)
    with pytest.raises(ValueError, match=r"M must be an integer >= 1; got M=0"):
        montecarlo.examples(XI, M=0, r=0.5, seed=0)
    with pytest.raises(ValueError, match=r"r must lie in \(0, 1\]; got r=1.3"):
        montecarlo.examples(XI, M=10, r=1.3, seed=0)
    with pytest.raises(ValueError, match=r"M must be <= 174"):
        load_digits(M=500)


def test_pattern_statistics_follow_d_and_r():
    xi = montecarlo.archetypes(4, 20000, d=0.3, seed=1)
    assert abs((xi == 0).mean() - 0.3) < 0.01 and abs(xi.mean()) < 0.01
    eta = montecarlo.examples(xi, M=5, r=0.4, seed=2)
    on = np.broadcast_to(xi[:, None] != 0, eta.shape)
    assert np.all(eta[~on] == 0)
    assert abs((eta * xi[:, None])[on].mean() - 0.4) < 0.01
    assert np.array_equal(xi, montecarlo.archetypes(4, 20000, d=0.3, seed=1))


@pytest.mark.parametrize("K, N, d", [(3, 100, 0.0), (7, 300_000, 0.4), (2000, 1100, 0.3)])
def test_archetypes_follow_their_documented_stream(K, N, d):
    """A seed gives the same patterns in every release: per block of neurons, one uniform
    per entry (+1 below 1/2), then, when diluted, one more per entry (0 below d)."""
    from montecarlo import patterns

    rng = np.random.default_rng(np.random.SeedSequence(5))
    want = np.empty((N, K), dtype=np.int8)
    cols = max(1, patterns._BLOCK // K)
    for a in range(0, N, cols):
        b = min(N, a + cols)
        want[a:b] = np.where(rng.random((b - a, K)) < 0.5, 1, -1)
        if d > 0.0:
            want[a:b][rng.random((b - a, K)) < d] = 0
    np.testing.assert_array_equal(montecarlo.archetypes(K, N, d=d, seed=5), want.T)


def test_digits_are_pm1_and_grouped_by_class():
    eta = load_digits(M=30, seed=0)
    assert eta.shape == (10, 30, 64) and set(np.unique(eta)) == {-1, 1}
    means = eta.mean(axis=1)  # class means differ between digits
    assert np.abs(means[0] - means[1]).mean() > 0.2


@pytest.mark.slow  # one more driver compile (~20 s); its default twin: the test above
def test_digits_train_a_supervised_network_without_archetypes():
    eta = load_digits(M=30, seed=0)
    net = montecarlo.DenseHebbianNetwork(2, examples=eta, protocol="supervised", r=0.5)
    res = net.sample(beta=2.0, sweeps=5, seed=0)
    assert "m" not in res and res.n.shape == (1, 10)


def test_empty_examples_are_rejected():
    with pytest.raises(ValueError, match=r"examples must not be empty"):
        montecarlo.DenseHebbianNetwork(2, examples=ETA[:, :0], protocol="supervised", r=0.5)


def test_tempering_rejects_zero_temperature_rungs():
    with pytest.raises(ValueError, match=r"tempering needs finite beta"):
        NET.sample(T=[0.0, 0.0], tempering=True, sweeps=2, seed=0)


def test_initial_states_follow_init():
    xi = montecarlo.archetypes(3, 200, seed=3)
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi)
    frozen = dict(T=0.0, sweeps=1, chains=2, seed=0)  # T = 0 from a stored pattern: stays
    assert np.all(net.sample(init=1, **frozen).m.sel(pattern=1) == 1.0)
    assert np.all(net.sample(init="archetype", **frozen).m.sel(pattern=0) == 1.0)
    given = np.stack([xi[2], -xi[1]])  # one state per chain
    res = net.sample(init=given, **frozen)
    assert res.m.values[0, 2] == 1.0 and res.m.values[1, 1] == -1.0
    assert np.array_equal(given[1], -xi[1])  # the input array is not modified
    rnd = net.sample(beta=0.01, sweeps=1, chains=2, init="random", seed=0)
    assert float(abs(rnd.m).max()) < 0.3
    assert not np.array_equal(rnd.sigma[0], rnd.sigma[1])
