"""Input checkers shared by ``theory``, ``montecarlo`` and ``hopfield_sim``.

Each raises before any compiled call and names the parameter, the value and what is allowed.
Conventions: strings and booleans given for numbers are a ``TypeError``; empty arrays, NaN and
values outside the allowed interval a ``ValueError``. The packages' own choice sets and limits
(protocols, the largest interaction order, ...) stay in their ``_validate`` modules, which
re-export these checkers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from _hopfield_base.temperature import beta_of_T


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` must be one of ``allowed``."""
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {opts}; got {value!r}.")
    return value


def flag(name: str, value: object) -> bool:
    """A boolean switch: ``True`` or ``False`` (NumPy bools accepted), else TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def integer(name: str, value: object, *, low: int = 1, meaning: str = "") -> int:
    """A Python or NumPy integer (not bool) >= ``low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an integer >= {low}; got {value!r} of type {type(value).__name__}."
        )
    if value < low:
        extra = f" {meaning}" if meaning else ""
        raise ValueError(f"{name} must be an integer >= {low}; got {name}={value}.{extra}")
    return int(value)


def interaction_order(P: object, *, largest: int, why: str) -> int:
    """P must be an integer, 2 <= P <= ``largest``; ``why`` explains the upper limit."""
    if isinstance(P, bool) or not isinstance(P, (int, np.integer)):
        raise TypeError(f"P must be an integer >= 2; got {P!r} of type {type(P).__name__}.")
    if P < 2:
        raise ValueError(
            f"P must be an integer >= 2; got P={P}. P is the interaction order "
            "(P = 2 is the pairwise Hopfield model)."
        )
    if P > largest:
        raise ValueError(f"P must be <= {largest}; got P={P}. {why}")
    return int(P)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_)
    )


def _reject_non_numeric(name: str, value: object) -> None:
    """TypeError for strings, bytes and booleans (also inside sequences / arrays)."""
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{name} must be a real number or array; got {value!r}.")
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "bUSO" and not (
            value.dtype.kind == "O" and all(_is_number(v) for v in value.flat)
        ):
            raise TypeError(f"{name} must be real numbers; got an array of dtype {value.dtype}.")
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _reject_non_numeric(name, v)


def real_array(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    meaning: str = "",
) -> np.ndarray:
    """Convert to a float64 array and check every entry lies in the stated interval.

    NaN is always invalid; ``inf`` is allowed only where the interval is unbounded. Strings
    and booleans raise TypeError, empty arrays ValueError.
    """
    _reject_non_numeric(name, value)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or array; got {value!r}.") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty; got an array of shape {arr.shape}.")
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    bad = np.isnan(arr)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else float(arr)
        extra = f" {meaning}" if meaning else ""
        raise ValueError(
            f"{name} must lie in {left}{lo}, {hi}{right}; got {name}={first!r}.{extra}"
        )
    return arr


def finite_positive(name: str, value: object) -> float:
    """A finite real > 0."""
    v = float(value)  # type: ignore[arg-type]
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a finite number > 0; got {name}={value!r}.")
    return v


def quality(r: object) -> float:
    """Example quality r in (0, 1]: each example bit equals its archetype's w.p. (1+r)/2."""
    if isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating)):
        raise TypeError(f"r must be a real number in (0, 1]; got {r!r}.")
    r = float(r)
    if not (0.0 < r <= 1.0):  # also rejects NaN
        raise ValueError(
            f"r must lie in (0, 1]; got r={r!r}. Each example bit equals its archetype bit "
            "with probability (1+r)/2."
        )
    return r


def dilution(d: object) -> float:
    """Dilution d in [0, 1): each pattern entry is 0 with probability d."""
    if isinstance(d, bool) or not isinstance(d, (int, float, np.integer, np.floating)):
        raise TypeError(f"d must be a real number in [0, 1); got {d!r}.")
    d = float(d)
    if not (0.0 <= d < 1.0):
        raise ValueError(
            f"d must lie in [0, 1); got d={d!r}. Each pattern entry is 0 with probability d."
        )
    return d


