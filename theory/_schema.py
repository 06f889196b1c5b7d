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

from _hopfield_base import vocabulary

#: long names of the schema variables and coordinates (the one vocabulary, docs/vocabulary.md)
LONG_NAMES = {name: term.long_name for name, term in vocabulary.TERMS.items()}


def not_computed(ds: xr.Dataset, why: dict[str, str]) -> xr.Dataset:
    """Add each variable of ``why`` (name -> long name saying why) as all-NaN float64 over
    the dimensions of ``converged``: a schema variable this solver does not compute. The
    attribute ``computed = 0`` marks it, so that sweeps can leave it out of their files."""
    dims, shape = ds["converged"].dims, ds["converged"].shape
    for name, long_name in why.items():
        ds[name] = (dims, np.full(shape, np.nan))
        ds[name].attrs.update(long_name=long_name, units=vocabulary.units(name), computed=0)
    return ds


def label(ds: xr.Dataset) -> xr.Dataset:
    """Put ``long_name`` and ``units`` on every variable and coordinate of ``ds`` (in place;
    existing long names are kept)."""
    for name in list(ds.data_vars) + list(ds.coords):
        attrs = ds[name].attrs
        long_name, units = vocabulary.describe(name)
        if name in LONG_NAMES and "long_name" not in attrs:
            attrs["long_name"] = long_name
        attrs.setdefault("units", units)
    return ds
