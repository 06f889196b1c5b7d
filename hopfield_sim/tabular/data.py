"""Tabular data sets described by a ``dataset.toml`` card: reading, splits and encoding.

A data set is a folder with a ``dataset.toml`` card (format of ``data/hopular/*/dataset.toml``)::

    name = "shrutime"                 # optional, default: the folder name
    task = "classification"           # only classification is supported
    file = "shrutime.csv"             # comma-separated table
    header = true                     # first line is a header (columns are still positions)
    target = 13                       # target column in `file` ... or
    labels = "labels_py.dat"          # ... a separate one-column file of class labels
    numeric = [3, 6, 7, 8, 12]        # 0-based column positions
    discrete = [4, 5, 9, 10, 11]
    missing = {"19" = [" ", ""]}      # optional: column -> strings meaning "missing"
    splits = "derived_splits/split{k}.json"

Each split file holds 0-based data-row indices ``intended_train``, ``intended_validation``,
``intended_test`` (and optionally ``effective_*``, the rows the reference code used).

Encoding (as the Hopular reference does): a discrete column becomes a one-hot vector over the
sorted distinct values of the whole file (numerically sorted when every value is a number); a
numeric column is standardised with the mean and unbiased standard deviation of the split's
**training** rows. Missing entries are zero and flagged in ``Encoded.missing``. The target is the
last feature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hopfield_sim.tabular import _card

__all__ = ["Dataset", "Encoded", "Split", "load_dataset"]

_SPLIT_PARTS = ("train", "validation", "test")


@dataclass(frozen=True)
class Split:
    """Row indices (0-based rows of the data file) of one split.

    ``which`` is ``"intended"`` (what the split definition says) or ``"effective"`` (the rows the
    reference code actually used because of its indexing bug).
    """

    index: int
    which: str
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray


@dataclass(frozen=True)
class Encoded:
    """Model-ready arrays of one split (every row of the file, encoded with that split).

    Attributes
    ----------
    x : float32 array, shape (N, P)
        Concatenated feature encodings (one-hot or standardised value), target last.
    missing : bool array, shape (N, F)
        True where a feature value is missing (its encoding is all zeros).
    y : int array, shape (N,)
        Class index of each row.
    sizes : tuple of int
        Width of each feature's encoding (sum = P); the last one is the target.
    discrete : tuple of bool
        Whether each feature is discrete (one-hot).
    split : Split
        The row indices the encoding was fitted on (numeric statistics from ``split.train``).
    target_mean, target_std : float
        Regression (numeric target, ``discrete[-1]`` False): ``y`` holds the target in its
        units and its encoding is ``(y - target_mean) / target_std``. Unused for classes.
    x64 : float64 array (N, P) or None
        The same encoding before rounding to ``x``'s dtype (set by :meth:`Dataset.encode`);
        the quantile transform (:mod:`hopfield_sim.tabular.transform`) is fitted on it, since
        rounding standardised heavy-tailed columns to float32 merges nearby values.
    """

    x: np.ndarray
    missing: np.ndarray
    y: np.ndarray
    sizes: tuple[int, ...]
    discrete: tuple[bool, ...]
    split: Split
    target_mean: float = 0.0
    target_std: float = 1.0
    x64: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def source(self) -> np.ndarray:
        """The most precise encoding at hand: ``x64`` when set, else ``x``."""
        return self.x if self.x64 is None else self.x64

    @property
    def num_classes(self) -> int:
        """Number of target classes (1 for a numeric target)."""
        return self.sizes[-1]


@dataclass(frozen=True)
class Dataset:
    """A tabular classification data set read from a card.

    ``columns[j]`` is the file column of feature j (target last), ``kinds[j]`` is ``"numeric"``
    or ``"discrete"``; ``raw[j]`` holds floats (numeric, NaN = missing) or category codes
    (discrete, -1 = missing) per row; ``categories[j]`` lists a discrete feature's values.
    """

    name: str
    path: Path
    columns: tuple[int | str, ...]
    kinds: tuple[str, ...]
    raw: tuple[np.ndarray, ...]
    categories: tuple[tuple[str, ...] | None, ...]
    split_pattern: str
    num_splits: int

    @property
    def num_rows(self) -> int:
        """Number of data rows."""
        return int(self.raw[0].shape[0])

    @property
    def num_features(self) -> int:
        """Number of features, target included."""
        return len(self.kinds)

    @property
    def num_classes(self) -> int:
        """Number of target classes."""
        return len(self.categories[-1])

    def split(self, k: int = 0, *, which: str = "intended") -> Split:
        """Row indices of split ``k``; ``which`` is ``"intended"`` (default) or ``"effective"``.

        Raises ValueError when the split file does not partition the rows: an index out of range
        or repeated, parts overlapping, an empty part, or rows left out that are not duplicates
        of used rows.
        """
        if isinstance(k, bool) or not isinstance(k, int | np.integer):
            raise TypeError(f"split must be an int; got {k!r}.")
        if not 0 <= k < self.num_splits:
            raise ValueError(f"split must lie in 0..{self.num_splits - 1}; got {k}.")
        if which not in ("intended", "effective"):
            raise ValueError(f"which must be 'intended' or 'effective'; got {which!r}.")
        path = _card.split_path(self.path, self.split_pattern, k)
        parts = _split_parts(path, which, self.num_rows)
        self._check_partition(path, which, parts)
        return Split(k, which, *parts)

    def _check_partition(self, path: Path, which: str, parts: list[np.ndarray]) -> None:
        """Refuse repeated rows, and rows left out that are not duplicates of used rows."""
        used = np.concatenate(parts)
        counts = np.bincount(used, minlength=self.num_rows)
        if counts.max() > 1:
            raise ValueError(
                f"split file {path} does not partition the rows: {int(np.sum(counts > 1))} rows "
                f"appear more than once in {which}_train/validation/test."
            )
        left = np.flatnonzero(counts == 0)
        if left.size:
            rows = np.stack([np.nan_to_num(r.astype(float), nan=-1e300) for r in self.raw], 1)
            kept = {r.tobytes() for r in rows[used]}
            if any(rows[i].tobytes() not in kept for i in left):
                raise ValueError(
                    f"split file {path} does not partition the rows: {left.size} rows are in no "
                    "part and not all of them are duplicates of rows that are."
                )

    def encoded_width(self) -> int:
        """Number of columns of the encoding (one per numeric feature, one per category)."""
        return sum(1 if c is None else len(c) for c in self.categories)

    def encode(self, split: Split, *, dtype=np.float32) -> Encoded:
        """Encode every row for ``split`` (numeric statistics from its training rows).

        ``dtype`` is that of ``Encoded.x``: float32 (the model's) by default. Baselines that
        bin the values (gradient-boosted trees) should take float64: rounding standardised
        heavy-tailed columns to float32 merges nearby values, and on the heavy-tailed
        tree-teacher set of ``docs/tabular.md`` scikit-learn's HistGradientBoosting lost
        9 points of test accuracy to it.

        The size of the encoding (one-hot columns grow with the number of distinct values) is
        checked by the package's memory guard before anything is allocated.
        """
        from _hopfield_base import memory  # the memory guard shared by the package

        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise ValueError(f"dtype must be a floating dtype; got {np.dtype(dtype)}.")
        n = self.num_rows
        widest = max(
            (len(c), col) for c, col in zip(self.categories, self.columns) if c is not None
        )
        memory.check_memory(
            # float64 blocks (8 bytes an entry), their concatenation x64 (8) and x (float32, 4)
            20 * n * self.encoded_width(),
            f"{self.name}: encoding {n} rows into {self.encoded_width()} columns (widest: "
            f"column {widest[1]} with {widest[0]} distinct values, one-hot)",
        )
        blocks, missing, sizes = [], [], []
        for kind, raw, cats, col in zip(self.kinds, self.raw, self.categories, self.columns):
            if kind == "discrete":
                miss = raw < 0
                block = np.zeros((n, len(cats)))
                block[np.flatnonzero(~miss), raw[~miss]] = 1.0
            else:
                miss = np.isnan(raw)
                train = raw[split.train]
                train = train[~np.isnan(train)]
                if train.size < 2:
                    raise ValueError(
                        f"{self.name}: column {col} has fewer than 2 known training values."
                    )
                mean, std = float(train.mean()), float(train.std(ddof=1))
                std = std if std > 0 else 1.0
                block = np.where(miss, 0.0, (raw - mean) / std)[:, None]
            blocks.append(block)
            missing.append(miss)
            sizes.append(block.shape[1])
        x64 = np.concatenate(blocks, axis=1)
        return Encoded(
            x=x64.astype(dtype, copy=False),  # float64: x is x64
            missing=np.stack(missing, axis=1),
            y=self.raw[-1].astype(np.int64),
            sizes=tuple(sizes),
            discrete=tuple(k == "discrete" for k in self.kinds),
            split=split,
            x64=x64,
        )


def _split_parts(path: Path, which: str, num_rows: int) -> list[np.ndarray]:
    """The train/validation/test index arrays of a split file (each non-empty, in range)."""
    try:
        spec = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"split file {path} is not valid JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise ValueError(f"split file {path} must hold a JSON object (table of index lists).")
    parts = []
    for part in _SPLIT_PARTS:
        key = f"{which}_{part}"
        if key not in spec:
            raise ValueError(f"split file {path} has no key {key!r}.")
        idx = np.asarray(spec[key])
        if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"split file {path}: {key!r} must be a non-empty list of ints.")
        if idx.min() < 0 or idx.max() >= num_rows:
            raise ValueError(
                f"split file {path}: {key!r} has row indices outside 0..{num_rows - 1}."
            )
        parts.append(idx.astype(np.int64))
    return parts


def load_dataset(path: str | Path) -> Dataset:
    """Read the data set in folder ``path`` (must contain ``dataset.toml``).

    Raises
    ------
    FileNotFoundError
        No card, data file, labels file or split files.
    ValueError
        Malformed card (unknown or missing keys, wrong types, unsupported task), a column
        position outside the table or listed twice, unparsable numbers.
    """
    path = Path(path)
    card, card_path = _card.read_card(path)
    file = _card.inside(path, card["file"], "file", card_path)
    rows = _card.read_table(file, card.get("header", False))
    listed = _card.check_columns(card, card_path, len(rows[0]))
    miss_map = _card.missing_map(card, card_path, listed)
    discrete = _card.column_list(card, "discrete")
    cols = sorted(_card.column_list(card, "numeric") + discrete)
    kinds, raws, cats = _card.feature_columns(rows, cols, discrete, miss_map, card_path)
    label_col, codes, known = _card.target_column(card, card_path, rows)
    return Dataset(
        name=card.get("name", path.name),
        path=path,
        columns=tuple(cols) + (label_col,),
        kinds=tuple(kinds) + ("discrete",),
        raw=tuple(raws) + (codes,),
        categories=tuple(cats) + (known,),
        split_pattern=card["splits"],
        num_splits=_card.count_splits(path, card["splits"], card_path),
    )
