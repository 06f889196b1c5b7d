"""The driver that runs all chains: blocks of sweeps in parallel over chains (``prange``
over chains, never over spins of one chain), energies, recording, two-chain overlaps, and
replica exchange between temperatures (``montecarlo.tempering``)."""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from montecarlo import _deltas, _kernels, _rng, tempering
from montecarlo._cache import renamed, source_digest
from montecarlo._kernels import energy, sweep
from montecarlo.tempering import exchange

SNAPSHOT_BYTES = 1 << 24  # per-sweep states kept for q between synchronisations
PARALLEL_MIN_WORK = 200_000  # weight entries visited per sweep, summed over replicas
PAD_BYTES = 4096  # gap between chains' working rows in the parallel driver: one 4 KiB page


class Chains(NamedTuple):
    """The state of all replicas ``r = b * n_chain + chain``, updated in place by the driver."""

    sigma: np.ndarray  # int8 (R, N) spins
    S: np.ndarray  # (R, L, n_sums) tracked sums of the energy terms
    O: np.ndarray  # (R, Lo, 1) observable-only sums
    rng: np.ndarray  # (R, n) random stream states, one per replica
    swap_rng: np.ndarray  # (n,) the replica-exchange stream


class RunSettings(NamedTuple):
    """What the driver does: temperatures, dynamics and the sweep schedule."""

    betas: np.ndarray  # float64 (R,) inverse temperature of every replica
    n_beta: int  # rungs of the ladder
    n_chain: int  # chains per rung
    tempering: bool  # replica exchange after every sweep
    dynamics: int  # _kernels.GLAUBER / METROPOLIS / ZERO_TEMPERATURE
    order: int  # _kernels.ORDER_RANDOM / ORDER_SEQUENTIAL
    n_burn: int  # sweeps before the first record
    n_sweeps: int  # sweeps after burn-in
    thin: int  # record every thin-th sweep past burn-in
    pad: int  # bytes (a multiple of 8) between chains' working rows
    levels: np.ndarray  # int64 (n_beta, m) P = 2 acceptance table per rung (montecarlo._levels)
    level_lo: np.ndarray  # int64 (n_beta,) level of each row's first entry


class Records(NamedTuple):
    """What the driver records (filled in place) and how: record ``k`` is sweep
    ``n_burn + thin * (k + 1)``."""

    G: np.ndarray  # (R, n_rec, K) group sums sum_{l in g} S[r, l, 0]
    O: np.ndarray  # (R, n_rec, Lo) observable sums
    E: np.ndarray  # float64 (R, n_rec) total energies
    Q: np.ndarray  # float64 (n_beta, n_pair, n_rec) two-chain overlaps
    group: np.ndarray  # int64 (L,) group of every energy term
    pair_a: np.ndarray  # int64 (n_pair,) chain pairs of Q (empty: no q recorded)
    pair_b: np.ndarray
    swap_tries: np.ndarray  # int64 (max(n_beta - 1, 1),) replica-exchange counts
    swap_accepts: np.ndarray


