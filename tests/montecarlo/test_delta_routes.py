"""Every energy-change route of a flip, and the sum updates, against direct energy
differences (issue 29).

Reference: the total energy straight from the cost function of docs/models.md §2 for integer
weights ``w_l``, ``H = c sum_l e_P(w_l * sigma)`` (distinct indices, e_P by the product
expansion of ``mc_reference``) or ``H = -(N/2) sum_l (w_l . sigma / N)**P`` (plain form),
evaluated before and after the flip; and the tracked sums recomputed from scratch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mc_reference import elementary

from montecarlo import _energy, _kernels

N = 10


def _weights(kind: str, L: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "pm1":
        return rng.choice([-1, 1], size=(L, N)).astype(np.int8)
    if kind == "diluted":
        return rng.choice([-1, 0, 0, 1], size=(L, N)).astype(np.int8)
    return rng.integers(-3, 4, size=(L, N)).astype(np.int8)  # class sums M eta_hat


def _reference_energy(W, sigma, P, plain):
    x = W.astype(float) * sigma.astype(float)
    if plain:
        return -N / 2 * float(((x.sum(-1) / N) ** P).sum())
    c = -math.factorial(P) / (2.0 * N ** (P - 1))
    return c * float(elementary(x, P).sum())


CASES = [  # (P, weights, plain, sparse, expected route)
    (2, "pm1", False, False, _kernels.FAST_QUADRATIC),
    (2, "ints", False, True, _kernels.FAST_QUADRATIC),
    (4, "pm1", False, False, _kernels.FAST_UNIT),  # written out, degree 3
    (6, "pm1", False, False, _kernels.FAST_UNIT),  # written out, degree 5
    (8, "pm1", False, False, _kernels.FAST_UNIT),  # Horner loop
    (4, "pm1", False, True, _kernels.FAST_UNIT),  # sparse rows: Horner loop
    (4, "pm1", True, False, _kernels.FAST_UNIT),  # plain form of +-1 weights
    (4, "ints", True, False, _kernels.FAST_PLAIN),  # written out, P = 4
    (6, "ints", True, False, _kernels.FAST_PLAIN),  # written out, P = 6
    (4, "ints", True, True, _kernels.FAST_PLAIN),  # generic loop (sparse rows)
    (8, "diluted", True, False, _kernels.FAST_PLAIN),  # generic loop (P = 8)
    (4, "diluted", False, True, _kernels.FAST_NONE),  # power mode, closed form P = 4
    (6, "ints", False, False, _kernels.FAST_NONE),  # power mode, closed form P = 6
    (8, "ints", False, False, _kernels.FAST_NONE),  # power mode, Newton's identities
]


def _setup(P, kind, plain, sparse, seed=0):
    W = _weights(kind, 3, seed)
    st = _energy.per_spin_storage(W, sparse=sparse)
    t = _energy.energy_terms(st, N=N, P=P, kappa=1.0, scale=1.0, self_interaction=plain)
    states = np.random.default_rng(seed + 1).choice([-1, 1], size=(3, N)).astype(np.int8)
    return W, st, t, states


@pytest.mark.parametrize("P, kind, plain, sparse, route", CASES)
def test_energy_change_equals_energy_difference(P, kind, plain, sparse, route):
    W, st, t, states = _setup(P, kind, plain, sparse)
    assert t.fast == route and (t.mode == _kernels.MODE_POWER) == (route == _kernels.FAST_NONE)
    S_all = _energy.tracked_sums(st, states, t.n_sums)
    p, e = np.zeros(P + 1), np.zeros(P + 1)
    dtypes = [np.int64, np.int32] if t.mode == _kernels.MODE_TABLE else [np.int64]
    changes = []
    for k, sigma in enumerate(states):
        H = _reference_energy(W, sigma, P, plain)
        scale = max(abs(H), 1.0)
        for i in range(N):
            flipped = sigma.copy()
            flipped[i] = -flipped[i]
            expected = _reference_energy(W, flipped, P, plain) - H
            changes.append(expected)
            s_i = int(sigma[i])
            a, b = st.indptr[i], st.indptr[i + 1]
            for dtype in dtypes:  # int32 and int64 sums take different loops
                S = np.ascontiguousarray(S_all[k].astype(dtype))
                if t.mode == _kernels.MODE_TABLE:
                    tab = t.table if t.fast == _kernels.FAST_QUADRATIC else t.dpoly
                    rsq = t.rowsq[i] if t.fast == _kernels.FAST_QUADRATIC else 0
                    dh = _kernels.table_delta(
                        a, b, s_i, S, st.val, st.idx, tab, t.fast, t.q4, rsq, st.dense
                    )
                else:
                    dh = _kernels.power_delta(
                        i, s_i, S, t.pe, t.c, P, st.indptr, st.idx, st.val, st.dense, p, e
                    )
                assert dh == pytest.approx(expected, rel=1e-9, abs=1e-11 * scale), (k, i, dtype)
    assert np.count_nonzero(changes) > len(changes) // 2  # not a case where H vanishes


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_table_flip_updates_sums_exactly(sparse, dtype):
    """``table_flip`` in both sum types (the int64 fallback is taken when int32 could
    overflow): the sums after a flip equal the sums recomputed from the flipped state."""
    W = _weights("ints", 4, seed=3)
    st = _energy.per_spin_storage(W, sparse=sparse)
    sigma = np.random.default_rng(4).choice([-1, 1], size=N).astype(np.int8)
    S = _energy.tracked_sums(st, sigma[None], 1)[0].astype(dtype)
    for i in (0, 3, 7, 3):
        a, b = st.indptr[i], st.indptr[i + 1]
        _kernels.table_flip(a, b, int(sigma[i]), S, st.val, st.idx, st.dense)
        sigma[i] = -sigma[i]
        np.testing.assert_array_equal(S, _energy.tracked_sums(st, sigma[None], 1)[0])
        assert S.dtype == dtype


def test_apply_flip_updates_power_sums_exactly():
    W = _weights("ints", 3, seed=5)
    st = _energy.per_spin_storage(W, sparse=True)
    sigma = np.random.default_rng(6).choice([-1, 1], size=N).astype(np.int8)
    P = 6
    S = _energy.tracked_sums(st, sigma[None], P // 2)[0]
    for i in (1, 4, 9):
        _kernels.apply_flip(i, int(sigma[i]), S, _kernels.MODE_POWER, P, st.indptr, st.idx,
                            st.val, st.dense)  # fmt: skip
        sigma[i] = -sigma[i]
        np.testing.assert_array_equal(S, _energy.tracked_sums(st, sigma[None], P // 2)[0])


@pytest.mark.parametrize("sparse", [False, True])
def test_unit_route_evaluates_any_polynomial_d(sparse):
    """``FAST_UNIT`` is ``sum_l D(w_l s_i S_l)`` for the coefficients ``D`` it is given, of any
    degree (written out for 3 and 5 on dense rows, Horner's loop otherwise), against
    ``numpy.polynomial.polynomial.polyval``. ``D`` is a view into a longer array of non-zero
    numbers, so a route that read past its last coefficient would be seen."""
    from numpy.polynomial.polynomial import polyval

    W = _weights("pm1", 3, seed=8)
    st = _energy.per_spin_storage(W, sparse=sparse)
    sigma = np.random.default_rng(11).choice([-1, 1], size=N).astype(np.int8)
    S_all = _energy.tracked_sums(st, sigma[None], 1)[0]
    assert np.all(S_all != 0)  # y != 0: every coefficient counts
    coefs = np.random.default_rng(10).uniform(0.5, 1.5, size=16)
    for deg in range(1, 8):
        tab = coefs[: deg + 1]
        for i in range(N):
            s_i = int(sigma[i])
            nz = np.flatnonzero(W[:, i])
            y = W[nz, i].astype(np.int64) * s_i * S_all[nz, 0]
            expected = float(np.sum(polyval(y, tab)))
            a, b = st.indptr[i], st.indptr[i + 1]
            for dtype in (np.int64, np.int32):
                S = np.ascontiguousarray(S_all.astype(dtype))
                dh = _kernels.table_delta(a, b, s_i, S, st.val, st.idx, tab, _kernels.FAST_UNIT,
                                          0.0, 0, st.dense)  # fmt: skip
                assert dh == pytest.approx(expected, rel=1e-12, abs=1e-12), (deg, i, dtype)
