"""``CLOOBHead``: a Flax NNX loss head for two encoders' outputs (CLOOB or CLIP).

The head L2-normalises the image and text embeddings and returns
:func:`hopfield_sim.layers.cloob_loss` (or CLIP's :func:`hopfield_sim.layers.infonce`), with the
inverse temperature τ⁻¹ fixed (the CLOOB default) or learnable. A learnable τ⁻¹ is stored as
``log τ⁻¹`` and kept in ``[0, ln inv_tau_max]`` (τ⁻¹ in [1, 100] by default), as ml-jku/cloob
clamps it: the forward pass uses the clipped value, and :meth:`CLOOBHead.clamp` projects the
parameter itself back into range (call it after each optimizer step, as the reference does).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hopfield_sim.layers.contrastive import (
    CLOOBParts,
    InfoNCEParts,
    _check_pair,
    _normalise,
    cloob_loss,
    infonce,
)

__all__ = ["CLOOBHead"]

LOSSES = ("cloob", "clip")


def _positive_float(name: str, value) -> float:
    if isinstance(value, bool | str | bytes) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be a positive real number; got {value!r}.")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be finite and > 0; got {name}={value!r}.")
    return float(value)


class CLOOBHead(nnx.Module):
    """Contrastive loss head: normalise two encoders' outputs, return the CLOOB or CLIP loss.

    Parameters
    ----------
    loss : {"cloob", "clip"}
        ``"cloob"``: :func:`~hopfield_sim.layers.cloob_loss` (Hopfield retrieval from the
        batch + InfoLOOB, crowsonkb scale); ``"clip"``: :func:`~hopfield_sim.layers.infonce`.
    inv_tau : float
        Initial (or fixed) inverse temperature τ⁻¹ of the loss, in [1, inv_tau_max]
        (reference defaults: 14.3, or 30).
    beta : float
        Inverse temperature β > 0 of the retrieval (``loss="cloob"`` only; default 14.3).
    learn_inv_tau : bool
        Make ``log τ⁻¹`` an ``nnx.Param`` (CLIP learns it; CLOOB keeps it fixed by default).
    inv_tau_max : float
        Upper clamp of a learnable τ⁻¹ (100, i.e. ``log τ⁻¹ ≤ ln 100``); the lower clamp is 1.
    normalize : bool
        L2-normalise the inputs first (the losses expect unit-norm embeddings).
    param_dtype : dtype
        Dtype of the ``log τ⁻¹`` parameter.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> head = CLOOBHead(loss="cloob", inv_tau=14.3, beta=14.3)
    >>> x = jnp.eye(4, 8); y = jnp.eye(4, 8) + 0.1
    >>> head(x, y).shape
    ()
    """

    def __init__(
        self,
        *,
        loss: str = "cloob",
        inv_tau: float = 14.3,
        beta: float = 14.3,
        learn_inv_tau: bool = False,
        inv_tau_max: float = 100.0,
        normalize: bool = True,
        param_dtype=jnp.float32,
    ):
        if not isinstance(loss, str) or loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}.")
        inv_tau = _positive_float("inv_tau", inv_tau)
        inv_tau_max = _positive_float("inv_tau_max", inv_tau_max)
        if inv_tau_max < 1.0:
            raise ValueError(f"inv_tau_max must be >= 1 (the lower clamp); got {inv_tau_max!r}.")
        if not 1.0 <= inv_tau <= inv_tau_max:
            raise ValueError(
                f"inv_tau must lie in the clamp range [1, inv_tau_max={inv_tau_max}]; "
                f"got inv_tau={inv_tau!r}."
            )
        self.loss = loss
        self.beta = _positive_float("beta", beta)
        self.normalize = bool(normalize)
        self.learn_inv_tau = bool(learn_inv_tau)
        self.log_inv_tau_max = math.log(inv_tau_max)
        log_t = jnp.asarray(math.log(inv_tau), dtype=param_dtype)
        self.log_inv_tau = nnx.Param(log_t) if learn_inv_tau else nnx.Variable(log_t)

    @property
    def inv_tau(self) -> jax.Array:
        """The τ⁻¹ the loss uses: ``exp(clip(log_inv_tau, 0, ln inv_tau_max))``."""
        return jnp.exp(jnp.clip(self.log_inv_tau[...], 0.0, self.log_inv_tau_max))

    def clamp(self) -> None:
        """Project ``log_inv_tau`` into ``[0, ln inv_tau_max]`` in place (after an update)."""
        self.log_inv_tau[...] = jnp.clip(self.log_inv_tau[...], 0.0, self.log_inv_tau_max)

    def __call__(
        self, x: jax.Array, y: jax.Array, *, return_parts: bool = False
    ) -> jax.Array | CLOOBParts | InfoNCEParts:
        """Loss of a batch of pairs.

        Parameters
        ----------
        x, y : arrays, shape (N, d)
            Image and text encoder outputs, row i of each a positive pair, N >= 2.
        return_parts : bool
            Return the loss function's parts (:class:`CLOOBParts` or :class:`InfoNCEParts`).

        Returns
        -------
        scalar array, or the parts
        """
        _check_pair(("x", "y"), x, y)
        if self.normalize:
            x, y = _normalise(x), _normalise(y)
        if self.loss == "cloob":
            return cloob_loss(x, y, inv_tau=self.inv_tau, beta=self.beta, return_parts=return_parts)
        return infonce(x, y, inv_tau=self.inv_tau, return_parts=return_parts)
