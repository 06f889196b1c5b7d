"""``hopfield-sim plot FILE``: draw a stored sweep (phase diagram or curves)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = "plot a stored sweep: phase diagram for 2-d grids, curves for 1-d grids"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="sweep result (.h5) written by `sweep`")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="figure file, .png or .pdf (default: FILE.png); missing folders are created",
    )
    parser.add_argument("--x", default=None, help="horizontal axis (default: first grid dim)")
    parser.add_argument("--y", default=None, help="vertical axis of a phase diagram")
    parser.add_argument("--hue", default=None, help="one curve per value of this grid dim")
    parser.add_argument(
        "--kind", choices=("auto", "phase", "curves"), default="auto", help="kind of figure"
    )
    parser.add_argument("--variable", default="m", help="order parameter (default: m)")


def run(args: argparse.Namespace) -> int:
    from hopfield_sim.plot import plot_curves, plot_phase_diagram
    from hopfield_sim.sweep import open_sweep

    ds = open_sweep(args.file)
    out = args.out or args.file.with_suffix(".png")
    dims = [d for d in ds.dims if d != "pattern"]
    plane = dims
    if "adaptive_spec" in ds.attrs:  # scattered points of an adaptive diagram
        plane = list(json.loads(ds.attrs["adaptive_spec"])["axes"])
    kind = args.kind
    if kind == "auto":
        kind = "phase" if len(plane) == 2 and args.hue is None else "curves"
    if kind == "phase":
        if len(plane) != 2 and (args.x is None or args.y is None):
            raise ValueError(f"a phase diagram needs two grid dims or --x and --y; have {dims}.")
        x, y = args.x or plane[0], args.y or plane[1]
        plot_phase_diagram(ds, x, y, variable=args.variable, path=out)
    else:
        x = args.x or dims[0]
        hue = args.hue or next((d for d in dims if d != x), None)
        plot_curves(ds, x, hue, variable=args.variable, path=out)
    print(f"written: {out}")
    return 0
