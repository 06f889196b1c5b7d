"""The JAX engine of ``sample(..., engine="jax")``: single-spin heat-bath / Metropolis sweeps
vectorised over all chains (thousands on a GPU), with the same energies, records and Dataset
as the Numba engine. Imported only when ``engine="jax"`` is asked for.

- Overlaps are tracked as integers (int32 where :func:`montecarlo._energy.sums_dtype` allows
  it, else int64), energy changes use the same routes as the Numba kernels: the integer dot
  product (P = 2), the closed-form polynomial ``D(y)`` (+-1 weights) or two table lookups.
- Randomness is counter-based: the key of replica ``r`` in sweep ``t`` is
  ``fold_in(fold_in(root, r), t)``, split into the sites and the uniforms of that sweep.
  A chain's numbers therefore do not depend on the device, on the number of chains run
  together or on how they are batched. They differ from the Numba engine's xoshiro streams:
  the two engines agree in distribution, not sample by sample.
- Runs in float64 (scoped, the user's JAX precision setting is untouched).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np

from montecarlo import _kernels

STEPS = 100  # pieces a run is split into when a progress bar is shown


@contextlib.contextmanager
def _float64() -> Iterator[None]:
    """Scoped double precision (restores the previous setting on exit)."""
    if hasattr(jax, "enable_x64"):
        ctx = jax.enable_x64(True)
    else:  # pragma: no cover - older JAX
        from jax.experimental import enable_x64 as ctx_factory

        ctx = ctx_factory()
    with ctx:
        yield


def supported(terms) -> bool:
    """The JAX engine covers the table mode (every P = 2 model, +-1 weights at any P, the
    plain form); the power mode (real-valued weights at P >= 4, distinct indices) is Numba's."""
    return terms.mode == _kernels.MODE_TABLE


def _dense_rows(storage) -> np.ndarray:
    """Weights as a dense (N, L) array (sparse rows scattered; zeros where absent)."""
    N = storage.indptr.size - 1
    L = storage.n_terms
    if storage.dense:
        return storage.val.reshape(N, L)
    out = np.zeros((N, L), dtype=storage.val.dtype)
    rows = np.repeat(np.arange(N), np.diff(storage.indptr))
    out[rows, storage.idx] = storage.val
    return out


def _delta(route, s, w, S, rsq, tab, off, q4):
    """Energy changes (R,) of flipping spins with values ``s`` (R,) and weight rows ``w``
    (R, L), given sums ``S`` (R, L); ``route`` as in :func:`montecarlo._kernels.table_delta`."""
    if route == _kernels.FAST_QUADRATIC:
        dot = jnp.sum(w * S, axis=1)
        return q4 * (rsq - s * dot).astype(jnp.float64)
    if route == _kernels.FAST_UNIT:
        y = (w * s[:, None] * S).astype(jnp.float64)
        return jnp.sum(jnp.polyval(tab[::-1], y), axis=1)
    after = jnp.take(tab, S - 2 * w * s[:, None] + off)
    return jnp.sum(after - jnp.take(tab, S + off), axis=1)


def _accept(dh, beta, u, dynamics):
    """The acceptance rules of :func:`montecarlo._kernels.accept`, elementwise (written with
    the exponential of ``beta * dh``; the Numba kernel compares ``beta * dh`` with the same
    decision's threshold on ``u``, which differs only where rounding decides)."""
    glauber = u * (1.0 + jnp.exp(beta * dh)) < 1.0
    metropolis = (dh <= 0.0) | (u < jnp.exp(-beta * dh))
    zero_t = (dh < 0.0) | ((dh == 0.0) & (u < 0.5))
    return jnp.where(
        dynamics == _kernels.GLAUBER,
        glauber,
        jnp.where(dynamics == _kernels.METROPOLIS, metropolis, zero_t),
    )


