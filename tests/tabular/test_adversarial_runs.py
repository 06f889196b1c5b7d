"""Tabular runs under a hostile or careless user (issue 27): stale and torn checkpoints, two
runs on one file, colliding or unwritable output names.

All training uses glass_identification with the budget recipe of ``test_train_cli`` (same
shapes and settings: one compilation per process) and stops after a few epochs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from hopfield_sim.cli import main
from hopfield_sim.commands import tabular as command
from hopfield_sim.tabular import checkpoint as ckpt
from hopfield_sim.tabular import load_dataset
from hopfield_sim.tabular.recipes import recipe
from hopfield_sim.tabular.train import data_digest, train

GLASS = Path(__file__).resolve().parents[2] / "data" / "hopular" / "glass_identification"
EPOCHS = 30  # the recipe of test_train_cli; runs below stop after a few epochs
ROOT = Path(__file__).resolve().parents[2]


def _encode(folder=GLASS):
    d = load_dataset(folder)
    return d.encode(d.split(0))


@pytest.fixture(scope="module")
def enc():
    return _encode()


@pytest.fixture(scope="module")
def budget(enc):
    return recipe(
        "budget", num_train=len(enc.split.train), num_features=len(enc.sizes), epochs=EPOCHS
    )


@pytest.fixture(scope="module")
def ten(enc, budget):
    """Reference: 10 uninterrupted epochs (validation every 5)."""
    return train(enc, recipe=budget, seed=0, stop_after=10)


def test_changed_data_or_split_file_is_not_resumed(enc, budget, tmp_path):
    folder = tmp_path / "glass"
    shutil.copytree(GLASS, folder)
    path = tmp_path / "run.npz"
    train(_encode(folder), recipe=budget, seed=0, checkpoint=path, stop_after=5)
    data = folder / "glass_identification_py.dat"
    lines = data.read_text().splitlines()
    lines[0] = "0.9" + lines[0][lines[0].index(",") :]  # one value changed
    data.write_text("\n".join(lines) + "\n")
    changed = _encode(folder)
    assert data_digest(changed) != data_digest(enc)
    with pytest.raises(ValueError, match="the data or split file changed"):
        train(changed, recipe=budget, seed=0, checkpoint=path, stop_after=6)
    shutil.copy(GLASS / "glass_identification_py.dat", data)  # data back; split changed:
    split = folder / "derived_splits" / "split0.json"
    s = json.loads(split.read_text())
    s["intended_train"][0], s["intended_test"][0] = s["intended_test"][0], s["intended_train"][0]
    split.write_text(json.dumps(s))
    with pytest.raises(ValueError, match="the data or split file changed"):
        train(_encode(folder), recipe=budget, seed=0, checkpoint=path, stop_after=6)
    orig = json.loads((GLASS / "derived_splits" / "split0.json").read_text())
    split.write_text(json.dumps({**orig, "intended_train": orig["intended_train"][::-1]}))
    with pytest.raises(ValueError, match="the data or split file changed"):  # order matters
        train(_encode(folder), recipe=budget, seed=0, checkpoint=path, stop_after=6)
    with pytest.raises(ValueError, match=r"the seed differs \(0 there, 3 here\)"):
        train(enc, recipe=budget, seed=3, checkpoint=path, stop_after=6)


def test_crash_while_saving_keeps_a_consistent_checkpoint(enc, budget, ten, tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    real, calls = os.replace, []

    def crash_on_second_save(src, dst):  # fault injection: die just before the 2nd rename
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt("injected crash")
        return real(src, dst)

    monkeypatch.setattr(ckpt.os, "replace", crash_on_second_save)
    with pytest.raises(KeyboardInterrupt):
        train(enc, recipe=budget, seed=0, checkpoint=path, stop_after=10)
    monkeypatch.setattr(ckpt.os, "replace", real)
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]  # no temporary, no lock left
    # what is on disk is epoch 5 throughout: its weights equal a run stopped at epoch 5
    five = tmp_path / "five.npz"
    train(enc, recipe=budget, seed=0, checkpoint=five, stop_after=5)
    a, b = np.load(path), np.load(five)
    assert json.loads(a["__meta__"].tobytes())["epoch"] == 5
    for key in b.files:
        if key != "__meta__":
            assert np.array_equal(a[key], b[key]), key
    # and resuming from it continues exactly
    resumed = train(enc, recipe=budget, seed=0, checkpoint=path, stop_after=10)
    assert resumed.resumed_from == 5
    assert resumed.history == ten.history and resumed.test_accuracy == ten.test_accuracy


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from hopfield_sim import storage  # the lock ckpt.locked takes (without importing JAX)
    path = Path(sys.argv[1])
    storage._acquire(storage._lock_path(path), path, what=sys.argv[2])
    print("locked", flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def holder(tmp_path):
    """A real second process holding the lock of a file (killed at the end)."""
    procs = []

    def start(path, what):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        p = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), what],
                             stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
        procs.append(p)
        assert p.stdout.readline().strip() == "locked"
        return p

    yield start
    for p in procs:
        p.kill()
        p.wait()
        p.stdout.close()


def test_second_run_on_one_checkpoint_or_out_is_refused(enc, budget, tmp_path, holder, capsys):
    path = tmp_path / "shared.npz"
    other = holder(path, "checkpoint")
    with pytest.raises(ckpt.CheckpointLockedError, match=f"another process \\(pid {other.pid}\\)"):
        train(enc, recipe=budget, seed=0, checkpoint=path, stop_after=1)
    assert not path.exists()
    out = tmp_path / "r.json"
    holder(out, "result file")
    assert main(["tabular", str(GLASS), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "result file" in err[0] and "another process" in err[0]


def test_docs_names_and_colliding_names(enc, budget, tmp_path, capsys):
    ck, out = tmp_path / "run.npz", tmp_path / "run.json"  # the docs' own names
    argv = ["tabular", str(GLASS), "--epochs", "5", "--no-progress"]
    assert main([*argv, "--checkpoint", str(ck), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["epochs"] == 5
    assert ckpt.load(ck, {})[1]["epoch"] == 5  # checkpoint intact next to the result
    capsys.readouterr()
    for bad, match in (
        (["--checkpoint", str(tmp_path / "ck.json")], "--checkpoint must be a file name ending"),
        (["--out", str(tmp_path / "r.npz")], "--out must be a file name ending in .json"),
        (["--out", str(tmp_path)], "--out must be a file name"),
    ):
        assert main([*argv, *bad]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and match in err[0], err
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="junk.npz is damaged or not a checkpoint"):
        train(enc, recipe=budget, seed=0, checkpoint=junk, stop_after=1)
    assert junk.read_bytes() == b"not a zip file at all"  # never overwritten


def test_unwritable_out_found_before_training_and_result_printed_first(tmp_path, capsys,
                                                                       monkeypatch):  # fmt: skip
    calls = []
    monkeypatch.setattr(command, "_train", lambda args: calls.append(1) or _fake_result())
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    argv = ["tabular", str(GLASS), "--no-progress", "--out"]
    assert main([*argv, str(blocker / "r.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--out" in err[0] and "cannot be written" in err[0]
    assert calls == []  # refused before any training
    # the folder disappears during training: the result line is still printed first
    folder = tmp_path / "gone"

    def train_then_break(args):
        shutil.rmtree(folder)
        folder.write_text("now a file")
        return _fake_result()

    monkeypatch.setattr(command, "_train", train_then_break)
    assert main([*argv, str(folder / "r.json")]) == 2
    captured = capsys.readouterr()
    assert "test accuracy 50.00 %" in captured.out
    assert "could not write --out" in captured.err and "printed above" in captured.err


def _fake_result():  # injected outcome of training (the write path under test)
    return {"dataset": "d", "split": 0, "recipe": "budget", "test_accuracy": 0.5,
            "validation_accuracy": 0.5, "best_epoch": 1, "epochs": 1, "seconds": 0.1}  # fmt: skip


def test_huge_seed_is_refused(enc, budget, capsys):
    with pytest.raises(ValueError, match="seed must be an int in 0..4294967295"):
        train(enc, recipe=budget, seed=2**32)
    assert main(["tabular", str(GLASS), "--seed", str(2**64)]) == 2
    assert "--seed must lie in" in capsys.readouterr().err


def test_out_never_overwrites_a_file_of_the_data_set(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "glass"
    shutil.copytree(GLASS, folder)
    split = folder / "derived_splits" / "split0.json"
    before = split.read_bytes()
    monkeypatch.setattr(command, "_train", lambda args: pytest.fail("trained"))
    assert main(["tabular", str(folder), "--no-progress", "--out", str(split)]) == 2
    assert "inside the data set folder" in capsys.readouterr().err
    assert split.read_bytes() == before
