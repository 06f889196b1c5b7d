"""The 1RSB solver on a grid (docs/models.md §5): ``solve``, the user's call, returns the
result schema of ``theory.solve`` (it *is* ``theory.solve(level="1RSB")``, one path);
``solve_1rsb`` is the array-level step under it (validated flat arrays in, a dict of arrays
out), which runs the one engine (:mod:`theory.rsb.engine`) with the P = 2 or P >= 4 model.

(This module was ``theory.rsb.solve`` before ``theory.rsb.solve`` became the function.)"""

from __future__ import annotations

import numpy as np
import xarray as xr

from theory import _schema, _validate
from theory.rsb import engine
from theory.rsb.ags import AGSModel
from theory.rsb.dense import DenseModel


def model_of(P: int, protocol: str, nodes: int = 64) -> tuple[type, dict]:
    """The engine model of order ``P`` and its static settings for ``protocol``."""
    static = {"n_y": 16 if protocol == "supervised" else 1, "nodes": nodes}
    if P == 2:
        return AGSModel, static
    return DenseModel, {**static, "P": P}


def solve_1rsb(
    *,
    protocol: str,
    P: int,
    beta: np.ndarray,
    alpha: np.ndarray,
    rho: np.ndarray,
    branch: str,
    nodes: int = 64,
    n_scan: int = 8,
) -> dict[str, np.ndarray]:
    """1RSB order parameters and free energy on a grid (inputs already validated).

    Parameters
    ----------
    protocol : {"hebbian", "supervised"}
        "hebbian" stores the patterns directly (``rho`` is ignored, ``n = m``); "supervised"
        uses the class means of the examples, dataset entropy ``rho`` (docs/models.md §2).
    P : int
        Even interaction order; ``P = 2`` is the model of :mod:`theory.rsb.ags`, ``P >= 4``
        the one of :mod:`theory.rsb.dense`.
    beta, alpha, rho : ndarray, one common shape
        Inverse temperature (``inf`` is T = 0, solved in closed form), load
        ``K = alpha N^(P-1)``, dataset entropy.
    branch : {"retrieval", "spinglass", "paramagnet"}
        Start from ``m = 1``; or ``m = 0`` with glassy (q > 0) or trivial (q = 0) overlaps.
    nodes : int
        Nodes of the mapped trapezoid rules for z0 and z1 (Gauss-Hermite with 16 for Y).
    n_scan : int
        Starting values of theta (mu at T = 0) tried for the broken solution.

    Returns
    -------
    dict of ndarray, each of the grid shape
        ``m``, ``n`` (class-mean overlap), ``q`` (= ``q1``), ``q0``, ``q1``, ``theta`` (Parisi
        block size, 1 where RS holds, 0 at T = 0), ``mu`` (``beta theta``, finite at T = 0),
        ``free_energy`` (per neuron; the energy at T = 0), ``converged`` (bool).
    """
    if protocol not in ("hebbian", "supervised"):
        raise ValueError(
            f"protocol must be one of 'hebbian', 'supervised' at level='1RSB'; got {protocol!r}."
        )
    if branch not in ("retrieval", "spinglass", "paramagnet"):
        raise ValueError(
            f"branch must be one of 'retrieval', 'spinglass', 'paramagnet'; got {branch!r}."
        )
    rho = np.zeros_like(np.asarray(rho, dtype=float)) if protocol == "hebbian" else rho
    model, static = model_of(P, protocol, nodes)
    return engine.run_grid(
        model, beta=beta, alpha=alpha, rho=rho, branch=branch, n_scan=n_scan, **static
    )


#: variables of the common schema that level="1RSB" does not compute (all NaN), and why
NOT_COMPUTED = {
    "stable": "linear stability of the 1RSB saddle point: not computed (NaN); the solution is "
    "the stationary point of lowest objective among the candidates (docs/models.md §5)",
    "rs_stable": "replica symmetry locally (AT) stable: not computed at level='1RSB' (NaN); "
    "use level='RS' for the replicon",
}