def spin_array(name: str, value: object, *, ndim: int, allow_zero: bool) -> np.ndarray:
    """An integer array with entries in {-1, +1} (or {-1, 0, +1}), returned as int8."""
    allowed = "{-1, 0, +1}" if allow_zero else "{-1, +1}"
    try:
        arr = np.asarray(value)
    except Exception:  # pragma: no cover - exotic objects
        raise TypeError(f"{name} must be an array with entries in {allowed}.") from None
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must be a numeric array with entries in {allowed}; got dtype {arr.dtype}."
        )
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions; got shape {arr.shape}.")
    flat = arr.ravel(order="K")  # a view for C- or F-ordered arrays
    step = 1 << 22  # check in blocks: no full-size temporaries for big pattern sets
    for start in range(0, flat.size, step):
        block = flat[start : start + step]
        ok = (block == 1) | (block == -1)
        if allow_zero:
            ok |= block == 0
        if not ok.all():
            bad = block[~ok][0]
            raise ValueError(f"{name} must have entries in {allowed}; found {bad!r}.")
    return arr.astype(np.int8, copy=False)


def beta_or_T(beta: object, T: object) -> np.ndarray:
    """Exactly one of ``beta`` and ``T`` (any shape); returns beta as a float64 array.

    ``T = 0`` / ``beta = inf`` is the zero-temperature limit and ``T = inf`` / ``beta = 0``
    infinite temperature (the paramagnet); both are valid points.
    """
    if (beta is None) == (T is None):
        raise ValueError(
            "give exactly one of beta and T (T = 1/beta; T=0 or beta=inf is the "
            f"zero-temperature limit); got beta={beta!r}, T={T!r}."
        )
    if beta is not None:
        return real_array("beta", beta, low=0.0, meaning="beta is the inverse temperature.")
    t = real_array("T", T, low=0.0, meaning="T is the temperature in units of the coupling.")
    return beta_of_T(t)


def temperature_ladder(beta: object, T: object) -> np.ndarray:
    """Exactly one of beta, T; scalar or 1-d; returns beta as float64 (inf for T = 0)."""
    if (beta is None) == (T is None):
        raise ValueError(f"give exactly one of beta or T (T = 1/beta); got beta={beta!r}, T={T!r}.")
    name, value = ("beta", beta) if beta is not None else ("T", T)
    raw = np.asarray(value) if not isinstance(value, (str, bytes)) else None
    if raw is None or raw.dtype == bool or raw.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must be a real number or 1-d array of real numbers (not a string or "
            f"bool); got {value!r}."
        )
    arr = raw.astype(np.float64)
    if arr.ndim > 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a scalar or a non-empty 1-d ladder; got shape {arr.shape}."
        )
    if np.isnan(arr).any() or (arr < 0).any():
        raise ValueError(f"{name} must be >= 0 and not NaN; got {name}={value!r}.")
    return beta_of_T(arr) if name == "T" else arr


def scalar_T(T: object, name: str = "T") -> float:
    """One temperature T >= 0 (inf allowed) as a float."""
    t = real_array(name, T, low=0.0, meaning="T is the temperature in units of the coupling.")
    if t.ndim:
        raise ValueError(f"{name} must be a scalar here; got an array of shape {t.shape}.")
    return float(t)


def seed(value: object, *, allow_none: bool = True) -> int | np.random.SeedSequence | None:
    """A seed as given: a non-negative integer, a ``numpy.random.SeedSequence`` (or None if
    allowed); negative integers are a ValueError."""
    if value is None:
        if allow_none:
            return None
        raise ValueError("seed is required (a non-negative integer or a SeedSequence).")
    if isinstance(value, np.random.SeedSequence):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"seed must be a non-negative integer or a numpy.random.SeedSequence; got "
            f"{value!r} of type {type(value).__name__}."
        )
    if value < 0:
        raise ValueError(f"seed must be a non-negative integer; got seed={value}.")
    return int(value)


def seed_sequence(value: object) -> np.random.SeedSequence:
    """An int >= 0 or a SeedSequence, returned as a fresh SeedSequence (never mutates the
    input); anything else, negative integers included, is a TypeError."""
    if isinstance(value, np.random.SeedSequence):
        return np.random.SeedSequence(value.entropy, spawn_key=value.spawn_key)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise TypeError(
            f"seed must be a non-negative integer or numpy.random.SeedSequence; got {value!r}."
        )
    return np.random.SeedSequence(int(value))


__all__ = [
    "beta_or_T",
    "choice",
    "dilution",
    "finite_positive",
    "flag",
    "integer",
    "interaction_order",
    "quality",
    "real_array",
    "scalar_T",
    "seed",
    "seed_sequence",
    "spin_array",
    "temperature_ladder",
]
