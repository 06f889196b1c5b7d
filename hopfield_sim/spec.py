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
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hopfield_sim._sizes import check_adaptive_points, check_axis_size

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROTOCOLS = ("hebbian", "supervised", "unsupervised")
LEVELS = ("RS", "1RSB")
BRANCHES = ("retrieval", "spinglass", "paramagnet")
DYNAMICS = ("glauber", "metropolis", "zero_temperature")

#: name -> (long name, units); the names a grid axis or fixed parameter may take. Units
#: "1": the coupling scale J = 1 sets the energy scale, so T, beta and energies are numbers
#: (the file attribute ``energy_scale`` says so)
PARAMETERS: dict[str, tuple[str, str]] = {
    "alpha": ("load alpha = K / N^(P-1)", "1"),
    "beta": ("inverse temperature beta", "1"),
    "T": ("temperature T = 1/beta", "1"),
    "r": ("example quality r", "1"),
    "M": ("examples per archetype M", "1"),
    "rho": ("dataset entropy rho = (1-r^2)/(M r^2)", "1"),
    "d": ("dilution d", "1"),
    "N": ("number of neurons N", "1"),
    "K": ("number of archetypes K", "1"),
    "P": ("interaction order P", "1"),
}
_INTEGER = {"M", "N", "K", "P"}
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


# -- helpers ---------------------------------------------------------------------------------
def _table(data: Mapping[str, Any], key: str, default: Any = "empty") -> Any:
    if key not in data:
        return {} if default == "empty" else default
    value = data[key]
    if not isinstance(value, Mapping):
        raise TypeError(f"spec key {key!r} must be a table; got {value!r}.")
    return dict(value)


def _known(where: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            raise ValueError(f"unknown key {key!r} in {where}; allowed: {', '.join(allowed)}.")


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return v


def _check_name(key: str, name: str) -> None:
    if name not in PARAMETERS:
        raise ValueError(
            f"unknown parameter name {name!r} in {key.rsplit('.', 1)[0]}; allowed: "
            f"{', '.join(PARAMETERS)} (P and protocol belong to [model])."
        )


def _axis_values(key: str, name: str, value: Any) -> np.ndarray:
    """Expand an axis description (list / range / log range) into float64 values."""
    _check_name(key, name)
    if isinstance(value, Mapping):
        _known(key, value, ("start", "stop", "num", "step", "log"))
        for need in ("start", "stop"):
            if need not in value:
                raise ValueError(f"{key} needs {need!r} (a range is {{start, stop, num}}).")
        start, stop = (_number(f"{key}.{k}", value[k]) for k in ("start", "stop"))
        log = value.get("log", False)
        if ("num" in value) == ("step" in value):
            raise ValueError(f"{key} needs exactly one of 'num' and 'step'; got {dict(value)}.")
        if "num" in value:
            num = value["num"]
            if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
                raise ValueError(f"{key}.num must be an integer >= 1; got {num!r}.")
            check_axis_size(key, "num", num)
            if log:
                if start <= 0 or stop <= 0:
                    raise ValueError(
                        f"{key}: a log range needs start > 0 and stop > 0; got {start}, {stop}."
                    )
                arr = np.geomspace(start, stop, int(num))
            else:
                arr = np.linspace(start, stop, int(num))
        else:
            if log:
                raise ValueError(f"{key}: a log range takes 'num', not 'step'.")
            step = _number(f"{key}.step", value["step"])
            if step == 0 or (stop - start) / step < 0:
                raise ValueError(f"{key}.step={step} does not lead from {start} to {stop}.")
            count = (stop - start) / step + 1e-9
            check_axis_size(key, "step", count + 1 if math.isfinite(count) else math.inf)
            n = int(math.floor(count)) + 1
            arr = start + step * np.arange(n)
    else:
        _numbers_only(key, value)
        try:
            arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError):
            raise TypeError(
                f"{key} must be a list of numbers or a range table; got {value!r}."
            ) from None
        if arr.ndim != 1:
            raise ValueError(f"{key} must be one-dimensional; got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{key} is empty; a grid axis needs at least one value.")
    _check_values(key, name, arr)
    if key.startswith("axes.") and np.unique(arr).size != arr.size:
        raise ValueError(f"{key} has repeated values {arr.tolist()}; axis values must differ.")
    return arr


