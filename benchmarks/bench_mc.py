"""Speed and memory of the Monte Carlo engines (issue 14; earlier: issues 3 and 6).

Prints tables and writes benchmarks/results/bench_mc.json. Every speed is a ratio to a
baseline run in the same process (a minimal reference kernel written below, the plain
coupling-matrix engine, the PyPI ``hopfieldnetwork`` 1.0.1 peer when installed); absolute
times depend on the machine and on its load.

    python benchmarks/bench_mc.py [--quick]

Timings: single-thread figures use process CPU time (other processes sharing the cores do
not inflate it) and are marginal per sweep, (t(2 + n) - t(2)) / n, which removes the fixed
cost of a call. The base is 2 recorded sweeps, not 1: with one record ``sample`` skips the
error-bar estimates (autocorrelation, blocking), about 2 ms at K = 100 that a base of 1 would
charge to the n sweeps. Whole-machine figures (32 chains on all threads) are wall time /
(total flip attempts x K), which load from other processes does inflate; CPU time divided by
the threads is printed beside it. The engine and the reference kernel are also run from the
same state and random stream: they must end in the same state (bit-identical dynamics).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import mc_floor
import numba
import numpy as np

import montecarlo
from montecarlo import _kernels
from montecarlo._rng import stream_states, uniform

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = [(2000, 100), (4000, 200)]
ORDERS = (2, 4, 6)
CHAINS = 32


# ----------------------------------------------------------------- reference kernels
@numba.njit(cache=True, fastmath={"reassoc", "contract"})
def _reference_sweeps(sigma, W, S, rng, beta, n_sweeps, c2, d, threshold=False):
    """The "hardware" baseline: int8 patterns laid out (N, K), int32 overlaps, the engine's
    xoshiro stream, random site order, heat bath. P = 2 (``d`` empty): dH = c2 (K - s xi_i.S)
    from the dot product (``c2`` = 4 a_2, the engine's ``q4``); P = 4: the closed-form
    cubic ``sum_l D(sigma_i xi_il S_l)`` with coefficients
    ``d``. Nothing else: no recording, no energy, no options (fastmath reassociation, as
    the engine, so that the float sum over patterns vectorises). The heat-bath test is
    ``u (1 + exp(beta dH)) < 1``, or with ``threshold`` the engine's equivalent form
    ``beta dH < log((1 - u) / u)`` (:func:`acceptance_forms` times both)."""
    N, K = W.shape
    for _ in range(n_sweeps):
        for _step in range(N):
            i = np.int64(uniform(rng) * N)
            s = np.int32(sigma[i])
            row = W[i]
            if d.size == 0:
                dot = np.int32(0)
                for l in range(K):
                    dot += np.int32(row[l]) * S[l]
                dh = c2 * np.float64(K - s * dot)
            else:
                dh = 0.0
                for l in range(K):
                    y = np.float64(np.int32(np.int32(row[l]) * s * S[l]))
                    dh += d[0] + y * (d[1] + y * (d[2] + y * d[3]))
            u = uniform(rng)
            if threshold:
                ok = beta * dh < _kernels.threshold(_kernels.GLAUBER, u)
            else:
                ok = u * (1.0 + np.exp(beta * dh)) < 1.0
            if ok:
                two = np.int32(2) * s
                for l in range(K):
                    S[l] -= two * np.int32(row[l])
                sigma[i] = -sigma[i]


@numba.njit(cache=True, parallel=True)
def _reference_chains(sigma, W, S, rng, beta, n_sweeps, c2, d):
    """The reference kernel on many chains, one per ``prange`` iteration."""
    for r in numba.prange(sigma.shape[0]):
        _reference_sweeps(sigma[r], W, S[r], rng[r], beta, n_sweeps, c2, d)


def same_trajectory(N=500, K=40, sweeps=3, seed=7) -> dict:
    """``sample`` and the reference kernel from the same state and random stream (chain 0's
    stream is the first child of the first child of ``SeedSequence(seed)``): do they end in
    the same state (P = 2 and 4, beta = 1)?"""
    xi = montecarlo.archetypes(K, N, seed=5)
    W = np.ascontiguousarray(xi.T)
    s0 = np.where(np.random.default_rng(6).random(N) < 0.5, 1, -1).astype(np.int8)
    S0 = (s0.astype(np.int32) @ W.astype(np.int32)).astype(np.int32)
    st = stream_states(np.random.SeedSequence(seed).spawn(3)[0], 1)[0]
    out = {}
    for P in (2, 4):
        net = montecarlo.DenseHebbianNetwork(P, patterns=xi)
        a = net.sample(beta=1.0, sweeps=sweeps, init=s0, seed=seed)["sigma"].values[0]
        b = s0.copy()
        t = net._terms
        d = np.zeros(0) if P == 2 else t.dpoly.copy()
        _reference_sweeps(b, W, S0.copy(), st.copy(), 1.0, sweeps, t.q4, d)
        out[f"P={P}"] = bool(np.array_equal(a, b))
    return out


@numba.njit(cache=True)
def _coupling_matrix_glauber(sigma, J, beta, n_attempts, seed):
    """The plain engine: J = xi^T xi / N (zero diagonal), local field J[i] . sigma per attempt."""
    np.random.seed(seed)  # noqa: NPY002 - Numba supports only the legacy API in kernels
    N = sigma.shape[0]
    for _ in range(n_attempts):
        i = np.random.randint(N)  # noqa: NPY002
        h = 0.0
        for j in range(N):
            h += J[i, j] * sigma[j]
        dh = 2.0 * sigma[i] * h  # H = -(1/2) sum_ij J_ij s_i s_j
        u = np.random.random()  # noqa: NPY002
        if u * (1.0 + np.exp(beta * dh)) < 1.0:
            sigma[i] = -sigma[i]


# ----------------------------------------------------------------- timing helpers
def _best(fn, repeat=3, clock=time.process_time):
    best = np.inf
    for _ in range(repeat):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best


RETRIES = 3  # extra measurements when noise makes a marginal time unusable


def _per_sweep(base: float, long: float, sweeps: int) -> float:
    """Marginal seconds per sweep ``(t(2 + sweeps) - t(2)) / sweeps``, or NaN where it is
    unusable: on a loaded machine the base run can take as long as the longer one, and the
    difference (noise, not the sweeps) would print as a negative or absurdly small time."""
    return (long - base) / sweeps if long > base else math.nan


def _marginal(run, sweeps, clock=time.process_time, retries=RETRIES):
    """Seconds per sweep of ``run(n)``: (t(2 + sweeps) - t(2)) / sweeps, measured again (up
    to ``retries`` times) while noise makes it unusable; NaN if it stays so."""
    for _ in range(1 + retries):
        long = _best(lambda: run(2 + sweeps), clock=clock)
        t = _per_sweep(_best(lambda: run(2), clock=clock), long, sweeps)
        if t > 0:
            return t
    return math.nan


def _interleaved(runs: dict, sweeps: int, rounds: int = 4, retries: int = RETRIES,
                 clocks=(time.perf_counter, time.process_time)) -> dict:  # fmt: skip
    """Marginal seconds per sweep of each ``run(n)``, measured in alternation (so that the
    engine and its baseline see the same load), keeping the fastest of ``rounds``:
    ``{name: (wall, cpu)}``. While a figure is unusable (:func:`_per_sweep`), up to
    ``retries`` more sets of rounds are measured; a figure that stays unusable is NaN (printed
    as such, never as a negative time)."""
    best = {k: [np.inf] * 4 for k in runs}  # wall(2), wall(2 + n), cpu(2), cpu(2 + n)
    wall_clock, cpu_clock = clocks
    for _ in range(1 + retries):
        for _ in range(rounds):
            for name, run in runs.items():
                for j, n in enumerate((2, 2 + sweeps)):
                    w, c = wall_clock(), cpu_clock()
                    run(n)
                    w, c = wall_clock() - w, cpu_clock() - c
                    best[name][j] = min(best[name][j], w)
                    best[name][2 + j] = min(best[name][2 + j], c)
        out = {
            k: (_per_sweep(b[0], b[1], sweeps), _per_sweep(b[2], b[3], sweeps))
            for k, b in best.items()
        }
        if not np.isnan(list(out.values())).any():
            break
    return out


def _d4(N):
    """Coefficients of D(y) for P = 4, distinct-index hebbian energy (as the engine)."""
    net = montecarlo.DenseHebbianNetwork(4, patterns=montecarlo.archetypes(1, N, seed=0))
    return net._terms.dpoly.copy()


# ----------------------------------------------------------------- measurements
def flip_table(quick: bool) -> list[dict]:
    """ns per (flip attempt x pattern), engine and reference, 1 chain / 1 thread and
    32 chains / all threads, P = 2, 4, 6 at the two sizes of the issue; the 32-chain runs
    of ``sample`` with and without the two-chain overlaps (``record_q``)."""
    sweeps = 4 if quick else 24  # marginal over tens of ms: less sensitive to load
    rows = []
    old = numba.get_num_threads()
    try:
        for N, K in SIZES:
            xi = montecarlo.archetypes(K, N, seed=1)
            W = np.ascontiguousarray(xi.T)
            s0 = np.where(np.random.default_rng(0).random((CHAINS, N)) < 0.5, 1, -1)
            s0 = s0.astype(np.int8)
            S0 = (s0.astype(np.int32) @ W.astype(np.int32)).astype(np.int32)
            states = stream_states(np.random.SeedSequence(3), CHAINS)
            for P in ORDERS:
                rows.append(_flip_row(P, xi, W, s0, S0, states, sweeps))
    finally:
        numba.set_num_threads(old)
    return rows


def _flip_row(P, xi, W, s0, S0, states, sweeps) -> dict:
    """One row of :func:`flip_table`."""
    threads = numba.config.NUMBA_NUM_THREADS
    K, N = xi.shape
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi)
    d = np.zeros(0) if P == 2 else (_d4(N) if P == 4 else None)
    c2 = net._terms.q4 if P == 2 else 0.0

    def ours(n, c=1, q=True):
        net.sample(beta=1.0, sweeps=n, chains=c, init="random", seed=2, record_q=q)

    def ref(n):
        _reference_sweeps(s0[0].copy(), W, S0[0].copy(), states[0].copy(), 1.0, n, c2, d)

    def refc(n):
        _reference_chains(s0.copy(), W, S0.copy(), states.copy(), 1.0, n, c2, d)

    row = {"N": N, "K": K, "P": P}
    numba.set_num_threads(1)
    runs = {"ours": ours} if d is None else {"ours": ours, "ref": ref}
    for run in runs.values():
        run(1)
    for name, (_, cpu) in _interleaved(runs, sweeps, rounds=5).items():
        row[f"{name}_1"] = 1e9 * cpu / (N * K)
    if d is not None:
        row["ratio_1"] = row["ours_1"] / row["ref_1"]
    numba.set_num_threads(threads)
    runs = {"ours": lambda n: ours(n, CHAINS), "ours_noq": lambda n: ours(n, CHAINS, False)}
    if d is not None:
        runs["ref"] = refc
    for run in runs.values():
        run(1)
    for name, (wall, cpu) in _interleaved(runs, sweeps).items():
        row[f"{name}_all_wall"] = 1e9 * wall / (CHAINS * N * K)
        row[f"{name}_all_cpu_per_thread"] = 1e9 * cpu / (threads * CHAINS * N * K)
    return row


def sample_overhead(rounds: int = 3) -> int:
    """What a user pays through ``sample()`` over the engine's kernel (issue 23): 32 chains,
    P = 4, N = 2000, K = 100, all threads, ``sample`` with and without the two-chain
    overlaps against the reference kernel (same dynamics, same-run, interleaved), ``rounds``
    independent rows; prints each ratio and their range, writes bench_mc_sample.json."""
    N, K, P = SIZES[0][0], SIZES[0][1], 4
    xi = montecarlo.archetypes(K, N, seed=1)
    W = np.ascontiguousarray(xi.T)
    s0 = np.where(np.random.default_rng(0).random((CHAINS, N)) < 0.5, 1, -1).astype(np.int8)
    S0 = (s0.astype(np.int32) @ W.astype(np.int32)).astype(np.int32)
    states = stream_states(np.random.SeedSequence(3), CHAINS)
    rows = [_flip_row(P, xi, W, s0, S0, states, 24) for _ in range(rounds)]
    out = {"load_average": os.getloadavg(), "rows": rows}
    print(f"sample() / kernel, {CHAINS} chains P={P} N={N} K={K}, "
          f"{numba.config.NUMBA_NUM_THREADS} threads (load {os.getloadavg()[0]:.1f}):")  # fmt: skip
    for key, label in (("ours", "with q"), ("ours_noq", "record_q=False")):
        for clock in ("wall", "cpu_per_thread"):
            r = [row[f"{key}_all_{clock}"] / row[f"ref_all_{clock}"] for row in rows]
            out[f"ratio_{key}_{clock}"] = r
            print(f"  {label:15} {clock:15} " + " ".join(f"{x:.2f}" for x in r)
                  + f"  (range {min(r):.2f}-{max(r):.2f})")  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_mc_sample.json").write_text(json.dumps(out, indent=2, default=float))
    return 0


def acceptance_forms(quick: bool) -> dict:
    """The reference kernel with the exponential test and with the threshold test (the
    engine's), one chain, one thread, N = 2000, K = 100, P = 2 and 4, in alternation, from
    the paramagnet (beta = 1, random start) and from a pattern at beta = 3 (few accepted
    flips): ns per flip.pattern and the ratio. Both end in the same state."""
    N, K = 2000, 100
    xi = montecarlo.archetypes(K, N, seed=1)
    W = np.ascontiguousarray(xi.T)
    st = stream_states(np.random.SeedSequence(3), 1)[0]
    sweeps = 4 if quick else 16
    c2 = montecarlo.DenseHebbianNetwork(2, patterns=xi)._terms.q4
    out = {}
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        for start, beta in (("random", 1.0), ("pattern", 3.0)):
            s0 = np.where(np.random.default_rng(0).random(N) < 0.5, 1, -1).astype(np.int8)
            if start == "pattern":
                s0 = xi[0].copy()
            S0 = (s0.astype(np.int32) @ W.astype(np.int32)).astype(np.int32)
            for P in (2, 4):
                d = np.zeros(0) if P == 2 else _d4(N)
                ends = {}

                def run(n, thr, s0=s0, S0=S0, d=d, c2=c2, beta=beta, ends=ends):
                    sig = s0.copy()
                    _reference_sweeps(sig, W, S0.copy(), st.copy(), beta, n, c2, d, thr)
                    ends[thr] = sig

                runs = {
                    "exp": lambda n, r=run: r(n, False),
                    "threshold": lambda n, r=run: r(n, True),
                }
                for r in runs.values():
                    r(1)
                t = _interleaved(runs, sweeps, rounds=5)
                e, th = (1e9 * t[k][1] / (N * K) for k in ("exp", "threshold"))
                out[f"{start} beta={beta:g} P={P}"] = {
                    "exp": e,
                    "threshold": th,
                    "speedup": e / th,
                    "same_state": bool(np.array_equal(ends[False], ends[True])),
                }
    finally:
        numba.set_num_threads(old)
    return out


def thread_scaling(quick: bool) -> dict:
    """32 chains, P = 4, N = 2000, K = 100, engine and reference kernel: marginal wall time
    per sweep on 1 thread and on all threads, measured in alternation (the fixed cost of a
    ``sample`` call, building the Dataset and the error bars, runs on one thread and is left
    out, as in the flip table)."""
    N, K, P = 2000, 100, 4
    sweeps = 4 if quick else 16
    xi = montecarlo.archetypes(K, N, seed=2)
    W = np.ascontiguousarray(xi.T)
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi)
    d = _d4(N)
    s0 = np.where(np.random.default_rng(0).random((CHAINS, N)) < 0.5, 1, -1).astype(np.int8)
    S0 = (s0.astype(np.int32) @ W.astype(np.int32)).astype(np.int32)
    states = stream_states(np.random.SeedSequence(3), CHAINS)
    runs = {
        "engine": lambda n: net.sample(beta=1.0, sweeps=n, chains=CHAINS, init="random", seed=4),
        "reference": lambda n: _reference_chains(
            s0.copy(), W, S0.copy(), states.copy(), 1.0, n, 0.0, d
        ),
    }
    threads = numba.config.NUMBA_NUM_THREADS
    old = numba.get_num_threads()
    wall = {}
    try:
        for th in sorted({1, threads}):
            numba.set_num_threads(th)
            for run in runs.values():
                run(1)
            wall[th] = {k: w for k, (w, _) in _interleaved(runs, sweeps, rounds=3).items()}
    finally:
        numba.set_num_threads(old)
    return {
        "P": P,
        "N": N,
        "K": K,
        "chains": CHAINS,
        "threads": threads,
        "marginal_wall_per_sweep": {str(k): v for k, v in wall.items()},
        "speedup": wall[1]["engine"] / wall[threads]["engine"],
        "speedup_reference": wall[1]["reference"] / wall[threads]["reference"],
    }


def coupling_matrix_and_peer(quick: bool) -> dict:
    """One chain, N = 2000, K = 100, P = 2, heat bath, random sites: time per update of this
    engine, of the plain coupling-matrix engine and of the PyPI ``hopfieldnetwork`` 1.0.1
    package (when installed), measured in alternation; the peer's sweep is a random
    permutation of the sites, its cost per update is what is compared."""
    N, K, beta = 2000, 100, 1.0
    sweeps = 2 if quick else 16
    xi = montecarlo.archetypes(K, N, seed=1)
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi)
    J = (xi.T.astype(np.float64) @ xi.astype(np.float64)) / N
    np.fill_diagonal(J, 0.0)
    sigma = np.where(np.random.default_rng(0).random(N) < 0.5, 1, -1).astype(np.float64)
    runs = {
        "ours": lambda n: net.sample(beta=beta, sweeps=n, init="random", seed=2),
        "coupling_matrix": lambda n: _coupling_matrix_glauber(sigma.copy(), J, beta, n * N, 3),
    }
    out = {"N": N, "K": K, "P": 2}
    try:
        import hopfieldnetwork
    except ImportError:
        out["peer"] = "hopfieldnetwork not installed (pip install hopfieldnetwork==1.0.1)"
    else:
        # The peer assigns np.random.rand(1), a 1-element array, to one array element,
        # which NumPy >= 2 refuses; it runs unchanged with rand(1) returning that element.
        library = sys.modules[type(hopfieldnetwork.HopfieldNetwork(N=2)).__module__]
        library.np = _NumpyScalarRand()
        peer = hopfieldnetwork.HopfieldNetwork(N=N)
        for k in range(K):
            peer.train_pattern(xi[k].astype(np.float64))
        np.random.seed(0)  # noqa: NPY002 - the peer draws from NumPy's global stream

        def run_peer(n):
            peer.set_initial_neurons_state(sigma.copy())
            peer.update_neurons_with_finite_temp(n, "async", beta)

        runs["peer"] = run_peer
        out["peer"] = "hopfieldnetwork 1.0.1"
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        for run in runs.values():
            run(1)
        times = _interleaved(runs, sweeps, rounds=3)
    finally:
        numba.set_num_threads(old)
    cpu = {k: c for k, (_, c) in times.items()}
    out["ns_per_update_ours"] = 1e9 * cpu["ours"] / N
    out["ns_per_update_coupling_matrix"] = 1e9 * cpu["coupling_matrix"] / N
    out["speedup_vs_coupling_matrix"] = cpu["coupling_matrix"] / cpu["ours"]
    if "peer" in cpu:
        out["ns_per_update_peer"] = 1e9 * cpu["peer"] / N
        out["speedup_vs_peer"] = cpu["peer"] / cpu["ours"]
    return out


class _ScalarRand:
    """``numpy.random`` whose ``rand(1)`` returns a float (see coupling_matrix_and_peer)."""

    def __getattr__(self, name):
        return getattr(np.random, name)

    def rand(self, *shape):
        return np.random.rand() if shape == (1,) else np.random.rand(*shape)  # noqa: NPY002


class _NumpyScalarRand:
    """``numpy`` with :class:`_ScalarRand` as ``random``."""

    random = _ScalarRand()

    def __getattr__(self, name):
        return getattr(np, name)


_MEMORY_CHILD = """
import sys

def kb(key):  # VmHWM: peak resident set of this process image (restarts at exec)
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])

