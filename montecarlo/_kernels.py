"""Bare Numba kernels: single-flip energy changes on tracked integer sums, the acceptance
rules, one sweep of one chain, energies and set-up sums (the driver over all chains is
``montecarlo/_chains.py``).

Conventions (see ``montecarlo/_energy.py`` for how the arrays are built)

- Energy terms ``l = 0..L-1`` with integer weight vectors ``w_l`` (patterns, class sums
  ``M * eta_hat`` or single examples). Tracked sums ``S[l, j] = sum_i w_il**(2j+1) sigma_i``;
  the table mode uses ``j = 0`` only.
- Weights are stored per spin: row ``i`` holds entries ``indptr[i]:indptr[i+1]`` of ``val``
  (and term indices ``idx`` unless ``dense``, where the row is all ``L`` terms in order).
- Table mode: ``H = h0 + sum_l table[S[l, 0] + off]``.
- Power mode: ``H = c * sum_l e_P(p_1..p_P)`` with odd power sums tracked in ``S`` and even
  ones constant in ``pe[l, j] = sum_i w_il**(2j+2)`` (distinct indices, Newton's identities).
"""

from __future__ import annotations

import numba
import numpy as np
from numba.extending import overload

from montecarlo._rng import uniform

GLAUBER = 0
METROPOLIS = 1
ZERO_TEMPERATURE = 2
MODE_TABLE = 0
MODE_POWER = 1
FAST_NONE = 0  # power mode: no table-mode route
FAST_QUADRATIC = 1  # P = 2: dH = q4 * (sum_l w_il**2 - s_i sum_l w_il S_l), a dot product
FAST_UNIT = 2  # +-1 weights: dH = sum_l D(w_il s_i S_l), D(y) = T(y - 2) - T(y) a polynomial
FAST_PLAIN = 3  # plain form, any weights: dH = sum_l sum_j t_j x_l**(P-j) S_l**j, x = w_il s_i
ORDER_RANDOM = 0
ORDER_SEQUENTIAL = 1


FAST_MATH = {"reassoc", "contract"}  # lets the float sums over terms vectorise (and use FMA)


def flat(S):  # pragma: no cover - replaced by the overload inside Numba
    """Table-mode sums as a 1-d view: ``S`` itself if 1-d, else ``S.reshape(S.size)``."""
    return S.reshape(S.size)


@overload(flat, inline="always")
def _flat_overload(S):
    if S.ndim == 1:
        return lambda S: S
    return lambda S: S.reshape(S.size)


@numba.njit(cache=True)
def elementary_from_power(p, k, e):
    """``e_k`` from power sums ``p[1..k]`` by Newton's identities; ``e`` is scratch (k+1,)."""
    e[0] = 1.0
    for n in range(1, k + 1):
        acc = 0.0
        sign = 1.0
        for t in range(1, n + 1):
            acc += sign * e[n - t] * p[t]
            sign = -sign
        e[n] = acc / n
    return e[k]


@numba.njit(cache=True, _nrt=False)
def power_delta(i, s_i, S, pe, c, P, indptr, idx, val, dense, p, e):
    """Energy change of flipping spin ``i`` (value ``s_i``) in power mode: for each term,
    ``dH_l = -2 c x_i e_{P-1}(power sums without spin i)``, ``x_i = w_il s_i``.

    ``p``, ``e`` are scratch arrays of length P + 1. The sweep's only route in power mode.
    For P = 4 and 6, ``e_{P-1}`` is the closed-form polynomial in the power sums
    (:func:`power_delta_4`, :func:`power_delta_6`); Newton's identities otherwise.
    """
    a = indptr[i]
    b = indptr[i + 1]
    if P == 4:
        return power_delta_4(a, b, s_i, S, pe, c, idx, val, dense)
    if P == 6:
        return power_delta_6(a, b, s_i, S, pe, c, idx, val, dense)
    dh = 0.0
    J = P // 2
    for j in range(a, b):
        l = j - a if dense else idx[j]
        x = np.float64(val[j]) * s_i
        xk = 1.0
        for t in range(J):
            xk *= x
            p[2 * t + 1] = S[l, t] - xk  # odd power sum without i (S holds w**k sigma sums)
            xk *= x
            p[2 * t + 2] = pe[l, t] - xk
        dh -= 2.0 * c * x * elementary_from_power(p, P - 1, e)
    return dh


