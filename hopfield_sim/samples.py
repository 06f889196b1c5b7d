"""Distributions over disorder samples and chains of a sweep: one call each.

A sweep stores, besides the averages, every disorder sample and chain of every point
(``[montecarlo] per_sample``, default true; dims ``sample`` x ``chain``):

- ``m_mc_sample`` (or ``n_mc_sample``): the compared overlap of each chain (the overlap
  with pattern 1 for ``init = "archetype"``, the largest ``|m|`` for ``init = "random"``),
  ``energy_mc_sample``, ``q_mc_sample`` (dims ``sample`` x ``chain_pair``);
- ``m_mc_hist`` and ``q_mc_hist``: per sample, the counts of the recorded overlap and
  two-chain overlap q in :data:`~hopfield_sim._runners.HIST_BINS` equal bins on [-1, 1],
  from which :func:`distribution` gives P(m) and P(q) (the disorder-averaged distribution
  of the instantaneous overlaps: one peak in a replica-symmetric phase, a weight between
  the peaks when replica symmetry is broken).

Near a first-order transition the mean over samples mixes samples that retrieve and
samples that do not; :func:`retrieval_probability`, :func:`median` and :func:`quantiles`
separate them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["distribution", "median", "plot_distribution", "quantiles", "retrieval_probability"]


def _values(ds: xr.Dataset, variable: str, kind: str = "sample") -> xr.DataArray:
    name = f"{variable}_mc_{kind}"
    if name not in ds:
        raise KeyError(
            f"the Dataset has no {name!r}: per-sample data are stored by sweeps run with "
            "[montecarlo] per_sample = true (the default) by this version."
        )
    return ds[name]


def retrieval_probability(ds: xr.Dataset, m_cut: float = 0.5, variable: str = "m"):
    """Fraction of disorder samples x chains whose ``|variable| >= m_cut``, per grid point.

    Returns
    -------
    xarray.DataArray
        On the grid, with attributes ``m_cut`` and ``count`` (samples x chains per point);
        its binomial error is ``sqrt(p (1 - p) / count)``.
    """
    if isinstance(m_cut, bool) or not isinstance(m_cut, (int, float)) or not 0 < m_cut <= 1:
        raise ValueError(f"m_cut must be a number in (0, 1]; got {m_cut!r}.")
    v = _values(ds, variable)
    dims = [d for d in ("sample", "chain") if d in v.dims]
    p = (np.abs(v) >= m_cut).mean(dims)
    count = int(np.prod([v.sizes[d] for d in dims]))
    return p.rename("retrieval_probability").assign_attrs(
        long_name=f"fraction of samples x chains with |{variable}| >= {m_cut:g}",
        units="1", m_cut=float(m_cut), count=count,
    )  # fmt: skip


def median(ds: xr.Dataset, variable: str = "m"):
    """Median of ``variable`` over disorder samples and chains, per grid point."""
    v = _values(ds, variable)
    out = v.median([d for d in ("sample", "chain", "chain_pair") if d in v.dims])
    return out.rename(f"{variable}_median").assign_attrs(
        long_name=f"median of {variable} over samples and chains", units="1"
    )


def quantiles(ds: xr.Dataset, q: Sequence[float] = (0.16, 0.5, 0.84), variable: str = "m"):
    """Quantiles ``q`` of ``variable`` over disorder samples and chains (dim ``quantile``)."""
    q = np.asarray(q, dtype=float)
    if q.ndim != 1 or not np.all((q >= 0) & (q <= 1)):
        raise ValueError(f"q must be a list of numbers in [0, 1]; got {q!r}.")
    v = _values(ds, variable)
    out = v.quantile(q, dim=[d for d in ("sample", "chain", "chain_pair") if d in v.dims])
    return out.rename(f"{variable}_quantiles").assign_attrs(
        long_name=f"quantiles of {variable} over samples and chains", units="1"
    )


def distribution(ds: xr.Dataset, variable: str = "q"):
    """P(variable): the density of the recorded instantaneous values, averaged over the
    disorder samples of each grid point (each sample weighs the same).

    Returns
    -------
    xarray.DataArray
        Dims = grid dims + ``variable`` (the bin centres, 50 bins on [-1, 1]); integrates
        to 1 over ``variable`` at every point.
    """
    import xarray as xr

    counts = _values(ds, variable, "hist").astype(float)
    bin_dim = f"{variable}_bin"
    n = counts.sizes[bin_dim]
    edges = np.linspace(-1.0, 1.0, n + 1)
    width = edges[1] - edges[0]
    totals = counts.sum(bin_dim)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_sample = counts / (totals * width)
    density = per_sample.mean("sample")
    centres = 0.5 * (edges[:-1] + edges[1:])
    out = density.rename({bin_dim: variable}).assign_coords({variable: centres})
    out[variable].attrs.update(long_name=variable, units="1")
    return xr.DataArray(out).rename(f"P_{variable}").assign_attrs(
        long_name=f"P({variable}), disorder average", units="1"
    )


def plot_distribution(
    ds: xr.Dataset,
    variable: str = "q",
    hue: str | None = None,
    *,
    ax: Any = None,
    path: str | Path | None = None,
):
    """P(``variable``) at every value of the grid dim ``hue`` (other grid dims must have
    one value; default hue: the first grid dim with several values)."""
    from hopfield_sim.plot import OKABE_ITO, _grid_dims, _pyplot, _title, save_figure

    dens = distribution(ds, variable)
    grid = [d for d in dens.dims if d != variable and d in _grid_dims(ds)]
    several = [d for d in grid if dens.sizes[d] > 1]
    hue = hue or (several[0] if several else None)
    rest = [d for d in several if d != hue]
    if rest:
        d = rest[0]
        raise ValueError(f"plot_distribution: grid dim {d!r} has several values; select one "
                         f"with ds.sel({d}=...) or pass hue={d!r}.")  # fmt: skip
    dens = dens.isel({d: 0 for d in grid if d != hue})
    plt = _pyplot()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.6, 4.2))
    values = dens[hue].values if hue else [None]
    for value, colour in zip(values, OKABE_ITO * 4):
        one = dens.sel({hue: value}) if hue else dens
        tag = f"{hue} = {value:g}" if hue else ""
        ax.step(one[variable], one, where="mid", color=colour, lw=1.6, label=tag or None)
    ax.set_xlabel(variable)
    ax.set_ylabel(f"P({variable}) (disorder average)")
    ax.set_xlim(-1, 1)
    ax.set_title(_title(ds.isel({d: 0 for d in grid if d != hue})))
    if hue:
        ax.legend(fontsize="small")
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