if sys.argv[3:] == ["without-dask"]:  # as in an install without the [dask] extra
    sys.modules["dask"] = None
stages = {"python_numpy": 0}
import numpy
stages["python_numpy"] = kb("VmRSS")
import numba
stages["numba_import"] = kb("VmRSS")
import xarray
stages["xarray_pandas_import"] = kb("VmRSS")
import montecarlo
stages["montecarlo_import"] = kb("VmRSS")
N, K = int(sys.argv[1]), int(sys.argv[2])
xi = montecarlo.archetypes(K, N, seed=0)
stages["patterns"] = kb("VmRSS")
net = montecarlo.DenseHebbianNetwork(4, patterns=xi)
stages["network_numba_target"] = kb("VmRSS")
res = net.sample(beta=1.0, sweeps=1, chains=1, init="random", seed=0)
stages["sample"] = kb("VmRSS")
stages["peak"] = kb("VmHWM")
stages["dask_imported_by_xarray"] = int("dask" in sys.modules)
stages["estimate"] = montecarlo.sample_memory(N=N, K=K, P=4, sweeps=1) // 1024
print(" ".join(f"{k}={v}" for k, v in stages.items()))
"""


def peak_memory(quick: bool) -> dict:
    """Peak resident set of a fresh process that builds the patterns and runs one sweep
    (Numba's cache warmed first: compiling would add LLVM's memory to the figure), the
    resident set after each stage (imports, patterns, the network, whose first compiled
    function starts Numba's CPU target, the sample, whose Dataset makes xarray import dask
    when it is installed), the peak of the same process with dask made unimportable (an
    install without the optional ``[dask]`` extra), and the memory guard's estimate. VmHWM
    and VmRSS from /proc/self/status describe this process image only (getrusage's
    ru_maxrss would keep the parent's peak across fork + exec)."""
    N, K = (20_000, 200) if quick else (100_000, 1_000)
    subprocess.run(  # same types (int32 traces for N > 32767): fills Numba's cache first
        [sys.executable, "-c", _MEMORY_CHILD, "40000", "4"], capture_output=True, check=True
    )
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(N), str(K)],
        capture_output=True,
        text=True,
        check=True,
    )
    stages = {k: int(v) for k, v in (kv.split("=") for kv in out.stdout.split())}
    bare = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(N), str(K), "without-dask"],
        capture_output=True,
        text=True,
        check=True,
    )
    bare_peak = dict(kv.split("=") for kv in bare.stdout.split())["peak"]
    names = list(stages)[: list(stages).index("peak")]
    prev = [0] + [stages[n] for n in names[:-1]]
    steps = {n: (stages[n] - b) / 1024 for n, b in zip(names, prev, strict=True)}
    return {
        "N": N,
        "K": K,
        "P": 4,
        "sweeps": 1,
        "peak_rss_MB": stages["peak"] / 1024,
        "rss_after_imports_MB": stages["montecarlo_import"] / 1024,
        "rss_added_by_stage_MB": steps,
        "dask_imported_by_xarray": bool(stages["dask_imported_by_xarray"]),
        "peak_rss_without_dask_MB": int(bare_peak) / 1024,
        "estimate_MB": stages["estimate"] / 1024,
    }


