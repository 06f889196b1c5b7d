"""recipe="auto": the search space, successive halving and the time budget (training faked:
the halving logic is tested against a known validation score), and a real search whose kept
default must equal the plain budget run bit for bit."""

from __future__ import annotations

import sys
import types
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hopfield_sim.tabular import load_dataset, search
from hopfield_sim.tabular.recipes import recipe
from hopfield_sim.tabular.train import train

GLASS = Path(__file__).resolve().parents[2] / "data" / "hopular" / "glass_identification"
SHRUTIME = GLASS.parent / "shrutime"


@pytest.fixture(scope="module")
def enc():
    d = load_dataset(GLASS)
    return d.encode(d.split(0))


def test_feature_size_rules():
    # F = 11 (shrutime): 256 // 11 = 23 -> 16; 512 // 11 = 46 -> 32. F = 33: 7 and 15.
    assert search.default_feature_sizes(11) == (16, 32)
    assert search.default_feature_sizes(33) == (7, 15)
    assert search.default_feature_sizes(200) == (4, 8)
    # F = 16, 32: at the caps' edges (512 // 16 = 32, 512 // 32 = 16, 256 // 32 = 8)
    assert search.default_feature_sizes(16) == (16, 32)
    assert search.default_feature_sizes(32) == (8, 16)


