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

from montecarlo._rng import uniform

GLAUBER = 0
METROPOLIS = 1
ZERO_TEMPERATURE = 2
MODE_TABLE = 0
MODE_POWER = 1
FAST_NONE = 0  # table mode: two table lookups per term
FAST_QUADRATIC = 1  # P = 2: dH = q4 * (sum_l w_il**2 - s_i sum_l w_il S_l), a dot product
FAST_UNIT = 2  # +-1 weights: dH = sum_l D[w_il s_i S_l], D(y) = T(y - 2) - T(y) tabulated
ORDER_RANDOM = 0
ORDER_SEQUENTIAL = 1


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
    """
    a = indptr[i]
    b = indptr[i + 1]
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


@numba.njit(cache=True)
def accept(dh, beta, dynamics, u):
    """Acceptance decision for an energy change ``dh`` with uniform ``u`` in [0, 1)."""
    if dynamics == GLAUBER:
        return u * (1.0 + np.exp(beta * dh)) < 1.0
    if dynamics == METROPOLIS:
        return dh <= 0.0 or u < np.exp(-beta * dh)
    # zero temperature: downhill always, flat moves with probability 1/2 (Glauber's limit)
    return dh < 0.0 or (dh == 0.0 and u < 0.5)


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


@numba.njit(cache=True, _nrt=False)
def table_delta(a, b, s_i, S, val, idx, tab, fast, q4, rsq, off, dense):
    """Energy change of flipping a spin with value ``s_i`` whose stored weights are
    ``val[a:b]`` (term ``j - a`` if ``dense``, else ``idx[j]``), table mode.

    ``tab`` is the energy table T (two lookups per term), or for ``FAST_UNIT`` the
    difference table D (one lookup); ``FAST_QUADRATIC`` (P = 2) needs no table:
    ``dH = q4 * (rsq - s_i sum_l w_l S_l)`` with ``rsq = sum_l w_l**2``. This is the only
    route of the sweep in table mode. Compiled without reference counting (``_nrt=False``,
    it allocates nothing): otherwise every call would pay atomic increments on its arrays.
    """
    # Dense and sparse loops are written out twice on purpose: one branch per call, none per weight.
    dh = 0.0
    if fast == FAST_QUADRATIC:
        dot = np.int64(0)
        if dense:
            for j in range(a, b):
                dot += np.int64(val[j]) * S[j - a, 0]
        else:
            for j in range(a, b):
                dot += np.int64(val[j]) * S[idx[j], 0]
        return q4 * np.float64(rsq - s_i * dot)
    if fast == FAST_UNIT:
        if dense:
            for j in range(a, b):
                dh += tab[np.int64(val[j]) * s_i * S[j - a, 0] + off]
        else:
            for j in range(a, b):
                dh += tab[np.int64(val[j]) * s_i * S[idx[j], 0] + off]
        return dh
    if dense:
        for j in range(a, b):
            Sl = S[j - a, 0] + off
            dh += tab[Sl - 2 * np.int64(val[j]) * s_i] - tab[Sl]
    else:
        for j in range(a, b):
            Sl = S[idx[j], 0] + off
            dh += tab[Sl - 2 * np.int64(val[j]) * s_i] - tab[Sl]
    return dh


@numba.njit(cache=True)
def sweep(sigma, S, O, rng, beta, dynamics, order, terms, weights, obs):
    """One sweep (N flip attempts) of one chain.

    ``terms`` is the ``EnergyTerms`` of the energy, ``weights`` the ``Storage`` of its
    weights and ``obs`` the ``Storage`` of the observable-only sums ``O`` (Lo, 1). The
    table-mode energy change and update are written out here rather than called:
    a call per flip attempt costs more than a short row of weights (array reference counts).
    """
    mode, table, off, pe, c, P = terms.mode, terms.table, terms.off, terms.pe, terms.c, terms.P
    fast, dpoly, rowsq, q4 = terms.fast, terms.dpoly, terms.rowsq, terms.q4
    indptr, idx, val, dense = weights.indptr, weights.idx, weights.val, weights.dense
    o_indptr, o_idx, o_val, o_dense = obs.indptr, obs.idx, obs.val, obs.dense
    N = sigma.shape[0]
    L = S.shape[0]
    p = np.zeros(P + 1)
    e = np.zeros(P + 1)
    track_obs = O.shape[0] > 0
    table_mode = mode == MODE_TABLE
    tab = dpoly if fast == FAST_UNIT else table
    for step in range(N):
        if order == ORDER_RANDOM:
            i = np.int64(uniform(rng) * N)
            if i >= N:  # pragma: no cover - guards a rounding edge
                i = N - 1
        else:
            i = step
        s_i = np.int64(sigma[i])
        if table_mode:
            if dense:
                a = i * L
                b = a + L
            else:
                a = indptr[i]
                b = indptr[i + 1]
            rsq = rowsq[i] if fast == FAST_QUADRATIC else 0
            dh = table_delta(a, b, s_i, S, val, idx, tab, fast, q4, rsq, off, dense)
        else:
            dh = power_delta(i, s_i, S, pe, c, P, indptr, idx, val, dense, p, e)
        ok = accept(dh, beta, dynamics, uniform(rng))
        if not ok:
            continue
        if table_mode:
            two_s = 2 * s_i
            if dense:
                a = i * L
                for l in range(L):
                    S[l, 0] -= two_s * np.int64(val[a + l])
            else:
                for j in range(indptr[i], indptr[i + 1]):
                    S[idx[j], 0] -= two_s * np.int64(val[j])
        else:
            apply_flip(i, s_i, S, mode, P, indptr, idx, val, dense)
        if track_obs:
            apply_flip(i, s_i, O, MODE_TABLE, P, o_indptr, o_idx, o_val, o_dense)
        sigma[i] = -sigma[i]


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
