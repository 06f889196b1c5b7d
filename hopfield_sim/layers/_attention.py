"""Softmax retrieval through ``jax.nn.dot_product_attention`` (cuDNN flash attention on GPU).

With ``separation`` softmax or softmax_1 and a static schedule (every update runs, no
weights returned), each update ``z <- beta * softmax(z k^T) k`` and the final
``softmax(z k^T) v`` are attention calls, so on a GPU they run as fused (flash) attention
in the forward and backward pass and never materialise the (H, L, S) weights.

Implementations (``implementation=`` of ``retrieve`` and the modules):

* ``"explicit"``: einsum, separation, einsum (:mod:`._iterate`); every separation, float64,
  returned weights. On CPU it is the default: measured as fast forward and faster
  forward + backward than XLA's attention (``benchmarks/bench_layers.py``).
* ``"xla"``: ``jax.nn.dot_product_attention(implementation="xla")``.
* ``"cudnn"``: ``jax.nn.dot_product_attention(implementation="cudnn")`` (GPU, 16-bit,
  equal key and value depth, a multiple of 8 up to 128).
* ``None`` (default): cudnn on a GPU where it applies (16-bit, d == dv a multiple of 8 up
  to 128; if cuDNN still refuses the shapes while tracing, xla), xla on other
  accelerators, explicit on CPU and for float64 (attention's softmax runs in float32).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hopfield_sim.layers import _iterate
from hopfield_sim.layers import separation as _sep
from hopfield_sim.layers._dtypes import is_16bit

IMPLEMENTATIONS = ("explicit", "xla", "cudnn")
AUTO_CUDNN = "cudnn-or-xla"
_CUDNN_REFUSALS = (NotImplementedError, ValueError, RuntimeError, TypeError)


def check_implementation(implementation) -> None:
    if implementation is not None and implementation not in IMPLEMENTATIONS:
        raise ValueError(
            f"implementation must be None or one of {IMPLEMENTATIONS}; got {implementation!r}."
        )


def choose(implementation: str | None, dtype, d: int, dv: int) -> str:
    """The implementation to use for computation dtype ``dtype``, depths ``d`` and ``dv``."""
    if implementation is not None:
        return implementation
    backend = jax.default_backend()
    if backend == "cpu" or jnp.dtype(dtype) == jnp.float64 or d != dv:
        return "explicit"
    if backend == "gpu" and is_16bit(dtype) and d % 8 == 0 and d <= 128:
        return AUTO_CUDNN  # cuDNN, falling back to XLA where cuDNN refuses the shapes
    return "xla"


def attention(z, k, v, mask, bias, *, zero_row: bool, implementation: str) -> jax.Array:
    """One softmax association ``softmax(z k^T + bias) v`` (``z`` already scaled by beta).

    ``z`` (..., L, H, d), ``k`` (..., S, H, d), ``v`` (..., S, H, dv); batch axes broadcast.
    ``zero_row`` appends a zero key and value (softmax_1). A fully masked row gives 0.
    Falls back to the explicit form when the depths differ (attention needs d == dv).
    """
    if v.shape[-1] != k.shape[-1] or implementation == "explicit":
        sep = _sep.get("softmax_1" if zero_row else "softmax")
        return _iterate.mix(sep(_iterate.scores(z, k, bias), mask), v)
    batch = jnp.broadcast_shapes(z.shape[:-3], k.shape[:-3], v.shape[:-3])
    L, H, S = z.shape[-3], z.shape[-2], k.shape[-3]

    def flat(a):
        return jnp.broadcast_to(a, batch + a.shape[-3:]).reshape((-1,) + a.shape[-3:])

    q, kk, vv = flat(z), flat(k), flat(v)
    full = batch + (H, L, S)
    m = None if mask is None else jnp.broadcast_to(mask, full).reshape((-1, H, L, S))
    b = None if bias is None else jnp.broadcast_to(bias, full).reshape((-1, H, L, S))
    if zero_row:
        kk = jnp.concatenate([kk, jnp.zeros_like(kk[:, :1])], axis=1)
        vv = jnp.concatenate([vv, jnp.zeros_like(vv[:, :1])], axis=1)
        if m is not None:
            m = jnp.concatenate([m, jnp.ones_like(m[..., :1])], axis=-1)
        if b is not None:
            b = jnp.concatenate([b, jnp.zeros_like(b[..., :1])], axis=-1)
    if b is not None:
        b = b.astype(q.dtype)
    if implementation == AUTO_CUDNN:
        try:  # cuDNN checks dtypes, head dims and sequence lengths while tracing
            out = jax.nn.dot_product_attention(
                q, kk, vv, bias=b, mask=m, scale=1.0, implementation="cudnn"
            )
        except _CUDNN_REFUSALS:
            out = jax.nn.dot_product_attention(
                q, kk, vv, bias=b, mask=m, scale=1.0, implementation="xla"
            )
    else:
        out = jax.nn.dot_product_attention(
            q, kk, vv, bias=b, mask=m, scale=1.0, implementation=implementation
        )
    if m is not None and not zero_row:
        anyk = jnp.any(m, axis=-1)  # (B, H, L)
        out = jnp.where(jnp.swapaxes(anyk, -1, -2)[..., None], out, 0)
    return out.reshape(batch + out.shape[1:])


def iterate_attention(
    q0, k, v, mask, bias, beta_state, *, T: int, zero_row: bool, implementation: str, remat: bool
) -> jax.Array:
    """T updates ``z <- beta_state * attention(z, k, k)``, then ``attention(z, k, v)``."""

    def advance(z):
        a = attention(z, k, k, mask, bias, zero_row=zero_row, implementation=implementation)
        return (a * beta_state).astype(z.dtype)

    if remat:
        advance = jax.checkpoint(advance, prevent_cse=False)  # in a scan: no CSE risk
    z = _iterate.loop(lambda t, z: advance(z), q0, T, unroll=not remat)
    return attention(z, k, v, mask, bias, zero_row=zero_row, implementation=implementation)
