"""Layout of a sweep Dataset: variable names and units, CF global attributes, writable arrays.

Shared by :mod:`hopfield_sim.sweep` (which fills a Dataset) and :mod:`hopfield_sim.storage`
(which applies stored batches to one), so both create variables the same way.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from _hopfield_base import vocabulary

if TYPE_CHECKING:
    import xarray as xr

#: attribute holding the canonical JSON of the :class:`~hopfield_sim.spec.SweepSpec`
SPEC_ATTR = "sweep_spec"
#: attribute marking a hopfield-sim sweep file (value: format version)
FORMAT_ATTR = "hopfield_sim_sweep_format"
FORMAT_VERSION = 2
#: attributes that record when a file was made; they differ between two runs of one spec
TIME_ATTRS = ("date_created", "history")

#: the data variables a sweep may produce; their long names and units come from the one
#: vocabulary (:mod:`_hopfield_base.vocabulary`, docs/vocabulary.md)
VARIABLES: dict[str, tuple[str, str]] = {
    name: vocabulary.describe(name)
    for source, names in (
        ("theory", ("m", "n", "q", "q0", "q1", "theta", "free_energy", "converged", "stable")),
        ("mc", ("m", "n", "q", "energy")),
        ("mc_err", ("m", "n", "q", "energy")),
        ("mc_sample", ("m", "n", "q", "energy")),
        ("mc_hist", ("m", "n", "q")),
    )
    for name in (f"{base}_{source}" for base in names)
} | {name: (term.long_name, term.units) for name, term in vocabulary.SWEEP_TERMS.items()}


def describe(name: str) -> tuple[str, str]:
    """``(long_name, units)`` of a data variable (:func:`_hopfield_base.vocabulary.describe`;
    unknown names get a generic description)."""
    return vocabulary.describe(name)


#: extra dims of the per-sample variables (by name suffix); anything else is ``pattern``
_EXTRA = {"_mc_sample": ("sample", "chain"), "q_mc_sample": ("sample", "chain_pair")}


def extra_dims(name: str, ndim: int) -> tuple[str, ...]:
    """Dims after the grid dims of a Monte Carlo output ``name`` with ``ndim`` extra axes:
    ``(sample, chain[, pattern])``, ``(sample, chain_pair)``, ``(sample, <m>_bin)`` for
    the per-sample outputs, ``pattern`` otherwise."""
    if name == "q_mc_sample":
        dims: tuple[str, ...] = _EXTRA[name]
    elif name.endswith("_mc_sample"):
        dims = _EXTRA["_mc_sample"]
    elif name.endswith("_mc_hist"):
        dims = ("sample", f"{name.split('_')[0]}_bin")
    else:
        dims = ()
    return (dims + ("pattern",) * ndim)[:ndim]


def grid_dims(ds: xr.Dataset) -> tuple[str, ...]:
    """The grid dims of a sweep Dataset, from its stored spec."""
    spec = json.loads(ds.attrs[SPEC_ATTR])
    return ("point",) if "points" in spec else tuple(spec["axes"])


def ensure_var(ds: xr.Dataset, name: str, extra_dims, extra_shape, dtype) -> np.ndarray:
    """The writable array of ``name``, created (NaN / False / 0) with its description on
    first use; dims = grid dims + ``extra_dims``."""
    if name not in ds:
        dims = grid_dims(ds) + tuple(extra_dims)
        shape = tuple(ds.sizes[d] for d in dims[: len(dims) - len(extra_dims)]) + tuple(extra_shape)
        dtype = np.dtype(dtype)
        fill: Any = False if dtype.kind == "b" else (0 if dtype.kind in "iu" else np.nan)
        ds[name] = (dims, np.full(shape, fill, dtype=dtype))
        long_name, units = describe(name)
        ds[name].attrs.update(long_name=long_name, units=units)
    return ds[name].values


def cf_attributes(title: str, version: str) -> dict[str, str]:
    """CF-style global attributes of a new sweep file (``Conventions``, ``title``,
    ``institution``-free ``source``, ``history``, ``date_created`` in UTC ISO 8601)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "Conventions": "CF-1.8",
        "energy_scale": "couplings set the energy scale (J = 1): T, beta and energies are "
        "dimensionless numbers (units = 1)",
        "title": title,
        "source": f"hopfield-sim {version}",
        "history": f"{now}: created by hopfield-sim {version} sweep",
        "date_created": now,
    }
