"""CLOOB vs CLIP, side by side on offline data: scikit-learn digits paired with "captions".

Data (everything installs with the package; nothing is downloaded):

* image view: the 1797 8x8 digits of ``sklearn.datasets.load_digits``, pixels / 16;
* text view: a bag of tokens per image, fixed once per data seed. The class-name token
  ("seven") appears in a caption with probability ``P_NAME`` (captions do not always name the
  object); seven attribute tokens are read off the image (ink, centre of mass row/column,
  width, height, left-right asymmetry, top/bottom ink ratio, each binned into tertiles) and
  each is mentioned with probability ``P_ATTR``; ``N_NOISE`` distractor tokens appear with
  probability ``P_NOISE`` each. Vocabulary: 10 + 21 + 20 = 51 tokens, multi-hot input.
* zero-shot prompts: the caption that holds only the class-name token.

Models: two MLP encoders (Flax NNX; image 64-128-32, text 51-128-32, GELU) and a
:class:`hopfield_sim.layers.CLOOBHead` that normalises both outputs and returns the loss.
Methods, identical data, encoders, initialisation, batches, optimiser and number of steps:

* ``clip``: InfoNCE with a fixed τ⁻¹ = 14.3;
* ``clip_learned_tau``: InfoNCE with a learnable τ⁻¹ (initial 14.3, clamped to [1, 100]);
* ``cloob``: Hopfield retrieval from the batch + InfoLOOB, τ⁻¹ = 14.3, β = 14.3 (ml-jku
  defaults);
* ``cloob_tau30_beta8``: the same with τ⁻¹ = 30, β = 8 (ml-jku's Conceptual Captions command).

Evaluation on a stratified held-out 25 %: zero-shot accuracy (image against the ten prompts),
linear-probe accuracy (logistic regression on the frozen, normalised image embeddings), and the
eigenvalue spectrum and effective rank ``exp(H(λ/Σλ))`` of the covariance of the normalised
image embeddings (Roy & Vetterli's effective rank; the paper's "explaining away" claim is that
CLOOB's embeddings use more directions).

Writes ``cloob_vs_clip.json`` (configuration, per-seed results, mean ± std),
``cloob_vs_clip.md`` (the table) and ``cloob_vs_clip.png`` into ``--data-dir`` /
``--figure-dir`` (default: a fresh folder in the working directory; the shipped results:
``--data-dir data --figure-dir docs/figures``).
Usage: ``python scripts/cloob_vs_clip.py [--seeds 5] [--steps 600] [--quick]``.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from scipy.stats import ttest_ind
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from hopfield_sim.layers.cloob import CLOOBHead

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ATTRIBUTES = ("ink", "row", "col", "width", "height", "asym", "topheavy")
P_NAME, P_ATTR, P_NOISE, N_NOISE = 0.5, 0.6, 0.1, 20
EMBED, HIDDEN = 32, 128
METHODS = {
    "clip": {"loss": "clip", "inv_tau": 14.3, "learn_inv_tau": False},
    "clip_learned_tau": {"loss": "clip", "inv_tau": 14.3, "learn_inv_tau": True},
    "cloob": {"loss": "cloob", "inv_tau": 14.3, "beta": 14.3, "learn_inv_tau": False},
    "cloob_tau30_beta8": {"loss": "cloob", "inv_tau": 30.0, "beta": 8.0, "learn_inv_tau": False},
}


# ----------------------------------------------------------------------------- data


def _attributes(images: np.ndarray) -> np.ndarray:
    """Seven scalar shape statistics per 8x8 image, shape (n, 7)."""
    im = images.reshape(-1, 8, 8)
    ink = im.sum(axis=(1, 2))
    r, c = np.arange(8.0), np.arange(8.0)
    row = (im.sum(axis=2) * r).sum(axis=1) / ink
    col = (im.sum(axis=1) * c).sum(axis=1) / ink
    on = im > 0.25
    cols, rows = on.any(axis=1), on.any(axis=2)
    width = cols.sum(axis=1).astype(float)
    height = rows.sum(axis=1).astype(float)
    asym = np.abs(im - im[:, :, ::-1]).sum(axis=(1, 2)) / ink
    top = im[:, :4].sum(axis=(1, 2)) / ink
    return np.stack([ink, row, col, width, height, asym, top], axis=1)


def make_data(seed: int = 0, test_size: float = 0.25) -> dict:
    """Images, captions (multi-hot), labels, prompts and a stratified split.

    Parameters
    ----------
    seed : int
        Seed of the captions and of the split.
    test_size : float
        Held-out fraction.

    Returns
    -------
    dict with ``images`` (n, 64) float32, ``texts`` (n, V) float32, ``labels`` (n,) int,
    ``prompts`` (10, V) float32, ``train``/``test`` index arrays and ``vocabulary`` (V names).
    """
    digits = load_digits()
    images = (digits.data / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    n = len(labels)
    rng = np.random.default_rng(seed)
    attrs = _attributes(images)
    edges = np.quantile(attrs, [1 / 3, 2 / 3], axis=0)  # tertiles per attribute
    bins = (attrs > edges[0]).astype(int) + (attrs > edges[1]).astype(int)  # (n, 7) in 0..2
    vocab = (
        list(NAMES)
        + [f"{a}_{lvl}" for a in ATTRIBUTES for lvl in ("low", "mid", "high")]
        + [f"noise{k}" for k in range(N_NOISE)]
    )
    V = len(vocab)
    texts = np.zeros((n, V), np.float32)
    name_on = rng.random(n) < P_NAME
    texts[np.arange(n)[name_on], labels[name_on]] = 1.0
    attr_on = rng.random((n, len(ATTRIBUTES))) < P_ATTR
    idx = 10 + 3 * np.arange(len(ATTRIBUTES))[None, :] + bins
    rows = np.broadcast_to(np.arange(n)[:, None], idx.shape)
    texts[rows[attr_on], idx[attr_on]] = 1.0
    texts[:, 10 + 3 * len(ATTRIBUTES) :] = rng.random((n, N_NOISE)) < P_NOISE
    empty = texts.sum(axis=1) == 0  # a caption needs at least one token: name it
    texts[np.arange(n)[empty], labels[empty]] = 1.0
    prompts = np.zeros((10, V), np.float32)
    prompts[np.arange(10), np.arange(10)] = 1.0
    train, test = train_test_split(
        np.arange(n), test_size=test_size, stratify=labels, random_state=seed
    )
    return {
        "images": images,
        "texts": texts,
        "labels": labels,
        "prompts": prompts,
        "train": np.sort(train),
        "test": np.sort(test),
        "vocabulary": vocab,
    }


# ----------------------------------------------------------------------------- model


class MLP(nnx.Module):
    """``Linear -> GELU -> Linear`` encoder."""

    def __init__(self, d_in: int, d_hidden: int, d_out: int, *, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(d_in, d_hidden, rngs=rngs)
        self.out = nnx.Linear(d_hidden, d_out, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.out(jax.nn.gelu(self.hidden(x)))


class DualEncoder(nnx.Module):
    """Image and text encoders with a :class:`CLOOBHead` (CLOOB or CLIP loss)."""

    def __init__(self, d_image: int, d_text: int, *, head: dict, rngs: nnx.Rngs):
        self.image = MLP(d_image, HIDDEN, EMBED, rngs=rngs)
        self.text = MLP(d_text, HIDDEN, EMBED, rngs=rngs)
        self.head = CLOOBHead(**head)

    def __call__(self, images: jax.Array, texts: jax.Array) -> jax.Array:
        return self.head(self.image(images), self.text(texts))


def _unit(e: np.ndarray) -> np.ndarray:
    return e / np.linalg.norm(e, axis=1, keepdims=True)


@functools.lru_cache
def _adam(lr: float) -> optax.GradientTransformation:
    """One optax object per learning rate: it is part of the optimizer's static graph, so a
    new object per run would make ``_train_steps`` recompile for every seed."""
    return optax.adam(lr)


@nnx.jit
def _train_steps(model, optimizer, images, texts, batches):
    """All optimiser steps in one compiled scan; ``batches`` (steps, batch) row indices."""

    @nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
    def step(carry, idx):
        model, optimizer = carry
        loss, grads = nnx.value_and_grad(lambda m: m(images[idx], texts[idx]))(model)
        optimizer.update(model, grads)
        model.head.clamp()
        return (model, optimizer), loss

    _, losses = step((model, optimizer), batches)
    return losses


def train(
    data: dict,
    method: str,
    seed: int,
    *,
    steps: int = 600,
    batch: int = 128,
    lr: float = 2e-3,
) -> tuple[DualEncoder, np.ndarray]:
    """Train one model; return it and the loss of every step.

    The initialisation (``nnx.Rngs(seed)``) and the batches (``default_rng(seed)``, sampled
    without replacement within each step) depend only on ``seed``, not on ``method``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {tuple(METHODS)}; got {method!r}.")
    model = DualEncoder(
        data["images"].shape[1], data["texts"].shape[1], head=METHODS[method], rngs=nnx.Rngs(seed)
    )
    optimizer = nnx.Optimizer(model, _adam(lr), wrt=nnx.Param)
    rng = np.random.default_rng(seed)
    tr = data["train"]
    batches = np.stack([rng.choice(tr, size=batch, replace=False) for _ in range(steps)])
    images, texts = jnp.asarray(data["images"]), jnp.asarray(data["texts"])

    losses = _train_steps(model, optimizer, images, texts, jnp.asarray(batches))
    return model, np.asarray(losses)


