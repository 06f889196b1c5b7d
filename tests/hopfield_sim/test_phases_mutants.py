"""Values of ``hopfield_sim._phases`` that mutation testing found unchecked (issue 29): the
batches of explicit points and of thin slabs, the Monte Carlo phase with per-pattern
outputs, and the worker count read from a Dask client. Expected values are counted by hand
from the batch rule of :func:`hopfield_sim._phases.theory_batches`."""

from __future__ import annotations

import json

import numpy as np
import sweep_fakes
import xarray as xr

from hopfield_sim import _phases
from hopfield_sim._grid import Grid
from hopfield_sim.spec import spec_from_dict

MODEL = {"protocol": "hebbian", "P": 2}


def test_explicit_points_are_cut_into_consecutive_runs():
    spec = spec_from_dict({"model": MODEL, "theory": {},
                           "points": {"alpha": [0.0, 0.01, 0.02, 0.03, 0.04],
                                      "T": [0.1, 0.2, 0.3, 0.4, 0.5]}})  # fmt: skip
    batches = _phases.theory_batches(spec, Grid(spec), 2)
    assert [idx.tolist() for _, idx in batches] == [[0, 1], [2, 3], [4]]
    assert [list(sub.points["T"]) for sub, _ in batches] == [[0.1, 0.2], [0.3, 0.4], [0.5]]


def test_slabs_are_one_row_when_a_row_exceeds_the_batch():
    """4 x 3 grid, batches of 2 points: a row of 3 points does not fit, so one row each."""
    axes = {"alpha": [0.0, 0.01, 0.02, 0.03], "T": [0.3, 0.6, 0.9]}
    spec = spec_from_dict({"model": MODEL, "theory": {}, "axes": axes})
    batches = _phases.theory_batches(spec, Grid(spec), 2)
    assert [idx.tolist() for _, idx in batches] == [[3 * r, 3 * r + 1, 3 * r + 2] for r in range(4)]
    assert [list(sub.axes["alpha"]) for sub, _ in batches] == [[a] for a in axes["alpha"]]
    # batches of 7 points: two rows (6 points) each
    batches = _phases.theory_batches(spec, Grid(spec), 7)
    assert [idx.tolist() for _, idx in batches] == [list(range(6)), list(range(6, 12))]


def _mc_phase(runner, **kw):
    spec = spec_from_dict({"seed": 1, "model": MODEL, "axes": {"alpha": [0.0, 0.01, 0.02]},
                           "fixed": {"T": 0.5}, "montecarlo": {"N": 50}})  # fmt: skip
    grid = Grid(spec)
    ds = xr.Dataset({"done_mc": ("alpha", [False, True, False]),
                     "seed_mc": ("alpha", [11, 12, 13])})  # fmt: skip
    saved = []
    _phases.run_montecarlo(spec, grid, ds, lambda i, v: saved.append((i.tolist(), v)), runner,
                           None, 1, kw.get("batch_size", 0), False)  # fmt: skip
    return saved


def per_pattern(spec, params, seed):
    """Two patterns: m_mc is a vector; the seed is echoed so the order can be checked."""
    return {"m_mc": np.array([seed, -seed], float), "ok": True}


def test_montecarlo_phase_runs_the_points_left_with_their_seeds():
    saved = _mc_phase(per_pattern, batch_size=1)
    assert [i for i, _ in saved] == [[0], [2]]  # point 1 is done
    dims, arr = saved[0][1]["m_mc"]
    assert dims == ("pattern",) and arr.tolist() == [[11.0, -11.0]]
    assert saved[1][1]["m_mc"][1].tolist() == [[13.0, -13.0]]
    assert saved[0][1]["done_mc"][1].tolist() == [True]
    dims, ok = saved[0][1]["ok"]
    assert dims == () and ok.dtype == bool and ok.tolist() == [True]


def test_montecarlo_phase_scalar_outputs():
    saved = _mc_phase(sweep_fakes.montecarlo, batch_size=2)
    ((indices, values),) = saved
    assert indices == [0, 2]
    dims, arr = values["m_mc_err"]
    assert dims == () and arr.tolist() == [0.01, 0.01]


class _Client:
    def __init__(self, info):
        self.info = info

    def scheduler_info(self):
        if isinstance(self.info, Exception):
            raise self.info
        return self.info


def test_dask_worker_count():
    info = {"workers": {"a": {"nthreads": 3}, "b": {}}}
    assert _phases._dask_workers(_Client(info)) == 4
    assert _phases._dask_workers(_Client({"workers": {"a": {"nthreads": 1}}})) == 1
    assert _phases._dask_workers(_Client({"workers": {}})) == 1
    assert _phases._dask_workers(_Client(RuntimeError("no scheduler"))) == 1


