"""Shared command line of the sweep-based reproduction scripts in this folder.

Each script names a TOML spec in ``scripts/configs/``, runs it with
:func:`hopfield_sim.sweep` into ``OUT/<name>.h5`` (resumable: rerunning with the same
``--out`` continues), draws ``OUT/<name>.png`` and prints the theory-vs-simulation table.
``--out`` defaults to a fresh folder ``<name>-<UTC time>`` in the working directory, never
the checkout's ``data/``; the shipped results are regenerated with
``--data data/<name>.h5 --figure docs/figures/<name>.png``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "scripts" / "configs"


def quick_spec(spec: dict) -> dict:
    """Shrink a spec for a smoke run: every axis to its ends, short chains, small N."""
    spec = {k: (dict(v) if isinstance(v, dict) else v) for k, v in spec.items()}
    axes = {}
    for name, values in spec.get("axes", {}).items():
        if isinstance(values, list):
            axes[name] = values[:: max(1, len(values) - 1)]
        else:
            axes[name] = {**values, "num": 2} if "num" in values else values
    spec["axes"] = axes
    if "montecarlo" in spec:
        mc = spec["montecarlo"]
        mc.update(sweeps=min(mc.get("sweeps", 200), 30), burn_in=10, samples=1)
        if "N" in mc:
            mc["N"] = min(mc["N"], 300 if spec["model"]["P"] == 2 else 20)
    return spec


def fresh_folder(name: str) -> Path:
    """``<name>-<UTC time>`` in the working directory (a new folder for every run)."""
    from datetime import datetime, timezone

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path.cwd() / f"{name}-{stamp}"


def main(name: str, draw: Callable, description: str) -> None:
    """Parse the command line, run the sweep of ``configs/<name>.toml`` and draw it."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    import hopfield_sim as hs
    from hopfield_sim.spec import spec_from_dict

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="tiny smoke-test sizes")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address")
    parser.add_argument("--workers", type=int, default=None, help="local worker processes")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the result file and figure (default: a fresh folder "
                        "<name>-<UTC time> in the working directory)")  # fmt: skip
    parser.add_argument("--data", type=Path, default=None,
                        help="result file (default: OUT/<name>.h5)")  # fmt: skip
    parser.add_argument("--figure", type=Path, default=None,
                        help="figure file, .png or .pdf (default: OUT/<name>.png)")  # fmt: skip
    args = parser.parse_args()
    with (CONFIGS / f"{name}.toml").open("rb") as fh:
        plain = tomllib.load(fh)
    suffix = "_quick" if args.quick else ""
    if args.quick:
        plain = quick_spec(plain)
    out = args.out or fresh_folder(f"{name}{suffix}")
    data = args.data or out / f"{name}{suffix}.h5"
    figure = args.figure or out / f"{name}{suffix}.png"
    for path in (data, figure):
        path.parent.mkdir(parents=True, exist_ok=True)
    ds = hs.sweep(spec_from_dict(plain), store=data, client=args.scheduler, workers=args.workers)
    fig = draw(ds)
    fig.savefig(figure, dpi=150)
    if "m_mc" in ds and "m_theory" in ds:
        print(hs.comparison_table(ds, max_rows=60))
    print(f"written: {data}\nwritten: {figure}")
