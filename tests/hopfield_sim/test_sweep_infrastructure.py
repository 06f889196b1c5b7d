"""Sweep machinery with fake runners: layout, seeds, resume after SIGKILL, Dask, damage.

The fake runners (``sweep_fakes``) stand in for theory and Monte Carlo so that these tests
check the machinery alone; the physics is checked in ``test_sweep_physics.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import sweep_fakes
import xarray as xr

from hopfield_sim import storage
from hopfield_sim.spec import spec_from_dict
from hopfield_sim.sweep import open_sweep, point_seed, sweep

HERE = Path(__file__).parent

SPEC = {
    "seed": 11,
    "model": {"protocol": "hebbian", "P": 2},
    "axes": {"alpha": [0.0, 0.05, 0.1], "T": [0.3, 0.6, 0.9, 1.2]},
    "theory": {},
    "montecarlo": {"N": 100, "sweeps": 10},
}
FAKES = {"_theory": sweep_fakes.theory, "_montecarlo": sweep_fakes.montecarlo}


def run(spec=SPEC, **kw):
    return sweep(spec, progress=False, **{**FAKES, **kw})


@pytest.fixture(scope="module")
def reference():
    """The uninterrupted in-process run every other execution must reproduce."""
    return run(workers=1)


def test_dataset_layout(reference):
    ds = reference
    assert ds["m_mc"].dims == ("alpha", "T") and ds.sizes == {"alpha": 3, "T": 4}
    for name in ("m_theory", "converged_theory", "m_mc", "m_mc_err", "done_mc", "seed_mc"):
        assert name in ds, name
    assert ds["m_mc"].attrs["long_name"] and ds["T"].attrs["units"]
    np.testing.assert_allclose(ds["beta"], 1 / ds["T"])  # both beta and T stored
    assert spec_from_dict(storage.stored_spec(ds)).to_json() == spec_from_dict(SPEC).to_json()
    assert ds.attrs["seed"] == 11 and "numpy" in ds.attrs["versions"]
    assert bool(ds["done_mc"].all())
    # theory values are placed on the right coordinates (independent closed form)
    expected = np.tanh(1 / ds["T"]) * (1 - ds["alpha"])
    np.testing.assert_allclose(ds["m_theory"], expected.transpose("alpha", "T"))


def test_point_seeds_depend_on_values_not_position(reference):
    i, j = 1, 2
    params = {"alpha": 0.05, "T": 0.9, **{}}
    assert int(reference["seed_mc"][i, j]) == point_seed(11, params)
    assert point_seed(11, params) != point_seed(12, params)
    assert point_seed(11, params) != point_seed(11, {"alpha": 0.05, "T": 0.6})
    seeds = reference["seed_mc"].values.ravel()
    assert np.unique(seeds).size == seeds.size


def test_two_workers_and_batching_give_the_same_dataset(reference, tmp_path):
    other = run(workers=2, batch_size=5, store=tmp_path / "w2.h5")
    sweep_fakes.assert_same(other, reference)
    sweep_fakes.assert_same(open_sweep(tmp_path / "w2.h5"), reference)


def test_dask_local_cluster_gives_the_same_dataset(reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        with distributed.Client(cluster) as client:
            sweep_fakes.assert_same(run(client=client, batch_size=2), reference)
        # a scheduler address works as well
        sweep_fakes.assert_same(run(client=cluster.scheduler_address), reference)


@pytest.mark.parametrize("kw", [{"workers": 0}, {"batch_size": 0}, {"workers": 1.5}])
def test_bad_execution_options(kw, tmp_path):
    with pytest.raises(ValueError, match=f"{next(iter(kw))} must be an integer >= 1"):
        run(store=tmp_path / "x.h5", **kw)
    assert not (tmp_path / "x.h5").exists()


def test_unreachable_scheduler_fails_before_any_work(tmp_path):
    store = tmp_path / "never.h5"
    with pytest.raises(OSError, match="could not reach the Dask scheduler"):
        run(client="tcp://127.0.0.1:1", store=store)
    assert not store.exists()


def test_scheduler_address_without_distributed_names_the_extra(tmp_path, monkeypatch):
    """Dask is optional: without it an address fails up front with the install hint."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    store = tmp_path / "never.h5"
    with pytest.raises(ImportError, match=r"hopfield-sim\[dask\]"):
        run(client="tcp://127.0.0.1:1", store=store)
    assert not store.exists()


