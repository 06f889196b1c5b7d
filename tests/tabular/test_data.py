"""Loader of dataset.toml folders: shipped sets, encoding, splits, errors."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from hopfield_sim.tabular import load_dataset

DATA = Path(__file__).resolve().parents[2] / "data" / "hopular"

# rows, features (without target), classes, splits: from data/hopular/README.md
SHIPPED = {
    "conn_bench_sonar_mines_rocks": (208, 60, 2, 4),
    "glass_identification": (214, 9, 6, 4),
    "statlog_heart": (270, 13, 2, 4),
    "breast_cancer": (286, 9, 2, 4),
    "heart_cleveland": (303, 13, 5, 4),
    "blastchar": (7043, 19, 2, 5),
    "shrutime": (10000, 10, 2, 5),
}


@functools.cache
def _shipped(name):
    return load_dataset(DATA / name)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_sets_match_their_readme(name):
    rows, feats, classes, splits = SHIPPED[name]
    d = _shipped(name)
    assert (d.num_rows, d.num_features - 1, d.num_classes, d.num_splits) == (
        rows,
        feats,
        classes,
        splits,
    )
    for k in range(d.num_splits):
        for which in ("intended", "effective"):
            s = d.split(k, which=which)
            used = np.concatenate([s.train, s.validation, s.test])
            assert len(np.unique(used)) == len(used)


def test_medium_sets_use_unique_rows_and_effective_differs():
    d = _shipped("blastchar")
    s, e = d.split(0), d.split(0, which="effective")
    assert len(s.train) + len(s.validation) + len(s.test) == 7021  # de-duplicated rows
    assert (len(e.train), len(e.test)) == (len(s.train), len(s.test))
    assert not np.array_equal(np.sort(s.test), np.sort(e.test))


def test_encoding_of_blastchar():
    d = _shipped("blastchar")
    enc = d.encode(d.split(1))
    start = np.cumsum((0,) + enc.sizes)
    tr = enc.split.train
    for j, disc in enumerate(enc.discrete):
        block = enc.x[:, start[j] : start[j + 1]]
        known = ~enc.missing[:, j]
        if disc:
            np.testing.assert_array_equal(block[known].sum(1), 1.0)
        else:
            col = block[tr, 0][known[tr]]
            assert abs(col.mean()) < 1e-5 and abs(col.std(ddof=1) - 1) < 1e-5
        assert not block[~known].any()
    # TotalCharges (column 19): 11 blank entries, missing
    j = d.columns.index(19)
    assert enc.missing[:, j].sum() == 11 and enc.missing.sum() == 11
    assert enc.sizes[-1] == 2 and d.categories[-1] == ("No", "Yes")
    assert enc.x.shape == (7043, sum(enc.sizes))
    wide = d.encode(d.split(1), dtype=np.float64)  # for baselines that bin the values
    assert wide.x.dtype == np.float64 and enc.x.dtype == np.float32
    np.testing.assert_array_equal(wide.x.astype(np.float32), enc.x)
    np.testing.assert_array_equal(wide.missing, enc.missing)
    assert not np.array_equal(wide.x, enc.x.astype(np.float64))  # digits beyond float32
    with pytest.raises(ValueError, match="floating dtype"):
        d.encode(d.split(1), dtype=np.int32)


def test_numeric_categories_sort_by_value(tmp_path):
    folder = _write(
        tmp_path, rows=["10,a,1", "9,b,0", "100,a,1", "9.5,b,0"], numeric=[], discrete=[0, 1]
    )
    d = load_dataset(folder)
    assert d.categories[0] == ("9", "9.5", "10", "100")
    assert d.categories[1] == ("a", "b")


# ----------------------------------------------------------------- error paths


def _write(tmp_path, *, rows=None, card=None, split=None, **kw):
    folder = tmp_path / "set"
    folder.mkdir(exist_ok=True)
    rows = rows or ["1.0,a,0", "2.0,b,1", "3.0,a,0", "4.0,b,1", "5.0,a,1", "6.0,b,0"]
    (folder / "t.csv").write_text("x,c,y\n" + "\n".join(rows) + "\n")
    fields = {
        "file": '"t.csv"',
        "header": "true",
        "target": "2",
        "numeric": "[0]",
        "discrete": "[1]",
        "splits": '"s{k}.json"',
    }
    for key, value in kw.items():
        raw = isinstance(value, str) and value.startswith("raw:")
        fields[key] = value[4:] if raw else json.dumps(value)
    text = card if card is not None else "\n".join(f"{k} = {v}" for k, v in fields.items())
    (folder / "dataset.toml").write_text(text)
    n = len(rows)
    split = split or {"train": list(range(n - 2)), "validation": [n - 2], "test": [n - 1]}
    (folder / "s0.json").write_text(json.dumps({f"intended_{k}": v for k, v in split.items()}))
    return folder


def test_valid_tiny_card_loads(tmp_path):
    d = load_dataset(_write(tmp_path))
    enc = d.encode(d.split(0))
    assert enc.sizes == (1, 2, 2) and d.num_splits == 1
    # the labels are the target column's (file column 2: 0,1,0,1,1,0), not another column's
    np.testing.assert_array_equal(enc.y, [0, 1, 0, 1, 1, 0])
    assert enc.y.dtype == np.int64 and enc.num_classes == 2 == d.num_classes
    np.testing.assert_array_equal(enc.x[:, 3:5], np.eye(2)[enc.y])  # target one-hot, last
    assert d.num_rows == 6


def test_encoded_num_classes_is_the_targets_width():
    from hopfield_sim.tabular.data import Encoded, Split

    split = Split(0, "intended", np.arange(2), np.arange(2, 3), np.arange(3, 4))
    enc = Encoded(np.zeros((4, 10)), np.zeros((4, 4), bool), np.zeros(4, np.int64),
                  (2, 1, 3, 4), (True, False, True, True), split)  # fmt: skip
    assert enc.num_classes == 4


def test_encoding_memory_is_checked_before_it_is_built(tmp_path, monkeypatch):
    # 20 bytes an entry: the float64 blocks and their concatenation (8 + 8), x as float32 (4)
    from _hopfield_base import memory

    asked = []
    monkeypatch.setattr(memory, "check_memory", lambda n, what: asked.append((n, what)))
    d = load_dataset(_write(tmp_path))
    d.encode(d.split(0))
    assert asked[0][0] == 20 * 6 * 5 and "encoding 6 rows into 5 columns" in asked[0][1]


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"numeric": [7]}, "unknown column 7"),
        ({"numeric": [0, 1]}, "more than once"),
        ({"discrete": "1"}, "'discrete' must be a list"),
        ({"task": "regression"}, "not supported"),
        ({"bogus": 1}, "unknown keys"),
        ({"labels": "l.dat"}, "exactly one of 'target' and 'labels'"),
        ({"splits": "s.json"}, "must contain"),
        ({"missing": 'raw:{"5" = ["?"]}'}, "unknown column"),
    ],
)
def test_malformed_cards(tmp_path, kw, match):
    with pytest.raises(ValueError, match=match):
        load_dataset(_write(tmp_path, **kw))


def test_not_toml_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="not valid TOML"):
        load_dataset(_write(tmp_path, card="file = [unclosed"))
    with pytest.raises(FileNotFoundError, match="no dataset.toml"):
        load_dataset(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="data file"):
        load_dataset(_write(tmp_path, file="other.csv"))


def test_ragged_rows(tmp_path):
    with pytest.raises(ValueError, match="row 1 has 2 fields"):
        load_dataset(_write(tmp_path, rows=["1,a,0", "2,b", "3,a,1"]))


@pytest.mark.parametrize(
    "split, match",
    [
        ({"train": [0, 1, 2, 3], "validation": [3], "test": [5]}, "more than once"),
        ({"train": [0, 1, 2, 3], "validation": [4], "test": [6]}, "outside"),
        ({"train": [0, 1, 2], "validation": [4], "test": [5]}, "in no part"),
        ({"train": [0, 1, 2, 3], "validation": [], "test": [5]}, "non-empty"),
    ],
)
def test_split_files_that_do_not_partition(tmp_path, split, match):
    d = load_dataset(_write(tmp_path, split=split))
    with pytest.raises(ValueError, match=match):
        d.split(0)


def test_left_out_duplicates_are_allowed_and_bad_arguments(tmp_path):
    rows = ["1.0,a,0", "2.0,b,1", "3.0,a,0", "4.0,b,1", "5.0,a,1", "6.0,b,0", "1.0,a,0"]
    d = load_dataset(_write(tmp_path, rows=rows))  # row 6 duplicates row 0 and is left out
    assert len(d.split(0).train) == 5
    for k in (1, 4, -1):  # one split file: only 0
        with pytest.raises(ValueError, match=rf"split must lie in 0\.\.0; got {k}\."):
            d.split(k)
    with pytest.raises(ValueError, match="which must be"):
        d.split(0, which="bogus")
    with pytest.raises(ValueError, match="has no key 'effective_train'"):
        d.split(0, which="effective")
