"""A data-set card inferred from a bare CSV file and a target column (``--target``).

Rules (written into the card as comments, so a user can check and edit them):

- The first line is a header (column names); columns are addressed by position in the card.
- Missing entries: the empty string, ``NA``, ``N/A``, ``NaN``, ``nan``, ``null``, ``?`` (after
  stripping spaces), listed per column under ``missing`` where they occur.
- A feature column is **numeric** when every known entry is a finite number and it has more
  than two distinct values; otherwise **discrete** (one-hot). A discrete column with more
  distinct values than ``max(50, N / 2)`` (N rows) is an identifier (customer id, name) and
  left out, as are columns with a single value.
- The target must be a class label (text, or integers with at most 50 distinct values);
  numeric regression targets go through :class:`~hopfield_sim.tabular.estimator.HopularRegressor`.
- Splits: 5 stratified folds (seed 0); split k tests on fold k and validates on a stratified
  fifth of the remaining rows (64 / 16 / 20 %), like the medium sets' cross-validation.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np

from hopfield_sim.tabular import _card

__all__ = ["MISSING", "NUM_SPLITS", "infer_card", "write_folder"]

#: strings read as a missing entry (after stripping spaces)
MISSING = ("", "NA", "N/A", "NaN", "nan", "null", "?")
#: splits written for an inferred card
NUM_SPLITS = 5


def _is_number(v: str) -> bool:
    try:
        return math.isfinite(float(v))
    except ValueError:
        return False


def _target_index(names: list[str], target: str) -> int:
    if target in names:
        return names.index(target)
    if target.strip().isdigit() and int(target) < len(names):
        return int(target)
    raise ValueError(f"--target {target!r}: no such column (columns: {', '.join(names)}).")


def _kind(values: list[str], n_rows: int) -> tuple[str | None, list[str]]:
    """("numeric" | "discrete" | None to leave out, the missing strings present)."""
    stripped = [v.strip() for v in values]
    miss = sorted({v for v, s in zip(values, stripped) if s in MISSING})
    known = [s for s in stripped if s not in MISSING]
    distinct = set(known)
    if len(distinct) < 2:
        return None, miss
    if all(_is_number(v) for v in distinct) and len(distinct) > 2:
        return "numeric", miss
    if len(distinct) > max(50, n_rows / 2):
        return None, miss
    return "discrete", miss


def infer_card(csv_path: str | Path, target: str) -> tuple[str, list[dict]]:
    """The card text (TOML with comments) and the split index tables for ``csv_path``."""
    csv_path = Path(csv_path)
    table = _card.read_table(csv_path, header=False)
    names, rows = [n.strip() for n in table[0]], table[1:]
    if len(rows) < 10:
        raise ValueError(f"{csv_path}: {len(rows)} data rows; an inferred card needs at least 10.")
    t = _target_index(names, target)
    labels = [r[t].strip() for r in rows]
    if any(v in MISSING for v in labels):
        raise ValueError(f"{csv_path}: the target column {names[t]!r} has missing entries.")
    distinct = set(labels)
    if all(_is_number(v) for v in distinct) and (
        len(distinct) > 50 or any(float(v) != int(float(v)) for v in distinct)
    ):
        raise ValueError(
            f"{csv_path}: the target {names[t]!r} looks numeric (regression); cards are "
            "classification only: use hopfield_sim.tabular.estimator.HopularRegressor."
        )
    numeric, discrete, missing, dropped = [], [], {}, []
    for j, name in enumerate(names):
        if j == t:
            continue
        kind, miss = _kind([r[j] for r in rows], len(rows))
        if kind is None:
            dropped.append(name)
            continue
        (numeric if kind == "numeric" else discrete).append(j)
        if miss:
            missing[str(j)] = miss
    if not numeric + discrete:
        raise ValueError(f"{csv_path}: no usable feature column.")
    lines = [
        f"# Inferred by hopfield-sim from {csv_path.name} with target {names[t]!r}",
        "# (rules: hopfield_sim/tabular/csvcard.py). Columns by position:",
        *(f"#   {j}: {n}" for j, n in enumerate(names)),
        f"# left out (identifier or constant): {', '.join(dropped) or 'none'}",
        f'name = "{_toml_text(csv_path.stem)}"',
        'task = "classification"',
        f'file = "{_toml_text(csv_path.name)}"',
        "header = true",
        f"target = {t}",
        f"numeric = {numeric}",
        f"discrete = {discrete}",
    ]
    if missing:
        entries = ", ".join(f'"{k}" = {json.dumps(v)}' for k, v in missing.items())
        lines.append(f"missing = {{{entries}}}")
    lines.append('splits = "splits/split{k}.json"')
    return "\n".join(lines) + "\n", _splits(labels)


def _toml_text(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _splits(labels: list[str]) -> list[dict]:
    from sklearn.model_selection import StratifiedKFold, train_test_split

    y = np.array(labels)
    counts = np.unique(y, return_counts=True)[1]
    strat = y if counts.min() >= NUM_SPLITS else None
    rows = np.arange(len(y))
    if strat is not None:
        folds = StratifiedKFold(NUM_SPLITS, shuffle=True, random_state=0).split(rows, y)
    else:
        from sklearn.model_selection import KFold

        folds = KFold(NUM_SPLITS, shuffle=True, random_state=0).split(rows)
    out = []
    for rest, test in folds:
        s = y[rest] if strat is not None else None
        train, val = train_test_split(rest, test_size=0.2, stratify=s, random_state=0)
        out.append({"intended_train": sorted(train.tolist()),
                    "intended_validation": sorted(val.tolist()),
                    "intended_test": sorted(test.tolist())})  # fmt: skip
    return out


def write_folder(csv_path: str | Path, target: str, folder: str | Path, *,
                 copy_data: bool = True) -> str:  # fmt: skip
    """Write the inferred card and splits into ``folder`` (and the CSV when ``copy_data``);
    return the card text. ``folder`` must not exist or be empty."""
    csv_path, folder = Path(csv_path), Path(folder)
    text, splits = infer_card(csv_path, target)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty; the inferred card needs a fresh folder.")
    (folder / "splits").mkdir()
    for k, s in enumerate(splits):
        (folder / "splits" / f"split{k}.json").write_text(json.dumps(s))
    (folder / "dataset.toml").write_text(text)
    if copy_data:
        shutil.copyfile(csv_path, folder / csv_path.name)
    return text
