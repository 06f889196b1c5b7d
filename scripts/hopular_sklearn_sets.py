"""Hopular's budget recipe on scikit-learn data sets nobody tuned on, beside logistic regression.

Each set is written as a data-set folder (CSV + ``dataset.toml`` + one split file, stratified
64 / 16 / 20 % train / validation / test, seed 0) in a temporary directory and run through
:func:`hopfield_sim.tabular.run_split`, the command line's path, so the same script measures
any version of the package (``PYTHONPATH`` picks it). Logistic regression (standardised
features, scikit-learn defaults) is fitted on the same training rows.

Usage::

    python scripts/hopular_sklearn_sets.py [--sets breast_cancer,wide] [--out data/x.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np


def _sets(names: list[str]) -> dict:
    from sklearn.datasets import load_breast_cancer, make_classification

    out = {}
    for name in names:
        if name == "breast_cancer":
            out[name] = load_breast_cancer(return_X_y=True)
        elif name == "wide":  # 32 informative-ish features, 5 classes (as the set)
            out[name] = make_classification(
                n_samples=2000, n_features=32, n_informative=20, n_classes=5, random_state=0
            )
        else:
            raise ValueError(f"--sets: unknown set {name!r} (breast_cancer, wide).")
    return out


def write_card(folder: Path, name: str, X: np.ndarray, y: np.ndarray, seed: int = 0,
               discrete: tuple[int, ...] = ()) -> None:  # fmt: skip
    """A data-set folder with one stratified split; every feature numeric except the columns
    ``discrete`` (integer codes, written as categories)."""
    from sklearn.model_selection import train_test_split

    folder.mkdir(parents=True, exist_ok=True)
    F = X.shape[1]
    table = np.column_stack([X, y])
    np.savetxt(folder / f"{name}.csv", table, delimiter=",", fmt="%.10g")
    numeric = [j for j in range(F) if j not in discrete]
    rows = np.arange(len(y))
    rest, test = train_test_split(rows, test_size=0.2, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=0.2, stratify=y[rest], random_state=seed)
    split = {f"intended_{k}": v.tolist() for k, v in (("train", train), ("validation", val),
                                                      ("test", test))}  # fmt: skip
    (folder / "split0.json").write_text(json.dumps(split))
    (folder / "dataset.toml").write_text(
        f'name = "{name}"\ntask = "classification"\nfile = "{name}.csv"\nheader = false\n'
        f"target = {F}\nnumeric = {numeric}\ndiscrete = {list(discrete)}\n"
        'splits = "split{k}.json"\n'
    )


def _run_with_feature_size(folder: Path, e: int, seed: int) -> dict:
    """The budget recipe with feature size ``e`` (heads e // 4) on split 0."""
    from dataclasses import replace

    from hopfield_sim.tabular import load_dataset, recipe, train

    data = load_dataset(folder)
    enc = data.encode(data.split(0))
    r = recipe("budget", num_train=len(enc.split.train), num_features=len(enc.sizes))
    r = replace(r, model=replace(r.model, feature_size=e, feature_heads=max(1, e // 4)))
    res = train(enc, recipe=r, seed=seed)
    return {"test_accuracy": res.test_accuracy, "validation_accuracy": res.validation_accuracy,
            "epochs": res.epochs, "settings": r.to_dict(), "seconds": res.seconds}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from hopfield_sim.tabular import run_split

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default="breast_cancer")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--feature-size", type=int, default=None, help="override the recipe's e")
    args = p.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (X, y) in _sets(args.sets.split(",")).items():
            folder = Path(tmp) / name
            write_card(folder, name, X, y)
            spec = json.loads((folder / "split0.json").read_text())
            tr, te = spec["intended_train"], spec["intended_test"]
            lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
            lr_acc = float(lr.fit(X[tr], y[tr]).score(X[te], y[te]))
            if args.feature_size is None:
                r = run_split(folder, split=0, recipe="budget", seed=args.seed)
            else:
                r = _run_with_feature_size(folder, args.feature_size, args.seed)
            row = {
                "set": name,
                "train_rows": len(tr),
                "hopular_test": r["test_accuracy"],
                "hopular_validation": r["validation_accuracy"],
                "epochs": r["epochs"],
                "feature_size": r["settings"]["model"]["feature_size"],
                "logistic_test": lr_acc,
                "seconds": r["seconds"],
            }
            results.append(row)
            print(json.dumps(row), flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
