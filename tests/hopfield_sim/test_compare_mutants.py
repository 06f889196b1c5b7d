"""Values of ``hopfield_sim.compare`` that mutation testing found unchecked (issue 29):
the limit of an agreeing point, the remanent rule against the zero-overlap band, a grid
that starts at 0, and the text of the comparison table. The expected numbers follow from
the rule in the module docstring, with the module's constants."""

from __future__ import annotations

import importlib
import json
import re

import numpy as np
import xarray as xr

cmp = importlib.import_module("hopfield_sim.compare")  # the package exports the function

AGREES, FINITE_SIZE, DISAGREES = 1, 2, 3


def _line(alpha, theory, mc, err, N, init=None, reliable=None):
    n = len(alpha)
    data = {
        "m_theory": ("alpha", np.asarray(theory, float)),
        "m_mc": ("alpha", np.asarray(mc, float)),
        "m_mc_err": ("alpha", np.asarray(err, float)),
        "N_mc": ("alpha", np.full(n, float(N))),
    }
    if reliable is not None:
        data["reliable_mc"] = ("alpha", np.asarray(reliable, bool))
    attrs = {}
    if init is not None:
        spec = {"axes": {"alpha": list(alpha)}, "montecarlo": {"N": N, "init": init}}
        attrs["sweep_spec"] = json.dumps(spec)
    return xr.Dataset(data, coords={"alpha": np.asarray(alpha, float)}, attrs=attrs)


def test_agreeing_point_keeps_the_plain_limit():
    """A point that agrees has limit = THRESHOLD err (err with the floor), even though the
    O(1/N) rule would allow more: a later rule does not widen a settled verdict."""
    e, N = 0.01, 100  # BIAS / N = 0.05 >> e: the bias rule's allowance is much larger
    ds = _line([0.1, 0.5], [0.9, 0.8], [0.9, 0.8 + 0.5 * e], [e, e], N)
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"]] == [AGREES, AGREES]
    np.testing.assert_allclose(out["limit"], cmp.THRESHOLD * np.hypot(e, cmp.FLOOR), rtol=1e-12)


def test_not_compared_points_do_not_agree():
    ds = _line([0.1, 0.5], [0.9, 0.8], [np.nan, 0.8], [0.01, 0.01], 1000)
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"]] == [0, AGREES]
    assert out["agree"].values.tolist() == [False, True]


def test_remanent_overlap_is_not_covered_by_the_zero_band():
    """Above capacity, started at the pattern: |m| = 0.1 lies inside the zero-overlap band
    (5/sqrt(1000) = 0.158) but beyond ZERO_Z err; remanent, so it disagrees. Started at
    random, the same numbers are the finite-size overlap."""
    N, e = 1000, 0.01
    args = ([0.05, 0.2], [0.9, 0.0], [0.9, 0.1], [e, e], N)
    assert 0.1 < cmp.BAND / np.sqrt(N) and 0.1 > cmp.ZERO_Z * e
    out = cmp.compare(_line(*args, init="archetype"))
    assert [int(v) for v in out["verdict"]] == [AGREES, DISAGREES]
    assert out["reason"].values[1] == cmp.REMANENT
    out = cmp.compare(_line(*args, init="random"))
    assert [int(v) for v in out["verdict"]] == [AGREES, FINITE_SIZE]
    assert out["reason"].values[1] == cmp.ZERO_REASON


def test_remanent_on_an_unsorted_two_dimensional_grid():
    """``alpha`` given in descending order and a second axis: the remanent mask is put back
    in the grid's own order."""
    N, e = 1000, 0.01
    alpha, T = [0.2, 0.05], [0.1, 0.2]
    th = np.array([[0.0, 0.0], [0.9, 0.9]])
    sim = np.array([[0.1, 0.1], [0.9, 0.9]])
    spec = {"montecarlo": {"N": N, "init": "archetype"}}
    ds = xr.Dataset(
        {
            "m_theory": (("alpha", "T"), th),
            "m_mc": (("alpha", "T"), sim),
            "m_mc_err": (("alpha", "T"), np.full((2, 2), e)),
            "N_mc": ((), float(N)),
        },
        coords={"alpha": alpha, "T": T},
        attrs={"sweep_spec": json.dumps(spec)},
    )
    out = cmp.compare(ds)
    np.testing.assert_array_equal(out["verdict"], [[DISAGREES] * 2, [AGREES] * 2])
    assert list(out["reason"].values[0]) == [cmp.REMANENT] * 2


def test_grid_starting_at_zero_compares_without_warnings():
    """A grid point at 0 (e.g. T = 0): its relative distance to itself is 0/0, which must
    not be computed (pytest turns the RuntimeWarning into an error)."""
    e, N = 0.01, 1000
    ds = _line([0.0, 0.5], [0.9, 0.8], [0.9, 0.8], [e, e], N)
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"]] == [AGREES, AGREES]


def test_table_counts_the_rows_left_out():
    n = 7
    ds = _line(np.linspace(0.1, 0.7, n), [0.9] * n, [0.9] * n, [0.01] * n, 1000)
    table = cmp.comparison_table(ds, max_rows=3)
    assert f"... ({n - 3} more points)" in table
    assert sum(1 for line in table.splitlines() if re.match(r"\s+0\.\d", line)) == 3


def test_table_notes_band_only_for_the_zero_overlap_rule():
    """The remanent note carries no band/sqrt(N); reliable rows carry no ``*``."""
    N, e = 1000, 0.01
    args = ([0.05, 0.2], [0.9, 0.0], [0.9, 0.1], [e, e], N)
    table = cmp.comparison_table(_line(*args, init="archetype", reliable=[True, True]))
    assert f"  (a) {cmp.REMANENT}" in table.splitlines()
    assert not any(line.endswith("*") for line in table.splitlines())
    table = cmp.comparison_table(_line(*args, init="random"))
    band = cmp.BAND / np.sqrt(N)
    assert f"{cmp.ZERO_REASON} (band/sqrt(N) = {band:.3f} at N = {N})" in table
