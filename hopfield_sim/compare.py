"""Theory versus simulation in units of the simulation error bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

#: default agreement threshold, in error bars (|z| <= 4: about 1 in 16 000 for a normal law)
THRESHOLD = 4.0
#: default error floor: an error bar of 0 (every chain frozen in the same state, e.g. at
#: T = 0) does not mean infinite precision
FLOOR = 1e-4


def compare(
    ds: xr.Dataset,
    variable: str = "m",
    *,
    threshold: float = THRESHOLD,
    floor: float = FLOOR,
) -> xr.Dataset:
    """Distance between theory and Monte Carlo, point by point, in error-bar units.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep result holding ``{variable}_theory``, ``{variable}_mc`` and
        ``{variable}_mc_err``.
    variable : str
        Order parameter to compare (``"m"``, ``"n"``, ``"q"``).
    threshold : float
        ``agree`` is true where ``|z| <= threshold``.
    floor : float
        Error bars are combined with this floor, ``sqrt(err**2 + floor**2)``, so that a
        vanishing Monte Carlo error (frozen chains) does not turn a 1e-6 difference into
        infinitely many error bars. ``0`` compares with the raw error bars (``z = inf``
        where the error is 0 and the values differ).

    Returns
    -------
    xarray.Dataset
        On the sweep's grid: ``difference`` = theory - simulation, ``z`` = difference /
        error, ``agree`` (bool),
        ``valid`` (bool: both sides available and the theory converged); ``z`` and
        ``difference`` are NaN where not ``valid``. Attribute ``worst_z`` (largest |z|).
    """
    names = [f"{variable}_theory", f"{variable}_mc", f"{variable}_mc_err"]
    missing = [n for n in names if n not in ds]
    if missing:
        raise KeyError(
            f"compare needs {', '.join(names)}; the Dataset lacks {', '.join(missing)} "
            "(run the sweep with both [theory] and [montecarlo])."
        )
    if not (threshold > 0):
        raise ValueError(f"threshold must be > 0 error bars; got {threshold!r}.")
    if not (floor >= 0):
        raise ValueError(f"floor must be >= 0; got {floor!r}.")
    import xarray as xr

    theory, mc, err = (ds[n] for n in names)
    err = np.sqrt(err**2 + floor**2)
    valid = np.isfinite(theory) & np.isfinite(mc) & np.isfinite(err)
    if "converged_theory" in ds:
        valid = valid & ds["converged_theory"].astype(bool)
    diff = (theory - mc).where(valid)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = xr.where(err > 0, diff / err, np.where(diff == 0, 0.0, np.inf)).where(valid)
    out = xr.Dataset(
        {
            "difference": diff.assign_attrs(long_name=f"{variable} theory - simulation", units="1"),
            "z": z.assign_attrs(long_name=f"({variable} theory - simulation) / error", units="1"),
            "agree": (np.abs(z) <= threshold).where(valid, False).astype(bool),
            "valid": valid.astype(bool),
        }
    )
    finite = np.abs(z.values[np.asarray(valid.values, bool)])
    out.attrs.update(
        variable=variable,
        threshold=float(threshold),
        floor=float(floor),
        worst_z=float(finite.max()) if finite.size else float("nan"),
    )
    return out


def comparison_table(ds: xr.Dataset, variable: str = "m", *, max_rows: int = 30) -> str:
    """A plain-text table: grid values, theory, simulation +- error, z, agree."""
    cmp = compare(ds, variable)
    grid_dims = [d for d in ds[f"{variable}_mc"].dims if d != "pattern"]
    keys = [k for k in ("alpha", "T", "r", "M", "rho", "d", "N", "K") if k in ds.coords]
    keys = [k for k in keys if set(ds.coords[k].dims) & set(grid_dims)] or list(grid_dims)
    head = "".join(f"{k:>9}" for k in keys) + f"{'theory':>10}{'simulation':>20}{'z':>8}  agree"
    lines = [head, "-" * len(head)]
    shape = tuple(ds.sizes[d] for d in grid_dims)
    for count, idx in enumerate(np.ndindex(*shape)):
        if count == max_rows:
            lines.append(f"... ({int(np.prod(shape)) - max_rows} more points)")
            break
        at = dict(zip(grid_dims, idx))
        row, c = ds.isel(at), cmp.isel(at)
        vals = "".join(f"{float(row[k]):>9.4g}" for k in keys)
        th, mc, er = (float(row[f"{variable}{s}"]) for s in ("_theory", "_mc", "_mc_err"))
        verdict = "yes" if bool(c["agree"]) else ("-" if not bool(c["valid"]) else "NO")
        lines.append(f"{vals}{th:>10.4f}{mc:>12.4f} +- {er:<6.4f}{float(c['z']):>7.2f}  {verdict}")
    return "\n".join(lines)
