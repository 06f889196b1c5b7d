"""Bracketing and bisection, written once for every transition line of the package.

* :func:`bisect`: vectorised bisection of a predicate that is True at the lower end of each
  bracket and False at the upper end (arithmetic or geometric midpoints);
* :func:`grid_bisect`: for expensive, batched predicates: ``points`` candidates per round
  over the bracket, the last True and the first False become the next bracket, optionally
  widening the bracket when the predicate holds at neither or both ends.

(theory.rs.branch.bisect_branch_end is the branch-following variant for the RS lines, which
also carries the solution from round to round.)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from theory import _progress


def bisect(
    predicate: Callable[[np.ndarray], np.ndarray],
    lo,
    hi,
    steps: int,
    *,
    geometric: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``steps`` halvings of the brackets [lo, hi] (arrays); ``predicate(mid)`` -> bool array,
    True moves ``lo`` up to ``mid``, False moves ``hi`` down. Returns the final (lo, hi)."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    for _ in range(steps):
        mid = np.sqrt(lo * hi) if geometric else 0.5 * (lo + hi)
        t = np.asarray(predicate(mid), dtype=bool)
        lo = np.where(t, mid, lo)
        hi = np.where(t, hi, mid)
    return lo, hi


def grid_bisect(
    predicate: Callable[[np.ndarray], np.ndarray],
    lo: float,
    hi: float,
    *,
    rtol: float,
    points: int = 8,
    widen: bool = False,
    progress: bool = False,
    desc: str = "bisection",
) -> float:
    """Largest x with ``predicate(x)`` True, for a predicate True below and False above it.

    Each round evaluates ``predicate`` on ``points`` equally spaced values of [lo, hi] (one
    batched call) until ``hi - lo <= rtol * lo``. If the predicate fails at ``lo`` or holds
    at ``hi``: with ``widen`` the bracket moves down (to [lo/2, lo]) or up, else NaN is
    returned. Returns the midpoint of the final bracket.
    """
    bar = _progress.bar(progress, desc, unit="round")
    try:
        while hi - lo > rtol * lo:
            bar.update()
            bar.set_postfix_str(f"[{lo:.6g}, {hi:.6g}]")
            x = np.linspace(lo, hi, points)
            ok = np.asarray(predicate(x), dtype=bool)
            if not ok[0]:
                if not widen:
                    return math.nan
                lo, hi = lo / 2.0, lo
                continue
            i = int(np.max(np.nonzero(ok)[0]))
            if i == points - 1:
                if not widen:
                    return math.nan
                lo, hi = hi, 2.0 * hi - lo
                continue
            lo, hi = float(x[i]), float(x[i + 1])
    finally:
        bar.close()
    return float(0.5 * (lo + hi))
