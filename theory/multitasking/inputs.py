"""Input checks and starting points of :func:`theory.multitasking.solve`, and the checks of
the multitasking parameters shared with :mod:`theory.multitasking.lines` and
:mod:`theory.multitasking.snr`. Every check raises before any JAX call.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import jax
import numpy as np

from theory import _memory, _schema, _validate
from theory._conventions import T_of_beta
from theory._gaussian import DEFAULT_NODES, NODES_PER_AVERAGE

BRANCHES = ("hierarchical", "symmetric", "pure", "paramagnet")
MAX_EXACT_K = 10  # 3^10 = 59049 configurations
MAX_FINITE_M_TABLE = 2_000_000  # (2M+3)^K configurations of the exact finite-M law


def pattern_count(K: object) -> int:
    """K, the number of patterns: an integer >= 1 (TypeError for a non-integer)."""
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)):
        raise TypeError(f"K must be an integer >= 1; got {K!r} of type {type(K).__name__}.")
    if K < 1:
        raise ValueError(f"K must be an integer >= 1; got K={K}. K is the number of patterns.")
    return int(K)


def dilution(d: object) -> np.ndarray:
    """d, the dilution: real values in [0, 1), any shape."""
    return _validate.real_array(
        "d",
        d,
        low=0.0,
        high=1.0,
        high_open=True,
        meaning="d is the dilution, the probability that a pattern entry is 0.",
    )


def _power(base: int, K: int) -> str:
    """``base**K`` for a message, in scientific notation when it is long."""
    return str(base**K) if K < 40 else f"{base}^{K} ~ 1e{K * math.log10(base):.0f}"


def _check_memory(K, d, t, rho, average, samples, finite) -> None:
    """Refuse (ValueError) a request whose estimated peak memory exceeds what is available."""
    points = int(np.size(d) * np.size(t) * np.size(rho))
    if finite is not None:
        configs = ((2 * finite[0] + 3) ** K + 1) // 2
    elif average == "sampled":
        configs = int(samples)
    else:
        configs = (3**K + 1) // 2
    gauss = finite is None and bool(np.any(np.asarray(rho) > 0))
    need = _memory.multitasking_bytes(
        points=points, K=K, configs=configs, nodes=NODES_PER_AVERAGE if gauss else 1
    )
    if average == "sampled":
        need += 2.0 * _memory.FLOAT * float(samples) * K  # the drawn uniforms
    _memory.check(
        need,
        f"theory.multitasking.solve(K={K}, average={average!r}, samples={samples}) on "
        f"{points} grid points",
    )


def _positive_integer(name: str, value: object, what: str = "") -> int:
    """An integer >= 1; ``what`` is an explanation put after the bound. Booleans and
    strings are a TypeError, other non-integers and values < 1 a ValueError."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{name} must be an integer >= 1{what}; got {value!r}.")
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1{what}; got {name}={value!r}.")
    return int(value)


@dataclasses.dataclass(frozen=True)
class Inputs:
    """Checked inputs of ``solve`` on a flat grid of G points, and the result's layout."""

    K: int
    d: np.ndarray  # flat grid, shape (G,)
    beta: np.ndarray
    rho: np.ndarray
    grid_shape: tuple[int, ...]
    grid_dims: tuple[str, ...]
    coords: dict
    start: str | np.ndarray
    order: np.ndarray
    constraint: str
    sample_u: np.ndarray | None
    tol: float
    max_iter: int
    n_fp: int  # plain fixed-point steps before Newton is allowed
    finite_M: tuple[int, float] | None  # (M, r) for the exact finite-M law
    attrs: dict


def _axis(name: str, value: object, **kw) -> np.ndarray:
    """A grid axis: values checked by ``_validate.real_array(name, value, **kw)``."""
    return _at_most_1d(name, _validate.real_array(name, value, **kw))


def _at_most_1d(name: str, arr: object) -> np.ndarray:
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array; got shape {arr.shape}.")
    return arr


