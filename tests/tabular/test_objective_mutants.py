"""Values of ``hopfield_sim.tabular.objective`` that mutation testing found unchecked
(issue 29): the annealing weight outside [0, horizon] and the target's slice of the
predictions, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim.tabular import objective


def test_feature_loss_weight_is_clamped_outside_the_horizon():
    # t = epoch / horizon is clamped to [0, 1]: before epoch 0 the weight is `initial`
    assert objective.feature_loss_weight(-5000, 10_000) == 1.0
    assert objective.feature_loss_weight(-1, 10, initial=0.8, final=0.2) == 0.8
    assert objective.feature_loss_weight(30, 10, initial=0.8, final=0.2) == 0.2


def test_target_logits_are_the_last_feature():
    sizes = (3, 1, 2, 4)  # the target has 4 classes, another feature 2
    pred = np.arange(2 * sum(sizes), dtype=np.float32).reshape(2, sum(sizes))
    out = np.asarray(objective.target_logits(pred, sizes))
    np.testing.assert_array_equal(out, [[6, 7, 8, 9], [16, 17, 18, 19]])


class _Draws:
    """A stand-in for the generator with chosen uniforms (the corruption rule by hand)."""

    def __init__(self, u):
        self.u = np.asarray(u, float)

    def random(self, shape):
        assert shape == self.u.shape
        return self.u.copy()

    def integers(self, low, high, size):
        return np.full(size, high - 1)

    def standard_normal(self, size):
        return np.full(size, 7.0)


def test_corruption_thresholds_by_hand():
    """u < mask_p: masked; mask_p <= u < mask_p + replace_p: replaced; else left. Features:
    numeric, discrete(3), target(2)."""
    sizes, discrete = (1, 3, 2), (False, True, True)
    x = np.array([[0.5, 1, 0, 0, 1, 0]] * 3, np.float32)
    missing = np.zeros((3, 3), bool)
    # rows: u exactly at mask_p (replaced), exactly at mask_p + replace_p (left), below mask_p
    # (the target's 0.3 would be a replacement, but the target is always masked instead)
    u = [[0.25, 0.25, 0.3], [0.5, 0.5, 0.9], [0.1, 0.1, 0.9]]
    out, masked, noise = objective.corrupt(_Draws(u), x, missing, sizes, discrete,
                                           mask_p=0.25, replace_p=0.25)  # fmt: skip
    np.testing.assert_array_equal(masked, [[False, False, True]] * 2 + [[True, True, True]])
    np.testing.assert_array_equal(noise, [[True, True, True], [False, False, True],
                                          [True, True, True]])  # fmt: skip
    np.testing.assert_array_equal(out[0], [7.0, 0, 0, 1, 1, 0])  # N(0,1) draw 7, class 2
    np.testing.assert_array_equal(out[1], x[1])
    np.testing.assert_array_equal(x, [[0.5, 1, 0, 0, 1, 0]] * 3)  # the input is not changed


def test_corruption_arguments():
    x, missing = np.zeros((2, 2), np.float32), np.zeros((2, 2), bool)
    args = (x, missing, (1, 1), (False, False))
    for mask_p, replace_p in ((0.6, 0.6), (-0.1, 0.5), (0.5, -0.1)):
        with pytest.raises(ValueError, match="mask_p, replace_p"):
            objective.corrupt(np.random.default_rng(0), *args, mask_p=mask_p, replace_p=replace_p)
    with pytest.raises(TypeError):
        objective.corrupt(np.random.default_rng(0), *args, 0.1, 0.1)
    out, _, _ = objective.corrupt(rng=np.random.default_rng(0), x=x, missing=missing,
                                  sizes=(1, 1), discrete=(False, False))  # fmt: skip
    assert out.shape == (2, 2)


def test_corruption_probabilities_at_their_bounds_are_accepted():
    x, missing = np.zeros((2, 2), np.float32), np.zeros((2, 2), bool)
    for mask_p, replace_p in ((0.0, 0.5), (0.5, 0.0), (0.25, 0.75)):
        rng = np.random.default_rng(0)
        out, masked, _ = objective.corrupt(
            rng, x, missing, (1, 1), (False, False), mask_p=mask_p, replace_p=replace_p
        )
        assert out.shape == (2, 2) and masked[:, -1].all()


def test_target_noise_flag_is_set_on_every_row():
    """``noise`` marks the target on every row, also where it is missing (the loss drops
    missing entries itself, through ``noise & ~missing``); the target is always masked."""
    x = np.zeros((2, 2), np.float32)
    missing = np.array([[False, True], [False, False]])
    _, masked, noise = objective.corrupt(_Draws([[0.9, 0.9], [0.9, 0.9]]), x, missing, (1, 1),
                                         (False, False))  # fmt: skip
    np.testing.assert_array_equal(noise, [[False, True], [False, True]])
    np.testing.assert_array_equal(masked, [[False, True], [False, True]])
