"""Which validated checkpoint a training run keeps (issue 26, regression).

Classification keeps the best validation accuracy (the reference's rule). Regression keeps a
checkpoint until a later one is better by more than one standard error of the paired
validation errors; the first validated checkpoint is always kept (before 2026-12-07 a
regression run whose every validation RMSE exceeded one standard deviation returned its
initial weights).
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from scipy import stats

from hopfield_sim.tabular.data import Encoded, Split
from hopfield_sim.tabular.evaluate import Evaluator, keeps_checkpoint, significantly_lower
from hopfield_sim.tabular.model import HopularConfig
from hopfield_sim.tabular.recipes import Recipe

train_module = importlib.import_module("hopfield_sim.tabular.train")


def test_a_lower_mean_within_one_paired_standard_error_is_not_enough():
    kept = np.ones(4)
    steady = np.array([0.5, 0.6, 0.4, 0.5])  # d = -0.5 +- 0.041: every row better
    noisy = np.array([0.0, 2.0, 0.0, 1.9])  # d mean -0.025, sd 1.10: lower, but noise
    assert significantly_lower(steady, kept)
    assert np.mean(noisy) < np.mean(kept) and not significantly_lower(noisy, kept)
    assert not significantly_lower(kept, kept)  # equal errors never replace
    assert significantly_lower([0.5], [1.0]) and not significantly_lower([1.0], [0.5])
    assert not significantly_lower([0.5], [0.5])  # one row, equal: not lower
    assert not significantly_lower([], [])
    for new, kept in (([0.5, 0.4], [1.0, 1.0, 1.0]), ([0.5, 0.4, 0.3], [1.0, 1.0]),
                      (np.zeros((2, 3)), np.ones((2, 3))), (0.5, 1.0)):  # fmt: skip
        with pytest.raises(ValueError, match="same rows"):
            significantly_lower(new, kept)


def test_the_rule_is_a_paired_t_statistic_below_minus_one():
    # independent route: scipy's paired t statistic t = mean(d) / (sd(d) / sqrt(n))
    rng = np.random.default_rng(3)
    seen = set()
    for _ in range(300):
        n = int(rng.integers(2, 40))
        kept = rng.exponential(size=n)
        new = kept * rng.lognormal(rng.normal(0.0, 0.3), 0.5, size=n)
        t = stats.ttest_rel(new, kept).statistic
        if abs(t + 1.0) < 1e-9:
            continue
        assert significantly_lower(new, kept) == (t < -1.0), (n, t)
        seen.add(bool(t < -1.0))
    assert seen == {True, False}


def test_keeps_the_first_checkpoint_then_follows_the_task_rule():
    # nothing kept yet: any checkpoint is taken, even a regression score below -1 (an RMSE
    # above one standard deviation), which the former sentinel -1.0 refused
    assert keeps_checkpoint(0, -1.0, -1.07, None, np.array([1.2, 1.1]))
    assert keeps_checkpoint(0, -1.0, 0.0)
    # classification: strictly higher accuracy
    assert keeps_checkpoint(5, 0.80, 0.81) and not keeps_checkpoint(5, 0.80, 0.80)
    assert not keeps_checkpoint(5, 0.80, 0.79)
    # regression: the errors decide, not the scores
    kept, noisy = np.ones(4), np.array([0.0, 2.0, 0.0, 1.9])
    assert not keeps_checkpoint(5, -1.0, -0.98, kept, noisy)
    assert keeps_checkpoint(5, -1.0, -1.5, kept, kept * 0.5)


def _regression_table(n: int = 48, seed: int = 0) -> Encoded:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, n))
    y = 2.0 * a - b + 0.1 * rng.normal(size=n)
    mean, std = float(y[:32].mean()), float(y[:32].std(ddof=1))
    x = np.stack([a, b, (y - mean) / std], 1).astype(np.float32)
    split = Split(0, "intended", np.arange(32), np.arange(32, 40), np.arange(40, n))
    return Encoded(x, np.zeros((n, 3), bool), y, (1, 1, 1), (False, False, False), split,
                   mean, std)  # fmt: skip


def _tiny(epochs: int) -> Recipe:
    model = HopularConfig(feature_size=4, num_blocks=1, feature_heads=1)
    return Recipe(name="budget", epochs=epochs, batch_size=None, memory_size=None,
                  learning_rate=5e-3, eval_every=1, model=model)  # fmt: skip


def _frozen_training(monkeypatch, script):
    """Training steps that change nothing (no training program is compiled) and scripted
    squared errors of the validation rows (8 rows from 32), one entry per call."""
    calls = iter(script)
    real = Evaluator.squared_errors

    def squared_errors(self, params, rows):
        if len(rows) == 8 and rows[0] == 32:
            return next(calls)
        return real(self, params, rows)

    def epoch(params, opt_state, ema, *args, **kwargs):
        return params, opt_state, ema, np.zeros(1, np.float32)

    monkeypatch.setattr(Evaluator, "squared_errors", squared_errors)
    monkeypatch.setattr(train_module, "_epoch", epoch)
    return calls


#: validation errors of 5 checkpoints (8 rows each) on which the former rule (the lowest
#: RMSE, and nothing above RMSE 1) and this one part ways
SCRIPT = [
    np.full(8, 1.5),  # epoch 1: RMSE 1.22 > 1, kept all the same (first)
    np.array([0.2, 2.5, 0.2, 2.4, 0.3, 2.3, 0.2, 1.6]),  # 2: mean 1.21, noise: not taken
    np.full(8, 1.0),  # 3: every row better than epoch 1: taken
    np.array([0.1, 1.5, 0.1, 1.6, 0.1, 1.5, 0.2, 1.2]),  # 4: lowest mean, noise against 3
    np.full(8, 1.2),  # 5: worse
]


def test_a_regression_run_keeps_what_the_paired_rule_says(monkeypatch):
    _frozen_training(monkeypatch, SCRIPT)
    res = train_module.train(_regression_table(), recipe=_tiny(5), seed=0)
    assert res.best_epoch == 3
    assert res.validation_accuracy == pytest.approx(-1.0)
    rmse = [-h["validation_accuracy"] for h in res.history]
    np.testing.assert_allclose(rmse, [np.sqrt(np.mean(s)) for s in SCRIPT])
    assert int(np.argmin(rmse)) + 1 == 4  # the former rule would have kept epoch 4
    assert res.test_rmse is not None and np.isfinite(res.test_r2)


def test_resuming_recomputes_the_kept_checkpoints_errors(monkeypatch, tmp_path):
    # stopped after epoch 3 (epoch 3 kept), the resumed run asks for the kept weights'
    # errors once more before judging epoch 4: scripted as epoch 3's, the outcome is the
    # uninterrupted run's; without that call epoch 4 would be compared with nothing
    path = tmp_path / "run.npz"
    _frozen_training(monkeypatch, SCRIPT[:3])
    first = train_module.train(_regression_table(), recipe=_tiny(5), seed=0, checkpoint=path,
                               stop_after=3)  # fmt: skip
    assert first.best_epoch == 3
    calls = _frozen_training(monkeypatch, [SCRIPT[2], *SCRIPT[3:]])
    res = train_module.train(_regression_table(), recipe=_tiny(5), seed=0, checkpoint=path)
    assert next(calls, None) is None  # every scripted answer was asked for
    assert (res.resumed_from, res.best_epoch) == (3, 3)
    assert res.validation_accuracy == pytest.approx(-1.0)


@pytest.mark.slow  # real training (one compile); the frozen twins above run by default
def test_a_resumed_regression_run_keeps_the_same_checkpoint(tmp_path):
    # resuming recomputes the kept weights' validation errors from the checkpoint; the
    # result must be the uninterrupted run's
    enc, r = _regression_table(seed=1), _tiny(6)
    whole = train_module.train(enc, recipe=r, seed=0)
    path = tmp_path / "run.npz"
    train_module.train(enc, recipe=r, seed=0, checkpoint=path, stop_after=3)
    resumed = train_module.train(enc, recipe=r, seed=0, checkpoint=path)
    assert resumed.resumed_from == 3
    assert (resumed.best_epoch, resumed.validation_accuracy, resumed.test_rmse) == (
        whole.best_epoch, whole.validation_accuracy, whole.test_rmse)  # fmt: skip
    assert [h["validation_accuracy"] for h in resumed.history] == [
        h["validation_accuracy"] for h in whole.history
    ]


def test_a_non_finite_loss_stops_the_run_and_names_its_epoch(monkeypatch):
    # frozen steps whose loss turns NaN in the third epoch
    losses = iter([0.5, 0.4, np.nan, 0.3])

    def epoch(params, opt_state, ema, *args, **kwargs):
        return params, opt_state, ema, np.full(1, next(losses), np.float32)

    monkeypatch.setattr(train_module, "_epoch", epoch)
    with pytest.raises(FloatingPointError, match=r"loss is nan at epoch 3\."):
        train_module.train(_regression_table(), recipe=_tiny(4), seed=0)
