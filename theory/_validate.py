"""Small input checkers shared by the theory solvers. Each raises before any JAX call and
names the parameter, the value and what is allowed (STYLE.md §6).

Conventions (shared with ``montecarlo`` and ``hopfield_sim``): strings and booleans given
for numbers are a ``TypeError``; empty arrays, NaN and values outside the allowed interval a
``ValueError``; seeds are non-negative integers (or ``None`` where allowed).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from theory._temperature import beta_of_T

PROTOCOLS = ("hebbian", "supervised", "unsupervised")
LEVELS = ("RS", "1RSB")
BRANCHES = ("retrieval", "spinglass", "paramagnet")
#: largest interaction order: P! and the P-th powers of the equations stay far inside
#: float64 (P! < 1e90), and the cross-talk alpha P P!/4 of any representable load is finite
MAX_P = 64


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


def interaction_order(P: object) -> int:
    """P must be an integer, 2 <= P <= MAX_P (odd P: no +-m symmetry, docs/models.md §2)."""
    if isinstance(P, bool) or not isinstance(P, (int, np.integer)):
        raise TypeError(f"P must be an integer >= 2; got {P!r} of type {type(P).__name__}.")
    if P < 2:
        raise ValueError(
            f"P must be an integer >= 2; got P={P}. P is the interaction order "
            "(P = 2 is the pairwise Hopfield model)."
        )
    if P > MAX_P:
        raise ValueError(
            f"P must be <= {MAX_P}; got P={P}. The equations contain P! (the cross-talk "
            f"alpha P P!/4), which leaves the double-precision range of the solvers beyond it."
        )
    return int(P)


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


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_)
    )


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
    interval = f"{left}{lo}, {hi}{right}"
    bad = np.isnan(arr)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if np.any(bad):
        first = arr[bad].flat[0] if arr.ndim else float(arr)
        extra = f" {meaning}" if meaning else ""
        raise ValueError(f"{name} must lie in {interval}; got {name}={first!r}.{extra}")
    return arr


def integer(name: str, value: object, *, low: int = 1, meaning: str = "") -> int:
    """An integer >= ``low`` (TypeError for bools, strings and non-integers)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an integer >= {low}; got {value!r} of type {type(value).__name__}."
        )
    if value < low:
        extra = f" {meaning}" if meaning else ""
        raise ValueError(f"{name} must be an integer >= {low}; got {name}={value}.{extra}")
    return int(value)


def seed(value: object, *, allow_none: bool = True) -> int | np.random.SeedSequence | None:
    """A seed: a non-negative integer, a ``numpy.random.SeedSequence`` (or None if allowed)."""
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


def beta_or_T(beta: object, T: object) -> np.ndarray:
    """Exactly one of ``beta`` and ``T``; returns beta.

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


def scalar_T(T: object, name: str = "T") -> float:
    """One temperature T >= 0 (inf allowed) as a float."""
    t = real_array(name, T, low=0.0, meaning="T is the temperature in units of the coupling.")
    if t.ndim:
        raise ValueError(f"{name} must be a scalar here; got an array of shape {t.shape}.")
    return float(t)


__all__ = [
    "BRANCHES",
    "LEVELS",
    "MAX_P",
    "PROTOCOLS",
    "beta_or_T",
    "choice",
    "flag",
    "integer",
    "interaction_order",
    "real_array",
    "scalar_T",
    "seed",
]