def test_resume_computes_only_missing_points(reference, tmp_path, monkeypatch):
    store = tmp_path / "s.h5"
    ds = reference.copy(deep=True)
    ds["done_mc"][1:, :] = False  # pretend only the first row finished
    ds.attrs["complete"] = 0
    storage.write(ds, store)
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setenv("FAKE_LOG_DIR", str(log))
    again = run(store=store, workers=1)
    assert len(list(log.iterdir())) == 8
    sweep_fakes.assert_same(again, reference)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {here!r})
    import sweep_fakes
    from hopfield_sim.sweep import sweep
    spec = {spec!r}
    sweep(spec, store={store!r}, workers=1, batch_size=1, progress=False,
          _theory=sweep_fakes.theory, _montecarlo=sweep_fakes.montecarlo)
    """
)


def test_sigkill_midway_then_rerun_equals_uninterrupted(reference, tmp_path, monkeypatch):
    store = tmp_path / "killed.h5"
    code = KILL_SCRIPT.format(here=str(HERE), spec=SPEC, store=str(store))
    env = {**os.environ, "FAKE_DELAY": "0.15"}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 60
        done = 0
        while time.monotonic() < deadline and done < 4:
            time.sleep(0.05)
            if store.exists():
                done = int(open_sweep(store)["done_mc"].sum())
        assert done >= 4, "the sweep did not progress"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    partial = open_sweep(store)  # the killed file opens correctly
    done_before = partial["done_mc"].values.copy()
    assert 4 <= done_before.sum() < done_before.size
    finished = np.isfinite(partial["m_mc"].values)
    np.testing.assert_array_equal(finished, done_before)  # no half-written point
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setenv("FAKE_LOG_DIR", str(log))
    again = run(store=store, workers=1)
    assert len(list(log.iterdir())) == done_before.size - done_before.sum()
    sweep_fakes.assert_same(again, reference)


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_file_gives_the_documented_error(reference, tmp_path, damage):
    store = tmp_path / "d.h5"
    storage.write(reference, store)
    raw = store.read_bytes()
    store.write_bytes(raw[: len(raw) // 2] if damage == "truncate" else b"\x89HDF" + b"x" * 500)
    with pytest.raises(storage.DamagedStoreError, match=r"is damaged.*Recovery: move it aside"):
        open_sweep(store)
    with pytest.raises(OSError, match="is damaged"):
        run(store=store)


def test_foreign_netcdf_is_refused(tmp_path):
    path = tmp_path / "other.nc"
    xr.Dataset({"x": ("a", [1.0])}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(ValueError, match="not a hopfield-sim sweep"):
        open_sweep(path)


def test_changed_spec_is_refused_unless_extending(reference, tmp_path, monkeypatch):
    store = tmp_path / "e.h5"
    storage.write(reference, store)
    changed = {**SPEC, "seed": 12}
    with pytest.raises(ValueError, match="different spec .*differs in: seed"):
        run(changed, store=store)
    with pytest.raises(ValueError, match="cannot be extended"):
        run(changed, store=store, extend=True)
    narrower = {**SPEC, "axes": {"alpha": [0.0, 0.05], "T": [0.3, 0.6, 0.9, 1.2]}}
    with pytest.raises(ValueError, match="4 finished point.* would be dropped"):
        run(narrower, store=store, extend=True)
    wider = {**SPEC, "axes": {"alpha": [0.0, 0.05, 0.1, 0.15], "T": [0.3, 0.6, 0.9, 1.2]}}
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.setenv("FAKE_LOG_DIR", str(log))
    extended = run(wider, store=store, extend=True, workers=1)
    assert len(list(log.iterdir())) == 4  # only the new alpha row
    kept = extended.sel(alpha=reference.alpha)
    for name in ("m_mc", "m_mc_err", "seed_mc", "m_theory"):
        np.testing.assert_array_equal(kept[name].values, reference[name].values)


def test_points_mode(tmp_path):
    spec = {**SPEC, "axes": None}
    spec.pop("axes")
    spec["points"] = {"alpha": [0.0, 0.1], "T": [0.5, 1.0]}
    ds = run(spec, workers=1)
    assert ds["m_mc"].dims == ("point",)
    np.testing.assert_allclose(ds["alpha"], [0.0, 0.1])
    np.testing.assert_allclose(ds["m_theory"], np.tanh(1 / np.array([0.5, 1.0])) * [1, 0.9])
