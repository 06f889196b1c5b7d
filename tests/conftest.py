"""Shared fixtures. Every random fixture is seeded."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# One XLA host device keeps the suite from oversubscribing the 2-core CI machine. The tests
# check values, not speed, and most of their XLA programs run once: for those, compiling
# without LLVM's optimisation (backend level 0, no expensive passes) is the cheaper trade (the
# layer and tabular files: 186 s of CPU against 237 s with XLA's defaults). A few theory files
# run their programs for long (the 1RSB engine's nested scans, the transition lines): at level
# 0 they take up to twice the CPU (test_rsb.py 43.5 s against 24.8 s). So with xdist the first
# worker compiles with XLA's defaults and runs those files and the Monte Carlo unit, the
# others compile at level 0 and take the layer and tabular files; every other file goes to
# whichever worker is free (pytest_xdist_make_scheduler below). Level 1 is not used: its code
# is a third numerical variant, in which a multitasking onset test that passes at level 0
# and at XLA's default fails (n_2 = 1.9e-9 instead of ~0). At level 0 results agree with the
# optimised build to float64 rounding (measured: RS overlaps within 1.1e-16, float64 layer
# outputs and gradients within 2e-15, float32 layer outputs identical), far inside every
# tolerance of the suite, and the whole default tier passes under either setting. The
# package itself and the benchmarks compile with XLA's defaults.
_OPTIMISING_WORKER = "gw0"
_XLA_ONE_DEVICE = "--xla_force_host_platform_device_count=1"
_XLA_LEVEL0 = (
    f"{_XLA_ONE_DEVICE} --xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"
)
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
_OURS = "HOPFIELD_SIM_TEST_XLA_FLAGS"  # set when XLA_FLAGS is the suite's, not the user's
if "XLA_FLAGS" not in os.environ or os.environ.get(_OURS):  # workers inherit the controller's
    os.environ["XLA_FLAGS"] = _XLA_ONE_DEVICE if _WORKER == _OPTIMISING_WORKER else _XLA_LEVEL0
    os.environ[_OURS] = "1"

# test files whose XLA programs run long enough for optimised code to pay (CPU s at level 0 ->
# optimised: the first two one file at a time, optimised without LLVM's expensive passes; the
# third in whole-suite runs, at XLA's defaults)
_XLA_RUN_TIME_FILES = (
    "tests/theory/rsb/test_rsb.py",  # 43.5 -> 24.8
    "tests/theory/test_lines.py",  # 15.7 -> 10.5
    "tests/theory/rs/test_ags.py",  # 8.8 -> 5.3
)
# test directories dominated by XLA compile time (one program per shape and option)
_XLA_COMPILE_TIME_DIRS = ("tests/layers/", "tests/tabular/")

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


def _pinned_worker(scope: str) -> str | None:
    """The worker a scope of the test queue must run on (its XLA flags), or None: any."""
    if scope == "tests/montecarlo" or scope in _XLA_RUN_TIME_FILES:
        return _OPTIMISING_WORKER
    if scope.startswith(_XLA_COMPILE_TIME_DIRS):
        return "gw1"
    return None


@pytest.hookimpl(optionalhook=True)  # absent without xdist (-p no:xdist, the mutation runner)
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadfile``: all of tests/montecarlo/ as one unit, and files pinned to the
    worker whose XLA flags suit them.

    The Monte Carlo files share the Numba drivers, whose first compilation (about 30 s of
    CPU for the common signatures) each worker would otherwise pay for itself. The
    directory goes out first as one unit (it holds the most tests). A free worker takes the
    next unit pinned to it or free to any (:func:`_pinned_worker`); it takes another
    worker's unit only when nothing else is left, rather than stand idle.
    """
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class _MonteCarloAsOneUnit(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = super()._split_scope(nodeid)
            in_unit = path.startswith("tests/montecarlo/") or path in _MONTE_CARLO_USERS
            return "tests/montecarlo" if in_unit else path

        def _assign_work_unit(self, node) -> None:
            worker = node.gateway.id
            mine = [s for s in self.workqueue if _pinned_worker(s) in (None, worker)]
            if mine:  # the base class hands out the first unit of the queue
                self.workqueue.move_to_end(mine[0], last=False)
            super()._assign_work_unit(node)

    return _MonteCarloAsOneUnit(config, log)


def pytest_unconfigure(config):
    path = getattr(config, "_hopfield_sim_jax_cache", None)
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.environ.pop(_JAX_CACHE_ENV, None)
