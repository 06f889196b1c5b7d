"""Training recipes of Hopular: the reference's defaults and a CPU budget.

``reference``: the reference's command-line defaults (full batch, memory = whole training set,
5000 epochs, LAMB lr 1e-3, betas (0.9, 0.999), eps 1e-6, weight decay 0.1, gradient-norm clip
1, learning rate cosine over 10 000 epochs, feature-loss weight cosine 1 -> 0 over 10 000
epochs, weight average with decay 0.995 per step, validation every 10 epochs, 8 blocks of
feature size 32).

``budget``: fits two shared CPU cores in minutes per fold: mini-batches of the state (256
rows) looking up a random subsample of the training set (512 rows, the reference's
``memory_ratio`` option; evaluation uses the whole training set), one block with feature size
``clip(256 // F, 4, 16)`` (4-wide feature-feature heads), 40 epochs, LAMB lr 5e-3 annealed to 0
over the run, feature-loss weight annealed 1 -> 0 over the first tenth, weight average decay
0.99 per step, validation every 4 epochs (chosen on the validation rows of shrutime's fold 0,
never on test rows). The medium tier's budget counts optimiser steps: at least
:data:`MIN_STEPS` (500) steps, so epochs = ``max(40, ceil(500 / steps per epoch))`` (shrutime
and blastchar keep their 40 epochs; a 364-row table, one full-batch step per epoch, gets 500
epochs instead of 40 steps); validation then runs about ten times per run. On small data
sets (training set no larger than 256 rows) it is full
batch with the whole training set as memory, 100 epochs, feature-loss weight annealed over the
first quarter, weight average decay 0.9, validation every 5 epochs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

from hopfield_sim.tabular.model import HopularConfig, check_numeric_bins
from hopfield_sim.tabular.transform import TRANSFORMS

__all__ = ["Recipe", "recipe", "RECIPES", "with_encoding"]

RECIPES = ("budget", "reference")

#: fewest optimiser steps of the budget recipe's medium tier
MIN_STEPS = 500


@dataclass(frozen=True)
class Recipe:
    """Everything that defines a training run except the data, split and seed.

    Attributes
    ----------
    name : recipe name
    epochs : training epochs (passes over the training rows)
    batch_size : rows per step (None: full batch)
    memory_size : memory rows per training step (None: whole training set)
    learning_rate, betas, eps, weight_decay : LAMB settings
    clip_norm : gradient-norm clip
    lr_horizon : epochs over which the learning rate follows a cosine to 0
    loss_horizon : epochs over which the feature-loss weight follows a cosine from 1 to 0
    ema_decay : per-step decay of the weight average used for validation and test
    eval_every : validate every this many epochs (and after the last)
    mask_p, replace_p : feature corruption probabilities
    model : HopularConfig
    numeric_transform : ``"standard"`` (numeric features as encoded: standardised with the
        training rows' mean and standard deviation, the reference's) or ``"quantile"`` (then
        mapped to a standard normal through their training quantiles,
        :mod:`hopfield_sim.tabular.transform`; for heavy-tailed columns)
    min_frequency : 0 (off, the reference's encoding) or k >= 1: a discrete feature's
        categories with fewer than k training rows are pooled into one rare category
        (:mod:`hopfield_sim.tabular.pooling`; for ID-like columns with many categories)
    """

    name: str
    epochs: int
    batch_size: int | None
    memory_size: int | None
    learning_rate: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-6
    weight_decay: float = 0.1
    clip_norm: float = 1.0
    lr_horizon: float = 10_000.0
    loss_horizon: float = 10_000.0
    ema_decay: float = 0.995
    eval_every: int = 10
    mask_p: float = 0.025
    replace_p: float = 0.175
    model: HopularConfig = field(default_factory=HopularConfig)
    numeric_transform: str = "standard"
    min_frequency: int = 0

    def to_dict(self) -> dict:
        """Plain dict (for JSON). ``numeric_transform`` is left out when it is
        ``"standard"`` and ``min_frequency`` when it is 0: such a run is the run of a recipe
        written before the field existed, so stored results and checkpoints of those runs
        still match."""
        d = asdict(self)
        d["betas"] = list(self.betas)
        if self.numeric_transform == "standard":
            del d["numeric_transform"]
        if self.min_frequency == 0:
            del d["min_frequency"]
        d["model"] = self.model.to_dict()
        return d

    def validate(self) -> Recipe:
        """Raise ValueError naming the first bad field; return self."""
        for name in ("epochs", "eval_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{name} must be a positive int; got {v!r}.")
        for name in ("batch_size", "memory_size"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ValueError(f"{name} must be a positive int or None; got {v!r}.")
        for name in ("learning_rate", "lr_horizon", "loss_horizon", "clip_norm"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0; got {getattr(self, name)!r}.")
        if self.numeric_transform not in TRANSFORMS:
            raise ValueError(
                f"numeric_transform must be one of {TRANSFORMS}; got {self.numeric_transform!r}."
            )
        k = self.min_frequency
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"min_frequency must be an int >= 0 (0: off); got {k!r}.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must lie in [0, 1); got {self.ema_decay!r}.")
        check_numeric_bins(self.model.numeric_bins)
        return self


def with_encoding(r: Recipe, transform: str | None = None, bins: int | None = None,
                  min_frequency: int | None = None) -> Recipe:  # fmt: skip
    """``r`` with its numeric transform, its model's ``numeric_bins`` and/or its
    ``min_frequency`` (rare-category pooling) replaced (None keeps the recipe's), validated."""
    if min_frequency is not None:
        r = replace(r, min_frequency=min_frequency)
    if transform is not None:
        r = replace(r, numeric_transform=transform)
    if bins is not None:
        r = replace(r, model=replace(r.model, numeric_bins=bins))
    return r.validate()


def recipe(
    name: str,
    *,
    num_train: int | None = None,
    num_features: int | None = None,
    epochs: int | None = None,
) -> Recipe:
    """The named recipe (``"budget"`` or ``"reference"``), optionally with other ``epochs``.

    ``num_train`` (training rows) and ``num_features`` (target included) let the budget recipe
    pick full batch on small sets and a feature size that keeps the state width near 256.
    With ``epochs`` given, the budget recipe's horizons follow it; the reference's stay fixed.
    """
    if name == "reference":
        r = Recipe(name="reference", epochs=5000, batch_size=None, memory_size=None)
        return (r if epochs is None else replace(r, epochs=epochs)).validate()
    if name != "budget":
        raise ValueError(f"recipe must be one of {RECIPES}; got {name!r}.")
    small = num_train is not None and num_train <= 256
    if epochs is not None:
        n = epochs
    elif small:
        n = 100
    elif num_train is None:
        n = 40
    else:  # steps per epoch as in train._sizes: one full-batch step below 2 * 256 rows
        n = max(40, math.ceil(MIN_STEPS / max(1, num_train // 256)))
    e = 16 if num_features is None else max(4, min(16, 256 // num_features))
    return Recipe(
        name="budget",
        epochs=n,
        batch_size=None if small else 256,
        memory_size=None if small else 512,
        learning_rate=5e-3,
        lr_horizon=float(n),
        loss_horizon=max(1.0, n / 4 if small else n / 10),
        ema_decay=0.9 if small else 0.99,
        eval_every=5 if small else max(4, n // 10),
        model=HopularConfig(feature_size=e, num_blocks=1, feature_heads=max(1, e // 4)),
    ).validate()
