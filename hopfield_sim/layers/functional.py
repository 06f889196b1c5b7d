"""Functional core of modern Hopfield retrieval: ``retrieve`` and ``energy``.

Notation (MODELS.md §7): stored patterns (keys) ``x_1..x_S``, a state (query) ``xi``,
inverse temperature ``beta``. One retrieval update is

    xi  <-  X sep(beta X^T xi),

the CCCP step of the energy ``E(xi) = -Psi*(beta X^T xi)/beta + xi.xi/2`` of the separation
``sep`` (``Psi*`` its convex conjugate, :func:`hopfield_sim.layers.separation.conjugate`),
so E never increases along the iteration. With softmax, one step is scaled dot-product
attention ``softmax(beta Q K^T) V``.

Layout follows ``jax.nn.dot_product_attention``: arrays are ``[batch..., length, heads,
depth]`` and weights ``[batch..., heads, L, S]``.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from hopfield_sim.layers import _validate
from hopfield_sim.layers import separation as _sep

__all__ = ["Retrieval", "retrieve", "energy"]


class Retrieval(NamedTuple):
    """Everything one retrieval produced.

    Attributes
    ----------
    output : array, shape (..., L, H, dv)
        Retrieved values, ``sep(...) @ V`` per head.
    weights : array, shape (..., H, L, S)
        Association (retrieval) weights of the last update each entry performed.
    state : array, shape (..., L, H, d)
        The retrieved pattern in the association space, ``weights @ K`` (the next state).
    steps : int32 array, shape (..., H)
        Number of updates performed after the first association (0 = one step only).
    converged : bool array, shape (..., H)
        True where the iteration stopped because the change of the weights fell to
        ``update_steps_eps`` or below (False where it stopped at ``update_steps_max``).
    """

    output: jax.Array
    weights: jax.Array
    state: jax.Array
    steps: jax.Array
    converged: jax.Array


_UNROLL = 8


def static_schedule(max_h: np.ndarray, eps_h: np.ndarray, T: int) -> bool:
    """True when the schedule is static: every entry does exactly T updates."""
    return bool(np.all(np.asarray(eps_h) == 0) and np.all(np.asarray(max_h) == T))


def use_dot_product_attention() -> bool:
    """One step via ``jax.nn.dot_product_attention`` off CPU (cuDNN etc.); on CPU the
    explicit einsum-softmax form is as fast forward and ~1.5x faster forward+backward."""
    return jax.default_backend() != "cpu"


def _scores(q: jax.Array, k: jax.Array, bias: jax.Array | None) -> jax.Array:
    z = jnp.einsum("...lhd,...shd->...hls", q, k)
    return z if bias is None else z + bias


def step_schedule(update_steps_max, update_steps_eps, limit: int, num_heads: int):
    """Static number of scan steps T, per-head maxima (int32, (H,)) and tolerances ((H,)).

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
):
    """Run the retrieval iteration; return (weights, steps, converged).

    ``q0`` (..., L, H, d) is the first state already multiplied by beta; later states are
    ``weights @ k`` multiplied by ``beta_state`` (broadcastable to (..., L, H, d)).
    ``max_steps``/``eps`` broadcast to (..., H). An entry (batch..., head) stops for good
    once it did ``max_steps`` updates or its weights changed by at most ``eps`` (Frobenius
    norm over (L, S)); with ``shared_axes`` the change is maximised over those batch axes
    first, so the whole group stops together (the reference package's rule).
    ``every_step=True`` (the caller knows that every eps is 0 and every maximum is T)
    skips the bookkeeping. Up to ``_UNROLL`` steps are unrolled; longer runs use
    ``lax.scan`` (reverse-differentiable), skipping steps by ``lax.cond`` once every entry
    stopped.
    """
    w = sep(_scores(q0, k, bias), mask)
    batch = w.shape[:-2]
    max_steps = jnp.broadcast_to(max_steps, batch)
    eps2 = jnp.broadcast_to(jnp.asarray(eps, dtype=w.dtype) ** 2, batch)
    steps = jnp.zeros(batch, jnp.int32)
    converged = jnp.zeros(batch, bool)
    if T == 0:
        return w, steps, converged
    if every_step:  # static schedule: every entry does all T updates, nothing to track

        def plain(w, _=None):
            xi = jnp.einsum("...hls,...shd->...lhd", w, k) * beta_state
            return sep(_scores(xi, k, bias), mask), None

        if T <= _UNROLL:
            for _ in range(T):
                w, _ = plain(w)
        else:
            w, _ = jax.lax.scan(plain, w, None, length=T)
        return w, jnp.full(batch, T, jnp.int32), converged

    def update(t, carry):
        w, active, steps, converged = carry
        xi = jnp.einsum("...hls,...shd->...lhd", w, k) * beta_state
        w_new = sep(_scores(xi, k, bias), mask)
        d2 = jax.lax.stop_gradient(jnp.sum((w_new - w) ** 2, axis=(-2, -1)))
        if shared_axes:
            d2 = jnp.broadcast_to(jnp.max(d2, axis=shared_axes, keepdims=True), batch)
        w = jnp.where(active[..., None, None], w_new, w)
        small = d2 <= eps2
        converged = converged | (active & small)
        steps = steps + active.astype(jnp.int32)
        active = active & (t < max_steps) & ~small
        return w, active, steps, converged

    carry = (w, max_steps > 0, steps, converged)
    if T <= _UNROLL:  # short: unrolled, XLA fuses across steps
        for t in range(1, T + 1):
            carry = update(t, carry)
    else:  # long (e.g. "until converged"): scan, skipping steps once every entry stopped

        def body(carry, t):
            skip = jnp.any(carry[1])
            return jax.lax.cond(skip, lambda c: update(t, c), lambda c: c, carry), None

        carry, _ = jax.lax.scan(body, carry, jnp.arange(1, T + 1))
    w, _, steps, converged = carry
    return w, steps, converged