@numba.njit(cache=True, inline="always", fastmath=FAST_MATH)
def power_delta_4(a, b, s_i, S, pe, c, idx, val, dense):
    """:func:`power_delta` for P = 4: ``e_3 = (p_1**3 - 3 p_1 p_2 + 2 p_3) / 6`` of the power
    sums without spin i, per term; no scratch arrays, no inner loops."""
    acc = 0.0
    for j in range(a, b):
        l = j - a if dense else idx[j]
        x = np.float64(val[j]) * s_i
        x2 = x * x
        p1 = S[l, 0] - x
        p2 = pe[l, 0] - x2
        p3 = S[l, 1] - x2 * x
        acc += x * (p1 * (p1 * p1 - 3.0 * p2) + 2.0 * p3)
    return -2.0 * c * acc / 6.0


@numba.njit(cache=True, inline="always", fastmath=FAST_MATH)
def power_delta_6(a, b, s_i, S, pe, c, idx, val, dense):
    """:func:`power_delta` for P = 6: ``120 e_5 = p_1**5 - 10 p_1**3 p_2 + 15 p_1 p_2**2 +
    20 p_1**2 p_3 - 20 p_2 p_3 - 30 p_1 p_4 + 24 p_5`` of the power sums without spin i."""
    acc = 0.0
    for j in range(a, b):
        l = j - a if dense else idx[j]
        x = np.float64(val[j]) * s_i
        x2 = x * x
        p1 = S[l, 0] - x
        p2 = pe[l, 0] - x2
        p3 = S[l, 1] - x2 * x
        p4 = pe[l, 1] - x2 * x2
        p5 = S[l, 2] - x2 * x2 * x
        q = p1 * p1
        e5 = (p1 * (q * (q - 10.0 * p2) + 15.0 * p2 * p2 - 30.0 * p4)
              + 20.0 * p3 * (q - p2) + 24.0 * p5)  # fmt: skip
        acc += x * e5
    return -2.0 * c * acc / 120.0


@numba.njit(cache=True, inline="always")
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


@numba.njit(cache=True, inline="always")
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


@numba.njit(cache=True)
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


@numba.njit(cache=True, inline="always")
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


@numba.njit(cache=True, inline="always")
def accept(dh, beta, dynamics, u):
    """Acceptance decision for an energy change ``dh`` with uniform ``u`` in [0, 1):
    ``beta * dh < threshold(dynamics, u)`` (see :func:`threshold`); at zero temperature
    downhill moves always, flat moves with probability 1/2 (Glauber's limit)."""
    if dynamics == ZERO_TEMPERATURE:
        return dh < 0.0 or (dh == 0.0 and u < 0.5)
    return beta * dh < threshold(dynamics, u)


@numba.njit(cache=True)
def acceptance_probability(dh, beta, dynamics):
    """Probability that :func:`accept` accepts ``dh`` (for transition-matrix checks)."""
    if dynamics == GLAUBER:
        return 1.0 / (1.0 + np.exp(beta * dh))
    if dynamics == METROPOLIS:
        return 1.0 if dh <= 0.0 else np.exp(-beta * dh)
    if dh < 0.0:
        return 1.0
    return 0.5 if dh == 0.0 else 0.0


