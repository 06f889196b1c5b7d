"""``hopfield-sim sweep CONFIG.toml``: run a phase-diagram sweep from a TOML spec."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "run a theory + Monte Carlo sweep from a TOML spec, writing an HDF5 file (resumable)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", type=Path, help="TOML sweep spec (see docs/sweeps.md)")
    parser.add_argument(
        "--out", type=Path, default=None, help="result file (default: CONFIG with suffix .h5)"
    )
    parser.add_argument(
        "--scheduler", default=None, help="Dask scheduler address, e.g. tcp://10.0.0.5:8786"
    )
    parser.add_argument("--workers", type=int, default=None, help="local worker processes")
    parser.add_argument("--batch-size", type=int, default=None, help="Monte Carlo points per task")
    parser.add_argument(
        "--extend", action="store_true", help="allow adding grid points to an existing file"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    from hopfield_sim.spec import load_spec
    from hopfield_sim.sweep import sweep

    for key in ("workers", "batch_size"):
        value = getattr(args, key)
        if value is not None and value < 1:
            raise ValueError(f"--{key.replace('_', '-')} must be >= 1; got {value}.")
    spec = load_spec(args.config)
    out = args.out or args.config.with_suffix(".h5")
    before = _stamp(out)
    args._interrupt_note = (
        f"; every finished batch is kept in {out}: rerun the same command to continue"
    )
    ds = sweep(
        spec,
        store=out,
        client=args.scheduler,
        progress=not args.no_progress,
        workers=args.workers,
        batch_size=args.batch_size,
        extend=args.extend,
    )
    if "m_theory" in ds and "m_mc" in ds and "pattern" not in ds.dims:
        from hopfield_sim.compare import comparison_table

        print(comparison_table(ds))
    dims = _counts(ds)
    if before is not None and _stamp(out) == before:
        print(f"nothing to do: {out} already holds every point of this spec ({dims}); "
              "file not rewritten")  # fmt: skip
    else:
        print(f"sweep finished: {dims}; written: {out}")
    return 0


def _counts(ds) -> str:
    """``12 points (alpha: 4 values x T: 3 values)``: grid sizes labelled as counts."""
    from hopfield_sim._layout import grid_dims

    dims = grid_dims(ds)
    sizes = [ds.sizes[d] for d in dims]
    total = 1
    for n in sizes:
        total *= n
    each = " x ".join(f"{d}: {n} value{'s' if n != 1 else ''}" for d, n in zip(dims, sizes))
    return f"{total} point{'s' if total != 1 else ''} ({each})"


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns
