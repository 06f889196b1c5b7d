"""Energy terms of a Hebbian cost as functions of tracked integer sums.

Every cost of ``theory/MODELS.md`` §2 has the form

    H = -kappa * (N / 2) * sum_l (S_l / (N * s))**P,        S_l = w_l . sigma,

with integer weight vectors ``w_l`` (archetypes, class sums ``M * eta_hat`` or single
examples), a scale ``s`` and a prefactor ``kappa``. That is the *plain* overlap form
(self-interaction kept). The default *distinct-index* form keeps only products over pairwise
distinct sites,

    H = c * sum_l e_P(w_l * sigma),        c = -kappa * P! / (2 * N**(P-1) * s**P),

with ``e_P`` the elementary symmetric polynomial, evaluated from power sums
``p_k = sum_i (w_il sigma_i)**k`` by Newton's identities. Even ``p_k`` do not depend on
sigma. For +-1 weights odd ``p_k = S_l``, so ``e_P`` is a polynomial in ``S_l`` and goes into
a table like the plain form; for ``P = 2``, ``e_2 = (S_l**2 - p_2) / 2`` for any weights. Other
cases (real-valued class means at ``P >= 4``, diluted patterns at ``P >= 4``) track the odd
power sums ``sum_i w_il**k sigma_i`` (k = 1, 3, .., P-1) and evaluate ``e_P`` directly
("power" mode).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from montecarlo import _kernels

TABLE_LIMIT = 2**24  # largest table (entries) before the distinct form switches to power mode


@dataclass(frozen=True)
class Storage:
    """Weights stored per spin: row ``i`` is ``val[indptr[i]:indptr[i+1]]``.

    ``dense`` rows hold all ``n_terms`` weights in term order and ``idx`` is empty;
    sparse rows hold only non-zero weights with their term indices in ``idx``.
    """

    indptr: np.ndarray  # int64 (N + 1,)
    idx: np.ndarray  # int32 (nnz,) or empty when dense
    val: np.ndarray  # int8 / int16 / int32 (nnz,)
    dense: bool
    n_terms: int


@dataclass(frozen=True)
class EnergyTerms:
    """Arrays the kernels need to evaluate energies and energy changes."""

    mode: int  # _kernels.MODE_TABLE or _kernels.MODE_POWER
    table: np.ndarray  # float64 (2 * off + 1,), symmetric; empty in power mode
    off: int
    h0: float
    pe: np.ndarray  # float64 (L, P // 2) even power sums; shape (L, 1) zeros in table mode
    c: float
    P: int
    n_sums: int  # tracked sums per term: 1 (table) or P // 2 (power)


def _weight_dtype(max_abs: int) -> np.dtype:
    for dtype in (np.int8, np.int16, np.int32):
        if max_abs <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)  # pragma: no cover - needs M > 2**31 examples


def per_spin_storage(W: np.ndarray, *, sparse: bool) -> Storage:
    """Lay out weights ``W`` (L, N) per spin, as dense ``(N, L)`` rows or sparse (CSR) rows.

    Makes one copy of ``W`` (transposed, smallest integer type that holds it).
    """
    W = np.asarray(W)
    L, N = W.shape
    max_abs = max(abs(int(W.max(initial=0))), abs(int(W.min(initial=0))))
    dtype = _weight_dtype(max_abs)
    if not sparse:
        WT = np.empty((N, L), dtype=dtype)
        WT[...] = W.T
        indptr = np.arange(N + 1, dtype=np.int64) * L
        return Storage(indptr, np.empty(0, np.int32), WT.reshape(-1), True, L)
    rows, cols = np.nonzero(W.T)  # grouped by spin, terms ascending within a spin
    counts = np.bincount(rows, minlength=N)
    indptr = np.zeros(N + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Storage(indptr, cols.astype(np.int32), W[cols, rows].astype(dtype), False, L)


def _symmetric_table(values_at_nonnegative: np.ndarray) -> np.ndarray:
    """Table over S = -off..off from its values at S = 0..off (even P: H(-S) = H(S) exactly)."""
    v = np.asarray(values_at_nonnegative, dtype=np.float64)
    return np.concatenate([v[:0:-1], v])


def _e_P_pm1(S: np.ndarray, N: int, P: int) -> np.ndarray:
    """e_P of a +-1 vector of length N with sum S (power sums: N even, S odd)."""
    p = [None] + [
        np.asarray(S, np.float64) if k % 2 else np.full(S.shape, float(N)) for k in range(1, P + 1)
    ]
    e = [np.ones(S.shape)]
    for n in range(1, P + 1):
        acc = np.zeros(S.shape)
        for t in range(1, n + 1):
            acc += (-1.0) ** (t - 1) * e[n - t] * p[t]
        e.append(acc / n)
    return e[P]


def energy_terms(
    storage: Storage, *, N: int, P: int, kappa: float, scale: float, self_interaction: bool
) -> EnergyTerms:
    """Energy of ``-kappa (N/2) sum_l (w_l.sigma / (N scale))**P`` (see the module docstring).

    Parameters
    ----------
    storage : Storage
        Integer weight vectors ``w_l``, one per energy term, laid out per spin.
    N : int
        Number of spins.
    P : int
        Even interaction order.
    kappa, scale : float
        Prefactor and overlap normalisation (1 and 1 for the hebbian cost).
    self_interaction : bool
        Plain overlap form if True, distinct-index form if False.
    """
    L = storage.n_terms
    sums = _kernels.abs_power_sums(
        storage.indptr, storage.idx, storage.val, storage.dense, L, P
    )  # (L, P + 1): sum_i |w|**k
    off = int(sums[:, 1].max(initial=0.0))
    c = -kappa * math.factorial(P) / (2.0 * float(N) ** (P - 1) * float(scale) ** P)
    s = np.arange(off + 1, dtype=np.float64)
    no_pe = np.zeros((L, 1))
    if self_interaction:
        table = _symmetric_table(c / math.factorial(P) * s**P)
        return EnergyTerms(_kernels.MODE_TABLE, table, off, 0.0, no_pe, c, P, 1)
    fits = 2 * off + 1 <= TABLE_LIMIT
    if P == 2 and fits:
        h0 = -0.5 * c * float(sums[:, 2].sum())
        table = _symmetric_table(0.5 * c * s**2)
        return EnergyTerms(_kernels.MODE_TABLE, table, off, h0, no_pe, c, P, 1)
    plus_minus_one = bool(np.all(sums[:, 0] == N) and np.all(sums[:, 2] == N))
    if fits and plus_minus_one:
        table = _symmetric_table(c * _e_P_pm1(s, N, P))
        return EnergyTerms(_kernels.MODE_TABLE, table, off, 0.0, no_pe, c, P, 1)
    pe = np.ascontiguousarray(sums[:, 2 : P + 1 : 2])  # even power sums p_2, p_4, .., p_P
    return EnergyTerms(_kernels.MODE_POWER, np.zeros(1), 0, 0.0, pe, c, P, P // 2)


def tracked_sums(storage: Storage, sigma: np.ndarray, n_sums: int) -> np.ndarray:
    """Sums ``S[r, l, t] = sum_i w_il**(2t+1) sigma[r, i]`` (int64, shape (R, L, n_sums))."""
    sig = np.ascontiguousarray(sigma, dtype=np.int8)
    return _kernels.initial_sums(
        sig, storage.indptr, storage.idx, storage.val, storage.dense, storage.n_terms, n_sums
    )