@numba.njit(cache=True, inline="always", fastmath=FAST_MATH)
def table_delta(a, b, s_i, S, val, idx, tab, fast, q4, rsq, dense):
    """Energy change of flipping a spin with value ``s_i`` whose stored weights are
    ``val[a:b]`` (term ``j - a`` if ``dense``, else ``idx[j]``), table mode.

    ``S`` holds the tracked sums, shape (L, 1) or (L,), int32 or int64. Routes:

    - ``FAST_QUADRATIC`` (P = 2): ``dH = q4 * (rsq - s_i sum_l w_l S_l)`` with
      ``rsq = sum_l w_l**2``: an integer dot product, accumulated in the type of ``S``
      (int32 sums are chosen only when ``L * max|w| * max|S| < 2**31``, so it is exact).
    - ``FAST_UNIT`` (+-1 weights, any even P): ``dH = sum_l D(w_l s_i S_l)`` with the
      closed-form polynomial ``D(y) = T(y - 2) - T(y)`` of degree P - 1, coefficients
      (ascending) in ``tab``; Horner's rule, written out for P = 4 and 6 so that it
      vectorises.
    - ``FAST_PLAIN`` (plain form ``T(S) = a_P S**P``, any integer weights, P >= 4):
      ``dH = sum_l x_l sum_j t_j x_l**(P-1-j) S_l**j`` with ``x_l = w_l s_i``, the binomial
      expansion of ``T(S_l - 2 x_l) - T(S_l)``, coefficients ``t_j`` in ``tab``.

    No route looks up the energy table: each is a closed-form polynomial in the sums, free of
    the cancellation between two large table values, and it vectorises where a gather per
    term would not.

    Dense loops run over contiguous rows with no index per weight; sparse rows gather
    ``S[idx[j]]`` (cost proportional to the non-zero weights). Row entries are read as
    ``val[u(a + l)]`` with an unsigned index (no negative-index wraparound check, so the loops
    vectorise) rather than through a view ``val[a:b]`` made per attempt. The attempt loop
    calls the route functions below directly (one per compiled copy of the loop).
    """
    S1 = flat(S)  # n_sums = 1 in table mode
    if fast == FAST_QUADRATIC:
        return quadratic_delta(a, b, s_i, S1, val, idx, q4, rsq, dense)
    if fast == FAST_UNIT:
        return unit_delta(a, b, s_i, S1, val, idx, tab, dense)
    return plain_delta(a, b, s_i, S1, val, idx, tab, dense)


@numba.njit(cache=True, inline="always")
def quadratic_delta(a, b, s_i, S1, val, idx, q4, rsq, dense):
    """``FAST_QUADRATIC`` route of :func:`table_delta` (``S1``: the sums as one row)."""
    n = b - a
    if S1.itemsize == 4:  # int32 sums: int32 products and sum (exact, see table_delta)
        dot32 = np.int32(0)
        if dense:
            for l in range(n):
                dot32 += np.int32(np.int32(val[np.uint64(a + l)]) * S1[l])
        else:
            for l in range(n):
                j = np.uint64(a + l)
                dot32 += np.int32(np.int32(val[j]) * S1[np.uint32(idx[j])])
        dot = np.int64(dot32)
    else:
        dot = np.int64(0)
        if dense:
            for l in range(n):
                dot += np.int64(val[np.uint64(a + l)]) * S1[l]
        else:
            for l in range(n):
                j = np.uint64(a + l)
                dot += np.int64(val[j]) * S1[np.uint32(idx[j])]
    return q4 * np.float64(rsq - s_i * dot)


@numba.njit(cache=True, inline="always")
def unit_delta(a, b, s_i, S1, val, idx, tab, dense):
    """``FAST_UNIT`` route of :func:`table_delta`: ``sum_l D(w_l s_i S_l)``, ``tab`` = D."""
    n = b - a
    dh = 0.0
    s32 = np.int32(s_i)
    deg = tab.shape[0] - 1
    if dense and deg == 3:
        d0, d1, d2, d3 = tab[0], tab[1], tab[2], tab[3]
        for l in range(n):
            y = np.float64(np.int32(np.int32(val[np.uint64(a + l)]) * s32 * S1[l]))
            dh += d0 + y * (d1 + y * (d2 + y * d3))
        return dh
    if dense and deg == 5:
        d0, d1, d2, d3, d4, d5 = tab[0], tab[1], tab[2], tab[3], tab[4], tab[5]
        for l in range(n):
            y = np.float64(np.int32(np.int32(val[np.uint64(a + l)]) * s32 * S1[l]))
            dh += d0 + y * (d1 + y * (d2 + y * (d3 + y * (d4 + y * d5))))
        return dh
    for l in range(n):
        j = np.uint64(a + l)
        Sl = S1[l] if dense else S1[np.uint32(idx[j])]
        y = np.float64(np.int64(val[j]) * s_i * Sl)
        acc = tab[deg]
        for k in range(deg - 1, -1, -1):
            acc = acc * y + tab[k]
        dh += acc
    return dh


