"""Acceptance from a table indexed by the integer energy change, against the logarithm per
attempt of today's engine (issue 23, item 5). Prototype and measurement; the engine does
not use it (see docs/simulating.md, "Acceptance table").

At P = 2 the engine's energy change is ``dh = q4 * float64(n)`` with the integer
``n = rsq_i - s_i sum_l w_il S_l`` (``montecarlo._deltas.quadratic_delta``), and a flip is
accepted iff ``beta * dh < t(u)`` with ``u = x * 2**-53``, ``x`` the 53-bit integer of the
xoshiro stream and ``t`` the threshold of ``montecarlo._kernels.threshold`` (a logarithm).
For a fixed level ``n`` the value ``v = beta * dh`` is one float, and the decision
``v < t(x * 2**-53)`` is monotone in ``x`` (``t`` is decreasing): it is ``x < X[n]`` with an
integer ``X[n]``, found here by bisection with the same compiled threshold and checked
exhaustively in a window around it (:func:`build_table`). The table kernel then compares
the raw integer ``x`` (same stream) with ``X[n]`` instead of taking a logarithm.

    python benchmarks/mc_table.py [--quick]

Prints ns per flip attempt (one thread, process CPU time, min of interleaved repeats) of
the engine's own sweep (``montecarlo._kernels.sweep``), the table kernel and a copy of the
engine's attempt loop with the logarithm (the same code as the table kernel but for the
decision), and checks that they end in the same state. Since the table went into the engine
(``montecarlo._levels``, for +-1 weights), the engine is timed with and without it.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numba
import numpy as np

import montecarlo
from montecarlo import _energy, _kernels, _levels
from montecarlo._deltas import FAST_MATH
from montecarlo._rng import _TWO_M53, raw53, stream_states, uniform

TWO53 = 1 << 53
V_SATURATED = 37.0  # |beta dh| beyond which t(u) (|t| <= 36.74 for x >= 1) decides alone


# ----------------------------------------------------------------- the table
@numba.njit(cache=True)
def _level_value(beta, q4, n):
    """``beta * dh`` of level n as the engine computes it: ``beta * (q4 * float64(n))``,
    two roundings in this order (its optimised IR, checked in :func:`engine_expression`)."""
    return beta * (q4 * np.float64(n))


@numba.njit(cache=True)
def _accepts(v, dynamics, x):
    """The engine's decision for ``beta * dh = v`` and the uniform ``x * 2**-53``."""
    return v < _kernels.threshold(dynamics, np.float64(x) * _TWO_M53)


@numba.njit(cache=True)
def _ulp(y):
    m, e = math.frexp(abs(y))
    return math.ldexp(1.0, e - 53) if m != 0.0 else 5e-324


@numba.njit(cache=True)
def _first_rejected(v, dynamics):
    """Smallest ``x`` in [0, 2**53] with ``not accepts(v, x)`` (2**53: none), by bisection."""
    lo, hi = 0, TWO53
    while lo < hi:
        mid = (lo + hi) // 2
        if _accepts(v, dynamics, mid):
            lo = mid + 1
        else:
            hi = mid
    return lo


@numba.njit(cache=True)
def _checked(v, dynamics, X, w):
    """Is ``accepts(v, x) == (x < X)`` for all x? Exhaustively in ``[X - w, X + w)``; outside,
    by the margin of the thresholds at the window's edges over ``v``: the threshold's
    argument (``(1 - u) / u`` or ``u``, IEEE operations) is monotone in x, and the library
    logarithm errs by at most 1 ulp, so a margin of 4 ulps at the edge holds beyond it."""
    lo = max(X - w, 0)
    hi = min(X + w, TWO53)
    for x in range(lo, hi):
        if _accepts(v, dynamics, x) != (x < X):
            return False
    if lo >= 1:  # x < lo must accept (x = 0: t = inf)
        t = _kernels.threshold(dynamics, np.float64(lo) * _TWO_M53)
        if not t - v > 4.0 * _ulp(max(abs(t), abs(v))):
            return False
    if hi < TWO53:  # x >= hi must reject
        t = _kernels.threshold(dynamics, np.float64(hi - 1) * _TWO_M53)
        if not v - t > 4.0 * _ulp(max(abs(t), abs(v))):
            return False
    return True


@numba.njit(cache=True)
def _fill(beta, q4, dynamics, n_lo, X, ok, w):
    for k in range(X.shape[0]):
        v = _level_value(beta, q4, n_lo + k)
        X[k] = _first_rejected(v, dynamics)
        ww = w
        while not _checked(v, dynamics, X[k], ww) and ww < 1 << 20:
            ww *= 2
        ok[k] = _checked(v, dynamics, X[k], ww)


