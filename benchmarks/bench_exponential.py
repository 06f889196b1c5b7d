"""Speed of the log-sum-exp Metropolis sampler (montecarlo.lse) and an anchor against the
published GPU cost (Petrova et al., arXiv 2603.13350: the "Full" sweep of the (alpha, T)
plane at M = 4.4e6 patterns took 26 days on one 48 GB RTX A6000).

    python benchmarks/bench_exponential.py [--quick]

1. Same-process ratio to a baseline: the engine (pair rotations, incremental overlaps, O(M)
   per move) against a NumPy kernel of the same chain that recomputes every overlap with a
   matrix-vector product at every move (O(M N) per move), at equal moves. Process CPU time
   on one thread.
2. Scaling: CPU seconds per chain-sweep (N moves) at two M, to check cost ~ M N.
3. Anchor: the published Full grid (46 x 50 cells, 32 disorder samples x 2 replicas,
   2^15 + 2^13 steps, N = round(ln M / alpha) from 76 to 24) costed with our measured
   seconds per (M N) unit, counting one of our sweeps (N pair moves) per published step.
   That equivalence is an assumption (their step moves all N coordinates at once; a sweep of
   pair rotations moves each coordinate twice on average): the ratio is an order of
   magnitude, not a like-for-like speedup. Writes benchmarks/results/bench_exponential.json.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numba
import numpy as np

from montecarlo import _lse_kernels as K
from montecarlo._rng import stream_states
from montecarlo.lse import draw_patterns

RESULTS = Path(__file__).resolve().parent / "results"


def baseline_sweeps(x, xi, b, beta, delta, n_sweeps, rng):
    """The same Metropolis chain, overlaps recomputed by xi @ x at every move."""
    N = x.size
    cur = K.log_sum_exp(xi @ x, b)
    for _ in range(n_sweeps * N):
        i, j = rng.choice(N, 2, replace=False)
        th = delta * (2 * rng.random() - 1)
        y = x.copy()
        y[i], y[j] = math.cos(th) * x[i] - math.sin(th) * x[j], math.sin(th) * x[i] + math.cos(
            th) * x[j]
        new = K.log_sum_exp(xi @ y, b)
        if new >= cur or rng.random() < math.exp(beta * (new - cur) / b):
            x, cur = y, new
    return x


def engine_seconds(N, M, sweeps, seed=0):
    """Process CPU seconds per chain-sweep of the engine on one thread (marginal)."""
    rng = np.random.default_rng(seed)
    xiT = np.ascontiguousarray(draw_patterns(N, M, "spherical", rng).T)
    x = xiT[:, 0].copy()
    h, buf, stats = np.empty(M), np.empty(M), np.zeros(8)
    state = stream_states(np.random.SeedSequence(seed), 1)[0]
    K.run_chain(x, h, buf, xiT, 1.0, 5.0, 0.3, 0, 1, state, stats)  # compile / warm
    t = []
    for n in (1, 1 + sweeps):
        t0 = time.process_time()
        K.run_chain(x, h, buf, xiT, 1.0, 5.0, 0.3, 0, n, state, stats)
        t.append(time.process_time() - t0)
    return (t[1] - t[0]) / sweeps


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    numba.set_num_threads(1)
    out = {}
    # 1. ratio to the baseline at equal moves
    N, M, sweeps = 24, 20000, 2 if args.quick else 5
    rng = np.random.default_rng(1)
    xi = draw_patterns(N, M, "spherical", rng)
    t0 = time.process_time()
    baseline_sweeps(xi[0].copy(), xi, 1.0, 5.0, 0.3, sweeps, rng)
    t_base = (time.process_time() - t0) / sweeps
    t_eng = engine_seconds(N, M, 20 if args.quick else 100)
    out["ratio"] = {"N": N, "M": M, "baseline_s_per_sweep": t_base,
                    "engine_s_per_sweep": t_eng, "speedup": t_base / t_eng}
    print(f"N={N} M={M}: baseline {t_base * 1e3:.1f} ms/sweep, engine {t_eng * 1e3:.2f} "
          f"ms/sweep, ratio {t_base / t_eng:.1f}")
    # 2. scaling with M at N = 24
    scale = {}
    for M in (20000, 100000) if args.quick else (20000, 100000, 400000):
        s = engine_seconds(24, M, 10 if args.quick else 30)
        scale[M] = s
        print(f"N=24 M={M}: {s * 1e3:.2f} ms/sweep, {s / (M * 24) * 1e9:.2f} ns per M N")
    out["scaling"] = {str(k): v for k, v in scale.items()}
    unit = max(scale.items())[1] / (max(scale) * 24)  # seconds per (M N), largest M
    # 3. the published Full grid at M = 4.4e6
    M_pub = 4.4e6
    alphas = np.round(np.arange(0.20, 0.655, 0.01), 2)
    Ns = np.array([round(math.log(M_pub) / a) for a in alphas])
    steps = 2**15 + 2**13
    chains = 32 * 2
    cells_T = 50
    work = float(np.sum(Ns * M_pub) * cells_T * chains * steps)  # (M N) units
    core_days = work * unit / 86400
    out["anchor"] = {"M": M_pub, "N_range": [int(Ns.min()), int(Ns.max())],
                     "seconds_per_MN": unit, "core_days": core_days,
                     "published_gpu_days": 26.0, "ratio_core_to_gpu": core_days / 26.0,
                     "pattern_bytes_per_sample": int(M_pub * Ns.max() * 8)}
    print(f"published Full grid: {work:.3g} (M N) units -> {core_days:.3g} core-days on one "
          f"core of this machine ({core_days / 365:.3g} core-years), vs 26 GPU-days: "
          f"{core_days / 26:.3g}x")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_exponential.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
