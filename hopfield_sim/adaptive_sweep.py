"""Adaptive 2-d theory diagrams: points gathered at phase boundaries instead of a grid.

A spec with an ``[adaptive]`` table (:class:`~hopfield_sim.spec.AdaptiveOptions`) and two
axes is resolved before the sweep runs: :class:`adaptive.Learner2D` proposes points in the
box spanned by the axes, the replica theory is solved at each batch of them, and the
learner, which refines the triangles where the order parameter changes most, sends the next
points to the phase boundaries. The chosen points become an explicit-points spec (one dim
``point``), whose theory values are already known, so the sweep stores them without solving
again. The learner is deterministic, so rerunning the same spec proposes the same points and
finds the stored result complete.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from hopfield_sim._grid import Grid
    from hopfield_sim.spec import SweepSpec

#: attribute of the result holding the adaptive spec it was resolved from
ADAPTIVE_ATTR = "adaptive_spec"


def resolve(spec: SweepSpec, *, progress: bool = False, solve=None) -> tuple[SweepSpec, Any]:
    """Run the learner; return the explicit-points spec and a runner with its theory values.

    Parameters
    ----------
    spec : SweepSpec
        With ``adaptive`` set and exactly two axes.
    progress : bool
        Show a progress bar (points solved).
    solve : callable, optional
        ``solve(spec, xs, ys) -> {name: (extra dims, array of len(xs))}`` instead of the
        replica theory (tests).

    Returns
    -------
    (SweepSpec, callable)
        The points spec and a theory runner ``runner(spec, grid)`` that returns the values
        computed during the search for any subset of its points.
    """
    import adaptive
    from tqdm.auto import tqdm

    from hopfield_sim.spec import spec_from_dict

    opts = spec.adaptive
    x, y = spec.axes
    bounds = [(float(np.min(v)), float(np.max(v))) for v in spec.axes.values()]
    solve = solve or _solve_points
    learner = adaptive.Learner2D(None, bounds=bounds)
    cache: dict[tuple[float, float], dict[str, Any]] = {}
    target = f"{opts.variable}"
    with tqdm(total=opts.points, unit="pt", desc="adaptive theory", disable=not progress) as bar:
        while len(cache) < opts.points:
            n = min(opts.batch, opts.points - len(cache))
            pts, _ = learner.ask(n)
            pts = [(float(a), float(b)) for a, b in pts]
            out = solve(spec, np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
            if target not in out:
                raise KeyError(f"adaptive.variable {target!r} is not computed by this theory.")
            for i, p in enumerate(pts):
                cache[p] = {name: (dims, np.asarray(v)[i]) for name, (dims, v) in out.items()}
                value = float(np.asarray(out[target][1])[i])
                learner.tell(p, value if np.isfinite(value) else 0.0)
            bar.update(len(pts))
    chosen = sorted(cache)
    plain = spec.to_dict()
    plain.pop("axes")
    plain.pop("adaptive")
    plain["points"] = {x: [p[0] for p in chosen], y: [p[1] for p in chosen]}
    resolved = spec_from_dict(plain)

    def runner(sub: SweepSpec, grid: Grid) -> dict:
        keys = list(zip(grid.columns[x].tolist(), grid.columns[y].tolist()))
        names = cache[keys[0]]
        return {
            name: (names[name][0], np.stack([np.asarray(cache[k][name][1]) for k in keys]))
            for name in names
        }

    runner.source = spec.to_json()  # type: ignore[attr-defined]
    return resolved, runner


def _solve_points(spec: SweepSpec, xs: np.ndarray, ys: np.ndarray) -> dict:
    """Theory at points (xs[i], ys[i]): one vectorised solve on the outer product of the
    batch's distinct values, of which the wanted pairs are kept (cheaper than one call per
    point)."""
    from hopfield_sim._runners import THEORY_VARIABLES, _solve, is_sweep_variable

    x, y = spec.axes
    ux, ix = np.unique(xs, return_inverse=True)
    uy, iy = np.unique(ys, return_inverse=True)
    # pad to the batch size: one array shape for every batch, so JAX compiles once
    size = max(spec.adaptive.batch, ux.size, uy.size)
    params: dict[str, Any] = dict(spec.fixed)
    params[x] = np.pad(ux, (0, size - ux.size), mode="edge")
    params[y] = np.pad(uy, (0, size - uy.size), mode="edge")
    ds = _solve(spec, params)
    out = {}
    for name in THEORY_VARIABLES:
        if not is_sweep_variable(ds, name):
            continue
        da = ds[name]
        if not {x, y} <= set(da.dims):
            da = da.broadcast_like(ds["m"])
        rest = [d for d in da.dims if d not in (x, y)]
        arr = np.asarray(da.transpose(x, y, *rest).values)
        out[name] = (tuple(rest), arr[ix.ravel(), iy.ravel()])
    return out


def source_json(spec: SweepSpec) -> str:
    """The adaptive spec as stored in the result's :data:`ADAPTIVE_ATTR` attribute."""
    return json.dumps(spec.to_dict())