def effective_rank(embeddings: np.ndarray) -> tuple[float, np.ndarray]:
    """Effective rank ``exp(H(p))``, ``p = λ/Σλ`` of the embedding covariance; and ``p``."""
    lam = np.clip(np.linalg.eigvalsh(np.cov(embeddings, rowvar=False))[::-1], 0.0, None)
    p = lam / lam.sum()
    nz = p[p > 0]
    return float(np.exp(-np.sum(nz * np.log(nz)))), p


def evaluate(model: DualEncoder, data: dict) -> dict:
    """Zero-shot and linear-probe accuracy, effective ranks and spectrum on the held-out set."""
    tr, te = data["train"], data["test"]
    img = _unit(np.asarray(model.image(jnp.asarray(data["images"]))))
    txt = _unit(np.asarray(model.text(jnp.asarray(data["texts"]))))
    prm = _unit(np.asarray(model.text(jnp.asarray(data["prompts"]))))
    y = data["labels"]
    zero_shot = float(np.mean(np.argmax(img[te] @ prm.T, axis=1) == y[te]))
    probe = LogisticRegression(max_iter=2000).fit(img[tr], y[tr])
    erank_img, spectrum = effective_rank(img[te])
    erank_txt, _ = effective_rank(txt[te])
    return {
        "zero_shot_accuracy": zero_shot,
        "linear_probe_accuracy": float(probe.score(img[te], y[te])),
        "effective_rank_image": erank_img,
        "effective_rank_text": erank_txt,
        "spectrum_image": spectrum.tolist(),
        "inv_tau_final": float(model.head.inv_tau),
    }


