"""The one result schema of the theory solvers (docs/theory.md, "Results").

Every solver returns an ``xarray.Dataset`` with

* one dimension per array-valued parameter, in the order of the function's signature,
  followed by vector dimensions (``pattern`` for multitasking);
* ``converged`` (bool; non-converged points are NaN), ``residual`` (max |F(x) - x| at the
  end, also where not converged) and ``iterations`` (solver steps; 1RSB: the fixed number
  each candidate takes);
* ``stable``: linear stability of the fixed point (RS: Jacobian of the map; multitasking:
  Hessian of f, whose smallest eigenvalue is ``stability``) and ``rs_stable``: de Almeida-
  Thouless stability (replicon > 0; True wherever converged in low storage, where the
  replicon is 1). A schema variable a solver does not compute (``stable`` and
  ``rs_stable`` at level 1RSB, ``rs_stable`` of the unsupervised protocol at alpha > 0) is
  float64 NaN there (:func:`not_computed`), its ``long_name`` saying why;
* CF ``long_name`` and ``units`` on every variable and coordinate (``"1"``: dimensionless,
  couplings and temperatures in units of the coupling).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

LONG_NAMES = {
    "m": "Mattis overlap m with the archetype",
    "n": "class-mean overlap n",
    "q": "two-replica overlap q",
    "free_energy": "free energy per neuron f = -A/beta (energy at T = 0; -inf at T = inf)",
    "converged": "solver converged",
    "residual": "final residual max |F(x) - x|",
    "iterations": "solver iterations",
    "stable": "linearly stable fixed point",
    "stability": "smallest Hessian eigenvalue of f",
    "replicon": "replicon eigenvalue (RS stable where > 0)",
    "rs_stable": "replica symmetry locally (AT) stable",
    "r_AGS": "AGS cross-talk variance parameter r",
    "q0": "1RSB inter-state overlap q0",
    "q1": "1RSB intra-state overlap q1",
    "theta": "1RSB Parisi parameter theta",
    "mu": "1RSB Parisi parameter times beta, mu = beta theta",
    "alpha": "load alpha, K = alpha N^(P-1)",
    "beta": "inverse temperature beta",
    "T": "temperature T",
    "rho": "dataset entropy rho = (1 - r^2)/(M r^2)",
    "r": "example quality r",
    "M": "examples per archetype M",
    "d": "dilution d",
    "pattern": "pattern index",
}


def not_computed(ds: xr.Dataset, why: dict[str, str]) -> xr.Dataset:
    """Add each variable of ``why`` (name -> long name saying why) as all-NaN float64 over
    the dimensions of ``converged``: a schema variable this solver does not compute. The
    attribute ``computed = 0`` marks it, so that sweeps can leave it out of their files."""
    dims, shape = ds["converged"].dims, ds["converged"].shape
    for name, long_name in why.items():
        ds[name] = (dims, np.full(shape, np.nan))
        ds[name].attrs.update(long_name=long_name, units="1", computed=0)
    return ds


def label(ds: xr.Dataset) -> xr.Dataset:
    """Put ``long_name`` and ``units`` on every variable and coordinate of ``ds`` (in place;
    existing long names are kept)."""
    for name in list(ds.data_vars) + list(ds.coords):
        attrs = ds[name].attrs
        if name in LONG_NAMES and "long_name" not in attrs:
            attrs["long_name"] = LONG_NAMES[name]
        attrs.setdefault("units", "1")
    return ds
