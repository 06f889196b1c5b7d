"""The P = 2 acceptance table: the heat-bath / Metropolis decision of every integer level of
the energy change, as one integer per level, so that the attempt loop compares the raw
random integer with it instead of taking a logarithm (``montecarlo._kernels.level_accept``).

At P = 2 the energy change of a flip is ``dH = q4 * float64(n)`` with the integer level
``n = rsq_i - s_i sum_l w_il S_l`` (``montecarlo._deltas.quadratic_level``), and
:func:`montecarlo._kernels.accept` accepts iff ``beta * dH < t(u)``, ``u = x * 2**-53``
with ``x`` the 53-bit integer of the stream and ``t`` the logistic (heat bath) or exponential
(Metropolis) threshold. For one level, ``v = beta * dH`` is one float and ``t`` decreases
with ``x``: the decision is ``x < X`` for an integer ``X`` in [0, 2**53]. :func:`_first_rejected`
finds ``X`` with the decision itself (the same compiled :func:`accept`, strict IEEE
arithmetic as in the sweep, whose optimised code keeps ``beta * (q4 * n)`` in this order),
and :func:`_verified` checks ``accept == (x < X)`` for every x: exhaustively in a window
around ``X``; beyond it by a margin, since the threshold's argument (``(1 - u) / u`` or
``u``, IEEE operations) is monotone in x and the library logarithm errs by at most 1 ulp, so
thresholds more than 4 ulps from ``v`` at the window's edges stay on their side further out.
A level that fails is stored as -1: the sweep then takes the logarithm for it. The decisions,
hence the chains, are the same as without the table.

The table is built for ``+-1`` weights only (patterns, examples): with integer class sums
the levels in use spread over a table too large for the cache and the lookup was slower
than the logarithm (``benchmarks/mc_table.py``, ``docs/simulating.md``).
"""

from __future__ import annotations

import math

import numpy as np

from montecarlo import _deltas, _kernels, _rng
from montecarlo._cache import keyed_njit, source_digest
from montecarlo._rng import _TWO_M53

__all__ = ["LEVELS_MAX", "acceptance_levels"]

_INLINED = source_digest(_deltas, _kernels, _rng)
LEVELS_MAX = 1 << 16  # table entries per temperature (512 KiB); 0: no table
_V_SATURATED = 37.0  # |beta dH| beyond which only x = 0 or every x accepts (|t| <= 36.8)
_TWO53 = 1 << 53
_NONE = np.full((1, 1), -1, np.int64)


@keyed_njit(_INLINED)
def _accepts(n, q4, beta, dynamics, x):
    """The sweep's decision for level ``n`` and the integer ``x`` (``accept`` itself)."""
    return _kernels.accept(q4 * np.float64(n), beta, dynamics, np.float64(x) * _TWO_M53)


@keyed_njit(_INLINED)
def _first_rejected(n, q4, beta, dynamics, guess):
    """Smallest x in [0, 2**53] that :func:`_accepts` rejects (2**53: none), assuming the
    decision monotone (checked by :func:`_verified`): galloping from ``guess``, then
    bisection."""
    g = min(max(guess, 0), _TWO53)
    step = 1
    if g < _TWO53 and _accepts(n, q4, beta, dynamics, g):
        lo, hi = g + 1, min(g + 1, _TWO53)
        while hi < _TWO53 and _accepts(n, q4, beta, dynamics, hi):
            lo = hi + 1
            step *= 2
            hi = min(lo + step, _TWO53)
    else:
        lo, hi = g, g
        while lo > 0:
            lo = max(hi - step, 0)
            if _accepts(n, q4, beta, dynamics, lo):
                lo += 1
                break
            hi = lo
            step *= 2
    while lo < hi:
        mid = (lo + hi) // 2
        if _accepts(n, q4, beta, dynamics, mid):
            lo = mid + 1
        else:
            hi = mid
    return lo


@keyed_njit(_INLINED)
def _ulp(y):
    m, e = math.frexp(abs(y))
    return math.ldexp(1.0, e - 53) if m != 0.0 else 5e-324