def diluted_cost(quick: bool) -> dict:
    """ns per flip attempt of the sparse (multitasking) engine versus dilution d at K = 64,
    where the O(K (1 - d)) part is not hidden behind the fixed cost of an attempt."""
    N, K = 10_000, 64
    sweeps = 10 if quick else 40
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    out = {}
    try:
        for d in (0.0, 0.5, 0.9):
            xi = montecarlo.archetypes(K, N, d=d, seed=3)
            net = montecarlo.MultitaskingNetwork(patterns=xi)
            net.sample(beta=1.0, sweeps=1, seed=0)
            t = _marginal(
                lambda n, x=net: x.sample(beta=1.0, sweeps=n, init="random", seed=5), sweeps
            )
            out[f"d={d}"] = 1e9 * t / N
    finally:
        numba.set_num_threads(old)
    rel = {k: v / out["d=0.0"] for k, v in out.items()}
    return {"N": N, "K": K, "sweeps": sweeps, "ns_per_flip_attempt": out, "relative_to_d0": rel}


def vectorisation() -> dict:
    """Packed (256-bit, ymm) arithmetic in the machine code of the attempt loop (an uncached
    copy of ``_kernels._attempts``, since Numba does not show the assembly of cached
    functions), compiled for the dense P = 2 and P = 4 routes as the sweep does: integer
    multiplies/adds of the dot product and update, int -> double conversions and fused
    multiply-adds of the polynomial."""
    attempts = numba.njit(fastmath=_kernels.FAST_MATH, _nrt=False)(_kernels._attempts.py_func)
    quadratic, unit = _kernels.FAST_QUADRATIC, _kernels.FAST_UNIT

    @numba.njit(_nrt=False)
    def routes(sig, S, S1, O, rng, terms, weights, obs, p, e):
        attempts(sig, S, S1, O, rng, 1.0, 0, 0, terms, weights, obs, True, quadratic, True,
                 terms.table, p, e)  # fmt: skip
        attempts(sig, S, S1, O, rng, 1.0, 0, 0, terms, weights, obs, True, unit, True,
                 terms.dpoly, p, e)  # fmt: skip

    net = montecarlo.DenseHebbianNetwork(4, patterns=montecarlo.archetypes(8, 64, seed=0))
    S = np.zeros((8, 1), np.int32)
    routes(np.ones(64, np.int8), S, S.reshape(8), np.zeros((0, 1), np.int64),
           stream_states(np.random.SeedSequence(0), 1)[0], net._terms, net._storage, net._obs,
           np.zeros(5), np.zeros(5))  # fmt: skip
    found = {}
    asm = "\n".join(attempts.inspect_asm().values())
    for op in re.findall(r"^\s+(v\w+)\s+[^\n]*%ymm", asm, flags=re.M):  # 256-bit operands
        if op.startswith(("vpmul", "vpadd", "vpsub", "vfmadd", "vfnmadd", "vcvt", "vpmovsx")):
            found[op] = found.get(op, 0) + 1
    return dict(sorted(found.items(), key=lambda kv: -kv[1]))


