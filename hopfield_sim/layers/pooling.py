"""``HopfieldPooling`` and ``HopfieldLayer``: Hopfield layers with a learned input.

* ``HopfieldPooling`` learns the **state pattern(s)** (``pooling_weights``, ``quantity`` of
  them): each is a query that retrieves from the input sequence, so a sequence of any length
  ``S`` is pooled into ``quantity`` vectors (attention pooling with a learned query).
* ``HopfieldLayer`` learns the **stored patterns** (``lookup_weights``, ``quantity`` of them,
  optionally with separate ``target_weights`` as values): each input position retrieves
  from a trainable memory (a lookup table / prototype layer).

Both wrap a :class:`hopfield_sim.layers.modules.Hopfield` (attribute ``hopfield``) and take
its keyword options (``num_heads``, ``scaling``, ``update_steps_max``, ``separation``, ...).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from hopfield_sim.layers import _validate
from hopfield_sim.layers.modules import Fixed, Hopfield, check_rngs
from hopfield_sim.layers.result import HopfieldResult

__all__ = ["HopfieldPooling", "HopfieldLayer"]


def _check_quantity(quantity) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TypeError(f"quantity must be a positive int; got {quantity!r}.")
    if quantity < 1:
        raise ValueError(f"quantity must be a positive int; got {quantity!r}.")


def _weights(trainable, key, shape, dtype, init):
    value = init(key, shape, dtype) if init is not None else jax.random.normal(key, shape, dtype)
    return nnx.Param(value) if trainable else Fixed(value)


class HopfieldPooling(nnx.Module):
    """Pool a sequence (B, S, width) into (B, quantity * output width) with learned queries.

    Parameters
    ----------
    input_size : int
        Width of the stored pattern (and of the learned state patterns).
    quantity : int
        Number of learned state patterns (pooled vectors).
    trainable : bool
        Train the state patterns (``pooling_weights``, shape (1, quantity, width)).
    batch_first : bool
        ``(batch, S, width)`` inputs if True else ``(S, batch, width)``.
    pattern_init : initializer, optional
        Initializer of ``pooling_weights`` (default standard normal).
    rngs : nnx.Rngs
        Required keyword: parameter initialisation and dropout keys.
    **kwargs
        Options of :class:`Hopfield` (``num_heads``, ``hidden_size``, ``scaling``,
        ``dtype``, ``param_dtype``, ...).
    """

    def __init__(
        self,
        input_size: int,
        *,
        quantity: int = 1,
        trainable: bool = True,
        batch_first: bool = True,
        pattern_init=None,
        rngs: nnx.Rngs,
        **kwargs,
    ):
        check_rngs(rngs)
        _check_quantity(quantity)
        self.hopfield = Hopfield(input_size, batch_first=True, rngs=rngs, **kwargs)
        self.quantity, self.batch_first = quantity, batch_first
        width = self.hopfield.widths[1]
        dtype = self.hopfield.param_dtype
        self.pooling_weights = _weights(
            trainable, rngs.params(), (1, quantity, width), dtype, pattern_init
        )

    def _run(self, inputs, memory, values, need_info, kw):
        if inputs is not None:
            if memory is not None or values is not None:
                raise ValueError("give either inputs or memory=/values=, not both.")
            stored, proj = inputs if isinstance(inputs, tuple | list) else (inputs, inputs)
        else:
            if memory is None:
                raise ValueError("give inputs or memory= (the sequence to pool).")
            stored, proj = memory, memory if values is None else values
        if not self.batch_first:
            stored, proj = jnp.swapaxes(stored, 0, 1), jnp.swapaxes(proj, 0, 1)
        B = stored.shape[0]
        pw = self.pooling_weights[...]
        state = jnp.broadcast_to(pw.astype(stored.dtype), (B,) + pw.shape[1:])
        res = self.hopfield._forward(
            stored,
            state,
            proj,
            mask=kw.get("mask"),
            padding=kw.get("stored_pattern_padding_mask"),
            association=kw.get("association_mask"),
            deterministic=kw.get("deterministic"),
            rngs=kw.get("rngs"),
            need_info=need_info,
        )
        if not need_info:
            return res.reshape(B, -1)
        return res._replace(output=res.output.reshape(B, -1))

    def __call__(
        self,
        inputs=None,
        *,
        memory: jax.Array | None = None,
        values: jax.Array | None = None,
        mask: jax.Array | None = None,
        stored_pattern_padding_mask: jax.Array | None = None,
        association_mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> jax.Array:
        """Pool. ``inputs``: one array or (stored_pattern, pattern_projection); masks,
        ``deterministic`` and ``rngs`` as :meth:`Hopfield.__call__`.
        Returns (B, quantity * out width)."""
        kw = dict(
            mask=mask,
            stored_pattern_padding_mask=stored_pattern_padding_mask,
            association_mask=association_mask,
            deterministic=deterministic,
            rngs=rngs,
        )
        return self._run(inputs, memory, values, False, kw)

    def retrieve(
        self,
        inputs=None,
        *,
        memory: jax.Array | None = None,
        values: jax.Array | None = None,
        mask: jax.Array | None = None,
        stored_pattern_padding_mask: jax.Array | None = None,
        association_mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> HopfieldResult:
        """Like ``__call__``, returning a :class:`~hopfield_sim.layers.HopfieldResult`
        (``output`` of shape (B, quantity * out width))."""
        kw = dict(
            mask=mask,
            stored_pattern_padding_mask=stored_pattern_padding_mask,
            association_mask=association_mask,
            deterministic=deterministic,
            rngs=rngs,
        )
        return self._run(inputs, memory, values, True, kw)


class HopfieldLayer(nnx.Module):
    """Retrieve from a trainable memory of ``quantity`` stored patterns.

    Parameters
    ----------
    input_size : int
        Width of the state pattern (the input).
    quantity : int
        Number of stored patterns (``lookup_weights``, shape (1, quantity, width)).
    lookup_weights_as_separated : bool
        Separate values (``target_weights``) instead of reusing the stored patterns.
    lookup_targets_as_trainable : bool
        Train ``target_weights``.
    trainable : bool
        Train ``lookup_weights``.
    batch_first : bool
    pattern_init : initializer, optional
        Initializer of ``lookup_weights`` / ``target_weights`` (default standard normal).
    rngs : nnx.Rngs
        Required keyword: parameter initialisation and dropout keys.
    **kwargs
        Options of :class:`Hopfield` (``dtype``, ``param_dtype``, ...).
    """

    def __init__(
        self,
        input_size: int,
        *,
        quantity: int = 1,
        lookup_weights_as_separated: bool = False,
        lookup_targets_as_trainable: bool = True,
        trainable: bool = True,
        batch_first: bool = True,
        pattern_init=None,
        rngs: nnx.Rngs,
        **kwargs,
    ):
        check_rngs(rngs)
        _check_quantity(quantity)
        self.hopfield = Hopfield(input_size, batch_first=True, rngs=rngs, **kwargs)
        self.quantity, self.batch_first = quantity, batch_first
        stored_w, _, proj_w = self.hopfield.widths
        dtype = self.hopfield.param_dtype
        self.lookup_weights = _weights(
            trainable, rngs.params(), (1, quantity, stored_w), dtype, pattern_init
        )
        self.target_weights = nnx.data(
            _weights(
                lookup_targets_as_trainable,
                rngs.params(),
                (1, quantity, proj_w),
                dtype,
                pattern_init,
            )
            if lookup_weights_as_separated
            else None
        )

    def _run(self, state, need_info, kw):
        _validate.array("inputs", state, min_ndim=3)
        if not self.batch_first:
            state = jnp.swapaxes(state, 0, 1)
        B = state.shape[0]
        lw = self.lookup_weights[...].astype(state.dtype)
        stored = jnp.broadcast_to(lw, (B,) + lw.shape[1:])
        proj = stored
        if self.target_weights is not None:
            tw = self.target_weights[...].astype(state.dtype)
            proj = jnp.broadcast_to(tw, (B,) + tw.shape[1:])
        res = self.hopfield._forward(
            stored,
            state,
            proj,
            mask=kw.get("mask"),
            padding=kw.get("stored_pattern_padding_mask"),
            association=kw.get("association_mask"),
            deterministic=kw.get("deterministic"),
            rngs=kw.get("rngs"),
            need_info=need_info,
        )
        if self.batch_first:
            return res
        if need_info:
            return res._replace(output=jnp.swapaxes(res.output, 0, 1))
        return jnp.swapaxes(res, 0, 1)

    def __call__(
        self,
        inputs: jax.Array,
        *,
        mask: jax.Array | None = None,
        stored_pattern_padding_mask: jax.Array | None = None,
        association_mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> jax.Array:
        """Retrieve for each state pattern (B, L, width); returns (B, L, out width).
        Masks, ``deterministic`` and ``rngs`` as :meth:`Hopfield.__call__`."""
        kw = dict(
            mask=mask,
            stored_pattern_padding_mask=stored_pattern_padding_mask,
            association_mask=association_mask,
            deterministic=deterministic,
            rngs=rngs,
        )
        return self._run(inputs, False, kw)

    def retrieve(
        self,
        inputs: jax.Array,
        *,
        mask: jax.Array | None = None,
        stored_pattern_padding_mask: jax.Array | None = None,
        association_mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> HopfieldResult:
        """Like ``__call__``, returning a :class:`~hopfield_sim.layers.HopfieldResult`."""
        kw = dict(
            mask=mask,
            stored_pattern_padding_mask=stored_pattern_padding_mask,
            association_mask=association_mask,
            deterministic=deterministic,
            rngs=rngs,
        )
        return self._run(inputs, True, kw)
