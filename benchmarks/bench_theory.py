"""RS phase diagrams: P = 2 on a 200 x 200 (alpha, T) grid (retrieval and spin-glass
branches) and P = 4 on a 100 x 100 grid (retrieval branch).

Measured: ``theory.solve`` (all points at once, coarse-to-fine continuation with Newton
from warm starts, theory.rs.continuation) after compilation (the first call, compile + run,
is reported separately), against

* the previous solver: the same kernel started cold at every point (continuation disabled),
  timed in the same process, and
* a baseline that solves the same RS equations point by point with ``scipy.optimize.root``
  (hybr) and NumPy Gauss-Hermite quadrature (96 nodes), from the same starting points,
  timed on a random subset of the grid and extrapolated.

Agreement is reported as the largest |m| difference to the previous solver (all points
where both converged) and to the baseline (the subset). Goals (issue 15): each grid <= 1 s
after compilation, >= 50x faster than the baseline. Prints a table and writes
``benchmarks/results/bench_theory.json``.

    python benchmarks/bench_theory.py [--n 200] [--n4 100] [--subset 300] [--repeat 3]
    python benchmarks/bench_theory.py --rsb [--rsb-previous]

``--rsb`` instead times ``theory.critical_load(P, level="1RSB")`` for P = 2 and 4 (T = 0):
the first call (compilation included) and ``--repeat`` later calls (warm; the range min-max
is reported, not only the best), each against the RS call ``critical_load(P, level="RS")``
timed the same way in the same run, as the ratio 1RSB / RS (its range: the smallest 1RSB
time over the largest RS time, and the largest over the smallest). ``--rsb-previous`` adds
the previous implementation (grid bisection over the engine's theta/mu scan, 16 scan
values) in the same process, for the same-process ratio (slow: minutes per capacity).
Goals (issue 28): <= 5 s (P = 2), <= 10 s (P = 4) after compilation.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"


def _dense_baseline(alpha: float, T: float, start: tuple[float, float], P: int = 4):
    """Dense P >= 4 RS (rho = 0) by scipy.optimize.root on (m, q); returns m, converged."""
    import math

    from scipy.optimize import root

    z, w = np.polynomial.hermite.hermgauss(96)
    z, w = z * np.sqrt(2.0), w / np.sqrt(np.pi)
    beta = 1.0 / T
    c = alpha * P * math.factorial(P) / 4.0

    def eqs(x):
        m, q = x
        h = beta * (0.5 * P * m ** (P - 1) + np.sqrt(c * max(q, 0.0) ** (P - 1)) * z)
        t = np.tanh(h)
        return [w @ t - m, w @ (t * t) - q]

    sol = root(eqs, start, method="hybr", options={"xtol": 1e-12})
    return float(sol.x[0]), bool(sol.success)


def _ags_baseline(alpha: float, T: float, start: tuple[float, float]) -> tuple[float, float, bool]:
    """AGS (rho = 0) by scipy.optimize.root on (m, q); returns m, f, converged."""
    from scipy.optimize import root

    z, w = np.polynomial.hermite.hermgauss(96)
    z, w = z * np.sqrt(2.0), w / np.sqrt(np.pi)
    beta = 1.0 / T

    def fields(m, q):
        D = 1.0 - beta * (1.0 - q)
        r = q / D**2
        return beta * (m + np.sqrt(alpha * max(r, 0.0)) * z), r, D

    def eqs(x):
        m, q = x
        h, _, _ = fields(m, q)
        t = np.tanh(h)
        return [w @ t - m, w @ (t * t) - q]

    sol = root(eqs, start, method="hybr", options={"xtol": 1e-12})
    if not sol.success:
        return float("nan"), float("nan"), False
    m, q = sol.x
    h, r, D = fields(m, q)
    if D <= 0:
        return float("nan"), float("nan"), False
    a = np.abs(h)
    lncosh = a + np.log1p(np.exp(-2 * a))
    f = (
        0.5 * m * m
        + alpha / (2 * beta) * (np.log(D) - beta * q / D)
        + 0.5 * alpha * beta * r * (1 - q)
        - (w @ lncosh) / beta
    )
    ok = bool(sol.success) and np.isfinite(f) and D > 0
    return float(m), float(f), ok


def _time(fn, repeat: int) -> tuple[float, list[float], object]:
    runs, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return min(runs), runs, out


def _grid_case(theory, cont, P, alpha, T, branches, subset, repeat, seed):
    """Time one grid: new solver (compile separately), previous solver, SciPy baseline."""
    import warnings

    def ours():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {br: theory.solve(P=P, alpha=alpha, T=T, branch=br) for br in branches}

    t0 = time.perf_counter()
    ours()  # compile (every chunk size) and run
    compile_s = time.perf_counter() - t0
    ours_s, runs, res = _time(ours, repeat)
    saved = cont.MIN_POINTS
    cont.MIN_POINTS = 10**18  # the previous solver: every point from the branch's start
    try:
        ours()  # compile any chunk size only the cold path uses
        prev_s, prev_runs, prev = _time(ours, repeat)
    finally:
        cont.MIN_POINTS = saved
    diff_prev = 0.0
    for br in branches:
        a, b = res[br].m.values, prev[br].m.values
        both = np.isfinite(a) & np.isfinite(b)
        if both.any():
            diff_prev = max(diff_prev, float(np.max(np.abs(a[both] - b[both]))))
    conv = {br: float(res[br].converged.mean()) for br in branches}
    conv_prev = {br: float(prev[br].converged.mean()) for br in branches}

    n_a, n_t = alpha.size, T.size
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    idx = rng.choice(n_a * n_t, size=min(subset, n_a * n_t), replace=False)
    it, ia = np.unravel_index(idx, (n_t, n_a))  # result dims are (T, alpha)
    starts = {"retrieval": (1.0, 1.0), "spinglass": (0.0, 1.0)}
    t0 = time.perf_counter()
    if P == 2:
        base = {br: [_ags_baseline(alpha[i], T[j], starts[br])[::2] for i, j in zip(ia, it)]
                for br in branches}  # fmt: skip
    else:
        base = {br: [_dense_baseline(alpha[i], T[j], starts[br], P) for i, j in zip(ia, it)]
                for br in branches}  # fmt: skip
    base_subset_s = time.perf_counter() - t0
    base_s = base_subset_s * (n_a * n_t) / len(idx)
    ours_m = res["retrieval"].m.values[it, ia]
    bm = np.array([b[0] for b in base["retrieval"]])
    bok = np.array([b[1] for b in base["retrieval"]])
    both = bok & np.isfinite(ours_m) & (T[it] >= 0.3)  # baseline quadrature accurate there
    diff = np.abs(np.abs(bm) - ours_m)
    same = both & (diff <= 0.1)  # hybr may land on another solution (branch jump)
    return {
        "P": P,
        "grid": [int(n_t), int(n_a)],
        "branches": list(branches),
        "compile_and_first_run_s": compile_s,
        "solve_s_best": ours_s,
        "solve_s_runs": runs,
        "previous_solver_s_best": prev_s,
        "previous_solver_s_runs": prev_runs,
        "speedup_vs_previous": prev_s / ours_s,
        "baseline_points_timed": int(len(idx)),
        "baseline_subset_s": base_subset_s,
        "baseline_extrapolated_s": base_s,
        "speedup_vs_baseline": base_s / ours_s,
        "converged_fraction": conv,
        "converged_fraction_previous": conv_prev,
        "max_abs_m_difference_vs_previous": diff_prev,
        "max_abs_m_difference_vs_baseline_T_ge_0.3": float(np.max(diff[same]))
        if same.any() else float("nan"),
        "baseline_branch_jumps_T_ge_0.3": int(np.sum(both & (diff > 0.1))),
    }


def _previous_critical_load_1rsb(P: int) -> float:
    """The implementation before issue 28 (T = 0, hebbian): grid bisection on the existence of
    a converged broken retrieval solution of the engine's scan (8 loads per round)."""
    from theory._bracket import grid_bisect
    from theory._conventions import factorial, is_retrieval
    from theory.rsb._solve1rsb import solve_1rsb  # the array-level solver

    fact = factorial(P) / P
    lo, hi = (0.05, 0.2) if P == 2 else (0.02 / fact, 1.0 / fact)

    def retrieves(alphas):
        out = solve_1rsb(protocol="hebbian", P=P, beta=np.full(alphas.size, np.inf),
                         alpha=alphas, rho=np.zeros(alphas.size), branch="retrieval",
                         n_scan=16)
        return out["converged"] & is_retrieval(m=out["m"])

    return grid_bisect(retrieves, lo, hi, rtol=1e-5, widen=True)


