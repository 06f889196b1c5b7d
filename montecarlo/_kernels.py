"""Bare Numba kernels: the acceptance rules, updates of the tracked sums, one sweep of one
chain, energies and set-up sums. The energy changes of a flip are in
``montecarlo/_deltas.py`` (and re-exported here); the driver over all chains is
``montecarlo/_chains.py``. Table mode: ``H = h0 + sum_l table[S[l, 0] + off]``.
"""

from __future__ import annotations

import numba
import numpy as np

from montecarlo import _deltas, _rng
from montecarlo._cache import keyed_njit, source_digest
from montecarlo._deltas import (
    FAST_MATH,
    FAST_NONE,
    FAST_PLAIN,
    FAST_QUADRATIC,
    FAST_UNIT,
    MODE_POWER,
    MODE_TABLE,
    elementary_from_power,
    flat,
    plain_delta,
    power_delta,
    quadratic_delta,
    quadratic_level,
    table_delta,
    unit_delta,
)
from montecarlo._rng import _TWO_M53, raw53, uniform

__all__ = [  # the sweep's own names and the energy changes it re-exports
    "FAST_MATH", "FAST_NONE", "FAST_PLAIN", "FAST_QUADRATIC", "FAST_UNIT", "GLAUBER",
    "METROPOLIS", "MODE_POWER", "MODE_TABLE", "ORDER_RANDOM", "ORDER_SEQUENTIAL",
    "ZERO_TEMPERATURE", "abs_power_sums", "accept", "acceptance_probability", "apply_flip",
    "elementary_from_power", "energies", "energy", "flat", "initial_sums", "level_accept",
    "obs_flip", "plain_delta", "power_delta", "quadratic_delta", "row_square_sums", "sweep",
    "table_delta", "table_flip", "threshold", "unit_delta",
]  # fmt: skip

# Every kernel here is compiled with code and constants of these modules (the energy changes,
# the random numbers): its cache files carry their digest, see ``montecarlo._cache``.
_INLINED = source_digest(_deltas, _rng)

GLAUBER = 0
METROPOLIS = 1
ZERO_TEMPERATURE = 2
ORDER_RANDOM = 0
ORDER_SEQUENTIAL = 1


@keyed_njit(_INLINED, inline="always")
def apply_flip(i, s_i, S, mode, P, indptr, idx, val, dense):
    """Update tracked sums for the flip of spin ``i`` from ``s_i`` to ``-s_i``."""
    a = indptr[i]
    b = indptr[i + 1]
    J = 1 if mode == MODE_TABLE else P // 2
    for j in range(a, b):
        l = j - a if dense else idx[j]
        w = np.int64(val[j])
        wk = w
        for t in range(J):
            S[l, t] -= 2 * wk * s_i
            wk *= w * w


@keyed_njit(_INLINED, inline="always")
def obs_flip(i, s_i, O, indptr, idx, val, dense):
    """Update the observable-only sums ``O`` (Lo, 1) for the flip of spin ``i`` from ``s_i``:
    ``O_l -= 2 s_i w_il``, products in int32 (exact: ``|O_l| <= N max|w|``, checked when
    ``O`` is int32, see ``montecarlo._energy.observable_dtype``)."""
    a = indptr[i]
    two_s = np.int32(2 * s_i)
    if dense:
        for l in range(indptr[i + 1] - a):
            O[l, 0] -= np.int32(two_s * np.int32(val[np.uint64(a + l)]))
    else:
        for j in range(a, indptr[i + 1]):
            O[np.uint32(idx[j]), 0] -= np.int32(two_s * np.int32(val[j]))


@keyed_njit(_INLINED)
def energy(S, terms, p, e):
    """Total energy of one chain from its tracked sums; ``terms`` is an ``EnergyTerms``."""
    L = S.shape[0]
    h = terms.h0
    if terms.mode == MODE_TABLE:
        for l in range(L):
            h += terms.table[S[l, 0] + terms.off]
        return h
    P = terms.P
    J = P // 2
    acc = 0.0
    for l in range(L):
        for t in range(J):
            p[2 * t + 1] = S[l, t]
            p[2 * t + 2] = terms.pe[l, t]
        acc += elementary_from_power(p, P, e)
    return h + terms.c * acc


