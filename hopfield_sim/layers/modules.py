"""Flax NNX ``Hopfield`` module: projections, norms and masks around :mod:`functional`.

Roles (docs/layers.md, "Roles"): the **query** (state pattern, what is updated), the **key**
(stored patterns, what is retrieved from) and the **value** (what the result is made of),
as in ``nnx.MultiHeadAttention``: ``layer(query, key, value)``. Arrays are
``(batch, length, width)``. Construction: :mod:`._build`; forward pass: :mod:`._core`;
hopfield-layers option names: :mod:`._legacy` (and :func:`~hopfield_sim.layers.from_reference`).
"""

from __future__ import annotations

import inspect

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hopfield_sim.layers import _build, _core, _legacy
from hopfield_sim.layers import _deprecate as deprecate
from hopfield_sim.layers._build import Fixed, check_rngs
from hopfield_sim.layers._deprecate import renamed, take_renamed
from hopfield_sim.layers.options import (
    DEFAULT_NORMS,
    NO_CALL_OPTIONS,
    ROLES,
    CallOptions,
    Norms,
)
from hopfield_sim.layers.result import HopfieldResult, deprecated_alias

#: keyword arguments that switch off the layer's own LayerNorms (for callers whose
#: surrounding block normalises, or that want raw patterns)
NO_INPUT_NORMS = dict(norms=Norms.none())

__all__ = ["Hopfield", "Fixed", "check_rngs", "NO_INPUT_NORMS"]


