"""Quantile normalisation of numeric features: heavy tails made Gaussian before the embedding.

Hopular embeds a standardised numeric value x linearly (``Linear(2 -> e)`` of the value and its
mask bit). On heavy-tailed columns (velocities, accelerations, durations, counts) most training
values then sit within a few hundredths of zero while a few lie tens of standard deviations out,
and the embedding cannot resolve the bulk. Tree ensembles are unaffected (they only see the
order of the values). The usual remedy of tabular deep learning (Gorishniy, Rubachev, Khrulkov
and Babenko 2021, "Revisiting deep learning models for tabular data", every deep model there) is
a per-column quantile transform to a standard normal, fitted on the training rows:

    z = Phi^-1( F_n(x) ),    F_n = the training rows' empirical distribution function,

interpolated linearly between ``n_q = min(1000, n)`` quantiles (n: the column's known training
values), ties averaged over both
directions (so a value shared by many rows maps to the middle of its probability range), and
clipped to ``[1e-7, 1 - 1e-7]`` before ``Phi^-1`` (so |z| <= 5.2). The map is monotone, so
anything that depends only on the order of the values (trees, nearest ranks) is unchanged.

It is applied to numeric *features* only: one-hot columns, missing entries (they stay 0 and
masked) and the target (a regression target keeps its standardisation, so RMSE stays in the
target's units) are left alone. The training rows' transformed values are close to N(0, 1);
no further standardisation is applied.

The transform is part of a :class:`~hopfield_sim.tabular.recipes.Recipe`
(``numeric_transform="quantile"``); :func:`~hopfield_sim.tabular.train.train` fits it on the
split's training rows and applies it to every row it evaluates, and the trained predictor
applies it to new rows.

Examples
--------
>>> import numpy as np
>>> x = np.array([[0.0], [1.0], [2.0], [100.0]], np.float32)
>>> q = QuantileNormal.fit(x, np.zeros((4, 1), bool), columns=[0], rows=np.arange(4))
>>> [round(float(v), 2) for v in q(x, np.zeros((4, 1), bool))[:, 0]]
[-5.2, -0.43, 0.43, 5.2]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import ndtri

__all__ = ["QuantileNormal", "TRANSFORMS", "numeric_columns", "quantile_normal"]

#: values of ``Recipe.numeric_transform``
TRANSFORMS = ("standard", "quantile")
#: most quantiles per column (as scikit-learn's QuantileTransformer default)
MAX_QUANTILES = 1000
#: probabilities are clipped to [CLIP, 1 - CLIP] before the normal quantile function
CLIP = 1e-7


@dataclass(frozen=True)
class QuantileNormal:
    """A fitted per-column quantile transform to a standard normal.

    Attributes
    ----------
    columns : tuple of int
        Positions (in the encoded row, ``Encoded.x``) of the columns it maps.
    features : tuple of int
        Feature index of each column (for the missing flags, ``Encoded.missing``).
    references : tuple of float64 arrays
        Each column's training quantiles at the probabilities ``linspace(0, 1, n_q)``,
        ``n_q = min(1000, known training values of the column)``.
    """

    columns: tuple[int, ...]
    features: tuple[int, ...]
    references: tuple[np.ndarray, ...]

    @classmethod
    def fit(cls, x: np.ndarray, missing: np.ndarray, *, columns, rows: np.ndarray,
            features=None) -> QuantileNormal:  # fmt: skip
        """Quantiles of the known values of ``x[rows][:, columns]`` (``features[i]`` is the
        feature of column i, default the column's own index, for the missing flags)."""
        columns = tuple(int(c) for c in columns)
        features = columns if features is None else tuple(int(f) for f in features)
        refs = []
        for c, f in zip(columns, features):
            known = np.asarray(x[rows, c], np.float64)[~np.asarray(missing[rows, f], bool)]
            if known.size < 2:
                raise ValueError(f"column {c} has fewer than 2 known training values.")
            refs.append(np.quantile(known, np.linspace(0.0, 1.0, min(MAX_QUANTILES, known.size))))
        return cls(columns, features, tuple(refs))

    def __call__(self, x: np.ndarray, missing: np.ndarray) -> np.ndarray:
        """``x`` with its mapped columns replaced by z = Phi^-1(F_n(x)) (missing stay 0)."""
        out = np.array(x, dtype=np.float32, copy=True)
        for c, f, ref in zip(self.columns, self.features, self.references):
            v, levels = np.asarray(x[:, c], np.float64), np.linspace(0.0, 1.0, ref.size)
            # ties: the mean of the forward and the backward interpolation (middle of the range)
            u = 0.5 * (
                np.interp(v, ref, levels) - np.interp(-v, -ref[::-1], -levels[::-1])
            )
            z = ndtri(np.clip(u, CLIP, 1.0 - CLIP))
            out[:, c] = np.where(np.asarray(missing[:, f], bool), 0.0, z)
        return out


def numeric_columns(sizes, discrete) -> tuple[list[int], list[int]]:
    """(encoded column, feature index) of every numeric feature except the target (last)."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
    feats = [j for j in range(len(sizes) - 1) if not discrete[j] and sizes[j] == 1]
    return [int(starts[j]) for j in feats], feats


def quantile_normal(enc):
    """``(encoded, transform)``: ``enc`` with its numeric features quantile-normalised on
    ``enc.split.train``, and the fitted :class:`QuantileNormal` (None when the table has no
    numeric feature, and ``enc`` is returned unchanged).

    Fitted on and applied to ``enc.source`` (the float64 encoding when the data set made one):
    rounding heavy-tailed standardised values to float32 first merges values the transform
    would have told apart. New rows should be passed to the trained predictor in float64 too.
    """
    columns, feats = numeric_columns(enc.sizes, enc.discrete)
    if not columns:
        return enc, None
    src = enc.source
    q = QuantileNormal.fit(src, enc.missing, columns=columns, rows=enc.split.train,
                           features=feats)  # fmt: skip
    return replace(enc, x=q(src, enc.missing), x64=None), q
