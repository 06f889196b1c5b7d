"""Values of ``hopfield_sim.compare`` that mutation testing found unchecked (issue 29):
the limit of an agreeing point, the remanent rule against the zero-overlap band, a grid
that starts at 0, and the text of the comparison table. The expected numbers follow from
the rule in the module docstring, with the module's constants."""

from __future__ import annotations

import importlib
import json
import re

import numpy as np
import pytest
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


def _T_line(T, theory, mc, err, N, **extra):
    data = {
        "m_theory": ("T", np.asarray(theory, float)),
        "m_mc": ("T", np.asarray(mc, float)),
        "m_mc_err": ("T", np.asarray(err, float)),
        "N_mc": ("T", np.full(len(T), float(N))),
    }
    data.update(extra)
    return xr.Dataset(data, coords={"T": np.asarray(T, float)})


def test_arguments_at_their_bounds_are_accepted():
    ds = _line([0.1], [0.8], [0.8], [0.01], 1000)
    for key in ("threshold", "band", "window"):
        assert int(cmp.compare(ds, **{key: 0.5})["verdict"][0]) == AGREES
    assert int(cmp.compare(ds, floor=0)["verdict"][0]) == AGREES
    for bad in (-0.5, -1e-9):
        with pytest.raises(ValueError, match="floor must be >= 0"):
            cmp.compare(ds, floor=bad)


def test_unconverged_theory_and_nan_theory_are_not_compared():
    ds = _line([0.1, 0.2, 0.3], [0.8, np.nan, 0.8], [0.8] * 3, [0.01] * 3, 1000)
    ds["converged_theory"] = ("alpha", [True, True, False])
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"]] == [AGREES, 0, 0]
    assert out["valid"].values.tolist() == [True, False, False]


def test_zero_error_without_floor():
    """floor = 0 and err = 0: z = 0 for an exact match, +inf otherwise (either sign)."""
    ds = _line([0.1, 0.2, 0.3], [0.8, 0.7, 0.6], [0.8, 0.75, 0.55], [0.0] * 3, 1e12)
    out = cmp.compare(ds, floor=0)
    assert out["z"].values.tolist() == [0.0, np.inf, np.inf]
    assert [int(v) for v in out["verdict"]] == [AGREES, DISAGREES, DISAGREES]


def test_boundaries_are_inclusive():
    """|difference| = limit agrees (exact binary numbers, floor 0); theory = ZERO counts
    as m = 0."""
    ds = _line([0.1], [1.5], [0.5], [0.25], 1e12)
    assert int(cmp.compare(ds, floor=0)["verdict"][0]) == AGREES  # 1.0 = 4 x 0.25
    ds = _line([0.1], [1.5], [0.5 - 2.0**-20], [0.25], 1e12)
    assert int(cmp.compare(ds, floor=0)["verdict"][0]) == DISAGREES
    # theory = ZERO: zero-overlap rules (3 err > ZERO_Z err, inside the band: finite size)
    e = 0.01
    ds = _line([0.1], [cmp.ZERO], [cmp.ZERO + 3 * e], [e], 1000)
    out = cmp.compare(ds, floor=0)
    assert int(out["verdict"][0]) == FINITE_SIZE and out["reason"].values[0] == cmp.ZERO_REASON


def test_limit_of_a_disagreeing_point_is_the_bias_rule():
    """Theory away from 0, no neighbour: the largest rule tried is the O(1/N) one."""
    e, N = 0.01, 1000
    out = cmp.compare(_line([0.1], [0.8], [0.5], [e], N), floor=0)
    assert int(out["verdict"][0]) == DISAGREES
    assert float(out["limit"][0]) == pytest.approx(cmp.THRESHOLD * np.hypot(e, cmp.BIAS / N))


def test_documented_bias_and_window():
    """The docstring's numbers: bias/N = 0.0025 at N = 2000 (limit 4 x 0.0025 = 0.01 with a
    negligible error bar); a transition is nearby within relative distance 3/sqrt(N)."""
    N = 2000
    for diff, verdict in ((0.0098, FINITE_SIZE), (0.0102, DISAGREES)):
        ds = _line([0.1], [0.8], [0.8 - diff], [1e-7], N)
        assert int(cmp.compare(ds, floor=0)["verdict"][0]) == verdict, diff
    # neighbours at relative distance 0.95 and 1.05 times 3/sqrt(N) across the transition
    for rel, verdict in ((0.95, FINITE_SIZE), (1.05, DISAGREES)):
        d = rel * 3 / np.sqrt(N)
        ds = _T_line([1.0, 1.0 / (1 - d)], [0.5, 0.0], [0.2, 0.0], [1e-4, 1e-4], N)
        out = cmp.compare(ds)
        assert int(out["verdict"][0]) == verdict, rel


