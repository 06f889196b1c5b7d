"""Input checkers for the Monte Carlo engines. Each raises before any Numba call and names
the parameter, the value and what is allowed (STYLE.md §6)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

PROTOCOLS = ("hebbian", "supervised", "unsupervised", "teacher")
DYNAMICS = ("glauber", "metropolis", "zero_temperature")
ORDERS = ("random", "sequential")
ENGINES = ("numba", "jax")
P_MAX = 40  # largest interaction order (float64 energy polynomials, see interaction_order)


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` must be one of ``allowed``."""
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {opts}; got {value!r}.")
    return value


def integer(name: str, value: object, *, low: int, meaning: str = "") -> int:
    """A Python or NumPy integer (not bool) >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {low}; got {value!r}.")
    if value < low:
        tail = f" {meaning}" if meaning else ""
        raise ValueError(f"{name} must be an integer >= {low}; got {name}={value}.{tail}")
    return int(value)


def interaction_order(P: object) -> int:
    """P must be an integer in [2, P_MAX] (odd P: no +-m symmetry, see docs/models.md §2)."""
    if isinstance(P, bool) or not isinstance(P, (int, np.integer)):
        raise TypeError(f"P must be an integer >= 2; got {P!r} of type {type(P).__name__}.")
    if P < 2:
        raise ValueError(
            f"P must be an integer >= 2; got P={P}. P is the interaction order "
            "(P = 2 is the pairwise Hopfield model)."
        )
    if P > P_MAX:
        raise ValueError(
            f"P must be <= {P_MAX}; got P={P}. The energies are polynomials of degree P in "
            "the overlaps, evaluated in float64 (coefficients up to P! / N**(P-1)); beyond "
            f"P = {P_MAX} they lose their accuracy or overflow."
        )
    return int(P)


def quality(r: object) -> float:
    """Example quality r in (0, 1]."""
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
    """Dilution d in [0, 1)."""
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


def temperature(beta: object, T: object) -> np.ndarray:
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
    if name == "T":
        with np.errstate(divide="ignore"):
            arr = np.where(arr == 0, np.inf, 1.0 / np.where(arr == 0, 1.0, arr))
    return arr


def seed(value: object) -> np.random.SeedSequence:
    """An int >= 0 or a SeedSequence, returned as a fresh SeedSequence (never mutates input)."""
    if isinstance(value, np.random.SeedSequence):
        return np.random.SeedSequence(value.entropy, spawn_key=value.spawn_key)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise TypeError(
            f"seed must be a non-negative integer or numpy.random.SeedSequence; got {value!r}."
        )
    return np.random.SeedSequence(int(value))


def finite_positive(name: str, value: object) -> float:
    """A finite real > 0."""
    v = float(value)  # type: ignore[arg-type]
    if not (math.isfinite(v) and v > 0):
        raise ValueError(f"{name} must be a finite number > 0; got {name}={value!r}.")
    return v
