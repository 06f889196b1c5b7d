"""Hopular's objective on a small case computed by hand (issue 29): per-feature means over
the noised, known rows only; the feature loss averages the features that have such rows;
``a * L_features + (1 - a) * L_target``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hopfield_sim.tabular import objective

SIZES = (2, 1, 2)  # discrete(2), numeric, target(2)
DISCRETE = (True, False, True)
L3, L4, L2, L43 = math.log(3), math.log(4), math.log(2), math.log(4 / 3)

X = np.array(
    [
        [1, 0, 0.5, 0, 1],
        [0, 1, -1.0, 1, 0],
        [1, 0, 2.0, 1, 0],
    ],
    np.float32,
)
PRED = np.array(
    [
        [L3, 0, 1.5, 0, 0],  # CE ln(4/3), SE 1, target CE ln 2
        [0, 0, 0.0, L3, 0],  # CE ln 2, SE 1 (missing: never counts), target CE ln(4/3)
        [0, L3, 0.0, 0, L3],  # CE ln 4, SE 4, target CE ln 4
    ],
    np.float32,
)
MISSING = np.array([[False, False, False], [False, True, False], [False, False, False]])


def _loss(noise, a):
    total, target = objective.loss(PRED, X, noise, MISSING, SIZES, DISCRETE, a)
    return float(total), float(target)


def test_per_row_losses_by_hand():
    per = np.asarray(objective.reconstruction_losses(PRED, X, SIZES, DISCRETE))
    want = [[L43, 1.0, L2], [L2, 1.0, L43], [L4, 4.0, L4]]
    np.testing.assert_allclose(per, want, rtol=1e-6)


def test_loss_by_hand():
    noise = np.array([[True, False, True], [True, True, True], [False, True, True]])
    a = 0.3
    total, target = _loss(noise, a)
    f0 = (L43 + L2) / 2  # rows 0 and 1
    f1 = 4.0  # row 2 only: row 1 is noised but missing
    tgt = (L2 + L43 + L4) / 3
    assert target == pytest.approx(tgt, rel=1e-6)
    assert total == pytest.approx(a * (f0 + f1) / 2 + (1 - a) * tgt, rel=1e-6)


def test_feature_loss_averages_only_features_with_noised_rows():
    noise = np.array([[True, False, True], [False, True, True], [True, False, True]])
    a = 0.8
    total, target = _loss(noise, a)
    f0 = (L43 + L4) / 2  # feature 1 has no noised known row: not in the average
    assert total == pytest.approx(a * f0 + (1 - a) * target, rel=1e-6)
    # no noised feature at all: the target loss alone, whatever a
    only_target = np.array([[False, False, True]] * 3)
    assert _loss(only_target, a)[0] == pytest.approx(target, rel=1e-6)