@numba.njit(cache=True, inline="always")
def plain_delta(a, b, s_i, S1, val, idx, tab, dense):
    """``FAST_PLAIN`` route of :func:`table_delta`: the plain form ``T(S) = a_P S**P`` with
    any integer weights, ``sum_l x (sum_j t_j x**(P-1-j) S_l**j)`` with ``x = w_l s_i`` and
    ``tab`` = t (see ``montecarlo._energy``), Horner's rule in x; written out for P = 4, 6."""
    n = b - a
    P = tab.shape[0]
    dh = 0.0
    if dense and P == 4:
        t0, t1, t2, t3 = tab[0], tab[1], tab[2], tab[3]
        for l in range(n):
            x = np.float64(np.int32(val[np.uint64(a + l)]) * np.int32(s_i))
            y = np.float64(S1[l])
            y2 = y * y
            dh += x * (t3 * y2 * y + x * (t2 * y2 + x * (t1 * y + x * t0)))
        return dh
    if dense and P == 6:
        t0, t1, t2, t3, t4, t5 = tab[0], tab[1], tab[2], tab[3], tab[4], tab[5]
        for l in range(n):
            x = np.float64(np.int32(val[np.uint64(a + l)]) * np.int32(s_i))
            y = np.float64(S1[l])
            y2 = y * y
            y4 = y2 * y2
            inner = t3 * y2 * y + x * (t2 * y2 + x * (t1 * y + x * t0))
            dh += x * (t5 * y4 * y + x * (t4 * y4 + x * inner))
        return dh
    for l in range(n):
        j = np.uint64(a + l)
        x = np.float64(np.int64(val[j]) * s_i)
        y = np.float64(S1[l] if dense else S1[np.uint32(idx[j])])
        acc = tab[0]
        yk = 1.0
        for k in range(1, P):
            yk *= y
            acc = acc * x + tab[k] * yk
        dh += x * acc
    return dh


@numba.njit(cache=True, inline="always")
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


@numba.njit(cache=True, _nrt=False, fastmath=FAST_MATH)
def _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, table_mode,
              fast, dense, tab, p, e):  # fmt: skip
    """The N flip attempts of :func:`sweep`. Called there once per route with ``table_mode``,
    ``fast`` and ``dense`` as constants: Numba compiles one copy per route (the constants are
    literal types) and prunes the other routes' branches before it inlines the route's energy
    change (:func:`quadratic_delta`, :func:`unit_delta`, :func:`plain_delta`), which keeps
    the compile short. ``tab`` is ``terms.dpoly`` (``FAST_UNIT``) or ``terms.table``, chosen
    once per sweep. No reference counting (``_nrt=False``, see :func:`sweep`)."""
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
            dh = quadratic_delta(a, b, s_i, S1, val, idx, q4, rowsq[i], dense)
        elif table_mode and fast == FAST_UNIT:
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


@numba.njit(cache=True, fastmath=FAST_MATH, _nrt=False)
def sweep(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, p, e):
    """One sweep (N flip attempts) of one chain.

    ``terms`` is the ``EnergyTerms`` of the energy, ``weights`` the ``Storage`` of its
    weights and ``obs`` the ``Storage`` of the observable-only sums ``O`` (Lo, 1). ``S`` holds
    the tracked sums (L, n_sums) and ``S1`` is the same memory as one row (table mode reads
    and updates ``S1``); ``p``, ``e`` are scratch arrays of length P + 1. Per attempt: one
    random site (or the next one), the energy change (:func:`table_delta` or
    :func:`power_delta`), one uniform and its acceptance threshold (:func:`threshold`); the
    only work that does not scale with the number of terms. The routes that matter for speed
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
                      FAST_QUADRATIC, True, terms.table, p, e)  # fmt: skip
        elif dense and fast == FAST_UNIT:
            _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, True,
                      FAST_UNIT, True, terms.dpoly, p, e)  # fmt: skip
        elif not dense and fast == FAST_QUADRATIC:
            _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, True,
                      FAST_QUADRATIC, False, terms.table, p, e)  # fmt: skip
        else:
            tab = terms.table if fast == FAST_QUADRATIC else terms.dpoly
            _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, True,
                      fast, dense, tab, p, e)  # fmt: skip
    else:
        _attempts(sigma, S, S1, O, rng, beta, dynamics, order, terms, weights, obs, False,
                  fast, dense, terms.table, p, e)  # fmt: skip


@numba.njit(cache=True, parallel=True)
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


@numba.njit(cache=True)
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


@numba.njit(cache=True)
def energies(S, terms):
    """Energies of many chains from their tracked sums ``S`` (R, L, n_sums)."""
    R = S.shape[0]
    out = np.zeros(R)
    p = np.zeros(terms.P + 1)
    e = np.zeros(terms.P + 1)
    for r in range(R):
        out[r] = energy(S[r], terms, p, e)
    return out


@numba.njit(cache=True)
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
