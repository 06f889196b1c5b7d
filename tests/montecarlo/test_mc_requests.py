"""Issue 17, montecarlo part: every family of bad or extreme requests is refused (or handled)
through the public API before any heavy work, with a message naming the argument.

Families: (1) size of the request (memory guard, narrow traces, thinning), (2) limits of the
physics (infinite temperature, large P), (3) empty and wrongly typed inputs and seeds,
(5) a progress option for long runs. "Before heavy work" is checked with spies on the
kernel drivers and on the weight layout, and with tracemalloc (no large allocation).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
import xarray as xr
from mc_reference import all_states, cost

import montecarlo
from montecarlo import _chains, _dataset, _energy, _memory

XI = montecarlo.archetypes(3, 40, seed=0)
NET = montecarlo.DenseHebbianNetwork(2, patterns=XI)
MANY = montecarlo.DenseHebbianNetwork(2, patterns=montecarlo.archetypes(2000, 60, seed=0))
HUGE = 10**7  # K = N = 1e7: 1e14 bytes of int8 patterns, more than any test machine


@pytest.fixture
def no_kernels(monkeypatch):
    """Fail the test if a Monte Carlo driver or the weight layout is reached."""

    def boom(*args, **kwargs):
        raise AssertionError("heavy work started before the request was checked")

    monkeypatch.setattr(_chains, "run_serial", boom)
    monkeypatch.setattr(_chains, "run_parallel", boom)
    monkeypatch.setattr(_energy, "per_spin_storage", boom)


def _refused_fast(fn, match, exc=ValueError):
    """``fn()`` raises ``exc`` matching ``match`` within 2 s, allocating < 4 MiB."""
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        with pytest.raises(exc, match=match) as info:
            fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - t0 < 2.0  # generous: the machine is shared
    assert peak < 4 * 2**20, f"{peak / 2**20:.1f} MiB allocated before refusing"
    return str(info.value)


# ---------------------------------------------------------------- family 1: size
def test_parse_size_units_and_override():
    assert _memory.parse_size("64GiB") == 64 * 2**30
    assert _memory.parse_size("500MB") == 500e6
    assert _memory.parse_size(" 1234 ") == 1234
    assert _memory.parse_size("1.5kib") == 1536
    assert _memory.parse_size("unlimited") == np.inf
    with pytest.raises(ValueError, match=r"HOPFIELD_SIM_MAX_MEMORY must be a size"):
        _memory.parse_size("lots")


def test_archetypes_larger_than_the_machine_are_refused_without_allocating(monkeypatch):
    monkeypatch.delenv(_memory.ENV, raising=False)
    msg = _refused_fast(lambda: montecarlo.archetypes(HUGE, HUGE, seed=0), r"archetypes")
    assert "K=10000000, N=10000000" in msg and "GiB" in msg and _memory.ENV in msg


def test_memory_limit_from_the_environment_and_unlimited_override(monkeypatch):
    monkeypatch.setenv(_memory.ENV, "1MB")
    msg = _refused_fast(lambda: montecarlo.archetypes(100, 20_000, seed=0), r"1MB")
    assert "K=100, N=20000" in msg
    _refused_fast(lambda: montecarlo.examples(XI, M=50_000, r=0.5, seed=0), r"M=50000")
    monkeypatch.setenv(_memory.ENV, "unlimited")
    assert montecarlo.archetypes(100, 20_000, seed=0).shape == (100, 20_000)
    monkeypatch.setenv(_memory.ENV, "12 parsecs")
    with pytest.raises(ValueError, match=r"HOPFIELD_SIM_MAX_MEMORY must be a size"):
        montecarlo.archetypes(2, 10, seed=0)


def test_network_construction_checks_memory_before_laying_out_weights(monkeypatch, no_kernels):
    xi = montecarlo.archetypes(50, 2000, d=0.5, seed=1)  # sparse rows: index arrays to build
    monkeypatch.setenv(_memory.ENV, "100kB")
    _refused_fast(
        lambda: montecarlo.MultitaskingNetwork(patterns=xi), r"MultitaskingNetwork\(P=2, N=2000"
    )


def test_too_many_trace_records_are_refused_before_sampling(monkeypatch, no_kernels):
    """The issue's example: chains=100, sweeps=1e5 at K=2000 (149 GiB of int64 traces)."""
    monkeypatch.delenv(_memory.ENV, raising=False)
    msg = _refused_fast(
        lambda: MANY.sample(beta=1.0, sweeps=100_000, chains=100, seed=0), r"sample\(N=60"
    )
    assert "chains=100" in msg and "sweeps=100000" in msg and "thin=" in msg
    need = montecarlo.sample_memory(N=60, K=2000, chains=100, sweeps=100_000)
    thinned = montecarlo.sample_memory(N=60, K=2000, chains=100, sweeps=100_000, thin=100)
    assert need > 100 * 2**30 and 50 < need / thinned < 150  # thinning divides the traces