def level_range(beta: float, q4: float, n_bound: int) -> tuple[int, int]:
    """Levels ``n_lo..n_hi`` with ``|beta q4 n| <= V_SATURATED`` (one saturated level more at
    each end) inside the reachable ``|n| <= n_bound``. Beyond them the decision is the end
    level's (``X`` is monotone in n): always accept, or only ``x = 0``."""
    reach = V_SATURATED / max(abs(beta * q4), 1e-300)
    half = int(min(n_bound, math.ceil(reach) + 1))
    return -half, half


def build_table(beta: float, q4: float, dynamics: int, n_bound: int, w: int = 8):
    """``(X, n_lo)``: the decision at level n is ``x < X[clip(n - n_lo)]``, for every x
    (checked: :func:`_checked`; raises if a level fails)."""
    n_lo, n_hi = level_range(beta, q4, n_bound)
    X = np.zeros(n_hi - n_lo + 1, np.int64)
    ok = np.zeros(X.size, np.bool_)
    _fill(beta, q4, dynamics, n_lo, X, ok, w)
    if not ok.all():
        raise RuntimeError(f"{np.count_nonzero(~ok)} levels fail the check")
    for end, n in ((0, n_lo), (-1, n_hi)):  # the ends are saturated or unreachable
        v = beta * (q4 * float(n))
        assert abs(n) == n_bound or (abs(v) > 36.8 and X[end] in (1, TWO53)), (n, v, X[end])
    return X, n_lo


# ----------------------------------------------------------------- kernels
@numba.njit(cache=True, inline="always")
def _level(a, L, s_i, S1, val, rsq):
    """``n = rsq - s_i sum_l w_l S_l`` (dense int32 sums: the engine's P = 2 route)."""
    dot32 = np.int32(0)
    for l in range(L):
        dot32 += np.int32(np.int32(val[np.uint64(a + l)]) * S1[l])
    return rsq - s_i * np.int64(dot32)


@numba.njit(cache=True, fastmath=FAST_MATH, _nrt=False)
def _attempts(sigma, S1, rng, val, rowsq, q4, beta, dynamics, X, n_lo, use_table):
    """N attempts, random order, P = 2 dense rows; the decision from the table or from
    the engine's :func:`montecarlo._kernels.accept`. Returns the number of accepted flips."""
    N = sigma.shape[0]
    L = S1.shape[0]
    top = X.shape[0] - 1
    accepted = 0
    for _ in range(N):
        i = np.int64(uniform(rng) * N)
        if i >= N:  # pragma: no cover - rounding edge
            i = N - 1
        s_i = np.int64(sigma[i])
        a = i * L
        n = _level(a, L, s_i, S1, val, rowsq[i])
        if use_table:
            k = min(max(n - n_lo, 0), top)
            ok = raw53(rng) < X[k]
        else:
            ok = _kernels.accept(q4 * np.float64(n), beta, dynamics, uniform(rng))
        if not ok:
            continue
        two_s = np.int32(2 * s_i)
        for l in range(L):
            S1[l] -= np.int32(two_s * np.int32(val[np.uint64(a + l)]))
        sigma[i] = -sigma[i]
        accepted += 1
    return accepted


@numba.njit(cache=True)
def run_sweeps(n, sigma, S1, rng, val, rowsq, q4, beta, dynamics, X, n_lo, use_table):
    """``n`` sweeps of :func:`_attempts`, compiled once per decision (literal flag)."""
    total = 0
    for _ in range(n):
        if use_table:
            total += _attempts(sigma, S1, rng, val, rowsq, q4, beta, dynamics, X, n_lo, True)
        else:
            total += _attempts(sigma, S1, rng, val, rowsq, q4, beta, dynamics, X, n_lo, False)
    return total


@numba.njit(cache=True)
def engine_sweeps(n, sigma, S, S1, O, rng, beta, dynamics, terms, weights, obs, p, e, levels,
                  lo):  # fmt: skip
    """``n`` sweeps of the engine's own kernel (random order), with its acceptance table
    ``levels`` (``montecarlo._levels``) or without it (``levels = [-1]``)."""
    for _ in range(n):
        _kernels.sweep(sigma, S, S1, O, rng, beta, dynamics, _kernels.ORDER_RANDOM, terms,
                       weights, obs, p, e, levels, lo)  # fmt: skip


