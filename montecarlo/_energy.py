"""Energy terms of a Hebbian cost as functions of tracked integer sums.

Every cost of ``docs/models.md`` §2 has the form

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
from typing import NamedTuple

import numpy as np
from numpy.polynomial import Polynomial

from montecarlo import _kernels

TABLE_LIMIT = 2**24  # largest table (entries) before the distinct form switches to power mode


class Storage(NamedTuple):
    """Weights stored per spin: row ``i`` is ``val[indptr[i]:indptr[i+1]]``.

    ``dense`` rows hold all ``n_terms`` weights in term order and ``idx`` is empty;
    sparse rows hold only non-zero weights with their term indices in ``idx``. A named
    tuple, so the kernels take it as one argument.
    """

    indptr: np.ndarray  # int64 (N + 1,)
    idx: np.ndarray  # int32 (nnz,) or empty when dense
    val: np.ndarray  # int8 / int16 / int32 (nnz,)
    dense: bool
    n_terms: int


class EnergyTerms(NamedTuple):
    """Arrays the kernels need to evaluate energies and energy changes (a named tuple, so
    the kernels take it as one argument)."""

    mode: int  # _kernels.MODE_TABLE or _kernels.MODE_POWER
    table: np.ndarray  # float64 (2 * off + 1,), symmetric; empty in power mode
    off: int
    h0: float
    pe: np.ndarray  # float64 (L, P // 2) even power sums; shape (L, 1) zeros in table mode
    c: float
    P: int
    n_sums: int  # tracked sums per term: 1 (table) or P // 2 (power)
    fast: int  # table mode route: _kernels.FAST_QUADRATIC / FAST_UNIT / FAST_PLAIN
    dpoly: np.ndarray  # float64 (P,): D(y) (FAST_UNIT), t_j (FAST_PLAIN); (1,) zeros otherwise
    rowsq: np.ndarray  # int64 (N,), sum_l w_il**2 (FAST_QUADRATIC); (1,) zeros otherwise
    q4: float  # 4 * a_2 (P = 2); 0 otherwise


def _weight_dtype(max_abs: int) -> np.dtype:
    for dtype in (np.int8, np.int16, np.int32):
        if max_abs <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)  # pragma: no cover - needs M > 2**31 examples


def per_spin_storage(W: np.ndarray, *, sparse: bool) -> Storage:
    """Lay out weights ``W`` (L, N) per spin, as dense ``(N, L)`` rows or sparse (CSR) rows.

    Dense rows are ``W.T`` itself when that is C-contiguous with the smallest integer type
    holding the weights; otherwise one transposed copy.
    """
    W = np.asarray(W)
    L, N = W.shape
    max_abs = max(abs(int(W.max(initial=0))), abs(int(W.min(initial=0))))
    dtype = _weight_dtype(max_abs)
    if not sparse:
        if W.dtype == dtype and W.T.flags.c_contiguous:
            WT = W.T  # already laid out per spin (e.g. montecarlo.archetypes): no copy
        else:
            WT = np.empty((N, L), dtype=dtype)
            WT[...] = W.T
        indptr = np.arange(N + 1, dtype=np.int64) * L
        return Storage(indptr, np.empty(0, np.int32), WT.reshape(-1), True, L)
    rows, cols = np.nonzero(W.T)  # grouped by spin, terms ascending within a spin
    counts = np.bincount(rows, minlength=N)
    indptr = np.zeros(N + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Storage(indptr, cols.astype(np.int32), W[cols, rows].astype(dtype), False, L)


def _e_P_pm1_poly(N: int, P: int) -> np.ndarray:
    """Coefficients (ascending powers of S) of e_P for a +-1 vector of length N with sum S.

    Newton's identities on polynomials in S: power sums p_k = S (k odd), N (k even).
    """
    S = Polynomial([0.0, 1.0])
    p = [None] + [S if k % 2 else Polynomial([float(N)]) for k in range(1, P + 1)]
    e = [Polynomial([1.0])]
    for n in range(1, P + 1):
        acc = Polynomial([0.0])
        for t in range(1, n + 1):
            acc = acc + (-1.0) ** (t - 1) * e[n - t] * p[t]
        e.append(acc / n)
    coef = np.zeros(P + 1)
    coef[: e[P].coef.size] = e[P].coef
    return coef


def _difference_poly(a: np.ndarray) -> np.ndarray:
    """Coefficients (ascending, degree P - 1) of ``D(y) = T(y - 2) - T(y)`` for the term
    polynomial ``T(S) = sum_k a_k S**k`` (even).

    For +-1 weights the flip of spin i changes term l by ``D(w_il sigma_i S_l)`` because T is
    even. Expanded in closed form, ``D`` has no cancellation between large values of T (for
    P = 4 and the plain form: ``a_4 (-8 y**3 + 24 y**2 - 32 y + 16)``).
    """
    T = Polynomial(a)
    D = T(Polynomial([-2.0, 1.0])) - T
    coef = np.zeros(len(a) - 1)
    coef[: min(D.coef.size, coef.size)] = D.coef[: coef.size]
    return coef


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
        Interaction order (odd P: +-1 weights without zeros or the plain form).
    kappa, scale : float
        Prefactor and overlap normalisation (1 and 1 for the hebbian cost).
    self_interaction : bool
        Plain overlap form if True, distinct-index form if False.
    """
    L = storage.n_terms
    sums = _kernels.abs_power_sums(
        storage.indptr, storage.idx, storage.val, storage.dense, L, P
    )  # (L, P + 1): sum_i |w|**k over non-zero weights
    off = int(sums[:, 1].max(initial=0.0))
    c = -kappa * math.factorial(P) / (2.0 * float(N) ** (P - 1) * float(scale) ** P)
    fits = 2 * off + 1 <= TABLE_LIMIT
    unit = bool(np.all(sums[:, 0] == sums[:, 2]))  # every non-zero weight is +-1
    full = bool(np.all(sums[:, 0] == N))  # no zero weights
    a = np.zeros(P + 1)  # T(S) = sum_k a_k S**k per term
    h0 = 0.0
    no_shortcut = dict(
        fast=_kernels.FAST_NONE, dpoly=np.zeros(1), rowsq=np.zeros(1, np.int64), q4=0.0
    )
    if self_interaction:
        a[P] = c / math.factorial(P)
    elif P == 2 and fits:
        a[2] = 0.5 * c
        h0 = -0.5 * c * float(sums[:, 2].sum())
    elif fits and unit and full:
        a = c * _e_P_pm1_poly(N, P)
    else:
        if P % 2:
            raise ValueError(
                f"odd P (here P={P}) with the distinct-index form needs +-1 weights without "
                "zeros (hebbian patterns, unsupervised examples); real-valued or diluted "
                "weights need self_interaction=True (the plain overlap form)."
            )
        pe = np.ascontiguousarray(sums[:, 2 : P + 1 : 2])  # even power sums p_2, .., p_P
        return EnergyTerms(
            _kernels.MODE_POWER, np.zeros(1), 0, 0.0, pe, c, P, P // 2, **no_shortcut
        )
    if P % 2:  # odd P: T(-S) = -T(S), evaluated on the whole range
        table = np.polynomial.polynomial.polyval(np.arange(-off, off + 1, dtype=np.float64), a)
    else:
        s = np.arange(off + 1, dtype=np.float64)
        half = np.polynomial.polynomial.polyval(s, a)
        table = np.concatenate([half[:0:-1], half])  # T(-S) = T(S) exactly (even P)
    terms = dict(
        mode=_kernels.MODE_TABLE,
        table=table,
        off=off,
        h0=h0,
        pe=np.zeros((L, 1)),
        c=c,
        P=P,
        n_sums=1,
    )
    if P == 2:
        rowsq = _kernels.row_square_sums(storage.indptr, storage.val)
        fast = dict(fast=_kernels.FAST_QUADRATIC, rowsq=rowsq, q4=4.0 * a[2])
    elif P % 2:  # odd P: every route is the binomial one (x = +-1 for unit weights)
        fast = dict(fast=_kernels.FAST_PLAIN, dpoly=_odd_difference(a, P))
    elif unit and (full or not storage.dense):
        fast = dict(fast=_kernels.FAST_UNIT, dpoly=_difference_poly(a))
    else:  # plain form, integer weights (class sums) or +-1/0 weights stored densely
        fast = dict(fast=_kernels.FAST_PLAIN, dpoly=_binomial_difference(a[P], P))
    return EnergyTerms(**terms, **(no_shortcut | fast))


