"""Energy changes of one spin flip, as closed forms in the tracked integer sums (the sweep
that uses them is ``montecarlo/_kernels.py``).

Conventions (see ``montecarlo/_energy.py`` for how the arrays are built)

- Energy terms ``l = 0..L-1`` with integer weight vectors ``w_l`` (patterns, class sums
  ``M * eta_hat`` or single examples). Tracked sums ``S[l, j] = sum_i w_il**(2j+1) sigma_i``;
  the table mode uses ``j = 0`` only.
- Weights are stored per spin: row ``i`` holds entries ``indptr[i]:indptr[i+1]`` of ``val``
  (and term indices ``idx`` unless ``dense``, where the row is all ``L`` terms in order).
- Table mode: ``H = h0 + sum_l T(S[l, 0])``, T tabulated for energies; the energy changes
  are the routes of :func:`table_delta`.
- Power mode: ``H = c * sum_l e_P(p_1..p_P)`` with odd power sums tracked in ``S`` and even
  ones constant in ``pe[l, j] = sum_i w_il**(2j+2)`` (distinct indices):
  :func:`power_delta`.
"""

from __future__ import annotations

import numba
import numpy as np
from numba.extending import overload

MODE_TABLE = 0
MODE_POWER = 1
FAST_NONE = 0  # power mode: no table-mode route
FAST_QUADRATIC = 1  # P = 2: dH = q4 * (sum_l w_il**2 - s_i sum_l w_il S_l), a dot product
FAST_UNIT = 2  # +-1 weights: dH = sum_l D(w_il s_i S_l), D(y) = T(y - 2) - T(y) a polynomial
FAST_PLAIN = 3  # plain form, any weights: dH = sum_l sum_j t_j x_l**(P-j) S_l**j, x = w_il s_i

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
    """``FAST_QUADRATIC`` route of :func:`table_delta` (``S1``: the sums as one row):
    ``q4 * float64(n)`` of the integer level ``n`` of :func:`quadratic_level`."""
    return q4 * np.float64(quadratic_level(a, b, s_i, S1, val, idx, rsq, dense))


@numba.njit(cache=True, inline="always")
def quadratic_level(a, b, s_i, S1, val, idx, rsq, dense):
    """The integer ``n = rsq - s_i sum_l w_l S_l`` (int64) with ``dH = q4 * n`` at P = 2."""
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
    return rsq - s_i * dot


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
