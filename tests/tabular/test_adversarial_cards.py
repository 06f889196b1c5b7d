"""Hostile data cards (issue 27): paths out of the folder, format strings, bad values, size."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from hopfield_sim.tabular import load_dataset

SECRET = "TOPSECRET-0"
ROWS = ["1.0,a,0", "2.0,b,1", "3.0,a,0", "4.0,b,1", "5.0,a,1", "6.0,b,0"]


def _folder(tmp_path, rows=ROWS, **fields):
    """A data folder next to a secret file; ``fields`` override card entries (TOML text)."""
    (tmp_path / "secret.csv").write_text("\n".join(f"{SECRET},{SECRET},{SECRET}" for _ in rows))
    folder = tmp_path / "set"
    folder.mkdir(exist_ok=True)
    (folder / "t.csv").write_text("\n".join(rows) + "\n")
    card = {"file": '"t.csv"', "target": "2", "numeric": "[0]", "discrete": "[1]",
            "splits": '"s{k}.json"'}  # fmt: skip
    card.update(fields)
    (folder / "dataset.toml").write_text("\n".join(f"{k} = {v}" for k, v in card.items()))
    n = len(rows)
    split = {"intended_train": list(range(n - 2)), "intended_validation": [n - 2],
             "intended_test": [n - 1]}  # fmt: skip
    (folder / "s0.json").write_text(json.dumps(split))
    return folder


def _refused(folder, match):
    with pytest.raises((ValueError, FileNotFoundError)) as info:
        load_dataset(folder)
    text = str(info.value)
    assert SECRET not in text and "\n" not in text
    assert match in text, text


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("file", '"../secret.csv"', "inside the data folder"),
        ("file", "ABS", "inside the data folder"),
        ("labels", '"../secret.csv"', "inside the data folder"),
        ("splits", '"../s{k}.json"', "inside the data folder"),
        ("splits", '"s{k.__class__.__mro__}.json"', "no other braces"),
        ("splits", '"s{k:>100000000}.json"', "no other braces"),
        ("splits", '"s{k}{0}.json"', "no other braces"),
        ("name", '"evil\\u001b[2J"', "control characters"),
    ],
)
def test_card_paths_stay_inside_the_folder(tmp_path, field, value, match):
    if value == "ABS":
        value = json.dumps(str(tmp_path / "secret.csv"))
    extra = {"target": None} if field == "labels" else {}
    folder = _folder(tmp_path, **{field: value})
    if extra:  # labels instead of target
        card = (folder / "dataset.toml").read_text().replace("target = 2\n", "")
        (folder / "dataset.toml").write_text(card)
    _refused(folder, match)


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    folder = _folder(tmp_path, file='"link.csv"')
    os.symlink(tmp_path / "secret.csv", folder / "link.csv")
    _refused(folder, "leads out of the data folder")
    # a link that stays inside is fine
    (folder / "link.csv").unlink()
    os.symlink(folder / "t.csv", folder / "link.csv")
    assert load_dataset(folder).num_rows == len(ROWS)


def test_split_pattern_substitutes_only_k(tmp_path):
    folder = _folder(tmp_path, splits='"s{k}.json"')
    (folder / "s1.json").write_text((folder / "s0.json").read_text())
    d = load_dataset(folder)
    assert d.num_splits == 2 and np.array_equal(d.split(1).train, d.split(0).train)


@pytest.mark.parametrize("bad", ["inf", "1e400", "nan", "-inf", SECRET])
def test_non_finite_numbers_name_the_row_not_the_value(tmp_path, bad):
    rows = list(ROWS)
    rows[3] = f"{bad},b,1"
    _refused(_folder(tmp_path, rows=rows), "numeric column 0, data row 3")


def test_near_duplicate_target_labels_and_missing_target(tmp_path):
    rows = [r[:-1] + ("1.0" if i == 1 else r[-1]) for i, r in enumerate(ROWS)]
    _refused(_folder(tmp_path, rows=rows), "differ only in")
    _refused(_folder(tmp_path, missing='{"2" = ["?"]}'), "names the target column 2")


def test_one_hot_growth_is_guarded_before_encoding(tmp_path, monkeypatch):
    # an ID-like discrete column: n distinct values -> an n x n one-hot block
    n = 3000
    rows = [f"{i % 7}.5,id{i},{i % 2}" for i in range(n)]
    d = load_dataset(_folder(tmp_path, rows=rows))
    assert d.encoded_width() == 1 + n + 2
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "50MB")  # the n x n block alone is 36 MB
    with pytest.raises(ValueError, match=r"column 1 with 3000 distinct values") as info:
        d.encode(d.split(0))
    assert "HOPFIELD_SIM_MAX_MEMORY" in str(info.value)
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "200MB")
    assert d.encode(d.split(0)).x.shape == (n, 1 + n + 2)


def test_reading_a_huge_table_is_guarded(tmp_path, monkeypatch):
    rows = [f"{i}.5,{'ab'[i % 2]},{i % 2}" for i in range(200_000)]  # about 2.4 MB of text
    folder = _folder(tmp_path, rows=rows)
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "50MB")
    with pytest.raises(ValueError, match=r"reading data file .*t.csv"):
        load_dataset(folder)


def test_symlink_loop_is_refused(tmp_path):
    folder = _folder(tmp_path, file='"loop.csv"')
    os.symlink(folder / "loop.csv", folder / "loop.csv")
    _refused(folder, "leads out of the data folder")