def test_transition_nearby_limit_is_the_jump_plus_slack():
    """Exact binary numbers: err 1/16 (floor 0), N = 20: slack = 4/16 + 5/20 = 1/2; the
    point with theory 0.75 next to theory 0.0005 (m = 0), simulation at lo - slack."""
    th0 = 0.0005
    ds = _T_line([1.0, 1.1], [th0, 0.75], [0.0, th0 - 0.5], [0.0625, 0.0625], 20)
    out = cmp.compare(ds, floor=0)
    assert int(out["verdict"][1]) == FINITE_SIZE
    assert out["reason"].values[1] == cmp.NEAR_REASON
    assert float(out["limit"][1]) == pytest.approx(0.75 - th0 + 0.5, abs=1e-12)


def test_neighbour_on_the_same_side_is_no_transition():
    """Two retrieval points close together (theory 0.8 and 0.7), the simulation between
    them but 0.05 from its own theory: disagrees (bias limit 4 x 0.005 = 0.02)."""
    ds = _T_line([0.5, 0.5005], [0.8, 0.7], [0.75, 0.7], [1e-3, 1e-3], 1000)
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"]] == [DISAGREES, AGREES]


def test_sizes_that_cannot_be_used():
    """N_mc of 0, or with a dimension the theory lacks: no finite-size rules."""
    ds = _line([0.1], [0.0], [0.03], [0.01], 1000)
    assert cmp.compare(ds).attrs["finite_size"] == 1
    assert cmp.compare(ds, finite_size=False).attrs["finite_size"] == 0
    one = ds.assign(N_mc=("alpha", [1.0]))
    assert cmp.compare(one).attrs["finite_size"] == 1
    zero = ds.assign(N_mc=("alpha", [0.0]))
    assert cmp.compare(zero).attrs["finite_size"] == 0
    extra = ds.assign(N_mc=(("alpha", "chain"), [[1000.0, 1000.0]]))
    assert cmp.compare(extra).attrs["finite_size"] == 0


def test_unreadable_spec_means_no_remanent_rule():
    ds = _line([0.05, 0.2], [0.9, 0.0], [0.9, 0.1], [0.01, 0.01], 1000)
    ds.attrs["sweep_spec"] = "{not json"
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"]] == [AGREES, FINITE_SIZE]


def test_table_columns_and_not_compared_rows():
    """Columns: the grid coordinates in the fixed order alpha, T (a scalar coordinate is no
    column); a point not compared shows ``-``."""
    T, alpha = [0.1, 0.2], [0.05, 0.1]
    th = np.array([[0.9, 0.9], [0.9, np.nan]])
    ds = xr.Dataset(
        {"m_theory": (("T", "alpha"), th), "m_mc": (("T", "alpha"), np.full((2, 2), 0.9)),
         "m_mc_err": (("T", "alpha"), np.full((2, 2), 0.01))},
        coords={"T": T, "alpha": alpha, "rho": 0.0},
    )  # fmt: skip
    lines = cmp.comparison_table(ds).splitlines()
    assert lines[0].split()[:3] == ["alpha", "T", "theory"]
    assert lines[2].split()[:2] == ["0.05", "0.1"]
    assert lines[5].split()[-1] == "-"
    assert lines[4].split()[-1] == "agrees"


def test_options_are_keyword_only():
    ds = _line([0.1], [0.8], [0.8], [0.01], 1000)
    with pytest.raises(TypeError):
        cmp.compare(ds, "m", 3.0)


def test_sizes_with_fewer_dimensions_or_negative():
    ds = _line([0.1], [0.0], [0.03], [0.01], 1000)
    scalar = ds.assign(N_mc=((), 1000.0))
    assert cmp.compare(scalar).attrs["finite_size"] == 1
    negative = ds.assign(N_mc=("alpha", [-1000.0]))
    assert cmp.compare(negative).attrs["finite_size"] == 0


