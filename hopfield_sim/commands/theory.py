"""``hopfield-sim theory``: solve the replica theory at the given parameters and print it."""

from __future__ import annotations

import argparse
import json

from _hopfield_base.vocabulary import BRANCHES, LEVELS, LINE_PROTOCOLS, PROTOCOLS

HELP = "solve the replica-symmetric (or 1RSB) theory at given parameters; lists give grids"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--protocol", default="hebbian",
                        choices=PROTOCOLS,
                        help="learning protocol: patterns stored directly (hebbian) or learnt "
                        "from M examples of quality r with (supervised) or without "
                        "(unsupervised) labels (default: %(default)s)")  # fmt: skip
    parser.add_argument("--P", type=int, default=2,
                        help="interaction order, integer >= 2; odd P has no m -> -m symmetry "
                        "(default: %(default)s)")  # fmt: skip
    for name, text in (
        ("alpha", "load alpha = K / N^(P-1) (default 0: low storage)"),
        ("T", "temperature T = 1/beta in units of the coupling scale (J = 1); give T or beta"),
        ("beta", "inverse temperature beta = 1/T; give T or beta"),
        ("rho", "dataset entropy rho = (1 - r^2) / (M r^2) (default 0; not with r, M)"),
        ("r", "example quality r in (0, 1] (supervised / unsupervised)"),
        ("M", "examples per archetype M (supervised / unsupervised)"),
    ):
        parser.add_argument(f"--{name}", type=float, nargs="+", default=None,
                            help=f"{text}; several values give a grid")  # fmt: skip
    parser.add_argument("--level", default="RS", choices=LEVELS,
                        help="replica-symmetric or one-step RSB equations "
                        "(default: %(default)s)")  # fmt: skip
    parser.add_argument("--branch", default="retrieval",
                        choices=BRANCHES,
                        help="which solution to follow: retrieval (start at m = 1), spin "
                        "glass (m = 0, q > 0) or paramagnet (default: %(default)s)")  # fmt: skip
    parser.add_argument("--finite-M", action="store_true",
                        help="exact binomial law of M examples instead of the large-M "
                        "Gaussian one (default: off)")  # fmt: skip
    parser.add_argument("--json", action="store_true",
                        help="machine-readable output (default: a table)")  # fmt: skip


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
    gone = _no_retrieval(args, ds)
    if args.json:
        if flat is None:
            rows = [{**{k: _plain(v) for k, v in kw.items()},
                     **{n: _plain(ds[n].values) for n in names}}]  # fmt: skip
        else:
            rows = [{k: _plain(v) for k, v in r.items()} for r in flat.to_dict("records")]
        out = {"protocol": args.protocol, "P": args.P, "points": rows}
        if gone:
            out["note"] = gone
        print(json.dumps(out, indent=2))
        return 0
    if flat is None:
        given = ", ".join(f"{k}={v:g}" for k, v in kw.items())
        print(f"{args.protocol}, P={args.P}, {given}")
        for n in names:
            print(f"  {n:<12} {_plain(ds[n].values)}")
    else:
        print(flat.to_string(index=False))
    if gone:
        print(gone)
    return 0


#: |m| below this on the retrieval branch: the branch is gone (the solver fell to m = 0)
NO_RETRIEVAL = 1e-6


def _no_retrieval(args, ds) -> str:
    """The note for points where the retrieval branch does not exist (m = 0), with the
    capacity alpha_c at the requested T (scalar T, hebbian / supervised, RS)."""
    import numpy as np

    if args.branch != "retrieval" or "m" not in ds:
        return ""
    m = np.abs(np.asarray(ds["m"].values, dtype=float))
    if m.ndim > 1:  # several patterns (multi-pattern outputs): the largest overlap
        m = m.max(axis=-1)
    zero = np.isfinite(m) & (m < NO_RETRIEVAL)
    if not zero.any():
        return ""
    where = "at these parameters" if m.size == 1 else f"at {int(zero.sum())} of {m.size} points"
    text = f"no retrieval solution {where}: m = 0, the retrieval branch does not exist"
    temps = args.T if args.T is not None else None
    if (temps is not None and len(temps) == 1 and args.protocol in LINE_PROTOCOLS
            and args.level == "RS" and args.r is None):  # fmt: skip
        import theory

        rho = args.rho[0] if args.rho is not None and len(args.rho) == 1 else 0.0
        a_c = theory.critical_load(args.P, protocol=args.protocol, T=temps[0], rho=rho)
        text += f" beyond the capacity alpha_c = {a_c:.4f} (at T = {temps[0]:g})"
    return text


def _plain(v):
    import numpy as np

    v = np.asarray(v)
    if v.dtype.kind == "b":
        return bool(v)
    return float(v) if v.size == 1 else v.tolist()
