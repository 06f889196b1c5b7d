"""``HopfieldPooling`` and ``HopfieldLayer``: Hopfield layers with a learned input.

* ``HopfieldPooling`` learns the **queries** (``pooling_weights``, ``quantity`` of them):
  each retrieves from the input sequence (the keys), so a sequence of any length ``S`` is
  pooled into ``quantity`` vectors (attention pooling with a learned query).
* ``HopfieldLayer`` learns the **keys** (``lookup_weights``, ``quantity`` of them,
  optionally with separate ``target_weights`` as values): each input position (a query)
  retrieves from a trainable memory (a lookup table / prototype layer).

Both wrap a :class:`hopfield_sim.layers.modules.Hopfield` (attribute ``hopfield``), take
its keyword options (``num_heads``, ``beta``, ``update_steps_max``, ``separation``, ...)
and call its :meth:`~hopfield_sim.layers.modules.Hopfield.associate`; call options are
those of :class:`~hopfield_sim.layers.options.CallOptions`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from hopfield_sim.layers import _validate
from hopfield_sim.layers._deprecate import take_renamed
from hopfield_sim.layers.modules import Fixed, Hopfield, check_rngs
from hopfield_sim.layers.options import CallOptions
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


def _pooled_roles(where, key, value, options):
    """(key, value, CallOptions); deprecated ``inputs=``, ``memory=``, ``values=``."""
    renames = {"inputs": "key", "memory": "key", "values": "value"}
    take_renamed(where, options, renames)  # the user's call
    if "key" in options:
        if key is not None:
            raise TypeError(f"{where}: key given twice (through a deprecated name).")
        key = options.pop("key")
    if "value" in options:
        if value is not None:
            raise TypeError(f"{where}: value given twice (through a deprecated name).")
        value = options.pop("value")
    if isinstance(key, tuple | list):  # (key, value)
        if value is not None or len(key) != 2:
            raise ValueError(f"{where}: a tuple must be (key, value); got {len(key)} items.")
        key, value = key
    if key is None:
        raise TypeError(f"{where} needs key (the sequence to pool).")
    return key, key if value is None else value, CallOptions.of(where, options)


class HopfieldPooling(nnx.Module):
    """Pool a sequence (B, S, width) into (B, quantity * out) with learned queries.

    Parameters
    ----------
    input_size : int
        Width of the key (and of the learned queries).
    quantity : int
        Number of learned queries (pooled vectors).
    trainable : bool
        Train the queries (``pooling_weights``, shape (1, quantity, width)).
    batch_first : bool
        ``(batch, S, width)`` inputs if True else ``(S, batch, width)``.
    pattern_init : initializer, optional
        Initializer of ``pooling_weights`` (default standard normal).
    flatten : bool
        Output (B, quantity * out) (hopfield-layers) if True, else (B, quantity, out).
    rngs : nnx.Rngs
        Required keyword: parameter initialisation and dropout keys.
    **kwargs
        Options of :class:`Hopfield` (``num_heads``, ``hidden_size``, ``beta``,
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
        flatten: bool = True,
        rngs: nnx.Rngs,
        **kwargs,
    ):
        check_rngs(rngs)
        _check_quantity(quantity)
        self.hopfield = Hopfield(input_size, rngs=rngs, **kwargs)
        self.quantity, self.batch_first, self.flatten = quantity, batch_first, flatten
        width = self.hopfield.widths[1]
        dtype = self.hopfield.param_dtype
        self.pooling_weights = _weights(
            trainable, rngs.params(), (1, quantity, width), dtype, pattern_init
        )

    def _run(self, where, key, value, options, result):
        stored, proj, o = _pooled_roles(where, key, value, options)
        if not self.batch_first:
            stored, proj = jnp.swapaxes(stored, 0, 1), jnp.swapaxes(proj, 0, 1)
        B = stored.shape[0]
        pw = self.pooling_weights[...]
        state = jnp.broadcast_to(pw.astype(stored.dtype), (B,) + pw.shape[1:])
        res = self.hopfield.associate(state, stored, proj, o, result=result)
        out = res.output if result else res
        if self.flatten:
            out = out.reshape(B, -1)
        return res._replace(output=out) if result else out

    def __call__(self, key=None, value=None, **options) -> jax.Array:
        """Pool the sequence ``key`` (B, S, width) (``value`` defaults to it; a tuple
        (key, value) also works); ``**options``: :class:`CallOptions`. Returns
        (B, quantity * out), or (B, quantity, out) with ``flatten=False``."""
        return self._run("HopfieldPooling.__call__", key, value, options, False)

    def retrieve(self, key=None, value=None, **options) -> HopfieldResult:
        """Like ``__call__``, returning a :class:`~hopfield_sim.layers.HopfieldResult`."""
        return self._run("HopfieldPooling.retrieve", key, value, options, True)


class HopfieldLayer(nnx.Module):
    """Retrieve from a trainable memory of ``quantity`` stored patterns.

    Parameters
    ----------
    input_size : int
        Width of the query (the input).
    quantity : int
        Number of keys (``lookup_weights``, shape (1, quantity, width)).
    lookup_weights_as_separated : bool
        Separate values (``target_weights``) instead of reusing the keys.
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
        self.hopfield = Hopfield(input_size, rngs=rngs, **kwargs)
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

    def _run(self, where, query, options, result):
        take_renamed(where, options, {"inputs": "query"})  # the user's call
        if "query" in options:
            if query is not None:
                raise TypeError(f"{where}: query given twice (inputs= is its deprecated name).")
            query = options.pop("query")
        o = CallOptions.of(where, options)
        _validate.array("query", query, min_ndim=3)
        if not self.batch_first:
            query = jnp.swapaxes(query, 0, 1)
        B = query.shape[0]
        lw = self.lookup_weights[...].astype(query.dtype)
        key = jnp.broadcast_to(lw, (B,) + lw.shape[1:])
        value = key
        if self.target_weights is not None:
            tw = self.target_weights[...].astype(query.dtype)
            value = jnp.broadcast_to(tw, (B,) + tw.shape[1:])
        res = self.hopfield.associate(query, key, value, o, result=result)
        if self.batch_first:
            return res
        if result:
            return res._replace(output=jnp.swapaxes(res.output, 0, 1))
        return jnp.swapaxes(res, 0, 1)

    def __call__(self, query=None, **options) -> jax.Array:
        """Retrieve for each query (B, L, width); returns (B, L, out width).
        ``**options``: :class:`CallOptions` (masks, ``deterministic``, ``rngs``)."""
        return self._run("HopfieldLayer.__call__", query, options, False)

    def retrieve(self, query=None, **options) -> HopfieldResult:
        """Like ``__call__``, returning a :class:`~hopfield_sim.layers.HopfieldResult`."""
        return self._run("HopfieldLayer.retrieve", query, options, True)
