"""``hopfield-sim theory``: solve the replica theory at the given parameters and print it."""

from __future__ import annotations

import argparse
import json

HELP = "solve the replica-symmetric (or 1RSB) theory at given parameters; lists give grids"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--protocol", default="hebbian",
                        choices=("hebbian", "supervised", "unsupervised"))  # fmt: skip
    parser.add_argument("--P", type=int, default=2, help="interaction order (integer >= 2)")
    for name, text in (
        ("alpha", "load K / N^(P-1) (0: low storage)"),
        ("T", "temperature"),
        ("beta", "inverse temperature"),
        ("rho", "dataset entropy"),
        ("r", "example quality"),
        ("M", "examples per archetype"),
    ):
        parser.add_argument(f"--{name}", type=float, nargs="+", default=None, help=text)
    parser.add_argument("--level", default="RS", choices=("RS", "1RSB"))
    parser.add_argument("--branch", default="retrieval",
                        choices=("retrieval", "spinglass", "paramagnet"))  # fmt: skip
    parser.add_argument("--finite-M", action="store_true", help="exact binomial example law")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    if (args.T is None) == (args.beta is None):  # before importing JAX
        raise ValueError(
            "give exactly one of --T and --beta (T = 0 is --T 0); got "
            + ("both." if args.T is not None else "neither.")
        )
    import numpy as np

    import theory

    kw = {}
    for name in ("alpha", "T", "beta", "rho", "r", "M"):
        value = getattr(args, name)
        if value is not None:
            kw[name] = value[0] if len(value) == 1 else np.asarray(value)
    ds = theory.solve(args.protocol, P=args.P, level=args.level, branch=args.branch,
                      finite_M=args.finite_M, **kw)  # fmt: skip
    names = [n for n in ("m", "n", "q", "free_energy", "converged", "stable") if n in ds]
    flat = ds[names].to_dataframe().reset_index() if ds["m"].ndim else None
    if args.json:
        if flat is None:
            rows = [{**{k: _plain(v) for k, v in kw.items()},
                     **{n: _plain(ds[n].values) for n in names}}]  # fmt: skip
        else:
            rows = [{k: _plain(v) for k, v in r.items()} for r in flat.to_dict("records")]
        print(json.dumps({"protocol": args.protocol, "P": args.P, "points": rows}, indent=2))
        return 0
    if flat is None:
        given = ", ".join(f"{k}={v:g}" for k, v in kw.items())
        print(f"{args.protocol}, P={args.P}, {given}")
        for n in names:
            print(f"  {n:<12} {_plain(ds[n].values)}")
    else:
        print(flat.to_string(index=False))
    return 0


def _plain(v):
    import numpy as np

    v = np.asarray(v)
    if v.dtype.kind == "b":
        return bool(v)
    return float(v) if v.size == 1 else v.tolist()
