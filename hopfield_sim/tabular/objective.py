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

from hopfield_sim.tabular.model import by_groups, column_groups, stack_columns

__all__ = ["apply_corruption", "corrupt", "draw_corruption", "feature_loss_weight",
           "reconstruction_losses", "loss", "target_logits", "target_loss"]  # fmt: skip


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
    """Corrupt rows for training: :func:`draw_corruption`, then :func:`apply_corruption`.

    Parameters
    ----------
    rng : numpy Generator (the only source of randomness)
    x : (B, P) encoded rows; missing : (B, F) bool; sizes, discrete : per feature, target last.
    mask_p, replace_p : probabilities of masking / replacing a non-target feature.

    Returns
    -------
    x_corrupted (B, P) float32, masked (B, F) bool (mask bit on), noise (B, F) bool (in the
    loss).
    """
    masked, noise, replaced, fill = draw_corruption(
        rng, missing, sizes, discrete, mask_p=mask_p, replace_p=replace_p
    )
    out = apply_corruption(np.asarray(x, np.float32), replaced, fill, sizes, discrete)
    return np.asarray(out), masked, noise


def draw_corruption(
    rng: np.random.Generator,
    missing: np.ndarray,
    sizes: tuple[int, ...],
    discrete: tuple[bool, ...],
    *,
    mask_p: float = 0.025,
    replace_p: float = 0.175,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The random draws of :func:`corrupt`, O(B F) whatever the one-hot widths.

    Returns
    -------
    masked, noise, replaced : (B, F) bool
    fill : (B, F) float32, the replacement of each replaced entry: the drawn category's index
        (discrete) or the drawn N(0, 1) value (numeric); 0 elsewhere.
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
    fill = np.zeros((B, F), np.float32)
    for j, (s, disc) in enumerate(zip(sizes, discrete)):
        rows = np.flatnonzero(replaced[:, j])
        if rows.size:
            draw = rng.integers(0, s, rows.size) if disc else rng.standard_normal(rows.size)
            fill[rows, j] = draw
    return masked, noise, replaced, fill


def apply_corruption(x, replaced, fill, sizes: tuple[int, ...], discrete: tuple[bool, ...]):
    """Rows (B, P) with every replaced entry set to its ``fill`` (a one-hot of the drawn
    category, or the drawn value); a JAX array of ``x``'s dtype. Masking is applied later,
    by :func:`hopfield_sim.tabular.model.model_input`."""
    seg = _segments(sizes)
    level = np.arange(seg.size) - np.concatenate([[0], np.cumsum(sizes)[:-1]])[seg]
    fill_p = jnp.asarray(fill)[:, seg]  # (B, P)
    new = jnp.where(np.asarray(discrete)[seg], (level == fill_p).astype(x.dtype), fill_p)
    return jnp.where(jnp.asarray(replaced)[:, seg], new.astype(x.dtype), x)


def feature_loss_weight(epoch: int, horizon: float, initial: float = 1.0, final: float = 0.0):
    """Cosine annealing of the feature-loss weight: ``initial`` at epoch 0, ``final`` at
    ``horizon`` (the reference: 1 -> 0 over 10 000 epochs, so 0.5 at epoch 5000)."""
    t = min(max(epoch / horizon, 0.0), 1.0)
    return final + 0.5 * (initial - final) * (1.0 + math.cos(math.pi * t))


def _segments(sizes: tuple[int, ...]) -> np.ndarray:
    return np.repeat(np.arange(len(sizes)), np.asarray(sizes))


def reconstruction_losses(pred, x, sizes: tuple[int, ...], discrete: tuple[bool, ...]):
    """Per row and feature: cross-entropy (discrete, x one-hot) or squared error, (B, F).

    Computed per group of features of equal width (:func:`~hopfield_sim.tabular.model.
    column_groups`): dense reductions, O(P) per row however wide the one-hot features are.
    """

    def group(w, feats, starts):
        p, t = (stack_columns(a, w, starts, axis=1) for a in (pred, x))  # (B, n, w)
        ce = jax.nn.logsumexp(p, axis=-1) - jnp.sum(p * t, axis=-1)
        se = jnp.sum((p - t) ** 2, axis=-1)
        return jnp.where(np.asarray(discrete)[list(feats)], ce, se)

    return by_groups(group, column_groups(sizes))


def loss(pred, x, noise, missing, sizes, discrete, weight):
    """Annealed loss (scalar) and the target loss (for logging).

    ``weight`` is the feature-loss weight a; with no noised feature entry the loss is the
    target loss alone (as the reference).
    """
    per_feature, count = _per_feature(reconstruction_losses(pred, x, sizes, discrete), noise,
                                      missing)  # fmt: skip
    has = (count[:-1] > 0).astype(per_feature.dtype)
    n_feat = jnp.sum(has)
    feature = jnp.sum(per_feature[:-1] * has) / jnp.maximum(n_feat, 1.0)
    target = per_feature[-1]
    a = jnp.where(n_feat > 0, weight, 0.0)
    return a * feature + (1.0 - a) * target, target


def target_loss(logits, x, noise, missing, sizes, discrete):
    """The target term of :func:`loss` from the target's outputs ``logits`` (B, sizes[-1])
    alone (``x``, ``noise``, ``missing`` as there): what :func:`loss` returns once the
    feature-loss weight is 0, without the other features' P outputs."""
    C = sizes[-1]
    per = reconstruction_losses(logits, x[:, -C:], sizes[-1:], discrete[-1:])
    return _per_feature(per, noise[:, -1:], missing[:, -1:])[0][0]


def _per_feature(per, noise, missing):
    """Each feature's loss averaged over the rows where it is noised and known, (F,), and
    the number of those rows, (F,) (per, noise, missing: (B, F))."""
    use = (noise & ~missing).astype(per.dtype)
    count = jnp.sum(use, axis=0)
    return jnp.sum(per * use, axis=0) / jnp.maximum(count, 1.0), count


def target_logits(pred, sizes: tuple[int, ...]):
    """The target's slice of the predictions (the last feature), (B, C)."""
    return pred[:, pred.shape[1] - sizes[-1] :]
