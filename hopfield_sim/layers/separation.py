"""Separation functions of modern Hopfield networks and their convex conjugates.

A separation function maps association scores ``z`` (last axis = stored patterns) to
retrieval weights ``p`` on the probability simplex. Each one is the gradient of a convex
function ``Psi*(z) = max_p [p.z + H(p)]`` (the convex conjugate of a negative entropy
``-H``); ``Psi*`` enters the Hopfield energy (``functional.energy``) and makes the retrieval
update ``xi <- X sep(beta X^T xi)`` a CCCP step of that energy (docs/layers.md, "The model").

=============  ========================================  ===================================
name           weights ``p``                             entropy ``H(p)``
=============  ========================================  ===================================
``softmax``    ``exp(z) / sum exp(z)``                   Shannon ``-sum p log p``
``softmax_1``  ``exp(z) / (1 + sum exp(z))``             Shannon with an extra zero score
``sparsemax``  Euclidean projection of ``z`` on simplex  ``(1 - sum p^2) / 2``
``entmax``     ``[(alpha-1) z - tau]_+^(1/(alpha-1))``   Tsallis ``(1-sum p^a)/(a(a-1))``
=============  ========================================  ===================================

Precision: every function computes in at least float32 (bfloat16 / float16 scores are
upcast) and returns weights in the dtype of ``z``.

Masks follow JAX's convention: ``True`` keeps a score, ``False`` excludes it. Excluded
entries get weight exactly 0; a row with every entry excluded gets all-zero weights
(it retrieves nothing) instead of NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from hopfield_sim.layers._dtypes import acc_dtype

SEPARATIONS = ("softmax", "softmax_1", "sparsemax", "entmax")


def _up(z: jax.Array) -> jax.Array:
    """``z`` in its accumulation dtype (float32 for 16-bit scores)."""
    z = jnp.asarray(z)
    return z.astype(acc_dtype(z.dtype))


def _masked_max(z: jax.Array, mask: jax.Array | None) -> jax.Array:
    """Row maximum over kept entries (0 for a fully masked row), shape (..., 1), no gradient."""
    z = jax.lax.stop_gradient(z)
    if mask is None:
        return jnp.max(z, axis=-1, keepdims=True)
    m = jnp.max(jnp.where(mask, z, -jnp.inf), axis=-1, keepdims=True)
    return jnp.where(jnp.isfinite(m), m, 0.0)


def softmax(z: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    """Softmax over the last axis, ``p_l = exp(z_l) / sum_k exp(z_k)``.

    Parameters
    ----------
    z : array, shape (..., S)
        Scores (already multiplied by beta).
    mask : bool array broadcastable to ``z.shape``, optional
        ``True`` keeps an entry. Excluded entries and fully masked rows get weight 0.

    Returns
    -------
    array, shape (..., S)
        Weights summing to 1 over kept entries (0 for a fully masked row).
    """
    dt, z = z.dtype, _up(z)
    m = _masked_max(z, mask)
    if mask is None:
        e = jnp.exp(z - m)
    else:
        e = jnp.where(mask, jnp.exp(jnp.where(mask, z, m) - m), 0.0)
    s = jnp.sum(e, axis=-1, keepdims=True)
    return (e / jnp.where(s > 0, s, 1.0)).astype(dt)


def softmax_1(z: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    """Outlier-efficient softmax ``p_l = exp(z_l) / (1 + sum_k exp(z_k))``.

    Equal to a softmax with one extra score fixed at 0 (a zero key with a zero value),
    whose weight is dropped: the weights sum to less than 1, and the remainder is the
    weight of "retrieving nothing". Arguments as :func:`softmax`.
    """
    dt, z = z.dtype, _up(z)
    m = jnp.maximum(_masked_max(z, mask), 0.0)
    if mask is None:
        e = jnp.exp(z - m)
    else:
        e = jnp.where(mask, jnp.exp(jnp.where(mask, z, m) - m), 0.0)
    return (e / (jnp.exp(-m) + jnp.sum(e, axis=-1, keepdims=True))).astype(dt)


# ----------------------------------------------------------------------------- sparsemax


@jax.custom_vjp
def _sparsemax(z: jax.Array) -> jax.Array:
    n = z.shape[-1]
    z_sorted = -jnp.sort(-z, axis=-1)
    k = jnp.arange(1, n + 1, dtype=z.dtype)
    cumsum = jnp.cumsum(z_sorted, axis=-1)
    support = 1.0 + k * z_sorted > cumsum
    k_z = jnp.sum(support, axis=-1, keepdims=True)
    tau = (jnp.take_along_axis(cumsum, k_z - 1, axis=-1) - 1.0) / k_z.astype(z.dtype)
    return jnp.maximum(z - tau, 0.0)


def _sparsemax_fwd(z):
    p = _sparsemax(z)
    return p, p


def _sparsemax_bwd(p, g):
    s = (p > 0).astype(g.dtype)
    mean = jnp.sum(s * g, axis=-1, keepdims=True) / jnp.sum(s, axis=-1, keepdims=True)
    return (s * (g - mean),)


_sparsemax.defvjp(_sparsemax_fwd, _sparsemax_bwd)


def _exclude(z: jax.Array, mask: jax.Array | None, gap: jax.Array | float) -> jax.Array:
    """Replace excluded scores by ``row max - gap``: low enough to get weight exactly 0."""
    if mask is None:
        return z
    return jnp.where(mask, z, _masked_max(z, mask) - gap)


def sparsemax(z: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    """Sparsemax: the Euclidean projection of ``z`` onto the probability simplex.

    ``p_l = max(z_l - tau, 0)`` with ``tau`` such that the weights sum to 1; scores more
    than 1 below the largest one get weight exactly 0. Computed exactly by sorting; the
    gradient is ``s * (g - mean_support(g))`` with ``s`` the support indicator.
    Arguments as :func:`softmax`.
    """
    dt, z = z.dtype, _up(z)
    p = _sparsemax(_exclude(z, mask, 2.0))
    return (p if mask is None else jnp.where(mask, p, 0.0)).astype(dt)


# ----------------------------------------------------------------------------- entmax


def _bisection_steps(dtype) -> int:
    return 60 if jnp.finfo(dtype).bits > 32 else 32


@jax.custom_vjp
def _entmax(z: jax.Array, alpha: jax.Array) -> jax.Array:
    # z (..., S); alpha (...,) with the leading shape of z, every entry > 1.
    am1 = (alpha - 1.0)[..., None]
    x = am1 * z
    n = z.shape[-1]
    x_max = jnp.max(x, axis=-1, keepdims=True)
    lo = x_max - 1.0  # p_max = 1 here: sum(p) >= 1
    hi = x_max - (1.0 / n) ** am1  # every p <= 1/n here: sum(p) <= 1

    def p_of(tau):
        return jnp.maximum(x - tau, 0.0) ** (1.0 / am1)

    def body(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        too_big = jnp.sum(p_of(mid), axis=-1, keepdims=True) >= 1.0
        return jnp.where(too_big, mid, lo), jnp.where(too_big, hi, mid)

    lo, hi = jax.lax.fori_loop(0, _bisection_steps(z.dtype), body, (lo, hi))
    p = p_of(0.5 * (lo + hi))
    return p / jnp.sum(p, axis=-1, keepdims=True)


def _entmax_fwd(z, alpha):
    p = _entmax(z, alpha)
    return p, (p, alpha)


def _entmax_bwd(res, g):
    p, alpha = res
    am1 = (alpha - 1.0)[..., None]
    positive = p > 0
    s = jnp.where(positive, jnp.where(positive, p, 1.0) ** (1.0 - am1), 0.0)
    # d p / d z = diag(s) - s s^T / sum(s),  s_i = p_i^(2 - alpha) on the support
    s_sum = jnp.sum(s, axis=-1, keepdims=True)
    gz = s * g - s * jnp.sum(s * g, axis=-1, keepdims=True) / s_sum
    # d p / d alpha = (p - s_hat)/(alpha-1)^2 - (p log p - s_hat sum(p log p))/(alpha-1)
    s_hat = s / s_sum
    plogp = jnp.where(positive, p * jnp.log(jnp.where(positive, p, 1.0)), 0.0)
    dp_dalpha = (p - s_hat) / am1**2 - (plogp - s_hat * jnp.sum(plogp, -1, keepdims=True)) / am1
    galpha = jnp.sum(g * dp_dalpha, axis=-1)
    return gz, galpha


_entmax.defvjp(_entmax_fwd, _entmax_bwd)


def entmax(
    z: jax.Array, alpha: float | jax.Array = 1.5, mask: jax.Array | None = None
) -> jax.Array:
    """alpha-entmax, ``p_l = [(alpha - 1) z_l - tau]_+^(1/(alpha-1))`` with ``sum p = 1``.

    Interpolates between softmax (alpha -> 1) and sparsemax (alpha = 2); ``tau`` is found by
    bisection (32 halvings in float32, 60 in float64, then renormalised). The gradient is a
    custom VJP with respect to ``z`` and to ``alpha`` (so alpha can be learned).

    Parameters
    ----------
    z : array, shape (..., S)
        Scores.
    alpha : float or array broadcastable to ``z.shape[:-1]``
        Entmax order, every entry > 1.
    mask : bool array broadcastable to ``z.shape``, optional
        ``True`` keeps an entry (see :func:`softmax`).
    """
    dt, z = z.dtype, _up(z)
    alpha = jnp.broadcast_to(jnp.asarray(alpha, dtype=z.dtype), z.shape[:-1])
    gap = 1.0 / (alpha[..., None] - 1.0) + 1.0
    p = _entmax(_exclude(z, mask, jax.lax.stop_gradient(gap)), alpha)
    return (p if mask is None else jnp.where(mask, p, 0.0)).astype(dt)


# ----------------------------------------------------------------------------- conjugates


def conjugate(
    name: str, z: jax.Array, mask: jax.Array | None = None, alpha: float | jax.Array = 1.5
) -> jax.Array:
    """Convex conjugate ``Psi*(z) = max_p [p.z + H(p)]`` of separation ``name``.

    Its gradient in ``z`` is the separation itself. Shape (...,) for ``z`` of shape (..., S).
    A fully masked row gives 0 (``softmax`` would give -inf). Computed and returned in
    the accumulation dtype of ``z`` (at least float32).
    """
    z = _up(z)
    if name == "softmax":
        m = _masked_max(z, mask)
        if mask is None:
            s = jnp.sum(jnp.exp(z - m), axis=-1, keepdims=True)
        else:
            s = jnp.sum(jnp.where(mask, jnp.exp(jnp.where(mask, z, m) - m), 0.0), -1, keepdims=True)
        safe = jnp.where(s > 0, s, 1.0)
        return jnp.where(s > 0, m + jnp.log(safe), 0.0)[..., 0]
    if name == "softmax_1":
        m = jnp.maximum(_masked_max(z, mask), 0.0)
        if mask is None:
            e = jnp.exp(z - m)
        else:
            e = jnp.where(mask, jnp.exp(jnp.where(mask, z, m) - m), 0.0)
        return (m + jnp.log(jnp.exp(-m) + jnp.sum(e, axis=-1, keepdims=True)))[..., 0]
    if name == "sparsemax":
        p, a = sparsemax(z, mask), 2.0
    elif name == "entmax":
        p, a = entmax(z, alpha, mask), jnp.asarray(alpha, dtype=z.dtype)
    else:
        raise ValueError(f"separation must be one of {SEPARATIONS}; got {name!r}.")
    zp = jnp.sum(jnp.where(p > 0, p * z, 0.0), axis=-1)
    pa = jnp.where(p > 0, jnp.where(p > 0, p, 1.0) ** jnp.expand_dims(a, -1), 0.0)
    tsallis = (1.0 - jnp.sum(pa, axis=-1)) / (a * (a - 1.0))
    if mask is not None:
        tsallis = jnp.where(jnp.any(mask, axis=-1), tsallis, 0.0)
    return zp + tsallis


def get(name: str, alpha: float | jax.Array | None = None) -> Callable[..., jax.Array]:
    """Return ``f(z, mask) -> p`` for a separation ``name`` (alpha used by ``entmax``)."""
    if name == "softmax":
        return softmax
    if name == "softmax_1":
        return softmax_1
    if name == "sparsemax":
        return sparsemax
    if name == "entmax":
        a = 1.5 if alpha is None else alpha
        return lambda z, mask=None: entmax(z, a, mask)
    raise ValueError(f"separation must be one of {SEPARATIONS}; got {name!r}.")
