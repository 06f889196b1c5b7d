"""Checks of the run options of ``[montecarlo]`` that pass through to ``sample()``:
``engine``, ``thin``, ``per_sample`` and ``tempering = {T_max, rungs}`` (one error line each,
naming the key). Called by :mod:`hopfield_sim.spec` while it validates a spec."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from _hopfield_base import vocabulary

ENGINES = vocabulary.ENGINES
TEMPERING_KEYS = ("T_max", "rungs")


def _integer(value: Any, low: int) -> bool:
    return (
        not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= low
    )


def check_run_options(mc: Any, temperatures: np.ndarray, given_as_T: bool) -> None:
    """Validate ``mc.engine``, ``mc.thin``, ``mc.per_sample`` and ``mc.tempering``.

    ``temperatures``: every T (``given_as_T``) or beta value of the grid.
    """
    if mc.engine is not None and mc.engine not in ENGINES:
        raise ValueError(f"montecarlo.engine must be one of {ENGINES}; got {mc.engine!r}.")
    if mc.thin is not None and not _integer(mc.thin, 1):
        raise ValueError(f"montecarlo.thin must be an integer >= 1; got {mc.thin!r}.")
    if mc.per_sample is not None and not isinstance(mc.per_sample, bool):
        raise TypeError(f"montecarlo.per_sample must be true or false; got {mc.per_sample!r}.")
    if mc.tempering is not None:
        _check_tempering(mc, temperatures, given_as_T)


def _check_tempering(mc: Any, temperatures: np.ndarray, given_as_T: bool) -> None:
    t = mc.tempering
    if not isinstance(t, Mapping):
        raise TypeError(f"montecarlo.tempering must be a table {{T_max, rungs}}; got {t!r}.")
    unknown = [k for k in t if k not in TEMPERING_KEYS]
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in montecarlo.tempering; allowed: "
                         f"{', '.join(TEMPERING_KEYS)}.")  # fmt: skip
    T_max, rungs = t.get("T_max"), t.get("rungs", 8)
    if isinstance(T_max, bool) or not isinstance(T_max, (int, float)) or not 0 < T_max < math.inf:
        raise ValueError(f"montecarlo.tempering.T_max must be a number > 0; got {T_max!r}.")
    if not _integer(rungs, 2):
        raise ValueError(f"montecarlo.tempering.rungs must be an integer >= 2; got {rungs!r}.")
    if mc.dynamics == "zero_temperature":
        raise ValueError("montecarlo.tempering needs T > 0 dynamics, not 'zero_temperature'.")
    vals = np.atleast_1d(np.asarray(temperatures, dtype=float))
    with np.errstate(divide="ignore"):
        T = vals if given_as_T else 1.0 / vals
    if not np.all((T > 0) & (T < T_max)):
        raise ValueError(
            f"montecarlo.tempering.T_max = {T_max:g} must exceed every temperature of the grid "
            f"(and they must be > 0); got T from {T.min():g} to {T.max():g}."
        )
