"""``theory.solve``: validate, build the grid, dispatch to the RS (or 1RSB) solver, label.

Every array-valued parameter becomes one dimension named after it (outer product, in the
order beta/T, alpha, rho/r, M); scalars go to the attributes. The RS kernel runs once per
grid (``jit`` + ``vmap``, float64 in a scoped x64 context).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from theory import _memory, _schema, _validate
from theory._conventions import (  # noqa: F401 (ConvergenceWarning: imported from here)
    ConvergenceWarning,
    T_of_beta,
    beta_of_T,
    factorial,
)
from theory.rs.continuation import solve_rs_grid
from theory.rs.fixed_point import TOL as TOL_REPORT  # residual max|F(x) - x| for "converged"
from theory.rs.grid import solve_rs_flat


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
    spectrum: bool = False  # unsupervised P = 2: solve with the example modes (models.md §4.3)


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
    finite_M = _validate.flag("finite_M", finite_M)
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
    if (r is None) != (M is None):
        raise ValueError(
            f"give r and M together (rho = (1 - r^2)/(M r^2)), or rho alone; got r={r!r}, M={M!r}."
        )
    if r is not None:
        data = _example_axes(protocol, rho, r, M, finite_M)
    else:
        data = {"rho": _entropy_axis(protocol, rho, finite_M)}
    params = {("beta" if T is None else "T"): beta_arr, "alpha": alpha_arr, **data}
    if T is not None:
        params["T"] = _as_1d("T", T_of_beta(beta_arr))
    grid = _schema.outer_grid(params)
    _check_memory(protocol, P, level, finite_M, grid.shape, data)
    flat = _flat_points(grid, thermal="beta" if T is None else "T")
    spectrum = _unsupervised_load(protocol, P, level, flat, examples="r" in data)
    attrs: dict[str, object] = {
        "protocol": protocol,
        "P": P,
        "level": level,
        "branch": branch,
        "finite_M": int(bool(finite_M)),
        "Delta_per_alpha": factorial(P) / P,
    }
    attrs |= {k: float(v) for k, v in params.items() if v.ndim == 0}
    if beta_arr.ndim == 0:  # the companion of a scalar temperature
        attrs["T" if T is None else "beta"] = float(T_of_beta(beta_arr) if T is None else beta_arr)
    return Grid(protocol, P, level, branch, bool(finite_M), list(grid.dims), grid.coords,
                grid.shape, flat, attrs, spectrum)


def _example_axes(protocol, rho, r, M, finite_M) -> dict[str, np.ndarray]:
    """The checked ``r`` and ``M`` of a request given by examples (instead of ``rho``)."""
    if protocol == "hebbian":
        raise ValueError(
            "protocol='hebbian' stores the archetypes themselves and takes no r, M or rho; "
            "use protocol='supervised' or 'unsupervised' for learning from examples."
        )
    if np.any(np.asarray(rho, dtype=float) != 0.0):
        raise ValueError(
            f"give either rho or (r, M), not both; got rho={rho!r}, r={r!r}, M={M!r}."
        )
    data = {
        "r": _as_1d("r", _validate.real_array(
            "r", r, low=0.0, high=1.0, low_open=True,
            meaning="Each example bit equals its archetype bit with probability (1+r)/2.")),
        "M": _as_1d("M", _validate.real_array(
            "M", M, low=1.0, high=math.inf, high_open=True,
            meaning="M is the number of examples per archetype.")),
    }
    if finite_M and np.any(data["M"] != np.round(data["M"])):
        raise ValueError(
            f"M must be an integer for finite_M=True (exact binomial law); got M={M!r}."
        )
    return data


def _entropy_axis(protocol, rho, finite_M) -> np.ndarray:
    """The checked dataset entropy ``rho`` of a request given without examples."""
    rho_arr = _as_1d("rho", _validate.real_array(
        "rho", rho, low=0.0, high=math.inf, high_open=True,
        meaning="rho = (1 - r^2)/(M r^2) is the dataset entropy."))
    if protocol == "hebbian" and np.any(rho_arr != 0.0):
        raise ValueError(
            f"protocol='hebbian' has no dataset, so rho must be 0; got rho={rho!r}. "
            "Use protocol='supervised' or 'unsupervised' for rho > 0."
        )
    if finite_M:
        raise ValueError("finite_M=True needs r and M (the exact binomial law); got rho only.")
    return rho_arr


def _flat_points(grid: _schema.OuterGrid, thermal: str) -> dict[str, np.ndarray]:
    """beta, alpha, rho, r and M at every grid point (arrays of the grid shape)."""
    beta = grid.full("beta") if thermal == "beta" else beta_of_T(grid.full("T"))
    flat = {"beta": beta, "alpha": grid.full("alpha")}
    if "r" in grid.axes:
        r, M = grid.full("r"), grid.full("M")
        return flat | {"r": r, "M": M, "rho": (1.0 - r**2) / (M * r**2)}
    return flat | {"rho": grid.full("rho"), "r": np.ones(grid.shape), "M": np.ones(grid.shape)}


def _unsupervised_load(protocol, P, level, flat, examples: bool) -> bool:
    """Put the effective load ``alpha_eff`` in ``flat`` (the unsupervised cross-talk, models.md
    §4.2-4.3) and say whether the example modes are solved (unsupervised, P = 2, r and M)."""
    loaded = protocol == "unsupervised" and bool(np.any(flat["alpha"] > 0.0))
    if loaded and not examples:
        raise ValueError(
            "protocol='unsupervised' with alpha > 0 needs r and M separately (the cross-talk "
            "of the stored examples depends on both, docs/models.md §4.2-4.3), not rho alone."
        )
    spectrum = protocol == "unsupervised" and P == 2 and examples
    flat["alpha_eff"] = flat["alpha"]
    if loaded and not spectrum:
        rP = flat["r"] ** (2 * P)
        rho_P = (1.0 - rP) / (flat["M"] * rP)
        flat["alpha_eff"] = flat["alpha"] * (1.0 + rho_P) / (1.0 + flat["rho"]) ** P
    return spectrum


def _support(M: np.ndarray) -> int:
    """Size of the padded binomial support (a power of two above max M, zero weights)."""
    return 1 << int(np.max(M)).bit_length()


def _check_memory(protocol, P, level, finite_M, shape, data) -> None:
    """Refuse (ValueError) a grid whose estimated peak memory exceeds what is available."""
    points = math.prod(shape)
    sizes = ", ".join(f"{n}" for n in shape) or "1"
    if level == "1RSB":
        n_y = 1 if protocol == "hebbian" else 16
        need = _memory.rsb_grid_bytes(points, n_y, 64, 8)
        what = f"theory.solve(level='1RSB', P={P}) on a grid of {points} points ({sizes})"
    else:
        support = _support(data["M"]) + 1 if finite_M else 1
        need = _memory.rs_grid_bytes(points, support)
        what = f"theory.solve(P={P}) on a grid of {points} points ({sizes})"
        if finite_M:
            what += f" with finite_M=True and M up to {float(np.max(data['M'])):g}"
    _memory.check(need, what)


#: infinite temperature (beta = 0): the paramagnet, f = -T ln 2 + ... = -inf (docs/models.md)
_HOT = {"m": 0.0, "n": 0.0, "q": 0.0, "q0": 0.0, "q1": 0.0, "theta": 1.0, "mu": 0.0,
        "r_AGS": 0.0, "free_energy": -math.inf, "converged": True, "stable": True,
        "iterations": 0, "residual": 0.0}


_UNSUPERVISED_AT = ("replica symmetry locally (AT) stable (1/0): not computed (NaN) for "
                    "protocol='unsupervised' at alpha > 0, whose replicon is not derived; "
                    "at alpha = 0 the replicon is 1 (docs/theory.md)")


def _solve_not_hot(solver, keys, flat: dict, names: tuple[str, ...]) -> dict:
    """Run ``solver(**arrays)`` on the finite-temperature points only (flat arrays) and put
    the beta = 0 result (paramagnet, free energy -inf) at the others; ``keys`` are the
    solver's outputs (used when every point is at infinite temperature)."""
    hot = (flat["beta"] == 0.0).ravel()
    n = hot.size
    cold = np.flatnonzero(~hot)
    part = solver(**{k: flat[k].ravel()[cold] for k in names}) if cold.size else {}
    out = {}
    for k in part or keys:
        v = part.get(k)
        dtype = np.asarray(v).dtype if v is not None else (bool if k in ("converged", "stable")
                                                           else float)
        full = np.zeros(n, dtype=dtype)
        if v is not None:
            full[cold] = np.asarray(v).ravel()
        full[hot] = _HOT.get(k, 0.0)
        out[k] = full
    return out