@keyed_njit(_INLINED, inline="always")
def threshold(dynamics, u):
    """The random threshold ``t(u)`` on ``beta * dH`` below which a flip is accepted, from a
    uniform ``u`` in [0, 1) (finite temperature).

    - Glauber (heat bath), accept with probability ``1 / (1 + exp(beta dH))``:
      ``u (1 + exp(beta dH)) < 1`` is ``beta dH < log((1 - u) / u)``, a logistic variate.
    - Metropolis, accept with probability ``min(1, exp(-beta dH))``:
      ``u < exp(-beta dH)`` is ``beta dH < -log(u)``, an exponential variate (always above
      0, so every downhill and flat move is accepted).

    ``u = 0`` gives ``+inf`` (always accept). The threshold does not depend on the state: in
    the attempt loop its logarithm is worked out while the energy change is, instead of an
    exponential of the energy change after it (the transcendental function leaves the chain
    of dependent instructions from one attempt to the next).
    """
    if u == 0.0:
        return np.inf
    if dynamics == GLAUBER:
        return np.log((1.0 - u) / u)
    return -np.log(u)


@keyed_njit(_INLINED, inline="always")
def accept(dh, beta, dynamics, u):
    """Acceptance decision for an energy change ``dh`` with uniform ``u`` in [0, 1):
    ``beta * dh < threshold(dynamics, u)`` (see :func:`threshold`); at zero temperature
    downhill moves always, flat moves with probability 1/2 (Glauber's limit)."""
    if dynamics == ZERO_TEMPERATURE:
        return dh < 0.0 or (dh == 0.0 and u < 0.5)
    return beta * dh < threshold(dynamics, u)


@keyed_njit(_INLINED, inline="always")
def level_accept(n, q4, beta, dynamics, x, levels, lo):
    """:func:`accept` at P = 2 for the energy change ``dH = q4 * n`` of the integer level
    ``n`` and the uniform ``u = x * 2**-53`` of the 53-bit integer ``x``, from a table:
    accept iff ``x < levels[k]``, ``k = clip(n - lo, 0, levels.size - 1)``, where
    ``montecarlo._levels`` has found the integer ``levels[k]`` with the same decision as
    :func:`accept` for every x. An entry -1 (levels not tabulated, or the ``[-1]`` of no
    table) falls back to :func:`accept` itself: the decision is the same either way."""
    X = levels[min(max(n - lo, 0), levels.shape[0] - 1)]
    if X >= 0:
        return x < X
    return accept(q4 * np.float64(n), beta, dynamics, np.float64(x) * _TWO_M53)


@keyed_njit(_INLINED)
def acceptance_probability(dh, beta, dynamics):
    """Probability that :func:`accept` accepts ``dh`` (for transition-matrix checks)."""
    if dynamics == GLAUBER:
        return 1.0 / (1.0 + np.exp(beta * dh))
    if dynamics == METROPOLIS:
        return 1.0 if dh <= 0.0 else np.exp(-beta * dh)
    if dh < 0.0:
        return 1.0
    return 0.5 if dh == 0.0 else 0.0


@keyed_njit(_INLINED, inline="always")
def table_flip(a, b, s_i, S, val, idx, dense):
    """Update the table-mode sums ``S`` (L, 1) or (L,) for the flip of a spin with value
    ``s_i`` and weights ``val[a:b]``: ``S_l -= 2 s_i w_l`` (in the type of ``S``, exact)."""
    S1 = flat(S)
    n = b - a
    if S.itemsize == 4:
        two_s = np.int32(2 * s_i)
        if dense:
            for l in range(n):
                S1[l] -= np.int32(two_s * np.int32(val[np.uint64(a + l)]))
        else:
            for l in range(n):
                j = np.uint64(a + l)
                S1[np.uint32(idx[j])] -= np.int32(two_s * np.int32(val[j]))
    else:
        two_s = 2 * s_i
        if dense:
            for l in range(n):
                S1[l] -= two_s * np.int64(val[np.uint64(a + l)])
        else:
            for l in range(n):
                j = np.uint64(a + l)
                S1[np.uint32(idx[j])] -= two_s * np.int64(val[j])


