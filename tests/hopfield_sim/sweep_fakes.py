"""Fake theory and Monte Carlo runners for the sweep infrastructure tests.

They stand in for :mod:`hopfield_sim._runners` with closed forms that are cheap and whose
values the tests can predict independently of the sweep machinery: the fake theory is
``m = tanh(1/T) * (1 - alpha)`` and the fake Monte Carlo draws ``m`` from a normal law
around that value with the point's seed. ``FAKE_LOG_DIR`` (environment) makes every
Monte Carlo call leave one file, so tests can count which points were computed, across
processes; ``FAKE_DELAY`` / ``FAKE_THEORY_DELAY`` slow each call down (seconds).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np


def exact_m(params: dict) -> float:
    T = params["T"] if "T" in params else 1.0 / params["beta"]
    return float(np.tanh(1.0 / T) * (1.0 - params.get("alpha", 0.0))) if T > 0 else 1.0


def theory(spec, grid) -> dict:
    delay = float(os.environ.get("FAKE_THEORY_DELAY", "0"))
    if delay:
        time.sleep(delay)
    m = np.array([exact_m(grid.params(i)) for i in range(grid.size)]).reshape(grid.shape)
    return {"m": ((), m), "converged": ((), np.ones(grid.shape, bool))}


def montecarlo(spec: dict, params: dict, seed: int) -> dict:
    delay = float(os.environ.get("FAKE_DELAY", "0"))
    if delay:
        time.sleep(delay)
    log = os.environ.get("FAKE_LOG_DIR")
    if log:
        key = "_".join(f"{k}={params[k]:.6g}" for k in sorted(params))
        Path(log, f"{key}.{os.getpid()}.{time.monotonic_ns()}").touch()
    rng = np.random.default_rng(seed)
    err = 0.01
    return {"m_mc": exact_m(params) + err * rng.standard_normal(), "m_mc_err": err}


def assert_same(a, b) -> None:
    """Identical sweeps, up to the attributes that record when a file was made."""
    import xarray as xr

    from hopfield_sim._layout import TIME_ATTRS

    a, b = a.copy(), b.copy()
    for ds in (a, b):
        for key in TIME_ATTRS:
            ds.attrs.pop(key, None)
    xr.testing.assert_identical(a, b)
