"""What the scikit-learn estimators hand to training and how they predict, with training
replaced by a recorder (no model is built or compiled): the encoding of numeric and
categorical columns from the training rows only, the target block, the held-out split,
the recipe's overrides, and the rows given to the predictor."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from hopfield_sim.tabular.estimator import HopularClassifier, HopularRegressor


@pytest.fixture
def recorded(monkeypatch):
    """Replace ``train``: record (encoded, recipe, seed) and predict from a known rule (the
    logits/values are the first encoded column times the row's position in the output)."""
    calls = []

    def train(enc, *, recipe, seed):
        calls.append(types.SimpleNamespace(enc=enc, recipe=recipe, seed=seed))
        width = enc.sizes[-1]

        def predict(x, missing):
            calls[-1].predicted = (np.array(x), np.array(missing))
            return np.outer(x[:, 0], np.arange(1, width + 1)) if width > 1 else x[:, 0] * 2.0

        return types.SimpleNamespace(predict=predict, epochs=recipe.epochs)

    monkeypatch.setattr(sys.modules["hopfield_sim.tabular.train"], "train", train)
    return calls


def _frame(n=40, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    size = rng.normal(3.0, 2.0, n)
    size[[1, 7]] = np.nan
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    colour[4] = None
    return pd.DataFrame({"size": size, "colour": pd.Categorical(colour)}), rng


def test_numeric_and_categorical_columns_are_encoded_from_the_training_rows(recorded):
    X, rng = _frame()
    y = rng.choice(["a", "b"], len(X))
    HopularClassifier(random_state=0, validation_fraction=0.25).fit(X, y)
    (call,) = recorded
    enc, tr = call.enc, call.enc.split.train
    assert len(enc.split.validation) == 10 and len(tr) == 30 and len(enc.split.test) == 0
    assert not set(tr) & set(enc.split.validation)
    size = X["size"].to_numpy()
    known = size[tr][~np.isnan(size[tr])]
    z = (size - known.mean()) / known.std(ddof=1)  # training rows' mean and sample sd only
    np.testing.assert_allclose(enc.x64[:, 0], np.where(np.isnan(size), 0.0, z), rtol=1e-12)
    np.testing.assert_array_equal(enc.missing[:, 0], np.isnan(size))
    # categories sorted ('blue', 'green', 'red'), one-hot; missing: all zeros and flagged
    colour = X["colour"].astype(object).to_numpy()
    order = ["blue", "green", "red"]
    onehot = np.array([[c == k for k in order] for c in colour], float)
    np.testing.assert_array_equal(enc.x64[:, 1:4], onehot)
    np.testing.assert_array_equal(enc.missing[:, 1], X["colour"].isna().to_numpy())
    assert enc.missing[4, 1]  # the None given
    # the target: one-hot of the class index, last, never missing; y holds the index
    idx = np.searchsorted(["a", "b"], y)
    np.testing.assert_array_equal(enc.x64[:, 4:], np.eye(2)[idx])
    np.testing.assert_array_equal(enc.y, idx)
    assert enc.sizes == (1, 3, 2) and enc.discrete == (False, True, True)
    assert not enc.missing[:, -1].any()
    np.testing.assert_array_equal(enc.x, enc.x64.astype(np.float32))


def test_prediction_encodes_new_rows_with_the_fitted_statistics(recorded):
    import pandas as pd

    X, rng = _frame()
    clf = HopularClassifier(random_state=0).fit(X, rng.choice(["a", "b"], len(X)))
    enc = recorded[0].enc
    new = pd.DataFrame({"size": [enc.x64[0, 0], np.nan, 5.0],
                        "colour": pd.Categorical(["purple", "red", None])})  # fmt: skip
    proba = clf.predict_proba(new)
    x, missing = recorded[0].predicted
    mean, sd = clf.encoding_[0][1]
    np.testing.assert_allclose(x[:, 0], [(enc.x64[0, 0] - mean) / sd, 0.0, (5.0 - mean) / sd])
    np.testing.assert_array_equal(x[:, 1:4], [[0, 0, 0], [0, 0, 1], [0, 0, 0]])  # unseen: zeros
    np.testing.assert_array_equal(x[:, 4:], 0.0)  # the target block is empty
    np.testing.assert_array_equal(missing, [[False, True, True], [True, False, True],
                                            [False, True, True]])  # fmt: skip
    logits = np.outer(x[:, 0], [1, 2])
    p = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(proba, p / p.sum(1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(new), clf.classes_[np.argmax(logits, 1)])


def test_regression_target_is_standardised_and_predictions_are_in_its_units(recorded):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 2))
    y = 10.0 + 4.0 * rng.normal(size=30)
    reg = HopularRegressor(random_state=0).fit(X, y)
    enc = recorded[0].enc
    mean, sd = y.mean(), y.std(ddof=1)
    assert (enc.target_mean, enc.target_std) == pytest.approx((mean, sd), rel=1e-12)
    np.testing.assert_allclose(enc.x64[:, -1], (y - mean) / sd, rtol=1e-6)
    np.testing.assert_array_equal(enc.y, y)
    assert enc.sizes[-1] == 1 and enc.discrete[-1] is False
    out = reg.predict(X[:4])
    x, missing = recorded[0].predicted
    np.testing.assert_allclose(out, 2.0 * x[:, 0])  # the predictor's values, as they are
    assert missing[:, -1].all() and not missing[:, :-1].any()


def test_recipe_overrides_and_the_split_follow_the_parameters(recorded):
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(50, 3)), np.repeat([0, 1], 25)
    HopularClassifier(random_state=1, epochs=7, feature_size=6, validation_fraction=0.2,
                      numeric_transform="quantile", numeric_bins=4).fit(X, y)  # fmt: skip
    r, enc = recorded[0].recipe, recorded[0].enc
    assert (r.epochs, r.model.feature_size, r.numeric_transform, r.model.numeric_bins) == (
        7, 6, "quantile", 4)  # fmt: skip
    assert r.model.feature_heads == min(6, max(1, 16 // 4))  # the budget's heads, capped by e
    # 10 validation rows, stratified: 5 of each class
    assert np.bincount(enc.y[enc.split.validation]).tolist() == [5, 5]
    HopularClassifier(random_state=1, feature_size=2).fit(X, y)
    assert recorded[1].recipe.model.feature_heads == 2  # min(e, 4)
    again = HopularClassifier(random_state=1, epochs=7, feature_size=6, validation_fraction=0.2,
                              numeric_transform="quantile", numeric_bins=4).fit(X, y)  # fmt: skip
    assert recorded[2].seed == recorded[0].seed and again.n_iter_ == 7
    np.testing.assert_array_equal(recorded[2].enc.split.validation, enc.split.validation)
    # no room to hold rows out: the training rows select the epoch
    HopularClassifier(random_state=1, validation_fraction=0.0).fit(X, y)
    s = recorded[3].enc.split
    np.testing.assert_array_equal(s.train, np.arange(50))
    np.testing.assert_array_equal(s.validation, np.arange(50))


def test_categorical_columns_by_dtype_index_name_or_mask(recorded):
    import pandas as pd

    rng = np.random.default_rng(5)
    n = 12
    X = pd.DataFrame({"s": pd.array(rng.choice(["u", "v"], n), dtype="string"),
                      "o": rng.choice(["p", "q"], n).astype(object),
                      "b": rng.random(n) > 0.5, "x": rng.normal(size=n)})  # fmt: skip
    y = np.repeat([0, 1], n // 2)
    assert HopularClassifier(random_state=0).fit(X, y).categorical_.tolist() == [
        True, True, True, False]  # string, object and bool dtypes  # fmt: skip
    arr = rng.normal(size=(n, 3))
    cases = (([1], [False, True, False]), ([0, 2], [True, False, True]),
             ([False, False, True], [False, False, True]), (None, [False] * 3))
    for spec, want in cases:
        got = HopularClassifier(random_state=0, categorical_features=spec).fit(arr, y)
        assert got.categorical_.tolist() == want
    named = pd.DataFrame(arr, columns=["p", "q", "r"])
    by_name = HopularClassifier(random_state=0, categorical_features=["q"]).fit(named, y)
    assert by_name.categorical_.tolist() == [False, True, False]
    for bad in ([3], [-1], ["nope"], [True, False]):
        with pytest.raises(ValueError, match="categorical_features"):
            HopularClassifier(categorical_features=bad).fit(arr, y)


def test_a_numeric_column_with_one_known_training_value_is_only_centred(recorded):
    X = np.full((6, 1), np.nan)
    X[0, 0] = 4.0
    X[5, 0] = 7.0
    HopularClassifier(random_state=0, validation_fraction=0.0).fit(X[:5], [0, 1, 0, 1, 0])
    enc = recorded[0].enc
    np.testing.assert_array_equal(enc.x64[:, 0], [0.0] * 5)  # 4 - 4, missing entries 0
    clf = HopularClassifier(random_state=0, validation_fraction=0.0).fit(X[:5], [0, 1, 0, 1, 0])
    clf.predict(X[5:])
    np.testing.assert_array_equal(recorded[-1].predicted[0][:, 0], [3.0])  # (7 - 4) / 1


def test_bad_fractions_and_too_few_rows_are_refused():
    X, y = np.zeros((4, 2)), np.array([0.0, 1.0, 2.0, 3.0])
    for f in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"validation_fraction must lie in \[0, 1\)"):
            HopularRegressor(validation_fraction=f).fit(X, y)
    with pytest.raises(ValueError, match="minimum of 2|at least 2"):
        HopularRegressor().fit(X[:1], y[:1])


def test_the_held_out_rows_are_stratified_only_when_every_class_fits_both_parts():
    from hopfield_sim.tabular.estimator import _stratifiable

    two = np.repeat([0, 1], 25)
    assert _stratifiable(two, 10) and _stratifiable(two, 48)
    assert not _stratifiable(two, 1)  # fewer held-out rows than classes
    assert not _stratifiable(two, 49)  # fewer training rows than classes
    assert not _stratifiable(np.array([0, 0, 0, 1, 2, 2]), 3)  # a class with one member
    assert not _stratifiable(np.repeat([0, 1, 2], 2), 4)  # 2 training rows, 3 classes
    assert _stratifiable(np.repeat([0, 1, 2], 2), 3)
