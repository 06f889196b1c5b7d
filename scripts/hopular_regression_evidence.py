"""HopularRegressor beside linear regression and gradient boosting on six regression sets.

Each set is split 80 / 20 % (``train_test_split``, ``random_state=0``); every model is fitted
on the same 80 % (``HopularRegressor(random_state=0)`` holds out its own 10 % for validation)
and scored by R² on the 20 %. The script only uses the estimator's public interface, so the
same command measures any version of the package (``PYTHONPATH`` picks it): that is how the
"before" column of ``docs/tabular.md`` was measured.

Sets: scikit-learn's ``load_diabetes`` and ``make_friedman1`` (1000 rows, noise 1, seed 0);
from statsmodels' bundled data (``pip install statsmodels``; the sets are skipped without it):
``star98`` (fraction of pupils above the median, 20 district features), ``grunfeld``
(log investment from value, capital, firm as a category and year), ``fair`` (affairs, 8
features) and ``randhie`` (doctor visits, 9 features; 4000 rows drawn with seed 0).

With ``--recipe auto`` the regressor is ``HopularRegressor(recipe="auto",
budget_minutes=M, random_state=0)``: the model search on its held-out rows (the chosen
trial's settings are stored with the row).

Usage::

    python scripts/hopular_regression_evidence.py [--sets diabetes,fair] [--out F.json]
        [--recipe budget|auto] [--budget-minutes M]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

SETS = ("diabetes", "friedman1", "star98", "grunfeld", "fair", "randhie")


def load(name: str):
    """(X DataFrame, y float array) of one set, or None when statsmodels is not installed."""
    import pandas as pd

    if name == "diabetes":
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True)
        return pd.DataFrame(X), y
    if name == "friedman1":
        from sklearn.datasets import make_friedman1

        X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
        return pd.DataFrame(X), y
    try:
        from statsmodels import datasets
    except ImportError:
        return None
    if name == "star98":
        d = datasets.star98.load_pandas().data
        return d.drop(columns=["NABOVE", "NBELOW"]), (d.NABOVE / (d.NABOVE + d.NBELOW)).to_numpy()
    if name == "grunfeld":
        d = datasets.grunfeld.load_pandas().data
        X = d.drop(columns=["invest"])
        X["firm"] = X["firm"].astype("category")
        return X, np.log(d["invest"].to_numpy())
    if name == "fair":
        d = datasets.fair.load_pandas().data
        return d.drop(columns=["affairs"]), d["affairs"].to_numpy()
    if name == "randhie":
        d = datasets.randhie.load_pandas().data.sample(4000, random_state=0)
        return d.drop(columns=["mdvis"]), d["mdvis"].to_numpy(float)
    raise ValueError(f"--sets: unknown set {name!r} ({', '.join(SETS)}).")


def run(name: str, recipe: str = "budget", budget_minutes: float = 8.0) -> dict | None:
    import pandas as pd
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import train_test_split

    from hopfield_sim.tabular.estimator import HopularRegressor

    data = load(name)
    if data is None:
        return None
    X, y = data
    a, b, ya, yb = train_test_split(X, y, test_size=0.2, random_state=0)
    dummies = pd.get_dummies(a).astype(float)
    linear = LinearRegression().fit(dummies, ya)
    bd = pd.get_dummies(b).reindex(columns=dummies.columns, fill_value=0).astype(float)
    hgb = HistGradientBoostingRegressor(random_state=0, categorical_features="from_dtype")
    t0 = time.perf_counter()
    kw = {"budget_minutes": budget_minutes} if recipe == "auto" else {}
    hop = HopularRegressor(recipe=recipe, random_state=0, **kw).fit(a, ya)
    seconds = time.perf_counter() - t0
    chosen = {}
    if recipe == "auto":
        r = hop.recipe_
        chosen = {"chosen": {"epochs": r.epochs, "feature_size": r.model.feature_size,
                             "numeric_transform": r.numeric_transform,
                             "numeric_bins": r.model.numeric_bins,
                             "learning_rate": r.learning_rate},
                  "trials": len(hop.search_), "budget_minutes": budget_minutes}  # fmt: skip
    return {
        "set": name,
        "recipe": recipe,
        **chosen,
        "rows": int(len(y)),
        "features": int(X.shape[1]),
        "train_rows": int(len(ya)),
        "hopular_r2": float(hop.score(b, yb)),
        "hopular_best_epoch": int(hop.result_.best_epoch),
        "hopular_epochs": int(hop.result_.epochs),
        "hopular_validation_rmse": float(-hop.result_.validation_accuracy),
        "hopular_seconds": seconds,
        "linear_r2": float(linear.score(bd, yb)),
        "hgb_r2": float(hgb.fit(a, ya).score(b, yb)),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--out", default=None, help="JSON file (a list of rows)")
    p.add_argument("--label", default="", help="stored with every row (e.g. the commit)")
    p.add_argument("--recipe", default="budget", choices=("budget", "auto"))
    p.add_argument("--budget-minutes", type=float, default=8.0, help="the search's (auto)")
    args = p.parse_args(argv)
    unknown = [n for n in args.sets.split(",") if n not in SETS]
    if unknown:  # before any fit, with or without statsmodels
        p.error(f"--sets: unknown set(s) {', '.join(map(repr, unknown))} ({', '.join(SETS)}).")
    rows = []
    for name in args.sets.split(","):
        row = run(name, args.recipe, args.budget_minutes)
        if row is None:
            print(f"{name}: skipped (pip install statsmodels for its bundled data)")
            continue
        row["label"] = args.label
        rows.append(row)
        print(
            f"{name:10s} Hopular R² {row['hopular_r2']:7.3f} (epoch {row['hopular_best_epoch']}"
            f"/{row['hopular_epochs']}, {row['hopular_seconds']:.0f} s)  linear "
            f"{row['linear_r2']:6.3f}  HistGB {row['hgb_r2']:6.3f}",
            flush=True,
        )
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rows, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