@keyed_njit(_INLINED, _nrt=False, fastmath=FAST_MATH)
def _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, table_mode,
              fast, dense, tab, p, e, levels, lo):  # fmt: skip
    """The N flip attempts of :func:`sweep`. Called there once per route with ``table_mode``,
    ``fast`` and ``dense`` as constants: Numba compiles one copy per route (the constants are
    literal types) and prunes the other routes' branches before it inlines the route's energy
    change (:func:`quadratic_delta`, :func:`unit_delta`, :func:`plain_delta`), which keeps
    the compile short. ``tab`` is ``terms.dpoly`` (``FAST_UNIT``) or ``terms.table``, chosen
    once per sweep. No reference counting (``_nrt=False``, see :func:`sweep`). ``levels``,
    ``lo``: the P = 2 acceptance table of :func:`level_accept`."""
    pe, c, P = terms.pe, terms.c, terms.P
    rowsq, q4 = terms.rowsq, terms.q4
    indptr, idx, val = weights.indptr, weights.idx, weights.val
    o_indptr, o_idx, o_val, o_dense = obs.indptr, obs.idx, obs.val, obs.dense
    N = sigma.shape[0]
    L = S.shape[0]
    track_obs = O.shape[0] > 0
    for step in range(N):
        if order == ORDER_RANDOM:
            i = np.int64(uniform(rng) * N)
            if i >= N:  # pragma: no cover - guards a rounding edge
                i = N - 1
        else:
            i = step
        s_i = np.int64(sigma[i])
        if dense:
            a = i * L
            b = a + L
        else:
            a = indptr[i]
            b = indptr[i + 1]
        if table_mode and fast == FAST_QUADRATIC:
            n = quadratic_level(a, b, s_i, S1, val, idx, rowsq[i], dense)
            ok = level_accept(n, q4, beta, dynamics, raw53(rng), levels, lo)
        else:
            if table_mode and fast == FAST_UNIT:
                dh = unit_delta(a, b, s_i, S1, val, idx, tab, dense)
            elif table_mode:
                dh = plain_delta(a, b, s_i, S1, val, idx, tab, dense)
            else:
                dh = power_delta(i, s_i, S, pe, c, P, indptr, idx, val, dense, p, e)
            ok = accept(dh, beta, dynamics, uniform(rng))
        if not ok:
            continue
        if table_mode:
            table_flip(a, b, s_i, S1, val, idx, dense)
        else:
            apply_flip(i, s_i, S, MODE_POWER, P, indptr, idx, val, dense)
        if track_obs:
            obs_flip(i, s_i, O, o_indptr, o_idx, o_val, o_dense)
        sigma[i] = -sigma[i]


