"""Small input checkers shared by the theory solvers. Each raises before any JAX call and
names the parameter, the value and what is allowed (STYLE.md §6)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

PROTOCOLS = ("hebbian", "supervised", "unsupervised")
LEVELS = ("RS", "1RSB")
BRANCHES = ("retrieval", "spinglass", "paramagnet")


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` must be one of ``allowed``."""
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {opts}; got {value!r}.")
    return value


def interaction_order(P: object) -> int:
    """P must be an even integer >= 2."""
    if isinstance(P, bool) or not isinstance(P, (int, np.integer)):
        raise TypeError(f"P must be an even integer >= 2; got {P!r} of type {type(P).__name__}.")
    if P < 2 or P % 2:
        raise ValueError(
            f"P must be an even integer >= 2; got P={P}. P is the interaction order "
            "(P = 2 is the pairwise Hopfield model); odd P has no Z2-symmetric Hebbian form."
        )
    return int(P)


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

    NaN is always invalid; ``inf`` is allowed only where the interval is unbounded.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number or array; got {value!r}.") from None
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


def beta_or_T(beta: object, T: object) -> np.ndarray:
    """Exactly one of ``beta`` and ``T``; returns beta (``inf`` where T = 0)."""
    if (beta is None) == (T is None):
        raise ValueError(
            "give exactly one of beta and T (T = 1/beta; T=0 or beta=inf is the "
            f"zero-temperature limit); got beta={beta!r}, T={T!r}."
        )
    if beta is not None:
        return real_array("beta", beta, low=0.0, meaning="beta is the inverse temperature.")
    t = real_array("T", T, low=0.0, meaning="T is the temperature in units of the coupling.")
    with np.errstate(divide="ignore"):
        return np.where(t == 0.0, math.inf, 1.0 / np.where(t == 0.0, 1.0, t))