@functools.partial(jax.jit, static_argnames=("separation", "T", "shared_axes", "every_step"))
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
    )


def attention_fast(q0, k, v, mask, bias, *, zero_row: bool) -> jax.Array:
    """One softmax step through ``jax.nn.dot_product_attention`` (q0 already scaled).

    ``zero_row`` appends a zero key and value (softmax_1). Fully masked rows give 0.
    """
    if v.shape[-1] != k.shape[-1]:  # dot_product_attention needs equal depths
        sep = _sep.softmax_1 if zero_row else _sep.softmax
        w = sep(_scores(q0, k, bias), mask)
        return jnp.einsum("...hls,...shd->...lhd", w, v)
    batch = q0.shape[:-3]
    L, H = q0.shape[-3], q0.shape[-2]
    S = k.shape[-3]
    flat = lambda a: a.reshape((-1,) + a.shape[-3:])  # noqa: E731
    q, kk, vv = (
        flat(q0),
        flat(jnp.broadcast_to(k, batch + k.shape[-3:])),
        flat(jnp.broadcast_to(v, batch + v.shape[-3:])),
    )
    m = None if mask is None else jnp.broadcast_to(mask, batch + (H, L, S)).reshape((-1, H, L, S))
    b = None if bias is None else jnp.broadcast_to(bias, batch + (H, L, S)).reshape((-1, H, L, S))
    if zero_row:
        kk = jnp.concatenate([kk, jnp.zeros_like(kk[:, :1])], axis=1)
        vv = jnp.concatenate([vv, jnp.zeros_like(vv[:, :1])], axis=1)
        if m is not None:
            m = jnp.concatenate([m, jnp.ones_like(m[..., :1])], axis=-1)
        if b is not None:
            b = jnp.concatenate([b, jnp.zeros_like(b[..., :1])], axis=-1)
    out = jax.nn.dot_product_attention(q, kk, vv, bias=b, mask=m, scale=1.0)
    if mask is not None and not zero_row:
        anyk = jnp.any(m, axis=-1)  # (B, H, L)
        out = jnp.where(jnp.swapaxes(anyk, -1, -2)[..., None], out, 0.0)
    return out.reshape(batch + out.shape[1:])


