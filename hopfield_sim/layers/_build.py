"""Parameters of a ``Hopfield`` module: checks, LayerNorms, projections, beta and alpha.

Called once by ``Hopfield.__init__`` with the native options (after
:mod:`hopfield_sim.layers._legacy` translated any old names).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hopfield_sim.layers import _attention, _validate
from hopfield_sim.layers._dtypes import check_dtype
from hopfield_sim.layers.options import ROLES, Norm, Norms

__all__ = ["build", "check_rngs", "Fixed"]


class Fixed(nnx.Variable):
    """A non-trainable array (e.g. lookup targets with ``trainable=False``)."""


def check_rngs(rngs) -> None:
    """TypeError unless ``rngs`` is an ``nnx.Rngs`` (it is a required keyword)."""
    if not isinstance(rngs, nnx.Rngs):
        raise TypeError(
            f"rngs must be an nnx.Rngs (e.g. rngs=nnx.Rngs(0)); got {type(rngs).__name__}."
        )


def _layer_norm(norm: Norm | None, width, dtype, param_dtype, rngs):
    if norm is None:
        return None
    return nnx.LayerNorm(  # statistics in at least float32 (nnx.LayerNorm does this)
        width,
        epsilon=norm.eps,
        use_bias=norm.affine,
        use_scale=norm.affine,
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


def _positive_int(name, v):
    if isinstance(v, bool) or not isinstance(v, int | np.integer):
        raise TypeError(f"{name} must be a positive int; got {v!r}.")
    if v < 1:
        raise ValueError(f"{name} must be a positive int; got {v!r}.")


def _widths(input_size):
    """(query, key, value) input widths from an int or a triple (None entries: the query's)."""
    if isinstance(input_size, tuple | list):
        if len(input_size) != 3:
            raise ValueError(
                f"input_size must be an int or (query, key, value) widths; got {input_size!r}."
            )
        q = input_size[0]
        sizes = (q, input_size[1] or q, input_size[2] or q)
    else:
        sizes = (input_size,) * 3
    for r, s in zip(ROLES, sizes):
        _positive_int(
            f"input_size ({r})" if isinstance(input_size, tuple | list) else "input_size", s
        )
    return sizes


def _check_beta(beta, H):
    _validate.positive("beta", beta, allow_none=True)
    if beta is not None and np.size(beta) not in (1, H):
        raise ValueError(f"beta must be one float or one per head ({H}); got {beta!r}.")


def _check(o):
    """Value checks of the options; returns (H, hd, pd, static roles, connected)."""
    if o["input_size"] is None:
        raise TypeError("Hopfield needs input_size (the query width; in_features in MHA terms).")
    _positive_int("num_heads", o["num_heads"])
    H = o["num_heads"]
    q_w = _widths(o["input_size"])[0]
    hd = o["hidden_size"] if o["hidden_size"] is not None else q_w // H
    if hd < 1:
        raise ValueError(
            f"hidden_size (per head) must be >= 1; got input_size={o['input_size']}, "
            f"num_heads={H}, hidden_size={o['hidden_size']}."
        )
    pd = o["pattern_size"] if o["pattern_size"] is not None else hd
    _validate.separation(o["separation"], o["entmax_alpha"])
    _validate.steps(o["update_steps_max"], o["update_steps_eps"], H)
    _check_beta(o["beta"], H)
    for name, allowed in (
        ("stop_rule", ("entry", "head")),
        ("mask_convention", ("jax", "reference")),
    ):
        if o[name] not in allowed:
            raise ValueError(f"{name} must be one of {allowed}; got {o[name]!r}.")
    if not 0.0 <= o["dropout_rate"] < 1.0:
        raise ValueError(f"dropout_rate must lie in [0, 1); got {o['dropout_rate']!r}.")
    static = (o["static"],) if isinstance(o["static"], str) else tuple(o["static"])
    if not set(static) <= set(ROLES):
        raise ValueError(f"static must name roles among {ROLES}; got {o['static']!r}.")
    if not isinstance(o["norms"], Norms):
        raise TypeError(f"norms must be a Norms (e.g. Norms.none()); got {o['norms']!r}.")
    connected = o["value_through_key"] and "key" not in static
    if connected and pd != hd:
        raise ValueError(
            f"value_through_key needs pattern_size == hidden_size; got pattern_size={pd}, "
            f"hidden_size={hd}."
        )
    act = o["activation"]
    if act is not None and (getattr(jax.nn, act, None) or getattr(jnp, act, None)) is None:
        raise ValueError(f"activation must name a jax.nn or jax.numpy function; got {act!r}.")
    return H, hd, pd, static, connected


def build(m, o: dict, rngs) -> None:
    """Set the attributes and submodules of the ``Hopfield`` module ``m`` from options ``o``."""
    check_rngs(rngs)
    dtype = check_dtype("dtype", o["dtype"])
    pdt = check_dtype("param_dtype", o["param_dtype"])
    _attention.check_implementation(o["implementation"])
    H, hd, pd, static, connected = _check(o)
    norms = o["norms"].checked()
    q_size, k_size, v_size = _widths(o["input_size"])
    m.dtype, m.param_dtype = dtype, pdt
    m.remat, m.implementation = o["remat"], o["implementation"]
    m.num_heads, m.head_dim, m.pattern_dim = H, hd, pd
    m.input_size, m.stored_size, m.projection_size = q_size, k_size, v_size
    #: (key, query, value) static flags (hopfield-layers order of the widths below)
    m.static = ("key" in static, "query" in static, "value" in static)
    m.connected = connected
    m.batch_first = o.get("batch_first", True)
    m.activation = o["activation"]
    m.separation, m.stop_rule, m.mask_convention = (
        o["separation"],
        o["stop_rule"],
        o["mask_convention"],
    )
    m.add_zero_association = o["add_zero_pattern"]
    m.update_steps_max, m.update_steps_eps = o["update_steps_max"], o["update_steps_eps"]
    m.update_steps_limit = o["update_steps_limit"]
    m.dropout_rate = o["dropout_rate"]
    m._interleaved_scaling = False  # set only by _reference (hopfield-layers quirk)

    kinit, bias = o["kernel_init"], o["use_bias"]
    state_w = hd if "query" in static else q_size
    stored_w = hd if "key" in static else k_size
    if "value" not in static:
        proj_w = v_size
    else:  # static: used as the value itself, or fed to the key projection if connected
        proj_w = k_size if connected else pd
    m.widths = (stored_w, state_w, proj_w)
    m.norm_stored = _layer_norm(norms.key, stored_w, dtype, pdt, rngs)
    m.norm_state = _layer_norm(norms.query, state_w, dtype, pdt, rngs)
    m.norm_projection = _layer_norm(norms.value, proj_w, dtype, pdt, rngs)
    m.q_proj = None if "query" in static else _linear(q_size, H * hd, bias, dtype, pdt, rngs, kinit)
    m.k_proj = None if "key" in static else _linear(k_size, H * hd, bias, dtype, pdt, rngs, kinit)
    v_in = H * hd if connected else v_size
    m.v_proj = None if "value" in static else _linear(v_in, H * pd, bias, dtype, pdt, rngs, kinit)
    m.norm_hopfield_space = _layer_norm(norms.hopfield_space, hd, dtype, pdt, rngs)
    out = o["output_size"]
    m.out_size = H * pd if not o["out_projection"] else (out or q_size)
    m.out_proj = (
        _linear(H * pd, m.out_size, bias, dtype, pdt, rngs, kinit) if o["out_projection"] else None
    )
    init = nnx.initializers.normal(stddev=1.0 / math.sqrt(hd))
    extra = o["add_bias_pattern"]
    m.bias_k = nnx.data(nnx.Param(init(rngs.params(), (H, hd), pdt)) if extra else None)
    m.bias_v = nnx.data(nnx.Param(init(rngs.params(), (H, pd), pdt)) if extra else None)
    m.dropout = nnx.Dropout(o["dropout_rate"], deterministic=o["deterministic"], rngs=rngs)

    all_static = len(static) == 3 and not connected and norms.hopfield_space is None
    default_beta = 1.0 if all_static and not o["out_projection"] else 1.0 / math.sqrt(hd)
    beta = o["beta"]
    b = np.broadcast_to(np.asarray(default_beta if beta is None else beta, dtype=float), (H,))
    m.scaling_per_head = isinstance(beta, list | tuple | np.ndarray)
    m.log_beta = nnx.Param(jnp.log(jnp.asarray(b, pdt))) if o["learn_beta"] else None
    m.beta_fixed = tuple(float(x) for x in b)
    a = o["entmax_alpha"]
    a = np.broadcast_to(np.asarray(1.5 if a is None else a, dtype=float), (H,))
    learned = o["separation"] == "entmax" and o["learn_entmax_alpha"]
    # alpha = 1 + softplus(raw) > 1 when learned
    m.alpha = nnx.data(nnx.Param(jnp.asarray(np.log(np.expm1(a - 1.0)), pdt)) if learned else None)
    m.alpha_fixed = tuple(float(x) for x in a)
