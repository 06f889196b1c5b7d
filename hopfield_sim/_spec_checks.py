"""Checks of a whole :class:`~hopfield_sim.spec.SweepSpec` across its keys, run when it is
built: model, seed, grid, theory and Monte Carlo options, which parameters go together.

One small function per rule group; every error names the offending key and says what is
allowed (docs/sweeps.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from _hopfield_base import vocabulary
from hopfield_sim._sizes import check_adaptive_points
from hopfield_sim._spec_values import choice, is_integer

if TYPE_CHECKING:
    from hopfield_sim.spec import SweepSpec


def validate(spec: SweepSpec) -> None:
    """Raise on the first inconsistency of ``spec``."""
    _check_model(spec)
    _check_seed(spec.seed)
    _check_grid(spec)
    if spec.theory is None and spec.montecarlo is None:
        raise ValueError("nothing to run: give a [theory] table, a [montecarlo] table or both.")
    if spec.theory is not None:
        _check_theory(spec.theory)
    _check_temperature_and_data(spec)
    _check_multitasking(spec)
    if spec.montecarlo is not None:
        _check_mc(spec)
    if spec.adaptive is not None:
        _check_adaptive(spec)


def values(spec: SweepSpec, name: str) -> np.ndarray:
    """All values ``name`` takes (grid or fixed)."""
    if name in spec.fixed:
        return np.array([spec.fixed[name]])
    grid = spec.points if spec.points is not None else spec.axes
    return np.asarray(grid[name], dtype=float)


def largest_P(spec: SweepSpec) -> int:
    """``model.P``, or the largest value of the ``P`` axis."""
    return int(spec.P) if spec.P is not None else int(values(spec, "P").max())


def _check_model(spec: SweepSpec) -> None:
    choice("model.protocol", spec.protocol, vocabulary.PROTOCOLS)
    if spec.P is not None and not is_integer(spec.P, 2):
        raise ValueError(f"model.P must be an integer >= 2; got {spec.P!r}.")


def _check_seed(seed: object) -> None:
    if not is_integer(seed, 0) or not seed < 2**63:  # type: ignore[operator]
        # stored as a 64-bit integer attribute
        raise ValueError(f"seed must be a non-negative integer below 2**63; got {seed!r}.")


def _check_grid(spec: SweepSpec) -> None:
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


def _check_theory(t) -> None:
    choice("theory.level", t.level, vocabulary.LEVELS)
    choice("theory.branch", t.branch, vocabulary.BRANCHES)
    if not isinstance(t.finite_M, bool):
        raise TypeError(f"theory.finite_M must be true or false; got {t.finite_M!r}.")
    res = t.resolution
    if res is not None and (not is_integer(res, 0) or res == 1):
        raise ValueError(f"theory.resolution must be 0 (off) or an integer >= 2; got {res!r}.")


def _check_temperature_and_data(spec: SweepSpec) -> None:
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
    elif not (g("rho") or (g("r") and g("M"))):
        raise ValueError(f"protocol {spec.protocol!r} needs the data: give rho, or r and M.")


def _check_multitasking(spec: SweepSpec) -> None:
    g = spec.given
    if not spec.multitasking:
        if g("d"):
            raise ValueError("d (dilution) needs model.multitasking = true.")
        return
    P = largest_P(spec)
    if P != 2:
        raise ValueError(f"multitasking networks have P = 2; got model.P={P}.")
    if g("alpha"):
        raise ValueError("multitasking is low storage: give K, not alpha.")
    if not g("d"):
        raise ValueError("multitasking needs the dilution d (axis or fixed).")
    mc_K = spec.montecarlo is not None and spec.montecarlo.K is not None
    if not (g("K") or mc_K):
        raise ValueError("multitasking needs K (fixed.K, a K axis or montecarlo.K).")


def _check_adaptive(spec: SweepSpec) -> None:
    a = spec.adaptive
    for key, low in (("points", 4), ("batch", 1)):
        v = getattr(a, key)
        if not is_integer(v, low):
            raise ValueError(f"adaptive.{key} must be an integer >= {low}; got {v!r}.")
    check_adaptive_points(a.points)
    choice("adaptive.variable", a.variable, vocabulary.ORDER_PARAMETERS)
    if spec.points is not None or len(spec.axes) != 2:
        raise ValueError(
            "adaptive needs exactly two axes (their smallest and largest values bound the "
            f"box); got {list(spec.grid_names)}."
        )
    if spec.theory is None or spec.montecarlo is not None or spec.multitasking:
        raise ValueError("adaptive diagrams are theory-only: give [theory] and no [montecarlo].")
    if "P" in spec.axes:
        raise ValueError("adaptive: P cannot be an adaptive axis (it takes integers).")
    for name, vals in spec.axes.items():
        if np.ptp(vals) <= 0:
            raise ValueError(f"adaptive: axes.{name} needs two different values (the bounds).")


def _check_mc(spec: SweepSpec) -> None:
    from hopfield_sim._spec_options import check_run_options

    mc = spec.montecarlo
    _check_mc_counts(mc)
    choice("montecarlo.dynamics", mc.dynamics, vocabulary.DYNAMICS)
    choice("montecarlo.init", mc.init, vocabulary.INITS)
    as_T = spec.given("T")
    check_run_options(mc, values(spec, "T" if as_T else "beta"), as_T)
    _check_mc_sizes(spec)
    _check_mc_data(spec)
    N_values = np.atleast_1d(mc.N if mc.N is not None else values(spec, "N"))
    P_max = largest_P(spec)
    if np.any(N_values < P_max):
        raise ValueError(f"N must be >= P={P_max} for Monte Carlo; got N={N_values.min():g}.")
    if mc.dynamics == "zero_temperature":
        T = values(spec, "T") if spec.given("T") else 1.0 / values(spec, "beta")
        if np.any(np.atleast_1d(T) != 0):
            raise ValueError(
                "montecarlo.dynamics='zero_temperature' runs at T = 0; the grid has T > 0. "
                "Use 'glauber' or 'metropolis' (at T = 0 they switch to zero-temperature "
                "dynamics by themselves)."
            )


def _check_mc_counts(mc) -> None:
    for key in ("sweeps", "chains", "samples"):
        v = getattr(mc, key)
        if not is_integer(v, 1):
            raise ValueError(f"montecarlo.{key} must be an integer >= 1; got {v!r}.")
    if not is_integer(mc.burn_in, 0):
        raise ValueError(f"montecarlo.burn_in must be an integer >= 0; got {mc.burn_in!r}.")


def _check_mc_sizes(spec: SweepSpec) -> None:
    mc = spec.montecarlo
    for name in ("N", "K"):
        v = getattr(mc, name)
        if v is None:
            continue
        if spec.given(name):
            raise ValueError(f"{name} is given both in [montecarlo] and as a grid/fixed value.")
        if not is_integer(v, 1):
            raise ValueError(f"montecarlo.{name} must be an integer >= 1; got {v!r}.")
    if mc.K is not None and spec.given("alpha"):
        raise ValueError("montecarlo.K and alpha are incompatible: alpha sets K = alpha N^(P-1).")
    if mc.N is None and not spec.given("N"):
        raise ValueError("montecarlo needs N: set montecarlo.N, fixed.N or an N axis.")


def _check_mc_data(spec: SweepSpec) -> None:
    if spec.protocol != "hebbian" and spec.given("rho"):
        raise ValueError(
            "montecarlo needs r and M (rho fixes only their combination); give r and M, not rho."
        )
    if spec.multitasking and spec.montecarlo.K is None and not spec.given("K"):
        raise ValueError("multitasking Monte Carlo needs K (montecarlo.K, fixed.K or an axis).")
