"""``theory.solve``: validate, build the grid, dispatch to the RS (or 1RSB) solver, label.

Every array-valued parameter becomes one dimension named after it (outer product, in the
order beta/T, alpha, rho/r, M); scalars go to the attributes. The RS kernel runs once per
grid (``jit`` + ``vmap``, float64 in a scoped x64 context).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from theory import _validate
from theory._rs_grid import solve_rs_flat
from theory._solver import TOL as TOL_REPORT  # residual max|F(x) - x| for "converged"
from theory._warnings import ConvergenceWarning

_LONG_NAMES = {
    "m": ("Mattis overlap m with the archetype", "1"),
    "n": ("class-mean overlap n", "1"),
    "q": ("two-replica overlap q", "1"),
    "free_energy": ("free energy per neuron f = -A/beta (energy at T = 0)", "1"),
    "converged": ("solver converged", "1"),
    "stable": ("linearly stable fixed point", "1"),
    "r_AGS": ("AGS cross-talk variance parameter r", "1"),
    "q0": ("1RSB inter-state overlap q0", "1"),
    "q1": ("1RSB intra-state overlap q1", "1"),
    "theta": ("1RSB Parisi parameter theta", "1"),
}


@dataclass
class Grid:
    """Validated inputs: 1-D coordinate arrays by name and the flat arrays of the grid."""

    protocol: str
    P: int
    level: str
    branch: str
    finite_M: bool
    dims: list[str]
    coords: dict[str, np.ndarray]
    shape: tuple[int, ...]
    flat: dict[str, np.ndarray]
    attrs: dict[str, object] = field(default_factory=dict)


def _as_1d(name: str, arr: np.ndarray) -> np.ndarray:
    if arr.ndim > 1:
        raise ValueError(
            f"{name} must be a scalar or a 1-D array; got an array of shape {arr.shape}. "
            "Each array-valued parameter becomes its own dimension of the result."
        )
    return arr


def build_grid(protocol, P, beta, T, alpha, rho, r, M, level, branch, finite_M) -> Grid:
    """Check every input (ValueError/TypeError naming the parameter) and build the grid."""
    protocol = _validate.choice("protocol", protocol, _validate.PROTOCOLS)
    level = _validate.choice("level", level, _validate.LEVELS)
    branch = _validate.choice("branch", branch, _validate.BRANCHES)
    P = _validate.interaction_order(P)
    if not isinstance(finite_M, (bool, np.bool_)):
        raise TypeError(f"finite_M must be True or False; got {finite_M!r}.")
    beta_arr = _as_1d("beta" if T is None else "T", _validate.beta_or_T(beta, T))
    alpha_arr = _as_1d(
        "alpha",
        _validate.real_array(
            "alpha",
            alpha,
            low=0.0,
            high=math.inf,
            high_open=True,
            meaning="alpha is the load, K = alpha N^(P-1); alpha = 0 is low storage.",
        ),
    )
    data: dict[str, np.ndarray] = {}
    if (r is None) != (M is None):
        raise ValueError(
            f"give r and M together (rho = (1 - r^2)/(M r^2)), or rho alone; got r={r!r}, M={M!r}."
        )
    if r is not None:
        if protocol == "hebbian":
            raise ValueError(
                "protocol='hebbian' stores the archetypes themselves and takes no r, M or rho; "
                "use protocol='supervised' or 'unsupervised' for learning from examples."
            )
        if np.any(np.asarray(rho, dtype=float) != 0.0):
            raise ValueError(
                f"give either rho or (r, M), not both; got rho={rho!r}, r={r!r}, M={M!r}."
            )
        data["r"] = _as_1d(
            "r",
            _validate.real_array(
                "r",
                r,
                low=0.0,
                high=1.0,
                low_open=True,
                meaning="Each example bit equals its archetype bit with probability (1+r)/2.",
            ),
        )
        data["M"] = _as_1d(
            "M",
            _validate.real_array(
                "M",
                M,
                low=1.0,
                high=math.inf,
                high_open=True,
                meaning="M is the number of examples per archetype.",
            ),
        )
        if finite_M and np.any(data["M"] != np.round(data["M"])):
            raise ValueError(
                f"M must be an integer for finite_M=True (exact binomial law); got M={M!r}."
            )
    else:
        rho_arr = _as_1d(
            "rho",
            _validate.real_array(
                "rho",
                rho,
                low=0.0,
                high=math.inf,
                high_open=True,
                meaning="rho = (1 - r^2)/(M r^2) is the dataset entropy.",
            ),
        )
        if protocol == "hebbian" and np.any(rho_arr != 0.0):
            raise ValueError(
                f"protocol='hebbian' has no dataset, so rho must be 0; got rho={rho!r}. "
                "Use protocol='supervised' or 'unsupervised' for rho > 0."
            )
        if finite_M:
            raise ValueError("finite_M=True needs r and M (the exact binomial law); got rho only.")
        data["rho"] = rho_arr
    params = {("beta" if T is None else "T"): beta_arr, "alpha": alpha_arr, **data}
    if T is not None:
        params["T"] = _as_1d("T", np.asarray(T, dtype=np.float64))
    dims = [k for k, v in params.items() if v.ndim == 1]
    coords = {k: v for k, v in params.items() if v.ndim == 1}
    shape = tuple(v.size for v in coords.values())
    mesh = dict(zip(dims, np.meshgrid(*coords.values(), indexing="ij"))) if dims else {}

    def full(name: str, default: np.ndarray | float) -> np.ndarray:
        v = mesh.get(name, params.get(name, default))
        return np.broadcast_to(np.asarray(v, dtype=np.float64), shape).copy()

    if T is None:
        beta_full = full("beta", 1.0)
    else:
        t = full("T", 1.0)
        with np.errstate(divide="ignore"):
            beta_full = np.where(t == 0.0, np.inf, 1.0 / np.where(t == 0.0, 1.0, t))
    flat = {"beta": beta_full, "alpha": full("alpha", 0.0)}
    if "r" in data:
        r_full, M_full = full("r", 1.0), full("M", 1.0)
        flat |= {"r": r_full, "M": M_full, "rho": (1.0 - r_full**2) / (M_full * r_full**2)}
    else:
        rho_full = full("rho", 0.0)
        flat |= {"rho": rho_full, "r": np.ones(shape), "M": np.ones(shape)}
    alpha_eff = flat["alpha"]
    if protocol == "unsupervised" and np.any(flat["alpha"] > 0.0):
        if P == 2:
            raise NotImplementedError(
                "protocol='unsupervised' at high storage (alpha > 0) is implemented for P >= 4 "
                "only (MODELS.md §4.2); use alpha=0 or P >= 4."
            )
        if "r" not in data:
            raise ValueError(
                "protocol='unsupervised' with alpha > 0 needs r and M separately (the cross-talk "
                "depends on rho_P = (1 - r^(2P))/(M r^(2P))), not rho alone."
            )
        rP = flat["r"] ** (2 * P)
        rho_P = (1.0 - rP) / (flat["M"] * rP)
        alpha_eff = flat["alpha"] * (1.0 + rho_P) / (1.0 + flat["rho"]) ** P
    flat["alpha_eff"] = alpha_eff
    attrs: dict[str, object] = {
        "protocol": protocol,
        "P": P,
        "level": level,
        "branch": branch,
        "finite_M": int(bool(finite_M)),
        "Delta_per_alpha": math.factorial(P) / P,
    }
    for k, v in params.items():
        if v.ndim == 0:
            attrs[k] = float(v)
    if T is None and beta_arr.ndim == 0:
        attrs["T"] = 0.0 if np.isinf(beta_arr) else 1.0 / float(beta_arr)
    if T is not None and beta_arr.ndim == 0:
        attrs["beta"] = float(beta_arr)
    return Grid(protocol, P, level, branch, bool(finite_M), dims, coords, shape, flat, attrs)


def _as_dataset(out: dict[str, np.ndarray], grid: Grid) -> xr.Dataset:
    """Wrap solver output (arrays of the grid shape) as a labelled Dataset.

    Non-converged points become NaN (with ``converged=False``) and raise a
    ``ConvergenceWarning``. Extensions (e.g. the replicon of theory.at) add variables to
    the Dataset returned here.
    """
    conv = np.asarray(out["converged"], dtype=bool).reshape(grid.shape)
    data_vars = {}
    for name, value in out.items():
        if name in ("converged", "iterations"):
            continue
        arr = np.asarray(value, dtype=np.float64).reshape(grid.shape)
        if name != "stable":
            arr = np.where(conv, arr, np.nan)
        else:
            arr = arr.astype(bool) & conv
        data_vars[name] = (grid.dims, arr)
    data_vars["converged"] = (grid.dims, conv)
    ds = xr.Dataset(data_vars, coords={k: (k, v) for k, v in grid.coords.items()})
    if "T" in grid.coords:
        t = grid.coords["T"]
        with np.errstate(divide="ignore"):
            ds = ds.assign_coords(
                beta=("T", np.where(t == 0, np.inf, 1.0 / np.where(t == 0, 1, t)))
            )
    elif "beta" in grid.coords:
        b = grid.coords["beta"]
        with np.errstate(divide="ignore"):
            ds = ds.assign_coords(T=("beta", np.where(np.isinf(b), 0.0, 1.0 / b)))
    for name, (long_name, units) in _LONG_NAMES.items():
        if name in ds:
            ds[name].attrs.update(long_name=long_name, units=units)
    for name in ("alpha", "beta", "T", "rho", "r", "M"):
        if name in ds.coords:
            ds[name].attrs.update(units="1")
    ds.attrs.update(grid.attrs)
    bad = int(conv.size - conv.sum())
    if bad:
        warnings.warn(
            f"{bad} of {conv.size} grid points did not converge (branch={grid.branch!r}, "
            f"tol={TOL_REPORT:g}); they are NaN with converged=False.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return ds


def solve(
    protocol: str = "hebbian",
    *,
    P: int = 2,
    beta=None,
    T=None,
    alpha=0.0,
    rho=0.0,
    r=None,
    M=None,
    level: str = "RS",
    branch: str = "retrieval",
    finite_M: bool = False,
) -> xr.Dataset:
    """Solve the self-consistency equations of a Hebbian network (MODELS.md §3-5).

    Parameters
    ----------
    protocol : {"hebbian", "supervised", "unsupervised"}
        How the couplings are built: from the archetypes, the class means of M examples per
        archetype, or every example (MODELS.md §2).
    P : int
        Interaction order, even, >= 2 (P = 2: pairwise Hopfield / AGS).
    beta, T : float or 1-D array_like
        Inverse temperature or temperature (give exactly one). ``T=0`` / ``beta=inf`` is the
        exact zero-temperature limit (the result's ``free_energy`` is then the energy).
    alpha : float or 1-D array_like
        Load, K = alpha N^(P-1); 0 is low storage. Convention-free Delta = alpha P!/P.
    rho : float or 1-D array_like
        Dataset entropy (1 - r^2)/(M r^2). Must be 0 for the hebbian protocol.
    r, M : float or 1-D array_like, optional
        Example quality in (0, 1] and examples per archetype (>= 1), instead of ``rho``.
    level : {"RS", "1RSB"}
        Replica-symmetric or one-step RSB (theory.rsb, P >= 4).
    branch : {"retrieval", "spinglass", "paramagnet"}
        Starting point of the solver: m = 1 (q = 1), m = 0 with q = 1, or the closed-form
        m = q = 0 solution.
    finite_M : bool
        Use the exact binomial law of the example average instead of its large-M Gaussian
        limit (needs integer ``M``).

    Returns
    -------
    xarray.Dataset
        Dimensions: one per array-valued parameter, named after it. Variables ``m``, ``n``
        (class-mean overlap n̄, = m for hebbian), ``q``, ``free_energy`` (per neuron),
        ``converged`` (bool; non-converged points are NaN), ``stable`` (linearly stable
        fixed point, theory.stability), and ``r_AGS`` for P = 2. Attributes: every input.

    Examples
    --------
    >>> import theory
    >>> ds = theory.solve(P=2, T=0.0, alpha=0.05)
    >>> bool(ds.m > 0.99), bool(ds.converged)
    (True, True)
    """
    grid = build_grid(protocol, P, beta, T, alpha, rho, r, M, level, branch, finite_M)
    f = grid.flat
    if grid.level == "1RSB":
        try:
            from theory.rsb import solve_1rsb
        except ImportError as exc:
            raise NotImplementedError(
                "level='1RSB' needs theory.rsb (one-step RSB), which is not available."
            ) from exc
        out = solve_1rsb(
            protocol=grid.protocol,
            P=grid.P,
            beta=f["beta"],
            alpha=f["alpha"],
            rho=f["rho"],
            branch=grid.branch,
        )
        return _as_dataset(dict(out), grid)
    # binomial support padded to a power of two (zero weights) to limit recompilation
    M_max = 1 << int(np.max(f["M"])).bit_length() if grid.finite_M else 0
    out = solve_rs_flat(
        f["beta"],
        f["alpha_eff"],
        f["rho"],
        f["r"],
        f["M"],
        P=grid.P,
        branch=grid.branch,
        M_max=M_max,
    )
    out = {k: v.reshape(grid.shape) for k, v in out.items()}
    from theory.at import attach_replicon  # AT stability of the RS result (theory/at.py)

    return attach_replicon(_as_dataset(out, grid), P=grid.P, protocol=grid.protocol,
                           beta=f["beta"], alpha=f["alpha"], rho=f["rho"])