def solve_on_grid(grid, *, nodes: int = 64, n_scan: int = 8) -> xr.Dataset:
    """The labelled 1RSB result on a validated grid (``theory.solve.Grid``): the one path
    behind ``theory.solve(level="1RSB")`` and :func:`solve`."""
    from theory.solve import _as_dataset, _solve_not_hot  # grid assembly of theory.solve

    def rsb(**a):
        if grid.protocol == "unsupervised":  # docs/rsb.md "Unsupervised learning at 1RSB"
            from theory.rsb.unsupervised import solve as solve_unsupervised

            return solve_unsupervised(P=grid.P, branch=grid.branch, nodes=nodes, n_scan=n_scan,
                                      **a)
        return solve_1rsb(
            protocol=grid.protocol, P=grid.P, branch=grid.branch, nodes=nodes, n_scan=n_scan,
            **a,
        )

    names = ("beta", "alpha", "rho") + (("r", "M") if grid.protocol == "unsupervised" else ())
    out = _solve_not_hot(rsb, (*engine.KEYS, "mu"), grid.flat, names)
    ds = _as_dataset({k: v.reshape(grid.shape) for k, v in out.items()}, grid)
    if (nodes, n_scan) != (64, 8):
        ds.attrs.update(nodes=nodes, n_scan=n_scan)
    return _schema.label(_schema.not_computed(ds, NOT_COMPUTED))


def solve(
    P: int = 2,
    *,
    alpha=0.0,
    T=None,
    beta=None,
    protocol: str = "hebbian",
    rho=0.0,
    r=None,
    M=None,
    branch: str = "retrieval",
    nodes: int = 64,
    n_scan: int = 8,
) -> xr.Dataset:
    """One-step RSB order parameters and free energy, labelled (docs/models.md §5, docs/rsb.md).

    With the default ``nodes`` and ``n_scan`` this is ``theory.solve(protocol, P=P, ...,
    level="1RSB")`` (one code path) and returns the same result schema (theory._schema): one
    dimension per array-valued parameter, in the order beta/T, alpha, rho/r, M.

    Parameters
    ----------
    P : int
        Interaction order, >= 2 (P = 2: the AGS model of :mod:`theory.rsb.ags`; P >= 3 the
        dense model of :mod:`theory.rsb.dense`).
    alpha : float or 1-D array_like
        Load, ``K = alpha N^(P-1)``.
    T, beta : float or 1-D array_like
        Temperature or inverse temperature (give exactly one); ``T = 0`` is the closed-form
        zero-temperature theory (``free_energy`` is then the energy, ``theta = 0`` and
        ``mu = beta theta`` finite); ``T = inf`` the paramagnet (``free_energy = -inf``).
    protocol : {"hebbian", "supervised", "unsupervised"}
        Patterns stored directly, the class means of M examples per archetype, or every
        example stored (unsupervised: needs ``r`` and ``M``; :mod:`theory.rsb.unsupervised`).
    rho : float or 1-D array_like
        Dataset entropy ``(1 - r^2)/(M r^2)`` (0 for hebbian); or give ``r`` and ``M``.
    r, M : float or 1-D array_like, optional
        Example quality and examples per archetype, instead of ``rho`` (supervised;
        required for unsupervised).
    branch : {"retrieval", "spinglass", "paramagnet"}
        Start from ``m = 1``; or ``m = 0`` with glassy (q > 0) or trivial (q = 0) overlaps.
    nodes : int
        Nodes of the mapped trapezoid rules for the z0 and z1 averages (16 Gauss-Hermite
        nodes for Y); the default 64 gives free energies to ~1e-7 at beta <= 30.
    n_scan : int
        Starting values of theta (mu at T = 0) tried for the broken solution. Values other
        than the defaults are recorded in the attributes.

    Returns
    -------
    xarray.Dataset
        ``m``, ``n`` (class-mean overlap, = m for hebbian), ``q`` (= ``q1``), ``q0``, ``q1``,
        ``theta`` (Parisi block size; 1 where RS holds, 0 at T = 0), ``mu`` (``beta theta``),
        ``free_energy`` (per neuron), ``converged`` (non-converged points are NaN, with a
        ``ConvergenceWarning``), ``residual``, ``iterations``; ``stable`` and ``rs_stable``
        are not computed at 1RSB (NaN, ``computed = 0``). CF ``long_name`` and ``units``
        from the vocabulary; attributes: every input (``level = "1RSB"``).

    Examples
    --------
    >>> from theory import rsb
    >>> ds = rsb.solve(4, T=[0.5, 2.0], alpha=0.01, branch="paramagnet")
    >>> ds.theta.values.tolist(), bool(abs(ds.m).max() < 1e-12)  # RS holds: theta = 1, m = 0
    ([1.0, 1.0], True)
    """
    from theory.solve import build_grid  # theory.solve imports theory.rsb lazily

    for name, v, low in (("nodes", nodes, 8), ("n_scan", n_scan, 1)):
        _validate.integer(name, v, low=low)
    grid = build_grid(protocol, P, beta, T, alpha, rho, r, M, "1RSB", branch, False)
    return solve_on_grid(grid, nodes=int(nodes), n_scan=int(n_scan))