def jax_engine(quick: bool) -> dict:
    """Flips per second of the JAX engine (N = 2000, K = 100): on this CPU for context, and
    for 1, 10^3 and 10^4 chains when a GPU is present."""
    try:
        import jax
    except ImportError:  # pragma: no cover
        return {"note": "jax not installed"}
    N, K = 2000, 100
    xi = montecarlo.archetypes(K, N, seed=1)
    gpu = [d for d in jax.devices() if d.platform == "gpu"]
    out = {"devices": [str(d) for d in jax.devices()]}
    plans = [(2, 1), (2, 32)] if not gpu else [(P, c) for P in (2, 4) for c in (1, 1000, 10_000)]
    sweeps = 2 if quick else 4
    for P, chains in plans:
        net = montecarlo.DenseHebbianNetwork(P, patterns=xi)

        def run(n, net=net, chains=chains):
            net.sample(beta=1.0, sweeps=n, chains=chains, init="random", seed=0, engine="jax")

        run(1)
        run(1 + sweeps)  # compile both record counts first
        wall = _marginal(run, sweeps, clock=time.perf_counter)
        out[f"P={P} chains={chains}"] = chains * N / wall
    if not gpu:
        out["note"] = "no GPU present: the GPU section (1, 10^3, 10^4 chains) was skipped"
    return out


