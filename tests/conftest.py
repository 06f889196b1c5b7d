"""Shared fixtures. Every random fixture is seeded."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# One XLA host device keeps the suite from oversubscribing the 2-core CI machine. The tests
# check values, not speed, so XLA compiles without LLVM's expensive optimisation passes: that
# cuts the CPU time of the JAX-heavy test files by about a quarter (measured on the layer
# tests, 40.6 s -> 29.5 s). Level 1 would save more on the theory files (105 -> 79 s of CPU;
# layers and tabular 93 -> 102 s), but its code is a third numerical variant: a multitasking
# onset test that passes at level 0 and at XLA's default fails there (n_2 = 1.9e-9 instead
# of ~0). At level 0 results agree with the optimised build to float64 rounding (measured:
# RS overlaps within 1.1e-16,
# float64 layer outputs and gradients within 2e-15, float32 layer outputs identical), far
# inside every tolerance of the suite. The package itself and the benchmarks compile with
# XLA's defaults.
_TEST_XLA_FLAGS = (
    "--xla_force_host_platform_device_count=1"
    " --xla_backend_optimization_level=0"
    " --xla_llvm_disable_expensive_passes=true"
)
os.environ.setdefault("XLA_FLAGS", _TEST_XLA_FLAGS)

_JAX_CACHE_ENV = "JAX_COMPILATION_CACHE_DIR"


def pytest_configure(config):
    """With several xdist workers, share one JAX compilation cache among them for this run.

    The theory solvers are compiled by XLA in several test files that land on different
    workers; a persistent cache (fresh for every run, so timings stay cold-cache honest)
    lets the second worker load what the first compiled. The controller creates the
    directory before the workers start; they inherit it through the environment.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") or _JAX_CACHE_ENV in os.environ:
        return
    if not getattr(config.option, "numprocesses", None):
        return
    path = tempfile.mkdtemp(prefix="hopfield-sim-tests-jax-cache-")
    os.environ[_JAX_CACHE_ENV] = path
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.5")
    config._hopfield_sim_jax_cache = path


# test files outside tests/montecarlo/ that compile the Numba drivers (measured: 72 compile
# events, about 15 s of CPU on a worker that has not compiled them yet)
_MONTE_CARLO_USERS = (
    "tests/theory/rs/test_unsupervised.py",
    # the finite-size drivers run the samplers: 35 s of CPU compiling them on the other
    # worker, 0.5 s after the Monte Carlo files (measured)
    "tests/hopfield_sim/test_finite_size_mutants.py",
)


@pytest.hookimpl(optionalhook=True)  # absent without xdist (-p no:xdist, the mutation runner)
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadfile``, run all of tests/montecarlo/ on one worker.

    The Monte Carlo files share the Numba drivers, whose first compilation (about 30 s of
    CPU for the common signatures) each worker would otherwise pay for itself. The
    directory goes out first as one unit (it holds the most tests); the other worker takes
    the remaining files one at a time, so the two stay balanced.
    """
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class _MonteCarloAsOneUnit(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            in_unit = path.startswith("tests/montecarlo/") or path in _MONTE_CARLO_USERS
            return "tests/montecarlo" if in_unit else path

    return _MonteCarloAsOneUnit(config, log)


def pytest_unconfigure(config):
    path = getattr(config, "_hopfield_sim_jax_cache", None)
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.environ.pop(_JAX_CACHE_ENV, None)
