"""Bad and oversized requests to the theory solvers are refused up front (issue 17).

Each family of the issue is driven through the public API: the error is a clean
``ValueError`` / ``TypeError`` naming the argument, raised before any compiled work (a spy on
the float64 context every JAX computation of the package runs in), and a request larger than
the machine is refused from its memory estimate without being allocated.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import pytest

import theory
import theory.multitasking as mt
from theory import _memory, _x64


@pytest.fixture
def no_heavy_work(monkeypatch):
    """Fail the test if any solver starts JAX work (every kernel runs under _x64.enabled)."""

    def forbidden():
        raise AssertionError("heavy work started before the request was checked")

    monkeypatch.setattr(_x64, "enabled", forbidden)
    start = time.perf_counter()
    yield
    assert time.perf_counter() - start < 2.0


# ----------------------------------------------------------------------- family 1: sizes
@pytest.mark.parametrize(
    "call, names",
    [
        (lambda: theory.solve("supervised", T=0.1, alpha=0.05, r=0.5, M=1e5, finite_M=True),
         ["finite_M=True", "M up to 100000"]),
        (lambda: theory.solve(T=np.linspace(0, 1, 100_000), alpha=np.linspace(0, 0.1, 100_000)),
         ["grid of 10000000000 points"]),
        (lambda: theory.solve(P=4, T=np.linspace(0.1, 1, 3000), alpha=np.linspace(0, 1e-2, 3000),
                              level="1RSB"),
         ["level='1RSB'", "9000000 points"]),
        (lambda: mt.solve(10**9, 0.3, T=0.1, average="sampled", seed=1),
         ["K=1000000000", "samples=20000"]),
    ],
)
def test_request_larger_than_the_machine_is_refused_without_allocating(
    call, names, no_heavy_work, monkeypatch
):
    monkeypatch.delenv(_memory.ENV, raising=False)
    with pytest.raises(ValueError) as err:
        call()
    msg = str(err.value)
    assert "GiB" in msg and _memory.ENV in msg
    for name in names:
        assert name in msg


def test_limit_from_the_environment(no_heavy_work, monkeypatch):
    """A small request over a small explicit limit is refused; the message says the limit."""
    monkeypatch.setenv(_memory.ENV, "1MB")
    with pytest.raises(ValueError, match=r"HOPFIELD_SIM_MAX_MEMORY=1MB"):
        theory.solve(T=0.5, alpha=0.05)
    with pytest.raises(ValueError, match=r"theory.multitasking.solve\(K=2"):
        mt.solve(2, 0.3, T=0.5)
    with pytest.raises(ValueError, match=r"theory.temperature_line\(P=2\) with 1000 lines"):
        theory.temperature_line(2, np.linspace(0, 0.1, 1000), protocol="hebbian")
    with pytest.raises(ValueError, match=r"multitasking lines at 1000 points"):
        mt.second_signal_temperature(np.linspace(0, 0.5, 1000))
    monkeypatch.setenv(_memory.ENV, "a lot")
    with pytest.raises(ValueError, match=r"must be a size such as"):
        theory.solve(T=0.5)


@pytest.mark.parametrize(
    "text, value",
    [("64GiB", 64 * 2**30), ("500MB", 5e8), ("123456", 123456.0), ("unlimited", math.inf),
     ("1.5kib", 1536.0)],
)
def test_parse_size(text, value):
    assert _memory.parse_size(text) == value


def test_estimate_grows_with_the_binomial_support():
    small, large = _memory.rs_grid_bytes(100, 65), _memory.rs_grid_bytes(100, 131073)
    assert large > 1000 * (small - _memory.OVERHEAD)


# ----------------------------------------------------------------- family 2: physics limits
def test_infinite_temperature_is_the_paramagnet_everywhere():
    """beta = 0 and T = inf: m = n = q = 0, free energy -inf (documented), converged."""
    for kw in (dict(T=math.inf), dict(beta=0.0)):
        ds = theory.solve(P=2, alpha=[0.0, 0.05], **kw)
        assert ds.converged.all() and (ds.m == 0).all() and (ds.q == 0).all()
        assert np.all(np.isneginf(ds.free_energy.values)) and ds.rs_stable.all()
        m = mt.solve(2, 0.3, rho=0.1, **kw)
        assert bool(m.converged) and np.all(m.m.values == 0)
        # the common result schema (docs/theory.md, "Results"; theory.solve: test_solve.py)
        for v in ("converged", "residual", "iterations", "stable", "rs_stable"):
            assert m[v].dims == () and m[v].attrs["long_name"] and m[v].attrs["units"], v
        assert m.m.dims == ("pattern",) and bool(m.rs_stable)
        assert np.isneginf(float(m.free_energy))
    # one grid with both ends: T = 0 and T = inf side by side
    ds = theory.solve(P=4, T=[0.0, math.inf], alpha=0.01)
    assert ds.m.values[1] == 0 and ds.m.values[0] > 0.99
    assert theory.critical_load(2, protocol="hebbian", T=math.inf) == 0.0
    assert theory.load_line(2, math.inf, protocol="hebbian") == 0.0


@pytest.mark.slow
def test_infinite_temperature_1rsb():
    ds = theory.solve(P=4, beta=[0.0], alpha=0.01, level="1RSB")
    assert bool(ds.converged.all()) and float(ds.q1[0]) == 0.0
    assert np.isneginf(float(ds.free_energy[0]))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: theory.solve(beta=-1.0), r"beta must lie in \[0, inf\)"),
        (lambda: theory.solve(T=-0.5), r"T must lie in \[0, inf\)"),
        (lambda: theory.solve(T=float("nan")), r"T must lie in"),
        (lambda: mt.solve(2, 0.3, beta=-1.0), r"beta must lie in"),
        (lambda: theory.critical_load(2, T=-1.0), r"T must lie in"),
        (lambda: theory.critical_load(2, T=-1.0, level="1RSB"), r"T must lie in"),
        (lambda: theory.solve(P=66, T=0.5), r"P must be <= 64; got P=66"),
        (lambda: theory.critical_load(100), r"P must be <= 64"),
    ],
)
def test_invalid_physics_is_refused_by_name(call, match, no_heavy_work):
    with pytest.raises(ValueError, match=match):
        call()


def test_factorial_enters_jax_as_a_float():
    """P! as a Python int would enter JAX as an int64 and overflow for P >= 22."""
    import jax
    import jax.numpy as jnp

    from theory._conventions import crosstalk

    with _x64.enabled():
        c = jax.jit(lambda a: crosstalk(a, 30))(jnp.float64(1e-33))
    assert float(c) == pytest.approx(1e-33 * 30 * math.factorial(30) / 4, rel=1e-14)


@pytest.mark.slow
def test_large_P_has_no_overflow():
    """P! enters as a float (an int64 would overflow for P >= 22)."""
    ds = theory.solve(P=30, T=0.2, alpha=[0.0, 1e-33])
    assert bool(ds.converged.all()) and float(ds.m[0]) > 0.99
    assert np.all(np.isfinite(ds.free_energy.values))


# ------------------------------------------------------------ family 3: empty / wrong types
@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: theory.solve(T=[]), ValueError, r"T must not be empty"),
        (lambda: theory.solve(T=0.5, alpha=np.array([])), ValueError, r"alpha must not be empty"),
        (lambda: mt.solve(2, [], T=0.5), ValueError, r"d must not be empty"),
        (lambda: mt.solve(2, 0.3, T=[]), ValueError, r"T must not be empty"),
        (lambda: theory.solve(T="0.1"), TypeError, r"T must be a real number"),
        (lambda: theory.solve(T=0.5, alpha=True), TypeError, r"alpha must be a real number"),
        (lambda: theory.solve("supervised", T=0.5, r=0.5, M=True), TypeError, r"M must be"),
        (lambda: theory.solve(T=[0.1, "0.2"]), TypeError, r"T must be a real number"),
        (lambda: theory.solve(T=np.array(["0.1"])), TypeError, r"T must be real numbers"),
        (lambda: theory.solve(T=0.5, finite_M="yes"), TypeError, r"finite_M must be True"),
        (lambda: mt.solve(2, "0.3", T=0.5), TypeError, r"d must be a real number"),
        (lambda: mt.solve(2, 0.3, T=0.5, r=0.5, M=True), TypeError, r"M must be an integer"),
        (lambda: mt.solve(2, 0.3, T=0.5, average="sampled", seed=-1), ValueError,
         r"seed must be a non-negative integer; got seed=-1"),
        (lambda: mt.solve(2, 0.3, T=0.5, average="sampled", seed="1"), TypeError, r"seed must"),
        (lambda: mt.solve(2, 0.3, T=0.5, average="sampled", seed=True), TypeError, r"seed must"),
        (lambda: mt.solve(2, 0.3, T=0.5, samples=True, average="sampled", seed=1), TypeError,
         r"samples must be an integer"),
        (lambda: theory.critical_load(2, rho="0.1"), TypeError, r"rho must be a real number"),
        (lambda: theory.critical_load(4, level="1RSB", T=[]), ValueError, r"T must not be empty"),
        (lambda: theory.load_line(2, []), ValueError, r"T must not be empty"),
    ],
)
def test_empty_and_wrongly_typed_inputs(call, exc, match, no_heavy_work):
    with pytest.raises(exc, match=match):
        call()


# ----------------------------------------------------------------------- family 5: progress
@pytest.mark.parametrize(
    "call",
    [
        lambda: theory.critical_load(4, level="1RSB", progress="yes"),
        lambda: mt.solve(2, 0.3, T=0.5, progress=1),
    ],
)
def test_progress_must_be_a_bool(call, no_heavy_work):
    with pytest.raises(TypeError, match=r"progress must be True or False"):
        call()


def test_sampled_multitasking_shows_progress(capsys):
    ds = mt.solve(3, 0.3, T=0.0, average="sampled", samples=64, seed=3, progress=True)
    assert bool(ds.converged)
    err = capsys.readouterr().err
    assert "multitasking solve" in err


def _toy_fold_residual(x, alpha, beta, rho):
    return (alpha - 0.1 + (x[0] - 0.9) ** 2)[None]


def test_1rsb_critical_load_shows_progress(capsys, monkeypatch):
    """The continuation steps are reported; the engine start and the model equations are
    replaced by a cheap stand-in, R = alpha - 0.1 + (n - 0.9)^2, whose fold is alpha = 0.1
    (the Newton continuation of theory.rsb.spinodal is what is exercised)."""
    cap = sys.modules["theory.rsb.capacity"]
    monkeypatch.setattr(cap, "broken_start", lambda *a, **k: np.array([0.95]))
    monkeypatch.setattr(cap, "residual_fn", lambda *a: _toy_fold_residual)
    a_c = theory.critical_load(2, protocol="hebbian", level="1RSB", progress=True)
    assert a_c == pytest.approx(0.1, rel=1e-9)
    assert "critical_load(P=2, level='1RSB')" in capsys.readouterr().err
