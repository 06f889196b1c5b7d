"""Rare-category pooling (hopfield_sim.tabular.pooling) against scikit-learn's
``OneHotEncoder(min_frequency=k)``, its recipe field, its place in training and prediction,
and the pooled trial of recipe="auto" (training faked: the halving logic on a known score)."""

from __future__ import annotations

import sys
import types
from dataclasses import replace

import numpy as np
import pytest

from hopfield_sim.tabular import search
from hopfield_sim.tabular.data import Encoded, Split
from hopfield_sim.tabular.pooling import RarePooling, pool_rare
from hopfield_sim.tabular.recipes import recipe, with_encoding


def _table(seed=0, n=600, widths=(40, 20), miss=0.05):
    """Discrete features with Zipf-like category frequencies (codes, -1 = missing), a
    numeric feature and a 3-class target; one-hot over every category of the whole table
    (sorted), as ``Dataset.encode`` does."""
    rng = np.random.default_rng(seed)
    codes = []
    for w in widths:
        p = 1.0 / np.arange(1, w + 1) ** 1.3
        c = rng.choice(w, n, p=p / p.sum())
        c[rng.random(n) < miss] = -1
        codes.append(c)
    y = rng.integers(0, 3, n)
    blocks, missing, sizes = [], [], []
    for c in codes:
        cats = np.unique(c[c >= 0])
        block = np.zeros((n, cats.size))
        block[np.flatnonzero(c >= 0), np.searchsorted(cats, c[c >= 0])] = 1.0
        blocks.append(block)
        missing.append(c < 0)
        sizes.append(cats.size)
    blocks += [rng.normal(size=(n, 1)), np.eye(3)[y]]
    missing += [np.zeros(n, bool), np.zeros(n, bool)]
    sizes += [1, 3]
    x64 = np.concatenate(blocks, 1)
    split = Split(0, "intended", np.arange(400), np.arange(400, 500), np.arange(500, n))
    enc = Encoded(x64.astype(np.float32), np.stack(missing, 1), y, tuple(sizes),
                  (True,) * len(widths) + (False, True), split, x64=x64)  # fmt: skip
    return enc, codes


def test_pooling_is_one_hot_encoders_min_frequency():
    from sklearn.preprocessing import OneHotEncoder

    k = 5
    enc, codes = _table()
    pooled, pool = pool_rare(enc, k)
    tr = enc.split.train
    starts = np.concatenate([[0], np.cumsum(pooled.sizes)])
    for j, c in enumerate(codes):
        known = c >= 0
        ohe = OneHotEncoder(min_frequency=k, handle_unknown="infrequent_if_exist",
                            sparse_output=False)  # fmt: skip
        ohe.fit(c[tr][known[tr]].reshape(-1, 1))
        # both routes see at least two infrequent categories here (else pooling skips)
        assert len(ohe.infrequent_categories_[0]) >= 2
        want = np.zeros((len(c), len(ohe.get_feature_names_out())))
        want[known] = ohe.transform(c[known].reshape(-1, 1))
        got = pooled.x64[:, starts[j] : starts[j + 1]]
        np.testing.assert_array_equal(got, want)  # frequent sorted, the rare category last
        assert pooled.sizes[j] < enc.sizes[j]
    # the numeric feature and the target pass unchanged; float32 rows pool alike
    np.testing.assert_array_equal(pooled.x64[:, -4:], enc.x64[:, -4:])
    np.testing.assert_array_equal(pooled.x, pool(enc.x))
    assert pooled.x.dtype == np.float32 and pooled.x64.dtype == np.float64
    np.testing.assert_array_equal(pooled.missing, enc.missing)


