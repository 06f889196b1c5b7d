"""Sweep overheads: theory-only per-point cost, Monte Carlo scaling, Dask vs local pool.

1. Theory-only sweep of 100 x 100 = 10 000 (alpha, T) points, P = 2 hebbian: wall time per
   point of ``hopfield_sim.sweep`` (with and without an HDF5 store) against one direct
   ``theory.solve`` call on the same axes (goal: sweep overhead <= 1 ms per point).
2. A Monte Carlo sweep with 2 local workers against 1 (goal: speed-up >= 1.7 on 2 cores),
   with the worker pool warm (it is reused between sweeps) and including its start-up.
3. The same Monte Carlo sweep on a ``distributed.LocalCluster`` (2 worker processes,
   loopback) against the local pool: scheduling overhead.

Timings are ratios measured in one process on one machine; JIT compilation is warmed up
first. Prints a table and writes ``benchmarks/results/bench_sweep.json``.

    python benchmarks/bench_sweep.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).parent / "results"


def _theory_spec(n: int) -> dict:
    return {
        "seed": 0,
        "model": {"protocol": "hebbian", "P": 2},
        "axes": {
            "alpha": {"start": 0.0, "stop": 0.16, "num": n},
            "T": {"start": 0.05, "stop": 1.3, "num": n},
        },
        "theory": {},
    }


def _mc_spec(points: int, N: int, sweeps: int) -> dict:
    return {
        "seed": 1,
        "model": {"protocol": "hebbian", "P": 2},
        "axes": {"T": {"start": 0.2, "stop": 1.2, "num": points}},
        "fixed": {"alpha": 0.05},
        "montecarlo": {"N": N, "sweeps": sweeps, "burn_in": sweeps // 4, "chains": 2},
    }


def bench_theory(n: int) -> dict:
    import theory
    from hopfield_sim import sweep

    spec = _theory_spec(n)
    alpha = np.linspace(0.0, 0.16, n)
    T = np.linspace(0.05, 1.3, n)
    # JIT warm-up with the same shapes (JAX compiles once per shape)
    theory.solve("hebbian", P=2, alpha=alpha, T=T)
    sweep(spec, progress=False)
    t0 = time.perf_counter()
    theory.solve("hebbian", P=2, alpha=alpha, T=T)
    direct = time.perf_counter() - t0
    t0 = time.perf_counter()
    sweep(spec, progress=False)
    in_memory = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        sweep(spec, store=Path(tmp) / "t.h5", progress=False)
        stored = time.perf_counter() - t0
    points = n * n
    return {
        "points": points,
        "direct_solve_s": direct,
        "sweep_s": in_memory,
        "sweep_with_store_s": stored,
        "overhead_ms_per_point": 1e3 * (in_memory - direct) / points,
        "overhead_with_store_ms_per_point": 1e3 * (stored - direct) / points,
        "total_ms_per_point": 1e3 * stored / points,
    }


def bench_montecarlo(points: int, N: int, sweeps: int) -> dict:
    from hopfield_sim import sweep

    spec = _mc_spec(points, N, sweeps)
    sweep(_mc_spec(1, 100, 10), workers=1, progress=False)  # Numba warm-up / cache
    out = {"points": points, "N": N, "sweeps": sweeps}
    t0 = time.perf_counter()
    ref = sweep(spec, workers=1, progress=False)
    out["workers_1_s"] = time.perf_counter() - t0
    # cold: includes starting the 2 worker processes (imports, loading compiled kernels)
    t0 = time.perf_counter()
    sweep(_mc_spec(2, 100, 10), workers=2, progress=False)
    out["pool_start_s"] = time.perf_counter() - t0
    # warm: the pool is reused by later sweeps of the same process
    t0 = time.perf_counter()
    ds = sweep(spec, workers=2, progress=False)
    out["workers_2_s"] = time.perf_counter() - t0
    out["identical_1_vs_2_workers"] = bool(ds.identical(ref))
    out["speedup_2_vs_1"] = out["workers_1_s"] / out["workers_2_s"]
    out["speedup_2_vs_1_incl_start"] = out["workers_1_s"] / (
        out["workers_2_s"] + out["pool_start_s"]
    )
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover
        return out
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:  # fmt: skip
        out["dask_cluster_start_s"] = time.perf_counter() - t0
        sweep(_mc_spec(2, 100, 10), client=client, progress=False)  # warm the workers
        t0 = time.perf_counter()
        ds = sweep(spec, client=client, progress=False)
        out["dask_s"] = time.perf_counter() - t0
        out["identical_dask_vs_local"] = bool(ds.identical(ref))
    out["dask_over_pool"] = out["dask_s"] / out["workers_2_s"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    args = parser.parse_args()
    n, points, N, sweeps = (30, 4, 400, 40) if args.quick else (100, 16, 2000, 1000)
    from hopfield_sim import info

    th = bench_theory(n)
    mc = bench_montecarlo(points, N, sweeps)
    rows = [
        ("theory sweep, points", f"{th['points']}"),
        ("direct theory.solve [s]", f"{th['direct_solve_s']:.3f}"),
        ("sweep in memory [s]", f"{th['sweep_s']:.3f}"),
        ("sweep with HDF5 store [s]", f"{th['sweep_with_store_s']:.3f}"),
        ("overhead per point [ms] (goal <= 1)", f"{th['overhead_with_store_ms_per_point']:.4f}"),
        ("MC sweep, 1 worker [s]", f"{mc['workers_1_s']:.2f}"),
        ("local pool start, 2 workers [s]", f"{mc['pool_start_s']:.2f}"),
        ("MC sweep, 2 workers, warm pool [s]", f"{mc['workers_2_s']:.2f}"),
        ("speed-up 2 vs 1 (goal >= 1.7)", f"{mc['speedup_2_vs_1']:.2f}"),
        ("speed-up incl. pool start", f"{mc['speedup_2_vs_1_incl_start']:.2f}"),
    ]
    if "dask_s" in mc:
        rows += [
            ("Dask LocalCluster start [s]", f"{mc['dask_cluster_start_s']:.2f}"),
            ("MC sweep on Dask, 2 workers [s]", f"{mc['dask_s']:.2f}"),
            ("Dask / local pool", f"{mc['dask_over_pool']:.2f}"),
            (
                "identical: 1 vs 2 workers, Dask",
                f"{mc['identical_1_vs_2_workers']}, {mc['identical_dask_vs_local']}",
            ),  # fmt: skip
        ]
    width = max(len(r[0]) for r in rows)
    print(f"bench_sweep ({'quick' if args.quick else 'full'}; {os.cpu_count()} cores)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "quick": args.quick,
        "theory": th,
        "montecarlo": mc,
        "cpu_count": os.cpu_count(),
        "versions": info.versions(),
    }
    path = RESULTS / "bench_sweep.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
