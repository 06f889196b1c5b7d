"""The verdict rule of ``hopfield_sim.compare`` on constructed cases, on both sides of each
threshold (issue 29). Verdicts are read as their CF flag codes (``flag_values``:
1 agrees, 2 finite-size effect, 3 disagrees), not as wording.

Thresholds (module constants, used by value so that a change of a constant is a change of
the rule the tests pin): ``|z| <= THRESHOLD`` agrees; theory ``m = 0`` with ``|z| > ZERO_Z``
and ``|m_mc| <= BAND / sqrt(N) + THRESHOLD err`` is finite size; a neighbour within relative
distance ``WINDOW / sqrt(N)`` across the transition with the simulation between the two theory
values (within ``THRESHOLD err``) is finite size; ``|diff| / sqrt(err**2 + (BIAS / N)**2) <=
THRESHOLD`` away from m = 0 is finite size.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
import xarray as xr

cmp = importlib.import_module("hopfield_sim.compare")  # the package exports the function

AGREES, FINITE_SIZE, DISAGREES = 1, 2, 3


def _ds(T, theory, mc, err, N):
    n = len(T)
    return xr.Dataset(
        {
            "m_theory": ("T", np.asarray(theory, float)),
            "m_mc": ("T", np.asarray(mc, float)),
            "m_mc_err": ("T", np.asarray(err, float)),
            "N_mc": ("T", np.full(n, float(N))),
            "converged_theory": ("T", np.ones(n, bool)),
        },
        coords={"T": np.asarray(T, float)},
    )


def codes(ds, **kw):
    return [int(v) for v in cmp.compare(ds, **kw)["verdict"].values]


def test_flag_codes_are_the_documented_ones():
    v = cmp.compare(_ds([0.5], [0.9], [0.9], [0.01], 1000))["verdict"]
    np.testing.assert_array_equal(v.attrs["flag_values"], [0, 1, 2, 3])


@pytest.mark.parametrize("finite_size", [False, True])
def test_plain_z_threshold(finite_size):
    e = 0.01
    t = cmp.THRESHOLD
    # far from m = 0, huge N (no bias allowance), single points (no neighbours)
    for z, expected in ((t - 0.1, AGREES), (t + 0.1, DISAGREES), (-(t - 0.1), AGREES)):
        ds = _ds([0.5], [0.8], [0.8 - z * np.hypot(e, cmp.FLOOR)], [e], 1e12)
        assert codes(ds, finite_size=finite_size) == [expected], z
    # custom threshold
    ds = _ds([0.5], [0.8], [0.8 - 2.5 * np.hypot(e, cmp.FLOOR)], [e], 1e12)
    assert codes(ds, threshold=2.0) == [DISAGREES]
    assert codes(ds, threshold=3.0) == [AGREES]


def test_zero_overlap_band_and_its_z_gate():
    N, e = 400.0, 0.01
    E = np.hypot(e, cmp.FLOOR)
    bound = cmp.BAND / np.sqrt(N) + cmp.THRESHOLD * E  # 0.25 + 0.04
    cases = [
        ((cmp.ZERO_Z - 0.1) * E, AGREES),  # within ZERO_Z error bars of 0
        ((cmp.ZERO_Z + 0.1) * E, FINITE_SIZE),  # above ZERO_Z (still < THRESHOLD): biased |m|
        (bound - 0.002, FINITE_SIZE),  # far beyond THRESHOLD but inside the band
        (bound + 0.002, DISAGREES),  # outside the band
        (-(bound - 0.002), FINITE_SIZE),  # |m|: the sign does not matter
    ]
    for m, expected in cases:
        assert codes(_ds([0.5], [0.0], [m], [e], N)) == [expected], m
    # theory values up to ZERO count as m = 0, above do not
    assert codes(_ds([0.5], [0.9 * cmp.ZERO], [0.2], [e], N)) == [FINITE_SIZE]
    assert codes(_ds([0.5], [2.0 * cmp.ZERO], [0.2], [e], N)) == [DISAGREES]
    # the band shrinks as 1/sqrt(N)
    assert codes(_ds([0.5], [0.0], [0.2], [e], 4 * N)) == [DISAGREES]


def test_transition_nearby_window_and_between():
    N, e = 2000.0, 0.01
    E = np.hypot(e, cmp.FLOOR)
    w = cmp.WINDOW / np.sqrt(N)  # relative distance of a neighbour that counts: 0.067
    T0 = 0.7

    def verdict_at_0(T1, mc0):
        # point 0 retrieves in theory (m = 0.5), its neighbour T1 does not (m = 0)
        return codes(_ds([T0, T1], [0.5, 0.0], [mc0, 0.0], [e, e], N))[0]

    near, far = T0 / (1 - 0.9 * w), T0 / (1 - 1.1 * w)  # relative distance 0.9 w, 1.1 w
    hi = 0.5 + cmp.THRESHOLD * E  # the simulation may lie up to THRESHOLD err beyond
    assert verdict_at_0(near, 0.25) == FINITE_SIZE  # between the two theory values
    assert verdict_at_0(far, 0.25) == DISAGREES  # neighbour too far away
    lo = -cmp.THRESHOLD * E  # ... and below the lower one
    assert verdict_at_0(near, lo + 0.005) == FINITE_SIZE  # z ~ 50, still between
    assert verdict_at_0(near, hi + 0.01) == DISAGREES  # not between: above both values
    assert verdict_at_0(near, lo - 0.005) == DISAGREES  # not between: below both values
    # no transition across the neighbours (both retrieve): a plain disagreement
    assert codes(_ds([T0, near], [0.5, 0.45], [0.25, 0.45], [e, e], N))[0] == DISAGREES


def test_order_one_over_n_bias():
    N, e = 300.0, 0.005
    s = np.hypot(np.hypot(e, cmp.FLOOR), cmp.BIAS / N)
    for z_bias, expected in ((cmp.THRESHOLD - 0.1, FINITE_SIZE), (cmp.THRESHOLD + 0.1, DISAGREES)):
        ds = _ds([0.5], [0.9], [0.9 - z_bias * s], [e], N)
        assert codes(ds) == [expected], z_bias
        assert codes(ds, finite_size=False) == [DISAGREES]  # beyond THRESHOLD plain z
    # the allowance is BIAS / N: at 10x the size the same difference disagrees
    assert codes(_ds([0.5], [0.9], [0.9 - 3.9 * s], [e], 10 * N)) == [DISAGREES]


def test_agree_flag_and_counts_follow_the_verdicts():
    N, e = 400.0, 0.01
    ds = _ds([0.2, 1.0, 2.0], [0.9, 0.9, 0.0], [0.9, 0.5, 0.1], [e, e, e], N)
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"].values] == [AGREES, DISAGREES, FINITE_SIZE]
    np.testing.assert_array_equal(out["agree"].values, [True, False, False])
    assert out.attrs["disagree"] == 1
    assert out.attrs["worst_z"] == pytest.approx(0.4 / np.hypot(e, cmp.FLOOR))
