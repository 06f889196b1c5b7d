"""Scoped float64 for JAX: the solvers run in double precision without touching the user's
global JAX configuration (DESIGN.md §4)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import jax


@contextlib.contextmanager
def enabled() -> Iterator[None]:
    """Context in which JAX creates float64 arrays; the previous setting is restored on exit.

    Convert results to NumPy (``np.asarray``) before leaving the block: arrays created inside
    keep their dtype, but new computations outside run at the user's precision.
    """
    if hasattr(jax, "enable_x64"):
        ctx = jax.enable_x64(True)
    else:  # older JAX
        from jax.experimental import enable_x64 as ctx_factory

        ctx = ctx_factory()
    with ctx:
        yield