# ----------------------------------------------------------------------------- experiment


def run_experiment(seeds: list[int], steps: int, batch: int, lr: float) -> dict:
    data = make_data(seed=0)
    raw = LogisticRegression(max_iter=2000).fit(
        data["images"][data["train"]], data["labels"][data["train"]]
    )
    results: dict = {m: [] for m in METHODS}
    for method in METHODS:
        for seed in seeds:
            t0 = time.perf_counter()
            model, losses = train(data, method, seed, steps=steps, batch=batch, lr=lr)
            ev = evaluate(model, data)
            k = max(1, steps // 20)
            ev |= {
                "seed": seed,
                "loss_first": float(np.mean(losses[:k])),
                "loss_last": float(np.mean(losses[-k:])),
                "loss_curve": losses[:: max(1, steps // 200)].tolist(),
                "seconds": time.perf_counter() - t0,
            }
            results[method].append(ev)
            print(
                f"{method:17s} seed {seed}: zero-shot {ev['zero_shot_accuracy']:.3f}  probe "
                f"{ev['linear_probe_accuracy']:.3f}  erank {ev['effective_rank_image']:.2f}  "
                f"loss {ev['loss_first']:.3f} -> {ev['loss_last']:.3f}  ({ev['seconds']:.1f} s)",
                flush=True,
            )
    keys = (
        "zero_shot_accuracy",
        "linear_probe_accuracy",
        "effective_rank_image",
        "effective_rank_text",
        "inv_tau_final",
        "loss_first",
        "loss_last",
    )
    summary = {
        m: {
            k: {
                "mean": float(np.mean([r[k] for r in rs])),
                "std": float(np.std([r[k] for r in rs], ddof=1)) if len(rs) > 1 else 0.0,
            }
            for k in keys
        }
        for m, rs in results.items()
    }
    return {
        "comparisons": compare(results),
        "description": "CLOOB vs CLIP on sklearn digits paired with bag-of-token captions "
        "(scripts/cloob_vs_clip.py); held-out accuracies and embedding statistics; "
        "std is the sample standard deviation over seeds (ddof=1).",
        "config": {
            "methods": METHODS,
            "seeds": seeds,
            "steps": steps,
            "batch": batch,
            "learning_rate": lr,
            "optimizer": "adam",
            "embed_dim": EMBED,
            "hidden": HIDDEN,
            "caption_probabilities": {"name": P_NAME, "attribute": P_ATTR, "noise": P_NOISE},
            "vocabulary": data["vocabulary"],
            "n_train": int(len(data["train"])),
            "n_test": int(len(data["test"])),
            "chance_accuracy": 0.1,
            "raw_pixel_linear_probe_accuracy": float(
                raw.score(data["images"][data["test"]], data["labels"][data["test"]])
            ),
        },
        "environment": {
            "jax": jax.__version__,
            "python": platform.python_version(),
            "backend": jax.default_backend(),
        },
        "summary": summary,
        "runs": results,
    }


COMPARED = ("zero_shot_accuracy", "linear_probe_accuracy", "effective_rank_image")


def compare(results: dict) -> list[dict]:
    """Each CLOOB variant against each CLIP variant: difference of means and Welch's p.

    Also the paired difference (the seed fixes initialisation and batches for every method).
    """
    out = []
    for a in (m for m in results if m.startswith("cloob")):
        for b in (m for m in results if m.startswith("clip")):
            for k in COMPARED:
                xa = np.array([r[k] for r in results[a]])
                xb = np.array([r[k] for r in results[b]])
                p = float(ttest_ind(xa, xb, equal_var=False).pvalue) if len(xa) > 1 else None
                out.append(
                    {
                        "a": a,
                        "b": b,
                        "quantity": k,
                        "difference": float(xa.mean() - xb.mean()),
                        "welch_p": p,
                        "a_better_in_seeds": int(np.sum(xa > xb)),
                        "seeds": len(xa),
                    }
                )
    return out


LABELS = {
    "clip": "CLIP (InfoNCE, τ⁻¹ = 14.3 fixed)",
    "clip_learned_tau": "CLIP (InfoNCE, τ⁻¹ learned)",
    "cloob": "CLOOB (InfoLOOB + Hopfield, τ⁻¹ = β = 14.3)",
    "cloob_tau30_beta8": "CLOOB (τ⁻¹ = 30, β = 8)",
}


def table(result: dict) -> str:
    s = result["summary"]
    n = len(result["config"]["seeds"])
    lines = [
        f"| method ({n} seeds, mean ± std) | zero-shot acc. | linear-probe acc. | "
        "eff. rank (image) | eff. rank (text) | final τ⁻¹ |",
        "|---|---|---|---|---|---|",
    ]
    for m in METHODS:
        row = [LABELS[m]]
        for k, fmt in (
            ("zero_shot_accuracy", ".3f"),
            ("linear_probe_accuracy", ".3f"),
            ("effective_rank_image", ".2f"),
            ("effective_rank_text", ".2f"),
            ("inv_tau_final", ".1f"),
        ):
            row.append(f"{s[m][k]['mean']:{fmt}} ± {s[m][k]['std']:{fmt}}")
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "| CLOOB variant − CLIP variant | quantity | difference of means | Welch p | "
        "seeds where CLOOB is higher |",
        "|---|---|---|---|---|",
    ]
    for c in result["comparisons"]:
        p = "–" if c["welch_p"] is None else f"{c['welch_p']:.3f}"
        lines.append(
            f"| {c['a']} − {c['b']} | {c['quantity']} | {c['difference']:+.3f} | {p} | "
            f"{c['a_better_in_seeds']}/{c['seeds']} |"
        )
    c = result["config"]
    lines.append("")
    lines.append(
        f"Held-out set: {c['n_test']} digits; chance 0.100; linear probe on the raw pixels "
        f"{c['raw_pixel_linear_probe_accuracy']:.3f}. {c['steps']} Adam steps, batch "
        f"{c['batch']}, embedding dimension {c['embed_dim']}."
    )
    return "\n".join(lines) + "\n"


def figure(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    colors = {"clip": "C0", "clip_learned_tau": "C2", "cloob": "C3", "cloob_tau30_beta8": "C1"}
    for m, runs in result["runs"].items():
        sp = np.array([r["spectrum_image"] for r in runs])
        k = np.arange(1, sp.shape[1] + 1)
        axes[0].semilogy(k, sp.mean(axis=0), "o-", ms=3, color=colors[m], label=LABELS[m])
        axes[0].fill_between(k, sp.min(axis=0), sp.max(axis=0), color=colors[m], alpha=0.2)
        curves = np.array([r["loss_curve"] for r in runs])
        stride = max(1, result["config"]["steps"] // 200)
        axes[1].plot(np.arange(curves.shape[1]) * stride, curves.mean(axis=0), color=colors[m])
    axes[0].set(
        xlabel="eigenvalue index",
        ylabel="fraction of variance",
        title="image-embedding covariance spectrum (held-out)",
    )
    axes[0].legend(fontsize=8)
    axes[1].set(
        xlabel="step",
        ylabel="training loss (own objective)",
        title="training loss (mean over seeds)",
    )
    s = result["summary"]
    x = np.arange(2)
    for i, m in enumerate(METHODS):
        means = [s[m]["zero_shot_accuracy"]["mean"], s[m]["linear_probe_accuracy"]["mean"]]
        stds = [s[m]["zero_shot_accuracy"]["std"], s[m]["linear_probe_accuracy"]["std"]]
        w = 0.8 / len(METHODS)
        offset = (i - (len(METHODS) - 1) / 2) * w
        axes[2].bar(x + offset, means, w, yerr=stds, color=colors[m], capsize=3)
    axes[2].axhline(0.1, color="k", ls=":", lw=1)
    axes[2].set_xticks(x, ["zero-shot", "linear probe"])
    axes[2].set(ylabel="held-out accuracy", ylim=(0, 1), title="accuracy (mean ± std)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=5, help="number of seeds (0..seeds-1)")
    p.add_argument("--steps", type=int, default=600, help="Adam steps per run")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--quick", action="store_true", help="3 seeds x 60 steps, for a smoke run")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder for the JSON and table (default: a fresh folder "
                   "cloob_vs_clip-<UTC time> in the working directory; shipped: data)")  # fmt: skip
    p.add_argument("--figure-dir", type=Path, default=None,
                   help="figure folder (default: --data-dir; shipped: docs/figures)")  # fmt: skip
    a = p.parse_args(argv)
    if a.data_dir is None:
        from datetime import datetime, timezone

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        a.data_dir = Path.cwd() / f"cloob_vs_clip-{stamp}"
    a.figure_dir = a.figure_dir or a.data_dir
    seeds, steps = (3, 60) if a.quick else (a.seeds, a.steps)
    if seeds < 1 or steps < 1:
        p.error("--seeds and --steps must be >= 1")
    t0 = time.perf_counter()
    result = run_experiment(list(range(seeds)), steps, a.batch, a.lr)
    result["seconds_total"] = time.perf_counter() - t0
    a.data_dir.mkdir(parents=True, exist_ok=True)
    (a.data_dir / "cloob_vs_clip.json").write_text(json.dumps(result, indent=1))
    md = table(result)
    (a.data_dir / "cloob_vs_clip.md").write_text(md)
    figure(result, a.figure_dir / "cloob_vs_clip.png")
    print(md)
    print(f"total {result['seconds_total']:.0f} s")
    return result


if __name__ == "__main__":
    main()
