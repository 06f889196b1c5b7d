"""Figures of sweep results: phase diagrams (theory lines over simulation points) and curves.

Uses matplotlib's non-interactive Agg backend when none is chosen, labels every axis from
the Dataset's ``long_name``/``units`` attributes, and draws with the Okabe-Ito palette and
the ``cividis`` colour map, both readable with colour-vision deficiencies.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

#: Okabe & Ito (2008) colour-blind-safe palette
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
CMAP = "cividis"
SPINODAL = "T_M"  # label prefix of the retrieval spinodal line
# (colour, line style) of the P = 2 transition lines, by label prefix
_LINE_STYLE = {"T_g": (OKABE_ITO[3], "-"), "T_M": (OKABE_ITO[1], "-"), "T_c": (OKABE_ITO[2], "--")}


def _pyplot():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "cairo"):
        try:
            matplotlib.use("Agg", force=False)
        except Exception:  # pragma: no cover - an interactive backend is already running
            pass
    import matplotlib.pyplot as plt

    return plt


def label(ds: xr.Dataset, name: str) -> str:
    """Axis label ``long_name [units]`` (units omitted when dimensionless)."""
    attrs = ds[name].attrs if name in ds.variables else {}
    text = attrs.get("long_name", name)
    units = attrs.get("units", "1")
    return text if units in ("1", "") else f"{text} [{units}]"


def plot_phase_diagram(
    ds: xr.Dataset,
    x: str = "alpha",
    y: str = "T",
    *,
    variable: str = "m",
    lines: Mapping[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    theory_lines: bool | str = True,
    threshold: float = 0.1,
    ax: Any = None,
    path: str | Path | None = None,
):
    """Phase diagram in the (x, y) plane: theory over simulation points.

    Parameters
    ----------
    ds : xarray.Dataset
        Sweep result with ``x`` and ``y`` among its coordinates.
    x, y : str
        Coordinates on the horizontal and vertical axes (e.g. ``"alpha"``, ``"T"``).
    variable : str
        Order parameter: ``{variable}_theory`` is shaded (where it exceeds ``threshold`` the
        retrieval solution exists; its boundary is drawn as a line) and ``{variable}_mc``
        is drawn as points coloured by value.
    lines : mapping of str to (xs, ys), optional
        Extra labelled lines (e.g. published transition lines).
    theory_lines : bool or "all"
        ``True``: the lines of :mod:`theory.lines` for this model in the (alpha, T) plane; for
        P = 2 the spin-glass line T_g = 1 + sqrt(alpha) and the solved retrieval lines T_M
        (retrieval states exist below it) and T_c (retrieval is the global minimum below
        it), about a second. ``"all"``: the solved retrieval lines for every P as well;
        ``False``: none. Unless T_M is drawn, the retrieval boundary of the theory grid is
        drawn as the ``threshold`` contour.
    threshold : float
        Level of the theory contour separating retrieval from non-retrieval.
    ax : matplotlib Axes, optional
        Draw into these axes.
    path : str or Path, optional
        Save the figure (format from the suffix: .png, .pdf, .svg).

    Returns
    -------
    matplotlib.figure.Figure
    """
    for name in (x, y):
        if name not in ds.coords:
            raise KeyError(f"{name!r} is not a coordinate of the Dataset; have {list(ds.coords)}.")
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.6), layout="constrained")
    fig = ax.figure
    extra = dict(lines or {})
    if theory_lines:
        extra.update(_model_lines(ds, x, y, solved=theory_lines == "all"))
    _theory_shading(ds, x, y, variable, threshold, extra, ax)
    limits = (ax.get_xlim(), ax.get_ylim()) if ax.collections else None
    _draw_lines(ax, extra)
    if limits is not None:  # the grid sets the frame; lines are clipped to it
        # cells are centred on the grid points: keep non-negative parameters (alpha, T, ...)
        # out of negative values, where the first cell would otherwise reach
        (x0, x1), (y0, y1) = limits
        ax.set_xlim(max(x0, 0.0) if float(ds[x].min()) >= 0 else x0, x1)
        ax.set_ylim(max(y0, 0.0) if float(ds[y].min()) >= 0 else y0, y1)
    if f"{variable}_mc" in ds and "done_mc" in ds:
        _mc_points(ds, x, y, variable, ax)
    ax.set_xlabel(label(ds, x))
    ax.set_ylabel(label(ds, y))
    ax.set_title(_title(ds))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", fontsize="small", framealpha=0.9)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def _theory_shading(ds, x, y, variable, threshold, extra, ax) -> None:
    """``{variable}_theory`` shaded over the (x, y) grid (or its scattered adaptive points)
    with the ``threshold`` contour, unless a solved spinodal line is among ``extra``."""
    fig = ax.figure
    th = f"{variable}_theory"
    if th in ds and {x, y} <= set(ds[th].dims):
        field = ds[th].where(ds.get("converged_theory", True)).transpose(y, x, ...)
        if field.ndim > 2:
            field = field.isel({d: 0 for d in field.dims[2:]})
        X, Y = np.meshgrid(ds[x].values, ds[y].values)
        mesh = ax.pcolormesh(
            X, Y, field.values, cmap=CMAP, shading="auto", vmin=0, vmax=1, alpha=0.85
        )
        fig.colorbar(mesh, ax=ax, label=label(ds, th))
        # the grid's own retrieval boundary, unless the solved spinodal is drawn
        spinodal = any(name.startswith(SPINODAL) for name in extra)
        if not spinodal and np.nanmax(field.values) > threshold > np.nanmin(field.values):
            ax.contour(X, Y, field.values, levels=[threshold], colors=OKABE_ITO[7], linewidths=1.5)
            ax.plot([], [], color=OKABE_ITO[7], lw=1.5, label=f"theory: {variable} = {threshold:g}")
    elif th in ds and ds[x].dims == ds[y].dims == ds[th].dims[:1] and ds[th].ndim == 1:
        _scattered_theory(ds, x, y, th, threshold, ax, fig, variable)


def _draw_lines(ax, extra: Mapping) -> None:
    """Labelled lines (a single point is a star), white halo, fixed styles for known ones."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=4.5, foreground="white", alpha=0.7)]
    colours = iter(OKABE_ITO[1:])
    for name, (xs, ys) in extra.items():
        colour, style = _LINE_STYLE.get(name.split(" ")[0], (next(colours), "-"))
        point = len(xs) == 1
        ax.plot(xs, ys, color=colour, lw=2.2, marker="*" if point else None, ms=14,
                ls="none" if point else style, label=name, clip_on=not point, zorder=4,
                path_effects=halo)  # fmt: skip