def test_features_with_fewer_than_two_rare_categories_and_the_target_stay():
    # feature 0: categories with 9, 8, 1 training rows (one rare: left alone); the target
    # has a class with 1 training row (never pooled); k = 2 pools nothing -> None
    n = 22
    f0 = np.array([0] * 9 + [1] * 8 + [2] + [0] * 4)
    y = np.array([0] * 10 + [1] * 7 + [2] + [1] * 4)
    x = np.concatenate([np.eye(3)[f0], np.eye(3)[y]], 1).astype(np.float32)
    split = Split(0, "intended", np.arange(18), np.arange(18, 20), np.arange(20, n))
    enc = Encoded(x, np.zeros((n, 2), bool), y, (3, 3), (True, True), split)
    assert pool_rare(enc, 2) == (enc, None)
    # k = 9: categories 1 and 2 (8 and 1 rows) pool; category 0 (9 rows) is kept
    pooled, pool = pool_rare(enc, 9)
    assert pooled.sizes == (2, 3) and pool.rare_to == (1,)
    np.testing.assert_array_equal(pooled.x[:, 1], (f0 > 0).astype(np.float32))
    with pytest.raises(ValueError, match="min_frequency"):
        RarePooling.fit(x, enc.sizes, enc.discrete, split.train, 0)
    # k = 1 pools only categories never seen in training: here categories 3 and 4 of a
    # 5-category feature, met in the test rows alone
    f1 = np.r_[np.zeros(18, int), 3, 3, 4, 1]
    f1[[2, 5]] = 1, 2
    x1 = np.concatenate([np.eye(5)[f1], np.eye(3)[y]], 1).astype(np.float32)
    enc1 = Encoded(x1, np.zeros((n, 2), bool), y, (5, 3), (True, True), split)
    pooled1, pool1 = pool_rare(enc1, 1)
    assert pooled1.sizes == (4, 3) and pool1.min_frequency == 1
    np.testing.assert_array_equal(pooled1.x[:, 3], np.isin(f1, (3, 4)).astype(np.float32))
    with pytest.raises(AttributeError):  # a fitted pooling is frozen, as the transform
        pool1.min_frequency = 2


def test_recipe_field_is_checked_and_stored_only_when_on():
    base = recipe("budget", num_train=500, num_features=4)
    assert "min_frequency" not in base.to_dict()  # results of older runs still match
    assert with_encoding(base, min_frequency=5).to_dict()["min_frequency"] == 5
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="min_frequency must be an int >= 0"):
            with_encoding(base, min_frequency=bad)


def test_the_predictor_pools_new_rows_before_the_numeric_transform():
    from hopfield_sim.tabular.train import _predictor
    from hopfield_sim.tabular.transform import quantile_normal

    enc, _ = _table()
    pooled, pool = pool_rare(enc, 5)
    normal, q = quantile_normal(pooled)
    seen = {}
    ev = types.SimpleNamespace(outputs=lambda p, x, m: seen.setdefault("x", x))
    rows = enc.split.test
    _predictor(ev, None, pool, q)(enc.x64[rows], enc.missing[rows])
    # the model sees exactly the rows it was trained on: pooled, then quantile-normalised
    np.testing.assert_array_equal(seen["x"], normal.x[rows])
    assert seen["x"].shape[1] == sum(pooled.sizes) < sum(enc.sizes)


def test_candidates_add_the_pooled_trial_only_when_pooling_changes_the_table():
    enc, _ = _table()
    rs = search.candidates(enc, 9, seed=0)
    base = rs[0]
    assert base.min_frequency == 0 and rs[1] == search.twin(base)
    assert rs[2] == replace(base, name="auto", min_frequency=search.POOL_MIN_FREQUENCY)
    assert all(r.min_frequency == 0 for r in rs[:2] + rs[3:])
    assert search._family(rs[2]) != search._family(base)  # other shapes: compiled anew
    wide = replace(enc, sizes=(enc.sizes[0] + enc.sizes[1], 1, 3), discrete=(True, False, True))
    assert not search.has_rare(replace(enc, discrete=(False,) * 4))  # nothing discrete
    assert search.has_rare(wide)


