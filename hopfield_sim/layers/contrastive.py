"""Contrastive losses of CLIP and CLOOB: InfoNCE, InfoLOOB and the Hopfield-retrieval CLOOB loss.

Notation (Fürst et al., "CLOOB: Modern Hopfield Networks with InfoLOOB Outperform CLIP"): a batch
of ``N`` pairs ``(x_i, y_i)`` (image, text), rows of ``(N, d)`` arrays, usually L2-normalised;
``inv_tau`` is the inverse temperature ``τ⁻¹`` of the loss, ``beta`` that of the retrieval.

* **InfoLOOB** (leave one out), anchors ``a`` and others ``o``::

      InfoLOOB(a, o) = (1/N) Σ_i [ −τ⁻¹ a_i·o_i + log Σ_{j≠i} exp(τ⁻¹ a_i·o_j) ]

  The positive pair is not in the denominator; the diagonal is masked exactly (no "large
  negative" constant). ``N = 1`` leaves an empty sum and is an error.
* **InfoNCE** (CLIP): ``½ [CE(τ⁻¹ x yᵀ) + CE(τ⁻¹ y xᵀ)]``, cross-entropy with the diagonal as
  targets, positive included.
* **Hopfield retrieval from the batch**: ``R(s; M) = normalise(Σ_k softmax_k(β m_k·s) m_k)``,
  one softmax update of :func:`hopfield_sim.layers.retrieve` with the batch as memory, then
  L2-renormalised.
* **CLOOB**: ``U = x`` (image memory), ``V = y`` (text memory), ``U_x = R(x; U)``,
  ``U_y = R(y; U)``, ``V_x = R(x; V)``, ``V_y = R(y; V)`` and
  ``L = ½ [InfoLOOB(U_x, U_y) + InfoLOOB(V_y, V_x)]``. This is the scale of crowsonkb's JAX
  implementation; ml-jku's PyTorch code reports ``(2/τ⁻¹) L`` and the paper's Eq. 1 is ``2 L``.

Dtypes: every floating dtype. 16-bit inputs (float16, bfloat16) are computed in float32 (logits,
softmax, logsumexp, L2 norms) and the results cast back to the input dtype; float32 and float64
compute in their own precision (float64 needs ``jax.enable_x64``). Matrix products use
``Precision.HIGHEST``. All functions are ``jit``/``grad``/``vmap``-safe; value checks (finite
inputs, positive temperatures) run only on concrete arrays, shape checks always.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from hopfield_sim.layers import _validate
from hopfield_sim.layers import separation as _sep
from hopfield_sim.layers.functional import retrieve

__all__ = ["CLOOBParts", "infoloob", "infonce", "hopfield_retrieval", "cloob_loss"]

_HIGHEST = jax.lax.Precision.HIGHEST


class CLOOBParts(NamedTuple):
    """Everything :func:`cloob_loss` computed (``return_parts=True``).

    Attributes
    ----------
    loss : scalar array
        ``½ (image_term + text_term)`` (crowsonkb scale).
    image_term, text_term : scalar arrays
        ``InfoLOOB(U_x, U_y)`` and ``InfoLOOB(V_y, V_x)``.
    U_x, U_y, V_x, V_y : arrays, shape (N, d)
        Retrievals of the queries x, y from the image memory U = x and the text memory V = y.
    """

    loss: jax.Array
    image_term: jax.Array
    text_term: jax.Array
    U_x: jax.Array
    U_y: jax.Array
    V_x: jax.Array
    V_y: jax.Array


class InfoNCEParts(NamedTuple):
    """:func:`infonce` with ``return_parts=True``: the loss and its two (un-halved) terms."""

    loss: jax.Array
    image_term: jax.Array
    text_term: jax.Array


# ----------------------------------------------------------------------------- validation


def _compute_dtype(dtype) -> np.dtype:
    """float32 for 16-bit floats, the dtype itself otherwise."""
    dtype = np.dtype(dtype)
    return np.dtype(np.float32) if dtype.itemsize < 4 else dtype


def _check_pair(names: tuple[str, str], a, b, *, min_n: int = 2) -> None:
    """Validate two (N, d) floating arrays of equal shape, finite where concrete."""
    for name, v in zip(names, (a, b)):
        _validate.array(name, v, min_ndim=0)
        if v.ndim != 2:
            raise ValueError(
                f"{name} must have shape (N, d) (one embedding per row); got shape "
                f"{tuple(v.shape)}. Use jax.vmap for extra batch axes."
            )
    _validate.same(
        names,
        [tuple(a.shape), tuple(b.shape)],
        f"{names[0]} and {names[1]} must have the same shape (N, d)",
    )
    N, d = a.shape
    if N < min_n:
        raise ValueError(
            f"{names[0]} and {names[1]} need at least {min_n} rows (pairs); got N={N}. With "
            "N = 1 the leave-one-out denominator is an empty sum."
        )
    if d < 1:
        raise ValueError(f"{names[0]} and {names[1]} need d >= 1 columns; got shape {(N, d)}.")
    for name, v in zip(names, (a, b)):
        if _validate.is_concrete(v) and not bool(np.all(np.isfinite(np.asarray(v)))):
            raise ValueError(f"{name} must be finite; it contains NaN or inf.")


def _check_scalar(name: str, value) -> None:
    """A positive finite scalar (Python number or 0-d array); value check on concrete only."""
    if isinstance(value, str | bytes) or isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be a positive real number; got {value!r}.")
    if hasattr(value, "shape") and tuple(value.shape) != ():
        raise ValueError(f"{name} must be a scalar; got shape {tuple(value.shape)}.")
    _validate.positive(name, value)


# ----------------------------------------------------------------------------- cores


def _row_ce(z: jax.Array, leave_out: bool) -> jax.Array:
    """``mean_i [log Σ_{j (≠ i)} exp z_ij − z_ii]`` of a square logit matrix, exactly masked.

    The log-sum-exp is the softmax's convex conjugate of :mod:`hopfield_sim.layers.separation`
    (masked entries get weight exactly 0).
    """
    mask = ~jnp.eye(z.shape[0], dtype=bool) if leave_out else None
    return jnp.mean(_sep.conjugate("softmax", z, mask) - jnp.diagonal(z))


def _logits(a: jax.Array, o: jax.Array, inv_tau: jax.Array) -> jax.Array:
    return inv_tau * jnp.matmul(a, o.T, precision=_HIGHEST)


@jax.jit
def _infoloob(a, o, inv_tau):
    return _row_ce(_logits(a, o, inv_tau), leave_out=True)


@jax.jit
def _infonce(x, y, inv_tau):
    z = _logits(x, y, inv_tau)
    img, txt = _row_ce(z, leave_out=False), _row_ce(z.T, leave_out=False)
    return 0.5 * (img + txt), img, txt


#: smallest norm divided by: shorter rows (a zero row) are scaled by 1/NORM_FLOOR instead
NORM_FLOOR = 1e-12


def _normalise(r: jax.Array) -> jax.Array:
    """``r / max(|r|, NORM_FLOOR)`` row-wise, computed in float32 for 16-bit inputs.

    The floor sits inside the square root (``sqrt(max(|r|², NORM_FLOOR²))``), so a zero row
    has finite gradients (``sqrt`` is never differentiated at 0); 16-bit inputs are squared in
    float32 (a float16 row of norm > 256 would overflow ``|r|²``) and the unit rows cast back.
    """
    c = _compute_dtype(r.dtype)
    x = r.astype(c)
    n = jnp.sqrt(jnp.maximum(jnp.sum(x * x, axis=-1, keepdims=True), NORM_FLOOR**2))
    return (x / n).astype(r.dtype)


def _retrieve_normalised(state: jax.Array, memory: jax.Array, beta: jax.Array) -> jax.Array:
    out = retrieve(query=state, key=memory, beta=beta, heads=False)
    return _normalise(out)


@jax.jit
def _cloob(x, y, inv_tau, beta):
    N = x.shape[0]
    q = jnp.concatenate([x, y], axis=0)
    U = _retrieve_normalised(q, x, beta)  # image memory: rows U_x, U_y
    V = _retrieve_normalised(q, y, beta)  # text memory: rows V_x, V_y
    U_x, U_y, V_x, V_y = U[:N], U[N:], V[:N], V[N:]
    img = _row_ce(_logits(U_x, U_y, inv_tau), leave_out=True)
    txt = _row_ce(_logits(V_y, V_x, inv_tau), leave_out=True)
    return 0.5 * (img + txt), img, txt, U_x, U_y, V_x, V_y


def _prepare(names, a, b, scalars: dict):
    """Validate, then cast arrays and scalars to the compute dtype; return (out dtype, ...)."""
    _check_pair(names, a, b)
    for name, v in scalars.items():
        _check_scalar(name, v)
    a, b = jnp.asarray(a), jnp.asarray(b)  # NumPy float64 -> float32 unless x64 is on
    out = jnp.result_type(a, b)
    c = _compute_dtype(out)
    cast = [jnp.asarray(a, c), jnp.asarray(b, c)] + [jnp.asarray(v, c) for v in scalars.values()]
    return out, cast


# ----------------------------------------------------------------------------- public API


def infoloob(anchors: jax.Array, others: jax.Array, *, inv_tau: float | jax.Array) -> jax.Array:
    """InfoLOOB (leave-one-out InfoNCE) of anchors against others.

    ``mean_i [ −τ⁻¹ a_i·o_i + log Σ_{j≠i} exp(τ⁻¹ a_i·o_j) ]``: the positive ``o_i`` is left
    out of the denominator (masked exactly).

    Parameters
    ----------
    anchors, others : arrays, shape (N, d)
        Row ``i`` of ``others`` is the positive partner of row ``i`` of ``anchors``; N >= 2.
    inv_tau : float or scalar array
        Inverse temperature τ⁻¹ > 0 (differentiable).

    Returns
    -------
    scalar array
        In the promoted dtype of the inputs (16-bit inputs are computed in float32).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> a = jnp.eye(3)
    >>> float(infoloob(a, a, inv_tau=1.0))  # -1 + log(2 e^0) per row
    -0.3068528...
    """
    dtype, (a, o, t) = _prepare(("anchors", "others"), anchors, others, {"inv_tau": inv_tau})
    return _infoloob(a, o, t).astype(dtype)


def infonce(
    x: jax.Array, y: jax.Array, *, inv_tau: float | jax.Array, return_parts: bool = False
) -> jax.Array | InfoNCEParts:
    """CLIP's symmetric InfoNCE loss ``½ [CE(τ⁻¹ x yᵀ) + CE(τ⁻¹ y xᵀ)]``.

    Cross-entropy with the matching pair (the diagonal) as target, averaged over the batch;
    unlike :func:`infoloob` the positive stays in the denominator.

    Parameters
    ----------
    x, y : arrays, shape (N, d)
        Paired embeddings (image, text), N >= 2.
    inv_tau : float or scalar array
        Inverse temperature τ⁻¹ > 0 (differentiable; CLIP learns it).
    return_parts : bool
        Also return the two un-halved cross-entropy terms (:class:`InfoNCEParts`).

    Returns
    -------
    scalar array or InfoNCEParts
        In the promoted dtype of the inputs.
    """
    dtype, (a, b, t) = _prepare(("x", "y"), x, y, {"inv_tau": inv_tau})
    loss, img, txt = _infonce(a, b, t)
    if return_parts:
        return InfoNCEParts(loss.astype(dtype), img.astype(dtype), txt.astype(dtype))
    return loss.astype(dtype)


def hopfield_retrieval(
    state: jax.Array, memory: jax.Array, *, beta: float | jax.Array
) -> jax.Array:
    """CLOOB's retrieval from the batch: one softmax update, then L2-renormalised.

    ``R(s; M)_i = normalise(Σ_k softmax_k(β m_k·s_i) m_k)``, computed with
    :func:`hopfield_sim.layers.retrieve` (``update_steps_max=0``, no heads).

    Parameters
    ----------
    state : array, shape (N, d)
        Queries s_i, one per row.
    memory : array, shape (N, d)
        Stored patterns m_k (in CLOOB the batch itself), N >= 2.
    beta : float or scalar array
        Inverse temperature β > 0 of the retrieval (differentiable).

    Returns
    -------
    array, shape (N, d)
        Unit-norm retrieved patterns, in the promoted dtype of the inputs.
    """
    dtype, (s, m, b) = _prepare(("state", "memory"), state, memory, {"beta": beta})
    return _retrieve_normalised(s, m, b).astype(dtype)


def cloob_loss(
    x: jax.Array,
    y: jax.Array,
    *,
    inv_tau: float | jax.Array,
    beta: float | jax.Array,
    return_parts: bool = False,
) -> jax.Array | CLOOBParts:
    """The CLOOB loss ``½ [InfoLOOB(U_x, U_y) + InfoLOOB(V_y, V_x)]`` (crowsonkb scale).

    ``U_x = R(x; x)``, ``U_y = R(y; x)``, ``V_x = R(x; y)``, ``V_y = R(y; y)`` with
    :func:`hopfield_retrieval` (each sample and its partner are in the memory). Other published
    scales: ml-jku's code reports ``(2 / inv_tau) * loss``, the paper's Eq. 1 is ``2 * loss``.
    The inputs are used as given (pass L2-normalised embeddings; no renormalisation here).

    Parameters
    ----------
    x, y : arrays, shape (N, d)
        Paired image and text embeddings, N >= 2.
    inv_tau : float or scalar array
        Inverse temperature τ⁻¹ > 0 of InfoLOOB (reference defaults: 14.3 or 30).
    beta : float or scalar array
        Inverse temperature β > 0 of the retrieval (reference defaults: 14.3, 8 or 15).
    return_parts : bool
        Return a :class:`CLOOBParts` (loss, both terms, the four retrievals).

    Returns
    -------
    scalar array or CLOOBParts
        In the promoted dtype of the inputs.
    """
    dtype, (a, b, t, bt) = _prepare(("x", "y"), x, y, {"inv_tau": inv_tau, "beta": beta})
    res = _cloob(a, b, t, bt)
    if return_parts:
        return CLOOBParts(*(r.astype(dtype) for r in res))
    return res[0].astype(dtype)
