"""``hopfield-sim tabular``: train Hopular on one split of a tabular data set."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "train Hopular (modern Hopfield networks for tabular data) on one split of a data set"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dataset",
        type=Path,
        help="folder with a dataset.toml card, or a CSV file with a header (then --target)",
    )
    parser.add_argument(
        "--target",
        default=None,
        help="target column of a CSV file (name or 0-based position): the card is inferred "
        "(rules: hopfield_sim/tabular/csvcard.py) and written beside --out as OUT.card/",
    )
    parser.add_argument("--split", type=int, default=0, help="split index k (default: 0)")
    parser.add_argument(
        "--indices",
        choices=("intended", "effective"),
        default="intended",
        help="which split indices: the intended ones (default) or the reference's effective ones",
    )
    parser.add_argument(
        "--recipe",
        choices=("budget", "reference", "auto"),
        default="budget",
        help="training recipe (default: budget; reference = the reference's defaults; auto = "
        "model selection on the validation rows within --budget-minutes)",
    )
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=None,
        help="time budget of --recipe auto's search in minutes (default: 8)",
    )
    parser.add_argument(
        "--numeric-transform",
        choices=("standard", "quantile"),
        default=None,
        help="numeric features as encoded (standard, the recipes' default) or mapped to a "
        "standard normal through their training quantiles (quantile; for heavy tails). "
        "--recipe auto tries both",
    )
    parser.add_argument(
        "--numeric-bins",
        type=int,
        default=None,
        help="piecewise-linear embedding of each numeric feature in this many equal-mass "
        "bins of a standard normal (0: none, the recipes' default; meant with "
        "--numeric-transform quantile). --recipe auto's twin uses 16",
    )
    parser.add_argument(
        "--min-frequency",
        type=int,
        default=None,
        help="pool a discrete feature's categories with fewer than this many training rows "
        "into one rare category (0: off, the recipes' default; for ID-like columns). "
        "--recipe auto tries 5 when it changes the table",
    )
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--out", type=Path, default=None, help="write the result as JSON here (a .json file)"
    )
    parser.add_argument(
        "--checkpoint",
        type=Path,
        default=None,
        help="checkpoint file (.npz, one file); an existing one of the same run is resumed",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    """Check the arguments and output paths, train (holding the locks of ``--out`` and
    ``--checkpoint``), print the result line, then write ``--out`` atomically."""
    import contextlib

    from hopfield_sim.tabular import checkpoint as ckpt
    from hopfield_sim.tabular.train import MAX_SEED

    if args.epochs is not None and args.epochs < 1:
        raise ValueError(f"--epochs must be a positive int; got {args.epochs}.")
    if not 0 <= args.seed <= MAX_SEED:
        raise ValueError(f"--seed must lie in 0..{MAX_SEED} (32 bits); got {args.seed}.")
    if args.budget_minutes is not None and not args.budget_minutes > 0:
        raise ValueError(f"--budget-minutes must be > 0; got {args.budget_minutes}.")
    if args.split < 0:
        raise ValueError(f"--split must be >= 0; got {args.split}.")
    ckpt.check_paths(args.checkpoint, args.out)  # before any work: names, folders
    for arg, path in (("--out", args.out), ("--checkpoint", args.checkpoint)):
        if (
            path is not None
            and path.exists()
            and path.resolve().is_relative_to(args.dataset.resolve())
        ):
            raise ValueError(
                f"{arg} {path} is an existing file inside the data set folder {args.dataset}; "
                "write results elsewhere (the data set's files are never overwritten)."
            )
    with contextlib.ExitStack() as stack:
        if args.out is not None:
            stack.enter_context(ckpt.locked(args.out, what="result file"))
        if _is_csv(args):
            args = _csv_folder(args, stack)
        result = _train(args)
        _report(result)  # printed first: a failing write below does not lose the run
        if args.out is not None:
            _write_json(args.out, result)
    return 0


def _is_csv(args: argparse.Namespace) -> bool:
    """True for a CSV file (which needs --target); --target with a folder is an error."""
    if args.dataset.is_file():
        if args.target is None:
            raise ValueError(f"{args.dataset} is a file: give its target column with --target.")
        return True
    if args.target is not None:
        raise ValueError("--target applies to a CSV file; a folder has its dataset.toml card.")
    return False


def _csv_folder(args: argparse.Namespace, stack) -> argparse.Namespace:
    """Infer the card of a CSV into a temporary data-set folder (and OUT.card/ beside --out)."""
    import tempfile

    from hopfield_sim.tabular.csvcard import write_folder

    tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hopular-csv-")))
    text = write_folder(args.dataset, args.target, tmp / args.dataset.stem)
    if args.out is not None:
        card = args.out.with_name(f"{args.out.stem}.card")
        write_folder(args.dataset, args.target, card, copy_data=False)
        print(f"inferred card: {card / 'dataset.toml'} (copy {args.dataset.name} there to reuse)")
    else:
        print(text, end="")
    return argparse.Namespace(**{**vars(args), "dataset": tmp / args.dataset.stem})


def _train(args: argparse.Namespace) -> dict:
    from hopfield_sim.tabular.api import run_split

    return run_split(
        args.dataset,
        split=args.split,
        which=args.indices,
        recipe=args.recipe,
        epochs=args.epochs,
        seed=args.seed,
        progress=not args.no_progress,
        checkpoint=args.checkpoint,
        budget_minutes=args.budget_minutes,
        numeric_transform=args.numeric_transform,
        numeric_bins=args.numeric_bins,
        min_frequency=args.min_frequency,
    )


def _report(result: dict) -> None:
    test, val = 100 * result["test_accuracy"], 100 * result["validation_accuracy"]
    print(
        f"{result['dataset']} split {result['split']} ({result['recipe']}): test accuracy "
        f"{test:.2f} % (validation {val:.2f} % at epoch {result['best_epoch']}/"
        f"{result['epochs']}, {result['seconds']:.1f} s)",
        flush=True,
    )


def _write_json(path: Path, result: dict) -> None:
    """Write ``result`` to ``path`` atomically (temporary file + rename)."""
    import contextlib
    import os

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OSError(
            f"could not write --out {path} ({exc.strerror or exc}); the result is the line "
            "printed above."
        ) from None
