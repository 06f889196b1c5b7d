"""Train the hopfield-layers example tasks with the JAX layers; write curves and a table.

Tasks (data generated locally, see ``hopfield_sim.layers.tasks``):

* bit-pattern multiple-instance learning, 2048 bags, train on bags 256..1791, evaluate on
  the first and last 256; models: Hopfield, Hopfield (adapted), HopfieldPooling (plain and
  adapted), HopfieldLayer with the unique training instances as stored patterns;
* latch sequences, 4096 samples, train on 512..3583, evaluate on the first and last 512.

Writes ``OUT/layers_examples.json`` and ``OUT/layers_examples.png``.
Usage: ``python scripts/layers_examples.py [--epochs-bits 40] [--epochs-latch 20]
[--out docs/figures]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from flax import nnx

from hopfield_sim.layers.examples import BagClassifier, LatchClassifier, train_classifier
from hopfield_sim.layers.tasks import bit_pattern_bags, latch_sequences, reference_split

ADAPTED = dict(hidden_size=8, num_heads=8, update_steps_max=3, scaling=0.25, dropout=0.5)


def bit_pattern_runs(epochs: int, seed: int) -> dict:
    X, y, _ = bit_pattern_bags(2048, seed=seed)
    train, held_out = reference_split(len(X), 256)
    unique = np.unique(X[train].reshape(-1, X.shape[-1]), axis=0)
    variants = {
        "Hopfield": ("hopfield", {}),
        "Hopfield (adapted)": ("hopfield", ADAPTED),
        "HopfieldPooling": ("pooling", {}),
        "HopfieldPooling (adapted)": ("pooling", ADAPTED),
        "HopfieldLayer (lookup)": ("lookup", {"lookup_init": unique}),
        "HopfieldPooling (8 queries, beta 1, lr 1e-2)": (
            "pooling",
            {"quantity": 8, "scaling": 1.0, "learning_rate": 1e-2},
        ),
        "HopfieldPooling (8 queries x 8 heads, softmax_1, lr 1e-2)": (
            "pooling",
            {
                "quantity": 8,
                "num_heads": 8,
                "hidden_size": 8,
                "scaling": 1.0,
                "separation": "softmax_1",
                "learning_rate": 1e-2,
            },
        ),
    }
    out = {}
    for name, (kind, kw) in variants.items():
        t = time.perf_counter()
        kw = dict(kw)
        lr = kw.pop("learning_rate", 1e-3)
        model = BagClassifier(kind, rngs=nnx.Rngs(seed), **kw)
        out[name] = train_classifier(
            model,
            X[train],
            y[train],
            X[held_out],
            y[held_out],
            epochs=epochs,
            learning_rate=lr,
            seed=seed,
        )
        out[name]["seconds"] = time.perf_counter() - t
        print(f"bits  {name:58s} eval accuracy {out[name]['eval_accuracy'][-1]:.3f}")
    return out


def latch_runs(epochs: int, seed: int) -> dict:
    X, y = latch_sequences(4096, seed=seed)
    train, held_out = reference_split(len(X), 512)
    out = {}
    for name, kw in {"HopfieldPooling": {}, "HopfieldPooling (adapted)": ADAPTED}.items():
        t = time.perf_counter()
        model = LatchClassifier(rngs=nnx.Rngs(seed), **kw)
        out[name] = train_classifier(
            model, X[train], y[train], X[held_out], y[held_out], epochs=epochs, seed=seed
        )
        out[name]["seconds"] = time.perf_counter() - t
        print(f"latch {name:58s} eval accuracy {out[name]['eval_accuracy'][-1]:.3f}")
    return out


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, (task, runs), chance in zip(axes, results.items(), (0.5, 0.05)):
        for name, h in runs.items():
            ax.plot(np.arange(1, len(h["eval_accuracy"]) + 1), h["eval_accuracy"], label=name)
        ax.axhline(chance, color="gray", ls=":", label="chance")
        ax.set(title=task, xlabel="epoch", ylabel="held-out accuracy", ylim=(0, 1.02))
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs-bits", type=int, default=40)
    p.add_argument("--epochs-latch", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=Path("demo_output/layers_examples"))
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    results = {
        "bit-pattern MIL": bit_pattern_runs(a.epochs_bits, a.seed),
        "latch sequence": latch_runs(a.epochs_latch, a.seed),
    }
    (a.out / "layers_examples.json").write_text(
        json.dumps({"settings": vars(a) | {"out": str(a.out)}, "results": results}, indent=1)
    )
    plot(results, a.out / "layers_examples.png")
    print(f"wrote {a.out}/layers_examples.json and .png")


if __name__ == "__main__":
    main()
