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
    _check_variable(ds, args.variable, args.file)
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


def _check_variable(ds, variable: str, path) -> None:
    """``variable`` must have a ``_theory`` or ``_mc`` array in the file (else: an empty plot)."""
    names = [str(n).rsplit("_", 1) for n in ds.data_vars]
    have = sorted({b for b, p in (n for n in names if len(n) == 2) if p in ("theory", "mc")})
    have = [h for h in have if h not in ("done", "converged", "seed")]
    if variable not in have:
        raise ValueError(
            f"--variable {variable!r} is not in {path}; it has {', '.join(have) or 'none'}."
        )
