"""Reading a ``dataset.toml`` card and its files: paths kept inside the folder, tables, columns.

Private helpers of :func:`hopfield_sim.tabular.data.load_dataset` (the card format is described
there); every check raises ValueError or FileNotFoundError naming the card and the offending key.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib

ALLOWED_KEYS = {
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


def unquote(field: str) -> str:
    if len(field) >= 2 and field[0] == field[-1] and field[0] in "'\"":
        return field[1:-1]
    return field


def inside(folder: Path, rel: object, key: str, card_path: Path) -> Path:
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


def split_path(folder: Path, pattern: str, k: int) -> Path:
    """The file of split ``k``: ``{k}`` replaced (the only substitution), kept inside."""
    return inside(folder, pattern.replace("{k}", str(int(k))), "splits", folder / "dataset.toml")


def read_table(path: Path, header: bool) -> list[list[str]]:
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} does not exist.")
    from hopfield_sim._sizes import check_size

    # rows of Python strings: about 40 bytes in memory per byte of text (fields, lists)
    check_size(
        40.0 * path.stat().st_size, f"reading data file {path} ({path.stat().st_size} bytes)"
    )
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = [[unquote(f) for f in row] for row in csv.reader(fh) if row]
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


def column_list(card: dict, key: str) -> list[int]:
    cols = card.get(key, [])
    if not isinstance(cols, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in cols
    ):
        raise ValueError(f"dataset card: {key!r} must be a list of column positions (ints).")
    return cols


def discrete_codes(values: list[str], miss: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    known = sorted({v for v, m in zip(values, miss) if not m})
    try:
        known = sorted(known, key=float)
    except ValueError:
        pass
    lookup = {v: i for i, v in enumerate(known)}
    codes = np.array([-1 if m else lookup[v] for v, m in zip(values, miss)], np.int64)
    return codes, tuple(known)


def numbers(values: list[str], miss: np.ndarray, col: int, card_path: Path) -> np.ndarray:
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


def distinct_labels(known: tuple[str, ...], card_path: Path) -> None:
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


def read_card(path: Path) -> tuple[dict, Path]:
    """The parsed card of folder ``path`` and the card's path (keys and types checked)."""
    card_path = path / "dataset.toml"
    if not card_path.is_file():
        raise FileNotFoundError(f"{path} has no dataset.toml card.")
    try:
        card = tomllib.loads(card_path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"dataset card {card_path} is not valid TOML: {exc}") from None
    unknown = set(card) - ALLOWED_KEYS
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
    split_path(path, card["splits"], 0)  # refuse a pattern that leads out of the folder
    _check_scalars(card, card_path)
    return card, card_path


def _check_scalars(card: dict, card_path: Path) -> None:
    name = card.get("name", card_path.parent.name)
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"dataset card {card_path}: 'name' must be a non-empty string.")
    _printable(name, "name", card_path)
    task = card.get("task", "classification")
    if task != "classification":
        raise ValueError(f"dataset card {card_path}: task {task!r} is not supported.")
    if ("target" in card) == ("labels" in card):
        raise ValueError(f"dataset card {card_path}: give exactly one of 'target' and 'labels'.")
    if not isinstance(card.get("header", False), bool):
        raise ValueError(f"dataset card {card_path}: 'header' must be true or false.")
    target = card.get("target")
    if "target" in card and (not isinstance(target, int) or isinstance(target, bool)):
        raise ValueError(f"dataset card {card_path}: 'target' must be a column position (int).")


def check_columns(card: dict, card_path: Path, width: int) -> list[int]:
    """Feature and target columns listed by the card, each inside the table and listed once."""
    numeric, discrete = column_list(card, "numeric"), column_list(card, "discrete")
    target = card.get("target")
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
    return listed


def missing_map(card: dict, card_path: Path, listed: list[int]) -> dict[int, set[str]]:
    """Column -> strings meaning "missing" (never the target column)."""
    missing = card.get("missing", {})
    if not isinstance(missing, dict):
        raise ValueError(f"dataset card {card_path}: 'missing' must be a table column -> list.")
    target = card.get("target")
    out: dict[int, set[str]] = {}
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
        out[int(key)] = set(vals)
    return out


def feature_columns(rows, cols, discrete, miss_map, card_path):
    """Kinds, raw values (floats or category codes) and categories of the feature columns."""
    kinds, raws, cats = [], [], []
    for c in cols:
        values = [r[c] for r in rows]
        miss = np.array([v in miss_map.get(c, ()) for v in values])
        if c in discrete:
            codes, known = discrete_codes(values, miss)
            kinds.append("discrete")
            raws.append(codes)
            cats.append(known)
        else:
            kinds.append("numeric")
            raws.append(numbers(values, miss, c, card_path))
            cats.append(None)
    return kinds, raws, cats


def target_column(card: dict, card_path: Path, rows) -> tuple[int | str, np.ndarray, tuple]:
    """The target's column (position or ``"labels"``), class codes and class names."""
    path = card_path.parent
    if card.get("target") is not None:
        labels = [r[card["target"]] for r in rows]
        label_col: int | str = card["target"]
    else:
        labels_path = inside(path, card["labels"], "labels", card_path)
        labels = [r[0] for r in read_table(labels_path, False)]
        if len(labels) != len(rows):
            raise ValueError(
                f"labels file {labels_path} has {len(labels)} rows, the data {len(rows)}."
            )
        label_col = "labels"
    codes, known = discrete_codes(labels, np.zeros(len(labels), bool))
    if len(known) < 2:
        raise ValueError(f"{card_path}: the target has fewer than 2 classes.")
    distinct_labels(known, card_path)
    return label_col, codes, known


def count_splits(path: Path, pattern: str, card_path: Path) -> int:
    """Number of consecutive split files ``k = 0, 1, ...`` (at least one)."""
    n = 0
    while split_path(path, pattern, n).is_file():
        n += 1
    if n == 0:
        raise FileNotFoundError(f"{card_path}: no split file {split_path(path, pattern, 0)}.")
    return n
