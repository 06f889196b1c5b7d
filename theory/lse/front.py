"""``theory.solve("lse", ...)`` and ``theory.critical_load("lse", ...)`` for the log-sum-exp
memory (docs/exponential.md): input checks, the grid, the result schema (theory._schema)."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from theory import _schema, _validate
from theory._conventions import T_of_beta
from theory.lse import rem, thermal

BRANCHES = ("retrieval", "paramagnet")
_LONG = {
    "m": "alignment phi = x.xi/N with the retrieved pattern (0 on the non-retrieval branch)",
    "q": "self-overlap q of the thermal mean state (phi^2 on retrieval, 0 on non-retrieval)",
    "free_energy": "free energy per neuron of the branch, f = H/N - T s (H/N = 1 - phi for "
    "one pattern)",
    "f_retrieval": "free energy per neuron of the retrieval minimum",
    "f_nonretrieval": "free energy per neuron of the non-retrieval (paramagnet) minimum",
    "phi_c": "cusp alignment phi_c = Phi/beta_net above which the retrieved pattern dominates",
    "condensed": "REM of the non-retrieval patterns condensed (a few patterns dominate)",
    "f_basins": "free energy per neuron of the Gibbs measure over all M pattern basins, "
    "f_retrieval - T alpha",
    "phase": "phase (0 non-retrieval, 1 retrieval, 2 metastable retrieval, 3 metastable "
    "retrieval with the equilibrium in pattern basins)",
    "alpha": "load alpha = ln(M)/N",
    "beta_net": "kernel sharpness beta_net (lambda of Lucibello-Mezard)",
}


def _array(name, value, **limits) -> np.ndarray:
    arr = _validate.real_array(name, value, **limits)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array; got shape {arr.shape}.")
    return arr


# Arguments of theory.solve / theory.critical_load that belong to the Hebbian (P-body)
# models, with their defaults: for "lse" any other value is refused (one line, naming it).
_HEBBIAN = {
    "solve": {"P": 2, "rho": 0.0, "r": None, "M": None, "level": "RS", "finite_M": False},
    "critical_load": {"rho": 0.0, "protocol": "supervised", "level": "RS", "r": None,
                      "M": None},
}
_HINT = {"M": " (the number of patterns is M = e^{alpha N}: give alpha = ln(M)/N)",
         "P": " (the log-sum-exp energy has no interaction order)",
         "level": " (the REM theory has no replica level)"}


def refuse_hebbian(front: str, given: dict) -> None:
    """Raise a one-line TypeError if ``given`` (the front door's ``locals()``: other keys are
    ignored) sets a Hebbian-only argument of ``front`` ("solve" or "critical_load") to
    anything but its default (docs/exponential.md)."""
    for name, default in _HEBBIAN[front].items():
        value = given.get(name, default)
        try:
            same = value is default or bool(value == default)
        except (TypeError, ValueError):  # an array: never the default
            same = False
        if not same:
            raise TypeError(f"theory.{front}('lse', ...) does not take {name}={value!r}: it is "
                            f"an argument of the Hebbian models{_HINT.get(name, '')}.")


def _options(beta_net, patterns) -> tuple[np.ndarray, str]:
    b = _array("beta_net", beta_net, low=0.0, low_open=True, high=math.inf, high_open=True,
               meaning="beta_net is the kernel sharpness of the log-sum-exp energy.")
    return b, _validate.choice("patterns", patterns, rem.LAWS)


def solve_lse(*, beta=None, T=None, alpha=0.1, beta_net=1.0, patterns="spherical",
              branch="retrieval", hebbian: dict | None = None) -> xr.Dataset:
    """Leading-order phase of the log-sum-exp memory with M = e^{alpha N} patterns.

    Parameters
    ----------
    beta, T : float or 1-D array_like
        Thermal inverse temperature or temperature (exactly one); T = 0 is exact.
    alpha : float or 1-D array_like
        Load alpha = ln(M)/N >= 0.
    beta_net : float or 1-D array_like
        Kernel sharpness b > 0 (the energy's beta, docs/exponential.md table).
    patterns : {"spherical", "gaussian", "binary"}
        Alignment law of the non-retrieval patterns: exact spherical density, its Gaussian
        (REM) approximation, or binary patterns (T = 0 only: at T > 0 the alignment law of a
        binary pattern depends on the state's direction, not derived here).
    branch : {"retrieval", "paramagnet"}
        Which minimum ``m``, ``q`` and ``free_energy`` describe.
    hebbian : dict, optional
        The arguments ``theory.solve`` received (its ``locals()``): a Hebbian-only one (P,
        rho, r, M, level, finite_M) at any value but its default is a TypeError.

    Returns
    -------
    xarray.Dataset
        Dimensions (beta or T, alpha, beta_net) for array inputs; variables ``m``, ``q``,
        ``free_energy``, ``f_retrieval``, ``f_nonretrieval``, ``phi_c``, ``phase``,
        ``condensed`` and the schema's ``converged``/``residual``/``iterations`` (closed
        forms: True/0/0), ``stable`` (the branch's minimum exists), ``rs_stable`` (not
        computed).

    Examples
    --------
    >>> import theory
    >>> ds = theory.solve("lse", T=0.1, alpha=0.3)
    >>> int(ds.phase), round(float(ds.m), 4)
    (1, 0.9512)
    """
    refuse_hebbian("solve", hebbian or {})
    beta_arr = _validate.beta_or_T(beta, T)
    if beta_arr.ndim > 1:
        raise ValueError(f"{'beta' if T is None else 'T'} must be a scalar or a 1-D array.")
    a = _array("alpha", alpha, low=0.0, high=math.inf, high_open=True,
               meaning="alpha = ln(M)/N is the load.")
    b, law = _options(beta_net, patterns)
    branch = _validate.choice("branch", branch, BRANCHES)
    t = T_of_beta(beta_arr)
    if law == "binary" and np.any(t > 0.0):
        raise ValueError("patterns='binary' is derived at T = 0 only; got T > 0. Use "
                         "'spherical' or 'gaussian' for the finite-T phase diagram.")
    thermal_name = "beta" if T is None else "T"
    params = {thermal_name: beta_arr if T is None else t, "alpha": a, "beta_net": b}
    grid = _schema.outer_grid(params)
    tt = T_of_beta(grid.flat("beta")) if T is None else grid.flat("T")
    out = thermal.phase_point(grid.flat("alpha"), tt, grid.flat("beta_net"), law)
    ret = branch == "retrieval"
    m = np.where(out["exists"], out["phi_ret"], 0.0) if ret else np.zeros_like(tt)
    f = np.where(out["exists"], out["f_ret"], out["f_nr"]) if ret else out["f_nr"]
    stable = out["exists"] if ret else np.ones_like(m, bool)  # phi = 0 is always a minimum
    data = {"m": m, "q": m * m, "free_energy": f, "f_retrieval": out["f_ret"],
            "f_nonretrieval": out["f_nr"], "f_basins": out["f_basins"], "phi_c": out["phi_c"],
            "phase": out["phase"],
            "condensed": out["condensed"], "stable": stable,
            "converged": np.ones_like(m, bool), "residual": np.zeros_like(m),
            "iterations": np.zeros_like(m, dtype=np.int32)}
    coords = dict(grid.coords)
    if T is not None and "T" in grid.dims:
        coords["beta"] = ("T", beta_arr)
    ds = _schema.as_dataset(data, dims=grid.dims, coords=coords, converged=data["converged"])
    for k, v in _LONG.items():
        if k in ds:
            ds[k].attrs["long_name"] = v
    ds["phase"].attrs.update(
        flag_values=np.array([0, 1, 2, 3], np.int8),
        flag_meanings="non_retrieval retrieval metastable_retrieval metastable_retrieval_basins")
    ds = _schema.not_computed(ds, {"rs_stable": "not computed: leading-order REM theory, "
                                                "no replica-symmetric saddle"})
    ds.attrs.update(model="lse", patterns=law, branch=branch,
                    **{k: float(v) for k, v in params.items() if v.ndim == 0})
    return _schema.label(ds)


def critical_load_lse(*, T=0.0, beta_net=1.0, patterns="spherical",
                      criterion="spinodal", hebbian: dict | None = None) -> float:
    """Largest load alpha at which retrieval survives (docs/exponential.md).

    Parameters
    ----------
    T : float
        Thermal temperature >= 0 (0: the T = 0 capacity, both criteria agree).
    beta_net : float
        Kernel sharpness b > 0.
    patterns : {"spherical", "gaussian", "binary"}
        As in :func:`solve_lse` (binary: T = 0 only).
    criterion : {"spinodal", "equal_depth"}
        The retrieval minimum disappears, or it is as deep as the non-retrieval one.
    hebbian : dict, optional
        The arguments ``theory.critical_load`` received (its ``locals()``): a Hebbian-only
        one (rho, protocol, level, r, M) at any value but its default is a TypeError
        (``progress`` is accepted: closed forms).

    Examples
    --------
    >>> import theory
    >>> round(theory.critical_load("lse", beta_net=1.0), 3)
    0.623
    """
    refuse_hebbian("critical_load", hebbian or {})
    t = _validate.scalar_T(T)
    b, law = _options(beta_net, patterns)
    if b.ndim:
        raise ValueError(f"beta_net must be a scalar here; got shape {b.shape}.")
    if law == "binary" and t > 0.0:
        raise ValueError("patterns='binary' is derived at T = 0 only; got T > 0.")
    criterion = _validate.choice("criterion", criterion, thermal.CRITERIA)
    return float(thermal.critical_alpha(b, t, law, criterion))
