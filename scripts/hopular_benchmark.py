"""Hopular beside gradient boosting and scikit-learn baselines on the shipped tabular sets.

Every data set under ``data/hopular/`` (or ``--datasets``), every split (or ``--splits``):
Hopular (``--recipe``, default budget) and, on the same rows and the same encoding (one-hot
discrete, standardised numeric, missing = 0), scikit-learn's HistGradientBoosting,
RandomForest, LogisticRegression and SVC with default settings, plus LightGBM and XGBoost
when installed (extra ``[tabular]``; skipped with a note otherwise). Each finished run is kept
in ``--runs`` (one JSON per data set, split and method), so an interrupted benchmark resumes;
a kept Hopular run whose recipe settings differ from the current recipe's is run again.
The summary (mean test accuracy per data set and method, ranks, published Hopular numbers,
seconds per fold) goes to ``OUT.{md,json}`` and the figure to ``OUT.png`` (``--out``,
default a fresh folder in the working directory; the shipped results are
``--out data/hopular_benchmark --runs data/hopular_benchmark_runs
--figure docs/figures/hopular_benchmark.png``).

Usage: python scripts/hopular_benchmark.py [--datasets NAME ...] [--splits K ...]
       [--recipe budget|reference] [--epochs N] [--seed S] [--no-hopular] [--no-progress]
       [--summary-only]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

# one OpenMP thread for the baselines: on shared cores more threads only contend
os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "hopular"
#: published Hopular test accuracy (%, 5-fold mean, project page of the reference)
PUBLISHED = {"shrutime": 86.12, "blastchar": 80.05}
BASELINES = ("hgb", "random_forest", "logistic", "svc", "mlp", "lightgbm", "xgboost")
LABELS = {
    "hopular": "Hopular",
    "hgb": "HistGB",
    "random_forest": "RandomForest",
    "logistic": "LogReg",
    "svc": "SVC",
    "mlp": "MLP",
    "lightgbm": "LightGBM",
    "xgboost": "XGBoost",
    "majority": "majority",
}


def make_baseline(name: str, seed: int):
    """A fresh estimator, or None when its library is not installed."""
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    if name == "hgb":
        return HistGradientBoostingClassifier(random_state=seed)
    if name == "random_forest":
        return RandomForestClassifier(n_estimators=300, random_state=seed, n_jobs=1)
    if name == "logistic":
        return LogisticRegression(max_iter=2000)
    if name == "svc":
        return SVC(random_state=seed)
    if name == "mlp":  # two hidden layers of 256: about the width of Hopular's state (F * e)
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier((256, 256), early_stopping=True, max_iter=300, random_state=seed)
    if name == "lightgbm":
        try:
            from lightgbm import LGBMClassifier
        except ImportError:
            return None
        return LGBMClassifier(random_state=seed, n_jobs=1, verbose=-1)
    if name == "xgboost":
        try:
            from xgboost import XGBClassifier
        except ImportError:
            return None
        return XGBClassifier(random_state=seed, n_jobs=1)
    raise ValueError(f"unknown baseline {name!r}")


def run_baseline(name, enc, seed):
    est = make_baseline(name, seed)
    if est is None:
        return None
    width = enc.x.shape[1] - enc.sizes[-1]  # features only, target excluded
    X, y, s = enc.x[:, :width], enc.y, enc.split
    t = time.perf_counter()
    est.fit(X[s.train], y[s.train])
    acc = float(np.mean(est.predict(X[s.test]) == y[s.test]))
    return {"test_accuracy": acc, "seconds": time.perf_counter() - t}


def hopular_recipe(enc, args):
    """The recipe Hopular runs with on this encoded split."""
    from hopfield_sim.tabular.recipes import recipe

    return recipe(
        args.recipe,
        num_train=len(enc.split.train),
        num_features=len(enc.sizes),
        epochs=args.epochs,
    )


def hopular_settings(data, enc, args) -> dict:
    """JSON form of :func:`hopular_recipe` (compared with a kept run's ``recipe``)."""
    return json.loads(json.dumps(hopular_recipe(enc, args).to_dict()))


def run_hopular(data, enc, args):
    from hopfield_sim.tabular.train import train

    if args.recipe == "auto":
        from hopfield_sim.tabular.search import DEFAULT_BUDGET_MINUTES, auto

        minutes = args.budget_minutes or DEFAULT_BUDGET_MINUTES
        found = auto(enc, seed=args.seed, budget_minutes=minutes)
        res = found.result
        return {"test_accuracy": res.test_accuracy, "validation_accuracy": res.validation_accuracy,
                "best_epoch": res.best_epoch, "epochs": res.epochs, "seconds": found.seconds,
                "recipe": found.recipe.to_dict(), "trials": found.trials}  # fmt: skip
    r = hopular_recipe(enc, args)
    res = train(enc, recipe=r, seed=args.seed, progress=not args.no_progress)
    return {
        "test_accuracy": res.test_accuracy,
        "validation_accuracy": res.validation_accuracy,
        "best_epoch": res.best_epoch,
        "epochs": res.epochs,
        "seconds": res.seconds,
        "recipe": r.to_dict(),
    }


def summarise(runs: list[dict], datasets: list[str]) -> dict:
    methods = ["hopular", *BASELINES, "majority"]
    table = {}
    for name in datasets:
        row = {}
        for m in methods:
            accs = [r["test_accuracy"] for r in runs if r["dataset"] == name and r["method"] == m]
            secs = [
                r.get("seconds", 0.0) for r in runs if r["dataset"] == name and r["method"] == m
            ]
            if accs:
                row[m] = {
                    "mean": 100 * float(np.mean(accs)),
                    "std": 100 * float(np.std(accs)),
                    "splits": len(accs),
                    "seconds_per_split": float(np.mean(secs)),
                }
        ranked = sorted((m for m in row if m != "majority"), key=lambda m: -row[m]["mean"])
        for i, m in enumerate(ranked):
            row[m]["rank"] = i + 1
        table[name] = row
    median_rank = {}
    for m in methods:
        ranks = [table[d][m]["rank"] for d in datasets if m in table[d] and "rank" in table[d][m]]
        if ranks:
            median_rank[m] = float(np.median(ranks))
    return {"table": table, "median_rank": median_rank}


def markdown(summary: dict, datasets: list[str], notes: list[str], args) -> str:
    methods = [m for m in ["hopular", *BASELINES, "majority"] if summary["median_rank"].get(m)]
    methods += ["majority"] if "majority" not in methods else []
    head = ["data set", "splits", *(LABELS[m] for m in methods), "Hopular (published)", "s/split"]
    lines = [
        "# Hopular benchmark (test accuracy %, mean ± std over splits; rank in brackets)",
        "",
        f"Recipe `{args.recipe}`"
        + ("" if args.epochs is None else f" with {args.epochs} epochs")
        + f", seed {args.seed}, intended split indices; "
        f"{platform.machine()}, measured under load on shared cores. Generated by "
        "`scripts/hopular_benchmark.py`.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for d in datasets:
        row = summary["table"][d]
        n = row.get("hopular", row.get("hgb", {})).get("splits", 0)
        cells = [d, str(n)]
        for m in methods:
            c = row.get(m)
            if c is None:
                cells.append("–")
            else:
                rank = f" ({c['rank']})" if "rank" in c else ""
                cells.append(f"{c['mean']:.2f} ± {c['std']:.2f}{rank}")
        cells.append(f"{PUBLISHED[d]:.2f}" if d in PUBLISHED else "–")
        hop = row.get("hopular")
        cells.append(f"{hop['seconds_per_split']:.0f}" if hop else "–")
        lines.append("| " + " | ".join(cells) + " |")
    ranks = summary["median_rank"]
    lines += [
        "",
        "Median rank over data sets: "
        + ", ".join(f"{LABELS[m]} {ranks[m]:g}" for m in methods if m in ranks),
    ]
    lines += [""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def figure(summary: dict, datasets: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = [m for m in ["hopular", *BASELINES, "majority"] if m in summary["median_rank"]]
    methods += ["majority"]
    fig, ax = plt.subplots(figsize=(1.6 * len(datasets) + 2, 4))
    width = 0.8 / len(methods)
    for i, m in enumerate(methods):
        vals = [summary["table"][d].get(m, {}).get("mean", np.nan) for d in datasets]
        errs = [summary["table"][d].get(m, {}).get("std", 0.0) for d in datasets]
        ax.bar(np.arange(len(datasets)) + i * width, vals, width, yerr=errs, label=LABELS[m])
    for j, d in enumerate(datasets):
        if d in PUBLISHED:
            ax.plot(j, PUBLISHED[d], "k*", ms=10, label="Hopular published" if j == 0 else None)
    ax.set_xticks(np.arange(len(datasets)) + 0.4 - width / 2, datasets, rotation=20, fontsize=8)
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(40, 100)
    ax.legend(fontsize=7, ncol=len(methods) + 1, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", nargs="*", default=None)
    p.add_argument("--splits", nargs="*", type=int, default=None)
    p.add_argument("--recipe", choices=("budget", "reference", "auto"), default="budget")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--budget-minutes", type=float, default=None, help="--recipe auto's budget")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-hopular", action="store_true", help="baselines only")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument(
        "--summary-only", action="store_true", help="only summarise the runs already in --runs"
    )
    p.add_argument("--runs", type=Path, default=None,
                   help="one JSON per fold (resumable; default: OUT_runs; shipped: "
                   "data/hopular_benchmark_runs)")  # fmt: skip
    p.add_argument("--out", type=Path, default=None,
                   help="summary OUT.md / OUT.json (default: in a fresh folder "
                   "hopular_benchmark-<UTC time>; shipped: data/hopular_benchmark)")  # fmt: skip
    p.add_argument("--figure", type=Path, default=None,
                   help="figure (default: OUT.png; shipped: docs/figures/"
                   "hopular_benchmark.png)")  # fmt: skip
    args = p.parse_args(argv)
    if args.out is None:
        from datetime import datetime, timezone

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        args.out = Path.cwd() / f"hopular_benchmark-{stamp}" / "hopular_benchmark"
    args.runs = args.runs or args.out.parent / f"{args.out.name}_runs"
    args.figure = args.figure or args.out.with_suffix(".png")
    return args


def run_tag(m: str, args) -> str:
    """File tag of a kept run: the recipe (Hopular) or only the seed (baselines)."""
    if m != "hopular":
        return f"seed{args.seed}"
    epochs = "" if args.epochs is None else f"_epochs{args.epochs}"
    minutes = "" if args.budget_minutes is None else f"_{args.budget_minutes:g}min"
    return f"{args.recipe}{epochs}{minutes}_seed{args.seed}"


def kept(path: Path, m: str, data, enc, args) -> dict | None:
    """A kept run still valid for the current settings, or None."""
    if not path.is_file():
        return None
    done = json.loads(path.read_text())
    # a Hopular run of another recipe version (settings changed) is redone; auto's vary
    if m != "hopular" or args.recipe == "auto":
        return done
    return done if done.get("recipe") == hopular_settings(data, enc, args) else None


def run_split_methods(name: str, data, k: int, args) -> list[dict]:
    """Majority, the baselines and Hopular on split k (kept runs reused)."""
    enc = data.encode(data.split(k))
    majority = np.argmax(np.bincount(enc.y[enc.split.train]))
    acc = float(np.mean(enc.y[enc.split.test] == majority))
    runs = [{"dataset": name, "split": k, "method": "majority", "test_accuracy": acc}]
    for m in list(BASELINES) + ([] if args.no_hopular else ["hopular"]):
        path = args.runs / f"{name}_split{k}_{m}_{run_tag(m, args)}.json"
        done = kept(path, m, data, enc, args)
        if done is not None or args.summary_only:
            runs += [done] if done is not None else []
            continue
        if m == "hopular":
            res = run_hopular(data, enc, args)
        else:  # float64 features: trees bin them (float32 rounding can cost them points)
            res = run_baseline(m, data.encode(data.split(k), dtype=np.float64), args.seed)
        if res is None:
            continue
        res.update({"dataset": name, "split": k, "method": m, "seed": args.seed})
        path.write_text(json.dumps(res, indent=1))
        runs.append(res)
        print(f"{name} split {k} {m}: {100 * res['test_accuracy']:.2f} % "
              f"({res['seconds']:.1f} s)", flush=True)  # fmt: skip
    return runs


def main(argv=None) -> None:
    args = parse_args(argv)
    from hopfield_sim.tabular import load_dataset

    names = args.datasets or sorted(
        d.name for d in DATA.iterdir() if (d / "dataset.toml").is_file()
    )
    notes = []
    for lib in ("lightgbm", "xgboost"):
        if make_baseline(lib, 0) is None:
            notes.append(f"{lib} not installed (pip install hopfield-sim[tabular]): skipped.")
            print(notes[-1])
    args.runs.mkdir(parents=True, exist_ok=True)
    runs = []
    for name in names:
        data = load_dataset(DATA / name)
        splits = args.splits if args.splits is not None else range(data.num_splits)
        for k in splits:
            runs += run_split_methods(name, data, k, args)
    summary = summarise(runs, names)
    summary.update({"recipe": args.recipe, "seed": args.seed, "notes": notes, "runs": runs})
    summary["published_hopular"] = PUBLISHED
    summary["machine"] = f"{platform.machine()} {platform.system()} (shared cores, under load)"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(summary, indent=1))
    args.out.with_suffix(".md").write_text(markdown(summary, names, notes, args))
    figure(summary, names, args.figure)
    print(args.out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
