"""Speed of the NNX ``Hopfield`` layer against ``flax.nnx.MultiHeadAttention``.

Configuration (issue 8): batch 16, stored and state length 512, input width 64, 4 heads of
width 16, float32, three separate inputs; ``Hopfield`` with its default options (three input
LayerNorms) and 0 or 3 extra update steps (``update_steps_eps=0`` so that all 3 run).
Forward (no gradient) and forward + backward (gradients of ``sum(output)`` with respect to
every parameter), each jitted, median and minimum of 7 runs after 2 warm-ups. Ratios are against the
attention baseline measured in the same process.

On a GPU it also compares one Hopfield step in bfloat16 with
``jax.nn.dot_product_attention(..., implementation="cudnn")`` (goal: within 1.1x).

Usage: ``python benchmarks/bench_layers.py [--quick]``; prints a table and writes
``benchmarks/results/bench_layers.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import flax
import jax
import jax.numpy as jnp
from flax import nnx

from hopfield_sim.layers import Hopfield

REFERENCE_PYTORCH_MS = {  # hopfield-layers 1.0.2, torch 2.13, same 2-core machine type
    ("hopfield, 0 extra steps", "forward"): 50.0,
    ("hopfield, 0 extra steps", "forward+backward"): 114.0,
    ("hopfield, 3 extra steps", "forward"): 1344.0,
    ("hopfield, 3 extra steps", "forward+backward"): 2746.0,
}


def _median_ms(f, *args, repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        jax.block_until_ready(f(*args))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(f(*args))
        times.append(1e3 * (time.perf_counter() - t))
    return statistics.median(times), min(times)


def _timers(model, call):
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)

    @jax.jit
    def forward(params, rest, x):
        return call(nnx.merge(graphdef, params, rest), x)

    @jax.jit
    def forward_backward(params, rest, x):
        return jax.grad(lambda p: jnp.sum(call(nnx.merge(graphdef, p, rest), x)))(params)

    return params, rest, forward, forward_backward


def run(quick: bool) -> dict:
    B = 2 if quick else 16
    L = S = 128 if quick else 512
    repeats, warmup = (3, 1) if quick else (7, 2)
    key = jax.random.split(jax.random.key(0), 3)
    x = tuple(jax.random.normal(k, (B, n, 64), jnp.float32) for k, n in zip(key, (S, L, S)))
    models = {
        "attention (nnx.MultiHeadAttention)": (
            nnx.MultiHeadAttention(
                4, 64, qkv_features=64, out_features=64, decode=False, rngs=nnx.Rngs(0)
            ),
            lambda m, x: m(x[1], x[0], x[2]),
        ),
    }
    for steps in (0, 3):
        m = Hopfield(
            64,
            num_heads=4,
            hidden_size=16,
            update_steps_max=steps,
            update_steps_eps=0.0,
            rngs=nnx.Rngs(0),
        )
        models[f"hopfield, {steps} extra steps"] = (m, lambda m, x: m(x))
    rows = []
    for name, (model, call) in models.items():
        params, rest, fwd, fwd_bwd = _timers(model, call)
        for mode, f in (("forward", fwd), ("forward+backward", fwd_bwd)):
            ms, ms_min = _median_ms(f, params, rest, x, repeats=repeats, warmup=warmup)
            rows.append({"model": name, "mode": mode, "ms": ms, "ms_min": ms_min})
    base = {r["mode"]: r for r in rows if r["model"].startswith("attention")}
    for r in rows:
        r["ratio_to_attention"] = r["ms"] / base[r["mode"]]["ms"]
        # the minimum is the least disturbed by other processes on a shared machine
        r["ratio_to_attention_min"] = r["ms_min"] / base[r["mode"]]["ms_min"]
        ref = REFERENCE_PYTORCH_MS.get((r["model"], r["mode"]))
        r["reference_pytorch_ms"] = None if quick else ref
    result = {
        "config": {
            "batch": B,
            "L": L,
            "S": S,
            "input": 64,
            "heads": 4,
            "head_dim": 16,
            "dtype": "float32",
            "repeats": repeats,
            "warmup": warmup,
            "quick": quick,
        },
        "rows": rows,
        "goals": {"0 extra steps": "<= 1.2x attention", "3 extra steps": "<= 3.5x attention"},
        "versions": {
            "jax": jax.__version__,
            "flax": flax.__version__,
            "python": platform.python_version(),
        },
        "device": str(jax.devices()[0]),
        "cpu_count": os.cpu_count(),
    }
    if jax.default_backend() == "gpu":
        result["gpu"] = _gpu(quick)
    return result


def _gpu(quick: bool) -> list[dict]:
    """One bf16 Hopfield step vs cuDNN attention (only on a GPU)."""
    B, L = (2, 256) if quick else (16, 512)
    k = jax.random.split(jax.random.key(1), 3)
    q, kk, v = (jax.random.normal(i, (B, L, 4, 16), jnp.bfloat16) for i in k)
    cudnn = jax.jit(lambda q, k, v: jax.nn.dot_product_attention(q, k, v, implementation="cudnn"))
    from hopfield_sim.layers import retrieve

    hop = jax.jit(lambda q, k, v: retrieve(q, k, v))
    a = _median_ms(cudnn, q, kk, v, repeats=20, warmup=3)[0]
    h = _median_ms(hop, q, kk, v, repeats=20, warmup=3)[0]
    return [
        {"model": "dot_product_attention cudnn bf16", "ms": a},
        {"model": "retrieve one step bf16", "ms": h, "ratio": h / a},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = parser.parse_args()
    result = run(args.quick)
    print(
        f"{'model':36s} {'mode':17s} {'median ms':>9s} {'x attn':>6s} {'min ms':>8s} "
        f"{'x attn':>6s} {'PyTorch ms':>10s}"
    )
    for r in result["rows"]:
        ref = r["reference_pytorch_ms"]
        print(
            f"{r['model']:36s} {r['mode']:17s} {r['ms']:9.1f} {r['ratio_to_attention']:6.2f} "
            f"{r['ms_min']:8.1f} {r['ratio_to_attention_min']:6.2f} "
            f"{'' if ref is None else f'{ref:10.0f}'}"
        )
    for r in result.get("gpu", []):
        print(r)
    out = Path(__file__).resolve().parent / "results" / "bench_layers.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
