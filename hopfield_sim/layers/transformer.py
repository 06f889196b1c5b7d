"""Transformer blocks whose attention is a Hopfield association.

``HopfieldEncoderLayer``: self-association + feed-forward, each with a residual connection
and a LayerNorm (post-norm, as ``torch.nn.TransformerEncoderLayer``; ``norm_first=True``
for pre-norm). ``HopfieldDecoderLayer``: self-association (optionally causal), then the
target retrieves from the encoder ``memory`` (cross-association), then feed-forward.
Inputs are ``(batch, length, d_model)``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from hopfield_sim.layers._dtypes import check_dtype
from hopfield_sim.layers.modules import NO_INPUT_NORMS, Hopfield, check_rngs

__all__ = ["HopfieldEncoderLayer", "HopfieldDecoderLayer"]


def _activation(name: str):
    fn = getattr(jax.nn, name, None)
    if fn is None:
        raise ValueError(f"activation must name a jax.nn function (e.g. 'relu'); got {name!r}.")
    return fn


class _FeedForward(nnx.Module):
    def __init__(self, d_model, dim_feedforward, dropout, activation, dtypes, rngs):
        self.linear1 = nnx.Linear(d_model, dim_feedforward, **dtypes, rngs=rngs)
        self.linear2 = nnx.Linear(dim_feedforward, d_model, **dtypes, rngs=rngs)
        self.dropout = nnx.Dropout(dropout, rngs=rngs)
        self.activation = activation

    def __call__(self, x, deterministic, rngs):
        h = _activation(self.activation)(self.linear1(x))
        return self.linear2(self.dropout(h, deterministic=deterministic, rngs=rngs))


def _hopfield(d_model, num_heads, dropout, dtypes, rngs, kw):
    # the block's own LayerNorms take the input norms' job
    options = {**NO_INPUT_NORMS, "dropout_rate": dropout, **dtypes, **kw}
    return Hopfield(d_model, num_heads=num_heads, rngs=rngs, **options)


def _dtypes(dtype, param_dtype) -> dict:
    return {
        "dtype": check_dtype("dtype", dtype),
        "param_dtype": check_dtype("param_dtype", param_dtype),
    }


class HopfieldEncoderLayer(nnx.Module):
    """Encoder block: ``x + Hopfield(x)`` then ``x + FF(x)``, each followed by LayerNorm.

    Parameters
    ----------
    d_model : int
        Model width.
    num_heads : int
        Heads of the Hopfield association.
    dim_feedforward : int
        Hidden width of the feed-forward network.
    dropout : float
        Dropout after each sub-block and on the association weights.
    activation : str
        ``jax.nn`` activation of the feed-forward network.
    norm_first : bool
        Pre-norm instead of post-norm.
    dtype, param_dtype : floating dtypes
        Computation dtype (default: inferred, as ``flax.nnx``) and parameter dtype of every
        sub-layer.
    rngs : nnx.Rngs
        Required keyword.
    **hopfield_kwargs
        Options of :class:`Hopfield` (``update_steps_max``, ``beta``, ``separation``...).
    """

    def __init__(
        self,
        d_model: int,
        *,
        num_heads: int = 1,
        dim_feedforward: int = 256,
        dropout: float = 0.1,
        activation: str = "relu",
        norm_first: bool = False,
        dtype=None,
        param_dtype=jnp.float32,
        rngs: nnx.Rngs,
        **hopfield_kwargs,
    ):
        check_rngs(rngs)
        _activation(activation)
        dt = _dtypes(dtype, param_dtype)
        self.association = _hopfield(d_model, num_heads, dropout, dt, rngs, hopfield_kwargs)
        self.feed_forward = _FeedForward(d_model, dim_feedforward, dropout, activation, dt, rngs)
        self.norm1 = nnx.LayerNorm(d_model, **dt, rngs=rngs)
        self.norm2 = nnx.LayerNorm(d_model, **dt, rngs=rngs)
        self.dropout = nnx.Dropout(dropout, rngs=rngs)
        self.norm_first = norm_first

    def __call__(
        self,
        x: jax.Array,
        *,
        mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> jax.Array:
        """x (B, L, d_model); ``mask`` keeps associations, broadcastable to (B, H, L, L).
        ``deterministic`` / ``rngs``: dropout mode and keys, as ``flax.nnx``."""

        def drop(y):
            return self.dropout(y, deterministic=deterministic, rngs=rngs)

        def assoc(y):
            return drop(self.association(y, mask=mask, deterministic=deterministic, rngs=rngs))

        def ff(y):
            return drop(self.feed_forward(y, deterministic, rngs))

        if self.norm_first:
            x = x + assoc(self.norm1(x))
            return x + ff(self.norm2(x))
        x = self.norm1(x + assoc(x))
        return self.norm2(x + ff(x))


def causal_mask(length: int) -> jax.Array:
    """Keep-mask (1, 1, L, L): position l may associate with positions <= l."""
    return jnp.tril(jnp.ones((length, length), bool))[None, None]


class HopfieldDecoderLayer(nnx.Module):
    """Decoder block: self-association, cross-association with ``memory``, feed-forward.

    Parameters as :class:`HopfieldEncoderLayer`. ``__call__(target, memory, causal=True)``
    masks future target positions in the self-association.
    """

    def __init__(
        self,
        d_model: int,
        *,
        num_heads: int = 1,
        dim_feedforward: int = 256,
        dropout: float = 0.1,
        activation: str = "relu",
        norm_first: bool = False,
        dtype=None,
        param_dtype=jnp.float32,
        rngs: nnx.Rngs,
        **hopfield_kwargs,
    ):
        check_rngs(rngs)
        _activation(activation)
        dt = _dtypes(dtype, param_dtype)
        self.self_association = _hopfield(d_model, num_heads, dropout, dt, rngs, hopfield_kwargs)
        self.cross_association = _hopfield(d_model, num_heads, dropout, dt, rngs, hopfield_kwargs)
        self.feed_forward = _FeedForward(d_model, dim_feedforward, dropout, activation, dt, rngs)
        self.norm1 = nnx.LayerNorm(d_model, **dt, rngs=rngs)
        self.norm2 = nnx.LayerNorm(d_model, **dt, rngs=rngs)
        self.norm3 = nnx.LayerNorm(d_model, **dt, rngs=rngs)
        self.dropout = nnx.Dropout(dropout, rngs=rngs)
        self.norm_first = norm_first

    def __call__(
        self,
        target: jax.Array,
        memory: jax.Array,
        *,
        causal: bool = True,
        target_mask: jax.Array | None = None,
        memory_mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> jax.Array:
        """target (B, L, d_model), memory (B, S, d_model) -> (B, L, d_model).

        ``target_mask`` (broadcastable to (B, H, L, L)) and ``memory_mask`` (to (B, H, L, S))
        keep associations (JAX convention); ``causal`` adds the causal mask.
        """
        L = target.shape[1]
        tmask = causal_mask(L) if causal else None
        if target_mask is not None:
            tmask = target_mask if tmask is None else tmask & target_mask

        def drop(y):
            return self.dropout(y, deterministic=deterministic, rngs=rngs)

        def self_assoc(y):
            return drop(
                self.self_association(y, mask=tmask, deterministic=deterministic, rngs=rngs)
            )

        def cross(y):
            return drop(
                self.cross_association(
                    y,
                    memory,
                    mask=memory_mask,
                    deterministic=deterministic,
                    rngs=rngs,
                )
            )

        def ff(y):
            return drop(self.feed_forward(y, deterministic, rngs))

        x = target
        if self.norm_first:
            x = x + self_assoc(self.norm1(x))
            x = x + cross(self.norm2(x))
            return x + ff(self.norm3(x))
        x = self.norm1(x + self_assoc(x))
        x = self.norm2(x + cross(x))
        return self.norm3(x + ff(x))
