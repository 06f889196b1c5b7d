"""Rare categories pooled: the one-hot columns of a discrete feature's rare categories merged.

A discrete feature with many categories seen only a few times in training (an ID-like column,
a postcode, a product code) gives Hopular one embedding row per category, each trained on a
handful of rows and, for categories first seen in validation or test rows, never trained at
all. Pooling keeps the frequent categories and merges the rest into one "rare" category:

    a category of feature j with fewer than ``k = min_frequency`` training rows
    (``enc.split.train``; a category never seen in training has 0) joins feature j's rare
    category, whose one-hot column is the last of the feature's block,

the rule of scikit-learn's ``OneHotEncoder(min_frequency=k)`` for an integer ``k`` (its
"infrequent" category, with ``handle_unknown="infrequent_if_exist"``). A feature with fewer
than two rare categories is left as it is (pooling one category only renames it), and so are
numeric features, the target and missing entries (all zeros before and after).

Pooling is a recipe setting (:attr:`~hopfield_sim.tabular.recipes.Recipe.min_frequency`,
0 = off, the default): :func:`~hopfield_sim.tabular.train.train` fits it on the split's
training rows and the trained predictor applies it to new rows, as with the quantile
transform. ``recipe="auto"`` tries it as one trial when it changes the table
(:mod:`hopfield_sim.tabular.search`).

Examples
--------
>>> import numpy as np
>>> from hopfield_sim.tabular.data import Encoded, Split
>>> x = np.eye(4, dtype=np.float32)[[0, 0, 0, 1, 2, 3]]   # one feature: 4 categories
>>> x = np.concatenate([x, np.ones((6, 1), np.float32)], 1)  # a 1-class target
>>> split = Split(0, "intended", np.arange(5), np.arange(5, 6), np.arange(5, 6))
>>> enc = Encoded(x, np.zeros((6, 2), bool), np.zeros(6, int), (4, 1), (True, True), split)
>>> pooled, pool = pool_rare(enc, 2)      # categories 1, 2, 3 have 1, 1, 0 training rows
>>> pooled.sizes, pooled.x[:, 0].tolist(), pooled.x[:, 1].tolist()
((2, 1), [1.0, 1.0, 1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

__all__ = ["RarePooling", "pool_rare"]


@dataclass(frozen=True)
class RarePooling:
    """A fitted pooling of rare categories (see the module docstring).

    Attributes
    ----------
    min_frequency : int
        Categories with fewer training rows than this were pooled.
    kept : int array
        Columns of the input encoding copied unchanged, in order.
    kept_to : int array
        Their positions in the pooled encoding.
    rare : tuple of int arrays
        Per pooled feature, the input columns summed into its rare category.
    rare_to : tuple of int
        Position of each pooled feature's rare column in the pooled encoding.
    sizes : tuple of int
        Width of each feature's encoding after pooling (target last, unchanged).
    """

    min_frequency: int
    kept: np.ndarray
    kept_to: np.ndarray
    rare: tuple[np.ndarray, ...]
    rare_to: tuple[int, ...]
    sizes: tuple[int, ...]

    @classmethod
    def fit(cls, x: np.ndarray, sizes, discrete, rows: np.ndarray, min_frequency: int):
        """Count each category's training rows ``x[rows]`` and pool those below
        ``min_frequency``; None when no feature has two or more rare categories."""
        k = int(min_frequency)
        if k < 1:
            raise ValueError(f"min_frequency must be >= 1 to pool; got {min_frequency!r}.")
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        counts = np.count_nonzero(np.asarray(x)[rows], axis=0)  # training rows per column
        kept, kept_to, rare, rare_to, new_sizes = [], [], [], [], []
        at = 0
        for j, (w, disc) in enumerate(zip(sizes, discrete)):
            cols = np.arange(starts[j], starts[j + 1])
            few = np.zeros(w, bool)
            if disc and j < len(sizes) - 1:  # the target (last) is never pooled
                few = counts[cols] < k
            if few.sum() < 2:
                few[:] = False
            keep = cols[~few]
            kept.append(keep)
            kept_to.append(at + np.arange(keep.size))
            at += keep.size
            if few.any():
                rare.append(cols[few])
                rare_to.append(at)
                at += 1
            new_sizes.append(int(keep.size + few.any()))
        if not rare:
            return None
        return cls(k, np.concatenate(kept), np.concatenate(kept_to), tuple(rare),
                   tuple(int(r) for r in rare_to), tuple(new_sizes))  # fmt: skip

    @property
    def width(self) -> int:
        """Columns of the pooled encoding."""
        return int(sum(self.sizes))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The pooled encoding of rows ``x`` (N, P) -> (N, :attr:`width`), in ``x``'s dtype:
        kept columns copied, each rare category the sum (0 or 1) of its pooled columns."""
        x = np.asarray(x)
        out = np.zeros((x.shape[0], self.width), x.dtype)
        out[:, self.kept_to] = x[:, self.kept]
        for cols, to in zip(self.rare, self.rare_to):
            out[:, to] = x[:, cols].sum(1)
        return out


def pool_rare(enc, min_frequency: int):
    """``(encoded, pooling)``: ``enc`` with the rare categories of its discrete features pooled
    on ``enc.split.train`` (:class:`RarePooling`), or ``(enc, None)`` when no feature has two
    or more categories with fewer than ``min_frequency`` training rows."""
    pool = RarePooling.fit(enc.x, enc.sizes, enc.discrete, enc.split.train, min_frequency)
    if pool is None:
        return enc, None
    x64 = None if enc.x64 is None else pool(enc.x64)
    return replace(enc, x=pool(enc.x), x64=x64, sizes=pool.sizes), pool