def _mc_points(ds, x, y, variable, ax) -> None:
    """Finished Monte Carlo points coloured by value; unreliable ones hollow."""
    mc = f"{variable}_mc"
    xs, ys, vs = (
        np.broadcast_to(a, ds[mc].shape).ravel()
        for a in (
            ds[x].broadcast_like(ds[mc]).values,
            ds[y].broadcast_like(ds[mc]).values,
            ds[mc].values,
        )
    )
    ok = np.asarray(ds["done_mc"].values, bool).ravel() & np.isfinite(vs)
    good = np.ones(ok.shape, bool)
    if "reliable_mc" in ds:
        good = np.broadcast_to(
            ds["reliable_mc"].astype(bool).broadcast_like(ds[mc]).values, ds[mc].shape
        ).ravel()
    ax.scatter(
        xs[ok & good],
        ys[ok & good],
        c=vs[ok & good],
        cmap=CMAP,
        vmin=0,
        vmax=1,
        # a dark rim on light points and a light rim on dark ones: visible on the shading
        edgecolors=np.where(vs[ok & good] > 0.5, "black", "white"),
        linewidths=1.3,
        marker="o",
        s=55,
        zorder=5,
        label=f"Monte Carlo {variable}",
    )
    bad = ok & ~good
    if bad.any():  # hollow: the value is the rim colour
        from matplotlib import colormaps

        rims = colormaps[CMAP](np.clip(vs[bad], 0, 1))
        ax.scatter(xs[bad], ys[bad], facecolors="none", edgecolors=rims, linewidths=2.2,
                   marker="o", s=55, zorder=5, label="hollow: reliable_mc = False")  # fmt: skip


