"""Values of ``hopfield_sim.tabular.objective`` that mutation testing found unchecked
(issue 29): the annealing weight outside [0, horizon] and the target's slice of the
predictions, by hand."""

from __future__ import annotations

import numpy as np

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
