"""Input checks for the Hopfield layers, run in plain Python before any JAX call.

Every check names the parameter, repeats what was passed and says what is allowed. Value
checks on traced arrays (inside ``jit``) are skipped; shape and dtype checks always run.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from hopfield_sim.layers.separation import SEPARATIONS


def is_concrete(x) -> bool:
    """True when ``x`` holds actual values (not a tracer inside jit/grad)."""
    return not isinstance(x, jax.core.Tracer)


def separation(name, alpha=None) -> None:
    if not isinstance(name, str):
        raise TypeError(f"separation must be a string, one of {SEPARATIONS}; got {name!r}.")
    if name not in SEPARATIONS:
        raise ValueError(f"separation must be one of {SEPARATIONS}; got {name!r}.")
    if name == "entmax" and alpha is not None and is_concrete(alpha):
        a = np.asarray(alpha)
        if not np.all(a > 1.0):
            raise ValueError(
                f"entmax_alpha must be > 1 for separation='entmax'; got entmax_alpha={alpha!r} "
                "(-> 1 is softmax, 2 is sparsemax)."
            )


def positive(name: str, value, *, allow_none: bool = False) -> None:
    """Check that a scalar or array parameter (e.g. beta) is finite and > 0."""
    if value is None:
        if allow_none:
            return
        raise ValueError(f"{name} must be given (a positive number); got None.")
    if not is_concrete(value):
        return
    a = np.asarray(value)
    if not (jnp.issubdtype(a.dtype, jnp.floating) or jnp.issubdtype(a.dtype, jnp.integer)):
        raise TypeError(f"{name} must be a real number or array; got {value!r}.")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)) or not np.all(a > 0):
        raise ValueError(f"{name} must be finite and > 0; got {name}={value!r}.")


def beta_fits(beta, query, shape: tuple, dtype) -> None:
    """``beta`` broadcasts to ``shape`` = (..., H), and the first state ``beta * query`` is
    finite in the compute ``dtype`` (value check on concrete arrays only)."""
    b_shape = tuple(np.shape(beta))
    try:
        if np.broadcast_shapes(b_shape, shape) != tuple(shape):
            raise ValueError
    except ValueError:
        raise ValueError(
            f"beta with shape {b_shape} does not broadcast to (..., H) = {tuple(shape)}: give "
            "a scalar, one value per head (H,), or per batch entry and head."
        ) from None
    if not (is_concrete(beta) and is_concrete(query)) or np.size(query) == 0:
        return
    top = float(np.max(np.asarray(beta, np.float64))) * float(
        np.max(np.abs(np.asarray(query, np.float64)))
    )
    largest = float(jnp.finfo(dtype).max)
    if not top < largest:
        raise ValueError(
            f"beta * |query| reaches {top:.3g}, beyond the largest {jnp.dtype(dtype).name} "
            f"({largest:.4g}): the retrieval would overflow. Use a smaller beta"
            + (" or dtype=jnp.float32." if jnp.dtype(dtype).itemsize < 4 else ".")
        )


def array(name: str, x, *, min_ndim: int) -> None:
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"{name} must be an array; got {type(x).__name__}.")
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise TypeError(
            f"{name} must be a floating-point array (float64, float32, bfloat16 or float16); "
            f"got dtype {x.dtype}. Convert it, e.g. `{name}.astype(jnp.float32)`."
        )
    if x.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} axes; got shape {tuple(x.shape)}.")


def same(names: Sequence[str], shapes: Sequence[tuple], what: str) -> None:
    """Raise when the given sizes differ; ``what`` says which axis they must share."""
    if len(set(shapes)) > 1:
        listed = " and ".join(f"{n} {s}" for n, s in zip(names, shapes))
        raise ValueError(f"{what}; got {listed}.")


def mask(name: str, m, target: tuple, target_desc: str) -> None:
    """Check a boolean mask broadcastable to ``target`` (shape described by ``target_desc``)."""
    if not hasattr(m, "shape"):
        raise ValueError(f"{name} must be a boolean array; got {type(m).__name__}.")
    if np.dtype(m.dtype) != np.bool_:
        raise ValueError(
            f"{name} must have dtype bool; got {m.dtype} with shape {tuple(m.shape)}. "
            "Convert it with `mask.astype(bool)`."
        )
    try:
        np.broadcast_shapes(tuple(m.shape), target)
        ok = len(m.shape) <= len(target)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"{name} with shape {tuple(m.shape)} does not broadcast to {target_desc} {target}."
        )


def steps(update_steps_max, update_steps_eps, num_heads: int) -> None:
    if update_steps_max is not None:
        vals = np.atleast_1d(np.asarray(update_steps_max))
        if vals.dtype.kind not in "iu":
            raise TypeError(
                f"update_steps_max must be an int, a list of ints per head or None; "
                f"got {update_steps_max!r}."
            )
        if vals.size not in (1, num_heads):
            raise ValueError(
                f"update_steps_max must have one entry or one per head ({num_heads}); "
                f"got {update_steps_max!r}."
            )
        if vals.size == 1 and vals[0] < 0:
            raise ValueError(f"update_steps_max must be >= 0 or None; got {update_steps_max!r}.")
    eps = np.atleast_1d(np.asarray(update_steps_eps, dtype=float))
    if eps.size not in (1, num_heads) or not np.all(eps >= 0) or not np.all(np.isfinite(eps)):
        raise ValueError(
            f"update_steps_eps must be >= 0, one value or one per head ({num_heads}); "
            f"got {update_steps_eps!r}."
        )