# ----------------------------------------------------------------- report
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sweeps, smaller memory run")
    parser.add_argument("--sample-overhead", action="store_true",
                        help="only sample() against the kernel: 32 chains, P=4, N=2000, K=100")
    args = parser.parse_args(argv)
    if args.sample_overhead:
        return sample_overhead()
    q = args.quick
    threads = numba.config.NUMBA_NUM_THREADS
    res = {
        "flip_table": flip_table(q),
        "acceptance_forms": acceptance_forms(q),
        "thread_scaling": thread_scaling(q),
        "coupling_matrix_and_peer": coupling_matrix_and_peer(q),
        "peak_memory": peak_memory(q),
        "diluted": diluted_cost(q),
        "core_scaling": mc_floor.core_scaling(q),
        "attempt_floor": mc_floor.attempt_floor(
            np.ascontiguousarray(montecarlo.archetypes(100, 2000, seed=1).T), _d4(2000), q
        ),
        "power_mode": mc_floor.power_mode_speed(q),
        "plain_form": mc_floor.plain_form_speed(q),
        "vectorisation": vectorisation(),
        "same_trajectory_as_reference": same_trajectory(),
        "jax": jax_engine(q),
        "quick": q,
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "numba_threads": threads,
            "load_average": os.getloadavg(),
        },
    }
    print(
        f"ns per (flip attempt x pattern), heat bath, random sites (load {os.getloadavg()[0]:.1f})"
    )
    print("(nan: unusable, the machine's noise was larger than the measured time after "
          f"{RETRIES} retries; rerun on a quieter machine or without --quick)")  # fmt: skip
    head = f"{'N':>5} {'K':>4} {'P':>2} | {'1 chain, 1 thread':^26} | "
    head += f"{f'{CHAINS} chains, {threads} threads: whole machine / CPU per thread':^44}"
    print(head)
    print(
        f"{'':14}| {'engine':>8} {'reference':>9} {'ratio':>6} | {'engine':>19} {'reference':>19}"
    )
    for r in res["flip_table"]:
        ref1 = f"{r['ref_1']:9.3f} {r['ratio_1']:5.2f}x" if "ref_1" in r else f"{'-':>9} {'':>6}"
        eng = f"{r['ours_all_wall']:.3f} / {r['ours_all_cpu_per_thread']:.3f}"
        refa = (
            f"{r['ref_all_wall']:.3f} / {r['ref_all_cpu_per_thread']:.3f}"
            if "ref_all_wall" in r
            else "-"
        )
        size = f"{r['N']:>5} {r['K']:>4} {r['P']:>2}"
        print(f"{size} | {r['ours_1']:8.3f} {ref1} | {eng:>19} {refa:>19}")
    print(f"{CHAINS} chains, sample(record_q=False) (no two-chain overlaps), whole machine / "
          "CPU per thread: " + ", ".join(
              f"N={r['N']} P={r['P']} {r['ours_noq_all_wall']:.3f} / "
              f"{r['ours_noq_all_cpu_per_thread']:.3f}" for r in res["flip_table"]))  # fmt: skip
    ts, cp, mem = res["thread_scaling"], res["coupling_matrix_and_peer"], res["peak_memory"]
    print()
    af = res["acceptance_forms"]
    print("reference kernel, heat-bath test by exp(beta dH) vs by the threshold on u (ns per "
          "flip.pattern, 1 chain, 1 thread): " + ", ".join(
              f"{k}: {v['exp']:.3f} vs {v['threshold']:.3f} ({v['speedup']:.2f}x"
              + ("" if v["same_state"] else ", end states differ") + ")"
              for k, v in af.items()))  # fmt: skip
    cs, fl = res["core_scaling"], res["attempt_floor"]
    print(f"{CHAINS} chains P=4 N=2000 K=100, {ts['threads']} threads vs 1 (marginal wall): "
          f"engine {ts['speedup']:.2f}x, reference kernel {ts['speedup_reference']:.2f}x; "
          f"probe loops: latency-bound {cs['latency_bound_scalar']:.2f}x, "
          f"SIMD-throughput-bound {cs['throughput_bound_simd']:.2f}x")  # fmt: skip
    print("parts of one attempt, ns (N=2000 K=100, 1 thread): " + ", ".join(
        f"{k} {v:.1f}" for k, v in fl.items() if k.endswith("_K") or "uniform" in k))  # fmt: skip
    print(f"  their sum with half the attempts accepted, ns per flip.pattern on one thread: "
          f"P=2 {fl['floor_P2_ns_per_flip_pattern']:.3f}, P=4 "
          f"{fl['floor_P4_ns_per_flip_pattern']:.3f} ({fl['floor_P4_ns_per_flip_pattern'] / 2:.3f}"
          " on two perfectly scaling threads)")  # fmt: skip
    pm = res["power_mode"]
    print("power mode (class sums, N=2000 L=20), ns per site x term, closed form vs Newton: "
          + ", ".join(f"{k} {v['closed_form_ns']:.1f} vs {v['newton_ns']:.1f} "
                      f"({v['speedup']:.1f}x)"
                      for k, v in pm.items() if k.startswith("P=")))  # fmt: skip
    pf = res["plain_form"]
    print("plain form (class sums, N=2000 K=100), ns per site x term, binomial vs table lookups: "
          + ", ".join(f"{k} {v['closed_form_ns']:.2f} vs {v['lookup_ns']:.2f} "
                      f"({v['speedup']:.1f}x, relative difference {v['relative_difference']:.0e})"
                      for k, v in pf.items() if k.startswith("P=")))  # fmt: skip
    print(f"per update, P=2 N=2000 K=100, 1 chain: this engine {cp['ns_per_update_ours']:.0f} ns, "
          f"coupling matrix {cp['ns_per_update_coupling_matrix']:.0f} ns "
          f"({cp['speedup_vs_coupling_matrix']:.1f}x)")  # fmt: skip
    if "speedup_vs_peer" in cp:
        print(f"  {cp['peer']}: {cp['ns_per_update_peer']:.0f} ns per update "
              f"({cp['speedup_vs_peer']:.0f}x slower than this engine)")  # fmt: skip
    else:
        print(f"  peer: {cp['peer']}")
    print(f"peak RSS N={mem['N']} K={mem['K']}: {mem['peak_rss_MB']:.0f} MB "
          f"(guard's estimate {mem['estimate_MB']:.0f} MB); MB added by stage: " + ", ".join(
              f"{k} {v:.0f}" for k, v in mem["rss_added_by_stage_MB"].items())
          + (" (the sample's Dataset made xarray import dask)"
             if mem["dask_imported_by_xarray"] else "")
          + f"; without dask (no [dask] extra): "
            f"{mem['peak_rss_without_dask_MB']:.0f} MB")  # fmt: skip
    dl = res["diluted"]
    print("diluted K=64 N=10000, ns per flip attempt: " + ", ".join(
        f"{k} {v:.0f} ({dl['relative_to_d0'][k]:.2f})" for k, v in dl["ns_per_flip_attempt"].items()
    ))  # fmt: skip
    print("packed (ymm) instructions in the sweep's assembly:", res["vectorisation"])
    print("engine and reference kernel end in the same state (same start, same stream):",
          res["same_trajectory_as_reference"])  # fmt: skip
    print("JAX engine, flips per second:", {k: v for k, v in res["jax"].items() if k != "devices"})
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "bench_mc.json"
    path.write_text(json.dumps(res, indent=2, default=float))
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
