"""Sweep stores under a hostile or careless user (issue 27): part files with bad indices, a
full disk."""

from __future__ import annotations

import errno

import numpy as np
import pytest
import sweep_fakes
import xarray as xr

from hopfield_sim import storage
from hopfield_sim.sweep import sweep

SPEC = {
    "model": {"protocol": "hebbian", "P": 2},
    "axes": {"T": [0.4, 0.8, 1.2]},
    "theory": {},
    "montecarlo": {"N": 100, "sweeps": 10},
}
FAKES = {"_theory": sweep_fakes.theory, "_montecarlo": sweep_fakes.montecarlo}


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "s.h5"
    sweep(SPEC, store=path, progress=False, workers=1, **FAKES)
    return path


@pytest.mark.parametrize("index", [[-1], [3], [0, 0], [[0]]])
def test_part_file_with_bad_index_is_refused(store, index):
    before = storage.read(store)
    with storage.Store(store) as writer:
        n = np.asarray(index).reshape(-1).size if np.ndim(index) == 1 else 1
        writer.append(before.attrs[storage.SPEC_ATTR], np.asarray(index),
                      {"m_mc": ((), np.full(n, 5.0))})  # fmt: skip
    with pytest.raises(storage.DamagedStoreError, match="its 'index' is not a list of distinct"):
        storage.read(store)


def test_part_file_with_a_good_index_is_applied(store):
    before = storage.read(store)
    with storage.Store(store) as writer:
        writer.append(before.attrs[storage.SPEC_ATTR], np.array([2]), {"m_mc": ((), [5.0])})
    after = storage.read(store)
    assert after["m_mc"].values[2] == 5.0  # the last point, not another one
    np.testing.assert_array_equal(after["m_mc"].values[:2], before["m_mc"].values[:2])


def test_full_disk_gives_one_line(store, monkeypatch):
    def full(self, *args, **kwargs):  # fault injection: HDF5's message on a full disk
        raise OSError("Can't write data (file write failed: errno = 28, error message = "
                      "'No space left on device')")  # fmt: skip

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    with pytest.raises(OSError, match="no space left on the device of") as info:
        storage.write(storage.read(store), store.with_name("copy.h5"))
    assert info.value.errno == errno.ENOSPC and "\n" not in str(info.value)
    assert not list(store.parent.glob(".copy.h5.tmp-*"))


THEORY = {"model": {"protocol": "hebbian", "P": 2}, "theory": {}}


def test_extend_keeps_finished_theory_points(tmp_path):
    store = tmp_path / "t.h5"
    seen = []

    def counting_theory(spec, grid):
        seen.extend(grid.params(i)["alpha"] for i in range(grid.size))
        return sweep_fakes.theory(spec, grid)

    kw = {"store": store, "progress": False, "_theory": counting_theory, "theory_batch_size": 2}
    old = sweep({**THEORY, "axes": {"alpha": [0.0, 0.05], "T": [0.5, 1.0]}}, **kw)
    assert sorted(set(seen)) == [0.0, 0.05]
    seen.clear()
    wider = {**THEORY, "axes": {"alpha": [0.0, 0.05, 0.1], "T": [0.5, 1.0]}}
    new = sweep(wider, extend=True, **kw)
    assert set(seen) == {0.1}  # only the new slab is solved
    np.testing.assert_array_equal(new["m_theory"].values[:2], old["m_theory"].values)
    assert bool(new["done_theory"].all())
    with pytest.raises(ValueError, match="finished point"):  # a narrower grid drops points
        sweep({**THEORY, "axes": {"alpha": [0.0], "T": [0.5, 1.0]}}, extend=True, **kw)


def test_plain_hdf5_file_is_refused_without_a_phony_dims_warning(tmp_path):
    import warnings

    import h5py

    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as fh:
        fh["x"] = np.arange(3.0)  # no dimension scales: h5netcdf's "phony" dimensions
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="not a hopfield-sim sweep"):
            storage.read(path)


def test_plot_of_an_unknown_variable_is_an_error(tmp_path, capsys):
    from hopfield_sim.cli import main

    store = tmp_path / "t.h5"
    sweep({**THEORY, "axes": {"alpha": [0.0, 0.05], "T": [0.5, 1.0]}}, store=store,
          progress=False, _theory=sweep_fakes.theory)  # fmt: skip
    assert main(["plot", str(store), "--variable", "zz", "--out", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--variable 'zz' is not in" in err[0] and "it has m" in err[0]
    assert not (tmp_path / "f.png").exists()
