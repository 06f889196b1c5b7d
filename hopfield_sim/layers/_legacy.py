"""Option names of hopfield-layers (and of ``nnx.MultiHeadAttention``) -> native options.

``Hopfield`` takes about twenty native keyword options (docs/layers.md, "Options"). The 47
names of the PyTorch original's constructor (``scaling``, ``normalize_state_pattern_eps``,
``stored_pattern_as_static``, ...) are translated here: silently by
:func:`hopfield_sim.layers.from_reference`, with a DeprecationWarning when given to
``Hopfield`` directly. ``nnx.MultiHeadAttention``'s names are accepted where they mean
the same thing, else answered with a one-line error naming the equivalent.
"""

from __future__ import annotations

from collections.abc import Mapping

from hopfield_sim.layers._deprecate import warn_renamed
from hopfield_sim.layers.options import Norm, Norms

__all__ = ["translate", "merge", "REFERENCE_ROLES"]

#: hopfield-layers role names -> roles here
REFERENCE_ROLES = {"stored_pattern": "key", "state_pattern": "query", "pattern_projection": "value"}

_RENAMED = {
    "scaling": "beta",
    "alpha": "entmax_alpha",
    "learn_scaling": "learn_beta",
    "learn_alpha": "learn_entmax_alpha",
    "association_activation": "activation",
    "dropout": "dropout_rate",
    "input_bias": "use_bias",
    "concat_bias_pattern": "add_bias_pattern",
    "add_zero_association": "add_zero_pattern",
    "pattern_projection_as_connected": "value_through_key",
    # nnx.MultiHeadAttention names with the same meaning
    "in_features": "input_size",
    "out_features": "output_size",
}
_MHA_ACCEPTED = {"in_features", "out_features", "qkv_features"}
_MHA_ANSWERS = {
    "decode": "Hopfield keeps no autoregressive cache (decode); call it on the whole "
    "sequence with a causal mask= (hopfield_sim.layers.masks.causal_mask).",
    "sow_weights": "use layer.retrieve(...).weights (a HopfieldResult) instead of sow_weights.",
    "normalize_qk": "use norms=Norms(hopfield_space=Norm()) instead of normalize_qk.",
    "broadcast_dropout": "dropout here drops association weights independently "
    "(dropout_rate=); there is no broadcast_dropout.",
    "attention_fn": "choose the separation= ('softmax', 'softmax_1', 'sparsemax', 'entmax') "
    "and implementation= instead of attention_fn.",
    "precision": "set dtype= (scores accumulate in at least float32) instead of precision.",
    "out_kernel_init": "kernel_init= initialises every projection; there is no out_kernel_init.",
    "bias_init": "projection biases start at zero (nnx.Linear default); there is no bias_init.",
    "out_bias_init": "projection biases start at zero (nnx.Linear default).",
}
_NORM_DEFAULTS = {  # hopfield-layers defaults: (on, affine, eps)
    "stored_pattern": (True, True, 1e-5),
    "state_pattern": (True, True, 1e-5),
    "pattern_projection": (True, True, 1e-5),
    "hopfield_space": (False, False, 1e-5),
}
_STATIC = {f"{r}_as_static" for r in REFERENCE_ROLES}
_SIZES = {"stored_pattern_size", "pattern_projection_size"}
_NORM_NAMES = {f"normalize_{r}{s}" for r in _NORM_DEFAULTS for s in ("", "_affine", "_eps")}
LEGACY_NAMES = (
    set(_RENAMED) | _STATIC | _SIZES | _NORM_NAMES | {"disable_out_projection", "batch_first"}
)


def _norms(args: Mapping) -> Norms:
    out = {}
    for r, (on, affine, eps) in _NORM_DEFAULTS.items():
        p = f"normalize_{r}"
        if args.get(p, on):
            out[REFERENCE_ROLES.get(r, r)] = Norm(
                bool(args.get(f"{p}_affine", affine)), float(args.get(f"{p}_eps", eps))
            )
        else:
            out[REFERENCE_ROLES.get(r, r)] = None
    return Norms(**out)


