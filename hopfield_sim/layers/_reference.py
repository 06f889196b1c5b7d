"""Build NNX modules from hopfield-layers 1.0.2 (PyTorch) configurations and parameters.

Used by the parity tests (fixtures vendored in ``tests/layers/fixtures/hflayers``) and by
users porting trained PyTorch layers (``docs/layers.md``, "Porting hopfield-layers").
Parameters come in the "canonical" per-role form (``q_weight`` of shape (out, in), applied as
``x @ W.T + b``; see the fixtures README), or from a PyTorch ``state_dict`` converted to
NumPy arrays with :func:`canonical_from_state_dict`.

The reference's behaviour is reproduced where it differs from this package's defaults:
masks use its convention (``True`` excludes), a head stops for the whole batch
(``stop_rule="head"``), a per-head scaling tensor is applied interleaved (its quirk), and
``concat_bias_pattern`` is a no-op there (so it is switched off here). Every option name of
the reference constructor is accepted here and translated to the native options of
``Hopfield`` (``scaling`` -> ``beta``, ``normalize_*`` -> ``norms``, ``*_as_static`` ->
``static``, ...; :mod:`hopfield_sim.layers._legacy`) without a warning.
"""

from __future__ import annotations

from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hopfield_sim.layers import _legacy
from hopfield_sim.layers.modules import Fixed, Hopfield
from hopfield_sim.layers.pooling import HopfieldLayer, HopfieldPooling

__all__ = ["from_reference", "canonical_from_state_dict"]

_WRAPPER_ONLY = {
    "HopfieldPooling": ("quantity", "trainable"),
    "HopfieldLayer": (
        "quantity",
        "trainable",
        "lookup_weights_as_separated",
        "lookup_targets_as_trainable",
    ),
}

# canonical name -> (attribute path inside the Hopfield module, transpose?)
_HOPFIELD_PARAMS = {
    "ln_stored_weight": ("norm_stored.scale", False),
    "ln_stored_bias": ("norm_stored.bias", False),
    "ln_state_weight": ("norm_state.scale", False),
    "ln_state_bias": ("norm_state.bias", False),
    "ln_projection_weight": ("norm_projection.scale", False),
    "ln_projection_bias": ("norm_projection.bias", False),
    "q_weight": ("q_proj.kernel", True),
    "q_bias": ("q_proj.bias", False),
    "k_weight": ("k_proj.kernel", True),
    "k_bias": ("k_proj.bias", False),
    "v_weight": ("v_proj.kernel", True),
    "v_bias": ("v_proj.bias", False),
    "hopfield_norm_weight": ("norm_hopfield_space.scale", False),
    "hopfield_norm_bias": ("norm_hopfield_space.bias", False),
    "out_weight": ("out_proj.kernel", True),
    "out_bias": ("out_proj.bias", False),
}


def _module_kwargs(args: Mapping) -> tuple[dict, bool]:
    """Native keyword options (and ``batch_first``) from the reference's arguments."""
    kw = {k: v for k, v in args.items()}
    for key in ("scaling", "update_steps_eps"):
        if isinstance(kw.get(key), list):
            kw[key] = [float(x) for x in kw[key]]
    kw["concat_bias_pattern"] = False  # a no-op in hopfield-layers 1.0.2
    native = _legacy.translate(kw)
    return native, native.pop("batch_first", True)


def _set(module, path: str, value: np.ndarray, dtype) -> None:
    obj = module
    *parents, leaf = path.split(".")
    for p in parents:
        obj = getattr(obj, p)
        if obj is None:
            raise ValueError(f"parameter {path!r} given, but this configuration has no {p}.")
    var = getattr(obj, leaf, None)
    if var is None:
        raise ValueError(f"parameter {path!r} given, but the module has no such parameter.")
    if tuple(var[...].shape) != tuple(value.shape):
        raise ValueError(
            f"parameter {path!r} has shape {tuple(var[...].shape)} in the module; got "
            f"{tuple(value.shape)}."
        )
    var[...] = jnp.asarray(value, dtype=dtype)