def _run(chains, settings, terms, weights, obs, records, t_start, t_stop):
    """Run sweeps ``t_start .. t_stop - 1`` of the ``n_burn + n_sweeps`` sweeps of all
    replicas ``r = b * n_chain + chain`` (a run split into such calls gives the same result
    as one call: chains own their random streams and tempering uses the global sweep index).

    ``chains``: the :class:`Chains` state; ``settings``: the :class:`RunSettings`;
    ``terms``, ``weights``, ``obs``: the ``EnergyTerms`` and weight ``Storage`` passed to
    :func:`montecarlo._kernels.sweep`. Records after every ``thin``-th sweep past burn-in
    into ``records`` (:class:`Records`). With ``tempering``, neighbouring temperatures
    exchange states after every sweep (one synchronisation per sweep). Without it, chains
    run blocks of sweeps on their own and only meet for the overlaps ``q``, computed from
    per-sweep snapshots of the block (at most SNAPSHOT_BYTES). ``pad``: ``PAD_BYTES`` for
    :data:`run_parallel` and 0 for :data:`run_serial`.
    """
    R, N = chains.sigma.shape
    L = chains.S.shape[1]
    n_pair = records.pair_a.shape[0]
    total = t_stop - t_start
    E = np.zeros(R)
    block = _block_length(settings.tempering, n_pair, total, R, N)
    snap = np.zeros((block if (n_pair > 0 and not settings.tempering) else 0, R, N), np.int8)
    w = _working_copies(chains, settings.pad)
    pairs = (records.pair_a, records.pair_b)
    Q = records.Q  # (read here: a parallel loop that writes through a tuple field loses it)
    scratch = np.zeros((R, 2, terms.P + 1))  # p, e of every chain (no allocation per block)
    t0 = t_start
    while t0 < t_stop:
        nb = min(block, t_stop - t0)
        for r in numba.prange(R):
            _chain_block(r, t0, nb, w, N, L, settings, terms, weights, obs, records, E,
                         scratch[r], snap)  # fmt: skip
        if settings.tempering:
            exchange(t0, w[0], w[1], w[3], E, settings.betas, settings.n_beta, settings.n_chain,
                     chains.swap_rng, records.swap_tries, records.swap_accepts)  # fmt: skip
            k = _slot(t0 - settings.n_burn, settings.thin)
            if k >= 0:
                for r in numba.prange(R):
                    _record(r, k, L, chains.O.shape[1], w[1], w[3], E, records)
        for bp in numba.prange(settings.n_beta * n_pair):
            _pair_overlaps(bp, t0, nb, N, w[0], snap, settings, pairs, Q)
        t0 += nb
    _write_back(chains, w)


