"""``hopfield-sim tabular``: train Hopular on one split of a tabular data set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "train Hopular (modern Hopfield networks for tabular data) on one split of a data set"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", type=Path, help="folder with a dataset.toml card")
    parser.add_argument("--split", type=int, default=0, help="split index k (default: 0)")
    parser.add_argument(
        "--indices",
        choices=("intended", "effective"),
        default="intended",
        help="which split indices: the intended ones (default) or the reference's effective ones",
    )
    parser.add_argument(
        "--recipe",
        choices=("budget", "reference"),
        default="budget",
        help="training recipe (default: budget; reference = the reference's defaults)",
    )
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, default=None, help="write the result as JSON here")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        help="checkpoint file (.npz + .json); an existing one is resumed",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    from hopfield_sim.tabular.api import run_split

    if args.epochs is not None and args.epochs < 1:
        raise ValueError(f"--epochs must be a positive int; got {args.epochs}.")
    result = run_split(
        args.dataset,
        split=args.split,
        which=args.indices,
        recipe=args.recipe,
        epochs=args.epochs,
        seed=args.seed,
        progress=not args.no_progress,
        checkpoint=args.checkpoint,
    )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n")
    test, val = 100 * result["test_accuracy"], 100 * result["validation_accuracy"]
    print(
        f"{result['dataset']} split {result['split']} ({result['recipe']}): test accuracy "
        f"{test:.2f} % (validation {val:.2f} % at epoch {result['best_epoch']}/"
        f"{result['epochs']}, {result['seconds']:.1f} s)"
    )
    return 0