@keyed_njit(_INLINED)
def _verified(n, q4, beta, dynamics, X, w):
    """Is the decision ``x < X`` for every x? Exhaustively for x in [X - w, X + w), and by a
    margin of 4 ulps between ``beta dH`` and the thresholds at the window's edges."""
    lo = max(X - w, 0)
    hi = min(X + w, _TWO53)
    for x in range(lo, hi):
        if _accepts(n, q4, beta, dynamics, x) != (x < X):
            return False
    v = beta * (q4 * np.float64(n))
    if lo >= 1:  # every x < lo accepts (x = 0: t = inf)
        t = _kernels.threshold(dynamics, np.float64(lo) * _TWO_M53)
        if not t - v > 4.0 * _ulp(max(abs(t), abs(v))):
            return False
    if hi < _TWO53:  # every x >= hi rejects
        t = _kernels.threshold(dynamics, np.float64(hi - 1) * _TWO_M53)
        if not v - t > 4.0 * _ulp(max(abs(t), abs(v))):
            return False
    return True


@keyed_njit(_INLINED)
def _fill(q4, beta, dynamics, lo, out):
    """``out[k]``: the threshold integer of level ``lo + k``, or -1 where unverified."""
    for k in range(out.shape[0]):
        n = lo + k
        v = beta * (q4 * np.float64(n))
        if dynamics == _kernels.GLAUBER:
            p = 1.0 / (1.0 + np.exp(min(v, 700.0)))
        else:
            p = 1.0 if v <= 0.0 else np.exp(-v)
        X = _first_rejected(n, q4, beta, dynamics, np.int64(p * 2.0**53))
        w = 4
        ok = _verified(n, q4, beta, dynamics, X, w)
        while not ok and w < 4096:
            w *= 8
            ok = _verified(n, q4, beta, dynamics, X, w)
        out[k] = X if ok else -1


def _saturated_ends(row: np.ndarray, q4: float, beta: float, lo: int) -> None:
    """Set an end entry to -1 unless every level beyond it has its decision: ``X`` is
    monotone in ``v = beta q4 n``, down to 1 (only x = 0) as v grows, up to 2**53 (every x)."""
    m = row.size
    for end, inner in ((0, 1), (m - 1, m - 2)):
        v_end = beta * (q4 * float(lo + end))
        v_in = beta * (q4 * float(lo + inner))
        keep = (row[end] == 1 and v_end >= v_in) or (row[end] == _TWO53 and v_end <= v_in)
        if not keep:
            row[end] = -1


def acceptance_levels(terms, storage, ladder: np.ndarray, dynamics: int):
    """The tables of :func:`montecarlo._kernels.level_accept`, one row per temperature.

    Parameters
    ----------
    terms, storage : EnergyTerms, Storage
        The energy (``montecarlo._energy``); a table is built for the P = 2 route with
        ``+-1`` weights and finite-temperature dynamics, else every row is ``[-1]``.
    ladder : ndarray of float64, shape (n_beta,)
        Inverse temperatures.
    dynamics : int
        ``montecarlo._kernels.GLAUBER``, ``METROPOLIS`` or ``ZERO_TEMPERATURE``.

    Returns
    -------
    levels : ndarray of int64, shape (n_beta, m)
        Row b covers levels ``lo[b] .. lo[b] + m - 1`` (at most :data:`LEVELS_MAX` + 1).
    lo : ndarray of int64, shape (n_beta,)
    """
    ladder = np.asarray(ladder, dtype=np.float64)
    none = (np.repeat(_NONE, ladder.size, axis=0), np.zeros(ladder.size, np.int64))
    wmax = int(np.abs(storage.val).max(initial=0))
    if (terms.fast != _kernels.FAST_QUADRATIC or dynamics == _kernels.ZERO_TEMPERATURE
            or wmax != 1 or LEVELS_MAX < 2):  # fmt: skip
        return none
    bound = int(terms.rowsq.max(initial=0)) + storage.n_terms * terms.off + 1  # |n| < bound
    scale = np.abs(ladder * terms.q4).min()
    half = min(bound, LEVELS_MAX // 2)
    if scale > 0:
        half = min(half, math.ceil(_V_SATURATED / scale) + 1)
    levels = np.empty((ladder.size, 2 * half + 1), np.int64)
    for b, beta in enumerate(ladder):
        _fill(terms.q4, float(beta), dynamics, -half, levels[b])
        _saturated_ends(levels[b], terms.q4, float(beta), -half)
    return levels, np.full(ladder.size, -half, np.int64)
