"""Quantile normalisation of numeric features: against scikit-learn's QuantileTransformer (an
independent implementation), closed forms for ties and bounds, and what it leaves alone."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy.stats import norm

from hopfield_sim.tabular.data import Encoded, Split
from hopfield_sim.tabular.recipes import recipe
from hopfield_sim.tabular.transform import CLIP, QuantileNormal, numeric_columns, quantile_normal


def _heavy(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.sign(rng.normal(size=n)) * np.expm1(2.0 * np.abs(rng.normal(size=n)))


def test_matches_scikit_learn_on_distinct_values():
    from sklearn.preprocessing import QuantileTransformer

    X = np.column_stack([_heavy(3000, 0), _heavy(3000, 1)])
    rows = np.arange(2000)
    q = QuantileNormal.fit(X, np.zeros_like(X, bool), columns=[0, 1], rows=rows)
    ref = QuantileTransformer(output_distribution="normal").fit(X[rows]).transform(X)
    np.testing.assert_allclose(q(X, np.zeros_like(X, bool)), ref, atol=2e-6)


def test_ties_go_to_the_middle_of_their_probability_range():
    # 5 training values 0, 0, 0, 1, 2: F_n jumps from 0 to 3/5 at 0 -> z(0) = Phi^-1(0.3)
    x = np.array([[0.0], [0.0], [0.0], [1.0], [2.0], [0.5], [-9.0], [9.0]])
    q = QuantileNormal.fit(x, np.zeros((8, 1), bool), columns=[0], rows=np.arange(5))
    z = q(x, np.zeros((8, 1), bool))[:, 0]
    levels = np.linspace(0, 1, 5)  # quantiles 0, 0, 0, 1, 2 at 0, .25, .5, .75, 1
    assert z[0] == pytest.approx(norm.ppf(0.25), abs=1e-6)  # middle of [0, 0.5]
    assert z[3] == pytest.approx(norm.ppf(levels[3]), abs=1e-6)
    assert z[5] == pytest.approx(norm.ppf((0.5 + 0.75) / 2), abs=1e-6)  # halfway 0 -> 1
    bound = norm.ppf(1 - CLIP)
    assert z[6] == pytest.approx(-bound, abs=1e-5) and z[7] == pytest.approx(bound, abs=1e-5)
    assert z[4] == pytest.approx(bound, abs=1e-5)  # the training maximum


def test_heavy_tails_become_standard_normal_and_order_is_kept():
    x = _heavy(5000)[:, None]
    q = QuantileNormal.fit(x, np.zeros((5000, 1), bool), columns=[0], rows=np.arange(5000))
    z = q(x, np.zeros((5000, 1), bool))[:, 0]
    assert np.mean(z) == pytest.approx(0.0, abs=0.01)
    assert np.std(z) == pytest.approx(1.0, abs=0.02)
    order = np.argsort(x[:, 0], kind="stable")
    assert np.all(np.diff(z[order]) >= 0)  # monotone: trees would not notice


def _encoded(n=60):
    """numeric, one-hot (3), numeric with missing entries, numeric target (regression)."""
    rng = np.random.default_rng(3)
    a, c, y = _heavy(n, 4), _heavy(n, 5), rng.normal(size=n)
    onehot = np.eye(3)[rng.integers(0, 3, n)]
    missing = np.zeros((n, 4), bool)
    missing[::7, 2] = True
    c[::7] = 0.0
    x = np.column_stack([a, onehot, c, y]).astype(np.float32)
    split = Split(0, "intended", np.arange(40), np.arange(40, 50), np.arange(50, n))
    return Encoded(x, missing, y, (1, 3, 1, 1), (False, True, False, False), split)


def test_only_numeric_features_change_and_missing_stay_zero():
    enc = _encoded()
    assert numeric_columns(enc.sizes, enc.discrete) == ([0, 4], [0, 2])  # target excluded
    out, q = quantile_normal(enc)
    np.testing.assert_array_equal(out.x[:, 1:4], enc.x[:, 1:4])  # one-hot
    np.testing.assert_array_equal(out.x[:, 5], enc.x[:, 5])  # the target
    assert np.all(out.x[::7, 4] == 0.0)  # missing
    known = ~enc.missing[:40, 2]
    # fitted on the known training values only: their ranks give the levels
    ranks = np.argsort(np.argsort(enc.x[:40, 4][known]))
    np.testing.assert_allclose(out.x[:40, 4][known], norm.ppf(np.clip(
        ranks / (known.sum() - 1), CLIP, 1 - CLIP)), atol=1e-5)  # fmt: skip
    only_discrete = replace(enc, discrete=(True, True, True, False))
    assert quantile_normal(only_discrete) == (only_discrete, None)


def test_columns_need_two_known_training_values_and_keywords():
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    missing = np.array([[False], [True], [False], [False]])
    with pytest.raises(ValueError, match="fewer than 2 known training values"):
        QuantileNormal.fit(x, missing, columns=[0], rows=np.arange(2))  # one known value
    two = QuantileNormal.fit(x, missing, columns=[0], rows=np.arange(3))  # two: 1 and 3
    np.testing.assert_allclose(two(np.array([[2.0]]), np.zeros((1, 1), bool)), 0.0, atol=1e-7)
    with pytest.raises(TypeError):
        QuantileNormal.fit(x, missing, [0], np.arange(3))  # columns and rows by keyword


def test_recipe_field_is_checked_and_left_out_of_old_records():
    r = recipe("budget", num_train=1000, num_features=5)
    assert "numeric_transform" not in r.to_dict()  # a standard run is the pre-field run
    assert replace(r, numeric_transform="quantile").to_dict()["numeric_transform"] == "quantile"
    with pytest.raises(ValueError, match="numeric_transform"):
        replace(r, numeric_transform="rank").validate()
