"""Mask handling of the Hopfield modules: conventions, shapes, always-visible extra rows.

JAX convention: ``True`` keeps an association. The reference (hopfield-layers, PyTorch)
convention: ``True`` excludes it. Everything is combined into one keep-mask that
broadcasts to (batch, heads, L, S).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hopfield_sim.layers import _validate

__all__ = ["combine_masks", "with_extra_rows"]


def combine_masks(
    B: int,
    H: int,
    L: int,
    S: int,
    *,
    mask=None,
    padding=None,
    association=None,
    convention: str = "jax",
) -> jax.Array | None:
    """One keep-mask broadcastable to (B, H, L, S) from the module's three mask arguments.

    Parameters
    ----------
    mask : bool array broadcastable to (B, H, L, S), optional
        Always in JAX's convention (True keeps).
    padding : bool (B, S), optional
        ``key_padding_mask`` (hopfield-layers: ``stored_pattern_padding_mask``), read with
        ``convention``.
    association : bool (L, S), (B*H, L, S) or (B, H, L, S), optional
        ``association_mask``, read with ``convention``; row ``b*H + h`` of the 3-D form
        belongs to batch entry b, head h.
    convention : {"jax", "reference"}

    Returns
    -------
    bool array or None (nothing masked)
    """
    ref = convention == "reference"
    keep = None

    def both(m):
        nonlocal keep
        keep = m if keep is None else keep & m

    if padding is not None:
        _validate.mask("key_padding_mask", padding, (B, S), "(batch, S) =")
        if padding.ndim != 2:
            raise ValueError(
                f"key_padding_mask must have shape (batch, S) = {(B, S)}; got "
                f"{tuple(padding.shape)}."
            )
        both((~padding if ref else padding)[:, None, None, :])
    if association is not None:
        if association.ndim == 3 and association.shape[0] == B * H and B * H > 1:
            association = association.reshape(B, H, L, S)
        _validate.mask(
            "association_mask",
            association,
            (B, H, L, S),
            "(L, S), (batch*heads, L, S) or (batch, heads, L, S) =",
        )
        both(~association if ref else association)
    if mask is not None:
        _validate.mask("mask", mask, (B, H, L, S), "(batch, heads, L, S) =")
        both(mask)
    return keep


def with_extra_rows(keep: jax.Array | None, S: int, n: int) -> jax.Array | None:
    """Extend a keep-mask over S stored patterns by ``n`` always-visible rows (bias, zero)."""
    if keep is None or n == 0:
        return keep
    keep = jnp.broadcast_to(keep, keep.shape[:-1] + (S,))
    return jnp.concatenate([keep, jnp.ones(keep.shape[:-1] + (n,), bool)], axis=-1)