def _fake_train(monkeypatch, lead, per_epoch=0.125):
    """Training replaced by a known score (the pooled trial ``lead`` better) and time by a
    clock advancing ``per_epoch`` seconds per trained epoch; returns the calls made."""
    clock = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(search, "_now", lambda: clock.now)
    done, seen = {}, []

    def train(enc, *, recipe, seed, stop_after, checkpoint, eval_chunk):
        clock.now += per_epoch * (stop_after - done.get(checkpoint, 0))
        done[checkpoint] = stop_after
        seen.append((checkpoint.name, stop_after))
        score = 0.5 + lead * (recipe.min_frequency > 0) + 1e-3 * recipe.learning_rate
        return types.SimpleNamespace(validation_accuracy=score, test_accuracy=None,
                                     predict=lambda x, m: np.zeros((len(x), 3)))  # fmt: skip

    monkeypatch.setattr(sys.modules["hopfield_sim.tabular.train"], "train", train)
    return seen


@pytest.mark.parametrize("lead, chosen", [(0.2, 5), (0.03, 0)])
def test_the_pooled_trial_runs_to_full_length_and_wins_beyond_noise(monkeypatch, lead, chosen):
    # 400 training rows: 500 budget epochs (one step each), rungs at 55 and 166. 1/8 s per
    # epoch and a 10-minute budget hold the three owed runs (187.5 s); 100 validation rows at
    # p = 0.5: one standard error is 0.05, so a lead of 0.03 is noise and the default is kept
    enc, _ = _table()
    _fake_train(monkeypatch, lead)
    out = search.auto(enc, budget_minutes=10, max_trials=9, cache=False)
    assert [t["rung"] for t in out.trials[:3]] == [2, 2, 2]
    assert out.trials[2]["settings"]["min_frequency"] == 5
    assert out.recipe.min_frequency == chosen


@pytest.mark.parametrize("lead", [0.2, 0.03])
def test_a_short_budget_compares_the_owed_trials_at_rung_1(monkeypatch, lead):
    # 500 epochs per owed run at 1/8 s each; a 110 s budget holds one full run and the
    # others' 166 epochs (62.5 + 2 x 20.75 = 104 s), not three full runs (187.5 s): all three
    # reach rung 1, then only the leader is trained to its end
    enc, _ = _table()
    seen = _fake_train(monkeypatch, lead)
    out = search.auto(enc, budget_minutes=110 / 60, max_trials=9, cache=False)
    leader = 2 if lead > 0.05 else 0
    assert seen == [(f"trial{i}.npz", 55) for i in range(3)] + [
        (f"trial{i}.npz", 166) for i in range(3)
    ] + [(f"trial{leader}.npz", 500)]
    assert out.seconds == 104.0 and len(out.trials) == 3
    assert out.recipe.min_frequency == (5 if leader else 0)


@pytest.mark.slow
def test_pooled_training_from_the_command_line_the_estimator_and_train_agree(tmp_path):
    """The vendored breast cancer set (all categorical; pooling at 5: 45 -> 39 columns): the
    command line's run is ``train`` with ``min_frequency=5``, whose predictor pools new rows
    (its test accuracy from raw rows is the run's), and differs from the unpooled run."""
    import json
    from pathlib import Path

    from hopfield_sim.cli import main
    from hopfield_sim.tabular import load_dataset
    from hopfield_sim.tabular.train import train

    folder = Path(__file__).resolve().parents[2] / "data" / "hopular" / "breast_cancer"
    data = load_dataset(folder)
    enc = data.encode(data.split(0))
    out = tmp_path / "r.json"
    argv = ["tabular", str(folder), "--epochs", "20", "--min-frequency", "5", "--out",
            str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    r = json.loads(out.read_text())
    assert r["settings"]["min_frequency"] == 5
    base = recipe("budget", num_train=len(enc.split.train), num_features=len(enc.sizes),
                  epochs=20)  # fmt: skip
    res = train(enc, recipe=with_encoding(base, min_frequency=5), seed=0)
    assert (r["test_accuracy"], r["history"]) == (res.test_accuracy, res.history)
    rows = enc.split.test
    raw = res.predict(enc.x[rows], enc.missing[rows])
    assert np.mean(np.argmax(raw, -1) == enc.y[rows]) == res.test_accuracy
    plain = train(enc, recipe=base, seed=0)
    assert plain.history != res.history