def test_sample_memory_counts_patterns_examples_and_traces():
    base = montecarlo.sample_memory(N=10_000, K=100)
    assert base >= 10_000 * 100  # int8 patterns
    sup = montecarlo.sample_memory(N=10_000, K=100, M=50, protocol="supervised")
    assert sup - base >= 50 * 10_000 * 100  # int8 examples
    t1 = montecarlo.sample_memory(N=10_000, K=100, chains=4, sweeps=100_000)
    t2 = montecarlo.sample_memory(N=10_000, K=100, chains=4, sweeps=200_000)
    # each extra record: K int16 sums + K float64 overlaps per chain, and the energy (the
    # error analysis runs in fixed-size chunks: its transient no longer grows here)
    assert 0.9 < (t2 - t1) / (4 * 100_000 * (100 * 10 + 16)) < 1.2
    with pytest.raises(ValueError, match=r"M is required"):
        montecarlo.sample_memory(N=10, K=2, protocol="unsupervised")
    with pytest.raises(TypeError, match=r"N must be an integer"):
        montecarlo.sample_memory(N=1e5, K=2)
    with pytest.raises(ValueError, match=r"needs an estimated .* GiB"):
        montecarlo.check_memory(2**80, "a test request")


def test_traces_are_recorded_in_the_narrowest_exact_integer_type(monkeypatch):
    seen = {}
    real = _dataset.build

    def spy(engine, ladder, scalar, sigma, records, settings):
        seen.setdefault("dtypes", []).append(records.G.dtype)
        return real(engine, ladder, scalar, sigma, records, settings)

    monkeypatch.setattr(_dataset, "build", spy)
    res = NET.sample(beta=1.0, sweeps=4, seed=0)
    assert seen["dtypes"] == [np.int16]  # |sum| <= N: int16 up to N = 32767
    assert np.allclose(res.m_trace * 40, np.rint(res.m_trace * 40))  # exact integer sums


@pytest.mark.slow  # compiles the int32 driver (~25 s); default twin: the int16 test above
def test_traces_above_int16_range_are_recorded_in_int32(monkeypatch):
    seen = []
    real = _dataset.build

    def spy(engine, ladder, scalar, sigma, records, settings):
        seen.append(records.G.dtype)
        return real(engine, ladder, scalar, sigma, records, settings)

    monkeypatch.setattr(_dataset, "build", spy)
    big = montecarlo.DenseHebbianNetwork(2, patterns=montecarlo.archetypes(1, 40_000, seed=0))
    res = big.sample(beta=1.0, sweeps=2, seed=0)
    assert seen == [np.int32]  # N = 40000 > 32767
    assert np.allclose(res.m_trace * 40_000, np.rint(res.m_trace * 40_000))


# ---------------------------------------------------------------- family 2: limits
def test_infinite_temperature_is_the_uniform_measure():
    """beta = 0 (T = inf): Metropolis accepts every flip, so a sequential sweep flips every
    spin once; heat bath flips with probability 1/2; means match the uniform average."""
    N = 10
    xi = montecarlo.archetypes(2, N, seed=3)
    net = montecarlo.DenseHebbianNetwork(4, patterns=xi)
    one = net.sample(beta=0.0, sweeps=1, order="sequential", dynamics="metropolis", seed=0)
    np.testing.assert_array_equal(one.sigma.values[0], -xi[0])
    kw = dict(sweeps=3000, chains=2, seed=5)
    hot = net.sample(T=np.inf, **kw)
    zero = net.sample(beta=0.0, **kw)
    xr.testing.assert_identical(hot, zero)
    assert hot.attrs["T"] == np.inf and hot.attrs["beta"] == 0.0
    states = all_states(N)
    H = cost(states, 4, "hebbian", patterns=xi)
    for name, exact in (("energy", H.mean() / N), ("m", 0.0)):
        mc, err = hot[name].mean().item(), np.sqrt((hot[f"{name}_err"] ** 2).mean().item() / 2)
        assert abs(mc - exact) < 5 * err, (name, mc, exact, err)
    ladder = net.sample(T=[np.inf, 1.0], sweeps=2, seed=0)  # a rung at T = inf is fine
    assert ladder.T.values[0] == np.inf


@pytest.mark.parametrize("P", [42, 100])
def test_interaction_order_has_a_clear_bound(P, no_kernels):
    _refused_fast(
        lambda: montecarlo.DenseHebbianNetwork(P, patterns=XI), rf"P must be <= 40; got P={P}"
    )