def retrieve(
    query: jax.Array,
    keys: jax.Array,
    values: jax.Array | None = None,
    *,
    beta: float | jax.Array | None = None,
    separation: str = "softmax",
    alpha: float | jax.Array | None = None,
    mask: jax.Array | None = None,
    bias: jax.Array | None = None,
    update_steps_max: int | list[int] | None = 0,
    update_steps_eps: float | list[float] = 1e-4,
    update_steps_limit: int = 100,
    heads: bool = True,
    mask_convention: str = "jax",
    dropout_rate: float = 0.0,
    dropout_rng: jax.Array | None = None,
    return_info: bool = False,
) -> jax.Array | Retrieval:
    """Modern Hopfield retrieval ``xi <- K^T sep(beta K xi)``, then ``sep(...) @ V``.

    Parameters
    ----------
    query : array, shape (..., L, H, d)
        State patterns xi (one per query position and head). With ``heads=False`` the
        shape is (..., L, d).
    keys : array, shape (..., S, H, d)
        Stored patterns x_1..x_S. Batch axes broadcast against ``query``'s.
    values : array, shape (..., S, H, dv), optional
        What the weights retrieve; default ``keys`` (pure pattern retrieval).
    beta : float or array broadcastable to (..., H), optional
        Inverse temperature (> 0), per batch entry and/or head; default ``1/sqrt(d)``.
    separation : {"softmax", "softmax_1", "sparsemax", "entmax"}
        Separation function (see :mod:`hopfield_sim.layers.separation`).
    alpha : float or array, optional
        Entmax order (> 1), default 1.5; only used by ``"entmax"``; differentiable.
    mask : bool array broadcastable to (..., H, L, S), optional
        Which associations are allowed. ``mask_convention="jax"`` (default): ``True``
        keeps (as ``jax.nn.dot_product_attention``); ``"reference"``: ``True`` excludes
        (hopfield-layers / PyTorch). A query row with nothing allowed retrieves 0.
    bias : array broadcastable to (..., H, L, S), optional
        Added to the scores ``beta xi.x`` at every step.
    update_steps_max : int, list of int per head, or None
        Updates after the first association (0 = one step, i.e. attention); ``None`` or
        a negative per-head entry: until converged, at most ``update_steps_limit``.
    update_steps_eps : float or list of float per head
        An entry stops when the Frobenius norm of its weight change is <= this.
    heads : bool
        False when the arrays have no heads axis.
    dropout_rate, dropout_rng
        Dropout on the final weights (inverted scaling), needs a PRNG key when > 0.
    return_info : bool
        Return a :class:`Retrieval` (output, weights, state, steps, converged) instead
        of the output only.

    Returns
    -------
    array (..., L, H, dv) or Retrieval
        The retrieved values (heads axis dropped when ``heads=False``).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> X = jnp.array([[1.0, 1, -1, -1], [1, -1, 1, -1], [-1, 1, 1, -1]])
    >>> xi = jnp.array([[0.9, 0.8, -1.1, -0.7]])      # noisy copy of pattern 0
    >>> out = retrieve(xi, X, beta=8.0, heads=False, update_steps_max=3)
    >>> bool(jnp.allclose(out, X[0], atol=1e-3))
    True
    """
    _validate.array("query", query, min_ndim=2 if not heads else 3)
    _validate.array("keys", keys, min_ndim=2 if not heads else 3)
    if values is None:
        values = keys
    _validate.array("values", values, min_ndim=2 if not heads else 3)
    if not heads:
        query, keys, values = query[..., None, :], keys[..., None, :], values[..., None, :]
    _validate.same(
        ["query", "keys"],
        [query.shape[-1:], keys.shape[-1:]],
        "query and keys must share the last axis d",
    )
    _validate.same(
        ["query", "keys", "values"],
        [query.shape[-2:-1], keys.shape[-2:-1], values.shape[-2:-1]],
        "query, keys and values must have the same number of heads H (axis -2)",
    )
    _validate.same(
        ["keys", "values"],
        [keys.shape[-3:-2], values.shape[-3:-2]],
        "keys and values must have the same number of stored patterns S (axis -3)",
    )
    try:
        batch = np.broadcast_shapes(query.shape[:-3], keys.shape[:-3], values.shape[:-3])
    except ValueError:
        raise ValueError(
            "the batch axes of query, keys and values must broadcast; got query "
            f"{tuple(query.shape)}, keys {tuple(keys.shape)}, values {tuple(values.shape)}."
        ) from None
    H, L, S, d = query.shape[-2], query.shape[-3], keys.shape[-3], query.shape[-1]
    _validate.separation(separation, alpha)
    if mask_convention not in ("jax", "reference"):
        raise ValueError(f"mask_convention must be 'jax' or 'reference'; got {mask_convention!r}.")
    if mask is not None:
        _validate.mask("mask", mask, batch + (H, L, S), "(..., H, L, S) =")
        mask = mask if mask_convention == "jax" else ~mask
    if bias is not None:
        try:
            np.broadcast_shapes(tuple(bias.shape), batch + (H, L, S))
        except ValueError:
            raise ValueError(
                f"bias with shape {tuple(bias.shape)} does not broadcast to (..., H, L, S) = "
                f"{batch + (H, L, S)}."
            ) from None
    if beta is None:
        beta = 1.0 / math.sqrt(d)
    _validate.positive("beta", beta)
    _validate.steps(update_steps_max, update_steps_eps, H)
    if not 0.0 <= dropout_rate < 1.0:
        raise ValueError(f"dropout_rate must lie in [0, 1); got {dropout_rate!r}.")
    if dropout_rate > 0 and dropout_rng is None:
        raise ValueError("dropout_rate > 0 needs dropout_rng (a jax.random key).")

    T, max_h, eps_h = step_schedule(update_steps_max, update_steps_eps, update_steps_limit, H)
    fast = (
        separation in ("softmax", "softmax_1")
        and T == 0
        and not return_info
        and dropout_rate == 0.0
        and query.dtype != jnp.float64  # dot_product_attention's softmax runs in float32
        and use_dot_product_attention()
    )
    beta = jnp.broadcast_to(jnp.asarray(beta, dtype=query.dtype), batch + (H,))
    a = None if separation != "entmax" else jnp.asarray(1.5 if alpha is None else alpha)
    res = _retrieve(
        query,
        keys,
        values,
        beta,
        a,
        mask,
        bias,
        jnp.asarray(max_h),
        jnp.asarray(eps_h, dtype=query.dtype),
        dropout_rng,
        separation=separation,
        T=T,
        fast=fast,
        dropout_rate=float(dropout_rate),
        need_info=return_info,
    )
    if not return_info:
        return res if heads else res[..., 0, :]
    if update_steps_max is None and _validate.is_concrete(res.steps):
        if not bool(jnp.all(res.converged)):
            warnings.warn(
                f"retrieve: {int(jnp.sum(~res.converged))} of {res.converged.size} (batch, head) "
                f"entries did not converge within update_steps_limit={update_steps_limit} "
                f"(update_steps_eps={update_steps_eps}); see Retrieval.converged.",
                RuntimeWarning,
                stacklevel=2,
            )
    if not heads:
        return Retrieval(
            res.output[..., 0, :],
            res.weights[..., 0, :, :],
            res.state[..., 0, :],
            res.steps[..., 0],
            res.converged[..., 0],
        )
    return res


