"""Reading the values of a sweep spec: tables, grid axes (lists and ranges) and fixed numbers.

Every error names the offending key (``axes.alpha``, ``fixed.T``, ...). Used by
:mod:`hopfield_sim.spec`; the checks across keys are in :mod:`hopfield_sim._spec_checks`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from _hopfield_base import vocabulary
from hopfield_sim._sizes import check_axis_size

#: integer-valued parameters
INTEGER = frozenset({"M", "N", "K", "P"})
#: name -> (lowest, highest, lowest excluded, highest excluded, infinity allowed, text)
_RANGES: dict[str, tuple[float, float, bool, bool, bool, str]] = {
    "alpha": (0.0, math.inf, False, False, False, "[0, inf)"),
    "T": (0.0, math.inf, False, False, False, "[0, inf)"),
    "beta": (0.0, math.inf, True, False, True, "(0, inf]"),
    "r": (0.0, 1.0, True, False, False, "(0, 1]"),
    "rho": (0.0, math.inf, False, False, False, "[0, inf)"),
    "d": (0.0, 1.0, False, True, False, "[0, 1)"),
    "M": (1.0, math.inf, False, False, False, "integers >= 1"),
    "N": (1.0, math.inf, False, False, False, "integers >= 1"),
    "K": (1.0, math.inf, False, False, False, "integers >= 1"),
    "P": (2.0, math.inf, False, False, False, "integers >= 2"),
}


def table(data: Mapping[str, Any], key: str, default: Any = "empty") -> Any:
    """``data[key]`` as a dict (``{}`` or ``default`` when absent); a non-table is an error."""
    if key not in data:
        return {} if default == "empty" else default
    value = data[key]
    if not isinstance(value, Mapping):
        raise TypeError(f"spec key {key!r} must be a table; got {value!r}.")
    return dict(value)


def known(where: str, entries: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Every key of ``entries`` must be one of ``allowed``."""
    for key in entries:
        if key not in allowed:
            raise ValueError(f"unknown key {key!r} in {where}; allowed: {', '.join(allowed)}.")


def plain(v: Any) -> Any:
    """JSON/TOML-compatible form of a value (arrays to lists, integral floats to int)."""
    if isinstance(v, np.ndarray):
        return [plain(x) for x in v.tolist()]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return v


def check_name(key: str, name: str) -> None:
    """``name`` must be a model parameter (:data:`_hopfield_base.vocabulary.PARAMETERS`)."""
    if name not in vocabulary.PARAMETERS:
        raise ValueError(
            f"unknown parameter name {name!r} in {key.rsplit('.', 1)[0]}; allowed: "
            f"{', '.join(vocabulary.PARAMETERS)} (P and protocol belong to [model])."
        )


def axis_values(key: str, name: str, value: Any) -> np.ndarray:
    """Expand an axis description (list / range / log range) into float64 values."""
    check_name(key, name)
    arr = _range_values(key, value) if isinstance(value, Mapping) else _list_values(key, value)
    if arr.size == 0:
        raise ValueError(f"{key} is empty; a grid axis needs at least one value.")
    check_values(key, name, arr)
    if key.startswith("axes.") and np.unique(arr).size != arr.size:
        raise ValueError(f"{key} has repeated values {arr.tolist()}; axis values must differ.")
    return arr


def _range_values(key: str, value: Mapping[str, Any]) -> np.ndarray:
    known(key, value, ("start", "stop", "num", "step", "log"))
    for need in ("start", "stop"):
        if need not in value:
            raise ValueError(f"{key} needs {need!r} (a range is {{start, stop, num}}).")
    start, stop = (number(f"{key}.{k}", value[k]) for k in ("start", "stop"))
    if ("num" in value) == ("step" in value):
        raise ValueError(f"{key} needs exactly one of 'num' and 'step'; got {dict(value)}.")
    log = value.get("log", False)
    if "num" in value:
        return _num_range(key, start, stop, value["num"], log)
    if log:
        raise ValueError(f"{key}: a log range takes 'num', not 'step'.")
    return _step_range(key, start, stop, number(f"{key}.step", value["step"]))


def _num_range(key: str, start: float, stop: float, num: Any, log: bool) -> np.ndarray:
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"{key}.num must be an integer >= 1; got {num!r}.")
    check_axis_size(key, "num", num)
    if not log:
        return np.linspace(start, stop, int(num))
    if start <= 0 or stop <= 0:
        raise ValueError(f"{key}: a log range needs start > 0 and stop > 0; got {start}, {stop}.")
    return np.geomspace(start, stop, int(num))


def _step_range(key: str, start: float, stop: float, step: float) -> np.ndarray:
    if step == 0 or (stop - start) / step < 0:
        raise ValueError(f"{key}.step={step} does not lead from {start} to {stop}.")
    count = (stop - start) / step + 1e-9
    check_axis_size(key, "step", count + 1 if math.isfinite(count) else math.inf)
    return start + step * np.arange(int(math.floor(count)) + 1)


def _list_values(key: str, value: Any) -> np.ndarray:
    numbers_only(key, value)
    try:
        arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        msg = f"{key} must be a list of numbers or a range table; got {value!r}."
        raise TypeError(msg) from None
    if arr.ndim != 1:
        raise ValueError(f"{key} must be one-dimensional; got shape {arr.shape}.")
    return arr


def numbers_only(key: str, value: Any) -> None:
    """Strings and booleans are not numbers here (no silent ``"0.1"`` -> 0.1, True -> 1)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{key} must hold numbers; got an array of dtype {value.dtype}.")
        return
    items = value if isinstance(value, (list, tuple)) else [value]
    for v in items:
        if isinstance(v, (bool, np.bool_, str, bytes)):
            raise TypeError(f"{key} must be a list of numbers or a range table; got {value!r}.")


def number(key: str, v: Any) -> float:
    """``v`` as a float; anything but a real number (booleans included) is a ``TypeError``."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{key} must be a number; got {v!r}.")
    return float(v)


def scalar(key: str, name: str, value: Any) -> float:
    """A fixed parameter value, checked like an axis value."""
    check_name(key, name)
    v = number(key, value)
    check_values(key, name, np.array([v]))
    return v


def check_values(key: str, name: str, arr: np.ndarray) -> None:
    """Every value of ``arr`` must lie in the allowed range of parameter ``name``."""
    lo, hi, open_lo, open_hi, inf_ok, text = _RANGES[name]
    bad = np.isnan(arr) | (arr < lo) | (arr > hi)
    if open_lo:
        bad |= arr <= lo
    if open_hi:
        bad |= arr >= hi
    if not inf_ok:
        bad |= np.isinf(arr)
    if name in INTEGER:
        bad |= ~np.isfinite(arr) | (np.round(arr) != arr)
    if bad.any():
        raise ValueError(f"{key} must be in {text}; got {arr[bad][0]!r}.")


def is_integer(v: Any, low: int) -> bool:
    """Whether ``v`` is an integer (not a boolean) >= ``low``."""
    return not isinstance(v, bool) and isinstance(v, (int, np.integer)) and v >= low


def choice(key: str, value: Any, allowed: tuple[str, ...]) -> None:
    """``value`` must be one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(map(repr, allowed))}; got {value!r}.")
