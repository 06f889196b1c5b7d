"""Finite-size scaling in one call and its figure: x_c(N) located, extrapolated, plotted.

:func:`capacity_scaling` runs :func:`hopfield_sim.finite_size.locate_transition` at every
size, fits ``x_c(N) = x_c(inf) + a N^(-nu)`` with :func:`~hopfield_sim.finite_size.extrapolate`
and draws :func:`plot_finite_size`: x_c(N) against ``N^(-nu)`` (the fit is a straight line
there), the extrapolated value at ``N^(-nu) = 0`` and, if given, theory values as
horizontal lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def plot_finite_size(
    N: Sequence[float],
    x_c: Sequence[float],
    x_c_err: Sequence[float],
    fit: Mapping[str, float],
    *,
    theory: Mapping[str, float] | None = None,
    name: str = "alpha_c",
    title: str = "",
    ax: Any = None,
    path: str | Path | None = None,
):
    """x_c(N) versus ``N^(-nu)`` with the fit of :func:`~hopfield_sim.finite_size.extrapolate`.

    Parameters
    ----------
    N, x_c, x_c_err : sequences
        Sizes, transition points at each size, their errors.
    fit : mapping
        The output of ``extrapolate`` (``x_inf``, ``x_inf_err``, ``a``, ``nu``, ``chi2``,
        ``dof``).
    theory : mapping of str to float, optional
        Labelled N -> infinity values (e.g. ``{"RS": 0.1350}``), drawn as horizontal lines.
    name : str
        What x_c is (axis label).
    title, ax, path
        Title; draw into these axes; save the figure (.png, .pdf).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from hopfield_sim.plot import OKABE_ITO, _pyplot, save_figure

    N = np.asarray(N, float)
    if not (N.shape == np.shape(x_c) == np.shape(x_c_err)) or N.size < 1:
        raise ValueError("N, x_c and x_c_err must have equal length >= 1.")
    plt = _pyplot()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.4, 5.4))
    nu = float(fit["nu"])
    s = N ** (-nu)
    ax.errorbar(s, x_c, x_c_err, fmt="o", color=OKABE_ITO[0], capsize=3,
                label=f"Monte Carlo {name}(N), N = {N.min():g} ... {N.max():g}")  # fmt: skip
    grid = np.linspace(0.0, s.max() * 1.05, 50)
    law = f"fit {name} + a N^(-{nu:.3g}): chi2 = {fit['chi2']:.1f} / {fit['dof']} dof"
    ax.plot(grid, fit["x_inf"] + fit["a"] * grid, color=OKABE_ITO[0], lw=1, label=law)
    limit = f"N -> infinity: {fit['x_inf']:.4f} +- {fit['x_inf_err']:.4f}"
    ax.errorbar([0.0], [fit["x_inf"]], [fit["x_inf_err"]], fmt="s", color=OKABE_ITO[0],
                capsize=3, label=limit)  # fmt: skip
    styles = zip((theory or {}).items(), OKABE_ITO[1:], ("--", ":", "-."))
    for (level, value), colour, style in styles:
        ax.axhline(value, color=colour, ls=style, lw=1.2, label=f"{level} theory: {value:.4f}")
    ax.set_xlabel(f"N^(-{nu:.3g})")
    ax.set_ylabel(name)
    ax.set_xlim(left=-0.02 * s.max())
    if title:
        ax.set_title(title)
    # below the axes: the data span the whole frame (extrapolation at the left edge)
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14))
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def capacity_scaling(
    sizes: Sequence[int],
    *,
    bounds: tuple[float, float],
    fixed: float,
    path: str = "alpha",
    P: int = 2,
    nu: float | None = 0.5,
    theory: Mapping[str, float] | None = None,
    figure: str | Path | None = None,
    seed: int = 0,
    workers: int | None = None,
    **locate: Any,
) -> dict[str, Any]:
    """Locate the retrieval transition at every size, extrapolate N -> infinity, plot it.

    Parameters
    ----------
    sizes : sequence of int
        Sizes N (at least 2; 3 to fit ``nu``).
    bounds, fixed, path, P, seed, workers
        As in :func:`~hopfield_sim.finite_size.locate_transition` (its unbiased defaults
        for the run lengths and ``m_cut``; override through ``locate``).
    nu : float or None
        Exponent of the correction (``None``: fitted).
    theory : mapping of str to float, optional
        Theory values drawn beside the extrapolation.
    figure : str or Path, optional
        Save :func:`plot_finite_size` here.

    Returns
    -------
    dict
        ``transitions`` (one :class:`~hopfield_sim.finite_size.Transition` per size),
        ``fit`` (the output of ``extrapolate``) and ``figure`` (matplotlib Figure).

    Examples
    --------
    >>> from hopfield_sim.scaling import capacity_scaling
    >>> out = capacity_scaling([100, 200], bounds=(0.05, 0.45), fixed=0.1, budget=12,
    ...                        min_samples=3, sweeps=10, burn_in=10, bootstrap=20)  # doctest: +SKIP
    >>> out["fit"]["x_inf"]  # doctest: +SKIP
    """
    from hopfield_sim import finite_size as fs

    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least 2 sizes; got {list(sizes)!r}.")
    transitions = [
        fs.locate_transition(int(N), bounds=bounds, fixed=fixed, path=path, P=P, seed=seed,
                             workers=workers, **locate)  # fmt: skip
        for N in sizes
    ]
    N = [t.N for t in transitions]
    x_c = [t.fit.x_c for t in transitions]
    err = [t.fit.x_c_err for t in transitions]
    fit = fs.extrapolate(N, x_c, err, replicates=[t.fit.replicates for t in transitions],
                         nu=nu, seed=seed)  # fmt: skip
    name = "alpha_c" if path == "alpha" else "T_c"
    other = "T" if path == "alpha" else "alpha"
    fig = plot_finite_size(N, x_c, err, fit, theory=theory, name=name,
                           title=f"P = {P}, {other} = {fixed:g}", path=figure)  # fmt: skip
    return {"transitions": transitions, "fit": fit, "figure": fig}
