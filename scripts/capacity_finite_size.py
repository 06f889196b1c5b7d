"""Storage capacity from simulations at finite N, extrapolated to N -> infinity (issue 16).

For the Hopfield network (P = 2, hebbian, Glauber dynamics at T = 0.1) and one dense case
(P = 4), the retrieval transition alpha_c(N) is located at several N with adaptive sampling
and a smooth-step fit (:func:`hopfield_sim.finite_size.locate_transition`), then extrapolated
with ``alpha_c(N) = alpha_c + a N^(-1/2)`` (bootstrap errors,
:func:`hopfield_sim.finite_size.extrapolate`) and set beside the replica theory: the RS
critical load at the same T and, for P = 2, the 1RSB one (``theory.critical_load``).

Writes ``--out`` (JSON; default a fresh folder in the working directory) and the figure
beside it, and prints a table with the CPU time spent. The shipped results:
``--out data/capacity_finite_size.json --figure docs/figures/capacity_finite_size.png``
(``--replot`` redraws the figure from the JSON).

    python scripts/capacity_finite_size.py            # the documented run (minutes)
    python scripts/capacity_finite_size.py --quick    # small sizes (seconds; tests)
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: per case: P, sizes, bounds of alpha, samples per size (full, quick), and the overlap
#: above which a sample counts as retrieving (the retrieval state has m ~ 0.97 (P = 2) and
#: ~ 1 (P = 4) at T = 0.1; samples that lost it end near m ~ 0.35 (P = 2) and, at these small
#: N, m ~ 0.5-0.9 (P = 4))
CASES = {
    "P=2": {
        "P": 2,
        "sizes": ([500, 1000, 2000, 4000, 8000], [100, 200, 400]),
        "bounds": ((0.08, 0.30), (0.05, 0.45)),
        "budget": (96, 36),
        "sweeps": ((150, 50), (20, 20)),  # (recorded, burn-in): full, quick
        "m_cut": 0.8,
    },
    "P=4": {
        "P": 4,
        "sizes": ([24, 32, 48, 64, 80], [16, 24, 32]),
        "bounds": ((0.005, 0.20), (0.005, 0.30)),
        "budget": (72, 36),
        "sweeps": ((20, 20), (20, 20)),
        "m_cut": 0.9,
    },
}


def locate(task: dict) -> dict:
    """One size: adaptive location of alpha_c(N) (runs in a worker process)."""
    from hopfield_sim.finite_size import locate_transition

    t0 = time.process_time()
    tr = locate_transition(
        task["N"], bounds=task["bounds"], fixed=task["T"], P=task["P"], budget=task["budget"],
        min_samples=task["min_samples"], sweeps=task["sweeps"], burn_in=task["burn_in"],
        seed=task["seed"], bootstrap=task["bootstrap"], m_cut=task["m_cut"],
    )  # fmt: skip
    f = tr.fit
    return {
        "N": tr.N,
        "alpha_c": f.x_c,
        "alpha_c_err": f.x_c_err,
        "width": f.width,
        "width_err": f.width_err,
        "samples": f.n_samples,
        "points": f.n_points,
        "replicates": f.replicates.tolist(),
        "x": tr.x.tolist(),
        "m": tr.m.tolist(),
        "cpu_s": time.process_time() - t0,
        "wall_s": tr.seconds,
    }


def run_case(name: str, args: argparse.Namespace) -> dict:
    from hopfield_sim.finite_size import extrapolate

    case = CASES[name]
    k = 1 if args.quick else 0
    sweeps, burn_in = case["sweeps"][k]
    sweeps = args.sweeps if args.sweeps is not None else sweeps
    burn_in = args.burn_in if args.burn_in is not None else burn_in
    tasks = [
        {"N": N, "P": case["P"], "T": args.T, "bounds": case["bounds"][k],
         "budget": case["budget"][k], "min_samples": 6 if not args.quick else 3,
         "sweeps": sweeps, "burn_in": burn_in, "seed": args.seed,
         "bootstrap": 200 if not args.quick else 40, "m_cut": case["m_cut"]}
        for N in case["sizes"][k] if args.max_N is None or N <= args.max_N
    ]  # fmt: skip
    if args.budget is not None:
        for t in tasks:
            t["budget"] = args.budget
    tasks.sort(key=lambda t: -t["N"])  # largest first: better load balance
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
            rows = list(pool.map(locate, tasks))
    else:
        rows = [locate(t) for t in tasks]
    rows.sort(key=lambda r: r["N"])
    N = np.array([r["N"] for r in rows], dtype=float)
    x_c = np.array([r["alpha_c"] for r in rows])
    err = np.array([r["alpha_c_err"] for r in rows])
    reps = [np.array(r["replicates"]) for r in rows]
    fit = extrapolate(N, x_c, err, replicates=reps, nu=0.5, seed=args.seed)
    free = (
        extrapolate(N, x_c, err, replicates=reps, nu=None, seed=args.seed) if N.size >= 4 else None
    )
    return {"P": case["P"], "T": args.T, "sizes": rows, "fit": fit, "fit_free_nu": free,
            "sweeps": sweeps, "burn_in": burn_in}  # fmt: skip


def theory_values(P: int, T: float, quick: bool) -> dict:
    import theory

    out = {"RS": theory.critical_load(P, protocol="hebbian", T=T)}
    if P == 2 and not quick:
        try:
            out["1RSB"] = theory.critical_load(P, protocol="hebbian", T=T, level="1RSB")
        except (ValueError, NotImplementedError) as exc:  # pragma: no cover - depends on theory
            out["1RSB_note"] = str(exc)
    return out


def figure(results: dict, path: Path) -> None:
    """One panel per case: alpha_c(N) against N^(-1/2), the fit and the theory values."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hopfield_sim.scaling import plot_finite_size

    fig, axes = plt.subplots(1, len(results), figsize=(5.6 * len(results), 5.6),
                             layout="constrained")  # fmt: skip
    for ax, (name, res) in zip(np.atleast_1d(axes), results.items()):
        rows = res["sizes"]
        levels = {k: v for k, v in res["theory"].items() if k in ("RS", "1RSB")}
        plot_finite_size([r["N"] for r in rows], [r["alpha_c"] for r in rows],
                         [r["alpha_c_err"] for r in rows], res["fit"], theory=levels,
                         name="capacity alpha_c", ax=ax,
                         title=f"{name}, hebbian, T = {res['T']}")  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)