def __getattr__(name: str):
    if name == "HopfieldOutput":
        return deprecated_alias(name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: nnx.MultiHeadAttention's call names (accepted) and deprecated ones, -> roles here
_MHA_ROLES = {"inputs_q": "query", "inputs_k": "key", "inputs_v": "value"}
_OLD_ROLES = {"inputs": "query", "memory": "key", "values": "value"}


def _named_roles(where: str, roles: dict, options: dict) -> None:
    """Move role keywords (MHA's and deprecated ones) from ``options`` into ``roles``."""
    take_renamed(where, options, _OLD_ROLES)
    for mha, ours in _MHA_ROLES.items():
        if mha in options:
            if ours in options:
                raise TypeError(f"{where}: give {ours} or {mha}, not both.")
            options[ours] = options.pop(mha)
    for r in ROLES:
        if r in options:
            if roles[r] is not None:
                raise TypeError(f"{where}: {r} given twice (also by keyword or an old name).")
            roles[r] = options.pop(r)


def _from_tuple(where: str, roles: dict) -> None:
    """Unpack a hopfield-layers tuple (key, query, value) given as ``query`` (deprecated)."""
    seq = roles["query"]
    if roles["key"] is not None or roles["value"] is not None or len(seq) != 3:
        raise ValueError(
            f"{where}: a tuple must be alone and hold (key, query, value) in hopfield-layers' "
            f"order; got {len(seq)} items."
        )
    deprecate.warn(
        f"{where}((stored_pattern, state_pattern, pattern_projection)) is deprecated "
        "(hopfield-layers' order); call it as (query, key, value) like nnx.MultiHeadAttention."
    )
    roles["key"], roles["query"], roles["value"] = seq


def resolve_roles(where: str, query, key, value, options: dict):
    """(query, key, value, CallOptions) from a call's arguments, old spellings included.

    ``key`` defaults to ``query`` and ``value`` to ``key`` (as ``nnx.MultiHeadAttention``,
    whose ``inputs_q``/``inputs_k``/``inputs_v`` are accepted). Deprecated: a tuple (key,
    query, value) as first argument (hopfield-layers' order), ``inputs=``, ``memory=``
    (the key; alone, also the query) and ``values=``.
    """
    memory_only = (
        query is None and "memory" in options and not {"inputs", "inputs_q"} & set(options)
    )
    roles = dict(query=query, key=key, value=value)
    _named_roles(where, roles, options)
    if isinstance(roles["query"], tuple | list):
        _from_tuple(where, roles)
    if roles["query"] is None:
        if not memory_only:
            raise TypeError(f"{where} needs query (the first argument; inputs_q in MHA terms).")
        roles["query"] = roles["key"]
    q = roles["query"]
    k = q if roles["key"] is None else roles["key"]
    v = k if roles["value"] is None else roles["value"]
    return q, k, v, CallOptions.of(where, options)


class Hopfield(nnx.Module):
    """Modern Hopfield association layer (Flax NNX; options of hopfield-layers' ``Hopfield``).

    ``layer(query, key=None, value=None)`` returns ``sep(beta q k^T) v`` after
    ``update_steps_max`` retrieval updates of the query, with projections, norms and masks
    (docs/layers.md). Names of the PyTorch original (``scaling``, ``normalize_*``,
    ``*_as_static``, ``dropout``, ...) still work here with a DeprecationWarning and
    silently in :func:`~hopfield_sim.layers.from_reference`.

    Parameters
    ----------
    input_size : int or (int, int, int)
        Width of the query, or the (query, key, value) widths (None entries: the query's).
        ``in_features=`` (MHA's name) is accepted.
    num_heads : int
        Number of heads H.
    hidden_size : int, optional
        Per-head width ``hd`` of the association space; default ``input_size // num_heads``
        (``qkv_features=`` total width, MHA's name, is accepted).
    pattern_size : int, optional
        Per-head width ``pd`` of the values; default ``hd``.
    output_size : int, optional
        Output width; default ``input_size`` (``H * pd`` without the output projection).
        ``out_features=`` is accepted.
    beta : float or sequence of H floats, optional
        Inverse temperature per head; default ``1/sqrt(hd)`` (``scaling`` is deprecated).
    learn_beta : bool
        Train beta (per head, kept > 0).
    separation : {"softmax", "softmax_1", "sparsemax", "entmax"}
    entmax_alpha : float or sequence of H floats, optional
        Entmax order (> 1), default 1.5 (``alpha`` is deprecated).
    learn_entmax_alpha : bool
        Train the entmax order (per head, kept > 1).
    update_steps_max : int, list of int per head, or None
        Updates after the first association (0 = attention); None = until converged (at
        most ``update_steps_limit``).
    update_steps_eps : float or list of float
        Stop once the Frobenius norm of the change of the weights is <= this.
    update_steps_limit : int
        Static cap of the iteration when ``update_steps_max`` is None.
    stop_rule : {"entry", "head"}
        "entry": each (batch entry, head) stops on its own; "head": a head stops for the
        whole batch when the largest change over the batch is small (hopfield-layers).
    norms : Norms
        LayerNorms of the inputs and of the Hopfield space (default: the three inputs,
        affine; ``Norms.none()``: none).
    static : sequence of {"query", "key", "value"}
        Roles used without projection: the input must then have width ``hd`` (``pd`` for
        the value) and is given unchanged to every head.
    value_through_key : bool
        Pass the value through the key projection first (then the value projection).
    use_bias : bool
        Biases in the query/key/value and output projections.
    out_projection : bool
        Apply the output projection.
    activation : str, optional
        Name of a ``jax.nn`` / ``jax.numpy`` function applied to the output (e.g. "tanh").
    add_bias_pattern : bool
        Append one learnable key row and value row (always visible) to the keys.
    add_zero_pattern : bool
        Append an all-zero key and value ("retrieve nothing" option).
    dropout_rate : float
        Dropout rate on the association weights (training mode only).
    mask_convention : {"jax", "reference"}
        Meaning of ``True`` in ``key_padding_mask`` / ``association_mask``: "jax" keeps,
        "reference" excludes (PyTorch). ``mask=`` is always "jax".
    remat : bool, optional
        Recompute each update in the backward pass (``jax.checkpoint`` in a scan): memory
        of ``jax.grad`` flat in the number of updates. None: on for GPU / TPU and for more
        than 8 updates, off on CPU for up to 8 (unrolled, faster).
    implementation : {None, "explicit", "xla", "cudnn"}
        How softmax / softmax_1 retrieval with a static schedule runs (see ``_attention``);
        None: cuDNN flash attention on a GPU, explicit einsum on CPU.
    deterministic : bool
        Default dropout mode (False: dropout active); ``model.eval()`` / ``model.train()``
        and the call's ``deterministic=`` change it, as in ``flax.nnx``.
    dtype : floating dtype, optional
        Computation dtype; default: the promoted dtype of inputs and parameters. Scores,
        separation, LayerNorm statistics and the convergence test run in at least float32.
    param_dtype : floating dtype
        Parameter dtype (float32; float64 inside ``jax.enable_x64``).
    kernel_init : initializer, optional
        Initializer of the projection kernels (default: ``nnx.Linear``'s LeCun normal).
    rngs : nnx.Rngs
        Parameter initialisation and dropout keys (required keyword).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from flax import nnx
    >>> layer = Hopfield(8, num_heads=2, rngs=nnx.Rngs(0))
    >>> q, kv = jnp.ones((3, 5, 8)), jnp.ones((3, 7, 8))
    >>> layer(q, kv).shape                       # (batch, query length, output width)
    (3, 5, 8)
    """

    def __init__(
        self,
        input_size: int | tuple[int, int, int] | None = None,
        *,
        num_heads: int = 1,
        hidden_size: int | None = None,
        pattern_size: int | None = None,
        output_size: int | None = None,
        beta: float | list[float] | None = None,
        learn_beta: bool = False,
        separation: str = "softmax",
        entmax_alpha: float | list[float] | None = None,
        learn_entmax_alpha: bool = False,
        update_steps_max: int | list[int] | None = 0,
        update_steps_eps: float | list[float] = 1e-4,
        update_steps_limit: int = 100,
        stop_rule: str = "entry",
        norms: Norms = DEFAULT_NORMS,
        static: tuple[str, ...] = (),
        value_through_key: bool = False,
        use_bias: bool = True,
        out_projection: bool = True,
        activation: str | None = None,
        add_bias_pattern: bool = False,
        add_zero_pattern: bool = False,
        dropout_rate: float = 0.0,
        mask_convention: str = "jax",
        remat: bool | None = None,
        implementation: str | None = None,
        deterministic: bool = False,
        dtype=None,
        param_dtype=jnp.float32,
        kernel_init=None,
        rngs: nnx.Rngs,
        **legacy,
    ):
        options = {k: v for k, v in locals().items() if k in _NATIVE}
        if legacy:
            options = _legacy.merge(options, _DEFAULTS, legacy, where="Hopfield")
        _build.build(self, options, rngs)

    # ------------------------------------------------------------------ small pieces

    @property
    def beta(self) -> jax.Array:
        """Inverse temperature per head, shape (H,)."""
        if self.log_beta is not None:
            return jnp.exp(self.log_beta[...])
        return jnp.asarray(self.beta_fixed)

    def _alpha(self) -> jax.Array | None:
        if self.separation != "entmax":
            return None
        if self.alpha is not None:
            return 1.0 + jax.nn.softplus(self.alpha[...])
        return jnp.asarray(self.alpha_fixed)

    def _beta_scales(self, dtype):
        """(scale of the first state, scale of later states), each broadcastable to (H, hd),
        in ``dtype`` (the accumulation dtype)."""
        beta = self.beta.astype(dtype)
        H, hd = self.num_heads, self.head_dim
        if self._interleaved_scaling and self.scaling_per_head and H > 1:
            f = np.arange(H * hd).reshape(H, hd)
            return beta[f % H], beta[np.arange(hd) % H][None, :]
        return beta[:, None], beta[:, None]

    # ------------------------------------------------------------------ calls

    def associate(
        self,
        query: jax.Array,
        key: jax.Array,
        value: jax.Array,
        options: CallOptions = NO_CALL_OPTIONS,
        *,
        result: bool = False,
    ) -> jax.Array | HopfieldResult:
        """The one forward pass behind ``__call__``, ``retrieve`` and the pooling layers.

        Parameters
        ----------
        query, key, value : arrays (B, L|S|S, width)
            The three roles, all given (no defaults).
        options : CallOptions
            Masks, dropout mode and keys.
        result : bool
            Return a :class:`~hopfield_sim.layers.HopfieldResult` instead of the output.
        """
        if not isinstance(options, CallOptions):
            raise TypeError(f"options must be a CallOptions; got {type(options).__name__}.")
        return _core.forward(self, query, key, value, options, result)

    def __call__(self, query=None, key=None, value=None, **options) -> jax.Array:
        """Associate and retrieve: ``layer(query, key=query, value=key)``, like MHA.

        Parameters
        ----------
        query, key, value : arrays (B, L, width), (B, S, width), (B, S, width)
            ``key`` defaults to ``query`` (self-association), ``value`` to ``key``.
            (``inputs_q``/``inputs_k``/``inputs_v`` are accepted; deprecated: a tuple
            (key, query, value), ``inputs=``, ``memory=``, ``values=``.)
        **options
            :class:`CallOptions`: ``mask`` (bool, broadcastable to (B, H, L, S), True
            keeps), ``key_padding_mask`` (B, S), ``association_mask``, ``deterministic``,
            ``rngs``.

        Returns
        -------
        array, shape (B, L, output width), in the computation dtype
        """
        q, k, v, o = resolve_roles("Hopfield.__call__", query, key, value, options)
        return self.associate(q, k, v, o)

    def retrieve(self, query=None, key=None, value=None, **options) -> HopfieldResult:
        """Like ``__call__`` but returns a :class:`~hopfield_sim.layers.HopfieldResult`
        (output, weights, state, steps, converged, values, patterns)."""
        q, k, v, o = resolve_roles("Hopfield.retrieve", query, key, value, options)
        return self.associate(q, k, v, o, result=True)

    def energy(self, query=None, key=None, value=None, *, state=None, **options) -> jax.Array:
        """Hopfield energy of each head's state in the association space, shape (B, H, L).

        By default the state is the projected (unscaled) query ``q``; pass ``state``
        (B, L, H, hd) to evaluate another one, e.g. ``retrieve(...).state``. Uses the
        module's separation and beta per head; roles and masks as in ``__call__``.
        """
        q, k, v, o = resolve_roles("Hopfield.energy", query, key, value, options)
        return _core.energy(self, q, k, v, state, o)

    @classmethod
    @renamed(scaling="beta")
    def pure_retrieval(
        cls,
        size: int,
        *,
        pattern_size: int | None = None,
        beta: float | None = None,
        update_steps_max: int | None = 0,
        update_steps_eps: float = 1e-4,
        separation: str = "softmax",
        rngs: nnx.Rngs,
        **kwargs,
    ) -> Hopfield:
        """A Hopfield layer without projections or norms: ``sep(beta xi X^T) V``.

        ``size`` is the pattern width d; ``beta`` defaults to 1. Inputs are used as they
        are (query, key, value of width ``pattern_size``). It has no parameters; ``rngs``
        supplies the dropout keys.
        """
        return cls(
            size,
            rngs=rngs,
            hidden_size=size,
            pattern_size=pattern_size or size,
            beta=1.0 if beta is None else beta,
            update_steps_max=update_steps_max,
            update_steps_eps=update_steps_eps,
            norms=Norms.none(),
            static=("query", "key", "value"),
            out_projection=False,
            separation=separation,
            **kwargs,
        )


_SIGNATURE = inspect.signature(Hopfield.__init__)
_NATIVE = frozenset(p for p in _SIGNATURE.parameters if p not in ("self", "rngs", "legacy"))
_DEFAULTS = {p: _SIGNATURE.parameters[p].default for p in _NATIVE}
