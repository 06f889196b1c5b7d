"""Training and evaluation of Hopular on one split (optax LAMB, cosine lr, weight average).

Determinism: every random draw derives from ``seed`` and the epoch (batches, memory
subsample, corruption: ``numpy.random.default_rng([seed, epoch])``; parameters:
``nnx.Rngs(seed)``; dropout: a key folded from ``seed`` and the global step), so a run is
reproducible and a resumed run continues exactly where a finished epoch left it.

Checkpoints (``checkpoint=PATH``, an ``.npz``): after every validation the parameters,
optimiser state, weight average, best weights and the history are written as one file,
atomically, no pickle (:mod:`hopfield_sim.tabular.checkpoint`); the run holds the file's lock.
A later call with the same path resumes after the last saved epoch only when the data set,
split, recipe, seed **and** the digest of the encoded data and split indices
(:func:`data_digest`) all match; otherwise it is refused with the reason.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from hopfield_sim.tabular import checkpoint as ckpt
from hopfield_sim.tabular import objective
from hopfield_sim.tabular.data import Encoded
from hopfield_sim.tabular.evaluate import (
    EVAL_BATCH_SIZE,
    Evaluator,
    keeps_checkpoint,
    regression_score,
)
from hopfield_sim.tabular.model import build, model_input, self_lookup_mask
from hopfield_sim.tabular.pooling import pool_rare
from hopfield_sim.tabular.recipes import Recipe
from hopfield_sim.tabular.transform import quantile_normal

__all__ = ["TrainResult", "data_digest", "estimate_bytes", "train"]

#: seeds are 32-bit (JAX keys wrap larger ones: 2**32 would repeat seed 0)
MAX_SEED = 2**32 - 1


@dataclass
class TrainResult:
    """Outcome of :func:`train` (accuracies are fractions in [0, 1]; ``epochs`` = epochs done).

    ``warmup``: (wall seconds, epochs) of this call's epochs that may compile: its first
    epoch (the training step) and its first validating epoch (the evaluation); the search
    separates compilation from the per-epoch cost with it.
    Classification: ``test_accuracy``, ``validation_accuracy``. Regression (numeric target):
    ``test_rmse`` (target units), ``test_r2``, and ``validation_accuracy`` holds the negative
    validation RMSE in standardised units of the kept checkpoint (``best_epoch``; not always
    the history's highest, see :func:`train`); ``test_accuracy`` is None. ``test_*`` are
    None when the split has no test rows; ``validation_accuracy`` is None (and
    ``best_epoch`` 0) when the run stopped (``stop_after``) before its first validation.
    ``predict(x, missing)`` maps encoded rows (target columns ignored) to the best weights'
    target output: class logits (N, C), or the target value in its units (N,).
    """

    test_accuracy: float | None
    validation_accuracy: float | None
    best_epoch: int
    epochs: int
    seconds: float
    history: list[dict] = field(default_factory=list)
    resumed_from: int = 0
    test_rmse: float | None = None
    test_r2: float | None = None
    predict: object = field(default=None, repr=False, compare=False)
    warmup: tuple[float, int] | None = field(default=None, repr=False, compare=False)


def _sizes(enc: Encoded, recipe: Recipe) -> tuple[int, int, int, int]:
    """Training rows, state batch B, memory rows M, optimiser steps per epoch.

    With fewer than ``2 * batch_size`` training rows the state is the whole training set (one
    step per epoch): dropping the remainder of a single batch would leave out up to half of the
    rows in every epoch.
    """
    n_train = len(enc.split.train)
    B = n_train if recipe.batch_size is None else min(recipe.batch_size, n_train)
    if n_train < 2 * B:
        B = n_train
    M = n_train if recipe.memory_size is None else min(recipe.memory_size, n_train)
    return n_train, B, M, n_train // B


def estimate_bytes(enc: Encoded, recipe: Recipe, eval_batch_size: int = EVAL_BATCH_SIZE) -> int:
    """Rough peak bytes of a training step / evaluation (attention weights dominate).

    float32 (4 bytes) counts: a training step holds, per block and twice (forward and
    backward), three B x M x heads attention arrays and six (B + M) x width activations
    (width = features x feature size); an evaluation call three eval_batch_size x n_train x
    heads arrays and six n_train x width activations. The larger of the two, plus four
    copies of the encoded table ``x``.
    """
    n_train, B, M, _ = _sizes(enc, recipe)
    cfg = recipe.model
    width = len(enc.sizes) * cfg.feature_size
    per_block = 4 * (3 * B * M * cfg.num_heads + 6 * (B + M) * width)
    train = per_block * cfg.num_blocks * 2
    evaluate = 4 * (3 * eval_batch_size * n_train * cfg.num_heads + 6 * n_train * width)
    return int(max(train, evaluate) + 4 * enc.x.size * 4)


def data_digest(enc: Encoded) -> str:
    """SHA-256 of what training sees: encoded values, missing flags, labels, feature widths
    and kinds, and the split's train/validation/test row indices (in order)."""
    h = hashlib.sha256()
    for arr in (enc.x, enc.missing, enc.y, enc.split.train, enc.split.validation, enc.split.test):
        a = np.ascontiguousarray(arr)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    h.update(json.dumps([list(enc.sizes), list(enc.discrete)]).encode())
    return h.hexdigest()


def learning_rate(recipe: Recipe, step: int, steps_per_epoch: int) -> float:
    """Cosine learning rate at a global step: ``lr/2 (1 + cos(pi t/T))``, T = lr_horizon epochs."""
    total = max(1.0, recipe.lr_horizon * steps_per_epoch)
    return recipe.learning_rate * 0.5 * (1.0 + math.cos(math.pi * min(step / total, 1.0)))


#: one-hot width P from which a training step skips the non-target outputs once the
#: feature-loss weight is 0 (a second branch to compile: about 2.5 s on shrutime, P = 20, for
#: nothing; on a P = 8342 table it saved a quarter of the run)
TARGET_ONLY_FROM = 512


@functools.lru_cache(maxsize=16)  # the same object for the same settings: a jit cache hit
def _optimizer(
    betas: tuple[float, float], eps: float, weight_decay: float, clip_norm: float
) -> optax.GradientTransformation:
    """Gradient clip, then LAMB with unit learning rate (the step scales by the schedule)."""
    return optax.chain(
        optax.clip_by_global_norm(clip_norm),
        optax.lamb(learning_rate=1.0, b1=betas[0], b2=betas[1], eps=eps, weight_decay=weight_decay),
    )


@functools.partial(
    jax.jit, static_argnames=("graph", "sizes", "discrete", "tx", "decay", "target_only")
)
def _epoch(
    params,
    opt_state,
    ema,
    keys,
    rest,
    base_key,
    x_all,
    memory_all,
    batches,
    w,
    *,
    graph,
    sizes,
    discrete,
    tx,
    decay,
    target_only,
):
    """All optimiser steps of one epoch in one compiled call (a ``lax.scan`` over batches).

    ``batches`` holds, stacked over the epoch's steps: query ``rows`` (of ``x_all``, the
    training rows (N, P)), the corruption draws ``masked``, ``noise``, ``replaced``, ``fill``
    (:func:`objective.draw_corruption`), ``missing``, memory rows ``mem_rows``, global step
    ``t`` and learning rate ``lr``. The (B, P) true and corrupted rows are built here, on the
    device: on a table with wide one-hot features, building them on the host cost more than
    the step. One call per epoch instead of one per step
    keeps Python dispatch (hashing the static graph, flattening the state) out of the loop.
    With ``target_only``, steps whose feature-loss weight ``w`` is 0 compute only the
    target's outputs. Returns the new state and the per-step losses.
    """
    key_leaves, key_tree = jax.tree.flatten(keys)

    def one(carry, b):
        params, opt_state, ema = carry
        keep = self_lookup_mask(b["rows"], b["mem_rows"])
        memory = memory_all[b["mem_rows"]]
        x_true = x_all[b["rows"]]
        x_in = objective.apply_corruption(
            x_true.astype(jnp.float32), b["replaced"], b["fill"], sizes, discrete
        )
        step_key = jax.random.fold_in(base_key, b["t"])  # fresh dropout keys every step

        def loss_fn(p, features: bool):
            fresh = [jax.random.fold_in(step_key, i) for i in range(len(key_leaves))]
            state = jax.tree.map(lambda v: v, rest)  # new Variables in this trace
            m = nnx.merge(graph, p, jax.tree.unflatten(key_tree, fresh), state)
            inputs = model_input(x_in, b["masked"], sizes)
            if features:
                pred = m(inputs, memory, keep)
                return objective.loss(pred, x_true, b["noise"], b["missing"], sizes, discrete, w)
            t = objective.target_loss(m.target(inputs, memory, keep), x_true, b["noise"],
                                      b["missing"], sizes, discrete)  # fmt: skip
            return t, t

        def value_and_grad(features: bool):
            f = functools.partial(loss_fn, features=features)
            return jax.value_and_grad(f, has_aux=True)(params)

        if not target_only:
            (value, _), grads = value_and_grad(True)
        else:  # once the feature-loss weight is 0 the loss is the target's alone: skip the
            # other features' P outputs (same dropout draws, same loss and gradients)
            (value, _), grads = jax.lax.cond(
                w > 0, lambda: value_and_grad(True), lambda: value_and_grad(False)
            )

        updates, opt_state = tx.update(grads, opt_state, params)
        params = optax.apply_updates(params, jax.tree.map(lambda u: b["lr"] * u, updates))
        ema = jax.tree.map(lambda e, p: decay * e + (1.0 - decay) * p, ema, params)
        return (params, opt_state, ema), value

    (params, opt_state, ema), values = jax.lax.scan(one, (params, opt_state, ema), batches)
    return params, opt_state, ema, values


@functools.partial(jax.jit, static_argnames=("graph",))
def _predict(params, keys, rest, memory_all, inputs, *, graph):
    """Target output of each input row: class logits or the standardised value (evaluation
    mode, memory = whole training set)."""
    m = nnx.merge(graph, params, keys, rest)
    return m.target(inputs, memory_all)


def weight_average(ema, decay: float, steps: int):
    """Bias-corrected weight average: ``ema / (1 - decay**steps)``.

    ``ema`` starts from zeros, so the corrected average weighs only the parameters after each
    optimiser step (with weights ``(1 - decay) decay**(steps - k)``, normalised), never the
    initialisation.
    """
    norm = 1.0 - decay ** max(int(steps), 1)
    return jax.tree.map(lambda e: e / norm, ema)


def train(
    enc: Encoded,
    *,
    recipe: Recipe,
    seed: int = 0,
    progress: bool = False,
    checkpoint: str | Path | None = None,
    run_info: dict | None = None,
    eval_batch_size: int = EVAL_BATCH_SIZE,
    stop_after: int | None = None,
    eval_chunk: int | None = None,
) -> TrainResult:
    """Train Hopular on ``enc.split.train``, validate on ``.validation``, test the best.

    Parameters
    ----------
    enc : Encoded
        The data set encoded for one split (:meth:`Dataset.encode`).
    recipe : Recipe
        Training settings (:func:`hopfield_sim.tabular.recipe`).
    seed : int
        Seed of every random draw (non-negative).
    progress : bool
        tqdm progress bar on stderr.
    checkpoint : path, optional
        ``.npz`` checkpoint file (plus ``.json``); resumed from when it exists.
    run_info : dict, optional
        JSON-able description of the run (data set, split); must match on resume.
    eval_batch_size : int
        Rows per evaluation chunk (memory = whole training set).
    stop_after : int, optional
        Stop after this epoch (a time slice of a long run; resume from the checkpoint).
        The result then describes the epochs done so far (test with the best weights yet).
    eval_chunk : int, optional
        Exact rows per evaluation call (default
        :func:`~hopfield_sim.tabular.evaluate.eval_chunk`). The search passes the full
        split's value while it hides the test rows, so that its runs evaluate in the same
        shapes, hence the same floating-point results, as a plain run.

    Returns
    -------
    TrainResult
        Test accuracy with the weight average of the kept checkpoint: the best-validation
        epoch (classification), or the earliest one that no later checkpoint beats by more
        than one standard error of the paired validation errors (regression;
        :func:`~hopfield_sim.tabular.evaluate.keeps_checkpoint`).
    """
    if (
        isinstance(seed, bool)
        or not isinstance(seed, int | np.integer)
        or not 0 <= seed <= MAX_SEED
    ):
        raise ValueError(f"seed must be an int in 0..{MAX_SEED} (32 bits); got {seed!r}.")
    recipe.validate()
    if checkpoint is not None:
        ckpt.check_paths(checkpoint, None)
    from _hopfield_base import memory  # the memory guard shared by the package

    memory.check_memory(
        estimate_bytes(enc, recipe, eval_batch_size),
        f"Hopular training (recipe={recipe.name}, rows={len(enc.split.train)}, "
        f"features={len(enc.sizes)}, batch_size={recipe.batch_size}, "
        f"memory_size={recipe.memory_size})",
    )
    lock = ckpt.locked(checkpoint) if checkpoint is not None else contextlib.nullcontext()
    with lock:
        return _train(enc, recipe, int(seed), progress, checkpoint, run_info,
                      (eval_batch_size, eval_chunk), stop_after)  # fmt: skip


def _batches(enc, recipe, seed, epoch, sizes4, miss_tr) -> dict:
    """Host-side draws of one epoch (order, corruption, memory rows), stacked over steps; no
    (B, P) array is built here (the rows are gathered and corrupted in :func:`_epoch`)."""
    n_train, B, M, n_batches = sizes4
    rng = np.random.default_rng([int(seed), epoch])
    order = rng.permutation(n_train)[: n_batches * B].reshape(n_batches, B)
    parts = {k: [] for k in ("masked", "noise", "replaced", "fill", "mem_rows")}
    for rows in order:  # host-side draws in the same order as step by step
        drawn = objective.draw_corruption(
            rng,
            miss_tr[rows],
            enc.sizes,
            enc.discrete,
            mask_p=recipe.mask_p,
            replace_p=recipe.replace_p,
        )
        mem_rows = np.arange(n_train) if M == n_train else rng.choice(n_train, M, False)
        for k, v in zip(parts, (*drawn, mem_rows)):
            parts[k].append(v)
    steps = epoch * n_batches + np.arange(n_batches)
    batches = {k: np.stack(v) for k, v in parts.items()}
    batches.update(
        missing=miss_tr[order],
        rows=order,
        t=steps,
        lr=np.array([learning_rate(recipe, t, n_batches) for t in steps], np.float32),
    )
    return batches


def _predictor(ev, params, pool, transform):
    """``predict(x, missing)`` of the trained weights; new rows pass the fitted category
    pooling and numeric transform first (those the weights were trained on)."""

    def predict(x, missing):
        x, missing = np.asarray(x), np.asarray(missing)
        if pool is not None:
            x = pool(x)
        if transform is not None:
            x = transform(x, missing)
        return ev.outputs(params, x, missing)

    return predict


def _bar(progress: bool, epochs: int, start: int):
    """A tqdm bar on stderr, or a stand-in that does nothing."""
    if not progress:
        from types import SimpleNamespace

        return SimpleNamespace(update=lambda n: None, set_postfix=lambda **k: None,
                               close=lambda: None)  # fmt: skip
    from tqdm.auto import tqdm

    return tqdm(total=epochs, initial=start, desc="hopular", unit="epoch", file=sys.stderr)


def _train(enc, recipe, seed, progress, checkpoint, run_info, eval_sizes, stop_after):
    """The body of :func:`train` (arguments checked, checkpoint locked)."""
    t0 = time.perf_counter()
    pool = transform = None
    if recipe.min_frequency > 0:
        enc, pool = pool_rare(enc, recipe.min_frequency)
    if recipe.numeric_transform == "quantile":
        enc, transform = quantile_normal(enc)
    sizes, discrete = enc.sizes, enc.discrete
    sizes4 = _sizes(enc, recipe)
    n_batches = sizes4[3]
    tr = enc.split.train
    x_tr, miss_tr = enc.x[tr], enc.missing[tr]
    x_all = jnp.asarray(x_tr)
    memory_all = model_input(x_all, jnp.asarray(miss_tr), sizes)

    model = build(sizes=sizes, discrete=discrete, config=recipe.model, seed=int(seed))
    model.eval()
    graph_eval = nnx.graphdef(model)
    model.train()
    graph_train, params, keys, rest = nnx.split(model, nnx.Param, nnx.RngKey, ...)
    tx = _optimizer(tuple(recipe.betas), recipe.eps, recipe.weight_decay, recipe.clip_norm)
    opt_state = tx.init(params)
    ema = jax.tree.map(jnp.zeros_like, params)  # bias-corrected when read (weight_average)
    best = jax.tree.map(jnp.array, params)
    base_key = jax.random.key(int(seed))

    static = {"graph": graph_train, "sizes": sizes, "discrete": discrete, "tx": tx}
    static["decay"] = recipe.ema_decay
    static["target_only"] = sum(sizes) >= TARGET_ONLY_FROM

    def predict(params, memory_all, inputs):
        return _predict(params, keys, rest, memory_all, inputs, graph=graph_eval)

    ev = Evaluator(enc, memory_all, predict, *eval_sizes)
    info = {"run": run_info or {}, "recipe": recipe.to_dict(), "seed": int(seed)}
    info["weight_average"] = "bias-corrected, from zeros"  # older checkpoints are refused
    info["data_digest"] = data_digest(enc)
    start, best_val, best_epoch, history, seconds_before = 0, None, 0, [], 0.0
    best_sq = None  # regression: the kept checkpoint's squared validation errors
    if checkpoint is not None and ckpt.exists(checkpoint):
        trees, meta = ckpt.resume(
            checkpoint, info, {"params": params, "opt_state": opt_state, "ema": ema, "best": best}
        )
        params, opt_state, ema, best = (trees[k] for k in ("params", "opt_state", "ema", "best"))
        start, best_val, best_epoch = meta["epoch"], meta["best_val"], meta["best_epoch"]
        history, seconds_before = meta["history"], meta["seconds"]

    epochs = recipe.epochs
    bar = _bar(progress, epochs, start)
    last = epochs if stop_after is None else max(start, min(epochs, int(stop_after)))
    warmup_s, warmup_n, validated = 0.0, 0, False
    for epoch in range(start, last):
        t_epoch = time.perf_counter()
        w = objective.feature_loss_weight(epoch, recipe.loss_horizon)
        batches = _batches(enc, recipe, seed, epoch, sizes4, miss_tr)
        params, opt_state, ema, values = _epoch(
            params, opt_state, ema, keys, rest, base_key, x_all, memory_all, batches,
            np.float32(w),
            **static,
        )  # fmt: skip
        loss_value = float(np.mean(np.asarray(values)))
        if not np.isfinite(loss_value):
            raise FloatingPointError(f"Hopular training loss is {loss_value} at epoch {epoch + 1}.")
        done = epoch + 1
        validate = done % recipe.eval_every == 0 or done == epochs
        if validate:
            average = weight_average(ema, recipe.ema_decay, done * n_batches)
            if ev.regression:
                sq = ev.squared_errors(average, enc.split.validation)
                val = regression_score(sq)
                if best_epoch and best_sq is None:  # resumed: the kept weights' errors
                    best_sq = ev.squared_errors(best, enc.split.validation)
            else:
                sq, val = None, ev.accuracy(average, enc.split.validation)
            history.append({"epoch": done, "loss": loss_value, "validation_accuracy": val})
            if keeps_checkpoint(best_epoch, best_val, val, best_sq, sq):
                best_val, best_epoch, best, best_sq = val, done, average, sq
        if checkpoint is not None and (validate or done == last):
            meta = {"info": info, "epoch": done, "best_val": best_val, "best_epoch": best_epoch}
            meta.update(history=history, seconds=seconds_before + time.perf_counter() - t0)
            trees = {"params": params, "opt_state": opt_state, "ema": ema, "best": best}
            ckpt.save(checkpoint, trees, meta)
        if epoch == start or (validate and not validated):
            warmup_s, warmup_n = warmup_s + time.perf_counter() - t_epoch, warmup_n + 1
        validated = validated or validate
        bar.update(1)
        kept = "-" if best_val is None else f"{best_val:.3f}"
        bar.set_postfix(loss=f"{loss_value:.3f}", best_val=kept)
    bar.close()
    test, rmse, r2 = ev.test(best)
    return TrainResult(
        test_accuracy=test,
        test_rmse=rmse,
        test_r2=r2,
        predict=_predictor(ev, best, pool, transform),
        validation_accuracy=best_val if best_epoch else None,
        best_epoch=best_epoch,
        epochs=last,
        seconds=seconds_before + time.perf_counter() - t0,
        history=history,
        resumed_from=start,
        warmup=(warmup_s, warmup_n) if warmup_n else None,
    )