def from_reference(
    module: str,
    constructor_args: Mapping,
    params: Mapping[str, np.ndarray],
    *,
    param_dtype=jnp.float32,
    dtype=None,
    rngs: nnx.Rngs | None = None,
):
    """Build ``Hopfield``/``HopfieldPooling``/``HopfieldLayer`` behaving as the reference.

    Parameters
    ----------
    module : {"Hopfield", "HopfieldPooling", "HopfieldLayer"}
    constructor_args : mapping
        The reference constructor's keyword arguments (``null`` = None; lists for per-head
        ``scaling``, ``update_steps_max``, ``update_steps_eps``).
    params : mapping of str to ndarray
        Canonical parameters (``q_weight``, ``ln_state_bias``, ``pooling_weights``, ...).
    param_dtype : dtype
        float64 needs ``jax.enable_x64``.
    dtype : dtype, optional
        Computation dtype of the module (e.g. ``jnp.bfloat16``); default inferred.
    rngs : nnx.Rngs, optional
        Only the dropout keys (every parameter is overwritten); default ``nnx.Rngs(0)``.

    Returns
    -------
    nnx.Module
        Every parameter of the module is set from ``params``; a missing or extra one raises
        ``ValueError``.
    """
    rngs = rngs if rngs is not None else nnx.Rngs(0)
    kw, batch_first = _module_kwargs(constructor_args)
    common = dict(
        stop_rule="head", mask_convention="reference", param_dtype=param_dtype, dtype=dtype
    )
    zeros = nnx.initializers.zeros  # every value is overwritten below; no random init
    common["kernel_init"] = zeros
    if module == "Hopfield":
        input_size = kw.pop("input_size")
        m = Hopfield(input_size, **kw, **common, rngs=rngs)
        core = m
    elif module in _WRAPPER_ONLY:
        extra = {k: kw.pop(k) for k in _WRAPPER_ONLY[module] if k in kw}
        input_size = kw.pop("input_size")
        cls = HopfieldPooling if module == "HopfieldPooling" else HopfieldLayer
        m = cls(input_size, **extra, **kw, **common, pattern_init=zeros, rngs=rngs)
        core = m.hopfield
    else:
        raise ValueError(
            f"module must be 'Hopfield', 'HopfieldPooling' or 'HopfieldLayer'; got {module!r}."
        )
    core._interleaved_scaling = True
    if module == "Hopfield":
        core.batch_first = batch_first
    else:
        m.batch_first = batch_first
    n_params = len(jax.tree_util.tree_leaves(nnx.state(m, nnx.Param)))
    n_params += len(jax.tree_util.tree_leaves(nnx.state(m, Fixed)))
    used = 0
    for name, value in params.items():
        value = np.asarray(value)
        if name in _HOPFIELD_PARAMS:
            path, transpose = _HOPFIELD_PARAMS[name]
            _set(core, path, value.T if transpose else value, param_dtype)
        elif name in ("pooling_weights", "lookup_weights", "target_weights"):
            _set(m, name, value, param_dtype)
        else:
            raise ValueError(f"unknown reference parameter {name!r}.")
        used += 1
    if used != n_params:
        raise ValueError(
            f"the module has {n_params} parameter arrays but {used} were given: {sorted(params)}."
        )
    return m


def canonical_from_state_dict(
    state_dict: Mapping[str, np.ndarray],
    *,
    num_heads: int,
    head_dim: int,
    pattern_dim: int,
    static=(False, False, False),
) -> dict[str, np.ndarray]:
    """Convert a hopfield-layers ``state_dict`` (as NumPy arrays) to canonical names.

    ``static`` = (stored, state, projection) as-static flags of the module. Handles the
    packed ``in_proj_weight`` / ``in_proj_bias`` layouts and the ``hopfield.`` prefix of
    ``HopfieldPooling`` / ``HopfieldLayer``.
    """
    sd = {k.removeprefix("hopfield."): np.asarray(v) for k, v in state_dict.items()}
    out = _norms_and_outputs(sd)
    stored_static, state_static, proj_static = static
    hd_all, pd_all = num_heads * head_dim, num_heads * pattern_dim
    roles = [("q", not state_static, hd_all), ("k", not stored_static, hd_all), ("v", True, pd_all)]
    out |= _projections(sd, roles, proj_static)
    return out


def _norms_and_outputs(sd: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """LayerNorm, output projection and pooling / lookup arrays under canonical names."""
    out: dict[str, np.ndarray] = {}
    names = {
        "norm_stored_pattern": "ln_stored",
        "norm_state_pattern": "ln_state",
        "norm_pattern_projection": "ln_projection",
        "association_core.p_norm": "hopfield_norm",
        "association_core.out_proj": "out",
    }
    for mod, canon in names.items():
        for p in ("weight", "bias"):
            for key in (f"{mod}.{p}", f"{mod}_{p}"):  # p_norm_weight has no dot
                if key in sd:
                    out[f"{canon}_{p}"] = sd[key]
    for k in ("pooling_weights", "lookup_weights", "target_weights"):
        if k in sd:
            out[k] = sd[k]
    return out


def _projections(sd, roles, proj_static) -> dict[str, np.ndarray]:
    """q/k/v weights and biases, from the packed (``in_proj_*``) or the separate layout."""
    out: dict[str, np.ndarray] = {}
    if "association_core.in_proj_weight" not in sd:
        for r, _, _ in roles:
            if f"association_core.{r}_proj_weight" in sd:
                out[f"{r}_weight"] = sd[f"association_core.{r}_proj_weight"]
    for p in ("weight", "bias"):
        if f"association_core.in_proj_{p}" not in sd:
            continue
        W, row = sd[f"association_core.in_proj_{p}"], 0
        for r, present, n in roles:  # v is last: a static v has no rows to skip
            if present and not (r == "v" and proj_static):
                out[f"{r}_{p}"] = W[row : row + n]
                row += n
    return out