@functools.partial(jax.jit, static_argnames=("route", "order", "records", "n_groups"))
def _advance(state, t0, n_burn, thin, consts, *, route, order, records, n_groups):
    """From global sweep index ``t0``: ``n_burn`` sweeps, then ``records`` blocks of ``thin``
    sweeps, each followed by a record (group sums, observable sums, energy, two-chain
    overlaps). Only the shapes, the route, the order and ``records`` are compiled in."""
    W, X, rsq, tab, off, q4, h0, table, beta, dynamics, key, group, ra, rb = consts
    sigma, S, O = state
    R, N = sigma.shape
    rows = jnp.arange(R)
    replica_keys = jax.vmap(lambda r: jax.random.fold_in(key, r))(rows)

    def sweep(t, st):
        keys = jax.vmap(lambda k: jax.random.fold_in(k, t))(replica_keys)
        pairs = jax.vmap(lambda k: jax.random.split(k))(keys)
        if order == _kernels.ORDER_RANDOM:
            sites = jax.vmap(lambda k: jax.random.randint(k, (N,), 0, N))(pairs[:, 0])
        else:
            sites = jnp.broadcast_to(jnp.arange(N), (R, N))
        us = jax.vmap(lambda k: jax.random.uniform(k, (N,), jnp.float64))(pairs[:, 1])

        def attempt(n, st):
            sigma, S, O = st
            i = sites[:, n]
            s = sigma[rows, i].astype(S.dtype)
            w = W[i].astype(S.dtype)
            dh = _delta(route, s, w, S, rsq[i], tab, off, q4)
            ok = _accept(dh, beta, us[:, n], dynamics)
            f = jnp.where(ok, 2 * s, 0)
            S = S - f[:, None] * w
            O = O - f[:, None].astype(O.dtype) * X[i].astype(O.dtype)
            sigma = sigma.at[rows, i].set(jnp.where(ok, -s, s).astype(sigma.dtype))
            return sigma, S, O

        return jax.lax.fori_loop(0, N, attempt, st)

    st = jax.lax.fori_loop(t0, t0 + n_burn, sweep, (sigma, S, O))

    def block(st, k):
        start = t0 + n_burn + k * thin
        st = jax.lax.fori_loop(start, start + thin, sweep, st)
        sigma, S, O = st
        G = jnp.zeros((R, n_groups), S.dtype).at[:, group].add(S)
        a = sigma[ra].astype(jnp.int32)
        q = jnp.sum(a * sigma[rb].astype(jnp.int32), axis=1) / N
        E = h0 + jnp.sum(jnp.take(table, S + off), axis=1)
        return st, (G, O, E, q)

    return jax.lax.scan(block, st, jnp.arange(records))


def run(
    net, sigma, S, O, betas, dynamics, order, key_words, burn_in, sweeps, thin, pairs, progress
):
    """Run all replicas ``r = b * chains + c``; returns ``(sigma, G, O, E, Q)`` as NumPy
    arrays: final states, group sums and observable sums (R, records, .), energies
    (R, records) and two-chain overlaps (n_beta, n_pairs, records).

    ``key_words``: two uint32 words of the root key (from the run's SeedSequence);
    ``pairs = (n_beta, chains, pair_a, pair_b)``.
    """
    n_beta, chains, pa, pb = pairs
    ra = (np.arange(n_beta)[:, None] * chains + pa[None, :]).ravel()
    rb = (np.arange(n_beta)[:, None] * chains + pb[None, :]).ravel()
    t, st, ob = net._terms, net._storage, net._obs
    W = _dense_rows(st)
    X = _dense_rows(ob) if ob.n_terms else np.zeros((net.N, 0), np.int8)
    rsq = t.rowsq if t.fast == _kernels.FAST_QUADRATIC else np.zeros(net.N, np.int64)
    route = t.fast
    tab = t.dpoly if route == _kernels.FAST_UNIT else t.table
    records = sweeps // thin
    with _float64():
        key = jax.random.wrap_key_data(jnp.asarray(key_words, dtype=jnp.uint32))
        consts = (
            jnp.asarray(W),
            jnp.asarray(X),
            jnp.asarray(rsq),
            jnp.asarray(tab),
            int(t.off),
            float(t.q4),
            float(t.h0),
            jnp.asarray(t.table),
            jnp.asarray(betas),
            jnp.asarray(dynamics),
            key,
            jnp.asarray(net._group),
            jnp.asarray(ra),
            jnp.asarray(rb),
        )
        state = (jnp.asarray(sigma), jnp.asarray(S[:, :, 0]), jnp.asarray(O[:, :, 0]))
        static = dict(route=route, order=order, n_groups=net.K)
        bar = _bar(burn_in + sweeps) if progress else None
        chunk = records if bar is None else max(1, -(-records // STEPS))
        parts = []
        done = 0
        while done < records:
            n = min(chunk, records - done)
            burn = burn_in if done == 0 else 0
            t0 = 0 if done == 0 else burn_in + done * thin
            state, rec = _advance(state, t0, burn, thin, consts, records=n, **static)
            parts.append([np.asarray(x) for x in rec])
            done += n
            if bar is not None:
                bar.update(burn + n * thin)
        if bar is not None:
            bar.close()
        G, Ob, E, Q = (np.concatenate([p[j] for p in parts]) for j in range(4))
        sigma_out = np.asarray(state[0])
    Q = Q.T.reshape(n_beta, pa.size, records)
    return sigma_out, np.swapaxes(G, 0, 1), np.swapaxes(Ob, 0, 1), E.T, Q


def _bar(total: int):
    import sys

    from tqdm.auto import tqdm

    return tqdm(total=total, unit="sweep", file=sys.stderr, desc="sample (jax)")