def parse_args(argv=None) -> argparse.Namespace:
    """Command line; ``--out`` defaults to a fresh UTC-stamped folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--T", type=float, default=0.1, help="temperature (default 0.1)")
    parser.add_argument("--sweeps", type=int, default=None,
                        help="recorded sweeps per sample (default: per case)")  # fmt: skip
    parser.add_argument("--burn-in", type=int, default=None,
                        help="discarded sweeps per sample (default: per case)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument(
        "--max-N",
        type=int,
        default=None,
        help="leave out larger sizes (a reduced run on a busy machine)",
    )
    parser.add_argument("--budget", type=int, default=None, help="samples per size")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other cases of an existing --out file")  # fmt: skip
    parser.add_argument("--skip-1rsb", action="store_true",
                        help="skip the 1RSB search (minutes); reused with --merge")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None,
                        help="result JSON (default: capacity_finite_size.json in a fresh "
                        "folder capacity_finite_size-<UTC time>; the shipped one is "
                        "data/capacity_finite_size.json)")  # fmt: skip
    parser.add_argument("--figure", type=Path, default=None,
                        help="figure (default: beside --out, .png)")  # fmt: skip
    parser.add_argument("--replot", action="store_true",
                        help="only redraw the figure from an existing --out file")  # fmt: skip
    args = parser.parse_args(argv)
    if args.out is None:
        from datetime import datetime, timezone

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        args.out = Path.cwd() / f"capacity_finite_size-{stamp}" / "capacity_finite_size.json"
    args.figure = args.figure or args.out.with_suffix(".png")
    return args


def run_cases(args: argparse.Namespace, old: dict | None) -> tuple[dict, float]:
    """Run every requested case (merged over ``old`` results); return them and the CPU
    seconds spent in worker processes."""
    results = dict(old["results"]) if old else {}
    cpu_workers = 0.0
    for name in args.cases:
        res = run_case(name, args)
        res["theory"] = theory_values(res["P"], args.T, args.quick or args.skip_1rsb)
        if args.skip_1rsb and old and name in old["results"]:
            for key in ("1RSB", "1RSB_note"):
                if key in old["results"][name]["theory"]:
                    res["theory"][key] = old["results"][name]["theory"][key]
        res["meta"] = {"sweeps": res.pop("sweeps"), "burn_in": res.pop("burn_in"),
                       "seed": args.seed, "max_N": args.max_N,
                       "budget": res["sizes"][0]["samples"]}  # fmt: skip
        results[name] = res
        if args.workers > 1:
            cpu_workers += sum(r["cpu_s"] for r in res["sizes"])
    return results, cpu_workers


def print_case(name: str, res: dict) -> None:
    """The table of one case: alpha_c(N), the extrapolations and the theory values."""
    m = res.get("meta", {})
    print(f"\n{name} (sweeps {m.get('sweeps', '?')} + burn-in {m.get('burn_in', '?')}):")
    print("       N   alpha_c(N)          width    samples  points  cpu [s]")
    for r in res["sizes"]:
        print(f"  {r['N']:>6}  {r['alpha_c']:.4f} +- {r['alpha_c_err']:.4f}  {r['width']:.4f}  "
              f"{r['samples']:>7}  {r['points']:>6}  {r['cpu_s']:>7.1f}")  # fmt: skip
    f = res["fit"]
    print(f"  extrapolated ({f['law']}, nu = 1/2): alpha_c = {f['x_inf']:.4f} +- "
          f"{f['x_inf_err']:.4f}  (chi2 = {f['chi2']:.2f} for {f['dof']} dof)")  # fmt: skip
    if res["fit_free_nu"] is not None:
        g = res["fit_free_nu"]
        print(f"  nu fitted: alpha_c = {g['x_inf']:.4f} +- {g['x_inf_err']:.4f}, "
              f"nu = {g['nu']:.2f} +- {g['nu_err']:.2f}")  # fmt: skip
    for level in ("RS", "1RSB"):
        if level in res["theory"]:
            v = res["theory"][level]
            print(f"  {level} theory: {v:.4f}  (MC - theory = {f['x_inf'] - v:+.4f}, "
                  f"{(f['x_inf'] - v) / f['x_inf_err']:+.1f} error bars)")  # fmt: skip


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.replot:
        figure(json.loads(args.out.read_text())["results"], args.figure)
        print(f"written: {args.figure}")
        return
    t0, c0 = time.perf_counter(), time.process_time()
    old = json.loads(args.out.read_text()) if args.merge and args.out.exists() else None
    results, cpu_workers = run_cases(args, old)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0 + cpu_workers
    print(f"capacity from finite-size scaling, T = {args.T} ({'quick' if args.quick else 'full'})")
    for name, res in results.items():
        print_case(name, res)
    print(f"\nwall {wall:.0f} s, CPU {cpu:.0f} s ({args.workers} worker processes)")
    run = {"wall_s": wall, "cpu_s": cpu, "workers": args.workers, "cases": args.cases,
           "seed": args.seed,
           "quick": args.quick, "max_N": args.max_N, "budget": args.budget}  # fmt: skip
    meta = {"runs": [*(old["meta"].get("runs", []) if old else []), run]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    figure(results, args.figure)
    print(f"written: {args.out}, {args.figure}")


if __name__ == "__main__":
    main()
