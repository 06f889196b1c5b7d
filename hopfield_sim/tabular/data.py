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

import csv
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

__all__ = ["Dataset", "Encoded", "Split", "load_dataset"]

_SPLIT_PARTS = ("train", "validation", "test")
_ALLOWED_KEYS = {
    "name",
    "task",
    "file",
    "header",
    "target",
    "labels",
    "numeric",
    "discrete",
    "missing",
    "splits",
}


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
    """

    x: np.ndarray
    missing: np.ndarray
    y: np.ndarray
    sizes: tuple[int, ...]
    discrete: tuple[bool, ...]
    split: Split
    target_mean: float = 0.0
    target_std: float = 1.0

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
        path = _split_path(self.path, self.split_pattern, k)
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
            if idx.min() < 0 or idx.max() >= self.num_rows:
                raise ValueError(
                    f"split file {path}: {key!r} has row indices outside 0..{self.num_rows - 1}."
                )
            parts.append(idx.astype(np.int64))
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
        return Split(k, which, *parts)

    def encoded_width(self) -> int:
        """Number of columns of the encoding (one per numeric feature, one per category)."""
        return sum(1 if c is None else len(c) for c in self.categories)

    def encode(self, split: Split) -> Encoded:
        """Encode every row for ``split`` (numeric statistics from its training rows).

        The size of the encoding (one-hot columns grow with the number of distinct values) is
        checked by the package's memory guard before anything is allocated.
        """
        from _hopfield_base import memory  # the memory guard shared by the package

        n = self.num_rows
        widest = max(
            (len(c), col) for c, col in zip(self.categories, self.columns) if c is not None
        )
        memory.check_memory(
            # x (float32), one block at a time and the concatenation: about 3 copies
            12 * n * self.encoded_width(),
            f"{self.name}: encoding {n} rows into {self.encoded_width()} columns (widest: "
            f"column {widest[1]} with {widest[0]} distinct values, one-hot)",
        )
        blocks, missing, sizes = [], [], []
        for kind, raw, cats, col in zip(self.kinds, self.raw, self.categories, self.columns):
            if kind == "discrete":
                miss = raw < 0
                block = np.zeros((n, len(cats)), np.float32)
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
                block = np.where(miss, 0.0, (raw - mean) / std)[:, None].astype(np.float32)
            blocks.append(block)
            missing.append(miss)
            sizes.append(block.shape[1])
        return Encoded(
            x=np.concatenate(blocks, axis=1),
            missing=np.stack(missing, axis=1),
            y=self.raw[-1].astype(np.int64),
            sizes=tuple(sizes),
            discrete=tuple(k == "discrete" for k in self.kinds),
            split=split,
        )


def _unquote(field: str) -> str:
    if len(field) >= 2 and field[0] == field[-1] and field[0] in "'\"":
        return field[1:-1]
    return field


def _inside(folder: Path, rel: object, key: str, card_path: Path) -> Path:
    """``folder / rel`` for a card string, refused unless it stays inside ``folder``.

    Absolute paths, ``..`` components and symbolic links that lead out of the folder are
    refused (the card can only name files of its own data set); nothing is read first.
    """
    if not isinstance(rel, str) or not rel.strip():
        raise ValueError(f"dataset card {card_path}: {key!r} must be a relative file name.")
    _printable(rel, key, card_path)
    parts = Path(rel).parts
    if Path(rel).is_absolute() or rel.startswith(("/", "\\", "~")) or ".." in parts:
        raise ValueError(
            f"dataset card {card_path}: {key!r} must be a path inside the data folder "
            "(no absolute path, no '..')."
        )
    target = folder / rel
    try:
        inside = target.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symbolic link loop
        inside = False
    if not inside:
        raise ValueError(
            f"dataset card {card_path}: {key!r} leads out of the data folder (a symbolic "
            "link out of it, or a loop)."
        )
    return target


def _printable(text: str, key: str, card_path: Path) -> None:
    if any(not ch.isprintable() for ch in text):
        raise ValueError(
            f"dataset card {card_path}: {key!r} contains control characters; use plain text."
        )


def _split_path(folder: Path, pattern: str, k: int) -> Path:
    """The file of split ``k``: ``{k}`` replaced (the only substitution), kept inside."""
    return _inside(folder, pattern.replace("{k}", str(int(k))), "splits", folder / "dataset.toml")


def _read_table(path: Path, header: bool) -> list[list[str]]:
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} does not exist.")
    from hopfield_sim._sizes import check_size

    # rows of Python strings: about 40 bytes in memory per byte of text (fields, lists)
    check_size(
        40.0 * path.stat().st_size, f"reading data file {path} ({path.stat().st_size} bytes)"
    )
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = [[_unquote(f) for f in row] for row in csv.reader(fh) if row]
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"data file {path} is not a readable CSV text file ({exc}).") from None
    if header:
        rows = rows[1:]
    if not rows:
        raise ValueError(f"data file {path} has no data rows.")
    width = len(rows[0])
    bad = next((i for i, r in enumerate(rows) if len(r) != width), None)
    if bad is not None:
        raise ValueError(
            f"data file {path}: row {bad} has {len(rows[bad])} fields, the first row {width}."
        )
    return rows


def _column_list(card: dict, key: str) -> list[int]:
    cols = card.get(key, [])
    if not isinstance(cols, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in cols
    ):
        raise ValueError(f"dataset card: {key!r} must be a list of column positions (ints).")
    return cols


def _discrete_codes(values: list[str], miss: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    known = sorted({v for v, m in zip(values, miss) if not m})
    try:
        known = sorted(known, key=float)
    except ValueError:
        pass
    lookup = {v: i for i, v in enumerate(known)}
    codes = np.array([-1 if m else lookup[v] for v, m in zip(values, miss)], np.int64)
    return codes, tuple(known)


def _numbers(values: list[str], miss: np.ndarray, col: int, card_path: Path) -> np.ndarray:
    """Finite floats of a numeric column (NaN where missing); a bad entry names its row."""
    out = np.full(len(values), np.nan)
    for i, (v, m) in enumerate(zip(values, miss)):
        if m:
            continue
        try:
            x = float(v)
        except ValueError:
            x = math.nan
        if not math.isfinite(x):  # the value itself is not echoed (may be anything)
            raise ValueError(
                f"{card_path}: numeric column {col}, data row {i}: not a finite number "
                "(list the string under 'missing' if it means a missing value)."
            )
        out[i] = x
    return out


def _distinct_labels(known: tuple[str, ...], card_path: Path) -> None:
    """Refuse class labels that differ only in spaces, case or number format ("1", "1.0")."""
    seen: dict[str, str] = {}
    for label in known:
        key = label.strip().casefold()
        try:
            key = repr(float(key))
        except ValueError:
            pass
        if key in seen:
            raise ValueError(
                f"{card_path}: target labels {seen[key]!r} and {label!r} differ only in "
                "spaces, case or number format; make them identical or clearly different."
            )
        seen[key] = label


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
    card_path = path / "dataset.toml"
    if not card_path.is_file():
        raise FileNotFoundError(f"{path} has no dataset.toml card.")
    try:
        card = tomllib.loads(card_path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"dataset card {card_path} is not valid TOML: {exc}") from None
    unknown = set(card) - _ALLOWED_KEYS
    if unknown:
        raise ValueError(f"dataset card {card_path}: unknown keys {sorted(unknown)}.")
    for key in ("file", "splits"):
        if not isinstance(card.get(key), str):
            raise ValueError(f"dataset card {card_path}: {key!r} (a string) is required.")
    if "{k}" not in card["splits"] or re.search(r"[{}]", card["splits"].replace("{k}", "")):
        raise ValueError(
            f"dataset card {card_path}: 'splits' must contain '{{k}}' (the split index) and "
            "no other braces."
        )
    _split_path(path, card["splits"], 0)  # refuse a pattern that leads out of the folder
    name = card.get("name", path.name)
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset card {card_path}: 'name' must be a non-empty string.")
    _printable(name, "name", card_path)
    task = card.get("task", "classification")
    if task != "classification":
        raise ValueError(f"dataset card {card_path}: task {task!r} is not supported.")
    if ("target" in card) == ("labels" in card):
        raise ValueError(f"dataset card {card_path}: give exactly one of 'target' and 'labels'.")
    header = card.get("header", False)
    if not isinstance(header, bool):
        raise ValueError(f"dataset card {card_path}: 'header' must be true or false.")
    rows = _read_table(_inside(path, card["file"], "file", card_path), header)
    width = len(rows[0])
    numeric, discrete = _column_list(card, "numeric"), _column_list(card, "discrete")
    target = card.get("target")
    if "target" in card and (not isinstance(target, int) or isinstance(target, bool)):
        raise ValueError(f"dataset card {card_path}: 'target' must be a column position (int).")
    listed = numeric + discrete + ([target] if target is not None else [])
    if not numeric + discrete:
        raise ValueError(f"dataset card {card_path}: no feature columns (numeric, discrete).")
    for c in listed:
        if not 0 <= c < width:
            raise ValueError(
                f"dataset card {card_path}: unknown column {c} (the table has {width} columns)."
            )
    if len(set(listed)) != len(listed):
        raise ValueError(f"dataset card {card_path}: a column is listed more than once.")
    missing = card.get("missing", {})
    if not isinstance(missing, dict):
        raise ValueError(f"dataset card {card_path}: 'missing' must be a table column -> list.")
    miss_map: dict[int, set[str]] = {}
    for key, vals in missing.items():
        if not re.fullmatch(r"\d+", str(key)) or int(key) not in listed:
            raise ValueError(f"dataset card {card_path}: 'missing' names unknown column {key!r}.")
        if target is not None and int(key) == target:
            raise ValueError(
                f"dataset card {card_path}: 'missing' names the target column {key}; every "
                "row needs a class label (remove unlabelled rows from the file)."
            )
        if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
            raise ValueError(f"dataset card {card_path}: missing[{key!r}] must be strings.")
        miss_map[int(key)] = set(vals)

    cols = sorted(numeric + discrete)
    kinds, raws, cats = [], [], []
    for c in cols:
        values = [r[c] for r in rows]
        miss = np.array([v in miss_map.get(c, ()) for v in values])
        if c in discrete:
            codes, known = _discrete_codes(values, miss)
            kinds.append("discrete")
            raws.append(codes)
            cats.append(known)
        else:
            vals = _numbers(values, miss, c, card_path)
            kinds.append("numeric")
            raws.append(vals)
            cats.append(None)
    if target is not None:
        labels = [r[target] for r in rows]
        label_col: int | str = target
    else:
        labels_path = _inside(path, card["labels"], "labels", card_path)
        labels = [r[0] for r in _read_table(labels_path, False)]
        if len(labels) != len(rows):
            raise ValueError(
                f"labels file {labels_path} has {len(labels)} rows, the data {len(rows)}."
            )
        label_col = "labels"
    codes, known = _discrete_codes(labels, np.zeros(len(labels), bool))
    if len(known) < 2:
        raise ValueError(f"{card_path}: the target has fewer than 2 classes.")
    _distinct_labels(known, card_path)
    n_splits = 0
    while _split_path(path, card["splits"], n_splits).is_file():
        n_splits += 1
    if n_splits == 0:
        raise FileNotFoundError(
            f"{card_path}: no split file {_split_path(path, card['splits'], 0)}."
        )
    return Dataset(
        name=name,
        path=path,
        columns=tuple(cols) + (label_col,),
        kinds=tuple(kinds) + ("discrete",),
        raw=tuple(raws) + (codes,),
        categories=tuple(cats) + (known,),
        split_pattern=card["splits"],
        num_splits=n_splits,
    )