@functools.partial(
    jax.jit, static_argnames=("separation", "T", "fast", "dropout_rate", "need_info")
)
def _retrieve(
    query,
    keys,
    values,
    beta,
    alpha,
    mask,
    bias,
    max_h,
    eps_h,
    dropout_rng,
    *,
    separation,
    T,
    fast,
    dropout_rate,
    need_info,
):
    b = beta[..., None, :, None]
    q0 = query * b
    if fast:
        return attention_fast(q0, keys, values, mask, bias, zero_row=separation == "softmax_1")
    w, steps, converged = iterate(
        q0,
        keys,
        _sep.get(separation, alpha),
        mask=mask,
        bias=bias,
        beta_state=b,
        max_steps=max_h,
        eps=eps_h,
        T=T,
    )
    w_used = w
    if dropout_rate > 0:
        keep = jax.random.bernoulli(dropout_rng, 1.0 - dropout_rate, w.shape)
        w_used = jnp.where(keep, w / (1.0 - dropout_rate), 0.0)
    out = jnp.einsum("...hls,...shd->...lhd", w_used, values)
    if not need_info:
        return out
    state = jnp.einsum("...hls,...shd->...lhd", w, keys)
    return Retrieval(out, w, state, steps, converged)


def energy(
    state: jax.Array,
    memory: jax.Array,
    *,
    beta: float | jax.Array,
    separation: str = "softmax",
    alpha: float | jax.Array | None = None,
    mask: jax.Array | None = None,
) -> jax.Array:
    """Hopfield energy whose CCCP step is the retrieval update with ``separation``.

    ``E(xi) = -Psi*(beta X^T xi)/beta + xi.xi/2`` with ``Psi*`` the convex conjugate of the
    separation's entropy. For softmax this is MODELS.md §7 including its constants,
    ``-lse(beta, X^T xi) + xi.xi/2 + log(S)/beta + M^2/2`` (``M`` the largest pattern norm),
    which makes it non-negative; the others carry no constant.

    Parameters
    ----------
    state : array, shape (..., d)
        State pattern(s) xi.
    memory : array, shape (..., S, d)
        Stored patterns x_1..x_S as rows; batch axes broadcast against ``state``'s.
    beta : float or array broadcastable to state.shape[:-1]
        Inverse temperature, > 0.
    mask : bool array broadcastable to (..., S), optional
        ``True`` keeps a stored pattern (JAX convention).

    Returns
    -------
    array, shape (...)
    """
    _validate.array("state", state, min_ndim=1)
    _validate.array("memory", memory, min_ndim=2)
    _validate.same(
        ["state", "memory"],
        [state.shape[-1:], memory.shape[-1:]],
        "state and memory must share the last axis d",
    )
    _validate.positive("beta", beta)
    _validate.separation(separation, alpha)
    a = jnp.asarray(1.5 if alpha is None else alpha, dtype=state.dtype)
    return _energy(
        state, memory, jnp.asarray(beta, dtype=state.dtype), a, mask, separation=separation
    )


@functools.partial(jax.jit, static_argnames=("separation",))
def _energy(state, memory, beta, alpha, mask, *, separation):
    z = beta[..., None] * jnp.einsum("...sd,...d->...s", memory, state)
    psi = _sep.conjugate(separation, z, mask, alpha)
    E = -psi / beta + 0.5 * jnp.sum(state * state, axis=-1)
    if separation == "softmax":
        S = memory.shape[-2] if mask is None else jnp.sum(mask, axis=-1)
        M2 = jnp.max(jnp.sum(memory * memory, axis=-1), axis=-1)
        E = E + jnp.log(S) / beta + 0.5 * M2
    return E