# ----------------------------------------------------------------- cases
class Case:
    """One P = 2 network at one temperature and dynamics: the engine's arrays, a state
    equilibrated by the engine from ``init``, its stream, and the decision table."""

    def __init__(self, name, net, beta, dynamics, init, seed=0, burn=20):
        self.name, self.beta, self.dynamics = name, beta, dynamics
        t, st = net._terms, net._storage
        assert t.fast == _kernels.FAST_QUADRATIC and st.dense
        self.terms, self.weights, self.obs = t, st, net._obs
        wmax = int(np.abs(st.val).max())
        self.n_bound = int(t.rowsq.max()) + st.n_terms * wmax * t.off  # |rsq - s w.S|
        t0 = time.process_time()
        self.X, self.n_lo = build_table(beta, t.q4, dynamics, self.n_bound)
        self.build_s = time.process_time() - t0
        t0 = time.process_time()
        levels, lo = _levels.acceptance_levels(t, st, np.array([beta]), dynamics)
        self.engine_build_s = time.process_time() - t0
        self.levels = {True: (levels[0], int(lo[0])), False: (np.full(1, -1, np.int64), 0)}
        sigma = np.asarray(init, np.int8).copy()
        S = _energy.tracked_sums(st, sigma[None], 1)[0].astype(_energy.sums_dtype(st, t))
        state = (sigma, S, stream_states(np.random.SeedSequence(seed), 1)[0])
        self.start = self.engine(burn, state, False)

    def fresh(self):
        """A copy of the equilibrated state and its stream (every run starts from it)."""
        return tuple(a.copy() for a in self.start)

    def engine(self, n, state, table):
        """``n`` sweeps of the engine's kernel on ``state`` (in place), with its acceptance
        table (where ``montecarlo._levels`` builds one) or without; returns the state."""
        sigma, S, rng = state
        p, e = np.zeros(3), np.zeros(3)
        O = np.zeros((0, 1), np.int32)
        engine_sweeps(n, sigma, S, S.reshape(-1), O, rng, self.beta, self.dynamics,
                      self.terms, self.weights, self.obs, p, e, *self.levels[table])  # fmt: skip
        return state

    def proto(self, n, state, use_table):
        """``n`` sweeps of the prototype (table or logarithm); returns the accepted flips."""
        sigma, S, rng = state
        return run_sweeps(n, sigma, S.reshape(-1), rng, self.weights.val, self.terms.rowsq,
                          self.terms.q4, self.beta, self.dynamics, self.X, self.n_lo,
                          use_table)  # fmt: skip


def cases(quick: bool, N: int = 2000, K: int = 100) -> list[Case]:
    """P = 2 with +-1 patterns (hebbian) and with integer class sums (supervised, M = 5,
    r = 0.6), heat bath and Metropolis, three temperatures each; started near pattern 0."""
    xi = montecarlo.archetypes(K, N, seed=1)
    nets = {
        "hebbian": montecarlo.DenseHebbianNetwork(2, patterns=xi),
        "supervised": montecarlo.DenseHebbianNetwork(
            2, protocol="supervised", examples=montecarlo.examples(xi, M=5, r=0.6, seed=2),
            patterns=xi, r=0.6),
    }  # fmt: skip
    betas = (2.0,) if quick else (0.5, 2.0, 8.0)  # T = 2 (paramagnet), 0.5, 0.125
    out = []
    for name, net in nets.items():
        for dyn, dname in ((_kernels.GLAUBER, "heat bath"), (_kernels.METROPOLIS, "metropolis")):
            for beta in betas:
                out.append(Case(f"{name} {dname} beta={beta:g}", net, beta, dyn, xi[0]))
    return out


def same_decisions(case: Case, sweeps: int) -> dict:
    """Engine (with and without its table), prototype table and logarithm copy from the same
    state and stream: identical spins, sums and stream after ``sweeps`` sweeps, and the same
    number of accepted flips (prototypes)."""
    ends = [case.engine(sweeps, case.fresh(), False), case.engine(sweeps, case.fresh(), True)]
    acc = []
    for use_table in (True, False):
        state = case.fresh()
        acc.append(case.proto(sweeps, state, use_table))
        ends.append(state)
    same = all(np.array_equal(a, b) for end in ends[1:] for a, b in zip(end, ends[0]))
    return {"identical_end_states": bool(same), "accepted_table": int(acc[0]),
            "accepted_log": int(acc[1]), "attempts": sweeps * case.start[0].size}  # fmt: skip


