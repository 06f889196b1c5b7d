"""What bounds the Monte Carlo kernels on this machine (used by ``bench_mc.py``).

Three measurements, each a ratio or a cost measured in the same process:

- :func:`core_scaling`: two loops that touch no shared memory, one bound by the latency of a
  chain of dependent scalar instructions, one by the throughput of packed (SIMD) arithmetic
  on data in the L1 cache, on 1 and on all threads. Two physical cores run either loop about
  twice as fast on two threads. Two hardware threads of one core (SMT siblings, which a
  virtual machine can present as separate cores) share the vector units: the latency-bound
  loop still doubles, the throughput-bound one does not.
- :func:`attempt_floor`: the cost per flip attempt of each part of the minimal heat-bath
  attempt at N = 2000, K = 100 on one thread: two uniforms from the engine's xoshiro stream,
  the logistic threshold ``log((1 - u) / u)``, the K-long int8 x int32 dot product, the same
  with the overlap update after it, and the P = 4 closed-form cubic over the K terms.
- :func:`power_mode_speed`: the energy change of power mode (real-valued weights, P = 4
  and 6) by the closed-form ``e_{P-1}`` of ``montecarlo._kernels`` against Newton's
  identities term by term (the previous code), over the same sums; and
  :func:`plain_form_speed`: the plain form with integer class sums by the binomial expansion
  against two lookups in the energy table per term (the previous code).
"""

from __future__ import annotations

import time

import numba
import numpy as np

from montecarlo import _kernels
from montecarlo._rng import stream_states, uniform

FAST = {"reassoc", "contract"}


@numba.njit(cache=True)
def _latency_loop(n, seed):
    x = np.uint64(seed) | np.uint64(1)
    for _ in range(n):  # xorshift: every step waits for the previous one
        x ^= x << np.uint64(13)
        x ^= x >> np.uint64(7)
        x ^= x << np.uint64(17)
    return np.float64(x)


@numba.njit(cache=True, fastmath=FAST)
def _throughput_loop(n, seed):
    a = np.arange(256, dtype=np.float32) * np.float32(1e-3) + np.float32(seed)
    acc = 0.0
    for _ in range(n):  # 1 KiB in L1, packed multiply-adds with independent accumulators
        s = np.float32(0.0)
        for i in range(256):
            s += a[i] * a[255 - i]
        acc += s
    return acc


@numba.njit(cache=True, parallel=True)
def _on_threads(kind, n, k):
    out = np.zeros(k)
    for j in numba.prange(k):
        out[j] = _latency_loop(n, j + 1) if kind == 0 else _throughput_loop(n, j + 1)
    return out


def core_scaling(quick: bool) -> dict:
    """Speed-up of all threads over one, for the latency-bound and the throughput-bound
    loop (the same work per thread; best of 3 wall times)."""
    threads = numba.config.NUMBA_NUM_THREADS
    sizes = {"latency_bound_scalar": (0, 30_000_000), "throughput_bound_simd": (1, 300_000)}
    out = {"threads": threads}
    old = numba.get_num_threads()
    try:
        for name, (kind, n) in sizes.items():
            n = n if quick else 10 * n
            _on_threads(kind, 10, threads)
            wall = {}
            for th in (1, threads):
                numba.set_num_threads(th)
                run = lambda k=kind, n=n: _on_threads(k, n, threads)  # noqa: E731
                wall[th] = min(_timed(run) for _ in range(3))
            out[name] = wall[1] / wall[threads]
    finally:
        numba.set_num_threads(old)
    return out


def _timed(fn, clock=time.perf_counter):
    t0 = clock()
    fn()
    return clock() - t0


# ----------------------------------------------------------------- parts of one attempt
@numba.njit(cache=True)
def _rng_part(rng, N, n):
    acc = 0.0
    for _ in range(n):
        i = np.int64(uniform(rng) * N)
        acc += i + uniform(rng)
    return acc


@numba.njit(cache=True)
def _threshold_part(rng, N, n):
    acc = 0.0
    for _ in range(n):
        i = np.int64(uniform(rng) * N)
        acc += i + _kernels.threshold(_kernels.GLAUBER, uniform(rng))
    return acc