def _data_law(K, rho, r, M, finite_M, average):
    """rho from (r, M) where given; the finite-M table parameters or None."""
    if r is None and M is None:
        if finite_M:
            raise ValueError("finite_M=True needs the example quality r and the count M.")
        return rho, None
    if r is None or M is None:
        raise ValueError(f"give both r and M (or rho alone); got r={r!r}, M={M!r}.")
    if np.any(np.asarray(rho) != 0.0):
        raise ValueError(f"give rho or (r, M), not both; got rho={rho!r}, r={r!r}, M={M!r}.")
    r_val = float(
        _validate.real_array(
            "r",
            r,
            low=0.0,
            high=1.0,
            low_open=True,
            meaning=("Each example bit equals its archetype bit with probability (1+r)/2."),
        )
    )
    _positive_integer("M", M, " (examples per pattern)")
    rho_val = (1.0 - r_val**2) / (M * r_val**2)
    if not finite_M:
        return rho_val, None
    if average != "exact":
        raise ValueError("finite_M=True needs average='exact'.")
    size = (2 * int(M) + 3) ** K if K * math.log10(2 * int(M) + 3) < 30 else math.inf
    if size > MAX_FINITE_M_TABLE:
        raise ValueError(
            f"finite_M=True with K={K}, M={M} needs (2M+3)^K = {size} configurations (at most "
            f"{MAX_FINITE_M_TABLE}); use the large-M Gaussian law (finite_M=False) instead."
        )
    return rho_val, (int(M), r_val)


def _order_and_start(K: int, order, branch) -> tuple[np.ndarray, str | np.ndarray]:
    """The condensation order (a permutation of range(K)) and the branch: a name of
    ``BRANCHES`` or an explicit initial nbar of shape (K,)."""
    if order is None:
        order_arr = np.arange(K)
    else:
        order_arr = np.asarray(order)
        if order_arr.shape != (K,) or sorted(order_arr.tolist()) != list(range(K)):
            raise ValueError(f"order must be a permutation of range(K={K}); got {order!r}.")
    if isinstance(branch, str):
        return order_arr, _validate.choice("branch", branch, BRANCHES)
    start = _validate.real_array("branch", branch)
    if start.shape != (K,):
        raise ValueError(
            f"an explicit branch must be an initial nbar of shape (K,) = ({K},); "
            f"got shape {start.shape}."
        )
    return order_arr, start


def _uniforms(seed, samples: int, K: int) -> np.ndarray:
    """The (samples, K) uniforms of the sampled configuration average, from ``seed``."""
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.default_rng(ss).random((int(samples), K))