def test_one_dimensional_grid_slabs_hold_points_rows():
    spec = spec_from_dict({"model": MODEL, "theory": {}, "fixed": {"T": 0.5},
                           "axes": {"alpha": [0.0, 0.01, 0.02, 0.03, 0.04]}})  # fmt: skip
    batches = _phases.theory_batches(spec, Grid(spec), 2)
    assert [idx.tolist() for _, idx in batches] == [[0, 1], [2, 3], [4]]


def test_only_the_first_axis_is_cut():
    """First axis T, second alpha (which sorts after it): only T is sliced."""
    spec = spec_from_dict({"model": MODEL, "theory": {},
                           "axes": {"T": [0.3, 0.6], "alpha": [0.0, 0.01, 0.02]}})  # fmt: skip
    batches = _phases.theory_batches(spec, Grid(spec), 3)
    assert [list(sub.axes["T"]) for sub, _ in batches] == [[0.3], [0.6]]
    assert [list(sub.axes["alpha"]) for sub, _ in batches] == [[0.0, 0.01, 0.02]] * 2


def test_theory_phase_keeps_extra_dimensions():
    """A theory output with a pattern axis, (grid..., 2), is saved as (points, 2)."""
    spec = spec_from_dict({"model": MODEL, "theory": {},
                           "axes": {"alpha": [0.0, 0.01], "T": [0.3, 0.6, 0.9]}})  # fmt: skip
    grid = Grid(spec)
    ds = xr.Dataset({"done_theory": (grid.dims, np.zeros(grid.shape, bool))})

    def runner(sub, subgrid):
        a = np.arange(subgrid.size * 2, dtype=float).reshape((*subgrid.shape, 2))
        return {"m": (("pattern",), a + 100 * subgrid.params(0)["alpha"])}

    saved = []
    _phases.run_theory(spec, grid, ds, lambda i, v: saved.append((i.tolist(), v)), runner,
                       False, 3)  # fmt: skip
    assert [i for i, _ in saved] == [[0, 1, 2], [3, 4, 5]]
    dims, arr = saved[1][1]["m_theory"]
    assert dims == ("pattern",)
    np.testing.assert_array_equal(arr, np.arange(6.0).reshape(3, 2) + 1.0)  # alpha = 0.01


def test_saver_writes_per_pattern_values_into_the_grid():
    spec = spec_from_dict({"model": MODEL, "theory": {}, "fixed": {"T": 0.5},
                           "axes": {"alpha": [0.0, 0.01, 0.02]}})  # fmt: skip
    grid = Grid(spec)
    ds = xr.Dataset(coords={"alpha": [0.0, 0.01, 0.02]},
                    attrs={"sweep_spec": json.dumps(spec.to_dict())})  # fmt: skip
    save = _phases.Saver(ds, None, grid, "{}", False)
    save(np.array([0, 2]), {"m_mc": (("pattern",), np.array([[1.0, 2.0], [3.0, 4.0]]))})
    out = ds["m_mc"].values
    assert out.shape == (3, 2)
    np.testing.assert_array_equal(out[[0, 2]], [[1.0, 2.0], [3.0, 4.0]])


def test_montecarlo_workers_and_batches(monkeypatch):
    """32 points: about 8 batches per worker, so 2 local workers give batches of 2; the
    default is the machine's cores; a Dask client's threads count instead."""
    spec = spec_from_dict({"seed": 1, "model": MODEL, "fixed": {"T": 0.5},
                           "axes": {"alpha": list(np.linspace(0, 0.1, 32))},
                           "montecarlo": {"N": 50}})  # fmt: skip
    grid = Grid(spec)
    ds = xr.Dataset({"done_mc": ("alpha", np.zeros(32, bool)),
                     "seed_mc": ("alpha", np.arange(32))})  # fmt: skip
    seen = []

    def execute(runner, spec_dict, work, *, on_done, client, workers):
        seen.append((client, workers, [len(b) for b in work]))

    monkeypatch.setattr(_phases._execution, "execute", execute)
    monkeypatch.setattr(_phases._execution, "default_workers", lambda: 4)
    for workers, client in (
        (2, None),
        (None, None),
        (1, _Client({"workers": {"a": {"nthreads": 4}}})),
    ):
        _phases.run_montecarlo(spec, grid, ds, None, per_pattern, client, workers, 0, False)
    assert seen[0] == (None, 2, [2] * 16)  # ceil(32 / (8 * 2))
    assert seen[1] == (None, 4, [1] * 32)  # default_workers() = 4
    assert seen[2][1:] == (1, [1] * 32)  # 4 Dask threads