@numba.njit(inline="always")
def _block_length(tempering, n_pair, total, R, N):
    """Sweeps the chains run between synchronisations: 1 with tempering, as many as the
    snapshots for ``q`` allow (SNAPSHOT_BYTES) with pairs, else all of them."""
    if tempering:
        return 1
    if n_pair > 0:
        return max(1, min(total, SNAPSHOT_BYTES // (R * N)))
    return total


@numba.njit(inline="always")
def _working_copies(chains, pad):
    """Working copies of the state with ``pad`` bytes after each chain's rows.

    Chains on different threads write their spins, sums and random state every flip; rows
    that share a cache line, or lie within reach of the hardware prefetchers (which stream
    ahead along a row but stay inside one 4 KiB page), make the lines bounce between cores
    and slow the chain with the higher address by 10-25 %. Chain r works on the views
    ``x_w[r, :n]``, of the types of ``x[r]``. Returns ``(sigma_w, S_w, S_flat, O_w, rng_w)``
    (``S_flat``: chain r's sums as one row)."""
    sigma, S, O, rng = chains.sigma, chains.S, chains.O, chains.rng
    R, N = sigma.shape
    L = S.shape[1]
    Lo = O.shape[1]
    sigma_w = np.zeros((R, N + pad), dtype=sigma.dtype)
    sigma_w[:, :N] = sigma
    S_w = np.zeros((R, L + pad // 8, S.shape[2]), dtype=S.dtype)
    S_w[:, :L] = S
    S_flat = S_w.reshape(R, S_w.shape[1] * S_w.shape[2])
    O_w = np.zeros((R, Lo + pad // 8, O.shape[2]), dtype=O.dtype)
    O_w[:, :Lo] = O
    rng_w = np.zeros((R, rng.shape[1] + pad // 8), dtype=rng.dtype)
    rng_w[:, : rng.shape[1]] = rng
    return sigma_w, S_w, S_flat, O_w, rng_w


@numba.njit(inline="always")
def _write_back(chains, w):
    """Copy the working state ``w`` (:func:`_working_copies`) back into ``chains``."""
    N = chains.sigma.shape[1]
    chains.sigma[:, :] = w[0][:, :N]
    chains.S[:, :, :] = w[1][:, : chains.S.shape[1]]
    chains.O[:, :, :] = w[3][:, : chains.O.shape[1]]
    chains.rng[:, :] = w[4][:, : chains.rng.shape[1]]


@numba.njit(inline="always")
def _chain_block(r, t0, nb, w, N, L, settings, terms, weights, obs, records, E, pe, snap):
    """Sweeps ``t0 .. t0 + nb - 1`` of replica r, with its energy after each; records
    (without tempering) and per-sweep snapshots for ``q``. ``pe``: its scratch rows p, e."""
    sigma_w, S_w, S_flat, O_w, rng_w = w
    sigma_r = sigma_w[r, :N]
    S_r = S_w[r, :L]
    b = r // settings.n_chain
    Lo = records.O.shape[2]
    p = pe[0]
    e = pe[1]
    for tb in range(nb):
        sweep(sigma_r, S_r, S_flat[r, : L * S_w.shape[2]], O_w[r, :Lo], rng_w[r],
              settings.betas[r], settings.dynamics, settings.order, terms, weights, obs,
              p, e, settings.levels[b], settings.level_lo[b])  # fmt: skip
        E[r] = energy(S_r, terms, p, e)
        k = _slot(t0 + tb - settings.n_burn, settings.thin)
        if settings.tempering or k < 0:
            continue
        _record(r, k, L, Lo, S_w, O_w, E, records)
        for i in range(snap.shape[2] if snap.shape[0] > 0 else 0):
            snap[tb, r, i] = sigma_r[i]


@numba.njit(inline="always")
def _pair_overlaps(bp, t0, nb, N, sigma_w, snap, settings, pairs, Q):
    """Two-chain overlaps of pair ``bp = b * n_pair + pair`` for the records among sweeps
    ``t0 .. t0 + nb - 1``: from the current states (tempering, one sweep per block) or from
    the block's snapshots."""
    n_pair = pairs[0].shape[0]
    b = bp // n_pair
    q = bp - b * n_pair
    ra = b * settings.n_chain + pairs[0][q]
    rb = b * settings.n_chain + pairs[1][q]
    for tb in range(nb):
        k = _slot(t0 + tb - settings.n_burn, settings.thin)
        if k < 0:
            continue
        acc = np.int32(0)  # int32 sums (|acc| <= N < 2**31, exact): 2.4x faster than int64
        if settings.tempering:
            for i in range(N):
                acc = np.int32(acc + np.int32(sigma_w[ra, i]) * np.int32(sigma_w[rb, i]))
        else:
            for i in range(N):
                acc = np.int32(acc + np.int32(snap[tb, ra, i]) * np.int32(snap[tb, rb, i]))
        Q[b, q, k] = acc / N


@numba.njit(cache=True)
def _slot(k, thin):
    """Record index of the sweep ``k`` sweeps after burn-in (every ``thin``-th), or -1."""
    if k < 0 or (k + 1) % thin != 0:
        return -1
    return (k + 1) // thin - 1


@numba.njit(cache=True)
def _record(r, k, L, Lo, S, O, E, records):
    """Store replica r's group sums, observable sums and energy as sample k of ``records``
    (``S[r, :L]`` and ``O[r, :Lo]`` hold its sums; rows past them are padding)."""
    G = records.G
    for g in range(G.shape[2]):
        G[r, k, g] = 0
    for l in range(L):
        G[r, k, records.group[l]] += S[r, l, 0]
    for l in range(Lo):
        records.O[r, k, l] = O[r, l, 0]
    records.E[r, k] = E[r]


def _variant(name: str):
    """A copy of :func:`_run` under its own name.

    Numba names a function's on-disk cache after its qualified name and keys the entries by
    signature only, not by compile options: the same function jitted twice with
    ``cache=True`` shares one entry, and whichever variant is compiled first is loaded for
    both (the parallel driver then runs serially, or the serial one wakes threads). Each
    variant therefore gets its own function object and name, hence its own cache files. The
    name also carries :data:`_DIGEST`, the digest of the sources the drivers compile in
    (Numba keys a cached function by its own file only: after an edit of the kernels it would
    load a driver built with the old ones), see ``montecarlo._cache``.
    """
    return renamed(_run, f"{name}_{_DIGEST}")


# The same driver twice: threads over chains for big sweeps, a plain loop for small ones
# (where waking threads after every sweep would cost more than the sweep). Same results.
_DIGEST = source_digest(_deltas, _kernels, _rng, tempering)
run_parallel = numba.njit(cache=True, parallel=True)(_variant("run_parallel"))
run_serial = numba.njit(cache=True)(_variant("run_serial"))