def test_candidates_stay_in_the_space_and_start_with_the_budget_recipe(enc):
    rs = search.candidates(enc, 18, seed=0, max_families=3)
    base = recipe("budget", num_train=len(enc.split.train), num_features=len(enc.sizes))
    assert rs[0] == base  # trial 0 is the budget recipe itself (100 epochs, not 108)
    families = {search._family(r) for r in rs}
    # three drawn families (the budget's first) and the twin's (its bins add parameters)
    assert len(families) == 4 and search._family(base) in families
    # trial 1: the same setting on quantile-normalised numeric features (glass is numeric),
    # embedded in 16 piecewise-linear bins; nothing else changes
    twin = replace(base, name="auto", numeric_transform="quantile",
                   model=replace(base.model, numeric_bins=16))  # fmt: skip
    assert rs[1] == twin and search._family(twin) in families
    assert all(r.model.numeric_bins == 0 for r in rs[:1] + rs[2:])
    assert {r.numeric_transform for r in rs[2:]} == {"standard", "quantile"}
    nine = 9 * -(-base.epochs // 9)  # the other trials: epochs a multiple of 9
    for r in rs[2:]:
        assert 1e-3 <= r.learning_rate <= 1e-2 and 0 <= r.mask_p <= 0.1
        assert 0.05 <= r.replace_p <= 0.3 and r.epochs in (nine, 2 * nine)
        assert r.model.num_blocks in (1, 2) and r.weight_decay in (0.0, 0.1)
        assert r.eval_every * 9 == r.epochs  # validation at every rung boundary
        assert r.memory_size is None  # small set: the whole training set
        # 4-wide feature-feature heads; horizons: learning rate over the trial, feature-loss
        # weight over its first quarter (small tier)
        assert r.model.feature_heads == r.model.feature_size // 4
        assert r.lr_horizon == r.epochs and r.loss_horizon == r.epochs / 4
    # glass: F = 10, so the two feature sizes 16 and 32 both appear among 16 drawn trials
    assert {r.model.feature_size for r in rs[2:]} == {16, 32}


def _numeric_table(n_train: int, n_validation: int, *, regression: bool = False, seed: int = 0):
    """A synthetic encoded table: 3 numeric features and a target (4 classes, or numeric)."""
    from hopfield_sim.tabular.data import Encoded, Split

    n = n_train + n_validation
    rng = np.random.default_rng(seed)
    split = Split(0, "intended", np.arange(n_train), np.arange(n_train, n), np.arange(0))
    y = rng.normal(size=n) if regression else rng.integers(0, 4, n)
    C = 1 if regression else 4
    x = np.concatenate([rng.normal(size=(n, 3)), np.zeros((n, C))], axis=1).astype(np.float32)
    return Encoded(x, np.zeros((n, 4), bool), y, (1, 1, 1, C), (False,) * 3 + (not regression,),
                   split)  # fmt: skip


def test_medium_tier_trials_sample_the_memory_and_anneal_over_a_tenth():
    enc = _numeric_table(600, 100)  # 600 training rows: batches of 256, 2 steps per epoch
    rs = search.candidates(enc, 9, seed=0)
    base = recipe("budget", num_train=600, num_features=4)
    assert rs[0] == base and base.epochs == 250  # 500 steps at 2 per epoch
    for r in rs[2:]:
        assert r.batch_size == 256 and r.memory_size == 512  # min(N, max(512, 64 C))
        assert r.loss_horizon == r.epochs / 10 and r.epochs in (252, 504)
    wide = search.candidates(_numeric_table(2000, 100), 3, seed=0)[2]
    assert wide.memory_size == 512  # 64 C = 256 < 512 <= N

def test_a_kept_default_is_bit_for_bit_the_budget_run(monkeypatch, enc):
    # trial 0 trains in three slices (rungs at 1, 3, 10 epochs) from checkpoints, on a split
    # whose test rows are hidden; the plain budget run trains 10 epochs in one go. The shapes
    # are those of the 30-epoch glass runs of test_train_cli (epochs are not compiled in).
    short = recipe("budget", num_train=len(enc.split.train), num_features=len(enc.sizes),
                   epochs=10)  # fmt: skip
    monkeypatch.setattr(search, "_base", lambda e: short)
    out = search.auto(enc, budget_minutes=1, max_trials=1, cache=False)
    plain = train(enc, recipe=short, seed=0)
    assert out.recipe == short and out.trials[0]["rung"] == 2
    assert out.result.history == plain.history  # losses and validation accuracies, exactly
    assert out.result.best_epoch == plain.best_epoch
    assert out.result.test_accuracy == plain.test_accuracy
    rows = enc.split.test
    np.testing.assert_array_equal(out.result.predict(enc.x[rows], enc.missing[rows]),
                                  plain.predict(enc.x[rows], enc.missing[rows]))  # fmt: skip


def _fake(monkeypatch, seconds_per_epoch: float):
    """Replace training by a known score (higher learning rate and more epochs are better)
    and time by a clock that advances ``seconds_per_epoch`` per trained epoch."""
    clock = types.SimpleNamespace(now=1000.0)  # a monotonic clock starts anywhere
    monkeypatch.setattr(search, "_now", lambda: clock.now)
    seen = []

    def train(enc, *, recipe, seed, stop_after, checkpoint, eval_chunk):
        assert len(enc.split.test) == 0  # the search never sees test rows
        done = seen_epochs.get(checkpoint, 0)
        clock.now += seconds_per_epoch * (stop_after - done)
        seen_epochs[checkpoint] = stop_after
        seen.append((checkpoint.name, stop_after))
        score = recipe.learning_rate * 10 + stop_after / recipe.epochs
        C = enc.sizes[-1]
        return types.SimpleNamespace(
            validation_accuracy=score,
            predict=lambda x, m: np.eye(C)[np.zeros(len(x), int)],
            test_accuracy=None,
        )

    seen_epochs: dict = {}
    monkeypatch.setattr(sys.modules["hopfield_sim.tabular.train"], "train", train)
    return seen


def test_successive_halving_keeps_the_best_third(monkeypatch, enc):
    seen = _fake(monkeypatch, seconds_per_epoch=0.0)
    out = search.auto(enc, budget_minutes=1, max_trials=9, cache=False)
    # at rung 0 every trial has trained 1/9 of its epochs: the fake score ranks by lr
    lr = [t["settings"]["learning_rate"] for t in out.trials]
    third = sorted(range(9), key=lambda i: -lr[i])[:3]  # 9 -> 3 -> 1
    want = [0] * 9
    for i in third:
        want[i] = 1
    want[third[0]] = 2
    want[0] = want[1] = 2  # the default and its quantile twin always reach full length
    assert [t["rung"] for t in out.trials] == want
    # the fake scores exceed 1 (no binomial error): the best full-length trial is chosen
    assert out.recipe.learning_rate == max(lr[third[0]], lr[0])
    # continued trials resume: each checkpoint is trained to increasing epochs; trials 0
    # and 1 go straight to their full length when they were not among the best third
    assert len(seen) == 9 + 3 + 1 + sum(i != third[0] for i in (0, 1))
    # the test rows are evaluated once, after the search (majority-class stand-in)
    y = enc.y[enc.split.test]
    assert out.result.test_accuracy == pytest.approx(np.mean(y == 0))


def test_one_standard_error_rule_keeps_the_default_within_noise():
    # 36 validation rows, default at p = 0.70: standard error sqrt(0.7 * 0.3 / 36) = 0.0764
    def trials(other):
        return [{"rung": 2, "score": 0.70}, {"rung": 2, "score": other}, {"rung": 1, "score": 0.9}]

    assert search._choose(trials(0.76), 36) == 0  # +0.06 < one error: noise
    assert search._choose(trials(0.78), 36) == 1  # +0.08 > one error
    assert search._choose(trials(0.78), 400) == 1
    assert search._choose(trials(0.72), 400) == 0  # error 0.0229 at 400 rows
    assert search._choose(trials(0.60), 36) == 0  # the default is simply the best


def test_the_budget_stops_adding_trials(monkeypatch, enc):
    # 1 s per epoch, 60 s budget: trial 0's first rung (12 epochs) fits, the plan of more
    # trials (12 more + later rungs 24 + 72 epochs) does not
    _fake(monkeypatch, seconds_per_epoch=1.0)
    out = search.auto(enc, budget_minutes=1, max_trials=9, cache=False)
    assert len(out.trials) < 9
    # the chosen trial is always trained to its full length (the budget's one overrun)
    chosen = max(out.trials, key=lambda t: (t["rung"], t["validation"]))
    assert chosen["rung"] == 2 and chosen["epochs_done"] == chosen["settings"]["epochs"]


@pytest.mark.parametrize("lead, chosen", [(0.30, "quantile"), (0.01, "standard")])
def test_the_quantile_twin_runs_to_full_length_and_wins_beyond_noise(monkeypatch, enc, lead,
                                                                     chosen):  # fmt: skip
    # the fake score is the transform's: the twin (trial 1) is chosen only when its lead
    # exceeds one standard error of the default's validation accuracy (37 rows on glass)
    clock = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(search, "_now", lambda: clock.now)

    def train(enc, *, recipe, seed, stop_after, checkpoint, eval_chunk):
        clock.now += 1e6 * stop_after  # every trial is far over budget
        score = 0.5 + lead * (recipe.numeric_transform == "quantile")
        return types.SimpleNamespace(validation_accuracy=score, test_accuracy=None,
                                     predict=lambda x, m: np.zeros((len(x), 6)))  # fmt: skip

    monkeypatch.setattr(sys.modules["hopfield_sim.tabular.train"], "train", train)
    out = search.auto(enc, budget_minutes=1, max_trials=9, cache=False)
    # nothing fits the budget: the pair is compared at rung 0 and only the leader continues
    lead = int(chosen == "quantile")
    assert [t["rung"] for t in out.trials] == [2 * (lead == 0), 2 * (lead == 1)]
    assert out.trials[1]["settings"]["numeric_transform"] == "quantile"
    assert out.recipe.numeric_transform == chosen


@pytest.mark.parametrize("minutes", [2.5, 2.0])
@pytest.mark.parametrize("lead", [0.30, 0.01])
def test_a_short_budget_compares_the_pair_early_and_trains_the_leader(monkeypatch, enc, lead,
                                                                      minutes):  # fmt: skip
    # 1 s per epoch; glass: 100 epochs per owed run, rungs at 11 and 33 epochs. A 150 s
    # budget holds one full run and the twin's 33 epochs (133 s) but not both full runs (200
    # s): both train to rung 1, then only the leader to its end. With 120 s the pair's rung 1
    # and one full run do not fit either: the pair is compared at rung 0 (111 s in all)
    seen = []
    clock = types.SimpleNamespace(now=50.0)
    monkeypatch.setattr(search, "_now", lambda: clock.now)
    done: dict = {}

    def train(enc, *, recipe, seed, stop_after, checkpoint, eval_chunk):
        clock.now += stop_after - done.get(checkpoint, 0)
        done[checkpoint] = stop_after
        seen.append((checkpoint.name, stop_after))
        score = 0.5 + lead * (recipe.numeric_transform == "quantile")
        return types.SimpleNamespace(validation_accuracy=score, test_accuracy=None,
                                     predict=lambda x, m: np.zeros((len(x), 6)))  # fmt: skip

    monkeypatch.setattr(sys.modules["hopfield_sim.tabular.train"], "train", train)
    out = search.auto(enc, budget_minutes=minutes, max_trials=9, cache=False)
    leader = 1 if lead > 0.1 else 0  # one standard error at p = 0.5, 37 rows: 0.082
    pair = [("trial0.npz", 11), ("trial1.npz", 11)]
    if minutes == 2.5:
        assert seen == pair + [("trial0.npz", 33), ("trial1.npz", 33), (f"trial{leader}.npz", 100)]
        assert out.seconds == 133.0 <= 150.0
    else:
        assert seen == pair + [(f"trial{leader}.npz", 100)]
        assert out.seconds == 111.0
    assert out.trials[leader]["rung"] == 2
    assert out.recipe.numeric_transform == ("quantile" if leader else "standard")


def test_projected_cost_adds_a_new_familys_compilation(enc, tmp_path):
    # one compiling run: 60 s for 10 epochs, of which the first epoch took 51 s (compile +
    # 1 s): 1 s per epoch afterwards, and 50 s of compilation for a family not compiled yet
    base = search.candidates(enc, 3, seed=0)
    h = search._Halving(enc, base, 0, 1000.0, tmp_path, False, 32)
    h.cold.append((60.0, 10, (51.0, 1)))
    h.compiled.add(search._family(base[0]))
    assert h.per_epoch() == 1.0
    assert h.cost(0, 20) == 20.0  # compiled family: epochs only
    assert search._family(base[1]) not in h.compiled
    assert h.cost(1, 20) == 70.0  # the twin's family compiles: 20 + (60 - 10)
    h.warm.append((6.0, 3, None))  # a run that did not compile sets the rate: 2 s per epoch
    assert h.per_epoch() == 2.0 and h.cost(0, 5) == 10.0 and h.cost(1, 5) == 50.0


def test_plan_cost_counts_the_later_rungs_of_a_bracket(monkeypatch, tmp_path):
    # 1 s per epoch, trials of 99 epochs (rungs 11, 33, 99): k trials at rung 0 owe
    # ceil(k / 3) runs from 11 to 33 epochs and ceil(k / 9) from 33 to 99
    enc = _numeric_table(40, 20)
    recipes = [replace(r, epochs=99) for r in search.candidates(enc, 9, seed=0)]
    h = search._Halving(enc, recipes, 0, 1000.0, tmp_path, False, 32)
    h.warm.append((10.0, 10, None))
    assert h.plan_cost(9) == 3 * 22 + 66 and h.plan_cost(3) == h.plan_cost(1) == 22 + 66
    assert h.plan_cost(4) == 2 * 22 + 66
    h.always = 5  # trials that always reach full length count in full
    assert h.plan_cost(4) == 4 * 22 + 4 * 66


def test_first_rung_adds_a_trial_only_while_the_plan_with_it_fits(monkeypatch, tmp_path):
    # 140 s budget: trials 0-2 reach rung 0 (11 s each); a fourth would cost 11 s and raise
    # the plan from 88 s (3 trials: one continues twice) to 110 s (4 trials: two continue to
    # rung 1): 33 + 11 + 110 = 154 > 140, so the search stops at three
    seen = _fake(monkeypatch, seconds_per_epoch=1.0)
    enc = _numeric_table(40, 20)
    recipes = [replace(r, epochs=99) for r in search.candidates(enc, 9, seed=0)]
    h = search._Halving(enc, recipes, 0, 140.0, tmp_path, False, 32)
    assert h.first_rung() == 3 and [t["rung"] for t in h.trials[:4]] == [0, 0, 0, -1]
    assert seen == [(f"trial{i}.npz", 11) for i in range(3)] and h.elapsed() == 33.0


def test_regression_keeps_the_default_within_its_own_rmse_error(monkeypatch):
    # regression: one standard error of trial 0's RMSE decides. Trial 0's squared residuals
    # are all 1 (standard error 0): a twin 0.02 better is chosen. Measured on the twin's
    # spread residuals instead (standard error about 0.046) it would not be.
    enc = _numeric_table(40, 100, regression=True)
    rows = enc.split.validation
    spread = np.where(np.arange(len(rows)) % 2 == 0, 0.0, 1.3)
    residual = {"standard": np.where(np.arange(len(rows)) % 2 == 0, 1.0, -1.0), "quantile": spread}
    score = {"standard": -1.0, "quantile": -0.98}

    def train(enc, *, recipe, seed, stop_after, checkpoint, eval_chunk):
        t = recipe.numeric_transform
        return types.SimpleNamespace(
            validation_accuracy=score[t], test_accuracy=None,
            predict=lambda x, m, t=t: enc.y[rows] + residual[t],
        )  # fmt: skip

    monkeypatch.setattr(sys.modules["hopfield_sim.tabular.train"], "train", train)
    out = search.auto(enc, budget_minutes=1, max_trials=2, cache=False)
    assert [t["rung"] for t in out.trials] == [2, 2]
    assert out.recipe.numeric_transform == "quantile"
    twin_se = search._regression_error(enc, {"result": types.SimpleNamespace(
        predict=lambda x, m: enc.y[rows] + spread)})  # fmt: skip
    assert 0.04 < twin_se < 0.05  # > the 0.02 lead: the twin's error would keep the default


def test_no_twin_without_numeric_features():
    from hopfield_sim.tabular.data import Encoded, Split

    n = 40
    split = Split(0, "intended", np.arange(20), np.arange(20, 30), np.arange(30, n))
    x = np.zeros((n, 5), np.float32)
    enc = Encoded(x, np.zeros((n, 2), bool), np.zeros(n, int), (3, 2), (True, True), split)
    rs = search.candidates(enc, 5, seed=0)
    assert {r.numeric_transform for r in rs} == {"standard"}


def test_quantile_training_predicts_through_its_transform(enc):
    # the trained predictor maps new (encoded) rows through the transform fitted on the
    # training rows: its test accuracy is the run's; the standardised rows give another
    short = recipe("budget", num_train=len(enc.split.train), num_features=len(enc.sizes),
                   epochs=10)  # fmt: skip
    res = train(enc, recipe=replace(short, numeric_transform="quantile"), seed=0)
    rows = enc.split.test
    out = res.predict(enc.source[rows], enc.missing[rows])  # float64 rows, as in training
    assert np.mean(np.argmax(out, -1) == enc.y[rows]) == res.test_accuracy
    plain = train(enc, recipe=short, seed=0)
    assert not np.allclose(out, plain.predict(enc.x[rows], enc.missing[rows]))
    # the warm-up the search leaves out of its per-epoch cost: epoch 1 and the first
    # validating epoch (every 5th of 10 here), timed within the run
    assert short.eval_every == 5 and plain.warmup[1] == 2
    assert 0.0 < plain.warmup[0] < plain.seconds


@pytest.mark.parametrize("first_known", [True, False])
def test_compilation_is_not_counted_as_training_time(monkeypatch, enc, first_known):
    # each compiled family costs 50 s in its run's first epoch, and every epoch 1 s. The
    # default and its twin (two families) reach rung 0 (11 epochs) in 61 s each; both
    # full-length runs then need 2 x 89 s more: 300 s in all, inside a 330 s budget. Counted
    # per epoch with the compilation in (122 s / 22 epochs), they would seem to need 1101 s.
    clock = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(search, "_now", lambda: clock.now)
    done: dict = {}
    compiled: set = set()

    def train(enc, *, recipe, seed, stop_after, checkpoint, eval_chunk):
        fam = search._family(recipe)
        compile_s = 0.0 if fam in compiled else 50.0
        compiled.add(fam)
        clock.now += compile_s + stop_after - done.get(checkpoint, 0)
        done[checkpoint] = stop_after
        return types.SimpleNamespace(
            validation_accuracy=0.5, test_accuracy=None,
            predict=lambda x, m: np.zeros((len(x), 6)),
            warmup=(compile_s + 1.0, 1) if first_known else None,
        )  # fmt: skip

    monkeypatch.setattr(sys.modules["hopfield_sim.tabular.train"], "train", train)
    out = search.auto(enc, budget_minutes=5.5, max_trials=9, cache=False)
    if first_known:
        assert [t["rung"] for t in out.trials] == [2, 2] and out.seconds == 300.0
    else:  # whole runs only: the pair seems not to fit and only the leader runs to the end
        assert sorted(t["rung"] for t in out.trials) == [0, 2]


@pytest.mark.parametrize("minutes", [3, 5, 8, 15])
def test_the_search_stays_within_its_budget(monkeypatch, enc, minutes):
    # 1 s per epoch: the default and its twin (100 epochs each) run to full length when both
    # fit (200 s); at 3 minutes only one does (plus the other's first third); everything else
    # only while the projected plan, those two included, fits
    _fake(monkeypatch, seconds_per_epoch=1.0)
    out = search.auto(enc, budget_minutes=minutes, max_trials=18, cache=False)
    assert out.seconds <= 60.0 * minutes
    rungs = sorted(t["rung"] for t in out.trials[:2])
    assert rungs == ([2, 2] if minutes >= 5 else [1, 2])
    if minutes >= 5:
        assert len(out.trials) > 2  # room for more than the two owed runs


def test_bad_budget_is_refused(enc):
    with pytest.raises(ValueError, match="budget_minutes"):
        search.auto(enc, budget_minutes=0)


def test_regression_noise_is_the_standard_error_of_the_rmse():
    # Gaussian residuals of standard deviation s: the RMSE over n rows has standard error
    # s / sqrt(2 n) (the chi distribution's, large n); the score is in standardised units
    from hopfield_sim.tabular.data import Encoded, Split

    n, s, target_std = 4000, 1.5, 2.0
    y = np.random.default_rng(0).normal(0.0, s, n)
    split = Split(0, "intended", np.arange(0), np.arange(n), np.arange(0))
    enc = Encoded(np.zeros((n, 2), np.float32), np.zeros((n, 2), bool), y, (1, 1),
                  (False, False), split, 0.0, target_std)  # fmt: skip
    trial = {"result": types.SimpleNamespace(predict=lambda x, m: np.zeros(len(x)))}
    se = search._regression_error(enc, trial)
    assert se == pytest.approx(s / np.sqrt(2 * n) / target_std, rel=0.05)
    assert search._regression_error(replace(enc, discrete=(False, True)), trial) is None
    exact = {"result": types.SimpleNamespace(predict=lambda x, m: y)}  # no residual: no error
    assert search._regression_error(enc, exact) == 0.0
