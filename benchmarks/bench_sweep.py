"""Sweep overheads: theory-only per-point cost, Monte Carlo scaling, Dask vs local pool.

1. Theory-only sweep of 100 x 100 = 10 000 (alpha, T) points, P = 2 hebbian: wall time per
   point of ``hopfield_sim.sweep`` (with and without an HDF5 store) against one direct
   ``theory.solve`` call on the same axes (goal: sweep overhead <= 1 ms per point).
2. A Monte Carlo sweep with 2 local workers against 1 (goal: speed-up >= 1.7 on 2 cores),
   with the worker pool warm (it is reused between sweeps) and including its start-up.
3. The same Monte Carlo sweep on a ``distributed.LocalCluster`` (2 worker processes,
   loopback) against the local pool: scheduling overhead.
4. Storage scaling: a theory-only sweep of 10^6 points (1000 x 1000 grid, batches of
   10 000) and a Monte Carlo sweep of 10^4 points (batches of 100), both with closed-form
   stand-in runners so that only the storage is timed. Per-batch store time of the first
   and the last tenth of the batches (goal: ratio ~ 1, i.e. flat in the file size), against
   rewriting the whole file per batch (the previous design, timed on the final file).

Timings are ratios measured in one process on one machine; JIT compilation is warmed up
first. Prints a table and writes ``benchmarks/results/bench_sweep.json``.

    python benchmarks/bench_sweep.py [--quick] [--only storage]
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
    out["identical_1_vs_2_workers"] = _same(ds, ref)
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
        out["identical_dask_vs_local"] = _same(ds, ref)
    out["dask_over_pool"] = out["dask_s"] / out["workers_2_s"]
    return out


def _same(a, b) -> bool:
    from hopfield_sim._layout import TIME_ATTRS

    a, b = a.copy(), b.copy()
    for ds in (a, b):
        for key in TIME_ATTRS:
            ds.attrs.pop(key, None)
    return bool(a.identical(b))


def _closed_form_theory(spec, grid) -> dict:
    """Stand-in theory (m = tanh(1/T)(1 - alpha)): the benchmark times storage only."""
    a, T = grid.columns["alpha"], grid.columns["T"]
    m = (np.tanh(1 / T) * (1 - a)).reshape(grid.shape)
    return {"m": ((), m), "q": ((), m**2), "converged": ((), np.ones(grid.shape, bool))}


def _closed_form_mc(spec: dict, params: dict, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    m = np.tanh(1 / params["T"]) * (1 - params["alpha"])
    return {"m_mc": m + 0.01 * rng.standard_normal(), "m_mc_err": 0.01, "N_mc": 100.0}


def bench_storage(n_theory: int, n_mc: int) -> dict:
    """Per-batch store time over a sweep; flat when a batch costs O(batch), not O(file)."""
    from hopfield_sim import storage, sweep

    times: list[float] = []
    real_append = storage.Store.append

    def timed(self, *args, **kwargs):
        t0 = time.perf_counter()
        out = real_append(self, *args, **kwargs)
        times.append(time.perf_counter() - t0)
        return out

    storage.Store.append = timed  # type: ignore[method-assign]
    out: dict = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            side = int(round(np.sqrt(n_theory)))
            spec = {
                "seed": 0,
                "model": {"protocol": "hebbian", "P": 2},
                "axes": {
                    "alpha": {"start": 0.0, "stop": 0.16, "num": side},
                    "T": {"start": 0.05, "stop": 1.3, "num": side},
                },
                "theory": {},
            }
            t0 = time.perf_counter()
            ds = sweep(
                spec,
                store=Path(tmp) / "theory.h5",
                progress=False,
                theory_batch_size=side * max(1, side // 100),
                _theory=_closed_form_theory,
            )
            out["theory"] = _summary(times, time.perf_counter() - t0, side * side, ds, tmp)
            times.clear()
            mc = {
                "seed": 1,
                "model": {"protocol": "hebbian", "P": 2},
                "points": {
                    "alpha": np.linspace(0.0, 0.1, n_mc).tolist(),
                    "T": np.linspace(0.2, 1.2, n_mc).tolist(),
                },
                "montecarlo": {"N": 100, "sweeps": 10},
            }
            t0 = time.perf_counter()
            ds = sweep(mc, store=Path(tmp) / "mc.h5", progress=False, workers=1,
                       batch_size=max(1, n_mc // 100), _montecarlo=_closed_form_mc)  # fmt: skip
            out["montecarlo"] = _summary(times, time.perf_counter() - t0, n_mc, ds, tmp)
    finally:
        storage.Store.append = real_append  # type: ignore[method-assign]
    return out


def _summary(times: list[float], total: float, points: int, ds, tmp: str) -> dict:
    from hopfield_sim import storage

    tenth = max(1, len(times) // 10)
    first, last = float(np.mean(times[:tenth])), float(np.mean(times[-tenth:]))
    t0 = time.perf_counter()
    storage.write(ds, Path(tmp) / "rewrite.h5")  # what every batch cost before
    rewrite = time.perf_counter() - t0
    return {
        "points": points,
        "batches": len(times) + 1,
        "total_s": total,
        "first_tenth_ms_per_batch": 1e3 * first,
        "last_tenth_ms_per_batch": 1e3 * last,
        "last_over_first": last / first,
        "full_rewrite_ms": 1e3 * rewrite,
        "full_rewrite_over_batch": rewrite / last,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (seconds)")
    parser.add_argument("--only", choices=("all", "storage"), default="all")
    args = parser.parse_args()
    n, points, N, sweeps = (30, 4, 400, 40) if args.quick else (100, 16, 2000, 1000)
    from hopfield_sim import info

    st = bench_storage(*((10_000, 1000) if args.quick else (1_000_000, 10_000)))
    rows = []
    for name, r in st.items():
        rows += [
            (f"storage {name}: points / batches", f"{r['points']} / {r['batches']}"),
            ("  per batch, first / last tenth [ms]",
             f"{r['first_tenth_ms_per_batch']:.2f} / {r['last_tenth_ms_per_batch']:.2f}"),
            ("  last / first (goal ~ 1: flat in file size)", f"{r['last_over_first']:.2f}"),
            ("  full-file rewrite (old design) [ms]", f"{r['full_rewrite_ms']:.1f}"),
        ]  # fmt: skip
    result = {"quick": args.quick, "storage": st}
    if args.only == "storage":
        _report(rows, args, result, info)
        return
    th = bench_theory(n)
    mc = bench_montecarlo(points, N, sweeps)
    rows += [
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
    result.update(theory=th, montecarlo=mc)
    _report(rows, args, result, info)


def _report(rows, args, result: dict, info) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"bench_sweep ({'quick' if args.quick else 'full'}; {os.cpu_count()} cores)")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result.update(cpu_count=os.cpu_count(), versions=info.versions())
    path = RESULTS / ("bench_sweep_storage.json" if args.only == "storage" else "bench_sweep.json")
    path.write_text(json.dumps(result, indent=2))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
