"""One call from a data-set folder to a JSON-able result: what the command line runs."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np

from hopfield_sim.tabular.data import load_dataset
from hopfield_sim.tabular.recipes import recipe as make_recipe
from hopfield_sim.tabular.recipes import with_encoding
from hopfield_sim.tabular.train import train

__all__ = ["run_split"]


def run_split(
    dataset: str | Path,
    *,
    split: int = 0,
    which: str = "intended",
    recipe: str = "budget",
    epochs: int | None = None,
    seed: int = 0,
    progress: bool = False,
    checkpoint: str | Path | None = None,
    budget_minutes: float | None = None,
    numeric_transform: str | None = None,
    numeric_bins: int | None = None,
    min_frequency: int | None = None,
) -> dict:
    """Train and test Hopular on split ``split`` of the data set in folder ``dataset``.

    Returns
    -------
    dict
        ``dataset``, ``split``, ``indices`` (intended/effective), ``recipe``,
        ``test_accuracy``, ``validation_accuracy`` (fractions), ``best_epoch``, ``epochs``,
        ``seconds``, ``seed``, ``majority_accuracy`` (test accuracy of the training set's most
        frequent class), ``rows`` (train/validation/test counts), ``settings`` (the full
        recipe), ``history`` (per validation: epoch, loss, validation accuracy), ``machine``.
        With ``recipe="auto"`` (:func:`hopfield_sim.tabular.search.auto`, within
        ``budget_minutes``; ``epochs`` and ``checkpoint`` do not apply) also ``search``: every
        trial's settings, rung and validation score, and the search's seconds and budget;
        ``recipe`` is then "auto" and ``settings`` the chosen recipe (named "budget" when the
        search kept the default). ``numeric_transform`` (``"standard"`` or ``"quantile"``,
        :mod:`hopfield_sim.tabular.transform`) overrides the recipe's, and ``numeric_bins``
        its model's piecewise-linear numeric embedding (``HopularConfig.numeric_bins``);
        ``min_frequency`` pools the categories with fewer training rows
        (:mod:`hopfield_sim.tabular.pooling`; 0: off, the recipes' default). ``auto`` tries
        the default, the twin (quantile, 16 bins) and, when it changes the table, pooling
        at 5.
    """
    data = load_dataset(dataset)
    s = data.split(split, which=which)
    enc = data.encode(s)
    extra = {}
    if recipe == "auto":
        chosen = (epochs, checkpoint, numeric_transform, numeric_bins, min_frequency)
        if any(v is not None for v in chosen):
            raise ValueError(
                "recipe 'auto' chooses its epochs, numeric transform, bins and category "
                "pooling, and keeps no checkpoint."
            )
        from hopfield_sim.tabular.search import DEFAULT_BUDGET_MINUTES, auto

        minutes = DEFAULT_BUDGET_MINUTES if budget_minutes is None else budget_minutes
        found = auto(enc, seed=seed, budget_minutes=minutes, progress=progress)
        r, res = found.recipe, found.result
        extra["search"] = {"trials": found.trials, "seconds": found.seconds,
                           "budget_seconds": found.budget_seconds}  # fmt: skip
    else:
        r = make_recipe(recipe, num_train=len(s.train), num_features=len(enc.sizes),
                        epochs=epochs)  # fmt: skip
        r = with_encoding(r, numeric_transform, numeric_bins, min_frequency)
        res = train(
            enc,
            recipe=r,
            seed=seed,
            progress=progress,
            checkpoint=checkpoint,
            run_info={"dataset": data.name, "split": split, "indices": which},
        )
    majority = int(np.argmax(np.bincount(enc.y[s.train], minlength=enc.num_classes)))
    return {
        "dataset": data.name,
        "split": split,
        "indices": which,
        "recipe": recipe,  # "auto" stays "auto"; settings["name"] is "budget" for a kept default
        "test_accuracy": res.test_accuracy,
        "validation_accuracy": res.validation_accuracy,
        "best_epoch": res.best_epoch,
        "epochs": res.epochs,
        "seconds": extra["search"]["seconds"] if extra else res.seconds,
        "seed": seed,
        "majority_accuracy": float(np.mean(enc.y[s.test] == majority)),
        "rows": {"train": len(s.train), "validation": len(s.validation), "test": len(s.test)},
        "settings": r.to_dict(),
        "history": res.history,
        "resumed_from_epoch": res.resumed_from,
        "machine": f"{platform.machine()} {platform.system()}, cpus={_cpus()}",
        **extra,
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
