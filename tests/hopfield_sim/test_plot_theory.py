"""Figures a paper can use (issue 24): theory on its own fine grid with the jump at the
computed transition, one theory line and one Monte Carlo series per N, unreliable points
hollow, and no silent choice of a grid value."""

from __future__ import annotations

import numpy as np
import pytest
import sweep_fakes

import hopfield_sim
from hopfield_sim import plot_curves


def fake_sweep(axes, **theory):
    mc = {} if "N" in axes else {"N": 100}
    spec = {"seed": 1, "model": {"protocol": "hebbian", "P": 2}, "axes": axes,
            "fixed": {"T": 0.1}, "theory": theory, "montecarlo": mc}  # fmt: skip
    return hopfield_sim.sweep(spec, workers=1, progress=False, _theory=sweep_fakes.theory,
                              _montecarlo=sweep_fakes.montecarlo)  # fmt: skip


def test_theory_line_is_fine_and_jumps_at_the_computed_capacity():
    """P = 2, T = 0.1: the plotted theory has far more points than the 5 grid loads, and
    jumps vertically from the retrieval branch (m > 0.9) to m = 0 at the spinodal computed
    independently by theory.lines.load_line (alpha_c(T = 0.1) = 0.135, AGS)."""
    import theory.lines

    ds = fake_sweep({"alpha": {"start": 0.02, "stop": 0.16, "num": 5}}, resolution=120)
    ax = plot_curves(ds, "alpha").axes[0]
    (line,) = [ln for ln in ax.lines if ln.get_label().startswith("theory")]
    xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    assert len(xs) > 100 > ds.sizes["alpha"]
    alpha_c = float(theory.lines.load_line(2, [0.1], kind="spinodal", protocol="hebbian")[0])
    assert alpha_c == pytest.approx(0.135, abs=2e-3)
    at = np.flatnonzero(xs == alpha_c)
    assert len(at) == 2  # a vertical segment
    assert ys[at[0]] > 0.9 and ys[at[1]] == 0.0
    assert np.all(ys[xs < alpha_c] > 0.9) and np.all(np.abs(ys[xs > alpha_c]) < 1e-6)
    labels = [ln.get_label() for ln in ax.lines]
    assert any(lab.startswith("capacity alpha_c = 0.135") for lab in labels)
    assert any(lab.startswith("alpha_th = 0.053") for lab in labels)  # thermodynamic, AGS


def test_an_N_axis_is_one_theory_line_and_one_series_per_N():
    ds = fake_sweep({"alpha": [0.0, 0.05, 0.1], "N": [100, 200]}, resolution=0)
    labels = plot_curves(ds, "alpha").axes[0].get_legend_handles_labels()[1]
    assert sum(lab.startswith("theory") for lab in labels) == 1
    assert [lab for lab in labels if lab.startswith("Monte")] == [
        "Monte Carlo N = 100", "Monte Carlo N = 200"]  # fmt: skip


def test_no_silent_first_value_and_unreliable_points_are_hollow():
    spec = {"seed": 1, "model": {"protocol": "hebbian", "P": 2},
            "axes": {"alpha": [0.0, 0.05, 0.1], "T": [0.3, 0.6]},
            "theory": {"resolution": 0}, "montecarlo": {"N": 100}}  # fmt: skip
    ds = hopfield_sim.sweep(spec, workers=1, progress=False, _theory=sweep_fakes.theory,
                            _montecarlo=sweep_fakes.montecarlo)  # fmt: skip
    with pytest.raises(ValueError, match="'T' has 2 values"):
        plot_curves(ds, "alpha")
    one = ds.sel(T=0.3)
    one["reliable_mc"] = ("alpha", np.array([True, False, True]))
    ax = plot_curves(one, "alpha").axes[0]
    hollow = [ln for ln in ax.lines if ln.get_markerfacecolor() == "white"
              and len(ln.get_xdata())]  # fmt: skip
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [0.05]
    assert "hollow: reliable_mc = False" in ax.get_legend_handles_labels()[1]


def test_phase_diagram_draws_unreliable_points_hollow():
    from hopfield_sim import plot_phase_diagram

    spec = {"seed": 1, "model": {"protocol": "hebbian", "P": 2},
            "axes": {"alpha": [0.0, 0.05, 0.1], "T": [0.3, 0.6]},
            "theory": {}, "montecarlo": {"N": 100}}  # fmt: skip
    ds = hopfield_sim.sweep(spec, workers=1, progress=False, _theory=sweep_fakes.theory,
                            _montecarlo=sweep_fakes.montecarlo)  # fmt: skip
    ds["reliable_mc"] = (("alpha", "T"), np.array([[True, True], [False, True], [True, True]]))
    ax = plot_phase_diagram(ds, "alpha", "T", theory_lines=False).axes[0]
    (hollow,) = [c for c in ax.collections if c.get_label() == "hollow: reliable_mc = False"]
    np.testing.assert_allclose(hollow.get_offsets(), [[0.05, 0.3]])
    (filled,) = [c for c in ax.collections if c.get_label() == "Monte Carlo m"]
    assert len(filled.get_offsets()) == 5
