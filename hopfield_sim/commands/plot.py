"""``hopfield-sim plot FILE``: draw a stored sweep (phase diagram or curves)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HELP = ("plot a stored sweep: phase diagram for 2-d grids, curves for 1-d grids and N axes, "
        "P(m) / P(q) over disorder samples")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="sweep result (.h5) written by `sweep`")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="figure file, .png or .pdf (default: FILE.png); missing folders are created",
    )
    parser.add_argument(
        "--x", default=None, help="horizontal axis (default: the first grid dim other than N)"
    )
    parser.add_argument(
        "--y", default=None, help="vertical axis of a phase diagram (default: second grid dim)"
    )
    parser.add_argument("--hue", default=None,
                        help="one curve per value of this grid dim (default: N if it is a "
                        "grid dim, else the other grid dim)")  # fmt: skip
    parser.add_argument(
        "--kind", choices=("auto", "phase", "curves", "distribution"), default="auto",
        help="phase: diagram in the (x, y) plane; curves: variable versus x; distribution: "
        "P(variable) over disorder samples (per-sample data); auto (default): phase for two "
        "grid dims unless one is N, curves otherwise",
    )  # fmt: skip
    parser.add_argument(
        "--variable", default=None, help="m, n or q (default: m; q for --kind distribution)"
    )


def run(args: argparse.Namespace) -> int:
    from hopfield_sim.plot import plot_curves, plot_phase_diagram
    from hopfield_sim.sweep import open_sweep

    ds = open_sweep(args.file)
    out = args.out or args.file.with_suffix(".png")
    dims = [d for d in ds.dims if d != "pattern"]
    from hopfield_sim._layout import grid_dims

    dims = list(grid_dims(ds)) if "sweep_spec" in ds.attrs else dims
    plane = dims
    if "adaptive_spec" in ds.attrs:  # scattered points of an adaptive diagram
        plane = list(json.loads(ds.attrs["adaptive_spec"])["axes"])
    kind = args.kind
    if kind == "auto":  # an N axis is a finite-size series, not a plane
        kind = "phase" if len(plane) == 2 and args.hue is None and "N" not in plane else "curves"
    if kind == "distribution":
        from hopfield_sim.samples import plot_distribution

        args.variable = args.variable or "q"
        _check_variable(ds, args.variable, args.file)
        plot_distribution(ds, args.variable, args.hue, path=out)
        print(f"written: {out}")
        return 0
    args.variable = args.variable or "m"
    _check_variable(ds, args.variable, args.file)
    if kind == "phase":
        if len(plane) != 2 and (args.x is None or args.y is None):
            raise ValueError(f"a phase diagram needs two grid dims or --x and --y; have {dims}.")
        x, y = args.x or plane[0], args.y or plane[1]
        plot_phase_diagram(ds, x, y, variable=args.variable, path=out)
    else:
        grid = [d for d in dims if d not in ("sample", "chain", "chain_pair") and
                not d.endswith("_bin")]  # fmt: skip
        x = args.x or next((d for d in grid if d != "N"), grid[0])
        hue = args.hue or ("N" if "N" in grid and x != "N" else next(
            (d for d in grid if d != x), None))  # fmt: skip
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
