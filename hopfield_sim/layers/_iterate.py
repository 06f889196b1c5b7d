"""The retrieval iteration shared by ``retrieve`` and the modules (explicit weights).

Precision: scores ``z.k``, the separation and the convergence test run in the accumulation
dtype (:func:`acc_dtype`: float32 for 16-bit inputs, else the input dtype); matrix products
take 16-bit operands with float32 accumulation; states and outputs come back in the
computation dtype.

Memory under ``jax.grad``: the loop carries the (scaled) state ``z`` (..., L, H, d), never the
weights (..., H, L, S), and with ``remat=True`` each update is a ``jax.checkpoint`` inside a
``lax.scan``: the backward pass recomputes one update at a time from its saved state, so the
(H, L, S) arrays of only one update are alive at once, whatever the number of steps (cost:
one extra forward association per update in the backward pass). ``remat=False`` unrolls up
to 8 updates (XLA fuses across them) and keeps every update's weights for the backward pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from hopfield_sim.layers import separation as _sep
from hopfield_sim.layers._dtypes import acc_dtype

_UNROLL = 8  # up to this many updates are unrolled (XLA fuses across them); more use scan


def _einsum_acc(spec: str, a: jax.Array, b: jax.Array) -> jax.Array:
    """``einsum`` accumulated in the accumulation dtype of ``b``.

    16-bit operands stay 16-bit (tensor cores) with a float32 result, except on CPU, whose
    XLA runtime has no bfloat16 x bfloat16 -> float32 dot for large operands: there the
    operands are upcast (CPU has no 16-bit matmul speed to lose).
    """
    acc = acc_dtype(b.dtype)
    if acc != b.dtype and jax.default_backend() == "cpu":
        return jnp.einsum(spec, a.astype(acc), b.astype(acc))
    return jnp.einsum(spec, a, b, preferred_element_type=acc)


def scores(z: jax.Array, k: jax.Array, bias: jax.Array | None) -> jax.Array:
    """``z . k`` per head, (..., L, H, d) x (..., S, H, d) -> (..., H, L, S), accumulated."""
    s = _einsum_acc("...lhd,...shd->...hls", z, k)
    return s if bias is None else s + bias.astype(s.dtype)


def mix(w: jax.Array, x: jax.Array, scale: jax.Array | None = None) -> jax.Array:
    """``(w @ x) * scale`` per head, (..., H, L, S) x (..., S, H, d) -> (..., L, H, d).

    ``w`` is rounded to ``x``'s dtype, the product accumulates (and is scaled) in the
    accumulation dtype and comes back in ``x``'s dtype.
    """
    out = _einsum_acc("...hls,...shd->...lhd", w.astype(x.dtype), x)
    return (out if scale is None else out * scale).astype(x.dtype)


def resolve_remat(remat: bool | None, T: int) -> bool:
    """``remat=None`` (automatic): rematerialise off CPU (accelerator memory is the limit)
    and for long iterations (T > 8) everywhere; on CPU with up to 8 updates, unroll instead
    (XLA fuses across updates; rematerialising cost ~20% of forward + backward time at 3
    updates in ``benchmarks/bench_layers.py``)."""
    if remat is not None:
        return bool(remat)
    return jax.default_backend() != "cpu" or T > _UNROLL


def static_schedule(max_h: np.ndarray, eps_h: np.ndarray, T: int) -> bool:
    """True when the schedule is static: every entry does exactly T updates."""
    return bool(np.all(np.asarray(eps_h) == 0) and np.all(np.asarray(max_h) == T))


def step_schedule(update_steps_max, update_steps_eps, limit: int, num_heads: int):
    """Static number of updates T, per-head maxima (int32, (H,)) and tolerances ((H,)).

    ``None`` or a negative per-head entry means "until converged", capped at ``limit``.
    """
    if update_steps_max is None:
        max_h = np.full(num_heads, -1)
    else:
        max_h = np.broadcast_to(np.atleast_1d(np.asarray(update_steps_max)), (num_heads,))
    unlimited = max_h < 0
    T = int(limit) if np.any(unlimited) else int(np.max(max_h))
    max_h = np.where(unlimited, np.iinfo(np.int32).max, max_h).astype(np.int32)
    eps_h = np.broadcast_to(np.atleast_1d(np.asarray(update_steps_eps, dtype=float)), (num_heads,))
    return T, max_h, eps_h


def loop(step: Callable, carry, T: int, *, skip_when_done: bool = False, unroll: bool = True):
    """Apply ``carry <- step(t, carry)`` for t = 1..T: unrolled if ``unroll`` and short,
    else a ``lax.scan`` (with ``skip_when_done``, steps are skipped by ``lax.cond`` once no
    entry is active, ``carry[2]``).

    Rematerialised steps must run in a scan: in unrolled straight-line code XLA schedules
    the recomputations early and memory grows with T again (measured on CPU).
    """
    if T <= 1 or (unroll and T <= _UNROLL):
        for t in range(1, T + 1):
            carry = step(t, carry)
        return carry

    def body(c, t):
        if not skip_when_done:
            return step(t, c), None
        return jax.lax.cond(jnp.any(c[2]), lambda c: step(t, c), lambda c: c, c), None

    carry, _ = jax.lax.scan(body, carry, jnp.arange(1, T + 1))
    return carry


def iterate(
    q0: jax.Array,
    k: jax.Array,
    sep,
    *,
    mask: jax.Array | None,
    bias: jax.Array | None,
    beta_state: jax.Array,
    max_steps: jax.Array,
    eps: jax.Array,
    T: int,
    shared_axes: tuple[int, ...] = (),
    every_step: bool = False,
    remat: bool = True,
):
    """Run the retrieval iteration; return (weights, steps, converged).

    ``converged`` is None where no convergence test ran: a static schedule
    (``every_step``) or no update at all (``T == 0``, one association step: attention).

    ``q0`` (..., L, H, d) is the first state already multiplied by beta; later states are
    ``weights @ k`` multiplied by ``beta_state`` (broadcastable to (..., L, H, d)).
    ``max_steps``/``eps`` broadcast to (..., H). An entry (batch..., head) stops for good
    once it did ``max_steps`` updates or its weights changed by at most ``eps`` (Frobenius
    norm over (L, S)); with ``shared_axes`` the change is maximised over those batch axes
    first, so the whole group stops together (the reference package's rule).
    ``every_step=True`` (the caller knows that every eps is 0 and every maximum is T)
    skips the bookkeeping. Weights are returned in the accumulation dtype. The stopping
    decisions carry no gradient.
    """

    def associate(z):
        return sep(scores(z, k, bias), mask)

    def advance(z):  # one update of the state; returns (weights of z, next state)
        w = associate(z)
        return w, mix(w, k, beta_state)

    if remat:
        advance = jax.checkpoint(advance, prevent_cse=False)  # in a scan: no CSE risk

    if every_step:  # static schedule: every entry does all T updates, nothing to track
        z = loop(lambda t, z: advance(z)[1], q0, T, unroll=not remat)
        w = associate(z)
        return w, jnp.full(w.shape[:-2], T, jnp.int32), None

    acc = acc_dtype(q0.dtype)
    batch = jnp.broadcast_shapes(q0.shape[:-3] + (q0.shape[-2],), k.shape[:-3] + (k.shape[-2],))
    max_steps = jnp.broadcast_to(max_steps, batch)
    eps2 = jnp.broadcast_to(jnp.asarray(eps, dtype=acc) ** 2, batch)
    steps = jnp.zeros(batch, jnp.int32)
    if T == 0:
        return associate(q0), steps, None
    converged = jnp.zeros(batch, bool)

    def check(t, w, w_prev, active, steps, converged):
        """Bookkeeping of update t (its weights w): count, test, decide whether to go on."""
        d2 = jnp.sum((jax.lax.stop_gradient(w) - w_prev) ** 2, axis=(-2, -1))
        if shared_axes:
            d2 = jnp.broadcast_to(jnp.max(d2, axis=shared_axes, keepdims=True), batch)
        small = d2 <= eps2
        converged = converged | (active & small)
        steps = steps + active.astype(jnp.int32)
        return active & (t < max_steps) & ~small, steps, converged

    # carry: (state z whose association comes next, weights of the previous state (no
    # gradient), active, steps, converged). An entry's z stops changing once it is inactive,
    # so the association of the final z is its last accepted update.
    w0, z1 = advance(q0)
    active = max_steps > 0
    z = jnp.where(_lhd(active), z1, q0)
    carry = (z, jax.lax.stop_gradient(w0), active, steps, converged)

    def step(t, carry):  # updates t = 1..T-1: associate z (update t), propose update t+1
        z, w_prev, active, steps, converged = carry
        w, z_next = advance(z)
        go_on, steps, converged = check(t, w, w_prev, active, steps, converged)
        z = jnp.where(_lhd(go_on), z_next, z)
        return z, jax.lax.stop_gradient(w).astype(acc), go_on, steps, converged

    z, w_prev, active, steps, converged = loop(
        step, carry, T - 1, skip_when_done=True, unroll=not remat
    )
    w = associate(z)  # update T (or the last accepted one): its weights carry the gradient
    _, steps, converged = check(T, w, w_prev, active, steps, converged)
    return w, steps, converged


def _lhd(flag: jax.Array) -> jax.Array:
    """(..., H) -> (..., 1, H, 1), to select states (..., L, H, d) per entry and head."""
    return flag[..., None, :, None]


@functools.partial(
    jax.jit, static_argnames=("separation", "T", "shared_axes", "every_step", "remat")
)
def iterate_named(
    q0,
    k,
    alpha,
    mask,
    bias,
    beta_state,
    max_steps,
    eps,
    *,
    separation,
    T,
    shared_axes=(),
    every_step=False,
    remat=True,
):
    """Jitted :func:`iterate` with the separation given by name (``alpha`` for entmax)."""
    return iterate(
        q0,
        k,
        _sep.get(separation, alpha),
        mask=mask,
        bias=bias,
        beta_state=beta_state,
        max_steps=max_steps,
        eps=eps,
        T=T,
        shared_axes=shared_axes,
        every_step=every_step,
        remat=remat,
    )