def _as_dataset(out: dict[str, np.ndarray], grid: Grid) -> xr.Dataset:
    """Wrap solver output (arrays of the grid shape) as a labelled Dataset
    (:func:`theory._schema.as_dataset`).

    Non-converged points become NaN (with ``converged=False``) and raise a
    ``ConvergenceWarning``. Extensions (e.g. the replicon of theory.rs.at) add variables to
    the Dataset returned here.
    """
    conv = np.asarray(out["converged"], dtype=bool).reshape(grid.shape)
    variables = {k: np.asarray(v, dtype=np.int64) if k == "iterations" else v
                 for k, v in out.items() if k != "converged"}
    coords = {k: (k, v) for k, v in grid.coords.items()}
    if "T" in grid.coords:
        coords["beta"] = ("T", beta_of_T(grid.coords["T"]))
    elif "beta" in grid.coords:
        coords["T"] = ("beta", T_of_beta(grid.coords["beta"]))
    return _schema.as_dataset(
        variables, dims=grid.dims, coords=coords, converged=conv, attrs=grid.attrs,
        settings=f"branch={grid.branch!r}, tol={TOL_REPORT:g}", stacklevel=4,
    )


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
    **lse_options,
) -> xr.Dataset:
    """Solve the self-consistency equations of a Hebbian network (docs/models.md §3-5).

    Parameters
    ----------
    protocol : {"hebbian", "supervised", "unsupervised"}
        How the couplings are built: from the archetypes, the class means of M examples per
        archetype, or every example (docs/models.md §2).
    P : int
        Interaction order, >= 2 (P = 2: pairwise Hopfield / AGS; odd P: no +-m symmetry,
        the retrieval branch has m >= 0 and no reversed partner).
    beta, T : float or 1-D array_like
        Inverse temperature or temperature (give exactly one). ``T=0`` / ``beta=inf`` is the
        exact zero-temperature limit (the result's ``free_energy`` is then the energy);
        ``T=inf`` / ``beta=0`` is the paramagnet, with ``free_energy = -inf``.
    alpha : float or 1-D array_like
        Load, K = alpha N^(P-1); 0 is low storage. Convention-free Delta = alpha P!/P.
    rho : float or 1-D array_like
        Dataset entropy (1 - r^2)/(M r^2). Must be 0 for the hebbian protocol.
    r, M : float or 1-D array_like, optional
        Example quality in (0, 1] and examples per archetype (>= 1), instead of ``rho``.
    level : {"RS", "1RSB"}
        Replica-symmetric or one-step RSB (theory.rsb; unsupervised: theory.rsb.unsupervised).
    branch : {"retrieval", "spinglass", "paramagnet"}
        Starting point of the solver: m = 1 (q = 1), m = 0 with q = 1, or the closed-form
        m = q = 0 solution.
    finite_M : bool
        Use the exact binomial law of the example average instead of its large-M Gaussian
        limit (needs integer ``M``).

    Returns
    -------
    xarray.Dataset
        Dimensions: one per array-valued parameter, named after it, in signature order.
        Variables ``m``, ``n`` (class-mean overlap n̄, = m for hebbian), ``q``,
        ``free_energy`` (per neuron), ``converged`` (bool; non-converged points are NaN),
        ``residual`` and ``iterations`` (RS), ``stable`` (linearly stable fixed point,
        theory.rs.stability), ``replicon`` / ``rs_stable`` (de Almeida-Thouless; RS, not
        unsupervised) and ``r_AGS`` for P = 2; CF ``long_name``/``units`` on each
        (theory._schema). Attributes: every input. ``protocol="unsupervised"`` at P = 2 and
        alpha > 0 solves docs/models.md §4.3 (needs ``r`` and ``M``). Requests are checked
        (and their memory estimated) before any computation.

    Examples
    --------
    >>> import theory
    >>> ds = theory.solve(P=2, T=0.0, alpha=0.05)
    >>> bool(ds.m > 0.99), bool(ds.converged)
    (True, True)
    """
    if protocol == "lse":  # log-sum-exp memory, M = e^{alpha N}: docs/exponential.md
        from theory.lse import solve_lse
        return solve_lse(beta=beta, T=T, alpha=alpha, branch=branch, hebbian=locals(),
                         **lse_options)
    if lse_options:
        raise TypeError(f"unexpected arguments {sorted(lse_options)} (only for protocol='lse').")
    grid = build_grid(protocol, P, beta, T, alpha, rho, r, M, level, branch, finite_M)
    f = grid.flat
    if grid.level == "1RSB":  # one path with theory.rsb.solve
        from theory.rsb._solve1rsb import solve_on_grid

        return solve_on_grid(grid)

    def rs(beta, alpha_eff, rho, r, M):
        return solve_rs_flat(beta, alpha_eff, rho, r, M, P=grid.P, branch=grid.branch,
                             M_max=_support(f["M"]) if grid.finite_M else 0,
                             spectrum=grid.spectrum)

    keys = ("m", "n", "q", "free_energy", "converged", "stable", "iterations", "residual")
    keys += ("r_AGS",) if grid.P == 2 else ()
    if np.any(f["beta"] == 0.0):
        out = _solve_not_hot(rs, keys, f, ("beta", "alpha_eff", "rho", "r", "M"))
    else:  # coarse-to-fine continuation on the grid (theory.rs.continuation)
        arrays = {"beta": f["beta"], "alpha": f["alpha_eff"], "rho": f["rho"], "r": f["r"],
                  "M": f["M"]}
        out = solve_rs_grid(arrays, grid.shape or (1,), P=grid.P, branch=grid.branch,
                            M_max=_support(f["M"]) if grid.finite_M else 0,
                            spectrum=grid.spectrum)
    out = {k: v.reshape(grid.shape) for k, v in out.items()}
    from theory.rs.at import attach_replicon  # AT stability of the RS result

    ds = attach_replicon(_as_dataset(out, grid), P=grid.P, protocol=grid.protocol,
                         beta=f["beta"], alpha=f["alpha"], rho=f["rho"])
    if "rs_stable" not in ds:  # unsupervised: no replicon derived for alpha > 0
        ds = _schema.not_computed(ds, {"rs_stable": _UNSUPERVISED_AT})
        low = np.asarray(f["alpha"]).reshape(grid.shape) == 0.0  # replicon 1: RS is exact
        ds["rs_stable"].values[low] = ds["converged"].values[low]
    return _schema.label(ds)
