"""Value tests of the P = 2 acceptance table's checks (``montecarlo._levels``, issue 29,
mutation testing): the unit in the last place against ``math.ulp``, the verification of a
threshold integer against the decision rule written out in Python's ``math`` (a wrong
integer must fail it), the saturated ends of a row by the monotonicity of the rule, and a
ladder that holds infinite temperature (beta = 0: the heat bath accepts half the draws).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mc_reference import accepts as _accepts

import montecarlo
from montecarlo import _kernels, _levels

DYNAMICS = {"glauber": _kernels.GLAUBER, "metropolis": _kernels.METROPOLIS}


def test_ulp_equals_math_ulp():
    for y in (0.0, 1e-300, 0.7, 1.0, -1.0, 3.5, -36.7, 1e300):
        assert _levels._ulp(y) == math.ulp(y), y


@pytest.mark.parametrize("dynamics", sorted(DYNAMICS))
def test_verification_accepts_the_threshold_integer_only(dynamics):
    """``_verified``: true for the integer ``X`` that splits accept (x < X) from reject in
    the Python rule, false for X - 1 and X + 1 (one decision wrong at the window's centre)."""
    q4, beta = 0.05, 0.9
    for n in (-7, -1, 1, 4, 30):
        dh = q4 * n
        if dynamics == "glauber":
            p = 1.0 / (1.0 + math.exp(beta * dh))
        else:
            p = min(1.0, math.exp(-beta * dh))
        X = int(p * 2.0**53)
        while X < 2**53 and _accepts(dh, beta, dynamics, X):
            X += 1
        while X > 0 and not _accepts(dh, beta, dynamics, X - 1):
            X -= 1
        d = DYNAMICS[dynamics]
        assert _levels._verified(n, q4, beta, d, X, 4), n
        if X < 2**53:  # (X = 2**53: every x accepts, X + 1 is outside the range)
            assert not _levels._verified(n, q4, beta, d, X + 1, 4), n
            assert not _levels._verified(n, q4, beta, d, X - 1, 4), n


def test_saturated_ends_are_kept_only_where_every_level_beyond_agrees():
    """An end entry stands for every level beyond it: kept if it is 1 (only x = 0 accepts)
    on the uphill side or 2**53 (every x) on the downhill side, else -1; reversed for
    ``q4 < 0``."""
    full = 1 << 53
    for q4, low, high, kept in ((0.5, full, 1, True), (0.5, 1, full, False),
                                (-0.5, 1, full, True), (0.5, full, 7, None)):  # fmt: skip
        row = np.array([low, 3, 2**52, high], np.int64)
        _levels._saturated_ends(row, q4, 1.3, -2)
        if kept is None:
            assert row[0] == low and row[-1] == -1
        elif kept:
            assert row[0] == low and row[-1] == high
        else:
            assert row[0] == -1 and row[-1] == -1
        np.testing.assert_array_equal(row[1:-1], [3, 2**52])


@pytest.mark.parametrize("dynamics", sorted(DYNAMICS))
def test_infinite_temperature_row(dynamics):
    """beta = 0: the heat bath accepts x < 2**52 (u < 1/2), Metropolis every x, whatever the
    level; the ends stand for levels beyond only where saturated (Metropolis)."""
    net = montecarlo.DenseHebbianNetwork(2, patterns=montecarlo.archetypes(3, 40, seed=1))
    levels, lo = _levels.acceptance_levels(net._terms, net._storage, np.array([0.0, 0.7]),
                                           DYNAMICS[dynamics])  # fmt: skip
    row = levels[0]
    want = 2**52 if dynamics == "glauber" else 2**53
    assert (row[1:-1] == want).all() and row.size > 3
    assert lo[0] == lo[1]


def test_every_entry_splits_the_decisions_or_is_unverified():
    """``_fill``'s contract, for any dynamics code: an entry is -1 or the integer ``X`` with
    ``accept == (x < X)``. Zero temperature (rule: downhill always, flat iff u < 1/2, uphill
    never), whose flat level the logarithmic margins cannot verify: it must come out -1 or
    ``2**52``, never a wrong integer."""
    q4, beta, lo = 0.5, 1.0, -3
    out = np.empty(7, np.int64)
    _levels._fill(q4, beta, _kernels.ZERO_TEMPERATURE, lo, out)
    xs = [0, 1, 2**51, 2**52 - 1, 2**52, 2**52 + 1, 2**53 - 1]
    for k, X in enumerate(out):
        n = lo + k
        if X == -1:
            continue
        for x in xs:
            want = n < 0 or (n == 0 and x * 2.0**-53 < 0.5)
            assert (x < X) == want, (n, x, X)


def test_no_table_outside_its_route():
    """Rows ``[-1]`` (every decision by the logarithm) for zero temperature and for integer
    class sums (weights other than +-1)."""
    xi = montecarlo.archetypes(2, 40, seed=1)
    pm1 = montecarlo.DenseHebbianNetwork(2, patterns=xi)
    eta = montecarlo.examples(xi, M=3, r=0.5, seed=2)
    ints = montecarlo.DenseHebbianNetwork(2, protocol="supervised", patterns=xi, examples=eta,
                                          r=0.5)  # fmt: skip
    assert np.abs(ints._storage.val).max() > 1
    for net, dynamics in ((pm1, _kernels.ZERO_TEMPERATURE), (ints, _kernels.GLAUBER)):
        levels, lo = _levels.acceptance_levels(net._terms, net._storage, np.array([0.5, 2.0]),
                                               dynamics)  # fmt: skip
        assert levels.shape == (2, 1) and (levels == -1).all() and (lo == 0).all()
