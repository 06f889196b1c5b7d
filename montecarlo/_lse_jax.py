"""The JAX engine of ``sample_lse(..., engine="jax")``: the same Metropolis pair-rotation
chains on the N-sphere as montecarlo._lse_kernels, vectorised over all chains (``vmap``; a
GPU runs thousands together). Imported only when ``engine="jax"`` is asked for.

- Same move, same acceptance rule, same step adaptation during burn-in, same records
  (montecarlo._lse_kernels.run_chain); overlaps are updated in O(M) per move and recomputed
  from scratch (with the norm) at the start of every sweep.
- Randomness is counter-based (threefry): the key of chain ``c`` in sweep ``t`` of stage
  ``k`` (a temperature of the schedule) is ``fold_in(fold_in(fold_in(root, k), c), t)``, split
  into the pair indices, the angles and the acceptance uniforms of that sweep. A chain's
  numbers do not depend on the device or on how many chains run together; they differ from
  the Numba engine's xoshiro streams, so the engines agree in distribution, not sample by
  sample (tests/montecarlo/test_lse_jax.py).
- Runs in float64 (scoped; the user's JAX precision setting is untouched).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from montecarlo._jax_engine import _float64
from montecarlo._lse_kernels import ACCEPT_TARGET


def _energy(h, b, N, log_bulk, kind):
    """H from the overlaps h (M,) (montecarlo._lse_kernels.energy)."""
    if kind == 0:
        return N - jnp.logaddexp(jax.scipy.special.logsumexp(b * h), log_bulk) / b
    s = jnp.sum(jnp.maximum(0.0, 1.0 - b + b * h / N))
    return jnp.where(s > 0.0, -(N / b) * jnp.log(jnp.where(s > 0.0, s, 1.0)), jnp.inf)


def _chain(x, delta, xi, log_bulk, key, b, beta, burn, sweeps, kind):
    """``burn`` + ``sweeps`` sweeps of one chain; xi (M, N). Returns (x, delta, stats)."""
    N = x.shape[0]

    def move(n, carry):
        x, h, cur, acc, draws = carry
        i, j, theta, u = draws[0][n], draws[1][n], draws[2][n], draws[3][n]
        c, s = jnp.cos(theta), jnp.sin(theta)
        dxi = (c - 1.0) * x[i] - s * x[j]
        dxj = s * x[i] + (c - 1.0) * x[j]
        buf = h + xi[:, i] * dxi + xi[:, j] * dxj
        new = _energy(buf, b, N, log_bulk, kind)
        dH = new - cur
        ok = (dH <= 0.0) | (u < jnp.exp(-beta * jnp.maximum(dH, 0.0)))
        x = x.at[i].add(jnp.where(ok, dxi, 0.0)).at[j].add(jnp.where(ok, dxj, 0.0))
        return (x, jnp.where(ok, buf, h), jnp.where(ok, new, cur), acc + ok, draws)

    def sweep(t, carry):
        x, delta, stats = carry
        k1, k2, k3, k4 = jax.random.split(jax.random.fold_in(key, t), 4)
        i = jax.random.randint(k1, (N,), 0, N)
        j = jax.random.randint(k2, (N,), 0, N - 1)
        j = jnp.where(j >= i, j + 1, j)
        theta = delta * (2.0 * jax.random.uniform(k3, (N,), jnp.float64) - 1.0)
        u = jax.random.uniform(k4, (N,), jnp.float64)
        x = x * jnp.sqrt(N / jnp.dot(x, x))
        h = xi @ x
        cur = _energy(h, b, N, log_bulk, kind)
        x, h, cur, acc, _ = jax.lax.fori_loop(0, N, move, (x, h, cur, 0, (i, j, theta, u)))
        adapted = jnp.clip(delta * jnp.exp(acc / N - ACCEPT_TARGET), 1e-6, math.pi)
        phi = h[0] / N
        uN = cur / N
        rec = jnp.array([phi, phi * phi, uN, uN * uN, acc, N, jnp.max(h) / N, 0.0])
        measured = t >= burn
        stats = jnp.where(measured, stats + rec, stats)
        stats = stats.at[7].set(jnp.where(measured, jnp.minimum(stats[7], phi), stats[7]))
        return x, jnp.where(measured, delta, adapted), stats

    stats = jnp.zeros(8).at[7].set(jnp.inf)
    return jax.lax.fori_loop(0, burn + sweeps, sweep, (x, delta, stats))


@functools.partial(jax.jit, static_argnames=("kind",))
def _run(x, delta, xi, log_bulk, sample_of, keys, b, beta, burn, sweeps, *, kind):
    """All chains (vmap); compiled once per shape and ``kind`` (sweep counts are traced)."""
    def one(xc, dc, s, key):
        return _chain(xc, dc, xi[s], log_bulk[s], key, b, beta, burn, sweeps, kind)

    return jax.vmap(one)(x, delta, sample_of, keys)


def root_key(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """Two uint32 words of the run's root key (threefry), from its SeedSequence."""
    return seed_sequence.generate_state(2, dtype=np.uint32)


def run_chains(x, xi, log_bulk, sample_of, b, beta, delta, burn, sweeps, words, stage, kind):
    """All chains through one stage (one temperature) of the schedule, in place on ``x`` and
    ``delta`` (NumPy, (C, N) and (C,)); xi (samples, M, N). Returns stats (C, 8) as
    montecarlo._lse_kernels.run_chains fills them."""
    with _float64():
        root = jax.random.wrap_key_data(jnp.asarray(words, dtype=jnp.uint32))
        base = jax.random.fold_in(root, stage)
        keys = jax.vmap(lambda c: jax.random.fold_in(base, c))(jnp.arange(x.shape[0]))
        xo, do, stats = _run(jnp.asarray(x), jnp.asarray(delta), jnp.asarray(xi),
                             jnp.asarray(log_bulk), jnp.asarray(sample_of), keys, float(b),
                             float(beta), int(burn), int(sweeps), kind=int(kind))
        x[...] = np.asarray(xo)
        delta[...] = np.asarray(do)
        return np.asarray(stats)