def _grouped(args: Mapping, input_size) -> dict:
    """The native options that old names map to (renamed, grouped, negated)."""
    out = {new: args[old] for old, new in _RENAMED.items() if old in args}
    if any(n in args for n in _NORM_NAMES):
        out["norms"] = _norms(args)
    if any(n in args for n in _STATIC):
        out["static"] = tuple(
            REFERENCE_ROLES[r] for r in REFERENCE_ROLES if args.get(f"{r}_as_static", False)
        )
    if "disable_out_projection" in args:
        out["out_projection"] = not args["disable_out_projection"]
    if "batch_first" in args:
        out["batch_first"] = bool(args["batch_first"])
    if any(n in args for n in _SIZES):
        q = out.get("input_size", input_size)
        out["input_size"] = (
            q,
            args.get("stored_pattern_size") or q,
            args.get("pattern_projection_size") or q,
        )
    return out


def translate(args: Mapping, *, where: str | None = None) -> dict:
    """Native keyword options from hopfield-layers / MHA / deprecated names.

    Names that are already native pass through. ``where``: warn (DeprecationWarning) for
    each hopfield-layers or deprecated name, naming ``where``; None: translate silently.
    ``batch_first`` comes back under that key (a reference-only option).
    """
    out: dict = {}
    for name, value in args.items():
        if name in _MHA_ANSWERS:
            raise TypeError(f"{where or 'Hopfield'}: {_MHA_ANSWERS[name]}")
        if name not in LEGACY_NAMES and name not in _MHA_ACCEPTED:
            out[name] = value
        elif where is not None and name not in _MHA_ACCEPTED:
            warn_renamed(where, name, _replacement(name))
    out.update(_grouped(args, out.get("input_size")))
    if "qkv_features" in args:
        out["qkv_features"] = args["qkv_features"]
    return out


def _replacement(name: str) -> str:
    if name in _RENAMED:
        return f"{_RENAMED[name]}="
    if name in _NORM_NAMES:
        return "norms=Norms(...)"
    if name in _STATIC:
        return "static=(roles...)"
    if name in _SIZES:
        return "input_size=(query, key, value widths)"
    if name == "disable_out_projection":
        return "out_projection=False"
    return "jnp.swapaxes(x, 0, 1) on inputs and output (batch-major, as flax.nnx)"


def merge(native: dict, defaults: Mapping, legacy: Mapping, *, where: str) -> dict:
    """``native`` options updated from ``legacy`` keywords (translated, with warnings).

    TypeError when a keyword is unknown, or when a native option given with a
    non-default value is also set through an old name.
    """
    unknown = sorted(set(legacy) - LEGACY_NAMES - _MHA_ACCEPTED - set(_MHA_ANSWERS))
    if unknown:
        raise TypeError(f"{where} got an unexpected keyword argument {unknown[0]!r}.")
    args = dict(legacy)
    if any(n in args for n in _SIZES):
        args.setdefault("input_size", native.get("input_size"))
    new = translate(args)  # silently first: a conflict raises before any warning
    qkv = new.pop("qkv_features", None)
    if qkv is not None:
        H = native.get("num_heads", 1)
        if qkv % H:
            raise ValueError(
                f"qkv_features ({qkv}) must be a multiple of num_heads ({H}); here it is "
                "hidden_size * num_heads (hidden_size is per head)."
            )
        new.setdefault("hidden_size", qkv // H)
    if "in_features" in legacy and native.get("input_size") is not None:
        raise TypeError(f"{where}: give input_size or in_features, not both.")
    for k in new:
        if k != "input_size" and k in defaults and not _same(native[k], defaults[k]):
            raise TypeError(f"{where}: {k}= given twice (also through a deprecated name).")
    translate(args, where=where)  # the warnings
    return {**native, **new}


def _same(a, b) -> bool:
    try:
        return bool(a == b) if not hasattr(a, "shape") else False
    except Exception:
        return False
