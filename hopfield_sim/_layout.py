"""Layout of a sweep Dataset: variable names and units, CF global attributes, writable arrays.

Shared by :mod:`hopfield_sim.sweep` (which fills a Dataset) and :mod:`hopfield_sim.storage`
(which applies stored batches to one), so both create variables the same way.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

#: attribute holding the canonical JSON of the :class:`~hopfield_sim.spec.SweepSpec`
SPEC_ATTR = "sweep_spec"
#: attribute marking a hopfield-sim sweep file (value: format version)
FORMAT_ATTR = "hopfield_sim_sweep_format"
FORMAT_VERSION = 2
#: attributes that record when a file was made; they differ between two runs of one spec
TIME_ATTRS = ("date_created", "history")

#: long names and units of the data variables a sweep may produce
VARIABLES: dict[str, tuple[str, str]] = {
    "m_theory": ("Mattis overlap m (theory)", "1"),
    "n_theory": ("class-mean overlap n (theory)", "1"),
    "q_theory": ("two-replica overlap q (theory)", "1"),
    "q0_theory": ("1RSB inter-state overlap q0 (theory)", "1"),
    "q1_theory": ("1RSB intra-state overlap q1 (theory)", "1"),
    "theta_theory": ("1RSB Parisi block parameter theta (theory)", "1"),
    "free_energy_theory": ("free energy per neuron f (theory)", "1"),
    "converged_theory": ("theory solver converged", "1"),
    "stable_theory": ("theory solution locally stable", "1"),
    "done_theory": ("theory point solved", "1"),
    "m_mc": ("Mattis overlap m (Monte Carlo)", "1"),
    "m_mc_err": ("error of m (Monte Carlo)", "1"),
    "n_mc": ("class-mean overlap n (Monte Carlo)", "1"),
    "n_mc_err": ("error of n (Monte Carlo)", "1"),
    "q_mc": ("two-replica overlap q (Monte Carlo)", "1"),
    "q_mc_err": ("error of q (Monte Carlo)", "1"),
    "energy_mc": ("energy per neuron (Monte Carlo)", "1"),
    "energy_mc_err": ("error of the energy per neuron (Monte Carlo)", "1"),
    "reliable_mc": (
        "every Monte Carlo chain recorded at least 20 autocorrelation times",
        "1",
    ),
    "K_mc": ("archetypes K simulated", "1"),
    "N_mc": ("neurons N simulated", "1"),
    "m_mc_sample": ("Mattis overlap m of every disorder sample and chain (Monte Carlo)", "1"),
    "n_mc_sample": ("class-mean overlap n of every disorder sample and chain (Monte Carlo)", "1"),
    "q_mc_sample": ("two-chain overlap q of every disorder sample and chain pair", "1"),
    "energy_mc_sample": ("energy per neuron of every disorder sample and chain", "1"),
    "m_mc_hist": ("counts of the recorded m per disorder sample (50 bins on [-1, 1])", "1"),
    "n_mc_hist": ("counts of the recorded n per disorder sample (50 bins on [-1, 1])", "1"),
    "q_mc_hist": ("counts of the recorded q per disorder sample (50 bins on [-1, 1])", "1"),
    "chi_mc": ("overlap susceptibility beta N var(m), mean over samples and chains", "1"),
    "binder_mc": ("Binder cumulant of the overlap, mean over samples and chains", "1"),
    "specific_heat_mc": ("specific heat per neuron beta^2 N var(e), mean over chains", "1"),
    "rhat_mc": ("largest split-R-hat across chains of any disorder sample", "1"),
    "done_mc": ("Monte Carlo point finished", "1"),
    "seed_mc": ("Monte Carlo seed of the point (from the root seed)", "1"),
}


def describe(name: str) -> tuple[str, str]:
    """``(long_name, units)`` of a data variable; unknown names get a generic description."""
    if name in VARIABLES:
        return VARIABLES[name]
    base, _, source = name.rpartition("_")
    what = {"theory": "theory", "mc": "Monte Carlo"}.get(source, "")
    return (f"{base or name} ({what})" if what else name), "1"


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
