"""Sweep specifications: what to compute, on which grid, with which seed.

A :class:`SweepSpec` holds everything that determines the *result* of a sweep (model, grid,
fixed parameters, theory and Monte Carlo settings, root seed) and nothing about *how* it runs
(workers, batch size, cluster), so two runs of equal specs give identical Datasets. It is
built in Python or read from TOML (:func:`load_spec`) and validated up front: every error
names the offending key.

Grid axes are parameter names of DESIGN.md §2 (``alpha``, ``beta``, ``T``, ``r``, ``M``,
``rho``, ``d``, ``N``, ``K``); each axis is a list, a linear range ``{start, stop, num}`` or
``{start, stop, step}``, or a log range ``{start, stop, num, log = true}``. Alternatively
``points`` lists explicit points (equal-length lists per name), giving one dimension
``point``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _hopfield_base import vocabulary
from hopfield_sim._spec_checks import validate as _validate
from hopfield_sim._spec_values import axis_values as _axis_values
from hopfield_sim._spec_values import known as _known
from hopfield_sim._spec_values import plain as _plain
from hopfield_sim._spec_values import scalar as _scalar
from hopfield_sim._spec_values import table as _table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: choice sets (one source: :mod:`_hopfield_base.vocabulary`)
PROTOCOLS = vocabulary.PROTOCOLS
LEVELS = vocabulary.LEVELS
BRANCHES = vocabulary.BRANCHES
DYNAMICS = vocabulary.DYNAMICS

#: name -> (long name, units); the names a grid axis or fixed parameter may take. Units
#: "1": the coupling scale J = 1 sets the energy scale, so T, beta and energies are numbers
#: (the file attribute ``energy_scale`` says so)
PARAMETERS: dict[str, tuple[str, str]] = {
    name: (term.long_name, term.units) for name, term in vocabulary.PARAMETERS.items()
}
_MC_KEYS = ("N", "K", "sweeps", "burn_in", "chains", "samples", "dynamics", "init",
            "engine", "thin", "per_sample", "tempering")  # fmt: skip
_THEORY_KEYS = ("level", "branch", "finite_M", "resolution")
#: theory points of a curve drawn on its own grid (``[theory] resolution`` default)
RESOLUTION = 400
_TOP_KEYS = (
    "name", "seed", "model", "axes", "points", "fixed", "theory", "montecarlo", "adaptive"
)  # fmt: skip
_ADAPTIVE_KEYS = ("points", "variable", "batch")


@dataclass(frozen=True)
class TheoryOptions:
    """What :func:`theory.solve` runs at every grid point (vectorised over the grid)."""

    level: str = "RS"
    branch: str = "retrieval"
    finite_M: bool = False
    #: points of the theory curve a plot draws on its own fine grid (``None``: the default
    #: :data:`RESOLUTION`; ``0``: draw the theory at the grid points only). Plotting only:
    #: it does not change any stored value.
    resolution: int | None = None


@dataclass(frozen=True)
class MonteCarloOptions:
    """Monte Carlo run at every grid point (one independent task per point).

    ``samples`` disorder samples (fresh patterns/examples) x ``chains`` chains each;
    ``sweeps`` measured sweeps after ``burn_in``. ``N`` and ``K`` here are defaults that a
    grid axis or fixed parameter of the same name must not duplicate. In high storage
    (``alpha`` given) ``K = max(1, round(alpha * N**(P-1)))``; otherwise ``K`` (default 1).
    """

    N: int | None = None
    K: int | None = None
    sweeps: int = 200
    burn_in: int = 50
    chains: int = 1
    samples: int = 1
    dynamics: str = "glauber"
    init: str = "archetype"
    #: ``"numba"`` (default) or ``"jax"`` (``sample(engine=...)``)
    engine: str | None = None
    #: record every ``thin``-th sweep (default 1)
    thin: int | None = None
    #: store every disorder sample and chain (dims ``sample``, ``chain``; default true);
    #: ``false`` keeps only the averages (huge sweeps)
    per_sample: bool | None = None
    #: parallel tempering: ``{T_max = 1.5, rungs = 8}`` runs every point on a geometric
    #: ladder from its T up to ``T_max`` (``rungs`` temperatures, chains exchanged between
    #: neighbours) and reports the lowest rung, the point's own T
    tempering: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class AdaptiveOptions:
    """Adaptive theory diagram: ``points`` theory points placed by
    :class:`adaptive.Learner2D` inside the box spanned by the two axes (their smallest and
    largest values), concentrated where ``{variable}_theory`` changes (phase boundaries),
    solved ``batch`` at a time. The result has one dim ``point``."""

    points: int = 400
    variable: str = "m"
    batch: int = 32


@dataclass(frozen=True)
class SweepSpec:
    """A phase-diagram sweep.

    Parameters
    ----------
    protocol : {"hebbian", "supervised", "unsupervised"}
        Learning protocol (DESIGN.md §2).
    P : int, optional
        Interaction order (integer >= 2; odd P has no +-m symmetry); default 2. ``None``
        when ``P`` is a grid axis
        (``axes = {"P": [2, 4], ...}``), which then must not be given here.
    axes : mapping of str to sequence of float, optional
        Grid axes, outer product in the given order (first axis = first dimension).
    points : mapping of str to sequence of float, optional
        Explicit points instead of ``axes`` (equal-length sequences, one dim ``point``).
    fixed : mapping of str to float
        Parameters held fixed over the grid.
    theory : TheoryOptions or None
        Run the replica theory (``None``: skip it).
    montecarlo : MonteCarloOptions or None
        Run Monte Carlo at every point (``None``: skip it).
    seed : int
        Root seed; every point's seed derives from it and the point's parameter values.
    multitasking : bool
        Diluted patterns (``d``) with the multitasking engines/theory (P = 2, low storage).
    name : str
        Free text stored with the results.
    adaptive : AdaptiveOptions or None
        Place theory points adaptively in the box of the two ``axes`` instead of on their
        grid (theory only).
    """

    protocol: str = "hebbian"
    P: int | None = None
    axes: Mapping[str, Any] = field(default_factory=dict)
    points: Mapping[str, Any] | None = None
    fixed: Mapping[str, float] = field(default_factory=dict)
    theory: TheoryOptions | None = field(default_factory=TheoryOptions)
    montecarlo: MonteCarloOptions | None = None
    seed: int = 0
    multitasking: bool = False
    name: str = ""
    adaptive: AdaptiveOptions | None = None

    def __post_init__(self) -> None:
        axes = {k: _axis_values(f"axes.{k}", k, v) for k, v in dict(self.axes).items()}
        object.__setattr__(self, "axes", axes)
        if self.points is not None:
            pts = {k: _axis_values(f"points.{k}", k, v) for k, v in dict(self.points).items()}
            object.__setattr__(self, "points", pts)
        fixed = {k: _scalar(f"fixed.{k}", k, v) for k, v in dict(self.fixed).items()}
        object.__setattr__(self, "fixed", fixed)
        if "P" in fixed:
            raise ValueError("fixed.P: give a fixed interaction order as model.P.")
        if "P" in self.grid_names:
            if self.P is not None:
                raise ValueError("P is both model.P and a grid axis; give it once.")
        elif self.P is None:
            object.__setattr__(self, "P", 2)
        _validate(self)

    # -- views ---------------------------------------------------------------------------
    @property
    def grid_names(self) -> tuple[str, ...]:
        """Names that vary over the grid (axes or point coordinates)."""
        return tuple(self.points if self.points is not None else self.axes)

    def given(self, name: str) -> bool:
        """Whether ``name`` is set anywhere (axis, point coordinate or fixed)."""
        return name in self.grid_names or name in self.fixed

    def to_dict(self) -> dict[str, Any]:
        """Plain (JSON/TOML-compatible) form; :func:`spec_from_dict` inverts it."""
        out: dict[str, Any] = {
            "name": self.name,
            "seed": int(self.seed),
            "model": {"protocol": self.protocol},
        }
        if self.P is not None:
            out["model"]["P"] = int(self.P)
        if self.multitasking:
            out["model"]["multitasking"] = True
        if self.points is not None:
            out["points"] = {k: _plain(v) for k, v in self.points.items()}
        else:
            out["axes"] = {k: _plain(v) for k, v in self.axes.items()}
        out["fixed"] = {k: _plain(v) for k, v in self.fixed.items()}
        if self.theory is not None:
            out["theory"] = {k: v for k, v in vars(self.theory).items() if v is not None}
        if self.montecarlo is not None:
            out["montecarlo"] = {k: v for k, v in vars(self.montecarlo).items() if v is not None}
        if self.adaptive is not None:
            out["adaptive"] = dict(vars(self.adaptive))
        return out

    def to_json(self) -> str:
        """JSON form stored with the results (key order kept: the axis order is the dim order)."""
        return json.dumps(self.to_dict())

    def replace_grid(self, *, axes=None, points=None) -> SweepSpec:
        """A copy with other grid values (used when extending a stored sweep)."""
        d = self.to_dict()
        d.pop("axes", None)
        d.pop("points", None)
        if points is not None:
            d["points"] = points
        else:
            d["axes"] = axes
        return spec_from_dict(d)


def load_spec(path: str | Path) -> SweepSpec:
    """Read a :class:`SweepSpec` from a TOML file (format: docs/sweeps.md)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from None
    return spec_from_dict(data)


