"""``recipe="auto"``: model selection on the validation rows by successive halving.

Search space (:data:`SPACE`; F = features including the target, C = classes, N = training rows):

==================  =============================================  =========================
setting             values                                         compiled per value?
==================  =============================================  =========================
blocks              1, 2                                           yes (trial family)
feature size e      ``clip(256 // F, 4, 16)`` (the budget rule),   yes (trial family)
                    ``clip(512 // F, 8, 32)`` (wider on wide
                    tables)
weight decay        0.1 (the reference's), 0.0                     yes (trial family)
memory size         ``min(N, max(512, 64 C))`` rows (medium tier;  fixed per data set
                    whole training set on small sets)
learning rate       log-uniform in [1e-3, 1e-2]                    no (a per-step input)
mask p              uniform in [0, 0.1]                            no (host-side draws)
replace p           uniform in [0.05, 0.3]                         no (host-side draws)
epochs              trials 2+: the budget recipe's epochs rounded  no
                    up to a multiple of 9, x 1 or x 2 (trials 0
                    and 1: the budget recipe's own epochs)
numeric transform   ``standard``, ``quantile``                     no (data only)
                    (:mod:`hopfield_sim.tabular.transform`)
category pooling    ``min_frequency`` 0 (off) or 5 (the pooled    yes (other widths)
                    trial only, :mod:`hopfield_sim.tabular.pooling`)
==================  =============================================  =========================

Everything else is the budget recipe's tier (:func:`hopfield_sim.tabular.recipe`): batch 256
above 256 training rows (full batch below), LAMB with gradient clip 1, cosine learning rate
over the trial's epochs, feature-loss weight annealed over a tenth (a quarter on small sets),
weight average. Trial 0 is the budget recipe itself: the same recipe object
``recipe("budget", ...)`` returns (its epochs, schedule, validation epochs and memory size,
not rounded to the rungs' multiple of 9), trained with the same seed and evaluated in the same
shapes (the full split's evaluation chunk, although the search hides the test rows). Its
rungs are at ``epochs // 9`` and ``epochs // 3``; it resumes exactly from its checkpoints, so
when the search keeps it the result is bit for bit that of ``recipe="budget"``.
Trial 1 (when the table has a numeric feature) is the twin (:func:`twin`): trial 0 with
``numeric_transform="quantile"`` and a piecewise-linear embedding of each numeric feature in
:data:`TWIN_BINS` equal-mass bins (``HopularConfig.numeric_bins``), compared with the default
at full length like trial 0 (one more compiled step: the bins add parameters). Heavy-tailed
columns are where a standardised linear embedding fails and trees do not (``trees_heavy`` of
``scripts/hopular_auto_evidence.py``, a tree-friendly rule on heavy-tailed features: 43.9 %
test with the default, 62.9 % with the quantile transform alone, 64.6 % with the bins too,
gradient boosting 65.5 %; ``docs/tabular.md``), and the twin's full-length run is what lets
the one-standard-error rule below see that difference. The pooled trial (:func:`pooled`,
when pooling changes the table: a discrete feature with two or more categories that have
fewer than :data:`POOL_MIN_FREQUENCY` training rows) is trial 0 with those categories pooled
into one (``min_frequency``), judged like the twin: an ID-like column of thousands of
categories costs the default encoding 5 points on ``wide_3c``, and pooling it reaches
gradient boosting's level there; on ``repeat_ids``, whose rare categories carry the label,
pooling loses 11.6 validation points and the rule keeps the default (``docs/tabular.md``).
The trials judged at full length (:func:`owed`) are the default, the twin and the pooled
trial, as the table has them.

Selection uses the **validation rows only**: the search runs on a copy of the split whose
test part is empty, and the chosen model is applied to the test rows once, afterwards.
Pruning is successive halving (rate :data:`ETA` = 3, three rungs at 1/9, 1/3 and all of a
trial's epochs): every trial is trained to its first rung, the best third continue to the
second, the best third of those to the end; a trial continues from its checkpoint (the
learning-rate schedule is that of its full length, so a continued run is the same run as an
uninterrupted one). optuna is not a dependency of this package and not installed here;
successive halving is its default pruner's principle (asynchronous successive halving) in 60
lines and needs no storage. The time budget bounds the plan: trials are added to the first
rung only while the projected cost of the whole plan (seconds per epoch measured so far, on
runs that did not compile or else on a compiling run's epochs after its first and first
validating ones) fits,
and a continuation is skipped when it would overrun, counting the full-length runs still
owed to the :func:`owed` trials. Those run to full length whenever, after their first rung,
all their full-length runs are projected to fit the budget. When they do not (a table whose
single budget run takes more than about a half or a third of the budget), they are compared
at rung 1 (at rung 0 when even that would overrun) by the rule below, only the leader is
trained to full length, and no other trial is drawn: the search then takes about one budget
run plus a third (a ninth) of each other owed run. The
chosen model is always one trained to its full length. The choice follows the one-standard-error
rule (:func:`_choose`): the best fully trained trial replaces trial 0 only if its validation
accuracy is higher by more than the binomial standard error sqrt(p (1 - p) / n_validation) of
trial 0's accuracy p; within that noise the default is kept. Regression (a numeric target;
the score is minus the validation RMSE in standardised units): the standard error of trial
0's RMSE by the delta method on its squared validation residuals.

Compilation: a training step compiles once per (data set shapes, family); trials of a family
share it within the process, and :func:`enable_compilation_cache` (on by default for the
search) keeps compiled steps on disk across processes and folds (JAX's persistent cache).
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from hopfield_sim.tabular.data import Encoded, Split
from hopfield_sim.tabular.evaluate import EVAL_BATCH_SIZE, eval_chunk, metrics
from hopfield_sim.tabular.model import HopularConfig
from hopfield_sim.tabular.recipes import Recipe
from hopfield_sim.tabular.recipes import recipe as make_recipe

__all__ = ["POOL_MIN_FREQUENCY", "SPACE", "SearchResult", "auto", "default_feature_sizes",
           "enable_compilation_cache", "owed", "pooled", "twin"]  # fmt: skip

#: the pooled trial's ``min_frequency`` (categories with fewer training rows pooled; 5 chosen
#: against 2 on ``wide_3c`` only; docs/tabular.md reports it on sets not used to choose it)
POOL_MIN_FREQUENCY = 5
#: successive-halving rate (keep the best 1/ETA at each rung; rungs at E/ETA^2, E/ETA, E)
ETA = 3
#: the documented search space (see the module docstring for the scaling rules)
SPACE = {
    "num_blocks": (1, 2),
    "feature_size": ("clip(256 // F, 4, 16)", "clip(512 // F, 8, 32)"),
    "weight_decay": (0.1, 0.0),
    "memory_size": "min(N, max(512, 64 * C)) (medium tier); N (small tier)",
    "learning_rate": ("log-uniform", 1e-3, 1e-2),
    "mask_p": ("uniform", 0.0, 0.1),
    "replace_p": ("uniform", 0.05, 0.3),
    "epochs_factor": (1, 2),
    "numeric_transform": ("standard", "quantile"),
    "min_frequency": (0, POOL_MIN_FREQUENCY),  # the pooled trial only
}
#: bins of the twin's piecewise-linear numeric embedding (16 chosen against 8 on
#: ``trees_heavy`` only; docs/tabular.md reports it on the other sets)
TWIN_BINS = 16
#: default time budget of one search (minutes): the whole fold stays under 10 minutes for
#: ~10k rows on two shared cores (compilation and the final test included)
DEFAULT_BUDGET_MINUTES = 8.0


def default_feature_sizes(num_features: int) -> tuple[int, int]:
    """The two feature sizes of the search: the budget rule and a wider one (F with target)."""
    f = max(1, int(num_features))
    return max(4, min(16, 256 // f)), max(8, min(32, 512 // f))


def enable_compilation_cache(path: str | Path | None = None) -> Path:
    """Turn on JAX's persistent compilation cache (default ``~/.cache/hopfield_sim/jax``).

    Compiled training steps are then reused by later processes (another fold, another run of
    the same shapes). Returns the folder. A global JAX setting: it stays on in this process.
    """
    import jax

    folder = Path(path) if path is not None else Path.home() / ".cache" / "hopfield_sim" / "jax"
    folder.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    return folder


@dataclass
class SearchResult:
    """Outcome of :func:`auto`: the chosen recipe, its training result and every trial.

    ``result`` is the chosen trial's :class:`~hopfield_sim.tabular.train.TrainResult` with the
    test metrics filled in afterwards; ``trials`` lists, per trial, its settings, the rung it
    reached, its validation score and seconds.
    """

    recipe: Recipe
    result: object
    trials: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    budget_seconds: float = 0.0


def _base(enc: Encoded) -> Recipe:
    n_train = len(enc.split.train)
    return make_recipe("budget", num_train=n_train, num_features=len(enc.sizes))


def _trial_recipe(base: Recipe, enc: Encoded, family: tuple, lr: float, mask_p: float,
                  replace_p: float, factor: int, transform: str) -> Recipe:  # fmt: skip
    """The budget recipe with one trial's settings (epochs a multiple of 9)."""
    blocks, e, wd = family
    epochs = factor * 9 * math.ceil(base.epochs / 9)
    n_train, C = len(enc.split.train), max(1, enc.sizes[-1])
    memory = None if base.memory_size is None else min(n_train, max(512, 64 * C))
    model = HopularConfig(feature_size=e, num_blocks=blocks, feature_heads=max(1, e // 4))
    small = base.batch_size is None
    return replace(
        base,
        name="auto",
        epochs=epochs,
        memory_size=memory,
        learning_rate=float(lr),
        weight_decay=float(wd),
        mask_p=float(mask_p),
        replace_p=float(replace_p),
        lr_horizon=float(epochs),
        loss_horizon=max(1.0, epochs / 4 if small else epochs / 10),
        eval_every=epochs // 9,
        model=model,
        numeric_transform=transform,
    ).validate()


def has_numeric(enc: Encoded) -> bool:
    """Whether the table has a numeric feature (target excluded): the quantile twin applies."""
    from hopfield_sim.tabular.transform import numeric_columns

    return bool(numeric_columns(enc.sizes, enc.discrete)[0])


def twin(base: Recipe) -> Recipe:
    """Trial 1: ``base`` on quantile-normalised numeric features, embedded piecewise-linearly
    in :data:`TWIN_BINS` bins (``numeric_transform="quantile"``, ``numeric_bins``)."""
    model = replace(base.model, numeric_bins=TWIN_BINS)
    return replace(base, name="auto", numeric_transform="quantile", model=model)


def has_rare(enc: Encoded) -> bool:
    """Whether pooling at :data:`POOL_MIN_FREQUENCY` changes the table (a discrete feature
    with two or more categories below it in the training rows): the pooled trial applies."""
    from hopfield_sim.tabular.pooling import RarePooling

    return RarePooling.fit(enc.x, enc.sizes, enc.discrete, enc.split.train,
                           POOL_MIN_FREQUENCY) is not None  # fmt: skip


def pooled(base: Recipe) -> Recipe:
    """The pooled trial: ``base`` with the rare categories of discrete features pooled
    (``min_frequency`` = :data:`POOL_MIN_FREQUENCY`, :mod:`hopfield_sim.tabular.pooling`)."""
    return replace(base, name="auto", min_frequency=POOL_MIN_FREQUENCY)


def owed(enc: Encoded, base: Recipe) -> list[Recipe]:
    """The trials judged at full length: the budget recipe itself, its twin (when the table
    has a numeric feature) and its pooled trial (when pooling changes the table)."""
    out = [base]
    if has_numeric(enc):
        out.append(twin(base))
    if has_rare(enc):
        out.append(pooled(base))
    return out


def candidates(enc: Encoded, n: int, seed: int, max_families: int = 3) -> list[Recipe]:
    """``n`` trial recipes: first the :func:`owed` ones (trial 0 the budget recipe itself, the
    very recipe ``recipe("budget", ...)`` returns, so a kept default is a plain budget run;
    then its quantile twin when the table has a numeric feature, and its pooled trial when
    pooling changes the table), the rest drawn from :data:`SPACE` over at most
    ``max_families`` compiled families (the budget's first)."""
    base = _base(enc)
    rng = np.random.default_rng([int(seed), 26])
    sizes = default_feature_sizes(len(enc.sizes))
    first = (1, base.model.feature_size, base.weight_decay)
    others = [(b, e, wd) for b in SPACE["num_blocks"] for e in sizes
              for wd in SPACE["weight_decay"]]  # fmt: skip
    others = [f for f in dict.fromkeys(others) if f != first]
    pick = rng.permutation(len(others))[: max(0, max_families - 1)]
    families = [first] + [others[i] for i in pick]
    out = owed(enc, base)[:n]  # trial 0: the budget recipe itself; twin; pooled
    numeric = has_numeric(enc)
    (lr_lo, lr_hi), mask, repl = SPACE["learning_rate"][1:], SPACE["mask_p"], SPACE["replace_p"]
    for i in range(len(out), n):
        out.append(
            _trial_recipe(
                base,
                enc,
                families[i % len(families)],
                math.exp(rng.uniform(math.log(lr_lo), math.log(lr_hi))),
                rng.uniform(*mask[1:]),
                rng.uniform(*repl[1:]),
                int(rng.choice(SPACE["epochs_factor"])),
                str(rng.choice(SPACE["numeric_transform"])) if numeric else "standard",
            )
        )
    return out


def _now() -> float:
    """Seconds (a monotonic clock; one place, so tests can substitute a simulated one)."""
    return time.perf_counter()


def _rungs(epochs: int) -> list[int]:
    return [epochs // ETA**2, epochs // ETA, epochs]


class _Halving:
    """State of one successive-halving search (trials, timings, compiled families)."""

    def __init__(self, hidden: Encoded, recipes: list[Recipe], seed: int, budget: float,
                 folder: Path, progress: bool, chunk: int, always: int = 1):  # fmt: skip
        self.hidden, self.seed, self.budget, self.folder = hidden, seed, budget, folder
        self.always = always  # trials 0 .. always-1 run whatever the budget, to full length
        self.chunk = chunk  # the full split's evaluation rows: a plain run's shapes
        self.progress, self.t0 = progress, _now()
        self.trials = [{"recipe": r, "rung": -1, "score": -math.inf, "seconds": 0.0,
                        "epochs_done": 0} for r in recipes]  # fmt: skip
        self.compiled: set = set()
        # (seconds, epochs, warm-up (seconds, epochs) or None) of runs that compiled / did not
        self.cold: list[tuple[float, int, tuple[float, int] | None]] = []
        self.warm: list[tuple[float, int, tuple[float, int] | None]] = []

    def elapsed(self) -> float:
        return _now() - self.t0

    def run(self, i: int, rung: int) -> None:
        """Train trial i (from its checkpoint) to its rung's epoch; record score and time."""
        from hopfield_sim.tabular.train import train

        t = self.trials[i]
        stop = _rungs(t["recipe"].epochs)[rung]
        fam = _family(t["recipe"])
        start = _now()
        res = train(self.hidden, recipe=t["recipe"], seed=self.seed, stop_after=stop,
                    checkpoint=self.folder / f"trial{i}.npz", eval_chunk=self.chunk)  # fmt: skip
        sec = _now() - start
        warmup = getattr(res, "warmup", None)
        (self.cold if fam not in self.compiled else self.warm).append(
            (sec, stop - t["epochs_done"], warmup)
        )
        self.compiled.add(fam)
        score = -math.inf if res.validation_accuracy is None else res.validation_accuracy
        t.update(rung=rung, score=score, result=res, epochs_done=stop)
        t["seconds"] += sec
        if self.progress:
            print(f"auto: trial {i} rung {rung} ({stop} epochs, {sec:.1f} s): validation "
                  f"{score:.4f}", flush=True)  # fmt: skip

    def per_epoch(self) -> float:
        """Seconds per epoch without compilation: from runs that did not compile; before
        there is one, from the epochs of the runs that did, less their first and first
        validating epochs (``TrainResult.warmup``: they compile the training step and the
        evaluation), or from whole runs when that is not known."""
        if self.warm:
            runs = self.warm
            return sum(r[0] for r in runs) / max(1, sum(r[1] for r in runs))
        later = [(r[0] - r[2][0], r[1] - r[2][1]) for r in self.cold
                 if r[2] is not None and r[1] > r[2][1]]  # fmt: skip
        if later:
            return sum(r[0] for r in later) / sum(r[1] for r in later)
        return sum(r[0] for r in self.cold) / max(1, sum(r[1] for r in self.cold))

    def cost(self, i: int, epochs: int) -> float:
        """Projected seconds to train trial i for ``epochs`` more epochs."""
        extra = 0.0
        if _family(self.trials[i]["recipe"]) not in self.compiled and self.cold:
            pe = self.per_epoch()
            extra = max(0.0, float(np.mean([c[0] - pe * c[1] for c in self.cold])))  # compiling
        return self.per_epoch() * epochs + extra

    def plan_cost(self, k: int) -> float:
        """Projected seconds of the later rungs for k trials at rung 0."""
        e = float(np.mean([t["recipe"].epochs for t in self.trials[:k]]))
        k1, k2 = math.ceil(k / ETA), math.ceil(k / ETA**2)
        k1, k2 = max(k1, min(k, self.always)), max(k2, min(k, self.always))
        return self.per_epoch() * (k1 * (e / ETA - e / ETA**2) + k2 * (e - e / ETA))

    def first_rung(self) -> int:
        """Train trials to rung 0 while the projected plan fits; return how many ran."""
        k = 0
        while k < len(self.trials):
            if self.trials[k]["rung"] >= 0:  # already there (the owed pair)
                k += 1
                continue
            first = _rungs(self.trials[k]["recipe"].epochs)[0]
            if k >= self.always and self.elapsed() + self.cost(k, first) + self.plan_cost(k + 1) > (
                self.budget
            ):
                break
            self.run(k, 0)
            k += 1
        return k

    def left(self, i: int, rung: int) -> float:
        """Projected seconds to train trial i from where it is to ``rung``."""
        t = self.trials[i]
        return self.cost(i, max(0, _rungs(t["recipe"].epochs)[rung] - t["epochs_done"]))

    def owed_fit(self) -> bool:
        """Train the owed trials (below ``always``: the default, its twin, its pooled trial)
        to rung 0; whether all their full-length runs still fit the budget (projected from
        the timings so far)."""
        for i in range(self.always):
            self.run(i, 0)
        return self.elapsed() + sum(self.left(i, 2) for i in range(self.always)) <= self.budget

    def short_owed(self) -> None:
        """The budget cannot hold all owed runs: compare them at rung 1 (when all reach it
        and the leader's remaining run fits the budget) or at rung 0, and train only the
        leader to full length; another trial leads when its validation score beats the
        default's by more than one standard error (:func:`_choose`)."""
        r = _rungs(self.trials[0]["recipe"].epochs)
        owed = range(self.always)
        at_1 = sum(self.left(i, 1) for i in owed) + self.cost(0, r[2] - r[1])
        if self.elapsed() + at_1 <= self.budget:
            for i in owed:
                self.run(i, 1)
        se = _regression_error(self.hidden, self.trials[0])
        lead = _choose(self.trials[: self.always], len(self.hidden.split.validation), se)
        if self.progress:
            print(f"auto: no room for all full-length runs; trial {lead} leads at rung "
                  f"{self.trials[0]['rung']} and alone continues", flush=True)  # fmt: skip
        self.run(lead, 2)

    def reserve(self, skip: int) -> float:
        """Projected seconds to finish the trials that always reach full length (all but
        trial ``skip``)."""
        return sum(
            self.cost(i, self.trials[i]["recipe"].epochs - self.trials[i]["epochs_done"])
            for i in range(self.always)
            if i != skip
        )

    def later_rungs(self, alive: list[int]) -> None:
        """The best third continue while the budget allows, counting the full-length runs
        still owed (trials below ``always``: the default, twin and pooled trial)."""
        for rung in (1, 2):
            alive = sorted(alive, key=lambda i: -self.trials[i]["score"])
            ran = []
            for i in alive[: math.ceil(len(alive) / ETA)]:
                t = self.trials[i]
                left = _rungs(t["recipe"].epochs)[rung] - t["epochs_done"]
                over = self.elapsed() + self.cost(i, left) + self.reserve(i) > self.budget
                if over and i >= self.always:
                    break
                self.run(i, rung)
                ran.append(i)
            alive = ran


def auto(
    enc: Encoded,
    *,
    seed: int = 0,
    budget_minutes: float = DEFAULT_BUDGET_MINUTES,
    max_trials: int = ETA**2,
    max_families: int = 3,
    cache: bool = True,
    progress: bool = False,
) -> SearchResult:
    """Search :data:`SPACE` on the validation rows of ``enc.split`` within ``budget_minutes``.

    ``max_trials`` (default 9 = ETA², one successive-halving bracket 9 -> 3 -> 1): with 18,
    an 8-minute search of a 10 000-row table ran 18 trials to their first rung and 4 to their
    second, and none of the drawn ones reached full length (the budget ran out first).

    Returns the chosen recipe and its result; ``result.test_*`` are computed after the search
    with the chosen weights (None when the split has no test rows).
    """
    if not budget_minutes > 0:
        raise ValueError(f"budget_minutes must be > 0; got {budget_minutes!r}.")
    if cache:
        enable_compilation_cache()
    s = enc.split
    hidden = replace(enc, split=Split(s.index, s.which, s.train, s.validation, s.test[:0]))
    recipes = candidates(enc, max_trials, seed, max_families)
    always = min(len(recipes), len(owed(enc, recipes[0])))  # default, twin, pooled trial
    with tempfile.TemporaryDirectory(prefix="hopular-auto-") as tmp:
        h = _Halving(hidden, recipes, seed, 60.0 * float(budget_minutes), Path(tmp), progress,
                     eval_chunk(enc, EVAL_BATCH_SIZE), always)  # fmt: skip
        if always >= 2 and not h.owed_fit():
            h.short_owed()
            k = always
        else:
            k = h.first_rung()
            h.later_rungs(list(range(k)))
            for i in range(always):  # the owed trials are judged at full length
                if h.trials[i]["rung"] < 2:
                    h.run(i, 2)
    trials = h.trials
    best = _choose(trials[:k], len(s.validation), _regression_error(hidden, trials[0]))
    result = trials[best]["result"]
    _fill_test(enc, result)
    table = [
        {
            "trial": i,
            "rung": t["rung"],
            "epochs_done": t["epochs_done"],
            "validation": t["score"],
            "seconds": t["seconds"],
            "settings": _summary(t["recipe"]),
        }
        for i, t in enumerate(trials[:k])
    ]
    return SearchResult(recipe=trials[best]["recipe"], result=result, trials=table,
                        seconds=h.elapsed(), budget_seconds=h.budget)  # fmt: skip


def _choose(trials: list[dict], n_validation: int, se: float | None = None) -> int:
    """One-standard-error rule: trial 0 (the budget recipe's setting) is kept unless the best
    fully trained trial beats its validation score by more than one standard error ``se`` of
    that score; by default (classification) sqrt(p (1 - p) / n_val), the binomial standard
    error of trial 0's validation accuracy p.

    Small validation sets (tens of rows) make many trials tie within noise; picking the
    maximum then fits the noise of those rows (seen on sets with 34-38 validation rows).
    """
    best = max(range(len(trials)), key=lambda i: (trials[i]["rung"], trials[i]["score"]))
    base = trials[0]
    if best == 0 or base["rung"] != trials[best]["rung"]:
        return best
    if se is None:
        p = min(max(float(base["score"]), 0.0), 1.0)
        se = math.sqrt(p * (1.0 - p) / max(1, n_validation))
    return best if trials[best]["score"] > base["score"] + se else 0


def _regression_error(hidden: Encoded, trial: dict) -> float | None:
    """Standard error of trial 0's regression score (minus the validation RMSE in standardised
    units; None for classification): the delta method on the squared residuals e^2,
    se(RMSE) = sd(e^2) / (2 RMSE sqrt(n)), divided by the target's standard deviation."""
    rows = hidden.split.validation
    if hidden.discrete[-1] or len(rows) < 2 or "result" not in trial:
        return None
    out = trial["result"].predict(hidden.source[rows], hidden.missing[rows])
    sq = (out - hidden.y[rows]) ** 2
    rmse = math.sqrt(float(np.mean(sq)))
    if rmse == 0.0:
        return 0.0
    return float(np.std(sq, ddof=1)) / (2.0 * rmse * math.sqrt(len(rows))) / hidden.target_std


def _family(r: Recipe) -> tuple:
    """What a compiled training step depends on besides the data set's shapes."""
    return (r.model.num_blocks, r.model.feature_size, r.weight_decay, r.memory_size,
            r.model.numeric_bins, r.min_frequency)  # fmt: skip


def _summary(r: Recipe) -> dict:
    return {
        "num_blocks": r.model.num_blocks,
        "feature_size": r.model.feature_size,
        "weight_decay": r.weight_decay,
        "memory_size": r.memory_size,
        "learning_rate": r.learning_rate,
        "mask_p": r.mask_p,
        "replace_p": r.replace_p,
        "epochs": r.epochs,
        "numeric_transform": r.numeric_transform,
        "numeric_bins": r.model.numeric_bins,
        "min_frequency": r.min_frequency,
    }


def _fill_test(enc: Encoded, result) -> None:
    """Test metrics of the chosen weights on ``enc.split.test`` (after the search)."""
    rows = enc.split.test
    if not len(rows):
        return
    out = result.predict(enc.source[rows], enc.missing[rows])
    acc, rmse, r2 = metrics(out, enc.y[rows], not enc.discrete[-1])
    if acc is not None:
        result.test_accuracy = acc
    else:
        result.test_rmse, result.test_r2 = rmse, r2