@keyed_njit(_INLINED, fastmath=FAST_MATH, _nrt=False)
def sweep(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, p, e, levels, lo):
    """One sweep (N flip attempts) of one chain.

    ``terms`` is the ``EnergyTerms`` of the energy, ``weights`` the ``Storage`` of its
    weights and ``obs`` the ``Storage`` of the observable-only sums ``O`` (Lo, 1). ``S`` holds
    the tracked sums (L, n_sums) and ``S1`` is the same memory as one row (table mode reads
    and updates ``S1``); ``p``, ``e`` are scratch arrays of length P + 1; ``levels`` (int64)
    and ``lo`` the P = 2 acceptance table (``montecarlo._levels``, ``[-1]`` for none). Per
    attempt: one random site (or the next one), the energy change (:func:`table_delta` or
    :func:`power_delta`), one uniform and its acceptance threshold (:func:`threshold`; at
    P = 2 the tabulated threshold of the integer level, :func:`level_accept`); the only work
    that does not scale with the number of terms. The routes that matter for speed
    (dense rows with the P = 2 dot product or the +-1 polynomial, sparse rows with the dot
    product) get their own copy of the attempt loop, free of the other routes' branches.

    Compiled without Numba's reference counting (``_nrt=False``: it allocates nothing and
    every array outlives the call): the helpers inlined into the attempt loop would
    otherwise count references to their array arguments, two atomic memory operations per
    array and attempt, as much time as the dot product at K = 100.
    """
    dense = weights.dense
    fast = terms.fast
    if terms.mode == MODE_TABLE:
        if dense and fast == FAST_QUADRATIC:
            _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, True,
                      FAST_QUADRATIC, True, terms.table, p, e, levels, lo)  # fmt: skip
        elif dense and fast == FAST_UNIT:
            _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, True,
                      FAST_UNIT, True, terms.dpoly, p, e, levels, lo)  # fmt: skip
        elif not dense and fast == FAST_QUADRATIC:
            _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, True,
                      FAST_QUADRATIC, False, terms.table, p, e, levels, lo)  # fmt: skip
        else:
            tab = terms.table if fast == FAST_QUADRATIC else terms.dpoly
            _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, True,
                      fast, dense, tab, p, e, levels, lo)  # fmt: skip
    else:
        _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, False,
                  fast, dense, terms.table, p, e, levels, lo)  # fmt: skip


@keyed_njit(_INLINED, parallel=True)
def initial_sums(sigma, indptr, idx, val, dense, L, n_sums):
    """Tracked sums ``S[r, l, t] = sum_i w_il**(2t+1) sigma[r, i]`` from scratch, (R, L, n_sums)."""
    R = sigma.shape[0]
    N = sigma.shape[1]
    out = np.zeros((R, L, n_sums), dtype=np.int64)
    for r in numba.prange(R):
        for i in range(N):
            s = np.int64(sigma[r, i])
            a = indptr[i]
            for j in range(a, indptr[i + 1]):
                l = j - a if dense else idx[j]
                w = np.int64(val[j])
                wk = w
                for t in range(n_sums):
                    out[r, l, t] += wk * s
                    wk *= w * w
    return out


@keyed_njit(_INLINED)
def abs_power_sums(indptr, idx, val, dense, L, kmax):
    """``out[l, k] = sum_i |w_il|**k`` over non-zero weights, k = 0..kmax (k = 0 counts them)."""
    N = indptr.shape[0] - 1
    out = np.zeros((L, kmax + 1))
    for i in range(N):
        a = indptr[i]
        for j in range(a, indptr[i + 1]):
            if val[j] == 0:
                continue
            l = j - a if dense else idx[j]
            w = abs(np.float64(val[j]))
            wk = 1.0
            for k in range(kmax + 1):
                out[l, k] += wk
                wk *= w
    return out


@keyed_njit(_INLINED)
def energies(S, terms):
    """Energies of many chains from their tracked sums ``S`` (R, L, n_sums)."""
    R = S.shape[0]
    out = np.zeros(R)
    p = np.zeros(terms.P + 1)
    e = np.zeros(terms.P + 1)
    for r in range(R):
        out[r] = energy(S[r], terms, p, e)
    return out


@keyed_njit(_INLINED)
def row_square_sums(indptr, val):
    """``out[i] = sum_l w_il**2`` over the stored row of spin i, int64 (N,)."""
    N = indptr.shape[0] - 1
    out = np.zeros(N, dtype=np.int64)
    for i in range(N):
        acc = np.int64(0)
        for j in range(indptr[i], indptr[i + 1]):
            w = np.int64(val[j])
            acc += w * w
        out[i] = acc
    return out
