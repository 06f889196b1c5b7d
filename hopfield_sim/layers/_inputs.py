"""Input checks of :func:`hopfield_sim.layers.functional.retrieve`: the arrays (with a heads
axis added where they have none), the mask convention and the bias shape."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from hopfield_sim.layers import _validate
from hopfield_sim.layers._dtypes import check_dtype


def arrays(query, keys, values, heads: bool, dtype):
    """Checked ``(query, key, value, dtype, batch shape)`` with a heads axis."""
    _validate.array("query", query, min_ndim=2 if not heads else 3)
    _validate.array("key", keys, min_ndim=2 if not heads else 3)
    if values is None:
        values = keys
    _validate.array("value", values, min_ndim=2 if not heads else 3)
    dtype = check_dtype("dtype", dtype) or jnp.result_type(query, keys, values)
    query, keys, values = (jnp.asarray(x, dtype) for x in (query, keys, values))
    if not heads:
        query, keys, values = query[..., None, :], keys[..., None, :], values[..., None, :]
    _validate.same(
        ["query", "key"],
        [query.shape[-1:], keys.shape[-1:]],
        "query and key must share the last axis d",
    )
    _validate.same(
        ["query", "key", "value"],
        [query.shape[-2:-1], keys.shape[-2:-1], values.shape[-2:-1]],
        "query, key and value must have the same number of heads H (axis -2)",
    )
    _validate.same(
        ["key", "value"],
        [keys.shape[-3:-2], values.shape[-3:-2]],
        "key and value must have the same number of stored patterns S (axis -3)",
    )
    try:
        batch = np.broadcast_shapes(query.shape[:-3], keys.shape[:-3], values.shape[:-3])
    except ValueError:
        raise ValueError(
            "the batch axes of query, key and value must broadcast; got query "
            f"{tuple(query.shape)}, key {tuple(keys.shape)}, value {tuple(values.shape)}."
        ) from None
    S, d = keys.shape[-3], query.shape[-1]
    if S == 0 or d == 0:
        raise ValueError(
            f"keys must hold at least one stored pattern of dimension d >= 1; got keys "
            f"{tuple(keys.shape)} (S={S}, d={d})."
        )
    return query, keys, values, dtype, batch


def mask(given, convention: str, shape: tuple[int, ...]):
    """The mask in the JAX convention (``True`` keeps), checked against ``shape``."""
    if convention not in ("jax", "reference"):
        raise ValueError(f"mask_convention must be 'jax' or 'reference'; got {convention!r}.")
    if given is None:
        return None
    _validate.mask("mask", given, shape, "(..., H, L, S) =")
    return given if convention == "jax" else ~given


def check_bias(bias, shape: tuple[int, ...]) -> None:
    if bias is None:
        return
    _validate.array("bias", bias, min_ndim=0)
    try:
        np.broadcast_shapes(tuple(bias.shape), shape)
    except ValueError:
        raise ValueError(
            f"bias with shape {tuple(bias.shape)} does not broadcast to (..., H, L, S) = "
            f"{shape}."
        ) from None
