"""Flax NNX ``Hopfield`` module: projections, norms and masks around :mod:`functional`.

Roles (as in hopfield-layers): the **stored pattern** (keys, what is retrieved from), the
**state pattern** (queries, what is updated) and the **pattern projection** (values, what
the result is made of). Arrays are ``(batch, length, width)`` (``batch_first=True``).

Forward computation, per batch entry: LayerNorm each input (optional); project state and
stored pattern into ``H`` heads of width ``hd`` (``q``, ``k``) and the projection into ``H``
heads of width ``pd`` (``v``); optional Hopfield-space LayerNorm of ``q`` and ``k`` per head;
``q <- beta_h q``; optional bias row and zero row appended to ``k``/``v``; iterate
``q <- beta_h k^T sep(q k^T)`` (``_iterate.iterate``, or attention calls, ``_attention``);
``o = sep(q k^T) v``; concatenate heads; output projection; optional activation.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hopfield_sim.layers import _attention, _iterate, _validate
from hopfield_sim.layers import functional as F
from hopfield_sim.layers._dtypes import acc_dtype, check_dtype
from hopfield_sim.layers.masks import combine_masks, with_extra_rows
from hopfield_sim.layers.result import HopfieldResult, deprecated_alias

#: keyword arguments that switch off the layer's own input LayerNorms (for callers whose
#: surrounding block normalises, or that want raw patterns)
NO_INPUT_NORMS = dict(
    normalize_stored_pattern=False,
    normalize_stored_pattern_affine=False,
    normalize_state_pattern=False,
    normalize_state_pattern_affine=False,
    normalize_pattern_projection=False,
    normalize_pattern_projection_affine=False,
)

__all__ = ["Hopfield", "Fixed", "check_rngs"]


class Fixed(nnx.Variable):
    """A non-trainable array (e.g. lookup targets with ``trainable=False``)."""


def __getattr__(name: str):
    if name == "HopfieldOutput":
        return deprecated_alias(name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_rngs(rngs) -> None:
    """TypeError unless ``rngs`` is an ``nnx.Rngs`` (it is a required keyword)."""
    if not isinstance(rngs, nnx.Rngs):
        raise TypeError(
            f"rngs must be an nnx.Rngs (e.g. rngs=nnx.Rngs(0)); got {type(rngs).__name__}."
        )


def _layer_norm(on, affine, width, eps, dtype, param_dtype, rngs):
    if not on:
        return None
    return nnx.LayerNorm(  # statistics in at least float32 (nnx.LayerNorm does this)
        width,
        epsilon=eps,
        use_bias=affine,
        use_scale=affine,
        use_fast_variance=False,
        dtype=dtype,
        param_dtype=param_dtype,
        rngs=rngs,
    )


def _linear(n_in, n_out, bias, dtype, param_dtype, rngs, kernel_init):
    kw = {} if kernel_init is None else {"kernel_init": kernel_init}
    return nnx.Linear(
        n_in, n_out, use_bias=bias, dtype=dtype, param_dtype=param_dtype, rngs=rngs, **kw
    )


class Hopfield(nnx.Module):
    """Modern Hopfield association layer (hopfield-layers ``Hopfield`` options, in JAX).

    Parameters
    ----------
    input_size : int
        Width of the state pattern (and default width of the other two inputs).
    hidden_size : int, optional
        Per-head width ``hd`` of the association space; default ``input_size // num_heads``.
    output_size : int, optional
        Output width; default ``input_size`` (``num_heads * pattern_size`` without the
        output projection).
    pattern_size : int, optional
        Per-head width ``pd`` of the values; default ``hd``.
    num_heads : int
        Number of heads H.
    scaling : float or sequence of H floats, optional
        Inverse temperature beta per head; default ``1/sqrt(hd)``.
    update_steps_max : int, list of int per head, or None
        Updates after the first association (0 = attention); None = until converged
        (at most ``update_steps_limit``).
    update_steps_eps : float or list of float
        Stop once the Frobenius norm of the change of the weights is <= this.
    normalize_* : bool / float
        LayerNorm of each input (``*_affine``: with scale and bias; ``*_eps``).
    normalize_hopfield_space : bool
        LayerNorm of each head's ``q`` and ``k`` (shared affine over heads if ``_affine``).
    stored_pattern_as_static, state_pattern_as_static, pattern_projection_as_static : bool
        Skip that role's projection; the input must then have width ``hd`` (``pd`` for
        the projection) and is given unchanged to every head.
    pattern_projection_as_connected : bool
        Pass the projection through the key projection first (then the value projection).
    stored_pattern_size, pattern_projection_size : int, optional
        Input widths of stored pattern and projection; default ``input_size``.
    batch_first : bool
        ``(batch, length, width)`` if True else ``(length, batch, width)``.
    association_activation : str, optional
        Name of a ``jax.nn`` / ``jax.numpy`` function applied to the output (e.g. "tanh").
    dropout : float
        Dropout rate on the association weights (training mode only).
    input_bias : bool
        Biases in the q/k/v and output projections.
    concat_bias_pattern : bool
        Append one learnable key row and value row (always visible) to the stored
        patterns. (In hopfield-layers 1.0.2 this flag is a no-op; here it works.)
    add_zero_association : bool
        Append an all-zero key and value ("retrieve nothing" option).
    disable_out_projection : bool
        No output projection.
    separation : {"softmax", "softmax_1", "sparsemax", "entmax"}
    alpha : float or sequence of H floats, optional
        Entmax order (> 1), default 1.5.
    learn_scaling, learn_alpha : bool
        Make beta (per head, kept > 0) / the entmax alpha (per head, kept > 1) trainable.
    update_steps_limit : int
        Static cap of the iteration when ``update_steps_max`` is None.
    stop_rule : {"entry", "head"}
        "entry": each (batch entry, head) stops on its own; "head": a head stops for the
        whole batch when the largest change over the batch is small (hopfield-layers).
    mask_convention : {"jax", "reference"}
        Meaning of ``True`` in ``stored_pattern_padding_mask`` / ``association_mask``:
        "jax" keeps, "reference" excludes (PyTorch). ``mask=`` is always "jax".
    remat : bool, optional
        Recompute each update in the backward pass (``jax.checkpoint`` in a scan): the
        memory of ``jax.grad`` stays flat in the number of update steps, at the cost of one
        extra forward association per update in the backward pass. None (default): on for
        GPU / TPU and for more than 8 updates, off on CPU for up to 8 (unrolled, faster).
    implementation : {None, "explicit", "xla", "cudnn"}
        How softmax / softmax_1 retrieval with a static schedule runs (see
        ``hopfield_sim.layers._attention``); None: cuDNN flash attention on a GPU, explicit
        einsum on CPU.
    deterministic : bool
        Default dropout mode (False: dropout active); ``model.eval()`` / ``model.train()``
        and ``__call__(deterministic=...)`` change it, as in ``flax.nnx``.
    dtype : floating dtype, optional
        Computation dtype (e.g. ``jnp.bfloat16``); default: the promoted dtype of inputs
        and parameters, as in ``flax.nnx``. Scores, separation, LayerNorm statistics and
        the convergence test run in at least float32; the output has this dtype.
    param_dtype : floating dtype
        Parameter dtype (float32; float64 inside ``jax.enable_x64``).
    kernel_init : initializer, optional
        Initializer of the projection kernels (default: ``nnx.Linear``'s LeCun normal).
    rngs : nnx.Rngs
        Parameter initialisation and dropout keys (required keyword).
    """

    def __init__(
        self,
        input_size: int,
        *,
        hidden_size: int | None = None,
        output_size: int | None = None,
        pattern_size: int | None = None,
        num_heads: int = 1,
        scaling: float | list[float] | None = None,
        update_steps_max: int | list[int] | None = 0,
        update_steps_eps: float | list[float] = 1e-4,
        normalize_stored_pattern: bool = True,
        normalize_stored_pattern_affine: bool = True,
        normalize_stored_pattern_eps: float = 1e-5,
        normalize_state_pattern: bool = True,
        normalize_state_pattern_affine: bool = True,
        normalize_state_pattern_eps: float = 1e-5,
        normalize_pattern_projection: bool = True,
        normalize_pattern_projection_affine: bool = True,
        normalize_pattern_projection_eps: float = 1e-5,
        normalize_hopfield_space: bool = False,
        normalize_hopfield_space_affine: bool = False,
        normalize_hopfield_space_eps: float = 1e-5,
        stored_pattern_as_static: bool = False,
        state_pattern_as_static: bool = False,
        pattern_projection_as_static: bool = False,
        pattern_projection_as_connected: bool = False,
        stored_pattern_size: int | None = None,
        pattern_projection_size: int | None = None,
        batch_first: bool = True,
        association_activation: str | None = None,
        dropout: float = 0.0,
        input_bias: bool = True,
        concat_bias_pattern: bool = False,
        add_zero_association: bool = False,
        disable_out_projection: bool = False,
        separation: str = "softmax",
        alpha: float | list[float] | None = None,
        learn_scaling: bool = False,
        learn_alpha: bool = False,
        update_steps_limit: int = 100,
        stop_rule: str = "entry",
        mask_convention: str = "jax",
        remat: bool | None = None,
        implementation: str | None = None,
        deterministic: bool = False,
        dtype=None,
        param_dtype=jnp.float32,
        kernel_init=None,
        rngs: nnx.Rngs,
    ):
        check_rngs(rngs)
        dtype = check_dtype("dtype", dtype)
        param_dtype = check_dtype("param_dtype", param_dtype)
        _attention.check_implementation(implementation)
        for name, v in (("input_size", input_size), ("num_heads", num_heads)):
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise TypeError(f"{name} must be a positive int; got {v!r}.")
            if v < 1:
                raise ValueError(f"{name} must be a positive int; got {v!r}.")
        H = num_heads
        hd = hidden_size if hidden_size is not None else input_size // H
        if hd < 1:
            raise ValueError(
                f"hidden_size (per head) must be >= 1; got input_size={input_size}, "
                f"num_heads={num_heads}, hidden_size={hidden_size}."
            )
        pd = pattern_size if pattern_size is not None else hd
        _validate.separation(separation, alpha)
        _validate.steps(update_steps_max, update_steps_eps, H)
        _validate.positive("scaling", scaling, allow_none=True)
        if np.size(scaling) not in (1, H) and scaling is not None:
            raise ValueError(f"scaling must be one float or one per head ({H}); got {scaling!r}.")
        if stop_rule not in ("entry", "head"):
            raise ValueError(f"stop_rule must be 'entry' or 'head'; got {stop_rule!r}.")
        if mask_convention not in ("jax", "reference"):
            raise ValueError(
                f"mask_convention must be 'jax' or 'reference'; got {mask_convention!r}."
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1); got {dropout!r}.")
        connected = pattern_projection_as_connected and not stored_pattern_as_static
        if connected and pd != hd:
            raise ValueError(
                f"pattern_projection_as_connected needs pattern_size == hidden_size; got "
                f"pattern_size={pd}, hidden_size={hd}."
            )
        if association_activation is not None:
            fn = getattr(jax.nn, association_activation, None) or getattr(
                jnp, association_activation, None
            )
            if fn is None:
                raise ValueError(
                    f"association_activation must name a jax.nn or jax.numpy function; "
                    f"got {association_activation!r}."
                )
        self.dtype, self.param_dtype = dtype, param_dtype
        self.remat, self.implementation = remat, implementation
        self.num_heads, self.head_dim, self.pattern_dim = H, hd, pd
        self.input_size = input_size
        self.stored_size = stored_pattern_size or input_size
        self.projection_size = pattern_projection_size or input_size
        self.static = (
            stored_pattern_as_static,
            state_pattern_as_static,
            pattern_projection_as_static,
        )
        self.connected = connected
        self.batch_first = batch_first
        self.activation = association_activation
        self.separation, self.stop_rule, self.mask_convention = (
            separation,
            stop_rule,
            mask_convention,
        )
        self.add_zero_association = add_zero_association
        self.update_steps_max, self.update_steps_eps = update_steps_max, update_steps_eps
        self.update_steps_limit = update_steps_limit
        self.dropout_rate = dropout
        self._interleaved_scaling = False  # set only by _reference (hopfield-layers quirk)

        pdt, cdt = param_dtype, dtype
        state_w = hd if state_pattern_as_static else input_size
        stored_w = hd if stored_pattern_as_static else self.stored_size
        if not pattern_projection_as_static:
            proj_w = self.projection_size
        else:  # static: used as the value itself, or fed to the key projection if connected
            proj_w = self.stored_size if connected else pd
        self.widths = (stored_w, state_w, proj_w)
        self.norm_stored = _layer_norm(
            normalize_stored_pattern,
            normalize_stored_pattern_affine,
            stored_w,
            normalize_stored_pattern_eps,
            cdt,
            pdt,
            rngs,
        )
        self.norm_state = _layer_norm(
            normalize_state_pattern,
            normalize_state_pattern_affine,
            state_w,
            normalize_state_pattern_eps,
            cdt,
            pdt,
            rngs,
        )
        self.norm_projection = _layer_norm(
            normalize_pattern_projection,
            normalize_pattern_projection_affine,
            proj_w,
            normalize_pattern_projection_eps,
            cdt,
            pdt,
            rngs,
        )
        self.q_proj = (
            None
            if state_pattern_as_static
            else _linear(input_size, H * hd, input_bias, cdt, pdt, rngs, kernel_init)
        )
        self.k_proj = (
            None
            if stored_pattern_as_static
            else _linear(self.stored_size, H * hd, input_bias, cdt, pdt, rngs, kernel_init)
        )
        v_in = H * hd if connected else self.projection_size
        self.v_proj = (
            None
            if pattern_projection_as_static
            else _linear(v_in, H * pd, input_bias, cdt, pdt, rngs, kernel_init)
        )
        self.norm_hopfield_space = _layer_norm(
            normalize_hopfield_space,
            normalize_hopfield_space_affine,
            hd,
            normalize_hopfield_space_eps,
            cdt,
            pdt,
            rngs,
        )
        self.out_size = H * pd if disable_out_projection else (output_size or input_size)
        self.out_proj = (
            None
            if disable_out_projection
            else _linear(H * pd, self.out_size, input_bias, cdt, pdt, rngs, kernel_init)
        )
        init = nnx.initializers.normal(stddev=1.0 / math.sqrt(hd))
        self.bias_k = nnx.data(
            nnx.Param(init(rngs.params(), (H, hd), pdt)) if concat_bias_pattern else None
        )
        self.bias_v = nnx.data(
            nnx.Param(init(rngs.params(), (H, pd), pdt)) if concat_bias_pattern else None
        )
        self.dropout = nnx.Dropout(dropout, deterministic=deterministic, rngs=rngs)

        all_static = all(self.static) and not connected and not normalize_hopfield_space
        default_beta = 1.0 if all_static and disable_out_projection else 1.0 / math.sqrt(hd)
        beta = np.broadcast_to(
            np.asarray(default_beta if scaling is None else scaling, dtype=float), (H,)
        )
        self.scaling_per_head = isinstance(scaling, list | tuple | np.ndarray)
        self.log_beta = nnx.Param(jnp.log(jnp.asarray(beta, pdt))) if learn_scaling else None
        self.beta_fixed = tuple(float(b) for b in beta)
        a = np.broadcast_to(np.asarray(1.5 if alpha is None else alpha, dtype=float), (H,))
        learned = separation == "entmax" and learn_alpha
        # alpha = 1 + softplus(raw) > 1 when learned
        self.alpha = nnx.data(
            nnx.Param(jnp.asarray(np.log(np.expm1(a - 1.0)), pdt)) if learned else None
        )
        self.alpha_fixed = tuple(float(x) for x in a)

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

    def _split(self, x, width):
        return x.reshape(x.shape[:-1] + (self.num_heads, width))

    def _project(self, stored, state, proj):
        """Inputs (B, S|L, width) -> q (B, L, H, hd), k (B, S, H, hd), v (B, S, H, pd)."""
        H = self.num_heads
        if self.norm_stored is not None:
            stored = self.norm_stored(stored)
        if self.norm_state is not None:
            state = self.norm_state(state)
        if self.norm_projection is not None:
            proj = self.norm_projection(proj)
        if self.q_proj is None:
            q = jnp.broadcast_to(state[..., None, :], state.shape[:-1] + (H, state.shape[-1]))
        else:
            q = self._split(self.q_proj(state), self.head_dim)
        if self.k_proj is None:
            k = jnp.broadcast_to(stored[..., None, :], stored.shape[:-1] + (H, stored.shape[-1]))
        else:
            k = self._split(self.k_proj(stored), self.head_dim)
        if self.connected:
            proj = self.k_proj(proj)
        if self.v_proj is not None:
            v = self._split(self.v_proj(proj), self.pattern_dim)
        elif self.connected:
            v = self._split(proj, self.pattern_dim)
        else:
            v = jnp.broadcast_to(proj[..., None, :], proj.shape[:-1] + (H, proj.shape[-1]))
        if self.norm_hopfield_space is not None:
            q, k = self.norm_hopfield_space(q), self.norm_hopfield_space(k)
        return q, k, v

    def _keep_mask(self, B, L, S, mask, padding, association):
        """Combine masks into one keep-mask broadcastable to (B, H, L, S), or None."""
        return combine_masks(
            B,
            self.num_heads,
            L,
            S,
            mask=mask,
            padding=padding,
            association=association,
            convention=self.mask_convention,
        )

    # ------------------------------------------------------------------ forward

    def _inputs(self, inputs, query, memory, values):
        if inputs is not None:
            if query is not None or memory is not None or values is not None:
                raise ValueError("give either inputs or query=/memory=/values=, not both.")
            if isinstance(inputs, tuple | list):
                if len(inputs) != 3:
                    raise ValueError(
                        "inputs must be one array or a tuple (stored_pattern, state_pattern, "
                        f"pattern_projection); got a sequence of {len(inputs)}."
                    )
                return tuple(inputs)
            return inputs, inputs, inputs
        if memory is None:
            raise ValueError("memory= (the stored patterns) is required with keyword inputs.")
        return memory, memory if query is None else query, memory if values is None else values

    def _compute_dtype(self, *inputs):
        """``dtype`` if given, else the promoted dtype of the inputs and the parameters."""
        if self.dtype is not None:
            return self.dtype
        params = jax.tree_util.tree_leaves(nnx.state(self, nnx.Param))
        return jnp.result_type(*inputs, *params)

    def _forward(
        self,
        stored,
        state,
        proj,
        *,
        mask,
        padding,
        association,
        deterministic,
        rngs,
        need_info,
    ):
        names = ("stored_pattern", "state_pattern", "pattern_projection")
        for n, x in zip(names, (stored, state, proj)):
            _validate.array(n, x, min_ndim=3)
            if x.ndim != 3:
                raise ValueError(f"{n} must have 3 axes (batch, length, width); got {x.shape}.")
        if not self.batch_first:
            stored, state, proj = (jnp.swapaxes(x, 0, 1) for x in (stored, state, proj))
        for n, x, w in zip(names, (stored, state, proj), self.widths):
            if x.shape[-1] != w:
                raise ValueError(f"{n} must have width {w} (last axis); got shape {x.shape}.")
        _validate.same(
            ["stored_pattern", "pattern_projection"],
            [stored.shape[:2], proj.shape[:2]],
            "stored_pattern and pattern_projection must share (batch, S)",
        )
        if stored.shape[0] != state.shape[0]:
            raise ValueError(
                f"stored_pattern and state_pattern must share the batch size; got stored_pattern "
                f"{stored.shape} and state_pattern {state.shape} (batch-major)."
            )
        dtype = self._compute_dtype(stored, state, proj)
        stored, state, proj = (x.astype(dtype) for x in (stored, state, proj))
        B, L, S = state.shape[0], state.shape[1], stored.shape[1]
        keep = self._keep_mask(B, L, S, mask, padding, association)
        q, k, v = self._project(stored, state, proj)
        s0, s1 = self._beta_scales(acc_dtype(dtype))
        q0 = (q * s0).astype(dtype)
        extra = []
        if self.bias_k is not None:
            extra.append((self.bias_k[...].astype(dtype), self.bias_v[...].astype(dtype)))
        if self.add_zero_association:
            extra.append(
                (
                    jnp.zeros((self.num_heads, k.shape[-1]), dtype),
                    jnp.zeros((self.num_heads, v.shape[-1]), dtype),
                )
            )
        for kk, vv in extra:
            k = jnp.concatenate([k, jnp.broadcast_to(kk, (B, 1) + kk.shape)], axis=1)
            v = jnp.concatenate([v, jnp.broadcast_to(vv, (B, 1) + vv.shape)], axis=1)
        keep = with_extra_rows(keep, S, len(extra))
        T, max_h, eps_h = _iterate.step_schedule(
            self.update_steps_max, self.update_steps_eps, self.update_steps_limit, self.num_heads
        )
        every_step = _iterate.static_schedule(max_h, eps_h, T)
        use_dropout = self.dropout_rate > 0 and not (
            deterministic if deterministic is not None else self.dropout.deterministic
        )
        impl = _attention.choose(self.implementation, dtype, k.shape[-1], v.shape[-1])
        if (
            impl != "explicit"
            and self.separation in ("softmax", "softmax_1")
            and every_step
            and not use_dropout
            and not need_info
        ):
            o = _attention.iterate_attention(
                q0,
                k,
                v,
                keep,
                None,
                s1,
                T=T,
                zero_row=self.separation == "softmax_1",
                implementation=impl,
                remat=_iterate.resolve_remat(self.remat, T),
            )
        else:
            a = self._alpha()
            w, steps, converged = _iterate.iterate_named(
                q0,
                k,
                None if a is None else a[:, None],
                keep,
                None,
                s1,
                jnp.asarray(max_h),
                jnp.asarray(eps_h, acc_dtype(dtype)),
                separation=self.separation,
                T=T,
                shared_axes=(0,) if self.stop_rule == "head" else (),
                every_step=every_step,
                remat=_iterate.resolve_remat(self.remat, T),
            )
            w_used = w
            if use_dropout:
                w_used = self.dropout(w, deterministic=deterministic, rngs=rngs)
            o = _iterate.mix(w_used, v)
        out = o.reshape(B, L, -1)
        if self.out_proj is not None:
            out = self.out_proj(out)
        if self.activation is not None:
            out = (getattr(jax.nn, self.activation, None) or getattr(jnp, self.activation))(out)
        out = out.astype(dtype)
        if not self.batch_first:
            out = jnp.swapaxes(out, 0, 1)
        if not need_info:
            return out
        state_final = _iterate.mix(w, k)
        return HopfieldResult(
            out, w.astype(dtype), state_final, steps, converged, jnp.swapaxes(v, 1, 2), o
        )

    def __call__(
        self,
        inputs=None,
        *,
        query: jax.Array | None = None,
        memory: jax.Array | None = None,
        values: jax.Array | None = None,
        mask: jax.Array | None = None,
        stored_pattern_padding_mask: jax.Array | None = None,
        association_mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> jax.Array:
        """Associate and retrieve.

        Parameters
        ----------
        inputs : array or tuple (stored_pattern, state_pattern, pattern_projection)
            One array (self-association) or the three roles, each (B, length, width).
        query, memory, values : arrays, optional
            Keyword alternative: state pattern, stored pattern, pattern projection
            (``query`` and ``values`` default to ``memory``).
        mask : bool array broadcastable to (B, H, L, S), optional
            ``True`` keeps an association (JAX convention).
        stored_pattern_padding_mask : bool (B, S), optional
        association_mask : bool (L, S), (B*H, L, S) or (B, H, L, S), optional
            Meaning of ``True`` set by ``mask_convention``.
        deterministic : bool, optional
            Disable dropout (default: the module's mode, ``model.train()`` /
            ``model.eval()`` or the constructor's ``deterministic``).
        rngs : nnx.Rngs, optional
            Dropout keys for this call (default: the stream kept from the constructor).

        Returns
        -------
        array, shape (B, L, output width), in the computation dtype
        """
        stored, state, proj = self._inputs(inputs, query, memory, values)
        return self._forward(
            stored,
            state,
            proj,
            mask=mask,
            padding=stored_pattern_padding_mask,
            association=association_mask,
            deterministic=deterministic,
            rngs=rngs,
            need_info=False,
        )

    def retrieve(
        self,
        inputs=None,
        *,
        query: jax.Array | None = None,
        memory: jax.Array | None = None,
        values: jax.Array | None = None,
        mask: jax.Array | None = None,
        stored_pattern_padding_mask: jax.Array | None = None,
        association_mask: jax.Array | None = None,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | None = None,
    ) -> HopfieldResult:
        """Like ``__call__`` but returns a :class:`~hopfield_sim.layers.HopfieldResult`
        (output, weights, state, steps, converged, values, patterns)."""
        stored, state, proj = self._inputs(inputs, query, memory, values)
        return self._forward(
            stored,
            state,
            proj,
            mask=mask,
            padding=stored_pattern_padding_mask,
            association=association_mask,
            deterministic=deterministic,
            rngs=rngs,
            need_info=True,
        )

    def energy(
        self,
        inputs=None,
        *,
        query: jax.Array | None = None,
        memory: jax.Array | None = None,
        values: jax.Array | None = None,
        state: jax.Array | None = None,
        mask: jax.Array | None = None,
        stored_pattern_padding_mask: jax.Array | None = None,
        association_mask: jax.Array | None = None,
    ) -> jax.Array:
        """Hopfield energy of each head's state in the association space, shape (B, H, L).

        By default the state is the projected (unscaled) query ``q``; pass ``state``
        (B, L, H, hd) to evaluate another one, e.g. ``retrieve(...).state``. Uses the
        module's separation and beta per head; masks as in ``__call__``.
        """
        stored, st, proj = self._inputs(inputs, query, memory, values)
        if not self.batch_first:
            stored, st, proj = (jnp.swapaxes(x, 0, 1) for x in (stored, st, proj))
        dtype = self._compute_dtype(stored, st, proj)
        stored, st, proj = (x.astype(dtype) for x in (stored, st, proj))
        q, k, _ = self._project(stored, st, proj)
        if self.add_zero_association:
            k = jnp.concatenate([k, jnp.zeros_like(k[:, :1])], axis=1)
        xi = q if state is None else state
        B, L, S = q.shape[0], q.shape[1], stored.shape[1]
        keep = self._keep_mask(B, L, S, mask, stored_pattern_padding_mask, association_mask)
        keep = with_extra_rows(keep, S, int(self.add_zero_association))
        a = self._alpha()
        return F.energy(
            jnp.swapaxes(xi, 1, 2),
            jnp.swapaxes(k, 1, 2)[:, :, None],
            beta=self.beta[:, None],
            separation=self.separation,
            alpha=None if a is None else a[:, None],
            mask=keep,
        )

    @classmethod
    def pure_retrieval(
        cls,
        size: int,
        *,
        pattern_size: int | None = None,
        scaling: float | None = None,
        update_steps_max: int | None = 0,
        update_steps_eps: float = 1e-4,
        separation: str = "softmax",
        rngs: nnx.Rngs,
        **kwargs,
    ) -> Hopfield:
        """A Hopfield layer without projections or norms: ``sep(beta xi X^T) V``.

        ``size`` is the pattern width d; ``scaling`` (beta) defaults to 1. Inputs are used
        as they are (stored patterns, states, values of width ``pattern_size``). It has no
        parameters; ``rngs`` supplies the dropout keys.
        """
        return cls(
            size,
            rngs=rngs,
            hidden_size=size,
            pattern_size=pattern_size or size,
            scaling=1.0 if scaling is None else scaling,
            update_steps_max=update_steps_max,
            update_steps_eps=update_steps_eps,
            **NO_INPUT_NORMS,
            stored_pattern_as_static=True,
            state_pattern_as_static=True,
            pattern_projection_as_static=True,
            disable_out_projection=True,
            separation=separation,
            **kwargs,
        )
