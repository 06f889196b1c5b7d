"""The training recipes against the table of docs/tabular.md ("Recipes"): the reference's
command-line defaults and the budget recipe's two tiers, field by field; the checks of
``Recipe.validate`` and what ``to_dict`` stores. No training (nothing compiles)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from hopfield_sim.tabular.model import HopularConfig
from hopfield_sim.tabular.recipes import MIN_STEPS, RECIPES, Recipe, recipe, with_encoding


def test_reference_recipe_is_the_references_command_line_defaults():
    r = recipe("reference")
    assert (r.name, r.epochs, r.batch_size, r.memory_size) == ("reference", 5000, None, None)
    assert (r.learning_rate, r.betas, r.eps, r.weight_decay, r.clip_norm) == (
        1e-3, (0.9, 0.999), 1e-6, 0.1, 1.0)  # fmt: skip
    assert (r.lr_horizon, r.loss_horizon, r.ema_decay, r.eval_every) == (1e4, 1e4, 0.995, 10)
    assert (r.mask_p, r.replace_p) == (0.025, 0.175)
    assert r.model == HopularConfig() and (r.model.num_blocks, r.model.feature_size) == (8, 32)
    assert (r.numeric_transform, r.min_frequency) == ("standard", 0)
    # other epochs: the horizons stay the reference's
    seven = recipe("reference", epochs=7)
    assert (seven.epochs, seven.lr_horizon, seven.loss_horizon) == (7, 1e4, 1e4)
    assert recipe("reference", num_train=6400, num_features=20).epochs == 5000
    assert RECIPES == ("budget", "reference") and MIN_STEPS == 500


def test_budget_recipe_tiers_follow_the_documented_table():
    small = recipe("budget", num_train=256, num_features=10)
    assert (small.epochs, small.batch_size, small.memory_size) == (100, None, None)
    assert (small.loss_horizon, small.ema_decay, small.eval_every) == (25.0, 0.9, 5)
    medium = recipe("budget", num_train=6400, num_features=11)  # 25 steps per epoch
    assert (medium.epochs, medium.batch_size, medium.memory_size) == (40, 256, 512)
    assert (medium.lr_horizon, medium.loss_horizon, medium.ema_decay) == (40.0, 4.0, 0.99)
    assert medium.eval_every == 4
    # budgets count optimiser steps: 257..511 rows are one full-batch step per epoch
    few = recipe("budget", num_train=364, num_features=31)
    assert (few.epochs, few.eval_every, few.lr_horizon, few.loss_horizon) == (500, 50, 500.0, 50.0)
    assert recipe("budget", num_train=4507, num_features=20).epochs == 40  # 17 * 40 >= 500
    assert recipe("budget", num_train=768, num_features=20).epochs == 167  # ceil(500 / 3)
    assert (medium.model.num_blocks, medium.model.feature_size) == (1, 16)  # 256 // 11 > 16
    longer = recipe("budget", num_train=6400, num_features=20, epochs=80)
    assert (longer.lr_horizon, longer.loss_horizon, longer.model.feature_size) == (80.0, 8.0, 12)
    assert longer.eval_every == 8  # max(4, epochs // 10)
    # without sizes: the medium tier's 40 epochs and the widest feature size
    bare = recipe("budget")
    assert (bare.epochs, bare.batch_size, bare.model.feature_size) == (40, 256, 16)


@pytest.mark.parametrize(("F", "e", "heads"), [(10, 16, 4), (20, 12, 3), (33, 7, 1), (100, 4, 1)])
def test_budget_model_is_one_block_with_four_wide_feature_heads(F, e, heads):
    for n_train in (100, 6400):
        r = recipe("budget", num_train=n_train, num_features=F)
        assert (r.model.num_blocks, r.model.feature_size, r.model.feature_heads) == (1, e, heads)
        assert r.learning_rate == 5e-3 and r.lr_horizon == r.epochs  # cosine to 0 over the run
        # what the budget recipe leaves at the reference's values
        ref = recipe("reference")
        same = ("betas", "eps", "weight_decay", "clip_norm", "mask_p", "replace_p")
        assert all(getattr(r, k) == getattr(ref, k) for k in same)
        m, d = r.model, HopularConfig()
        kept = ("num_heads", "scaling", "input_dropout", "lookup_dropout", "output_dropout")
        assert all(getattr(m, k) == getattr(d, k) for k in kept)


def test_loss_horizon_never_drops_below_one_epoch():
    assert recipe("budget", num_train=6400, num_features=11, epochs=5).loss_horizon == 1.0
    assert recipe("budget", num_train=100, num_features=11, epochs=2).loss_horizon == 1.0
    assert recipe("budget", num_train=100, num_features=11, epochs=12).loss_horizon == 3.0


def test_to_dict_is_json_and_leaves_out_fields_at_their_old_default():
    r = recipe("budget", num_train=256, num_features=10)
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d and d["betas"] == [0.9, 0.999]
    assert "numeric_transform" not in d and "min_frequency" not in d
    assert d["model"] == r.model.to_dict()
    q = with_encoding(r, "quantile", 8, 5).to_dict()
    assert (q["numeric_transform"], q["min_frequency"], q["model"]["numeric_bins"]) == (
        "quantile", 5, 8)  # fmt: skip
    assert with_encoding(r) == r  # None keeps the recipe's


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("epochs", 0, "epochs must be a positive int"),
        ("epochs", True, "epochs must be a positive int"),
        ("epochs", 2.0, "epochs must be a positive int"),
        ("eval_every", 0, "eval_every must be a positive int"),
        ("batch_size", 0, "batch_size must be a positive int or None"),
        ("memory_size", False, "memory_size must be a positive int or None"),
        ("learning_rate", 0.0, "learning_rate must be > 0"),
        ("lr_horizon", -1.0, "lr_horizon must be > 0"),
        ("loss_horizon", 0.0, "loss_horizon must be > 0"),
        ("clip_norm", 0.0, "clip_norm must be > 0"),
        ("numeric_transform", "log", "numeric_transform must be one of"),
        ("min_frequency", -1, "min_frequency must be an int >= 0"),
        ("min_frequency", True, "min_frequency must be an int >= 0"),
        ("ema_decay", 1.0, r"ema_decay must lie in \[0, 1\)"),
        ("ema_decay", -0.1, r"ema_decay must lie in \[0, 1\)"),
        ("ema_decay", 1.5, r"ema_decay must lie in \[0, 1\)"),
    ],
)
def test_validate_names_the_bad_field(field, value, match):
    with pytest.raises(ValueError, match=match):
        replace(recipe("budget"), **{field: value}).validate()


def test_validate_accepts_the_edges():
    r = recipe("budget")
    edges = ({"ema_decay": 0.0}, {"batch_size": None, "memory_size": None}, {"epochs": 1},
             {"min_frequency": 0}, {"eval_every": 1}, {"batch_size": 1, "memory_size": 1})
    for ok in edges:
        assert replace(r, **ok).validate() == replace(r, **ok)
    with pytest.raises(ValueError, match="numeric_bins"):
        replace(r, model=replace(r.model, numeric_bins=1)).validate()
    for name in ("fast", "Budget", "auto", "aaa"):  # names sorting before and after "budget"
        with pytest.raises(ValueError, match="recipe must be one of"):
            recipe(name)
    assert isinstance(r, Recipe)
