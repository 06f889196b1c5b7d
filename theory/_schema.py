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

The grid of every solver is built by :func:`outer_grid` and its result wrapped by
:func:`as_dataset`, here once.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xarray as xr

from _hopfield_base import vocabulary
from theory._conventions import ConvergenceWarning

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


@dataclass(frozen=True)
class OuterGrid:
    """The outer product of the 1-D parameters of a request (see :func:`outer_grid`)."""

    axes: dict[str, np.ndarray]  # every parameter as given: scalars (0-d) and 1-D axes
    dims: tuple[str, ...]  # the names of the 1-D axes, in the order given
    shape: tuple[int, ...]  # their sizes

    @property
    def coords(self) -> dict[str, np.ndarray]:
        """The 1-D axes by name, in dimension order."""
        return {k: self.axes[k] for k in self.dims}

    def full(self, name: str, values=None) -> np.ndarray:
        """Parameter ``name`` at every grid point: a new float64 array of shape ``shape``.
        ``values`` (the shape of that parameter) lays out other values the same way, e.g.
        beta along a T axis."""
        values = self.axes[name] if values is None else values
        if name not in self.dims:
            return np.full(self.shape, values, dtype=np.float64)
        index = self.dims.index(name)
        view = [1] * len(self.shape)
        view[index] = self.shape[index]
        axis = np.asarray(values, dtype=np.float64).reshape(view)
        return np.broadcast_to(axis, self.shape).copy()

    def flat(self, name: str, values=None) -> np.ndarray:
        """``full(name, values)`` flattened in C order (the solvers' flat points)."""
        return self.full(name, values).ravel()


def outer_grid(axes: Mapping[str, object]) -> OuterGrid:
    """The one grid builder of the theory solvers: every 1-D entry of ``axes`` (an ordered
    mapping name -> scalar or 1-D array) becomes a dimension named after it, in the order
    given; scalars stay scalars (``full`` broadcasts them). ``shape == ()`` when all are
    scalars.

    Examples
    --------
    >>> g = outer_grid({"T": np.array([0.1, 0.2]), "alpha": np.array(0.05), "rho": np.arange(3.0)})
    >>> g.dims, g.shape, g.full("rho")[1].tolist(), float(g.full("alpha")[0, 0])
    (('T', 'rho'), (2, 3), [0.0, 1.0, 2.0], 0.05)
    """
    arrays = {k: np.asarray(v) for k, v in axes.items()}
    bad = {k: v.shape for k, v in arrays.items() if v.ndim > 1}
    if bad:
        raise ValueError(f"grid parameters must be scalars or 1-D arrays; got shapes {bad}")
    dims = tuple(k for k, v in arrays.items() if v.ndim == 1)
    return OuterGrid(arrays, dims, tuple(arrays[k].size for k in dims))


#: schema variables that are flags: stored as bool, True only where converged
FLAGS = ("stable", "rs_stable")


def _variable(name, value, shape, conv, n_vector: int, keep: tuple[str, ...]) -> np.ndarray:
    """One variable on the grid: flags are bool & converged, integers kept, floats float64
    and NaN where not converged (except the names in ``keep``)."""
    arr = np.asarray(value)
    arr = arr.reshape(shape + (arr.shape[arr.ndim - n_vector :] if n_vector else ()))
    ok = conv.reshape(conv.shape + (1,) * n_vector)
    if name in FLAGS or arr.dtype == bool:
        return arr.astype(bool) & ok
    if arr.dtype.kind in "iu":
        return arr
    arr = arr.astype(np.float64, copy=False)
    return arr if name in keep else np.where(ok, arr, np.nan)


def as_dataset(
    variables: Mapping[str, object],
    *,
    dims: tuple[str, ...] | list[str],
    coords: Mapping[str, object],
    converged,
    attrs: Mapping[str, object] | None = None,
    vector: Mapping[str, tuple[str, ...]] | None = None,
    keep: tuple[str, ...] = ("residual",),
    settings: str = "",
    stacklevel: int = 3,
) -> xr.Dataset:
    """The one Dataset wrapper of the theory solvers.

    Parameters
    ----------
    variables : mapping name -> array
        Solver outputs, flat (one row per grid point, C order) or in grid shape, with trailing
        axes for the names in ``vector``. Written in this order; ``converged`` is written
        where its name appears (at the end when absent).
    dims, coords : the grid's dimension names and the xarray coordinates.
    converged : bool array, one value per grid point.
    attrs : dataset attributes.
    vector : mapping name -> trailing dimension names (e.g. ``("pattern",)``).
    keep : float variables kept where not converged (the residual says how far it got).
    settings, stacklevel : the solver settings named in the ``ConvergenceWarning`` raised when
        a point did not converge, and its stack level (3: the caller of the caller).

    Returns
    -------
    xarray.Dataset
        Flags (``stable``, ``rs_stable``, bool arrays) are True only where converged,
        integer variables are kept, float variables are float64 and NaN where not converged
        (``keep`` excepted). Not labelled: :func:`label` adds the CF attributes.
    """
    dims = tuple(dims)
    vector = dict(vector or {})
    conv = np.asarray(converged, dtype=bool)
    names = list(variables) + ([] if "converged" in variables else ["converged"])
    grid_shape = _grid_shape(dims, coords, conv)
    conv = conv.reshape(grid_shape)
    data = {}
    for name in names:
        if name == "converged":
            data[name] = (dims, conv)
            continue
        extra = vector.get(name, ())
        data[name] = (dims + extra, _variable(name, variables[name], grid_shape, conv,
                                              len(extra), keep))
    bad = int(conv.size - conv.sum())
    if bad:
        warnings.warn(
            f"{bad} of {conv.size} grid points did not converge ({settings}); they are NaN "
            "with converged=False.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    ds = xr.Dataset(data, coords=dict(coords))
    ds.attrs.update(attrs or {})
    return ds


def _grid_shape(dims, coords, conv) -> tuple[int, ...]:
    """Sizes of ``dims`` read from their coordinates."""
    sizes = []
    for d in dims:
        c = coords[d]
        values = c[-1] if isinstance(c, tuple) else c
        sizes.append(int(np.size(values)))
    return tuple(sizes)