# ---------------------------------------------------------------- family 3: inputs
@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(T="0.1"), TypeError, r"T must be a real number .* \(not a string or bool\)"),
        (dict(beta=True), TypeError, r"beta must be a real number"),
        (dict(beta=np.array([True, False])), TypeError, r"beta must be a real number"),
        (dict(T=["1", "2"]), TypeError, r"T must be a real number"),
        (dict(beta=[]), ValueError, r"beta must be a scalar or a non-empty 1-d ladder"),
        (dict(beta=1.0, seed=-1), TypeError, r"seed must be a non-negative integer"),
        (dict(beta=1.0, seed=1.5), TypeError, r"seed must be a non-negative integer"),
        (dict(beta=1.0, seed="7"), TypeError, r"seed must be a non-negative integer"),
        (dict(beta=1.0, seed=None), TypeError, r"seed must be a non-negative integer"),
        (dict(beta=1.0, sweeps=True), TypeError, r"sweeps must be an integer"),
        (dict(beta=1.0, sweeps=1e3), TypeError, r"sweeps must be an integer"),
        (dict(beta=1.0, chains="2"), TypeError, r"chains must be an integer"),
        (dict(beta=1.0, thin=False), TypeError, r"thin must be an integer"),
        (dict(beta=1.0, progress="yes"), TypeError, r"progress must be True or False"),
        (dict(beta=1.0, engine="gpu"), ValueError, r"engine must be one of 'numba', 'jax'"),
        (dict(beta=1.0, init=np.ones((0, 40))), ValueError, r"init array must have shape"),
    ],
)
def test_sample_rejects_bad_types_before_any_kernel(kwargs, exc, match, no_kernels):
    kwargs = {"sweeps": 2, "seed": 0, **kwargs}
    _refused_fast(lambda: NET.sample(**kwargs), match, exc)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: montecarlo.archetypes("3", 10, seed=0), TypeError, r"K must be an integer"),
        (lambda: montecarlo.archetypes(3, True, seed=0), TypeError, r"N must be an integer"),
        (lambda: montecarlo.archetypes(3, 10, d="0.1", seed=0), TypeError, r"d must be a real"),
        (lambda: montecarlo.archetypes(3, 10, seed=-1), TypeError, r"seed must be a non-neg"),
        (lambda: montecarlo.examples(XI, M=True, r=0.5, seed=0), TypeError, r"M must be an"),
        (lambda: montecarlo.examples(XI, M=2, r="0.5", seed=0), TypeError, r"r must be a real"),
        (lambda: montecarlo.examples([], M=2, r=0.5, seed=0), ValueError, r"patterns must have 2"),
        (
            lambda: montecarlo.DenseHebbianNetwork(2, patterns=np.zeros((0, 10))),
            ValueError,
            r"patterns must not be empty",
        ),
        (
            lambda: montecarlo.DenseHebbianNetwork(2, patterns=XI.astype(bool)),
            TypeError,
            r"patterns must be a numeric array",
        ),
        (
            lambda: montecarlo.DenseHebbianNetwork(True, patterns=XI),
            TypeError,
            r"P must be an integer",
        ),
        (
            lambda: montecarlo.MultitaskingNetwork(patterns=[["1", "-1"]]),
            TypeError,
            r"patterns must be a numeric array",
        ),
    ],
)
def test_constructors_reject_empty_and_wrongly_typed_inputs(call, exc, match, no_kernels):
    _refused_fast(call, match, exc)


# ---------------------------------------------------------------- family 5: progress
def test_progress_bar_goes_to_stderr_and_leaves_the_result_unchanged(capfd):
    kw = dict(beta=[0.8, 1.2], sweeps=30, burn_in=4, chains=2, seed=3, tempering=True)
    quiet = NET.sample(**kw)
    assert capfd.readouterr().err == ""
    loud = NET.sample(**kw, progress=True)
    err = capfd.readouterr().err
    assert "sweep" in err and "34/34" in err
    xr.testing.assert_identical(quiet, loud)


def test_record_q_false_skips_the_overlaps_and_changes_nothing_else():
    """``record_q=False``: no ``q`` variables, and every other result equal to the run that
    records them (same streams, same dynamics); q of the recorded run is sigma_a . sigma_b / N
    of the final states at the last record."""
    kw = dict(beta=1.5, sweeps=4, chains=3, seed=4)
    full = NET.sample(**kw)
    lean = NET.sample(**kw, record_q=False)
    assert "q" not in lean and "q_trace" not in lean and "chain_a" not in lean.coords
    assert lean.attrs["record_q"] == 0 and "record_q" not in full.attrs
    for name in lean.data_vars:
        np.testing.assert_array_equal(lean[name].values, full[name].values)
    s = full.sigma.values.astype(int)
    last = full.q_trace.isel(sweep=-1).values
    expect = [s[a] @ s[b] / s.shape[1] for a, b in zip(full.chain_a.values, full.chain_b.values)]
    np.testing.assert_allclose(last, expect, rtol=0, atol=1e-15)
    with pytest.raises(TypeError, match="record_q must be True or False"):
        NET.sample(**kw, record_q="no")
