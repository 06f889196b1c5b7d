"""Speed of the NNX ``Hopfield`` layer against ``flax.nnx.MultiHeadAttention`` (and cuDNN).

CPU table (always): batch 16, stored and state length 512, input width 64, 4 heads of width
16, three separate inputs; ``Hopfield`` with its default options (three input LayerNorms)
and 0 or 3 extra update steps (``update_steps_eps=0`` so that all 3 run; the default, which
on CPU unrolls them, and ``remat=True``, which rematerialises them), in float32 and
bfloat16 (``dtype=``, float32 parameters). Forward (no gradient) and forward + backward
(gradients of ``sum(output)`` with respect to every parameter), each jitted, median and
minimum of 7 runs after 2 warm-ups. Ratios are against ``nnx.MultiHeadAttention`` of the
same size and dtype measured in the same process.

GPU table (only when ``jax.devices()[0].platform == "gpu"``; otherwise a note is printed):
at B=16, L=S=512, 4x16 heads and B=8, L=S=2048, 8x64 heads, float32 and bfloat16, forward
and forward + backward: ``jax.nn.dot_product_attention(implementation="cudnn")`` (bfloat16;
XLA for float32, which cuDNN flash attention does not take), ``retrieve`` one step and
3 extra steps, ``nnx.MultiHeadAttention`` and the NNX ``Hopfield`` layer. Goals: one step
<= 1.1x cuDNN attention, the layer <= 1.2x ``nnx.MultiHeadAttention``, bfloat16 >= 1.5x
faster than float32 at the large size.

Usage: ``python benchmarks/bench_layers.py [--quick]``; prints the tables and writes
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

from hopfield_sim.layers import Hopfield, retrieve

REFERENCE_PYTORCH_MS = {  # hopfield-layers 1.0.2, torch 2.13, float32, same 2-core machine type
    ("hopfield, 0 extra steps", "forward"): 50.0,
    ("hopfield, 0 extra steps", "forward+backward"): 114.0,
    ("hopfield, 3 extra steps", "forward"): 1344.0,
    ("hopfield, 3 extra steps", "forward+backward"): 2746.0,
}
DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16}


def _median_ms(f, *args, repeats: int, warmup: int) -> tuple[float, float]:
    for _ in range(warmup):
        jax.block_until_ready(f(*args))
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(f(*args))
        times.append(1e3 * (time.perf_counter() - t))
    return statistics.median(times), min(times)


def _loss(y):
    return jnp.sum(y.astype(jnp.float32))


def _timers(model, call):
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)

    @jax.jit
    def forward(params, rest, x):
        return call(nnx.merge(graphdef, params, rest), x)

    @jax.jit
    def forward_backward(params, rest, x):
        return jax.grad(lambda p: _loss(call(nnx.merge(graphdef, p, rest), x)))(params)

    return params, rest, forward, forward_backward


def _models(width, heads, head_dim, dtype, steps_list, remat_list=(None,)):
    models = {
        "attention (nnx.MultiHeadAttention)": (
            nnx.MultiHeadAttention(
                heads,
                width,
                qkv_features=heads * head_dim,
                out_features=width,
                decode=False,
                dtype=dtype,
                rngs=nnx.Rngs(0),
            ),
            lambda m, x: m(x[1], x[0], x[2]),
        ),
    }
    for steps in steps_list:
        for remat in remat_list if steps else (None,):
            m = Hopfield(
                width,
                num_heads=heads,
                hidden_size=head_dim,
                update_steps_max=steps,
                update_steps_eps=0.0,
                remat=remat,
                dtype=dtype,
                rngs=nnx.Rngs(0),
            )
            name = f"hopfield, {steps} extra steps" + ("" if remat is None else f" (remat={remat})")
            models[name] = (m, lambda m, x: m(x))
    return models


def _table(B, L, width, heads, head_dim, dtype_name, models, repeats, warmup):
    dtype = DTYPES[dtype_name]
    key = jax.random.split(jax.random.key(0), 3)
    x = tuple(jax.random.normal(k, (B, L, width), dtype) for k in key)
    rows = []
    for name, (model, call) in models.items():
        params, rest, fwd, fwd_bwd = _timers(model, call)
        for mode, f in (("forward", fwd), ("forward+backward", fwd_bwd)):
            ms, ms_min = _median_ms(f, params, rest, x, repeats=repeats, warmup=warmup)
            rows.append(
                {"dtype": dtype_name, "model": name, "mode": mode, "ms": ms, "ms_min": ms_min}
            )
    base = {r["mode"]: r for r in rows if r["model"].startswith("attention")}
    for r in rows:
        r["ratio_to_attention"] = r["ms"] / base[r["mode"]]["ms"]
        # the minimum is the least disturbed by other processes on a shared machine
        r["ratio_to_attention_min"] = r["ms_min"] / base[r["mode"]]["ms_min"]
    return rows


def cpu(quick: bool) -> dict:
    B = 2 if quick else 16
    L = 128 if quick else 512
    repeats, warmup = (3, 1) if quick else (7, 2)
    rows = []
    for dtype_name in DTYPES:
        models = _models(64, 4, 16, DTYPES[dtype_name], (0, 3), (None, True))
        rows += _table(B, L, 64, 4, 16, dtype_name, models, repeats, warmup)
    for r in rows:
        ref = REFERENCE_PYTORCH_MS.get((r["model"], r["mode"]))
        r["reference_pytorch_ms"] = None if quick or r["dtype"] != "float32" else ref
    config = {"batch": B, "L": L, "S": L, "input": 64, "heads": 4, "head_dim": 16}
    config |= {"repeats": repeats, "warmup": warmup, "quick": quick}
    return {"config": config, "rows": rows}


def _attention_rows(B, L, heads, head_dim, dtype_name, repeats, warmup):
    """cuDNN (or XLA) attention vs ``retrieve`` with 0 and 3 extra steps."""
    dtype = DTYPES[dtype_name]
    ks = jax.random.split(jax.random.key(1), 3)
    q, k, v = (jax.random.normal(i, (B, L, heads, head_dim), dtype) for i in ks)
    impl = "cudnn" if dtype_name == "bfloat16" else "xla"
    fns = {
        f"jax.nn.dot_product_attention ({impl})": lambda q, k, v: jax.nn.dot_product_attention(
            q, k, v, implementation=impl
        ),
        "retrieve, 0 extra steps": lambda q, k, v: retrieve(q, k, v),
        "retrieve, 3 extra steps": lambda q, k, v: retrieve(
            q, k, v, update_steps_max=3, update_steps_eps=0.0
        ),
    }
    rows = []
    for name, fn in fns.items():
        fwd = jax.jit(fn)
        bwd = jax.jit(jax.grad(lambda q, k, v, fn=fn: _loss(fn(q, k, v)), argnums=(0, 1, 2)))
        for mode, f in (("forward", fwd), ("forward+backward", bwd)):
            ms, ms_min = _median_ms(f, q, k, v, repeats=repeats, warmup=warmup)
            rows.append(
                {"dtype": dtype_name, "model": name, "mode": mode, "ms": ms, "ms_min": ms_min}
            )
    base = {r["mode"]: r["ms"] for r in rows if r["model"].startswith("jax.nn")}
    for r in rows:
        r["ratio_to_attention"] = r["ms"] / base[r["mode"]]
    return rows


def gpu(quick: bool) -> list[dict]:
    """The GPU table (runs only on a GPU)."""
    sizes = [(16, 512, 4, 16), (8, 2048, 8, 64)]
    if quick:
        sizes = [(2, 256, 4, 16)]
    repeats, warmup = (5, 2) if quick else (20, 3)
    out = []
    for B, L, heads, hd in sizes:
        for dtype_name in DTYPES:
            size = {"batch": B, "L": L, "S": L, "heads": heads, "head_dim": hd}
            rows = _attention_rows(B, L, heads, hd, dtype_name, repeats, warmup)
            models = _models(heads * hd, heads, hd, DTYPES[dtype_name], (0, 3))
            rows += _table(B, L, heads * hd, heads, hd, dtype_name, models, repeats, warmup)
            out.append({"config": size, "dtype": dtype_name, "rows": rows})
    return out


def run(quick: bool) -> dict:
    result = {
        "cpu": cpu(quick) if jax.default_backend() == "cpu" else None,
        "goals": {
            "cpu 0 extra steps": "<= 1.2x nnx.MultiHeadAttention",
            "cpu 3 extra steps": "<= 3.5x nnx.MultiHeadAttention",
            "gpu one step": "<= 1.1x cuDNN attention",
            "gpu layer": "<= 1.2x nnx.MultiHeadAttention",
            "gpu bfloat16 vs float32 at the large size": ">= 1.5x faster",
        },
        "versions": {
            "jax": jax.__version__,
            "flax": flax.__version__,
            "python": platform.python_version(),
        },
        "device": str(jax.devices()[0]),
        "cpu_count": os.cpu_count(),
    }
    if jax.devices()[0].platform == "gpu":
        result["gpu"] = gpu(quick)
    return result


def _print_rows(rows, pytorch: bool) -> None:
    print(
        f"{'dtype':9s} {'model':46s} {'mode':17s} {'median ms':>9s} {'x attn':>6s} "
        f"{'min ms':>8s}" + (f" {'x attn':>6s} {'PyTorch ms':>10s}" if pytorch else "")
    )
    for r in rows:
        line = (
            f"{r['dtype']:9s} {r['model']:46s} {r['mode']:17s} {r['ms']:9.1f} "
            f"{r['ratio_to_attention']:6.2f} {r['ms_min']:8.1f}"
        )
        if pytorch:
            ref = r["reference_pytorch_ms"]
            line += f" {r['ratio_to_attention_min']:6.2f} " + (
                "" if ref is None else f"{ref:10.0f}"
            )
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = parser.parse_args()
    result = run(args.quick)
    if result["cpu"] is not None:
        print("CPU (ratios to nnx.MultiHeadAttention of the same dtype, same process)")
        _print_rows(result["cpu"]["rows"], pytorch=True)
    if "gpu" in result:
        for t in result["gpu"]:
            print(f"\nGPU {t['config']} {t['dtype']} (x attn: ratio to the first row of its kind)")
            _print_rows(t["rows"], pytorch=False)
    else:
        print(
            "\nGPU table skipped: no GPU here (jax.devices()[0].platform == "
            f"{jax.devices()[0].platform!r}); run this script on a GPU machine for it."
        )
    out = Path(__file__).resolve().parent / "results" / "bench_layers.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