def spec_from_dict(data: Mapping[str, Any]) -> SweepSpec:
    """Build a :class:`SweepSpec` from its plain form (a parsed TOML file)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"a sweep spec must be a mapping; got {type(data).__name__}.")
    _known("spec", data, _TOP_KEYS)
    model = _table(data, "model")
    _known("model", model, ("protocol", "P", "multitasking"))
    theory = _table(data, "theory", default=None)
    mc = _table(data, "montecarlo", default=None)
    if theory is not None:
        _known("theory", theory, _THEORY_KEYS)
    if mc is not None:
        _known("montecarlo", mc, _MC_KEYS)
    adaptive = _table(data, "adaptive", default=None)
    if adaptive is not None:
        _known("adaptive", adaptive, _ADAPTIVE_KEYS)
    if "theory" not in data and "montecarlo" not in data:
        theory = {}
    seed = data.get("seed", 0)
    return SweepSpec(
        protocol=model.get("protocol", "hebbian"),
        P=model.get("P"),
        multitasking=model.get("multitasking", False),
        axes=_table(data, "axes"),
        points=_table(data, "points", default=None),
        fixed=_table(data, "fixed"),
        theory=None if theory is None else TheoryOptions(**theory),
        montecarlo=None if mc is None else MonteCarloOptions(**mc),
        seed=seed,
        name=data.get("name", ""),
        adaptive=None if adaptive is None else AdaptiveOptions(**adaptive),
    )