@numba.njit(cache=True, fastmath=FAST)
def _dot_part(W, S, n, update, cubic, d):
    N, K = W.shape
    acc = 0.0
    for step in range(n):
        i = step % N
        s = np.int32(1 - 2 * (step & 1))
        if cubic:
            dh = 0.0
            for l in range(K):
                y = np.float64(np.int32(np.int32(W[i, l]) * s * S[l]))
                dh += d[0] + y * (d[1] + y * (d[2] + y * d[3]))
        else:
            dot = np.int32(0)
            for l in range(K):
                dot += np.int32(W[i, l]) * S[l]
            dh = np.float64(dot)
        if update:  # keeps S bounded: the sign alternates
            two = np.int32(2) * s
            for l in range(K):
                S[l] -= two * np.int32(W[i, l])
        acc += dh
    return acc


def attempt_floor(W: np.ndarray, d4: np.ndarray, quick: bool) -> dict:
    """ns per flip attempt of each part of the minimal attempt (one thread, CPU time,
    marginal over ``n`` attempts); ``W`` (N, K) int8 patterns, ``d4`` the P = 4 cubic."""
    N, K = W.shape
    n = 200_000 if quick else 2_000_000
    rng = stream_states(np.random.SeedSequence(0), 1)[0]
    S = np.zeros(K, np.int32)
    parts = {
        "two_uniforms": lambda m: _rng_part(rng.copy(), N, m),
        "two_uniforms_and_threshold": lambda m: _threshold_part(rng.copy(), N, m),
        "dot_K": lambda m: _dot_part(W, S.copy(), m, False, False, d4),
        "dot_and_update_K": lambda m: _dot_part(W, S.copy(), m, True, False, d4),
        "cubic_K": lambda m: _dot_part(W, S.copy(), m, False, True, d4),
    }
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    out = {"N": N, "K": K}
    try:
        for name, run in parts.items():
            run(10)
            t = min(_timed(lambda r=run: r(n), time.process_time) for _ in range(3))
            t0 = min(_timed(lambda r=run: r(n // 10), time.process_time) for _ in range(3))
            out[name] = 1e9 * (t - t0) / (n - n // 10)
    finally:
        numba.set_num_threads(old)
    # an attempt is the uniforms and threshold, the energy change, and the update for the
    # accepted half (heat bath near beta dH = 0); per flip.pattern on one thread
    update = out["dot_and_update_K"] - out["dot_K"]
    base = out["two_uniforms_and_threshold"] + ACCEPTED * update
    out["floor_P2_ns_per_flip_pattern"] = (base + out["dot_K"]) / K
    out["floor_P4_ns_per_flip_pattern"] = (base + out["cubic_K"]) / K
    return out


ACCEPTED = 0.5  # fraction of accepted attempts assumed by the floor


# ----------------------------------------------------------------- power mode
@numba.njit(cache=True)
def _newton_all_sites(S, pe, c, P, W, s, p, e):
    """Sum over all sites of the power-mode dH by Newton's identities term by term."""
    N, L = W.shape
    tot = 0.0
    for i in range(N):
        dh = 0.0
        for l in range(L):
            x = np.float64(W[i, l]) * s[i]
            xk = 1.0
            for t in range(P // 2):
                xk *= x
                p[2 * t + 1] = S[l, t] - xk
                xk *= x
                p[2 * t + 2] = pe[l, t] - xk
            dh -= 2.0 * c * x * _kernels.elementary_from_power(p, P - 1, e)
        tot += dh
    return tot


@numba.njit(cache=True)
def _closed_all_sites(S, pe, c, P, indptr, idx, val, s, p, e):
    """The same sum through ``montecarlo._kernels.power_delta`` (closed forms at P = 4, 6)."""
    tot = 0.0
    for i in range(s.shape[0]):
        tot += _kernels.power_delta(i, s[i], S, pe, c, P, indptr, idx, val, True, p, e)
    return tot


def power_mode_speed(quick: bool) -> dict:
    """ns per (site x term) of the power-mode energy change, closed form and Newton loop,
    on integer class sums (values -5..5) at N = 2000, L = 20; both give the same sum."""
    N, L = 2000, 20
    rng = np.random.default_rng(0)
    W = rng.integers(-5, 6, size=(N, L)).astype(np.int8)
    s = np.where(rng.random(N) < 0.5, 1, -1).astype(np.int64)
    indptr = np.arange(N + 1, dtype=np.int64) * L
    idx = np.empty(0, np.int32)
    reps = 3 if quick else 20
    out = {"N": N, "L": L}
    for P in (4, 6):
        J = P // 2
        powers = np.stack([W.astype(np.float64) ** (2 * t + 1) for t in range(J)], axis=-1)
        S = np.einsum("i,ilt->lt", s.astype(np.float64), powers).astype(np.int64)
        pe = np.stack([(W.astype(np.float64) ** (2 * t + 2)).sum(0) for t in range(J)], -1)
        p, e = np.zeros(P + 1), np.zeros(P + 1)
        args_new = (S, pe, -1e-9, P, indptr, idx, W.reshape(-1), s, p, e)
        args_old = (S, pe, -1e-9, P, W, s, p, e)
        out[f"P={P}"] = _versus(
            (_closed_all_sites, args_new), (_newton_all_sites, args_old), "newton", reps, N * L
        )
    return out


def _versus(new, old, old_name, reps, terms) -> dict:
    """Time ``new = (f, args)`` against ``old`` (best of 3, ``reps`` calls each, CPU time):
    ns per site x term of each, the speed-up and the relative difference of their sums."""
    (f_new, a_new), (f_old, a_old) = new, old
    v_new, v_old = f_new(*a_new), f_old(*a_old)  # compiled, and the two sums
    t_new, t_old = (
        min(_timed(lambda f=f, a=a: [f(*a) for _ in range(reps)], time.process_time)
            for _ in range(3))
        for f, a in (new, old)
    )  # fmt: skip
    return {
        "closed_form_ns": 1e9 * t_new / (reps * terms),
        f"{old_name}_ns": 1e9 * t_old / (reps * terms),
        "speedup": t_old / t_new,
        "relative_difference": abs(v_new - v_old) / abs(v_old),
    }


# ----------------------------------------------------------------- plain form, class sums
@numba.njit(cache=True, fastmath=FAST)
def _lookup_all_sites(S1, W, s, table, off):
    """Sum over all sites of ``sum_l T(S_l - 2 w_il s_i) - T(S_l)`` from the table T."""
    N, L = W.shape
    tot = 0.0
    for i in range(N):
        for l in range(L):
            Sl = np.int64(S1[l]) + off
            tot += table[Sl - 2 * np.int64(W[i, l]) * s[i]] - table[Sl]
    return tot


@numba.njit(cache=True, fastmath=FAST)
def _binomial_all_sites(S1, val, s, tab, L):
    """The same sum through ``montecarlo._kernels.plain_delta`` (the sweep's route)."""
    tot = 0.0
    idx = np.empty(0, np.int32)
    for i in range(s.shape[0]):
        tot += _kernels.plain_delta(i * L, (i + 1) * L, s[i], S1, val, idx, tab, True)
    return tot


def plain_form_speed(quick: bool) -> dict:
    """ns per (site x term) of the plain-form energy change with integer class sums (a
    supervised network, M = 5 examples per pattern, N = 2000, K = 100), binomial expansion
    against table lookups, and their relative difference."""
    import montecarlo

    N, K = 2000, 100
    xi = montecarlo.archetypes(K, N, seed=1)
    ex = montecarlo.examples(xi, M=5, r=0.6, seed=2)
    s = np.where(np.random.default_rng(0).random(N) < 0.5, 1, -1).astype(np.int64)
    reps = 3 if quick else 20
    out = {"N": N, "K": K}
    for P in (4, 6):
        net = montecarlo.DenseHebbianNetwork(
            P, protocol="supervised", examples=ex, patterns=xi, r=0.6, self_interaction=True
        )
        t, st = net._terms, net._storage
        W = st.val.reshape(N, K)
        S1 = (s @ W.astype(np.int64)).astype(np.int32)
        new = (S1, st.val, s, t.dpoly, K)
        old = (S1, W, s, t.table, t.off)
        out[f"P={P}"] = _versus(
            (_binomial_all_sites, new), (_lookup_all_sites, old), "lookup", reps, N * K
        )
    return out
