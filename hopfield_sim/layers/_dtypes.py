"""Dtype rules of the Hopfield layers (mixed precision).

The *computation dtype* is the dtype of inputs, states and outputs: the promoted dtype of
the inputs (and parameters, in the modules) unless ``dtype=`` says otherwise. The
*accumulation dtype* is at least float32: scores, separation functions, LayerNorm
statistics, energies and the convergence test use it, so bfloat16 / float16 inputs lose
nothing beyond the rounding of the inputs, states and outputs themselves.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np


def acc_dtype(dtype) -> np.dtype:
    """Accumulation dtype for a computation dtype: float32 for 16-bit, else unchanged."""
    return jnp.promote_types(dtype, jnp.float32)


def is_16bit(dtype) -> bool:
    return jnp.dtype(dtype).itemsize == 2


def check_dtype(name: str, dtype) -> np.dtype | None:
    """Return ``jnp.dtype(dtype)`` (None stays None); TypeError naming ``name`` unless floating."""
    if dtype is None:
        return None
    try:
        dt = jnp.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name} must be a floating dtype or None; got {dtype!r}.") from None
    if not jnp.issubdtype(dt, jnp.floating):
        raise TypeError(
            f"{name} must be a floating dtype (float64, float32, bfloat16, float16) or None; "
            f"got {dt}."
        )
    return dt