def _scattered_theory(ds, x, y, th, threshold, ax, fig, variable) -> None:
    """Theory at scattered points (an adaptive diagram): shading on their triangulation,
    the ``threshold`` contour, and the points themselves (denser at phase boundaries)."""
    ok = np.isfinite(ds[th].values) & np.asarray(ds.get("converged_theory", True), bool)
    xs, ys, vs = ds[x].values[ok], ds[y].values[ok], ds[th].values[ok]
    mesh = ax.tripcolor(xs, ys, vs, cmap=CMAP, shading="gouraud", vmin=0, vmax=1, alpha=0.85)
    fig.colorbar(mesh, ax=ax, label=label(ds, th))
    if np.nanmax(vs) > threshold > np.nanmin(vs):
        ax.tricontour(xs, ys, vs, levels=[threshold], colors=OKABE_ITO[7], linewidths=1.5)
        ax.plot([], [], color=OKABE_ITO[7], lw=1.5, label=f"theory: {variable} = {threshold:g}")
    ax.plot(xs, ys, ".", ms=1.5, color="0.3", alpha=0.6, label=f"{xs.size} adaptive points")


def plot_curves(
    ds: xr.Dataset,
    x: str,
    hue: str | None = None,
    *,
    variable: str = "m",
    ax: Any = None,
    path: str | Path | None = None,
):
    """``variable`` versus ``x`` at each value of ``hue``: theory lines, simulation error bars.

    The theory is drawn on its own fine grid (``[theory] resolution`` points of the stored
    spec, default :data:`~hopfield_sim.spec.RESOLUTION`), with the first-order jump of the
    retrieval branch as a vertical segment at the computed spinodal, and the spinodal
    (dotted) and thermodynamic (dashed) positions marked (see
    :mod:`hopfield_sim._theory_curve`). Without a stored spec, the theory of the grid points
    is joined by lines. Monte Carlo points with ``reliable_mc = False`` are drawn hollow.

    Parameters
    ----------
    ds : xarray.Dataset
        Sweep result whose grid has ``x`` (and ``hue``) as dimensions. Any other grid dim
        must have one value (select with ``ds.sel``/``ds.isel`` first); an ``N`` dim is the
        default ``hue``: the theory (N -> infinity) is one line, the simulation one series
        per N (finite-size effects).
    x : str
        Horizontal axis (e.g. ``"M"``).
    hue : str, optional
        One curve per value of this dimension (e.g. ``"r"``).
    variable, ax, path
        As in :func:`plot_phase_diagram`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    hue, extra = _curve_dims(ds, x, hue)
    plt = _pyplot()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6.0, 4.4))
    sub = ds.isel({d: 0 for d in extra})
    values = sub[hue].values if hue else [None]
    log = _log_axis(ds, x)
    th, mc = f"{variable}_theory", f"{variable}_mc"
    one_theory = hue in ("N", None)  # the theory does not depend on N
    marked: set[str] = set()
    for k, (value, colour) in enumerate(zip(values, OKABE_ITO * 4)):
        one = sub.sel({hue: value}) if hue else sub
        tag = f"{hue} = {value:g}" if hue else ""
        if th in one and (k == 0 or not one_theory):
            at = {c: float(one[c]) for c in one.coords if one[c].ndim == 0 and c != x}
            text = "theory (N -> infinity)" if one_theory else f"theory {tag}"
            _theory_line(ax, one, x, at, variable, text, "0.15" if one_theory and hue else colour,
                         log, marked)  # fmt: skip
        if mc in one:
            _mc_series(ax, one, x, variable, colour, f"Monte Carlo {tag}".strip())
    if mc in sub and "reliable_mc" in sub and not bool(sub["reliable_mc"].all()):
        ax.plot([], [], "o", mfc="white", color="0.3", label="hollow: reliable_mc = False")
    ax.set_xlabel(label(ds, x))
    ref = th if th in ds else mc
    ax.set_ylabel(label(ds, ref).replace(" (theory)", "").replace(" (Monte Carlo)", ""))
    if log:
        ax.set_xscale("log")
    title = _title(sub)
    if hue != "N" and "N_mc" in sub and np.unique(sub["N_mc"].values).size == 1:
        title += f"; Monte Carlo N = {float(sub['N_mc'].values.flat[0]):g}"
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def _curve_dims(ds: xr.Dataset, x: str, hue: str | None) -> tuple[str | None, list[str]]:
    """``(hue, other grid dims)`` of :func:`plot_curves`: ``N`` is the default hue; every
    other grid dim must have one value."""
    if x not in ds.dims:
        raise KeyError(f"x={x!r} is not a grid dimension; have {list(ds.dims)}.")
    if hue is not None and hue not in ds.dims:
        raise KeyError(f"hue={hue!r} is not a grid dimension; have {list(ds.dims)}.")
    extra = [d for d in ds.dims if d not in (x, hue) and d in _grid_dims(ds)]
    if hue is None and "N" in extra and ds.sizes["N"] > 1:
        hue = "N"
        extra.remove("N")
    several = [d for d in extra if ds.sizes[d] > 1]
    if several:
        d = several[0]
        raise ValueError(
            f"plot_curves: grid dim {d!r} has {ds.sizes[d]} values; draw one with "
            f"ds.sel({d}=...) or pass hue={d!r}."
        )
    return hue, extra


def _grid_dims(ds: xr.Dataset) -> tuple[str, ...]:
    try:
        from hopfield_sim._layout import grid_dims

        return grid_dims(ds)
    except (KeyError, ValueError):
        return tuple(d for d in ds.dims if d not in ("pattern", "sample", "chain"))


def _log_axis(ds: xr.Dataset, x: str) -> bool:
    xs = np.asarray(ds[x].values, float)
    return bool(np.all(np.diff(xs) > 0) and xs.min() > 0 and xs.max() / xs.min() > 50)


def _theory_line(ax, one, x, at, variable, text, colour, log, marked) -> None:
    """The theory on its own fine grid (with its transitions), or at the grid points."""
    from hopfield_sim._theory_curve import fine_curve, transition_label

    curve = None
    try:
        curve = fine_curve(one, x, at, variable, log=log)
    except Exception as exc:  # decoration over stored values: never fail a plot on it
        warnings.warn(f"theory not drawn on a fine grid ({exc}); grid points joined", stacklevel=3)
    if curve is None:
        ax.plot(one[x], one[f"{variable}_theory"], color=colour, lw=2, label=text)
        return
    integer = x in ("M", "N", "K", "P")  # the theory exists at integer values only
    ax.plot(curve.xs, curve.ys, color=colour, lw=1.2 if integer else 2, label=text, zorder=3,
            marker="." if integer else None, ms=4)  # fmt: skip
    for kind, style in (("spinodal", ":"), ("thermodynamic", "--")):
        if kind in curve.transitions:
            value = curve.transitions[kind]
            name = transition_label(x, kind, value)
            ax.axvline(value, color=_LINE_STYLE["T_M" if kind == "spinodal" else "T_c"][0],
                       ls=style, lw=1.2, zorder=2,
                       label=None if name in marked else name)  # fmt: skip
            marked.add(name)


def _mc_series(ax, one, x, variable, colour, text) -> None:
    """Monte Carlo means with error bars: filled markers, hollow where not reliable."""
    mc = one[f"{variable}_mc"]
    err = one.get(f"{variable}_mc_err")
    xs, ys = np.asarray(one[x].values, float), np.asarray(mc.values, float)
    es = None if err is None else np.asarray(err.values, float)
    good = (
        np.asarray(one["reliable_mc"].values, bool)
        if "reliable_mc" in one
        else np.ones(xs.shape, bool)
    )
    ax.errorbar(xs, ys, yerr=es, fmt="none", ecolor=colour, capsize=3, zorder=4)
    ax.plot(xs[good], ys[good], "o", color=colour, ms=6, zorder=5, label=text)
    if (~good).any():
        ax.plot(xs[~good], ys[~good], "o", color=colour, mfc="white", ms=6, zorder=5)


def _title(ds: xr.Dataset) -> str:
    parts = [str(ds.attrs.get("protocol", "")), f"P = {ds.attrs['P']}" if "P" in ds.attrs else ""]
    for k, v in ds.coords.items():
        if v.ndim == 0 and k in ("alpha", "T", "r", "M", "rho", "d", "N", "K"):
            parts.append(f"{k} = {float(v):g}")
    return ", ".join(p for p in parts if p)


def _model_lines(
    ds: xr.Dataset, x: str, y: str, *, solved: bool
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Transition lines from :mod:`theory.lines` for the sweep's model, where provided.

    The solved retrieval lines are drawn for P = 2 always (about a second: one vectorised
    bisection for all loads) and for other P with ``solved``. The P = 2 lines are sampled
    both as T*(alpha) and as alpha*(T) (``theory.load_line``), which resolves them where they
    are steep in either direction and slightly re-entrant near T = 0, so that they end on
    the T = 0 axis at the capacity alpha_c = 0.138 (T_M) and at alpha = 0.051 (T_c).
    """
    try:
        from hopfield_sim._runners import transition_lines
    except ImportError:  # pragma: no cover
        return {}
    lo, hi = float(ds[x].min()), float(ds[x].max())
    # dense at both ends: the lines start like sqrt(alpha) and end steeply at the capacity
    xs = lo + (hi - lo) * 0.5 * (1.0 - np.cos(np.linspace(0.0, np.pi, 40)))
    rho = 0.0
    if "rho" in ds.coords:
        if ds.coords["rho"].ndim:
            return {}  # the lines depend on rho; no single set to draw
        rho = float(ds.coords["rho"])
    P = ds.attrs.get("P")
    P2 = P is not None and int(P) == 2
    try:
        out = transition_lines(ds.attrs, x, y, xs, rho=rho, solved=solved or P2)
        if P2 and (x, y) == ("alpha", "T"):
            out = _complete_P2(out, ds.attrs["protocol"], rho)
        return out
    except Exception as exc:  # theory lines are decoration; never fail a plot on them
        warnings.warn(f"theory transition lines not drawn: {exc}", stacklevel=3)
        return {}


def _complete_P2(out: dict, protocol: str, rho: float) -> dict:
    """P = 2 retrieval lines T*(alpha) merged with alpha*(T) down to T = 0, ordered along T."""
    import theory.lines as lines

    done: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, (a, T) in out.items():
        kind = {"T_M": "spinodal", "retrieval": "thermodynamic"}.get(name.split(" ")[0])
        if kind is None or not len(T):
            done[name] = (a, T)
            continue
        # the boundary is single-valued as alpha*(T): both samplings merge by sorting on T
        T_tail = np.linspace(0.0, float(np.max(T)), 25, endpoint=False)
        a_tail = lines.load_line(2, T_tail, kind=kind, rho=rho, protocol=protocol)
        keep = a_tail > 0
        T_all = np.concatenate([T, T_tail[keep]])
        a_all = np.concatenate([a, a_tail[keep]])
        order = np.argsort(-T_all, kind="stable")
        if kind == "thermodynamic":
            name = "T_c (retrieval is the global minimum)"
        done[name] = (a_all[order], T_all[order])
    return done


def save_figure(fig, path: str | Path) -> Path:
    """Save ``fig`` to ``path`` (``.png``, ``.pdf``, ...), creating missing folders (as a
    sweep store does)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    return path
