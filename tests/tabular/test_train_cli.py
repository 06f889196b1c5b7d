"""Training (loss decreases, determinism, checkpoint/resume) and the command line.

One small configuration throughout (glass_identification, budget recipe: full batch, one
block), so every run after the first reuses the compiled step.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hopfield_sim.cli import main
from hopfield_sim.tabular import checkpoint as ckpt
from hopfield_sim.tabular import load_dataset
from hopfield_sim.tabular.recipes import recipe
from hopfield_sim.tabular.train import train

GLASS = Path(__file__).resolve().parents[2] / "data" / "hopular" / "glass_identification"
EPOCHS = 30


@pytest.fixture(scope="module")
def enc():
    d = load_dataset(GLASS)
    return d.encode(d.split(0))


@pytest.fixture(scope="module")
def budget(enc):
    return recipe(
        "budget", num_train=len(enc.split.train), num_features=len(enc.sizes), epochs=EPOCHS
    )


@pytest.fixture(scope="module")
def reference_run(enc, budget):
    return train(enc, recipe=budget, seed=0)


def test_loss_decreases_and_beats_chance(reference_run, budget, enc):
    h = reference_run.history
    assert [e["epoch"] for e in h] == list(range(budget.eval_every, EPOCHS + 1, budget.eval_every))
    # the feature-loss weight is 0 from epoch EPOCHS/4 on: compare target-only losses
    assert h[-1]["loss"] < 0.9 * h[1]["loss"]
    assert 1 <= reference_run.best_epoch <= EPOCHS
    # a fraction of the test rows, above always answering the most frequent test class
    test_y = enc.y[enc.split.test]
    correct = reference_run.test_accuracy * test_y.size
    assert correct == pytest.approx(round(correct), abs=1e-9)
    majority = np.bincount(test_y).max() / test_y.size
    assert reference_run.test_accuracy > majority + 0.05, (reference_run.test_accuracy, majority)
    # the epochs that may compile: the first and the first validating one (epoch 5 of 30)
    assert reference_run.warmup[1] == 2 and 0.0 < reference_run.warmup[0] < reference_run.seconds


def test_deterministic_for_a_seed(enc, budget, reference_run):
    again = train(enc, recipe=budget, seed=0)
    assert again.history == reference_run.history
    assert again.test_accuracy == reference_run.test_accuracy
    other = train(enc, recipe=budget, seed=1)
    assert other.history != reference_run.history


def test_checkpoint_resume_continues_exactly(enc, budget, reference_run, tmp_path):
    path = tmp_path / "run.npz"
    part = train(enc, recipe=budget, seed=0, checkpoint=path, stop_after=12)
    assert part.epochs == 12 and path.is_file() and not path.with_suffix(".json").exists()
    assert ckpt.load(path, {})[1]["epoch"] == 12  # one file: arrays and metadata
    rest = train(enc, recipe=budget, seed=0, checkpoint=path)
    assert rest.resumed_from == 12
    assert rest.warmup[1] == 2  # this call's first epoch (13) and first validation (15)
    assert rest.history == reference_run.history
    assert rest.test_accuracy == reference_run.test_accuracy
    with pytest.raises(ValueError, match="belongs to another run"):
        train(enc, recipe=budget, seed=5, checkpoint=path)


def test_the_feature_loss_weight_changes_training(enc, budget, reference_run):
    # the feature reconstruction loss trains the model too: annealed over 1 epoch instead of
    # 7.5 (a quarter of 30), the run differs (the weight is a per-epoch input: no compile)
    from dataclasses import replace

    quick = train(enc, recipe=replace(budget, loss_horizon=1.0), seed=0)
    assert budget.loss_horizon == 7.5 and quick.history != reference_run.history
    # from epoch 8 on both weights are 0, and the loss is the target's alone in both runs
    assert quick.history[-1]["loss"] != reference_run.history[-1]["loss"]


def test_a_run_stopped_before_its_first_validation_reports_none(enc, budget, tmp_path):
    early = train(enc, recipe=budget, seed=0, stop_after=budget.eval_every - 1)
    assert early.validation_accuracy is None and early.best_epoch == 0 and early.history == []
    assert early.epochs == budget.eval_every - 1


def test_one_step_applies_the_learning_rate_and_the_weight_average(enc, budget, tmp_path):
    """Glass is small (one full-batch step per epoch). After one epoch the checkpoint holds
    p1 = p0 + lr u, with u the clipped LAMB step at unit rate (it does not depend on lr) and
    lr the schedule's value at step 0 (the recipe's rate), and the weight average's sum from
    zeros, ema = (1 - decay) p1 (``weight_average`` divides it by 1 - decay)."""
    from dataclasses import replace

    import jax
    from flax import nnx

    from hopfield_sim.tabular.model import build
    from hopfield_sim.tabular.train import _optimizer

    def one_epoch(lr):
        r = replace(budget, learning_rate=lr)
        path = tmp_path / f"lr{lr}.npz"
        train(enc, recipe=r, seed=0, checkpoint=path, stop_after=1)
        model = build(sizes=enc.sizes, discrete=enc.discrete, config=r.model, seed=0)
        model.train()
        p0 = nnx.split(model, nnx.Param, nnx.RngKey, ...)[1]
        tx = _optimizer(tuple(r.betas), r.eps, r.weight_decay, r.clip_norm)
        trees = ckpt.load(path, {"params": p0, "opt_state": tx.init(p0), "ema": p0,
                                 "best": p0})[0]  # fmt: skip
        return [np.asarray(v, np.float64) for v in jax.tree.leaves((p0, trees["params"],
                                                                    trees["ema"]))]  # fmt: skip

    a, twice = one_epoch(2e-3), one_epoch(4e-3)
    n = len(a) // 3
    p0, p1, ema = a[:n], a[n : 2 * n], a[2 * n :]
    d = budget.ema_decay
    moved = 0.0
    for k in range(n):
        np.testing.assert_allclose(ema[k], (1.0 - d) * p1[k], rtol=1e-6, atol=1e-9)
        step, step2 = p1[k] - p0[k], twice[n + k] - p0[k]
        np.testing.assert_allclose(step2, 2.0 * step, rtol=1e-3, atol=1e-7)
        moved = max(moved, float(np.abs(step).max()))
    assert moved > 1e-4  # the step did move the weights


def test_cli_smoke(tmp_path, capsys, reference_run):
    out = tmp_path / "r.json"
    argv = ["tabular", str(GLASS), "--epochs", str(EPOCHS), "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and "test accuracy" in lines[0]
    r = json.loads(out.read_text())
    for key in ("dataset", "split", "recipe", "test_accuracy", "validation_accuracy"):
        assert key in r
    assert (r["dataset"], r["split"], r["recipe"], r["epochs"]) == (
        "glass_identification",
        0,
        "budget",
        EPOCHS,
    )
    assert r["test_accuracy"] == reference_run.test_accuracy  # same seed, same recipe
    assert r["best_epoch"] == reference_run.best_epoch and r["seconds"] > 0


def test_cli_numeric_transform_and_bins_are_the_recipes(tmp_path, capsys, enc, budget):
    from dataclasses import replace

    out = tmp_path / "q.json"
    argv = ["tabular", str(GLASS), "--epochs", str(EPOCHS), "--out", str(out), "--no-progress",
            "--numeric-transform", "quantile", "--numeric-bins", "4"]  # fmt: skip
    assert main(argv) == 0
    r = json.loads(out.read_text())
    assert r["settings"]["numeric_transform"] == "quantile"
    assert r["settings"]["model"]["numeric_bins"] == 4
    model = replace(budget.model, numeric_bins=4)
    same = train(enc, recipe=replace(budget, numeric_transform="quantile", model=model), seed=0)
    assert (r["test_accuracy"], r["history"]) == (same.test_accuracy, same.history)
    # the predictor passes new rows through the fitted transform: the test rows' accuracy
    rows = enc.split.test
    out = same.predict(enc.source[rows], enc.missing[rows])
    assert np.mean(np.argmax(out, -1) == enc.y[rows]) == same.test_accuracy
    plain = train(enc, recipe=replace(budget, numeric_transform="quantile"), seed=0)
    assert plain.history != same.history  # the bins change the run


@pytest.mark.parametrize(
    "args, match",
    [
        (["tabular", "/nonexistent/folder"], "no dataset.toml"),
        (["tabular", str(GLASS), "--split", "9"], "split must lie"),
        (["tabular", str(GLASS), "--epochs", "0"], "--epochs"),
        (["tabular", str(GLASS), "--recipe", "auto", "--numeric-transform", "quantile"],
         "numeric transform"),
        (["tabular", str(GLASS), "--recipe", "auto", "--numeric-bins", "16"], "bins"),
        (["tabular", str(GLASS), "--numeric-bins", "1"], "numeric_bins must be 0 or"),
        (["tabular", str(GLASS), "--recipe", "auto", "--min-frequency", "5"], "pooling"),
        (["tabular", str(GLASS), "--min-frequency", "-1"], "min_frequency must be an int >= 0"),
    ],
)
def test_cli_errors_are_one_line(args, match, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and match in err[0]


def test_memory_guard_refuses_before_any_work(enc, budget, monkeypatch):
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "1MB")
    with pytest.raises(ValueError, match="HOPFIELD_SIM_MAX_MEMORY"):
        train(enc, recipe=budget, seed=0)


def test_bad_arguments(enc, budget):
    with pytest.raises(ValueError, match="seed"):
        train(enc, recipe=budget, seed=-1)
    with pytest.raises(ValueError, match="recipe must be"):
        recipe("fast")
    with pytest.raises(ValueError, match="epochs"):
        recipe("budget", epochs=0)