def _binomial_difference(a_P: float, P: int) -> np.ndarray:
    """Coefficients ``t_j = a_P C(P, j) (-2)**(P - j)``, j = 0..P-1, of the plain-form flip
    change ``T(S - 2x) - T(S) = sum_j t_j x**(P - j) S**j`` for ``T(S) = a_P S**P`` and any
    weight ``x = w_il sigma_i`` (binomial expansion: no cancellation between large T)."""
    return np.array([a_P * math.comb(P, j) * (-2.0) ** (P - j) for j in range(P)])


def _odd_difference(a: np.ndarray, P: int) -> np.ndarray:
    """``FAST_PLAIN`` coefficients for odd P and a term polynomial ``T(S) = sum_k a_k S**k``
    with odd powers only (the plain form ``a_P S**P``, or ``e_P`` of a +-1 vector):
    ``t_j = sum_k a_k C(k, j) (-2)**(k - j)``, j = 0..P-1. Then
    ``T(S - 2x) - T(S) = sum_j t_j x**(P - j) S**j`` for ``x = w sigma_i`` when ``a_k = 0``
    for k < P (any integer x) or when ``x = +-1`` (``x**(k - j) = x**(P - j)``, k and P odd).
    For the plain form this is :func:`_binomial_difference`."""
    return np.array(
        [
            sum(a[k] * math.comb(k, j) * (-2.0) ** (k - j) for k in range(j + 1, P + 1))
            for j in range(P)
        ]
    )