def _grid2(first, first_coord, T, theory, sim, e=0.01, N=1000):
    """Two-dimensional grid (first, T), the first axis of length len(first_coord) or 2."""
    n = 2 if first_coord is None else len(first_coord)
    shape = (n, len(T))
    coords = {"T": T} if first_coord is None else {"T": T, first: first_coord}
    return xr.Dataset(
        {
            "m_theory": ((first, "T"), np.broadcast_to(theory, shape).copy()),
            "m_mc": ((first, "T"), np.broadcast_to(sim, shape).copy()),
            "m_mc_err": ((first, "T"), np.full(shape, e)),
            "N_mc": ((), float(N)),
        },
        coords=coords,
    )


def test_transition_along_the_second_axis_after_an_axis_that_is_skipped():
    """The first axis has no coordinate, or a non-finite one: it is skipped and the second
    axis (three points, transition between the last two) is still searched."""
    T, th, sim = [0.5, 1.0, 1.05], [0.9, 0.8, 0.0], [0.9, 0.5, 0.0]
    for first_coord in (None, [np.nan, 1.0]):
        out = cmp.compare(_grid2("k", first_coord, T, th, sim))
        for row in (0, 1):
            assert [int(v) for v in out["verdict"].values[row]] == [AGREES, FINITE_SIZE, AGREES]
            assert out["reason"].values[row, 1] == cmp.NEAR_REASON


def test_axis_without_coordinate_is_not_searched():
    """Along an axis with no coordinate there is no distance: a transition between its two
    entries (m = 0.8 and 0) is not "nearby" even at N = 9, so the O(1/N) rule applies."""
    th = np.array([[0.8], [0.0]])
    ds = xr.Dataset(
        {"m_theory": (("k", "T"), th), "m_mc": (("k", "T"), [[0.3], [0.0]]),
         "m_mc_err": (("k", "T"), np.full((2, 1), 0.01)), "N_mc": ((), 9.0)},
        coords={"T": [0.5]},
    )  # fmt: skip
    assert cmp.compare(ds)["reason"].values[0, 0] == cmp.BIAS_REASON


def test_window_and_zero_boundaries_are_inclusive():
    """Relative distance exactly window/sqrt(N) (grid 0 and 1, N = 9: 3/3 = 1), and a
    neighbour exactly at ZERO, count as a transition nearby (reason of the m > 0 point)."""
    ds = _T_line([0.0, 1.0], [0.0, 0.8], [0.0, 0.3], [0.01, 0.01], 9)
    assert cmp.compare(ds)["reason"].values[1] == cmp.NEAR_REASON
    ds = _T_line([1.0, 1.05], [cmp.ZERO, 0.8], [cmp.ZERO, 0.5], [0.01, 0.01], 1000)
    assert cmp.compare(ds)["reason"].values[1] == cmp.NEAR_REASON


def test_between_bounds_of_the_transition_rule():
    """The zero point next to m = 0.8 (slack = 4 x 0.01 + 5/1000 = 0.045): a simulation up
    to 0.8 + slack is between; below 0 - slack it is not."""
    for sim, verdict in ((0.81, FINITE_SIZE), (-0.3, DISAGREES)):
        ds = _T_line([1.0, 1.05], [0.0, 0.8], [sim, 0.8], [0.01, 0.01], 1000)
        assert int(cmp.compare(ds)["verdict"][0]) == verdict, sim


def test_remanent_needs_retrieval_at_a_lower_load():
    N, e = 1000, 0.01
    # theory exactly ZERO above capacity counts as m = 0: remanent
    out = cmp.compare(_line([0.05, 0.2], [0.9, cmp.ZERO], [0.9, 0.1], [e, e], N,
                            init="archetype"))  # fmt: skip
    assert out["reason"].values[1] == cmp.REMANENT
    # no retrieval at any load: nothing is remanent
    out = cmp.compare(_line([0.05, 0.2], [0.0, 0.0], [0.1, 0.1], [e, e], N, init="archetype"))
    assert [int(v) for v in out["verdict"]] == [FINITE_SIZE, FINITE_SIZE]


def test_remanent_with_alpha_as_the_second_axis():
    N, e = 1000, 0.01
    th = np.array([[0.9, 0.0, 0.0], [0.9, 0.9, 0.0]])
    sim = np.array([[0.9, 0.1, 0.1], [0.9, 0.9, 0.1]])
    ds = xr.Dataset(
        {"m_theory": (("T", "alpha"), th), "m_mc": (("T", "alpha"), sim),
         "m_mc_err": (("T", "alpha"), np.full(th.shape, e)), "N_mc": ((), float(N))},
        coords={"T": [0.1, 0.2], "alpha": [0.05, 0.1, 0.2]},
        attrs={"sweep_spec": json.dumps({"montecarlo": {"init": "archetype"}})},
    )  # fmt: skip
    out = cmp.compare(ds)
    remanent = out["reason"].values == cmp.REMANENT
    np.testing.assert_array_equal(remanent, [[False, True, True], [False, False, True]])