def validate_inputs(
    K,
    d,
    *,
    beta,
    T,
    rho,
    r,
    M,
    finite_M,
    branch,
    order,
    average,
    samples,
    seed,
    nodes,
    tol,
    max_iter,
) -> Inputs:
    """Check every argument of ``solve`` (same names) and lay out the flat grid."""
    K = pattern_count(K)
    finite_M = _validate.flag("finite_M", finite_M)
    average = _validate.choice("average", average, ("exact", "sampled"))
    if average == "exact" and K > MAX_EXACT_K:
        raise ValueError(
            f"K={K} is too large for the exact average over the 3^K = {_power(3, K)} ternary "
            f"configurations (exact needs K <= {MAX_EXACT_K}); pass average='sampled' with "
            "samples=... and seed=... for a Monte Carlo average over configurations."
        )
    rho, finite = _data_law(K, rho, r, M, finite_M, average)
    d_arr = _at_most_1d("d", dilution(d))
    rho_arr = _axis(
        "rho",
        rho,
        low=0.0,
        meaning="rho = (1 - r^2) / (M r^2) is the dataset "
        "entropy; rho = 0 stores the patterns themselves.",
    )
    beta_arr = _validate.beta_or_T(beta, T)  # exactly one of them
    tname = "beta" if beta is not None else "T"
    beta_arr = _at_most_1d(tname, beta_arr)
    t_arr = beta_arr if beta is not None else T_of_beta(beta_arr)
    if average == "sampled":
        if seed is None:
            raise ValueError("average='sampled' needs a seed (int or numpy.random.SeedSequence).")
        seed = _validate.seed(seed)
        _positive_integer("samples", samples)
    _positive_integer("nodes", nodes)
    if nodes != DEFAULT_NODES:
        warnings.warn(
            "nodes is no longer used: the data-noise average is theory._gaussian.tanh_averages "
            "(absolute errors ~5e-15, docs/models.md §9); drop the argument.",
            DeprecationWarning,
            stacklevel=3,
        )
    _check_memory(K, d_arr, t_arr, rho_arr, average, samples, finite)
    order_arr, start = _order_and_start(K, order, branch)
    if isinstance(tol, bool) or not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise ValueError(f"tol must be a float in (0, 1); got tol={tol!r}.")
    _positive_integer("max_iter", max_iter)
    sample_u = _uniforms(seed, samples, K) if average == "sampled" else None

    grid = _schema.outer_grid({"d": d_arr, tname: t_arr, "rho": rho_arr})
    coords: dict = {name: ((name,) if a.ndim else (), a) for name, a in grid.axes.items()}
    other = "T" if tname == "beta" else "beta"
    coords[other] = ((tname,) if t_arr.ndim else (), T_of_beta(t_arr))
    coords["pattern"] = ("pattern", np.arange(K))
    constraint = start if isinstance(start, str) and start in ("symmetric", "pure") else "none"
    attrs = {
        "model": "multitasking",
        "K": K,
        "branch": start if isinstance(start, str) else "explicit",
        "order": order_arr.tolist(),
        "average": average,
        "nodes": int(nodes),
        "tol": float(tol),
        "max_iter": int(max_iter),
        "equations": "docs/models.md §6 (RS, P=2)",
        "jax_version": jax.__version__,
        "numpy_version": np.__version__,
        "data_law": "none"
        if not np.any(rho_arr > 0)
        else ("finite_M (exact binomial)" if finite else "large-M Gaussian"),
    }
    if r is not None:
        attrs.update(r=float(r), M=int(M))
    if average == "sampled":
        attrs.update(
            samples=int(samples),
            seed=str(seed.entropy if isinstance(seed, np.random.SeedSequence) else seed),
        )
    return Inputs(
        K=K,
        d=grid.flat("d"),
        beta=grid.flat(tname, beta_arr),
        rho=grid.flat("rho"),
        grid_shape=grid.shape,
        grid_dims=grid.dims,
        coords=coords,
        start=start,
        order=order_arr,
        constraint=constraint,
        sample_u=sample_u,
        tol=float(tol),
        max_iter=int(max_iter),
        n_fp=8,
        finite_M=finite,
        attrs=attrs,
    )


def initial_guess(inp: Inputs) -> tuple[np.ndarray, np.ndarray]:
    """Starting nbar, shape (G, K), and the pure-state mask, shape (K,)."""
    G, K = inp.d.size, inp.K
    keep = np.zeros(K)
    keep[inp.order[0]] = 1.0
    scale = (1.0 / (1.0 + inp.rho))[:, None]
    if not isinstance(inp.start, str):
        return np.broadcast_to(inp.start, (G, K)).copy(), keep
    if inp.start == "paramagnet":
        return np.zeros((G, K)), keep
    if inp.start == "symmetric":
        return np.broadcast_to(scale * (1.0 - inp.d)[:, None], (G, K)).copy(), keep
    if inp.start == "pure":
        return scale * keep[None, :], keep
    k = np.arange(K)
    amp = (1.0 - inp.d)[:, None] * inp.d[:, None] ** k[None, :]
    amp[:, 0] = np.maximum(amp[:, 0], 1e-3)
    n0 = np.zeros((G, K))
    n0[:, inp.order] = amp
    return scale * n0, keep
