"""Sweep storage that scales: per-batch part files, theory in batches, the writer lock.

Fake runners (``sweep_fakes``) stand in for theory and Monte Carlo; what is tested is the
storage machinery: a batch is stored without rewriting the result file, kill -9 during the
theory phase loses no finished batch and the resumed file equals an uninterrupted run, a
second writer is refused, damaged batch files give the documented error, a rerun with
nothing to do does not touch the file.
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

from hopfield_sim import storage
from hopfield_sim.sweep import open_sweep, sweep

HERE = Path(__file__).parent
THEORY_SPEC = {
    "seed": 3,
    "model": {"protocol": "hebbian", "P": 2},
    "axes": {"alpha": [0.01 * i for i in range(12)], "T": [0.3, 0.6, 0.9, 1.2]},
    "theory": {},
}
MC_SPEC = {**THEORY_SPEC, "montecarlo": {"N": 100, "sweeps": 10}}
FAKES = {"_theory": sweep_fakes.theory, "_montecarlo": sweep_fakes.montecarlo}


def run(spec, **kw):
    return sweep(spec, progress=False, **{**FAKES, **kw})


@pytest.fixture(scope="module")
def reference():
    return run(MC_SPEC, workers=1)


def test_theory_in_batches_equals_one_batch(reference, tmp_path):
    batched = run(MC_SPEC, workers=1, theory_batch_size=4, store=tmp_path / "b.h5")
    sweep_fakes.assert_same(batched, reference)
    sweep_fakes.assert_same(open_sweep(tmp_path / "b.h5"), reference)
    assert bool(reference["done_theory"].all())
    assert not storage.parts_dir(tmp_path / "b.h5").exists()  # folded in at the end


def test_batches_are_stored_without_rewriting_the_result_file(tmp_path, monkeypatch):
    """Every batch after the first is its own part file; the main file is left alone."""
    store = tmp_path / "s.h5"
    seen = []
    real_append = storage.Store.append

    def spy(self, *args, **kwargs):
        seen.append((store.stat().st_ino, store.stat().st_mtime_ns))
        return real_append(self, *args, **kwargs)

    monkeypatch.setattr(storage.Store, "append", spy)
    run(MC_SPEC, workers=1, batch_size=5, theory_batch_size=8, store=store)
    # 6 theory batches + 10 Monte Carlo batches; the first creates the main file
    assert len(seen) == 6 + 10 - 1
    assert len(set(seen)) == 1  # the main file was not replaced while batches were stored


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {here!r})
    import sweep_fakes
    from hopfield_sim.sweep import sweep
    sweep({spec!r}, store={store!r}, workers=1, batch_size=1, theory_batch_size=4,
          progress=False, _theory=sweep_fakes.theory, _montecarlo=sweep_fakes.montecarlo)
    """
)


@pytest.mark.slow  # the default tier kills a sweep in its Monte Carlo phase (same storage)
def test_sigkill_during_theory_then_resume_equals_uninterrupted(reference, tmp_path):
    store = tmp_path / "killed.h5"
    code = KILL_SCRIPT.format(here=str(HERE), spec=MC_SPEC, store=str(store))
    env = {**os.environ, "FAKE_THEORY_DELAY": "0.2"}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline, done = time.monotonic() + 60, 0
        while time.monotonic() < deadline and done < 12:
            time.sleep(0.05)
            if store.exists():
                done = int(open_sweep(store)["done_theory"].sum())
        assert done >= 12, "the theory phase did not progress"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    partial = open_sweep(store)
    solved = partial["done_theory"].values
    assert 12 <= solved.sum() < solved.size and solved.sum() % 12 == 0  # whole slabs
    np.testing.assert_array_equal(np.isfinite(partial["m_theory"].values), solved)
    assert storage.parts_dir(store).is_dir()  # batches after the first live in parts
    # a killed writer leaves no lock behind: the rerun can take it
    again = run(MC_SPEC, store=store, workers=1)
    sweep_fakes.assert_same(again, reference)
    sweep_fakes.assert_same(open_sweep(store), reference)


def test_second_writer_gets_a_clear_error(tmp_path):
    store = tmp_path / "locked.h5"
    with storage.Store(store):
        with pytest.raises(storage.StoreLockedError, match="being written by another process"):
            run(THEORY_SPEC, store=store)
    assert not store.exists()
    run(THEORY_SPEC, store=store)  # released: works
    assert not list(tmp_path.glob(".*.lock"))


def test_lock_held_by_another_process(tmp_path):
    store = tmp_path / "other.h5"
    code = (
        "import sys, time; from hopfield_sim import storage\n"
        f"with storage.Store({str(store)!r}):\n"
        "    print('locked', flush=True); time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(storage.StoreLockedError, match=f"pid {proc.pid}"):
            run(THEORY_SPEC, store=store)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    run(THEORY_SPEC, store=store)  # the kernel released the dead holder's lock


def test_damaged_batch_file_gives_the_documented_error(tmp_path):
    store = tmp_path / "p.h5"
    ds = run(THEORY_SPEC, store=store)
    with storage.Store(store) as writer:  # a stored batch as an interrupted sweep leaves it
        writer.append(ds.attrs["sweep_spec"], np.array([0]), {"m_theory": ((), np.array([0.5]))})
    assert open_sweep(store)["m_theory"].values.flat[0] == 0.5  # the consolidated view
    part = next(storage.iter_parts(store))
    part.write_bytes(part.read_bytes()[:40])
    with pytest.raises(storage.DamagedStoreError, match="batch file .* is damaged.*delete it"):
        open_sweep(store)


def test_rerun_with_nothing_to_do_does_not_rewrite(tmp_path, capsys):
    store = tmp_path / "done.h5"
    run(THEORY_SPEC, store=store)
    before = (store.stat().st_ino, store.stat().st_mtime_ns)
    sweep(THEORY_SPEC, store=store, _theory=sweep_fakes.theory)
    assert (store.stat().st_ino, store.stat().st_mtime_ns) == before
    assert "nothing to do" in capsys.readouterr().err


def test_cf_attributes_and_descriptions(reference):
    attrs = reference.attrs
    assert attrs["Conventions"].startswith("CF-") and attrs["title"]
    assert "created by hopfield-sim" in attrs["history"] and attrs["date_created"].endswith("Z")
    for name in list(reference.data_vars) + list(reference.coords):
        if reference[name].dims:  # scalar fixed coordinates carry them as well when known
            assert reference[name].attrs.get("long_name"), name
            assert "units" in reference[name].attrs, name