def test_table_over_a_rho_axis_and_many_rows():
    rho = [0.0, 0.1, 0.2]
    ds = xr.Dataset(
        {"m_theory": ("rho", [0.9] * 3), "m_mc": ("rho", [0.9] * 3),
         "m_mc_err": ("rho", [0.01] * 3)},
        coords={"rho": rho},
    )  # fmt: skip
    lines = cmp.comparison_table(ds).splitlines()
    assert lines[0].split()[0] == "rho" and len(lines) == 2 + 3 + 2
    n = 260
    ds = _line(np.linspace(0.01, 0.1, n), [0.9] * n, [0.9] * n, [0.01] * n, 1000)
    table = cmp.comparison_table(ds, max_rows=257)
    assert "... (3 more points)" in table
    assert len(table.splitlines()) == 2 + 257 + 1 + 2


def test_zero_theory_agreement_gate_and_bool_floor():
    """Theory 0: |z| up to ZERO_Z = 2 agrees (1.5 err here); a bool is no floor."""
    ds = _line([0.1], [0.0], [0.015], [0.01], 1000)
    out = cmp.compare(ds, floor=0)
    assert int(out["verdict"][0]) == AGREES and out.attrs["disagree"] == 0
    with pytest.raises(ValueError, match="floor must be >= 0"):
        cmp.compare(ds, floor=True)


def test_remanent_point_rescued_by_a_transition_nearby():
    """Above capacity but next to the retrieval edge (relative distance 0.034 < 3/sqrt(1000)),
    the simulation between the two theory values: a transition nearby, not remanent."""
    ds = _line([0.14, 0.145], [0.9, 0.0], [0.9, 0.5], [0.01, 0.01], 1000, init="archetype")
    out = cmp.compare(ds)
    assert [int(v) for v in out["verdict"]] == [AGREES, FINITE_SIZE]
    assert out["reason"].values[1] == cmp.NEAR_REASON
    assert out.attrs["disagree"] == 0


def test_zero_point_rescued_by_a_transition_nearby():
    """Theory exactly ZERO, the simulation (0.5) beyond the band but between the theory
    values: transition nearby; its table note carries no band."""
    ds = _T_line([1.0, 1.05], [cmp.ZERO, 0.8], [0.5, 0.8], [0.01, 0.01], 1000)
    out = cmp.compare(ds)
    assert int(out["verdict"][0]) == FINITE_SIZE and out["reason"].values[0] == cmp.NEAR_REASON
    assert f"  (a) {cmp.NEAR_REASON}" in cmp.comparison_table(ds).splitlines()


def test_upper_between_bound_is_inclusive():
    """Exact binary numbers: err 1/64 (floor 0), N = 80: slack = 1/16 + 1/16 = 1/8; the zero
    point's simulation at hi + slack = 0.875 (beyond its band 5/sqrt(80) + 1/16 = 0.62)."""
    ds = _T_line([1.0, 1.1], [0.0, 0.75], [0.875, 0.75], [1 / 64, 1 / 64], 80)
    out = cmp.compare(ds, floor=0)
    assert int(out["verdict"][0]) == FINITE_SIZE and out["reason"].values[0] == cmp.NEAR_REASON


def test_table_default_rows_and_note_marks():
    n = 31
    ds = _line(np.linspace(0.01, 0.1, n), [0.9] * n, [0.9] * n, [0.01] * n, 1000)
    table = cmp.comparison_table(ds)
    assert "... (1 more points)" in table and len(table.splitlines()) == 2 + 30 + 1 + 2
    with pytest.raises(TypeError):
        cmp.comparison_table(ds, "m", 5)
    # two notes: the O(1/N) bias (a), the zero-overlap band (b)
    ds = _line([0.05, 0.2], [0.8, 0.0], [0.785, 0.1], [0.001, 0.001], 1000)
    lines = cmp.comparison_table(ds).splitlines()
    assert lines[2].endswith("finite-size effect (a)") and lines[3].endswith("(b)")
    assert f"  (a) {cmp.BIAS_REASON}" in lines
