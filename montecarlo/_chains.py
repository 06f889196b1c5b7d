"""The driver that runs all chains: blocks of sweeps in parallel over chains (``prange``
over chains, never over spins of one chain), energies, recording, two-chain overlaps, and
replica exchange between temperatures (``montecarlo.tempering``)."""

from __future__ import annotations

import numba
import numpy as np

from montecarlo import _deltas, _kernels, _rng, tempering
from montecarlo._cache import renamed, source_digest
from montecarlo._kernels import energy, sweep
from montecarlo.tempering import exchange

SNAPSHOT_BYTES = 1 << 24  # per-sweep states kept for q between synchronisations
PARALLEL_MIN_WORK = 200_000  # weight entries visited per sweep, summed over replicas
PAD_BYTES = 4096  # gap between chains' working rows in the parallel driver: one 4 KiB page


def _run(
    sigma,
    S,
    O,
    rng,
    swap_rng,
    betas,
    n_beta,
    n_chain,
    tempering,
    dynamics,
    order,
    terms,
    weights,
    obs,
    group,
    n_burn,
    n_sweeps,
    thin,
    pair_a,
    pair_b,
    out,
    swap_tries,
    swap_accepts,
    pad,
    t_start,
    t_stop,
):
    """Run sweeps ``t_start .. t_stop - 1`` of the ``n_burn + n_sweeps`` sweeps of all
    replicas ``r = b * n_chain + chain`` (a run split into such calls gives the same result
    as one call: chains own their random streams and tempering uses the global sweep index).

    ``terms``, ``weights``, ``obs``: the ``EnergyTerms`` and weight ``Storage`` passed to
    :func:`montecarlo._kernels.sweep`. Records after every ``thin``-th sweep past burn-in,
    into ``out = (out_G, out_O, out_E, out_Q)``: group sums
    ``out_G[r, k, g] = sum_{l in g} S[r, l, 0]``, observable sums ``out_O``, energies
    ``out_E`` and two-chain overlaps ``out_Q[b, pair, k]``. With ``tempering``, neighbouring
    temperatures exchange states after every sweep (one synchronisation per sweep). Without
    it, chains run blocks of sweeps on their own and only meet for the overlaps ``q``,
    computed from per-sweep snapshots of the block (at most SNAPSHOT_BYTES). ``pad``: bytes
    (a multiple of 8) between the working rows of consecutive chains, ``PAD_BYTES`` for
    :data:`run_parallel` and 0 for :data:`run_serial`.
    """
    out_G, out_O, out_E, out_Q = out
    P = terms.P
    R = sigma.shape[0]
    N = sigma.shape[1]
    L = S.shape[1]
    Lo = O.shape[1]
    n_pair = pair_a.shape[0]
    total = t_stop - t_start
    E = np.zeros(R)
    if tempering:
        block = 1
    elif n_pair > 0:
        block = max(1, min(total, SNAPSHOT_BYTES // (R * N)))
    else:
        block = total
    snaps = block if (n_pair > 0 and not tempering) else 0
    snap = np.zeros((snaps, R, N), dtype=np.int8)
    # Working copies with ``pad`` bytes after each chain's rows. Chains on different threads
    # write their spins, sums and random state every flip; rows that share a cache line, or
    # lie within reach of the hardware prefetchers (which stream ahead along a row but stay
    # inside one 4 KiB page), make the lines bounce between cores and slow the chain with the
    # higher address by 10-25 %. Chain r works on the views x_w[r, :n], of the types of x[r].
    sigma_w = np.zeros((R, N + pad), dtype=sigma.dtype)
    sigma_w[:, :N] = sigma
    S_w = np.zeros((R, L + pad // 8, S.shape[2]), dtype=S.dtype)
    S_w[:, :L] = S
    S_flat = S_w.reshape(R, S_w.shape[1] * S_w.shape[2])  # chain r's sums as one row
    O_w = np.zeros((R, Lo + pad // 8, O.shape[2]), dtype=O.dtype)
    O_w[:, :Lo] = O
    rng_w = np.zeros((R, rng.shape[1] + pad // 8), dtype=rng.dtype)
    rng_w[:, : rng.shape[1]] = rng
    t0 = t_start
    while t0 < t_stop:
        nb = min(block, t_stop - t0)
        for r in numba.prange(R):
            p = np.zeros(P + 1)
            e = np.zeros(P + 1)
            sigma_r = sigma_w[r, :N]
            S_r = S_w[r, :L]
            for tb in range(nb):
                sweep(sigma_r, S_r, S_flat[r, : L * S.shape[2]], O_w[r, :Lo], rng_w[r], betas[r],
                      dynamics, order, terms, weights, obs, p, e)  # fmt: skip
                E[r] = energy(S_r, terms, p, e)
                k = _slot(t0 + tb - n_burn, thin)
                if not tempering and k >= 0:
                    _record(r, k, L, Lo, S_w, O_w, E, group, out_G, out_O, out_E)
                    if snaps > 0:
                        for i in range(N):
                            snap[tb, r, i] = sigma_r[i]
        if tempering:
            exchange(t0, sigma_w, S_w, O_w, E, betas, n_beta, n_chain, swap_rng, swap_tries,
                     swap_accepts)  # fmt: skip
            k = _slot(t0 - n_burn, thin)
            if k >= 0:
                for r in numba.prange(R):
                    _record(r, k, L, Lo, S_w, O_w, E, group, out_G, out_O, out_E)
        for bp in numba.prange(n_beta * n_pair):
            b = bp // n_pair
            q = bp - b * n_pair
            ra = b * n_chain + pair_a[q]
            rb = b * n_chain + pair_b[q]
            for tb in range(nb):
                k = _slot(t0 + tb - n_burn, thin)
                if k < 0:
                    continue
                acc = np.int32(0)  # int32 sums (|acc| <= N < 2**31, exact): 2.4x faster than int64
                if tempering:
                    for i in range(N):
                        acc = np.int32(acc + np.int32(sigma_w[ra, i]) * np.int32(sigma_w[rb, i]))
                else:
                    for i in range(N):
                        acc = np.int32(acc + np.int32(snap[tb, ra, i]) * np.int32(snap[tb, rb, i]))
                out_Q[b, q, k] = acc / N
        t0 += nb
    sigma[:, :] = sigma_w[:, :N]
    S[:, :, :] = S_w[:, :L]
    O[:, :, :] = O_w[:, :Lo]
    rng[:, :] = rng_w[:, : rng.shape[1]]


@numba.njit(cache=True)
def _slot(k, thin):
    """Record index of the sweep ``k`` sweeps after burn-in (every ``thin``-th), or -1."""
    if k < 0 or (k + 1) % thin != 0:
        return -1
    return (k + 1) // thin - 1


@numba.njit(cache=True)
def _record(r, k, L, Lo, S, O, E, group, out_G, out_O, out_E):
    """Store replica r's group sums, observable sums and energy as sample k (``S[r, :L]``
    and ``O[r, :Lo]`` hold its sums; rows past them are padding)."""
    for g in range(out_G.shape[2]):
        out_G[r, k, g] = 0
    for l in range(L):
        out_G[r, k, group[l]] += S[r, l, 0]
    for l in range(Lo):
        out_O[r, k, l] = O[r, l, 0]
    out_E[r, k] = E[r]


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
