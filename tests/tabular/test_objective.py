"""Corruption statistics, reconstruction losses and the annealing schedule."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.tabular import objective

SIZES = (3, 1, 1, 2)  # discrete(3), numeric, numeric, target(2)
DISCRETE = (True, False, False, True)


def _rows(n, rng):
    x = np.zeros((n, sum(SIZES)), np.float32)
    x[np.arange(n), rng.integers(0, 3, n)] = 1.0
    x[:, 3:5] = rng.standard_normal((n, 2))
    x[np.arange(n), 5 + rng.integers(0, 2, n)] = 1.0
    return x


def test_corruption_statistics():
    rng = np.random.default_rng(0)
    n = 40_000
    x = _rows(n, rng)
    missing = np.zeros((n, 4), bool)
    missing[:100, 1] = True
    xc, masked, noise = objective.corrupt(rng, x, missing, SIZES, DISCRETE)
    assert masked[:, -1].all() and noise[:, -1].all()  # target always masked, always in loss
    assert masked[:100, 1].all() and not noise[:100, 1].any()  # missing: masked, not in loss
    feat = slice(0, 3)
    changed = np.zeros((n, 4), bool)
    changed[:, 0] = np.any(xc[:, :3] != x[:, :3], axis=1)
    changed[:, 1:3] = xc[:, 3:5] != x[:, 3:5]
    replaced = noise[:, feat] & ~masked[:, feat]
    ok = ~missing[:, feat]
    m_frac = masked[:, feat][ok].mean()
    r_frac = replaced[ok].mean()
    k = ok.sum()
    assert abs(m_frac - 0.025) < 5 * np.sqrt(0.025 * 0.975 / k)
    assert abs(r_frac - 0.175) < 5 * np.sqrt(0.175 * 0.825 / k)
    # only replaced entries change; a replaced category is a valid one-hot drawn uniformly
    assert not changed[:, :3][~replaced].any()
    rep_cat = xc[replaced[:, 0], :3]
    np.testing.assert_array_equal(rep_cat.sum(1), 1.0)
    counts = rep_cat.sum(0)
    assert np.all(np.abs(counts / counts.sum() - 1 / 3) < 0.03)
    # replaced numeric values are N(0, 1)
    vals = xc[replaced[:, 1], 3]
    assert abs(vals.mean()) < 0.05 and abs(vals.std() - 1) < 0.05
    with pytest.raises(ValueError, match="mask_p"):
        objective.corrupt(rng, x, missing, SIZES, DISCRETE, mask_p=0.9, replace_p=0.2)


@functools.partial(jax.jit, static_argnums=(2, 3))
def _losses(pred, x, sizes, discrete, noise, missing, weight):
    per = objective.reconstruction_losses(pred, x, sizes, discrete)
    return per, objective.loss(pred, x, noise, missing, sizes, discrete, weight)


def test_reconstruction_losses_match_numpy():
    rng = np.random.default_rng(1)
    x = _rows(5, rng)
    pred = rng.standard_normal(x.shape).astype(np.float32)
    noise = np.zeros((5, 4), bool)
    noise[:, -1] = True
    noise[0, 1] = noise[3, 1] = True  # feature 1 noised in two rows
    noise[1, 2] = noise[2, 0] = True
    missing = np.zeros((5, 4), bool)
    got, (total, target) = _losses(pred, x, SIZES, DISCRETE, noise, missing, 0.25)
    got = np.asarray(got)

    def ce(logits, onehot):
        lse = np.log(np.exp(logits).sum(1))
        return lse - (logits * onehot).sum(1)

    want = np.stack(
        [
            ce(pred[:, :3], x[:, :3]),
            (pred[:, 3] - x[:, 3]) ** 2,
            (pred[:, 4] - x[:, 4]) ** 2,
            ce(pred[:, 5:], x[:, 5:]),
        ],
        1,
    )
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # loss: features only where noised, the target always; weight a mixes them
    np.testing.assert_allclose(float(target), want[:, 3].mean(), rtol=1e-5)
    # per feature: mean over its noised rows; the feature loss: mean over those features
    features = (want[2, 0] + (want[0, 1] + want[3, 1]) / 2 + want[1, 2]) / 3
    np.testing.assert_allclose(float(total), 0.25 * features + 0.75 * want[:, 3].mean(), rtol=1e-5)
    noise[:, :3] = False  # no noised feature: target loss alone
    _, (total, target) = _losses(pred, x, SIZES, DISCRETE, noise, missing, 0.25)
    np.testing.assert_allclose(float(total), float(target), rtol=1e-6)


def test_feature_loss_weight_schedule():
    w = objective.feature_loss_weight
    assert w(0, 10_000) == 1.0 and abs(w(5000, 10_000) - 0.5) < 1e-12
    assert w(10_000, 10_000) == 0.0 and w(20_000, 10_000) == 0.0
    assert w(2, 4) == pytest.approx(0.5)


def test_reconstruction_losses_on_a_wide_mixed_layout_match_numpy():
    """Features of one width are computed together and wide ones alone: on a layout that mixes
    both (and a one-level discrete feature, width 1 like the numeric ones), every feature's
    loss still equals its own cross-entropy or squared error in numpy, in feature order."""
    from hopfield_sim.tabular.model import _STACK_WIDTH

    sizes = (1, 5, 1, _STACK_WIDTH + 3, 1, 5, 2 * _STACK_WIDTH, 1, 3)
    discrete = (False, True, True, True, False, True, True, False, True)
    rng = np.random.default_rng(4)
    B = 6
    blocks = []
    for s, d in zip(sizes, discrete):
        blocks.append(np.eye(s)[rng.integers(0, s, B)] if d else rng.normal(size=(B, 1)))
    x = np.concatenate(blocks, 1).astype(np.float32)
    pred = rng.normal(size=x.shape).astype(np.float32)
    losses = jax.jit(lambda p, t: objective.reconstruction_losses(p, t, sizes, discrete))
    got = np.asarray(losses(pred, x))
    want, a = [], 0
    for s, d in zip(sizes, discrete):
        p, t = pred[:, a : a + s].astype(np.float64), x[:, a : a + s]
        lse = np.log(np.exp(p).sum(1))
        want.append(lse - (p * t).sum(1) if d else ((p - t) ** 2).sum(1))
        a += s
    np.testing.assert_allclose(got, np.stack(want, 1), rtol=1e-5, atol=1e-5)


def test_applied_draws_are_the_corruption():
    """draw_corruption then apply_corruption (the training step builds its rows so, on the
    device) gives corrupt's rows from the same generator state, entry for entry; a replaced
    discrete entry is the one-hot of the drawn index, a replaced numeric one the drawn value."""
    rng = np.random.default_rng(2)
    x = _rows(40, rng)
    missing = rng.random((40, 4)) < 0.1
    missing[:, -1] = False
    out, masked, noise = objective.corrupt(np.random.default_rng(9), x, missing, SIZES,
                                           DISCRETE, mask_p=0.1, replace_p=0.5)  # fmt: skip
    m2, n2, replaced, fill = objective.draw_corruption(np.random.default_rng(9), missing,
                                                       SIZES, DISCRETE, mask_p=0.1,
                                                       replace_p=0.5)  # fmt: skip
    np.testing.assert_array_equal(masked, m2)
    np.testing.assert_array_equal(noise, n2)
    built = np.asarray(objective.apply_corruption(jnp.asarray(x), replaced, fill, SIZES,
                                                  DISCRETE))  # fmt: skip
    np.testing.assert_array_equal(built, out)
    r = np.flatnonzero(replaced[:, 0])
    assert r.size > 5
    np.testing.assert_array_equal(out[r, :3], np.eye(3)[fill[r, 0].astype(int)])
    r = np.flatnonzero(replaced[:, 1])
    np.testing.assert_array_equal(out[r, 3], fill[r, 1])
    keep = ~replaced[:, 1]
    np.testing.assert_array_equal(out[keep, 3], x[keep, 3])


def test_target_loss_is_the_loss_at_feature_weight_zero():
    """target_loss from the target's columns alone equals loss(..., weight=0) on all columns,
    in value and in its gradient with respect to the target's outputs (the others get none)."""
    rng = np.random.default_rng(3)
    x = _rows(7, rng)
    pred = rng.standard_normal(x.shape).astype(np.float32)
    noise = rng.random((7, 4)) < 0.4
    noise[:, -1] = True
    missing = np.zeros((7, 4), bool)
    missing[2, -1] = True  # a row without its target does not count
    C = SIZES[-1]

    def full(p):
        return objective.loss(p, x, noise, missing, SIZES, DISCRETE, 0.0)[0]

    def alone(t):
        return objective.target_loss(t, x, noise, missing, SIZES, DISCRETE)

    full_vg, alone_vg = jax.jit(jax.value_and_grad(full)), jax.jit(jax.value_and_grad(alone))
    v_full, g_full = full_vg(jnp.asarray(pred))
    v_alone, g_alone = alone_vg(jnp.asarray(pred[:, -C:]))
    np.testing.assert_allclose(float(v_alone), float(v_full), rtol=1e-6)
    g_full, g_alone = np.asarray(g_full), np.asarray(g_alone)
    np.testing.assert_allclose(g_full[:, -C:], g_alone, rtol=1e-5, atol=1e-7)
    assert not g_full[:, :-C].any()
    assert not g_alone[2].any()
