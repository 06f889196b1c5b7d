"""Small models and a training loop for the example tasks (:mod:`.tasks`).

Used by ``scripts/layers_examples.py`` (full runs, curves for the docs) and by the tests
(test-sized runs). Training follows the reference: AdamW (lr 1e-3), gradient-norm clipping
at 1.0, batch 32, binary cross-entropy on one logit or softmax cross-entropy.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from hopfield_sim.layers.modules import Hopfield
from hopfield_sim.layers.pooling import HopfieldLayer, HopfieldPooling

__all__ = ["BagClassifier", "LatchClassifier", "train_classifier"]


class BagClassifier(nnx.Module):
    """Bag (B, bag_size, bits) -> one logit, through a Hopfield layer, flatten and a linear map.

    ``kind``: "pooling" (``HopfieldPooling``, learned query), "hopfield" (self-association
    over the bag) or "lookup" (``HopfieldLayer`` whose stored patterns start at
    ``lookup_init``, e.g. the unique training instances). ``hopfield_kwargs`` go to the layer.
    """

    def __init__(
        self,
        kind: str = "pooling",
        *,
        bag_size: int = 16,
        num_bits: int = 8,
        lookup_init: np.ndarray | None = None,
        rngs: nnx.Rngs,
        **hopfield_kwargs,
    ):
        if kind == "pooling":
            self.layer = HopfieldPooling(num_bits, rngs=rngs, **hopfield_kwargs)
            width = self.layer.quantity * self.layer.hopfield.out_size
        elif kind == "hopfield":
            self.layer = Hopfield(num_bits, rngs=rngs, **hopfield_kwargs)
            width = bag_size * self.layer.out_size
        elif kind == "lookup":
            q = 64 if lookup_init is None else len(lookup_init)
            self.layer = HopfieldLayer(num_bits, quantity=q, rngs=rngs, **hopfield_kwargs)
            if lookup_init is not None:
                self.layer.lookup_weights.value = jnp.asarray(lookup_init)[None]
            width = bag_size * self.layer.hopfield.out_size
        else:
            raise ValueError(f"kind must be 'pooling', 'hopfield' or 'lookup'; got {kind!r}.")
        self.kind = kind
        self.head = nnx.Linear(width, 1, rngs=rngs)

    def __call__(self, bags: jax.Array) -> jax.Array:
        h = self.layer(bags)
        return self.head(h.reshape(h.shape[0], -1))[:, 0]


class LatchClassifier(nnx.Module):
    """One-hot sequence (B, L, A) -> A logits: embedding + learned positions + pooling."""

    def __init__(
        self,
        *,
        length: int = 32,
        alphabet: int = 20,
        width: int = 16,
        rngs: nnx.Rngs,
        **hopfield_kwargs,
    ):
        self.embed = nnx.Linear(alphabet, width, rngs=rngs)
        self.position = nnx.Param(0.1 * jax.random.normal(rngs.params(), (length, width)))
        self.pool = HopfieldPooling(width, rngs=rngs, **hopfield_kwargs)
        self.head = nnx.Linear(
            self.pool.quantity * self.pool.hopfield.out_size, alphabet, rngs=rngs
        )

    def __call__(self, x: jax.Array) -> jax.Array:
        h = self.embed(x) + self.position[...][: x.shape[1]]
        return self.head(self.pool(h))


def _loss(logits, y):
    if logits.ndim == 1:
        return optax.sigmoid_binary_cross_entropy(logits, y.astype(logits.dtype)).mean()
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def _accuracy(logits, y):
    pred = (logits > 0).astype(jnp.int32) if logits.ndim == 1 else jnp.argmax(logits, -1)
    return jnp.mean(pred == y)


def train_classifier(
    model: nnx.Module,
    x_train,
    y_train,
    x_eval,
    y_eval,
    *,
    epochs: int,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
):
    """Train with AdamW + clipping; return per-epoch ``train_loss`` and ``eval_accuracy``.

    Parameters
    ----------
    model : nnx.Module
        Maps a batch to one logit per sample (binary) or ``(batch, classes)`` logits.
    x_train, y_train, x_eval, y_eval : arrays
        Data and integer labels.
    epochs : int
    seed : int
        Seeds the shuffling (a ``numpy.random.SeedSequence``).

    Returns
    -------
    dict with lists ``train_loss`` and ``eval_accuracy`` (one entry per epoch).
    """
    tx = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(learning_rate))
    opt = nnx.Optimizer(model, tx, wrt=nnx.Param)

    @nnx.jit
    def step(model, opt, x, y):
        loss, grads = nnx.value_and_grad(lambda m: _loss(m(x), y))(model)
        opt.update(model, grads)
        return loss

    @nnx.jit
    def evaluate(model, x, y):
        return _accuracy(model(x), y)

    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n = len(x_train) // batch_size * batch_size
    history = {"train_loss": [], "eval_accuracy": []}
    x_train, y_train = jnp.asarray(x_train), jnp.asarray(y_train)
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(x_train))[:n].reshape(-1, batch_size)
        losses = [step(model, opt, x_train[b], y_train[b]) for b in order]
        model.eval()
        history["train_loss"].append(float(jnp.mean(jnp.stack(losses))))
        history["eval_accuracy"].append(
            float(evaluate(model, jnp.asarray(x_eval), jnp.asarray(y_eval)))
        )
    return history