def _numbers_only(key: str, value: Any) -> None:
    """Strings and booleans are not numbers here (no silent ``"0.1"`` -> 0.1, True -> 1)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{key} must hold numbers; got an array of dtype {value.dtype}.")
        return
    items = value if isinstance(value, (list, tuple)) else [value]
    for v in items:
        if isinstance(v, (bool, np.bool_, str, bytes)):
            raise TypeError(f"{key} must be a list of numbers or a range table; got {value!r}.")


def _number(key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{key} must be a number; got {v!r}.")
    return float(v)


def _scalar(key: str, name: str, value: Any) -> float:
    _check_name(key, name)
    v = _number(key, value)
    _check_values(key, name, np.array([v]))
    return v


def _check_values(key: str, name: str, arr: np.ndarray) -> None:
    ranges = {
        "alpha": (0.0, math.inf, "[0, inf)"),
        "T": (0.0, math.inf, "[0, inf)"),
        "beta": (0.0, math.inf, "(0, inf]"),
        "r": (0.0, 1.0, "(0, 1]"),
        "rho": (0.0, math.inf, "[0, inf)"),
        "d": (0.0, 1.0, "[0, 1)"),
        "M": (1.0, math.inf, "integers >= 1"),
        "N": (1.0, math.inf, "integers >= 1"),
        "K": (1.0, math.inf, "integers >= 1"),
        "P": (2.0, math.inf, "integers >= 2"),
    }
    lo, hi, text = ranges[name]
    bad = np.isnan(arr) | (arr < lo) | (arr > hi)
    if name == "beta":
        bad |= arr <= 0
    if name == "r":
        bad |= arr <= 0
    if name == "d":
        bad |= arr >= 1
    if name in {"alpha", "T", "rho"}:
        bad |= np.isinf(arr)
    if name in _INTEGER:
        bad |= ~np.isfinite(arr) | (np.round(arr) != arr)
    if bad.any():
        raise ValueError(f"{key} must be in {text}; got {arr[bad][0]!r}.")


def _validate(spec: SweepSpec) -> None:
    if spec.protocol not in PROTOCOLS:
        raise ValueError(
            f"model.protocol must be one of {', '.join(map(repr, PROTOCOLS))}; "
            f"got {spec.protocol!r}."
        )
    P = spec.P
    if P is not None and (
        isinstance(P, bool) or not isinstance(P, (int, np.integer)) or P < 2
    ):
        raise ValueError(f"model.P must be an integer >= 2; got {P!r}.")
    P = int(P) if P is not None else int(_values(spec, "P").max())
    if (
        isinstance(spec.seed, bool)
        or not isinstance(spec.seed, (int, np.integer))
        or not 0 <= spec.seed < 2**63
    ):  # stored as a 64-bit integer attribute
        raise ValueError(f"seed must be a non-negative integer below 2**63; got {spec.seed!r}.")
    if spec.points is not None and spec.axes:
        raise ValueError("give grid 'axes' or explicit 'points', not both.")
    if spec.points is None and not spec.axes:
        raise ValueError("the grid is empty: give at least one entry in 'axes' (or 'points').")
    if spec.points is not None:
        if not spec.points:
            raise ValueError("points is empty; list at least one parameter.")
        lengths = {k: len(v) for k, v in spec.points.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"points lists must have equal lengths; got {lengths}.")
    for name in spec.fixed:
        if name in spec.grid_names:
            raise ValueError(f"{name!r} is both a grid axis and fixed.{name}; give it once.")
    if spec.theory is None and spec.montecarlo is None:
        raise ValueError("nothing to run: give a [theory] table, a [montecarlo] table or both.")
    if spec.theory is not None:
        t = spec.theory
        _choice("theory.level", t.level, LEVELS)
        _choice("theory.branch", t.branch, BRANCHES)
        if not isinstance(t.finite_M, bool):
            raise TypeError(f"theory.finite_M must be true or false; got {t.finite_M!r}.")
        res = t.resolution
        if res is not None and (
            isinstance(res, bool) or not isinstance(res, (int, np.integer)) or res < 0 or res == 1
        ):
            raise ValueError(f"theory.resolution must be 0 (off) or an integer >= 2; got {res!r}.")
    g = spec.given
    if g("beta") == g("T"):
        raise ValueError(
            "give exactly one of beta and T (as an axis or in fixed); "
            f"beta {'and T are both' if g('beta') else 'and T are both missing'}."
        )
    if g("rho") and (g("r") or g("M")):
        raise ValueError(
            "r and rho are incompatible: give rho, or r and M (rho = (1-r^2)/(M r^2))."
        )
    if g("alpha") and g("K"):
        raise ValueError("alpha and K are incompatible: alpha means high storage, K low storage.")
    if spec.protocol == "hebbian":
        for name in ("r", "M", "rho"):
            if g(name):
                raise ValueError(
                    f"{name} is incompatible with protocol 'hebbian' (patterns are stored "
                    "directly); use protocol 'supervised' or 'unsupervised'."
                )
    else:
        if not (g("rho") or (g("r") and g("M"))):
            raise ValueError(f"protocol {spec.protocol!r} needs the data: give rho, or r and M.")
    if spec.multitasking:
        if P != 2:
            raise ValueError(f"multitasking networks have P = 2; got model.P={P}.")
        if g("alpha"):
            raise ValueError("multitasking is low storage: give K, not alpha.")
        if not g("d"):
            raise ValueError("multitasking needs the dilution d (axis or fixed).")
        mc_K = spec.montecarlo is not None and spec.montecarlo.K is not None
        if not (g("K") or mc_K):
            raise ValueError("multitasking needs K (fixed.K, a K axis or montecarlo.K).")
    elif g("d"):
        raise ValueError("d (dilution) needs model.multitasking = true.")
    if spec.montecarlo is not None:
        _validate_mc(spec)
    if spec.adaptive is not None:
        _validate_adaptive(spec)


def _validate_adaptive(spec: SweepSpec) -> None:
    a = spec.adaptive
    for key, low in (("points", 4), ("batch", 1)):
        v = getattr(a, key)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"adaptive.{key} must be an integer >= {low}; got {v!r}.")
    check_adaptive_points(a.points)
    _choice("adaptive.variable", a.variable, ("m", "n", "q"))
    if spec.points is not None or len(spec.axes) != 2:
        raise ValueError(
            "adaptive needs exactly two axes (their smallest and largest values bound the "
            f"box); got {list(spec.grid_names)}."
        )
    if spec.theory is None or spec.montecarlo is not None or spec.multitasking:
        raise ValueError("adaptive diagrams are theory-only: give [theory] and no [montecarlo].")
    if "P" in spec.axes:
        raise ValueError("adaptive: P cannot be an adaptive axis (it takes integers).")
    for name, values in spec.axes.items():
        if np.ptp(values) <= 0:
            raise ValueError(f"adaptive: axes.{name} needs two different values (the bounds).")


def _validate_mc(spec: SweepSpec) -> None:
    mc = spec.montecarlo
    for key in ("sweeps", "chains", "samples"):
        v = getattr(mc, key)
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"montecarlo.{key} must be an integer >= 1; got {v!r}.")
    if (
        isinstance(mc.burn_in, bool)
        or not isinstance(mc.burn_in, (int, np.integer))
        or (mc.burn_in < 0)
    ):
        raise ValueError(f"montecarlo.burn_in must be an integer >= 0; got {mc.burn_in!r}.")
    _choice("montecarlo.dynamics", mc.dynamics, DYNAMICS)
    _choice("montecarlo.init", mc.init, ("archetype", "random"))
    from hopfield_sim._spec_options import check_run_options

    as_T = spec.given("T")
    check_run_options(mc, _values(spec, "T" if as_T else "beta"), as_T)
    for name in ("N", "K"):
        v = getattr(mc, name)
        if v is None:
            continue
        if spec.given(name):
            raise ValueError(f"{name} is given both in [montecarlo] and as a grid/fixed value.")
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"montecarlo.{name} must be an integer >= 1; got {v!r}.")
    if mc.K is not None and spec.given("alpha"):
        raise ValueError("montecarlo.K and alpha are incompatible: alpha sets K = alpha N^(P-1).")
    if mc.N is None and not spec.given("N"):
        raise ValueError("montecarlo needs N: set montecarlo.N, fixed.N or an N axis.")
    if spec.protocol != "hebbian" and spec.given("rho"):
        raise ValueError(
            "montecarlo needs r and M (rho fixes only their combination); give r and M, not rho."
        )
    if spec.multitasking and mc.K is None and not spec.given("K"):
        raise ValueError("multitasking Monte Carlo needs K (montecarlo.K, fixed.K or an axis).")
    N_values = np.atleast_1d(mc.N if mc.N is not None else _values(spec, "N"))
    P_max = int(spec.P) if spec.P is not None else int(_values(spec, "P").max())
    if np.any(N_values < P_max):
        raise ValueError(f"N must be >= P={P_max} for Monte Carlo; got N={N_values.min():g}.")
    if mc.dynamics == "zero_temperature":
        T = _values(spec, "T") if spec.given("T") else 1.0 / _values(spec, "beta")
        if np.any(np.atleast_1d(T) != 0):
            raise ValueError(
                "montecarlo.dynamics='zero_temperature' runs at T = 0; the grid has T > 0. "
                "Use 'glauber' or 'metropolis' (at T = 0 they switch to zero-temperature "
                "dynamics by themselves)."
            )


def _values(spec: SweepSpec, name: str) -> np.ndarray:
    """All values ``name`` takes (grid or fixed)."""
    if name in spec.fixed:
        return np.array([spec.fixed[name]])
    grid = spec.points if spec.points is not None else spec.axes
    return np.asarray(grid[name], dtype=float)


def _choice(key: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(map(repr, allowed))}; got {value!r}.")
