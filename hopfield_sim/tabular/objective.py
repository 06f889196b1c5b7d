"""Hopular's training objective: feature corruption and the annealed reconstruction loss.

Corruption (per row and non-target feature, independently): with probability ``mask_p`` the
feature is masked (zeros + mask bit), with probability ``replace_p`` its value is replaced (a
uniformly random category, or a draw from N(0, 1) for a standardised numeric feature), else it
is left. The target is always masked. Selected features ("noise": masked or replaced) and the
target are the entries the loss looks at; missing entries never count and are always masked.

Loss = ``a * L_features + (1 - a) * L_target``: per feature, cross-entropy (discrete) or squared
error (numeric, standardised) averaged over the rows where that feature is noised and known;
``L_features`` averages over the non-target features that have such rows. ``a`` is
:func:`feature_loss_weight`.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["corrupt", "feature_loss_weight", "reconstruction_losses", "loss", "target_logits"]


def corrupt(
    rng: np.random.Generator,
    x: np.ndarray,
    missing: np.ndarray,
    sizes: tuple[int, ...],
    discrete: tuple[bool, ...],
    *,
    mask_p: float = 0.025,
    replace_p: float = 0.175,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corrupt rows for training.

    Parameters
    ----------
    rng : numpy Generator (the only source of randomness)
    x : (B, P) encoded rows; missing : (B, F) bool; sizes, discrete : per feature, target last.
    mask_p, replace_p : probabilities of masking / replacing a non-target feature.

    Returns
    -------
    x_corrupted (B, P), masked (B, F) bool (mask bit on), noise (B, F) bool (in the loss).
    """
    if not (0.0 <= mask_p and 0.0 <= replace_p and mask_p + replace_p <= 1.0):
        raise ValueError(f"need mask_p, replace_p >= 0 and sum <= 1; got {mask_p}, {replace_p}.")
    B, F = missing.shape
    u = rng.random((B, F))
    masked = u < mask_p
    replaced = (u >= mask_p) & (u < mask_p + replace_p)
    masked[:, -1], replaced[:, -1] = True, False
    masked |= missing
    replaced &= ~missing
    noise = (masked | replaced) & ~missing
    noise[:, -1] = True
    out = np.array(x, dtype=np.float32, copy=True)
    start = 0
    for j, (s, disc) in enumerate(zip(sizes, discrete)):
        rows = np.flatnonzero(replaced[:, j])
        if rows.size:
            if disc:
                block = np.zeros((rows.size, s), np.float32)
                block[np.arange(rows.size), rng.integers(0, s, rows.size)] = 1.0
                out[rows, start : start + s] = block
            else:
                out[rows, start] = rng.standard_normal(rows.size)
        start += s
    return out, masked, noise


def feature_loss_weight(epoch: int, horizon: float, initial: float = 1.0, final: float = 0.0):
    """Cosine annealing of the feature-loss weight: ``initial`` at epoch 0, ``final`` at
    ``horizon`` (the reference: 1 -> 0 over 10 000 epochs, so 0.5 at epoch 5000)."""
    t = min(max(epoch / horizon, 0.0), 1.0)
    return final + 0.5 * (initial - final) * (1.0 + math.cos(math.pi * t))


def _segments(sizes: tuple[int, ...]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes)), np.asarray(sizes))


def reconstruction_losses(pred, x, sizes: tuple[int, ...], discrete: tuple[bool, ...]):
    """Per row and feature: cross-entropy (discrete, x one-hot) or squared error, (B, F)."""
    seg = _segments(sizes)
    F = len(sizes)
    pred_t = pred.T  # (P, B)
    seg_max = jax.ops.segment_max(pred_t, seg, num_segments=F)  # (F, B)
    shifted = jnp.exp(pred_t - seg_max[seg])
    lse = jnp.log(jax.ops.segment_sum(shifted, seg, num_segments=F)) + seg_max
    picked = jax.ops.segment_sum(pred_t * x.T, seg, num_segments=F)
    ce = lse - picked
    se = jax.ops.segment_sum((pred_t - x.T) ** 2, seg, num_segments=F)
    return jnp.where(jnp.asarray(discrete)[:, None], ce, se).T


def loss(pred, x, noise, missing, sizes, discrete, weight):
    """Annealed loss (scalar) and the target loss (for logging).

    ``weight`` is the feature-loss weight a; with no noised feature entry the loss is the
    target loss alone (as the reference).
    """
    per = reconstruction_losses(pred, x, sizes, discrete)
    use = (noise & ~missing).astype(per.dtype)
    count = jnp.sum(use, axis=0)
    per_feature = jnp.sum(per * use, axis=0) / jnp.maximum(count, 1.0)
    has = (count[:-1] > 0).astype(per.dtype)
    n_feat = jnp.sum(has)
    feature = jnp.sum(per_feature[:-1] * has) / jnp.maximum(n_feat, 1.0)
    target = per_feature[-1]
    a = jnp.where(n_feat > 0, weight, 0.0)
    return a * feature + (1.0 - a) * target, target


def target_logits(pred, sizes: tuple[int, ...]):
    """The target's slice of the predictions (the last feature), (B, C)."""
    return pred[:, pred.shape[1] - sizes[-1] :]