def _rsb_rows(repeat: int, previous: bool) -> list[dict]:
    import theory

    rows = []
    for P in (2, 4):
        rs = functools.partial(theory.critical_load, P, protocol="hebbian", level="RS")
        rs()  # compile the RS spinodal
        _, rs_runs, a_rs = _time(rs, repeat)
        call = functools.partial(theory.critical_load, P, protocol="hebbian", level="1RSB",
                                 progress=False)
        t0 = time.perf_counter()
        a = call()
        first = time.perf_counter() - t0
        best, runs, _ = _time(call, repeat)
        ratio = (min(runs) / max(rs_runs), max(runs) / min(rs_runs))  # times > 0: ratios > 0
        row = dict(P=P, alpha_c=a, first_call_s=first, warm_s_best=best, warm_s=runs,
                   warm_s_range=[min(runs), max(runs)], rs_alpha_c=a_rs, rs_warm_s=rs_runs,
                   rs_warm_s_range=[min(rs_runs), max(rs_runs)],
                   warm_ratio_1rsb_over_rs_range=list(ratio))
        if previous:
            t0 = time.perf_counter()
            a_prev = _previous_critical_load_1rsb(P)
            t_first = time.perf_counter() - t0
            t0 = time.perf_counter()
            _previous_critical_load_1rsb(P)
            row.update(previous_alpha_c=a_prev, previous_first_call_s=t_first,
                       previous_warm_s=time.perf_counter() - t0)
            row["speedup_warm"] = row["previous_warm_s"] / best
        rows.append(row)
        print(f"  critical_load(P={P}, level='1RSB'): alpha_c = {a:.8f} (RS {a_rs:.8f}); "
              f"first call {first:.1f} s; warm {min(runs):.2f}-{max(runs):.2f} s "
              f"(goal {5 if P == 2 else 10} s); RS warm {min(rs_runs) * 1e3:.1f}-"
              f"{max(rs_runs) * 1e3:.1f} ms; 1RSB/RS {ratio[0]:.3g}-{ratio[1]:.3g}x"
              + (f"; previous {row['previous_alpha_c']:.6f} in {row['previous_warm_s']:.1f} s"
                 f" warm ({row['speedup_warm']:.0f}x)" if previous else ""), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="P = 2 grid points per axis")
    ap.add_argument("--n4", type=int, default=100, help="P = 4 grid points per axis")
    ap.add_argument("--subset", type=int, default=300, help="baseline points timed")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (best is reported)")
    ap.add_argument("--rsb", action="store_true", help="time the 1RSB capacities instead")
    ap.add_argument("--rsb-previous", action="store_true",
                    help="with --rsb: also the previous implementation (slow)")
    args = ap.parse_args()
    if args.rsb:
        import jax

        rows = _rsb_rows(args.repeat, args.rsb_previous)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "bench_theory_rsb.json").write_text(json.dumps(dict(
            benchmark="bench_theory --rsb", rows=rows, jax=jax.__version__,
            python=platform.python_version(), machine=platform.machine()), indent=2))
        return

    import jax

    import theory
    from theory.rs import continuation

    cases = [
        _grid_case(theory, continuation, 2, np.linspace(0.002, 0.2, args.n),
                   np.linspace(0.02, 1.5, args.n), ("retrieval", "spinglass"), args.subset,
                   args.repeat, 20261122),
        _grid_case(theory, continuation, 4, np.linspace(0.001, 0.05, args.n4),
                   np.linspace(0.02, 1.0, args.n4), ("retrieval",), args.subset // 3,
                   args.repeat, 20261123),
    ]
    print("bench_theory: RS phase diagrams (measured on a shared machine; ratios are from "
          "one process)")
    for c in cases:
        rows = [
            ("grid (T x alpha)", f"{c['grid'][0]} x {c['grid'][1]}, P = {c['P']}, "
             f"branches: {', '.join(c['branches'])}"),
            ("first call (compile + run)", f"{c['compile_and_first_run_s']:.2f} s"),
            ("theory.solve, after compilation", f"{c['solve_s_best']:.3f} s  (best of "
             f"{args.repeat}; goal <= 1 s)"),
            ("previous solver (cold starts)", f"{c['previous_solver_s_best']:.3f} s  "
             f"({c['speedup_vs_previous']:.1f}x slower)"),
            ("scipy.optimize.root loop (extrapolated)", f"{c['baseline_extrapolated_s']:.1f} s"
             f"  ({c['baseline_points_timed']} pts timed)"),
            ("speed-up vs scipy", f"{c['speedup_vs_baseline']:.0f}x  (goal >= 50x)"),
            ("converged fraction", ", ".join(f"{k} {v:.4f}" for k, v in
                                             c["converged_fraction"].items())),
            ("max |m| diff vs previous solver", f"{c['max_abs_m_difference_vs_previous']:.1e}"),
            ("max |m| diff vs scipy, T >= 0.3",
             f"{c['max_abs_m_difference_vs_baseline_T_ge_0.3']:.1e}; branch jumps "
             f"{c['baseline_branch_jumps_T_ge_0.3']}"),
        ]
        width = max(len(r[0]) for r in rows)
        for k, v in rows:
            print(f"  {k:<{width}}  {v}")
        print()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "benchmark": "bench_theory",
        "cases": cases,
        "jax": jax.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    (RESULTS / "bench_theory.json").write_text(json.dumps(out, indent=2))
    print(f"  wrote {RESULTS / 'bench_theory.json'}")


if __name__ == "__main__":
    main()
