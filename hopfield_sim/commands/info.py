"""``hopfield-sim info``: versions, threads and devices, for bug reports."""

from __future__ import annotations

import argparse
import json

HELP = "print package and dependency versions, Numba threads and JAX devices"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    from hopfield_sim import info

    if args.json:
        print(json.dumps({"versions": info.versions(), "runtime": info.runtime()}, indent=2))
    else:
        print(info.report())
    return 0
