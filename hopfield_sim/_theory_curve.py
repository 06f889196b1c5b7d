"""Theory curves on their own fine grid, with the first-order jump at the computed transition.

A sweep solves the theory at its grid points, which for a Monte Carlo comparison are few;
joined by straight lines they turn the jump of ``m`` at a first-order transition into a
ramp. :func:`fine_curve` re-solves the stored spec along one axis on ``[theory]
resolution`` points (default :data:`~hopfield_sim.spec.RESOLUTION`) and, for the retrieval
branch in the (alpha, T) plane of the Hebbian and supervised models, locates the transition
with :mod:`theory.lines`:

* the **spinodal** (``kind = "spinodal"``): the retrieval branch ends (at T = 0, P = 2 the
  AGS capacity alpha_c = 0.138); the curve jumps there from the last retrieval value to the
  m = 0 branch (a vertical segment, both end points are in the curve);
* the **thermodynamic** line (``kind = "thermodynamic"``): retrieval is the global minimum
  of the free energy below it (P = 2, T = 0: alpha = 0.051); between the two the retrieval
  state is metastable.

Nothing here is stored: the curve follows from the spec in the file's ``sweep_spec``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from _hopfield_base.vocabulary import LINE_PROTOCOLS

if TYPE_CHECKING:
    import xarray as xr

#: axes along which a transition is located, and the matching theory.lines function
_LINE = {"alpha": "load_line", "T": "temperature_line"}
#: relative tolerance of the computed branch end (theory.lines bisects to better than this)
_TOL = 1e-3


@dataclass
class FineCurve:
    """Theory ``ys`` at ``xs`` (grid + transitions); ``transitions``: kind -> x."""

    xs: np.ndarray
    ys: np.ndarray
    transitions: dict[str, float] = field(default_factory=dict)


def fine_curve(
    ds: xr.Dataset, x: str, at: dict, variable: str = "m", *, log: bool = False
) -> FineCurve | None:
    """The theory along ``x`` on a fine grid, other parameters at ``at`` (name -> value).

    ``None`` when the Dataset has no stored spec with theory, ``x`` is not a numeric grid
    axis the theory depends on, or ``[theory] resolution = 0``.
    """
    from hopfield_sim.spec import RESOLUTION, spec_from_dict

    try:
        spec = spec_from_dict(__import__("json").loads(ds.attrs["sweep_spec"]))
    except (KeyError, TypeError, ValueError):
        return None
    n = spec.theory.resolution if spec.theory is not None else 0
    n = RESOLUTION if n is None else int(n)
    if (
        n == 0
        or spec.points is not None
        or spec.multitasking
        or x not in spec.axes
        or x in ("N", "K", "P")
    ):
        return None
    lo, hi = float(np.min(spec.axes[x])), float(np.max(spec.axes[x]))
    if x == "M":  # examples per archetype: integers only
        xs = np.unique(np.round(np.geomspace(max(lo, 1), hi, n) if log else np.linspace(lo, hi, n)))
    else:
        xs = np.geomspace(lo, hi, n) if log and lo > 0 else np.linspace(lo, hi, n)
    params = {k: float(v) for k, v in spec.fixed.items()}
    params.update({k: float(v) for k, v in at.items() if k in spec.axes and k != x})
    if x == "T" and "beta" in params:
        params.pop("beta")
    if x == "beta":
        return None  # plotted against T; a beta axis keeps the grid-point theory
    transitions = _transitions(spec, x, params, variable, lo, hi)
    xs = np.union1d(xs, list(transitions.values()))
    from hopfield_sim._runners import _solve

    params[x] = xs
    import warnings

    with warnings.catch_warnings():  # unconverged points (at the branch end) are dropped
        warnings.filterwarnings("ignore", message=".*did not converge")
        out = _solve(spec, params)
    if variable not in out:
        return None
    ys = np.asarray(out[variable].values, dtype=float)
    ys = ys if ys.ndim == 1 else ys[..., 0]
    if "converged" in out:
        ok = np.asarray(out["converged"].values, bool).reshape(ys.shape)
        ok |= np.isin(xs, list(transitions.values()))
        xs, ys = xs[ok], ys[ok]
    if "spinodal" in transitions:  # the jump: last retrieval value, then the m = 0 branch
        edge = transitions["spinodal"]
        m_lo = float(ys[np.argmin(np.abs(xs - edge))])
        # beyond the branch end the retrieval state is gone (m = 0 for the equilibrium
        # branches); points within the bisection tolerance that still retrieve are dropped
        before = xs < edge
        after = (xs > edge) & ~((xs < edge * (1 + _TOL)) & (np.abs(ys) > 1e-3))
        xs = np.concatenate([xs[before], [edge, edge], xs[after]])
        ys = np.concatenate([ys[before], [m_lo, 0.0], ys[after]])
    return FineCurve(xs, ys, transitions)


def _transitions(spec, x: str, params: dict, variable: str, lo: float, hi: float) -> dict:
    """Spinodal and thermodynamic positions along ``x`` inside [lo, hi] (retrieval branch)."""
    if (
        x not in _LINE
        or variable != "m"
        or spec.protocol not in LINE_PROTOCOLS
        or spec.theory.level != "RS"
        or spec.theory.branch != "retrieval"
        or spec.P is None
    ):
        return {}
    import theory.lines as lines

    rho = params.get("rho", 0.0)
    if "r" in params and "M" in params:
        r, M = params["r"], params["M"]
        rho = (1 - r**2) / (M * r**2)
    if x == "alpha":
        T = params.get("T", 1.0 / params["beta"] if params.get("beta") else 0.0)
        other = {"T": np.array([T])}
    else:
        other = {"alpha": np.array([params.get("alpha", 0.0)])}
    out = {}
    for kind in ("spinodal", "thermodynamic"):
        value = float(getattr(lines, _LINE[x])(spec.P, **other, kind=kind, rho=rho,
                                               protocol=spec.protocol)[0])  # fmt: skip
        if np.isfinite(value) and lo < value < hi:
            out[kind] = value
    return out


def transition_label(x: str, kind: str, value: float) -> str:
    """Legend text of a transition line along ``x`` (spinodal: the retrieval branch ends;
    thermodynamic: retrieval is the global free-energy minimum below it)."""
    if x == "alpha":
        name = "capacity alpha_c" if kind == "spinodal" else "alpha_th"
    else:
        name = "T_M" if kind == "spinodal" else "T_c"
    what = "spinodal, m jumps" if kind == "spinodal" else "thermodynamic"
    return f"{name} = {value:.4g} ({what})"
