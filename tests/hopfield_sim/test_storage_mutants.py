"""``hopfield_sim.storage`` details that mutation testing found unchecked (issue 29): part
numbering, per-pattern and large batches, damaged indices, stray files, stale temporaries,
the lock file and the folder check. A minimal store is written by hand (no sweep run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

from hopfield_sim import storage
from hopfield_sim._layout import FORMAT_ATTR, FORMAT_VERSION, SPEC_ATTR


def _store(tmp_path, n=3):
    alpha = np.linspace(0.0, 0.1, n)
    spec = json.dumps({"axes": {"alpha": alpha.tolist()}})
    ds = xr.Dataset(coords={"alpha": alpha}, attrs={FORMAT_ATTR: FORMAT_VERSION, SPEC_ATTR: spec})
    path = tmp_path / "s.h5"
    storage.write(ds, path)
    return path, spec


def test_part_numbers_continue_after_the_existing_ones(tmp_path):
    path, spec = _store(tmp_path)
    one = {"m_mc": ((), np.array([0.5]))}
    with storage.Store(path) as w:
        names = [w.append(spec, np.array([i]), one).name for i in (0, 1, 2)]
    with storage.Store(path) as w:
        names.append(w.append(spec, np.array([2]), one).name)
    assert names == ["00000000.h5", "00000001.h5", "00000002.h5", "00000003.h5"]
    assert [p.name for p in storage.iter_parts(path)] == names


def test_per_pattern_batch_round_trip(tmp_path):
    path, spec = _store(tmp_path)
    vals = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with storage.Store(path) as w:
        w.append(spec, np.array([2, 0]), {"m_mc": (("pattern",), vals)})
    m = storage.read(path)["m_mc"]
    assert m.dims == ("alpha", "pattern")
    np.testing.assert_array_equal(m.values[[2, 0]], vals)
    assert np.isnan(m.values[1]).all()


def test_batch_of_300_points(tmp_path):
    path, spec = _store(tmp_path, 300)
    with storage.Store(path) as w:
        w.append(spec, np.arange(300), {"m_mc": ((), np.arange(300.0))})
    np.testing.assert_array_equal(storage.read(path)["m_mc"].values, np.arange(300.0))


@pytest.mark.parametrize("index", [[3], [7], [-1], [0, 0]])
def test_batch_index_outside_the_grid_is_damage(tmp_path, index):
    path, spec = _store(tmp_path)
    with storage.Store(path) as w:
        w.append(spec, np.array(index), {"m_mc": ((), np.zeros(len(index)))})
    with pytest.raises(storage.DamagedStoreError, match="is damaged: its 'index'"):
        storage.read(path)


def test_files_that_are_not_parts_are_ignored(tmp_path):
    path, spec = _store(tmp_path)
    with storage.Store(path) as w:
        w.append(spec, np.array([1]), {"m_mc": ((), np.array([0.25]))})
    for stray in ("1.bak", "2.a", "3.txt", "notes.h5"):
        (storage.parts_dir(path) / stray).write_text("not a part")
    assert storage.read(path)["m_mc"].values[1] == 0.25


def test_stale_temporaries_are_removed_unless_a_live_writer_owns_them(tmp_path):
    path, _ = _store(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    # SIGHUP at its default (a parent under nohup would pass it on ignored): a signal other
    # than 0 would end it
    code = "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_DFL); time.sleep(60)"
    child = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(0.5)  # let it install the handler
    try:
        live = child.pid  # alive, and not this process
        names = {p: tmp_path / f".s.h5.tmp-{p}" for p in (os.getpid(), dead, live)}
        for f in names.values():
            f.write_text("partial")
        storage.write(storage.read(path), path)
        assert not names[os.getpid()].exists() and not names[dead].exists()
        assert names[live].exists()
        with pytest.raises(subprocess.TimeoutExpired):  # only probed (signal 0): still alive
            child.wait(timeout=1.0)
    finally:
        child.kill()
        child.wait()


def test_lock_file_mode(tmp_path):
    path, _ = _store(tmp_path)
    umask = os.umask(0)
    os.umask(umask)
    with storage.Store(path):
        mode = (tmp_path / ".s.h5.lock").stat().st_mode & 0o777
    assert mode == 0o644 & ~umask


def test_store_folder_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError, match="cannot create the folder of store"):
        storage.check_writable(tmp_path / "file" / "sub" / "s.h5")


def test_lock_taken_again_when_its_file_vanished(tmp_path, monkeypatch):
    """The lock file disappears between open and stat (the previous holder unlinked it):
    the lock is opened again, not used."""
    path, _ = _store(tmp_path)
    lock = str(tmp_path / ".s.h5.lock")
    real_open, real_stat, opens = os.open, os.stat, []

    def counting_open(p, *a, **kw):
        if str(p) == lock:
            opens.append(p)
        return real_open(p, *a, **kw)

    def vanishing_stat(p, *a, **kw):
        if str(p) == lock and len(opens) == 1:
            raise FileNotFoundError(p)
        return real_stat(p, *a, **kw)

    monkeypatch.setattr(storage.os, "open", counting_open)
    monkeypatch.setattr(storage.os, "stat", vanishing_stat)
    with storage.Store(path):
        pass
    assert len(opens) == 2


def test_consolidate_removes_this_process_temporaries(tmp_path):
    """A batch temporary of this very process (left by an interrupted append) is stale once
    the batches are consolidated; the parts folder goes with it."""
    path, spec = _store(tmp_path)
    with storage.Store(path) as w:
        w.append(spec, np.array([1]), {"m_mc": ((), np.array([0.25]))})
        stale = storage.parts_dir(path) / f".00000009.h5.tmp-{os.getpid()}"
        stale.write_text("partial")
        w.consolidate(storage.read(path))
    assert not stale.exists() and not storage.parts_dir(path).exists()
    assert storage.read(path)["m_mc"].values[1] == 0.25


@pytest.mark.parametrize(
    "exc",
    [OSError(28, "disk"), OSError("HDF5 error: errno = 28"), RuntimeError("No space left")],
)
def test_full_disk_is_recognised_by_errno_or_message(tmp_path, exc):
    with pytest.raises(OSError, match="no space left on the device") as info:
        storage._raise_if_disk_full(exc, tmp_path / "s.h5")
    assert info.value.errno == 28
    storage._raise_if_disk_full(OSError("permission denied"), tmp_path / "s.h5")  # not full


def test_nested_store_folders_are_created(tmp_path):
    storage.check_writable(tmp_path / "a" / "b" / "s.h5")
    assert (tmp_path / "a" / "b").is_dir()


def test_files_that_are_not_hdf5(tmp_path):
    for content, what in (
        (b"", "an empty file"),
        (b"abc text", "not an HDF5/netCDF4 file"),
        (b"\xff\xfe text", "not an HDF5/netCDF4 file"),
    ):
        f = tmp_path / "x.h5"
        f.write_bytes(content)
        with pytest.raises(
            storage.DamagedStoreError, match=f"not an HDF5/netCDF sweep file \\({what}\\)"
        ):
            storage.read(f)


def test_part_of_another_spec_or_with_mismatched_values(tmp_path):
    path, spec = _store(tmp_path)
    with storage.Store(path) as w:
        part = w.append(spec + " ", np.array([0]), {"m_mc": ((), np.array([0.5]))})
    with pytest.raises(storage.DamagedStoreError, match="belongs to another sweep spec"):
        storage.read(path)
    part.unlink()
    with storage.Store(path) as w:  # a spec that sorts before the stored one
        part = w.append("{ " + spec[1:], np.array([0]), {"m_mc": ((), np.array([0.5]))})
    with pytest.raises(storage.DamagedStoreError, match="belongs to another sweep spec"):
        storage.read(path)
    part.unlink()
    with storage.Store(path) as w:
        part = w.append(spec, np.array([0]), {"m_mc": ((), np.array([0.5, 0.6]))})
    with pytest.raises(storage.DamagedStoreError, match=r"indices in 0\.\.2 matching its values"):
        storage.read(path)
    part.unlink()
    with storage.Store(path) as w:  # fewer values than indices
        w.append(spec, np.array([0, 1]), {"m_mc": ((), np.array([0.5]))})
    with pytest.raises(storage.DamagedStoreError, match="matching its values"):
        storage.read(path)


def test_full_disk_while_writing_the_main_file(tmp_path, monkeypatch):
    path, _ = _store(tmp_path)
    ds = storage.read(path)

    def full(self, *a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    with pytest.raises(OSError, match="no space left on the device"):
        storage.write(ds, path)


def test_folder_checks(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        storage.check_writable(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError, match=r"sub/s\.h5: Not a directory\.$"):
        storage.check_writable(tmp_path / "file" / "sub" / "s.h5")


def test_part_numbers_restart_after_consolidation(tmp_path):
    path, spec = _store(tmp_path)
    with storage.Store(path) as w:
        w.append(spec, np.array([0]), {"m_mc": ((), np.array([0.5]))})
        w.consolidate(storage.read(path))
        assert w.append(spec, np.array([1]), {"m_mc": ((), np.array([0.6]))}).name == "00000000.h5"


def test_write_creates_nested_folders(tmp_path):
    path, _ = _store(tmp_path)
    out = storage.write(storage.read(path), tmp_path / "a" / "b" / "t.h5")
    assert storage.read(out).attrs[SPEC_ATTR] == storage.read(path).attrs[SPEC_ATTR]


def test_damaged_or_foreign_main_files(tmp_path):
    path, _ = _store(tmp_path)
    data = path.read_bytes()
    bad = tmp_path / "cut.h5"
    bad.write_bytes(data[: len(data) // 3])  # HDF5 magic, truncated body
    with pytest.raises(storage.DamagedStoreError, match="is damaged: it is not a readable"):
        storage.read(bad)
    for attrs in ({FORMAT_ATTR: FORMAT_VERSION}, {SPEC_ATTR: "{}"}):
        other = tmp_path / "other.h5"
        xr.Dataset(attrs=attrs).to_netcdf(other, engine="h5netcdf")
        with pytest.raises(ValueError, match="not a hopfield-sim sweep"):
            storage.read(other)


def test_lock_taken_again_when_its_file_was_replaced(tmp_path, monkeypatch):
    """The lock path names another inode than the one opened: opened again."""
    path, _ = _store(tmp_path)
    lock = str(tmp_path / ".s.h5.lock")
    real_open, real_stat, opens = os.open, os.stat, []

    def counting_open(p, *a, **kw):
        if str(p) == lock:
            opens.append(p)
        return real_open(p, *a, **kw)

    class Other:
        st_ino = 2**62  # larger than any real inode, and not the same int object

    def replaced_stat(p, *a, **kw):
        if str(p) == lock and len(opens) == 1:
            return Other()
        return real_stat(p, *a, **kw)

    monkeypatch.setattr(storage.os, "open", counting_open)
    monkeypatch.setattr(storage.os, "stat", replaced_stat)
    with storage.Store(path):
        pass
    assert len(opens) == 2


def test_every_stale_temporary_is_removed(tmp_path):
    """Other files in the folder do not stop the clean-up (many, in directory order)."""
    path, _ = _store(tmp_path)
    for i in range(30):
        (tmp_path / f"other-{i}.txt").write_text("x")
    stale = tmp_path / f".s.h5.tmp-{os.getpid()}"
    stale.write_text("partial")
    storage._remove_stale_temporaries(tmp_path, ".s.h5.tmp-")
    assert not stale.exists()


def test_full_disk_while_writing_a_batch(tmp_path, monkeypatch):
    import h5py

    path, spec = _store(tmp_path)

    def full(*a, **kw):
        raise OSError(28, "No space left on device")

    with storage.Store(path) as w:
        monkeypatch.setattr(h5py, "File", full)
        with pytest.raises(OSError, match="no space left on the device"):
            w.append(spec, np.array([0]), {"m_mc": ((), np.array([0.5]))})


def test_live_writer_of_a_store_whose_name_holds_tmp(tmp_path):
    """Store ``x.tmp-1.h5``: the pid is the part after the last ``.tmp-``."""
    ds = storage.read(_store(tmp_path)[0])
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        theirs = tmp_path / f".x.tmp-1.h5.tmp-{child.pid}"
        theirs.write_text("partial")
        storage.write(ds, tmp_path / "x.tmp-1.h5")
        assert theirs.exists()
    finally:
        child.kill()
        child.wait()


def test_temporaries_of_other_stores_are_left(tmp_path):
    path, _ = _store(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    other = tmp_path / f".other.h5.tmp-{dead}"
    other.write_text("another store's business")
    storage.write(storage.read(path), path)
    assert other.exists()


def test_batch_file_with_a_float_index_is_damage(tmp_path):
    """A part whose 'index' holds floats (edited by hand: Store.append writes int64) is
    reported as damaged, even with values inside the grid."""
    import h5py

    path, spec = _store(tmp_path)
    with storage.Store(path) as w:
        part = w.append(spec, np.array([1]), {"m_mc": ((), np.array([0.5]))})
    with h5py.File(part, "r+") as fh:
        del fh["index"]
        fh.create_dataset("index", data=np.array([1.0]))
    with pytest.raises(storage.DamagedStoreError, match="is damaged: its 'index'"):
        storage.read(path)


def test_stale_temporaries_listed_after_a_live_writers_are_removed(tmp_path):
    """The sweep over the temporaries goes on past a live writer's one: the folder lists
    it first here. The parent process is alive; pid 2^22 + 1 exceeds Linux's largest pid."""

    class Listed:  # the folder, listed in this order
        def exists(self):
            return True

        def iterdir(self):
            return iter([live, stale])

    live = tmp_path / f".s.h5.tmp-{os.getppid()}"
    stale = tmp_path / f".s.h5.tmp-{2**22 + 1}"
    for f in (live, stale):
        f.write_text("partial")
    storage._remove_stale_temporaries(Listed(), ".s.h5.tmp-")
    assert live.exists() and not stale.exists()
