"""scikit-learn estimators around Hopular: :class:`HopularClassifier`, :class:`HopularRegressor`.

Input: a numpy array or a pandas DataFrame. Categorical columns are those of pandas dtype
``category``, ``object``, ``string`` or ``bool`` (``categorical_features="auto"``), or the ones
given (indices, a boolean mask or column names). Encoding is fitted on the training rows:
numeric columns standardised (mean, sample std), categorical ones one-hot over the categories
seen in training. **Missing values** (NaN / None / pandas NA) are encoded as zeros with the
feature's mask bit set and never enter the loss, as in :mod:`hopfield_sim.tabular.data`; a
category not seen in training is treated as missing.

``fit`` holds out ``validation_fraction`` of the rows (stratified for classes; drawn with
``random_state``) to pick the best epoch of the weight average (regression: the checkpoint
rule of :func:`hopfield_sim.tabular.evaluate.keeps_checkpoint`), then memory = the remaining
training rows. The budget recipe's tiers apply (:func:`hopfield_sim.tabular.recipe`);
``epochs`` and ``feature_size`` override it. ``recipe="auto"`` runs the model search
(:func:`hopfield_sim.tabular.search.auto`, within ``budget_minutes``) on the same held-out
rows; when it keeps the default, the fit is exactly the ``recipe="budget"`` fit.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> X, y = load_iris(return_X_y=True)
>>> clf = HopularClassifier(epochs=2, feature_size=4, random_state=0).fit(X, y)
>>> clf.predict_proba(X[:2]).shape
(2, 3)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

__all__ = ["HopularClassifier", "HopularRegressor"]


def _is_frame(X) -> bool:
    return hasattr(X, "columns") and hasattr(X, "dtypes")


def _categorical_mask(X, spec, n_features: int) -> np.ndarray:
    """Boolean mask of categorical columns from ``spec`` ("auto", indices, mask or names)."""
    if isinstance(spec, str) and spec == "auto":
        if not _is_frame(X):
            return np.zeros(n_features, bool)
        import pandas as pd

        return np.array(
            [
                isinstance(d, pd.CategoricalDtype)
                or pd.api.types.is_object_dtype(d)
                or pd.api.types.is_string_dtype(d)
                or pd.api.types.is_bool_dtype(d)
                for d in X.dtypes
            ]
        )
    if spec is None:
        return np.zeros(n_features, bool)
    spec = list(spec)
    mask = np.zeros(n_features, bool)
    if spec and all(isinstance(s, bool | np.bool_) for s in spec):
        if len(spec) != n_features:
            raise ValueError(f"categorical_features: mask needs {n_features} entries.")
        return np.asarray(spec, bool)
    names = list(X.columns) if _is_frame(X) else None
    for s in spec:
        if isinstance(s, str):
            if names is None or s not in names:
                raise ValueError(f"categorical_features: no column named {s!r}.")
            mask[names.index(s)] = True
        elif isinstance(s, int | np.integer) and 0 <= s < n_features:
            mask[int(s)] = True
        else:
            raise ValueError(f"categorical_features: {s!r} is not a column index or name.")
    return mask


class _Hopular(BaseEstimator):
    """Shared fit/encode logic (see the module docstring)."""

    def __init__(
        self,
        *,
        recipe: str = "budget",
        epochs: int | None = None,
        feature_size: int | None = None,
        categorical_features="auto",
        validation_fraction: float = 0.1,
        random_state=None,
        budget_minutes: float | None = None,
        numeric_transform: str | None = None,
        numeric_bins: int | None = None,
        min_frequency: int | None = None,
    ):
        self.recipe = recipe
        self.min_frequency = min_frequency
        self.numeric_transform = numeric_transform
        self.numeric_bins = numeric_bins
        self.budget_minutes = budget_minutes
        self.epochs = epochs
        self.feature_size = feature_size
        self.categorical_features = categorical_features
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # missing values are masked (module docstring)
        tags.input_tags.categorical = True
        return tags

    # -- columns ----------------------------------------------------------------------------
    def _columns(self, X, *, reset: bool) -> list[np.ndarray]:
        """Validate X and return its columns (float for numeric, object for categorical)."""
        if _is_frame(X):
            validate_data(self, X, reset=reset, skip_check_array=True)
            if reset:
                self.categorical_ = _categorical_mask(X, self.categorical_features, X.shape[1])
            cols = []
            for j, name in enumerate(X.columns):
                c = X[name]
                if self.categorical_[j]:
                    v = c.astype(object).to_numpy()
                    cols.append(np.array([None if _missing(a) else a for a in v], object))
                else:
                    v = c.to_numpy(dtype=np.float64, na_value=np.nan)
                    if np.isinf(v).any():
                        raise ValueError(f"X: column {name!r} contains infinity.")
                    cols.append(v)
            if X.shape[0] < 2 and reset:
                raise ValueError("X: Hopular needs at least 2 samples; got n_samples = 1.")
            return cols
        if reset:
            self.categorical_ = None
        Xv = validate_data(
            self, X, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan",
            ensure_min_samples=2 if reset else 1,
        )  # fmt: skip
        if reset:
            self.categorical_ = _categorical_mask(X, self.categorical_features, Xv.shape[1])
        return [
            np.array([None if np.isnan(a) else a for a in Xv[:, j]], object)
            if self.categorical_[j]
            else Xv[:, j]
            for j in range(Xv.shape[1])
        ]

    def _fit_encoding(self, cols, train: np.ndarray) -> None:
        self.encoding_ = []
        for j, c in enumerate(cols):
            if self.categorical_[j]:
                seen = [a for a in c[train] if a is not None]
                self.encoding_.append(("discrete", sorted(set(seen), key=repr)))
            else:
                known = c[train][~np.isnan(c[train])]
                mean = float(known.mean()) if known.size else 0.0
                std = float(known.std(ddof=1)) if known.size > 1 else 1.0
                self.encoding_.append(("numeric", (mean, std if std > 0 else 1.0)))

    def _encode(self, cols) -> tuple[np.ndarray, np.ndarray, list[int], list[bool]]:
        """Features (N, P_features), missing (N, F_features), sizes, discrete."""
        n = len(cols[0]) if cols else 0
        blocks, missing, sizes, discrete = [], [], [], []
        for c, (kind, info) in zip(cols, self.encoding_):
            if kind == "discrete":
                index = {a: i for i, a in enumerate(info)}
                code = np.array([index.get(a, -1) if a is not None else -1 for a in c], int)
                block = np.zeros((n, max(1, len(info))))
                block[np.flatnonzero(code >= 0), code[code >= 0]] = 1.0
                miss = code < 0
            else:
                mean, std = info
                miss = np.isnan(c)
                block = np.where(miss, 0.0, (c - mean) / std)[:, None]  # float64
            blocks.append(block)
            missing.append(miss)
            sizes.append(block.shape[1])
            discrete.append(kind == "discrete")
        return np.concatenate(blocks, 1), np.stack(missing, 1), sizes, discrete

    # -- fit / predict -----------------------------------------------------------------------
    def _fit(self, X, y_index: np.ndarray, target_block, target_sizes, y_value, stratify):
        from hopfield_sim.tabular.data import Encoded, Split
        from hopfield_sim.tabular.model import HopularConfig
        from hopfield_sim.tabular.recipes import recipe as make_recipe
        from hopfield_sim.tabular.recipes import with_encoding
        from hopfield_sim.tabular.train import train

        if not 0.0 <= self.validation_fraction < 1.0:
            raise ValueError(
                f"validation_fraction must lie in [0, 1); got {self.validation_fraction!r}."
            )
        cols = self._columns(X, reset=True)
        n = len(cols[0])
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(0, 2**31 - 1))
        n_val = int(round(self.validation_fraction * n))
        if n_val >= 1 and n - n_val >= 2:
            from sklearn.model_selection import train_test_split

            strat = stratify if stratify is not None and _stratifiable(stratify, n_val) else None
            tr, val = train_test_split(
                np.arange(n), test_size=n_val, random_state=seed, stratify=strat
            )
            tr, val = np.sort(tr), np.sort(val)
        else:  # too few rows to hold any out: select on the training rows
            tr = val = np.arange(n)
        self._fit_encoding(cols, tr)
        xf, mf, sizes, discrete = self._encode(cols)
        x64 = np.concatenate([xf, target_block], 1)  # float64 (xf is)
        missing = np.concatenate([mf, np.zeros((n, 1), bool)], 1)
        sizes, discrete = tuple(sizes + [target_sizes[0]]), tuple(discrete + [target_sizes[1]])
        split = Split(0, "intended", tr, val, np.arange(0))
        enc = Encoded(x64.astype(np.float32), missing, y_value, sizes, discrete, split,
                      *self._target_stats, x64=x64)  # fmt: skip
        if self.recipe == "auto":
            return self._fit_auto(enc, seed)
        r = make_recipe(self.recipe, num_train=len(tr), num_features=len(sizes),
                        epochs=self.epochs)  # fmt: skip
        if self.feature_size is not None:
            e = int(self.feature_size)
            heads = max(1, min(e, r.model.feature_heads))
            model = HopularConfig(
                **{**r.model.to_dict(), "feature_size": e, "feature_heads": heads}
            )
            r = replace(r, model=model)
        r = with_encoding(r, self.numeric_transform, self.numeric_bins, self.min_frequency)
        self.recipe_ = r
        self.result_ = train(enc, recipe=r, seed=seed)
        self.n_iter_ = self.result_.epochs
        return self

    def _fit_auto(self, enc, seed: int):
        """``recipe="auto"``: :func:`hopfield_sim.tabular.search.auto` on the held-out rows."""
        from hopfield_sim.tabular.search import DEFAULT_BUDGET_MINUTES, auto

        chosen = (self.epochs, self.feature_size, self.numeric_transform, self.numeric_bins,
                  self.min_frequency)  # fmt: skip
        if any(v is not None for v in chosen):
            raise ValueError(
                "recipe='auto' chooses epochs, feature_size, numeric_transform, numeric_bins "
                "and min_frequency; leave them None."
            )
        minutes = DEFAULT_BUDGET_MINUTES if self.budget_minutes is None else self.budget_minutes
        found = auto(enc, seed=seed, budget_minutes=float(minutes))
        self.recipe_, self.result_, self.search_ = found.recipe, found.result, found.trials
        self.n_iter_ = self.result_.epochs
        return self

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self, "result_")
        cols = self._columns(X, reset=False)
        xf, mf, _, _ = self._encode(cols)
        n = xf.shape[0]
        x = np.concatenate([xf, np.zeros((n, self._target_width))], 1)  # float64: see fit
        missing = np.concatenate([mf, np.ones((n, 1), bool)], 1)
        return self.result_.predict(x, missing)


def _missing(a) -> bool:
    if a is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(a))
    except (TypeError, ValueError):
        return False


def _stratifiable(y: np.ndarray, n_val: int) -> bool:
    counts = np.bincount(y)
    counts = counts[counts > 0]
    return counts.min() >= 2 and n_val >= len(counts) and len(y) - n_val >= len(counts)


class HopularClassifier(ClassifierMixin, _Hopular):
    """Hopular classifier (scikit-learn API); parameters in the module docstring.

    Parameters
    ----------
    recipe : "budget", "reference" or "auto"
        ``"auto"``: the model search of :mod:`hopfield_sim.tabular.search` on the held-out
        validation rows (the budget setting unless a trial beats it beyond validation noise)
    epochs : int, optional (overrides the recipe's; not with "auto")
    feature_size : int, optional (embedding width per feature; overrides the recipe's; not
        with "auto")
    categorical_features : "auto", indices, boolean mask or column names
    validation_fraction : float in [0, 1): rows held out to pick the best epoch (and, with
        "auto", the trial)
    random_state : int, RandomState or None
    budget_minutes : float, optional
        Time budget of the "auto" search (default
        :data:`~hopfield_sim.tabular.search.DEFAULT_BUDGET_MINUTES`, 8)
    numeric_transform : "standard", "quantile" or None (the recipe's: standard)
        "quantile" maps numeric columns to a standard normal through their training
        quantiles (:mod:`hopfield_sim.tabular.transform`; for heavy tails); not with "auto",
        which tries both
    numeric_bins : int or None (the recipe's: 0)
        Piecewise-linear embedding of each numeric feature in this many equal-mass bins of a
        standard normal (``HopularConfig.numeric_bins``; meant with "quantile"); not with
        "auto", whose twin uses 16
    min_frequency : int or None (the recipe's: 0, off)
        Pool a categorical feature's categories with fewer training rows than this into one
        rare category (:mod:`hopfield_sim.tabular.pooling`, as ``OneHotEncoder``'s
        ``min_frequency``; for ID-like columns); not with "auto", which tries 5 when it
        changes the table

    Attributes
    ----------
    classes_, n_features_in_, feature_names_in_ (DataFrames), categorical_, recipe_, result_,
    search_ (with "auto": every trial's settings, rung, validation score and seconds)
    """

    def fit(self, X, y):
        """Fit on X (n_samples, n_features) and class labels y; returns self."""
        if y is None:
            raise ValueError(
                "y: HopularClassifier requires y to be passed, but the target y is None."
            )
        y = _check_y(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(y_index) != _n_rows(X):
            raise ValueError(f"X and y have different numbers of rows: {_n_rows(X)}, {len(y)}.")
        C = len(self.classes_)
        target = np.zeros((len(y_index), C), np.float32)
        target[np.arange(len(y_index)), y_index] = 1.0
        self._target_stats, self._target_width = (0.0, 1.0), C
        return self._fit(X, y_index, target, (C, True), y_index.astype(np.int64), y_index)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``."""
        logits = self._outputs(X).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """Most probable class of each row."""
        out = self._outputs(X)  # NotFittedError first
        return self.classes_[np.argmax(out, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True  # tiny budgets in the checks; see docs
        return tags


class HopularRegressor(RegressorMixin, _Hopular):
    """Hopular regressor (scikit-learn API): Hopular's objective with the target standardised
    (squared error on it); ``score`` is R². Parameters as :class:`HopularClassifier`."""

    def fit(self, X, y):
        """Fit on X (n_samples, n_features) and numeric targets y; returns self."""
        if y is None:
            raise ValueError(
                "y: HopularRegressor requires y to be passed, but the target y is None."
            )
        y = _check_y(y).astype(np.float64)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-d; got shape {y.shape}.")
        if not np.all(np.isfinite(y)):
            raise ValueError("y: Input y contains NaN or infinity.")
        if len(y) != _n_rows(X):
            raise ValueError(f"X and y have different numbers of rows: {_n_rows(X)}, {len(y)}.")
        if len(y) == 0:  # before the mean of no rows (a warning, an error under pytest)
            raise ValueError("X: Found array with 0 sample(s); Hopular needs at least 2.")
        mean = float(y.mean())
        std = float(y.std(ddof=1)) if len(y) > 1 else 1.0
        std = std if std > 0 else 1.0
        self._target_stats, self._target_width = (mean, std), 1
        target = ((y - mean) / std)[:, None].astype(np.float32)
        return self._fit(X, None, target, (1, False), y, None)

    def predict(self, X) -> np.ndarray:
        """Predicted target of each row (in the units of y)."""
        return np.asarray(self._outputs(X), np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True  # tiny budgets in the checks; see docs
        return tags


def _n_rows(X) -> int:
    if hasattr(X, "shape"):
        return X.shape[0]
    return len(X) if hasattr(X, "__len__") else np.asarray(X).shape[0]


def _check_y(y) -> np.ndarray:
    """``y`` as an array; complex values, and NaN or infinity in numeric labels, refused."""
    y = np.asarray(y)
    if np.iscomplexobj(y):
        raise ValueError("y: Complex data not supported.")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError("y: Input y contains NaN or infinity.")
    return y
