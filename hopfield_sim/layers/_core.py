"""Forward computation of a ``Hopfield`` module (``Hopfield.associate`` and ``.energy``).

Per batch entry: LayerNorm each input (optional); project query and key into ``H`` heads of
width ``hd`` (``q``, ``k``) and the value into ``H`` heads of width ``pd`` (``v``); optional
Hopfield-space LayerNorm of ``q`` and ``k`` per head; ``q <- beta_h q``; optional bias row
and zero row appended to ``k``/``v``; iterate ``q <- beta_h k^T sep(q k^T)``
(``_iterate.iterate``, or attention calls, ``_attention``); ``o = sep(q k^T) v``;
concatenate heads; output projection; optional activation.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from hopfield_sim.layers import _attention, _iterate, _validate
from hopfield_sim.layers import functional as F
from hopfield_sim.layers._dtypes import acc_dtype
from hopfield_sim.layers.masks import combine_masks, with_extra_rows
from hopfield_sim.layers.options import CallOptions
from hopfield_sim.layers.result import HopfieldResult

__all__ = ["forward", "energy"]


def _split(m, x, width):
    return x.reshape(x.shape[:-1] + (m.num_heads, width))


def _per_head(x, H):
    return jnp.broadcast_to(x[..., None, :], x.shape[:-1] + (H, x.shape[-1]))


def project(m, key, query, value):
    """Inputs (B, S|L, width) -> q (B, L, H, hd), k (B, S, H, hd), v (B, S, H, pd)."""
    H = m.num_heads
    if m.norm_stored is not None:
        key = m.norm_stored(key)
    if m.norm_state is not None:
        query = m.norm_state(query)
    if m.norm_projection is not None:
        value = m.norm_projection(value)
    q = _per_head(query, H) if m.q_proj is None else _split(m, m.q_proj(query), m.head_dim)
    k = _per_head(key, H) if m.k_proj is None else _split(m, m.k_proj(key), m.head_dim)
    if m.connected:
        value = m.k_proj(value)
    if m.v_proj is not None:
        v = _split(m, m.v_proj(value), m.pattern_dim)
    elif m.connected:
        v = _split(m, value, m.pattern_dim)
    else:
        v = _per_head(value, H)
    if m.norm_hopfield_space is not None:
        q, k = m.norm_hopfield_space(q), m.norm_hopfield_space(k)
    return q, k, v


def _keep_mask(m, B, L, S, o: CallOptions):
    """Combine masks into one keep-mask broadcastable to (B, H, L, S), or None."""
    return combine_masks(
        B,
        m.num_heads,
        L,
        S,
        mask=o.mask,
        padding=o.key_padding_mask,
        association=o.association_mask,
        convention=m.mask_convention,
    )


def compute_dtype(m, *inputs):
    """``dtype`` if given, else the promoted dtype of the inputs and the parameters."""
    if m.dtype is not None:
        return m.dtype
    params = jax.tree_util.tree_leaves(nnx.state(m, nnx.Param))
    return jnp.result_type(*inputs, *params)


def _checked_inputs(m, query, key, value):
    """Validate shapes, go batch-major and cast; returns (key, query, value, dtype)."""
    for n, x in (("query", query), ("key", key), ("value", value)):
        _validate.array(n, x, min_ndim=3)
        if x.ndim != 3:
            raise ValueError(f"{n} must have 3 axes (batch, length, width); got {x.shape}.")
    names = ("key", "query", "value")  # the order of m.widths
    xs = (key, query, value)
    if not m.batch_first:
        xs = tuple(jnp.swapaxes(x, 0, 1) for x in xs)
    for n, x, w in zip(names, xs, m.widths):
        if x.shape[-1] != w:
            raise ValueError(f"{n} must have width {w} (last axis); got shape {x.shape}.")
    key, query, value = xs
    _validate.same(
        ["key", "value"],
        [key.shape[:2], value.shape[:2]],
        "key and value must share (batch, S)",
    )
    if key.shape[0] != query.shape[0]:
        raise ValueError(
            f"key and query must share the batch size; got key {key.shape} and query "
            f"{query.shape} (batch-major)."
        )
    dtype = compute_dtype(m, *xs)
    return (*(x.astype(dtype) for x in xs), dtype)


def _extra_rows(m, k, v, B, dtype):
    extra = []
    if m.bias_k is not None:
        extra.append((m.bias_k[...].astype(dtype), m.bias_v[...].astype(dtype)))
    if m.add_zero_association:
        H = m.num_heads
        extra.append((jnp.zeros((H, k.shape[-1]), dtype), jnp.zeros((H, v.shape[-1]), dtype)))
    for kk, vv in extra:
        k = jnp.concatenate([k, jnp.broadcast_to(kk, (B, 1) + kk.shape)], axis=1)
        v = jnp.concatenate([v, jnp.broadcast_to(vv, (B, 1) + vv.shape)], axis=1)
    return k, v, len(extra)


def forward(m, query, key, value, o: CallOptions, need_info: bool):
    """The layer output (B, L, out), or a ``HopfieldResult`` when ``need_info``."""
    key, query, value, dtype = _checked_inputs(m, query, key, value)
    B, L, S = query.shape[0], query.shape[1], key.shape[1]
    keep = _keep_mask(m, B, L, S, o)
    q, k, v = project(m, key, query, value)
    s0, s1 = m._beta_scales(acc_dtype(dtype))
    q0 = (q * s0).astype(dtype)
    k, v, n_extra = _extra_rows(m, k, v, B, dtype)
    keep = with_extra_rows(keep, S, n_extra)
    T, max_h, eps_h = _iterate.step_schedule(
        m.update_steps_max, m.update_steps_eps, m.update_steps_limit, m.num_heads
    )
    every_step = _iterate.static_schedule(max_h, eps_h, T)
    deterministic = o.deterministic
    use_dropout = m.dropout_rate > 0 and not (
        deterministic if deterministic is not None else m.dropout.deterministic
    )
    impl = _attention.choose(m.implementation, dtype, k.shape[-1], v.shape[-1])
    remat = _iterate.resolve_remat(m.remat, T)
    if (
        impl != "explicit"
        and m.separation in ("softmax", "softmax_1")
        and every_step
        and not use_dropout
        and not need_info
    ):
        out = _attention.iterate_attention(
            q0,
            k,
            v,
            keep,
            None,
            s1,
            T=T,
            zero_row=m.separation == "softmax_1",
            implementation=impl,
            remat=remat,
        )
    else:
        a = m._alpha()
        w, steps, converged = _iterate.iterate_named(
            q0,
            k,
            None if a is None else a[:, None],
            keep,
            None,
            s1,
            jnp.asarray(max_h),
            jnp.asarray(eps_h, acc_dtype(dtype)),
            separation=m.separation,
            T=T,
            shared_axes=(0,) if m.stop_rule == "head" else (),
            every_step=every_step,
            remat=remat,
        )
        w_used = m.dropout(w, deterministic=deterministic, rngs=o.rngs) if use_dropout else w
        out = _iterate.mix(w_used, v)
    y = _output(m, out.reshape(B, L, -1), dtype)
    if not need_info:
        return y
    state = _iterate.mix(w, k)
    return HopfieldResult(y, w.astype(dtype), state, steps, converged, jnp.swapaxes(v, 1, 2), out)


def _output(m, y, dtype):
    if m.out_proj is not None:
        y = m.out_proj(y)
    if m.activation is not None:
        y = (getattr(jax.nn, m.activation, None) or getattr(jnp, m.activation))(y)
    y = y.astype(dtype)
    return y if m.batch_first else jnp.swapaxes(y, 0, 1)


def energy(m, query, key, value, state, o: CallOptions):
    """Hopfield energy of each head's state in the association space, (B, H, L)."""
    if not m.batch_first:
        key, query, value = (jnp.swapaxes(x, 0, 1) for x in (key, query, value))
    dtype = compute_dtype(m, key, query, value)
    key, query, value = (x.astype(dtype) for x in (key, query, value))
    q, k, _ = project(m, key, query, value)
    if m.add_zero_association:
        k = jnp.concatenate([k, jnp.zeros_like(k[:, :1])], axis=1)
    xi = q if state is None else state
    B, L, S = q.shape[0], q.shape[1], key.shape[1]
    keep = _keep_mask(m, B, L, S, o)
    keep = with_extra_rows(keep, S, int(m.add_zero_association))
    a = m._alpha()
    return F.energy(
        jnp.swapaxes(xi, 1, 2),
        jnp.swapaxes(k, 1, 2)[:, :, None],
        beta=m.beta[:, None],
        separation=m.separation,
        entmax_alpha=None if a is None else a[:, None],
        mask=keep,
    )
