"""Cost of Hopular's per-feature pieces on tables with wide one-hot features.

A table's one-hot width P (sum of category counts) enters Hopular's training step in three
places: the per-feature first layer (every row of the state and of the memory), the
per-feature reconstruction losses, and the output layer Linear(F*e -> P). The first two are
per feature, so their work is O(P e) per row. This benchmark times them, forward + backward
(gradients with respect to the first layer's kernel, and to the predictions for the losses),
in two formulations measured in the same process:

* **grouped** (the package's): ``Embedding.linear`` and ``objective.reconstruction_losses``,
  features of one width computed together and wide ones alone
  (:func:`hopfield_sim.tabular.model.column_groups`);
* **dense** (the baseline, the package's formulation before this change, written out here):
  one ``(B, P+F) x (P+F, F, e)`` product with a block-diagonal kernel, O(P F e) per row, and
  the losses by segment reductions over all P columns.

Layouts: 20 numeric features, six discrete ones of L categories each and a 3-class target,
L = 3 (narrow), 300, 1000, 3000; feature width e = 9 (the budget recipe's for 27 features);
768 rows through the first layer (batch 256 + memory 512, as in one budget training step) and
256 through the losses. It also times the whole model's forward + backward (evaluation mode)
for each layout, as a ratio to the narrow layout's: what a wide table costs per step.

Each figure is the median of 9 calls after 2 warm-ups, with its minimum. When the median
exceeds 1.3 times the minimum (the machine was busy), the row is measured again once and
flagged ``noisy`` if it still does; ratios are medians over medians, never negative.

Usage: ``python benchmarks/bench_tabular.py [--quick]``; prints a table and writes
``benchmarks/results/bench_tabular.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from flax import nnx  # noqa: E402

from hopfield_sim.tabular import objective  # noqa: E402
from hopfield_sim.tabular.model import Embedding, HopularConfig, build  # noqa: E402

E = 9
CONFIG = HopularConfig(feature_size=E, num_blocks=1, feature_heads=2)


def _layout(levels: int) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    sizes = (1,) * 20 + (levels,) * 6 + (3,)
    return sizes, (False,) * 20 + (True,) * 7


def _time(f, *args, repeats: int) -> tuple[float, float, bool]:
    """(median ms, min ms, noisy) of ``f(*args)`` after 2 warm-ups; re-measured once when
    the median is over 1.3 times the minimum."""
    for _ in range(2):
        jax.block_until_ready(f(*args))
    for _attempt in range(2):
        ms = []
        for _ in range(repeats):
            t = time.perf_counter()
            jax.block_until_ready(f(*args))
            ms.append(1000 * (time.perf_counter() - t))
        med, low = statistics.median(ms), min(ms)
        if med <= 1.3 * low:
            return med, low, False
    return med, low, True


def _dense_linear(inputs, kernel3, block):
    """Baseline first layer: (B, P+F) x block-diagonal (P+F, F, e)."""
    return jnp.einsum("bp,pfe->bfe", inputs, kernel3 * block[..., None])


def _dense_losses(pred, x, sizes, discrete):
    """Baseline losses: segment reductions over all P columns."""
    seg = np.repeat(np.arange(len(sizes)), np.asarray(sizes))
    F = len(sizes)
    pred_t = pred.T
    seg_max = jax.ops.segment_max(pred_t, seg, num_segments=F)
    lse = jnp.log(jax.ops.segment_sum(jnp.exp(pred_t - seg_max[seg]), seg, num_segments=F))
    ce = lse + seg_max - jax.ops.segment_sum(pred_t * x.T, seg, num_segments=F)
    se = jax.ops.segment_sum((pred_t - x.T) ** 2, seg, num_segments=F)
    return jnp.where(jnp.asarray(discrete)[:, None], ce, se).T


def _rows(rng, sizes, discrete, n):
    parts = []
    for s, d in zip(sizes, discrete):
        parts.append(np.eye(s)[rng.integers(0, s, n)] if d else rng.normal(size=(n, 1)))
    return np.concatenate(parts, 1).astype(np.float32)


def measure(levels: int, repeats: int) -> dict:
    sizes, discrete = _layout(levels)
    P, F = sum(sizes), len(sizes)
    rng = np.random.default_rng(0)
    x = _rows(rng, sizes, discrete, 768)
    inputs = jnp.asarray(np.concatenate([x, np.zeros((768, F), np.float32)], 1))
    emb = Embedding(sizes, discrete, CONFIG, nnx.Rngs(0))
    kernel = emb.kernel[...]
    owner = np.repeat(np.arange(F), np.asarray(sizes) + 1)
    block = jnp.asarray(owner[:, None] == np.arange(F)[None, :])
    kernel3 = jnp.zeros((P + F, F, E)).at[np.arange(P + F), owner].set(kernel)

    emb_graph, emb_params, emb_rest = nnx.split(emb, nnx.Param, ...)

    def grouped_first(p):  # gradients: the kernel's and the (F, e) bias's
        return jnp.sum(nnx.merge(emb_graph, p, emb_rest).linear(inputs) ** 2)

    first_g = jax.jit(jax.grad(grouped_first))
    first_d = jax.jit(jax.grad(lambda k: jnp.sum(_dense_linear(inputs, k, block) ** 2)))
    pred = jnp.asarray(rng.normal(size=(256, P)).astype(np.float32))
    xt = jnp.asarray(x[:256])
    loss_g = jax.jit(jax.grad(lambda p: jnp.sum(
        objective.reconstruction_losses(p, xt, sizes, discrete))))  # fmt: skip
    loss_d = jax.jit(jax.grad(lambda p: jnp.sum(_dense_losses(p, xt, sizes, discrete))))
    model = build(sizes=sizes, discrete=discrete, config=CONFIG, seed=0)
    model.eval()
    graph, params, rest = nnx.split(model, nnx.Param, ...)

    @jax.jit
    def step(params):
        def f(p):
            m = nnx.merge(graph, p, rest)
            return jnp.sum(m(inputs[:256], inputs[256:]) ** 2)

        return jax.grad(f)(params)

    row = {"levels": levels, "P": P}
    for name, f, arg in (("first_layer_grouped", first_g, emb_params),
                         ("first_layer_dense", first_d, kernel3),
                         ("losses_grouped", loss_g, pred), ("losses_dense", loss_d, pred),
                         ("model_step", step, params)):  # fmt: skip
        med, low, noisy = _time(f, arg, repeats=repeats)
        row[name] = {"median_ms": med, "min_ms": low, "noisy": noisy}
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="L = 3 and 1000 only, 5 repeats")
    args = p.parse_args()
    levels = (3, 1000) if args.quick else (3, 300, 1000, 3000)
    repeats = 5 if args.quick else 9
    rows = [measure(L, repeats) for L in levels]
    base = rows[0]["model_step"]["median_ms"]
    print(f"{'L':>5} {'P':>6} | {'first layer ms':>22} {'x':>5} | {'losses ms':>20} {'x':>5} |"
          f" {'model step ms':>13} {'/narrow':>7}")  # fmt: skip
    for r in rows:
        fg, fd = r["first_layer_grouped"], r["first_layer_dense"]
        lg, ld = r["losses_grouped"], r["losses_dense"]
        r["first_layer_speedup"] = fd["median_ms"] / fg["median_ms"]
        r["losses_speedup"] = ld["median_ms"] / lg["median_ms"]
        r["model_step_vs_narrow"] = r["model_step"]["median_ms"] / base
        flag = " noisy" if any(v["noisy"] for v in r.values() if isinstance(v, dict)) else ""
        print(f"{r['levels']:>5} {r['P']:>6} | {fg['median_ms']:>9.2f} vs {fd['median_ms']:>8.2f}"
              f" {r['first_layer_speedup']:>5.1f} | {lg['median_ms']:>8.2f} vs"
              f" {ld['median_ms']:>7.2f} {r['losses_speedup']:>5.1f} |"
              f" {r['model_step']['median_ms']:>13.1f} {r['model_step_vs_narrow']:>7.1f}{flag}")
    out = {"rows": rows, "jax": jax.__version__, "machine": platform.processor() or
           platform.machine(), "cpus": os.cpu_count(), "quick": args.quick}  # fmt: skip
    path = Path(__file__).resolve().parent / "results" / "bench_tabular.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
