"""Cards inferred from a bare CSV (``hopfield-sim tabular FILE.csv --target COLUMN``)."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim.tabular import load_dataset
from hopfield_sim.tabular.csvcard import infer_card, write_folder


def _csv(path, n=60, seed=0):
    """id (unique text), colour (3 categories, some '?'), size (numeric, some blank),
    flag (0/1: two values, discrete), const (one value), churn (target yes/no)."""
    rng = np.random.default_rng(seed)
    lines = ["id,colour,size,flag,const,churn"]
    for i in range(n):
        colour = ["red", "green", "blue"][i % 3] if i % 11 else "?"
        size = f"{rng.normal():.4f}" if i % 13 else ""
        lines.append(f"c{i:04d},{colour},{size},{i % 2},7,{'yes' if i % 3 == 0 else 'no'}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_inferred_kinds_missing_and_left_out_columns(tmp_path):
    text, splits = infer_card(_csv(tmp_path / "churn.csv"), "churn")
    assert "numeric = [2]" in text and "discrete = [1, 3]" in text and "target = 5" in text
    assert "left out (identifier or constant): id, const" in text
    assert '"1" = ["?"]' in text and '"2" = [""]' in text
    # five folds: each row tested exactly once, parts disjoint, classes in every part
    tested = np.concatenate([s["intended_test"] for s in splits])
    assert sorted(tested.tolist()) == list(range(60))
    for s in splits:
        parts = [set(s[f"intended_{p}"]) for p in ("train", "validation", "test")]
        assert sum(map(len, parts)) == 60 and len(set().union(*parts)) == 60


def test_written_folder_loads_as_a_data_set(tmp_path):
    write_folder(_csv(tmp_path / "churn.csv"), "5", tmp_path / "card")  # target by position
    d = load_dataset(tmp_path / "card")
    assert (
        d.num_splits == 5
        and d.num_classes == 2
        and d.kinds == ("discrete", "numeric", "discrete", "discrete")
    )
    enc = d.encode(d.split(0))
    assert enc.missing[:, 0].sum() == 6 and enc.missing[:, 1].sum() == 5  # rows 0,11,..,55; 0,13,..


def test_bad_targets_are_refused(tmp_path):
    path = _csv(tmp_path / "churn.csv")
    with pytest.raises(ValueError, match="no such column"):
        infer_card(path, "nope")
    with pytest.raises(ValueError, match="missing entries"):
        infer_card(path, "size")  # blank entries: rows without a label
    reg = tmp_path / "reg.csv"
    reg.write_text("a,y\n" + "".join(f"{i},{i * 0.37:.3f}\n" for i in range(20)))
    with pytest.raises(ValueError, match="regression"):
        infer_card(reg, "y")


def test_cli_target_goes_with_a_csv_file(tmp_path, capsys):
    from hopfield_sim.cli import main

    path = _csv(tmp_path / "churn.csv")
    assert main(["tabular", str(path)]) == 2  # a file needs --target
    assert "--target" in capsys.readouterr().err
    assert main(["tabular", str(tmp_path), "--target", "churn"]) == 2  # a folder has a card
    assert "--target applies to a CSV file" in capsys.readouterr().err
    assert main(["tabular", str(path), "--target", "churn", "--budget-minutes", "0"]) == 2
    assert "--budget-minutes" in capsys.readouterr().err
