"""Training-budget fixes of issue 26: step-counted batches and the bias-corrected average."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.tabular.data import Encoded, Split
from hopfield_sim.tabular.recipes import recipe
from hopfield_sim.tabular.train import _sizes, weight_average


@pytest.mark.parametrize("decay", [0.0, 0.9, 0.99])
def test_weight_average_is_the_normalised_weighted_mean_of_the_iterates(decay):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(7, 3))
    ema = jnp.zeros(3)
    for v in values:  # the update of train._epoch, from zeros
        ema = decay * ema + (1.0 - decay) * v
    n = len(values)
    w = (1.0 - decay) * decay ** (n - 1 - np.arange(n))  # closed form, no initialisation term
    expected = (w[:, None] * values).sum(0) / w.sum()
    got = weight_average({"p": ema}, decay, n)["p"]
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5, atol=1e-6)
    # constant iterates: the average is exactly that constant (the old average kept
    # decay**n of the initial weights: 0.99**40 = 67 % after 40 steps)
    c = jnp.zeros(3)
    for _ in range(40):
        c = decay * c + (1.0 - decay) * 2.5
    np.testing.assert_allclose(np.asarray(weight_average(c, decay, 40)), 2.5, rtol=1e-5)


def _enc(n_train: int) -> Encoded:
    idx = np.arange(n_train)
    split = Split(0, "intended", idx, idx[:1], idx[:1])
    x = np.zeros((n_train, 2), np.float32)
    return Encoded(x, np.zeros((n_train, 2), bool), np.zeros(n_train, np.int64), (1, 1),
                   (False, False), split)  # fmt: skip


@pytest.mark.parametrize(
    ("n_train", "batch", "steps", "epochs"),
    [(364, 364, 1, 500), (511, 511, 1, 500), (512, 256, 2, 250), (4507, 256, 17, 40),
     (6400, 256, 25, 40)],
)  # fmt: skip
def test_budget_counts_optimiser_steps_and_drops_no_half_batch(n_train, batch, steps, epochs):
    r = recipe("budget", num_train=n_train, num_features=5)
    _, B, _, per_epoch = _sizes(_enc(n_train), r)
    assert (B, per_epoch, r.epochs) == (batch, steps, epochs)
    assert per_epoch * r.epochs >= 500  # MIN_STEPS
    assert n_train - B * per_epoch < B  # what one epoch leaves out is less than one batch
