"""RS phase diagram of the P = 2 Hopfield model on a 200 x 200 (alpha, T) grid.

Measured: ``theory.solve`` for the retrieval and the spin-glass branches (order parameters
and free energies, all points at once, JIT warmed up first) against a baseline that solves
the same AGS equations point by point with ``scipy.optimize.root`` (hybr) and NumPy
Gauss-Hermite quadrature (96 nodes), from the same starting points. The baseline is timed on
a random subset of the grid and extrapolated to the full grid. The two agree point by
point on the subset (reported as the largest |m| difference where both converged).

Goals (issue #4): <= 2 s after compilation on 2 cores, >= 50x faster than the baseline.
Prints a table and writes ``benchmarks/results/bench_theory.json``.

    python benchmarks/bench_theory.py [--n 200] [--subset 300]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="grid points per axis")
    ap.add_argument("--subset", type=int, default=300, help="baseline points timed")
    args = ap.parse_args()

    import jax

    import theory

    n = args.n
    alpha = np.linspace(0.002, 0.2, n)
    T = np.linspace(0.02, 1.5, n)
    branches = ("retrieval", "spinglass")

    t0 = time.perf_counter()
    for br in branches:  # compile (and warm every chunk size used)
        theory.solve(P=2, alpha=alpha, T=T, branch=br)
    compile_s = time.perf_counter() - t0

    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = {br: theory.solve(P=2, alpha=alpha, T=T, branch=br) for br in branches}
        runs.append(time.perf_counter() - t0)
    ours_s = min(runs)
    conv = {br: float(res[br].converged.mean()) for br in branches}

    rng = np.random.default_rng(np.random.SeedSequence(20261122))
    idx = rng.choice(n * n, size=min(args.subset, n * n), replace=False)
    ia, it = np.unravel_index(idx, (n, n))
    starts = {"retrieval": (1.0, 1.0), "spinglass": (0.0, 1.0)}
    t0 = time.perf_counter()
    base = {
        br: [_ags_baseline(alpha[i], T[j], starts[br]) for i, j in zip(ia, it)] for br in branches
    }
    base_subset_s = time.perf_counter() - t0
    base_s = base_subset_s * (n * n) / len(idx)

    # agreement on the subset where both converged (retrieval branch, m)
    ours_m = res["retrieval"].m.transpose("alpha", "T").values[ia, it]
    bm = np.array([b[0] for b in base["retrieval"]])
    bok = np.array([b[2] for b in base["retrieval"]])
    both = bok & np.isfinite(ours_m)
    diff = np.abs(np.abs(bm) - ours_m)
    warm = both & (T[it] >= 0.3)  # where 96-node Gauss-Hermite (baseline) is itself accurate
    agree_warm = float(np.max(diff[warm])) if warm.any() else float("nan")
    cold = both & (T[it] < 0.3)
    # at low T the baseline's quadrature is coarse and hybr may land on another solution
    # (branch jump); report both
    jumps = int(np.sum(diff[cold] > 0.1))
    same = cold & (diff <= 0.1)
    agree_cold = float(np.max(diff[same])) if same.any() else float("nan")

    rows = [
        ("grid", f"{n} x {n} (alpha, T), branches: {', '.join(branches)}"),
        ("first call (compile + run)", f"{compile_s:.2f} s"),
        ("theory.solve, after compilation", f"{ours_s:.3f} s  (best of 3; goal <= 2 s)"),
        ("scipy.optimize.root loop (extrapolated)", f"{base_s:.1f} s  ({len(idx)} pts timed)"),
        ("speed-up", f"{base_s / ours_s:.0f}x  (goal >= 50x)"),
        ("converged fraction", ", ".join(f"{k} {v:.4f}" for k, v in conv.items())),
        ("max |m| diff vs baseline, T >= 0.3", f"{agree_warm:.1e}  ({int(warm.sum())} pts)"),
        (
            "  T < 0.3 (baseline quadrature coarse)",
            f"{agree_cold:.1e} ({int(same.sum())} pts); baseline branch jumps: {jumps}",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print("bench_theory: P = 2 RS phase diagram")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = {
        "benchmark": "bench_theory",
        "grid": [n, n],
        "branches": list(branches),
        "compile_and_first_run_s": compile_s,
        "solve_s_best_of_3": ours_s,
        "solve_s_runs": runs,
        "baseline_points_timed": int(len(idx)),
        "baseline_subset_s": base_subset_s,
        "baseline_extrapolated_s": base_s,
        "speedup": base_s / ours_s,
        "converged_fraction": conv,
        "max_abs_m_difference_vs_baseline_T_ge_0.3": agree_warm,
        "max_abs_m_difference_vs_baseline_T_lt_0.3_same_branch": agree_cold,
        "baseline_branch_jumps_T_lt_0.3": jumps,
        "jax": jax.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    (RESULTS / "bench_theory.json").write_text(json.dumps(out, indent=2))
    print(f"  wrote {RESULTS / 'bench_theory.json'}")


if __name__ == "__main__":
    main()