def timings(case: Case, sweeps: int, rounds: int) -> dict:
    """ns per attempt of the engine without and with its table, the prototype table kernel
    and its logarithm copy: process CPU time of ``sweeps`` sweeps from the same state, in
    alternation (rotating who goes first), ``rounds`` times; min over rounds, and the ratios
    of each round (their range is the spread)."""
    runs = {
        "engine": lambda st: case.engine(sweeps, st, False),
        "engine_table": lambda st: case.engine(sweeps, st, True),
        "table": lambda st: case.proto(sweeps, st, True),
        "log_copy": lambda st: case.proto(sweeps, st, False),
    }
    for run in runs.values():  # compiled
        run(case.fresh())
    per = {k: [] for k in runs}
    for r in range(rounds):
        names = list(runs)[r % 4 :] + list(runs)[: r % 4]  # rotate who goes first
        for name in names:
            state = case.fresh()
            t0 = time.process_time()
            runs[name](state)
            per[name].append(time.process_time() - t0)
    n = sweeps * case.start[0].size
    best = {k: 1e9 * min(v) / n for k, v in per.items()}
    out = dict(best)
    for name, (a, b) in {"engine_table_over_engine": ("engine_table", "engine"),
                         "table_over_log_copy": ("table", "log_copy"),
                         "log_copy_over_engine": ("log_copy", "engine")}.items():  # fmt: skip
        ratios = [x / y for x, y in zip(per[a], per[b])]
        out[name] = best[a] / best[b]
        out[name + "_range"] = [min(ratios), max(ratios)]
    return out


def through_sample(quick: bool, rounds: int) -> dict:
    """ns per attempt through ``sample`` (one chain, hebbian P = 2, N = 2000, K = 100, heat
    bath, beta = 2, from pattern 0), with the table and with ``LEVELS_MAX = 0``: marginal
    CPU time (t(2 + n) - t(2)) / n of alternating calls, min over ``rounds``; the build of the
    table is in the fixed part (timed alone: ``build_s``)."""
    N, K, n = 2000, 100, (20 if quick else 100)
    xi = montecarlo.archetypes(K, N, seed=1)
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi)
    keep = _levels.LEVELS_MAX

    def run(table, sweeps):
        _levels.LEVELS_MAX = keep if table else 0
        try:
            t0 = time.process_time()
            net.sample(beta=2.0, sweeps=sweeps, init=xi[0], seed=0, record_q=False)
            return time.process_time() - t0
        finally:
            _levels.LEVELS_MAX = keep

    best = {(t, s): math.inf for t in (True, False) for s in (2, 2 + n)}
    run(True, 2), run(False, 2)  # compiled
    for r in range(rounds):
        for key in sorted(best, key=lambda k: (k[0] != bool(r % 2), k[1])):
            best[key] = min(best[key], run(*key))
    per = {t: (best[(t, 2 + n)] - best[(t, 2)]) / (n * N) * 1e9 for t in (True, False)}
    per = {t: v if v > 0 else math.nan for t, v in per.items()}  # noise: unusable, not < 0
    t0 = time.process_time()
    _levels.acceptance_levels(net._terms, net._storage, np.array([2.0]), _kernels.GLAUBER)
    out = {"table_ns": per[True], "logarithm_ns": per[False],
           "build_s": time.process_time() - t0}  # fmt: skip
    return out | {"ratio": per[True] / per[False]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", default=None, help="write the results here")
    args = ap.parse_args()
    numba.set_num_threads(1)
    sweeps, rounds = (20, 5) if args.quick else (100, 7)
    out = {"load_before": list(_loadavg())}
    rows = []
    for case in cases(args.quick):
        row = {"case": case.name, "table_entries": int(case.X.size),
               "table_build_s": case.build_s}  # fmt: skip
        row |= same_decisions(case, sweeps)
        row |= timings(case, sweeps, rounds)
        rows.append(row)
        print(_line(case, row), flush=True)
    out["rows"] = rows
    out["sample"] = through_sample(args.quick, rounds)
    print("through sample(), 1 chain, hebbian heat bath beta=2: ns/attempt table "
          f"{out['sample']['table_ns']:.2f}, logarithm {out['sample']['logarithm_ns']:.2f}, "
          f"ratio {out['sample']['ratio']:.3f}; table built in "
          f"{1e3 * out['sample']['build_s']:.1f} ms")  # fmt: skip
    out["load_after"] = list(_loadavg())
    print("load average before/after:", out["load_before"], out["load_after"])
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)


def _line(case: Case, row: dict) -> str:
    def ratio(k):
        lo, hi = row[k + "_range"]
        return f"{row[k]:.3f} [{lo:.3f}, {hi:.3f}]"

    return (
        f"{case.name:30s} ns/attempt: engine {row['engine']:5.2f}, with table "
        f"{row['engine_table']:5.2f} (x{ratio('engine_table_over_engine')}); prototype "
        f"table {row['table']:5.2f}, log copy {row['log_copy']:5.2f} "
        f"(x{ratio('table_over_log_copy')}); identical {row['identical_end_states']}, "
        f"accepted {row['accepted_table']}/{row['attempts']}; engine table "
        f"{case.levels[True][0].size} entries, {case.engine_build_s:.3f} s"
    )


def _loadavg():
    with open("/proc/loadavg") as fh:
        return [float(v) for v in fh.read().split()[:3]]


if __name__ == "__main__":
    main()
