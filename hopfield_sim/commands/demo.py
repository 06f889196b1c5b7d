"""``hopfield-sim demo``: the main job on built-in defaults.

Runs whatever parts of the package are present and says what it ran. Later parts extend
:func:`hopfield_sim.demo.run_demo`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "run the main job (small theory-vs-simulation phase diagram) on built-in defaults"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=Path("demo_output"), help="output folder (default: %(default)s)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (for tests)")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def run(args: argparse.Namespace) -> int:
    from hopfield_sim.demo import run_demo
    from hopfield_sim.storage import check_writable

    check_writable(args.out / "ags_theory.h5")  # an unwritable --out fails before any work

    written = run_demo(args.out, quick=args.quick, progress=not args.no_progress)
    print("\nwritten:")
    for path in written:
        print(f"  {path}")
    return 0
