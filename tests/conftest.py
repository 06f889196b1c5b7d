"""Shared fixtures. Every random fixture is seeded."""

from __future__ import annotations

import os
import shutil
import tempfile

# Keep the test suite from oversubscribing the 2-core CI machine.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=1")

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


def pytest_unconfigure(config):
    path = getattr(config, "_hopfield_sim_jax_cache", None)
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.environ.pop(_JAX_CACHE_ENV, None)