def sums_dtype(storage: Storage, terms: EnergyTerms) -> np.dtype:
    """int32 for table-mode sums when every sum and the P = 2 dot product fit
    (``L * max|w| * max_l sum_i |w_il| < 2**31``, e.g. K N < 2**31 for +-1 patterns),
    else int64. Narrow sums halve the memory traffic and let the dot product vectorise."""
    if terms.mode != _kernels.MODE_TABLE:
        return np.dtype(np.int64)
    wmax = max(abs(int(storage.val.max(initial=0))), abs(int(storage.val.min(initial=0))))
    bound = storage.n_terms * max(wmax, 1) * max(terms.off, 1)
    return np.dtype(np.int32 if bound < 2**31 else np.int64)


def observable_dtype(storage: Storage, N: int) -> np.dtype:
    """int32 for observable-only sums ``O_l = sum_i w_il sigma_i`` when
    ``N * max|w| < 2**31`` (every +-1 or diluted pattern set), else int64."""
    wmax = max(abs(int(storage.val.max(initial=0))), abs(int(storage.val.min(initial=0))))
    return np.dtype(np.int32 if N * max(wmax, 1) < 2**31 else np.int64)


def tracked_sums(storage: Storage, sigma: np.ndarray, n_sums: int) -> np.ndarray:
    """Sums ``S[r, l, t] = sum_i w_il**(2t+1) sigma[r, i]`` (int64, shape (R, L, n_sums))."""
    sig = np.ascontiguousarray(sigma, dtype=np.int8)
    return _kernels.initial_sums(
        sig, storage.indptr, storage.idx, storage.val, storage.dense, storage.n_terms, n_sums
    )
