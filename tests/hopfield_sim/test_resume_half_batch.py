"""Resume with a half-finished theory batch (issue 29): a batch is skipped only when every
one of its points is done; a batch with some points left is solved again, all of it."""

from __future__ import annotations

import numpy as np
import sweep_fakes
import xarray as xr

from hopfield_sim import _phases
from hopfield_sim._grid import Grid
from hopfield_sim.spec import spec_from_dict

SPEC = {
    "seed": 3,
    "model": {"protocol": "hebbian", "P": 2},
    "axes": {"alpha": [0.0, 0.01, 0.02, 0.03], "T": [0.3, 0.6]},
    "theory": {},
}


def _resume(done_flags, batch_points):
    spec = spec_from_dict(SPEC)
    grid = Grid(spec)
    ds = xr.Dataset({"done_theory": (grid.dims, np.asarray(done_flags).reshape(grid.shape))})
    calls, saved = [], {}

    def runner(sub, subgrid):
        calls.append([subgrid.params(i) for i in range(subgrid.size)])
        return sweep_fakes.theory(sub, subgrid)

    def save(idx, values):
        for i, k in enumerate(idx):
            saved[int(k)] = {name: arr[i] for name, (_, arr) in values.items()}

    _phases.run_theory(spec, grid, ds, save, runner, False, batch_points)
    return grid, calls, saved


def test_half_finished_batch_is_solved_again_whole():
    # batches of 4 points (2 alpha rows x 2 T): [0..3], [4..7]; batch 0 half done, batch 1 done
    done = [True, True, False, False, True, True, True, True]
    grid, calls, saved = _resume(done, batch_points=4)
    assert len(calls) == 1
    assert sorted(saved) == [0, 1, 2, 3]  # the whole first batch, none of the finished one
    for k, row in saved.items():
        assert row["m_theory"] == sweep_fakes.exact_m(grid.params(k))
        assert bool(row["done_theory"])
    assert [p["alpha"] for p in calls[0]] == [0.0, 0.0, 0.01, 0.01]


def test_one_missing_point_per_batch_reruns_both_and_all_done_runs_none():
    done = [True, True, True, False, False, True, True, True]
    _, calls, saved = _resume(done, batch_points=4)
    assert len(calls) == 2 and sorted(saved) == list(range(8))
    _, calls, saved = _resume([True] * 8, batch_points=4)
    assert calls == [] and saved == {}
    _, calls, saved = _resume([False] * 8, batch_points=4)
    assert len(calls) == 2 and sorted(saved) == list(range(8))
