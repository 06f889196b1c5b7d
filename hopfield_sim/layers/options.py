"""Option values of the Hopfield modules: :class:`Norm`, :class:`Norms`, :class:`CallOptions`.

Roles (docs/layers.md, "Roles"): the **query** (state pattern, what is updated), the
**key** (stored patterns, what is retrieved from) and the **value** (what the result is
made of), as in ``jax.nn.dot_product_attention`` and ``nnx.MultiHeadAttention``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
from flax import nnx

from hopfield_sim.layers._deprecate import take_renamed

__all__ = ["Norm", "Norms", "CallOptions", "ROLES", "DEFAULT_NORMS", "NO_CALL_OPTIONS"]

#: the three roles, in the order of ``layer(query, key, value)``
ROLES = ("query", "key", "value")


class Norm(NamedTuple):
    """One LayerNorm: ``affine`` (learned scale and bias) and ``eps`` (added to the variance)."""

    affine: bool = True
    eps: float = 1e-5


def _norm(name: str, v) -> Norm | None:
    if v is None or v is False:
        return None
    if v is True:
        return Norm()
    if isinstance(v, Norm):
        return v
    raise TypeError(f"Norms.{name} must be a Norm, True or False/None; got {v!r}.")


class Norms(NamedTuple):
    """Which LayerNorms the layer applies (``None``/``False``: none; ``True``: ``Norm()``).

    Attributes
    ----------
    query, key, value : Norm or None
        LayerNorm of each input before its projection (default: all three, affine).
    hopfield_space : Norm or None
        LayerNorm of each head's projected query and key (one affine shared by the heads);
        default off. (Like ``normalize_qk`` of ``nnx.MultiHeadAttention``.)
    """

    query: Norm | None = Norm()
    key: Norm | None = Norm()
    value: Norm | None = Norm()
    hopfield_space: Norm | None = None

    @classmethod
    def none(cls) -> Norms:
        """No LayerNorm at all (the caller normalises, or wants raw patterns)."""
        return cls(None, None, None, None)

    def checked(self) -> Norms:
        """The same norms with ``True``/``False`` spelled as ``Norm()``/``None``."""
        return Norms(*(_norm(f, v) for f, v in zip(self._fields, self)))


class CallOptions(NamedTuple):
    """Per-call options of ``Hopfield``, ``HopfieldPooling`` and ``HopfieldLayer``.

    Attributes
    ----------
    mask : bool array broadcastable to (B, H, L, S), optional
        ``True`` keeps an association (JAX convention, as ``nnx.MultiHeadAttention``).
    key_padding_mask : bool (B, S), optional
        Padding of the keys; meaning of ``True`` set by the module's ``mask_convention``.
    association_mask : bool (L, S), (B*H, L, S) or (B, H, L, S), optional
        Meaning of ``True`` set by ``mask_convention``.
    deterministic : bool, optional
        Disable dropout (default: the module's mode, ``model.train()`` / ``model.eval()``).
    rngs : nnx.Rngs, optional
        Dropout keys for this call (default: the stream kept from the constructor).
    """

    mask: jax.Array | None = None
    key_padding_mask: jax.Array | None = None
    association_mask: jax.Array | None = None
    deterministic: bool | None = None
    rngs: nnx.Rngs | None = None

    @classmethod
    def of(cls, where: str, options: dict) -> CallOptions:
        """From call keywords (deprecated ``stored_pattern_padding_mask`` accepted)."""
        renames = {"stored_pattern_padding_mask": "key_padding_mask"}
        take_renamed(where, options, renames)
        unknown = sorted(set(options) - set(cls._fields))
        if unknown:
            raise TypeError(
                f"{where} got unexpected keyword {unknown[0]!r}; call options are "
                f"{', '.join(cls._fields)} (CallOptions)."
            )
        return cls(**options)


#: the default norms of ``Hopfield`` (the three inputs, affine; no Hopfield-space norm)
DEFAULT_NORMS = Norms()
#: a call without masks, in the module's dropout mode
NO_CALL_OPTIONS = CallOptions()
