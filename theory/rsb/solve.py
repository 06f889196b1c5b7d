"""The public 1RSB entry points: ``solve_1rsb`` on a grid and ``critical_load_1rsb``
(docs/models.md §5); both run the one engine (theory.rsb.engine) with the P = 2 or P >= 4
model."""

from __future__ import annotations

import math

import numpy as np

from theory import _validate
from theory._conventions import beta_of_T
from theory.rsb import capacity, engine
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


def critical_load_1rsb(
    P: int,
    *,
    rho: float = 0.0,
    protocol: str = "hebbian",
    T: float = 0.0,
    rtol: float = 1e-5,
    progress: bool | None = None,
) -> float:
    """Largest load ``alpha`` (``K = alpha N^(P-1)``) at which the 1RSB retrieval solution exists.

    The RS spinodal (theory.critical) sets the scale; the engine finds one broken retrieval
    solution near it (:data:`theory.rsb.capacity.START`) and Newton continuation in the
    overlap ``n`` follows it to the fold, with the Parisi block size (``mu = beta theta`` at
    T = 0) fixed by its stationarity condition (:mod:`theory.rsb.spinodal`). Where no broken
    retrieval solution exists there, the RS spinodal is returned (1RSB = RS).

    Parameters
    ----------
    P : int
        Even interaction order (2 = AGS).
    rho : float
        Dataset entropy (``protocol="supervised"``; ignored for "hebbian").
    protocol : {"hebbian", "supervised"}
    T : float
        Temperature; 0 uses the closed-form T = 0 theory; ``inf`` (no retrieval) gives 0.
    rtol : float
        Accepted for compatibility; the fold is located to ``|d alpha/dn| < 1e-9``, i.e.
        ``alpha_c`` to ~1e-12 for the discretised equations (quadrature error ~1e-8).
    progress : bool or None
        Show the continuation steps (tqdm, stderr); None (default): a bar appears only if
        the search takes longer than a second.

    Examples
    --------
    >>> round(critical_load_1rsb(2), 6)  # Steffan & Kuehn 1994: 0.138186  # doctest: +SKIP
    0.138186
    """
    if protocol not in ("hebbian", "supervised"):
        raise ValueError(
            f"protocol must be one of 'hebbian', 'supervised' at level='1RSB'; got {protocol!r}."
        )
    P = _validate.interaction_order(P)
    T = _validate.scalar_T(T)
    rho = float(_validate.real_array("rho", rho, low=0.0, high=math.inf, high_open=True))
    float(_validate.real_array("rtol", rtol, low=0.0, high=1.0, low_open=True))
    if progress is not None:
        _validate.flag("progress", progress)
    if math.isinf(T):  # infinite temperature: the paramagnet only
        return 0.0
    beta = float(beta_of_T(T))
    from theory.critical import critical_point  # RS spinodal (theory.critical imports us lazily)

    rho = rho if protocol == "supervised" else 0.0
    alpha_rs = critical_point(P, rho=rho, protocol=protocol, T=T)[0]
    n_y = model_of(P, protocol)[1]["n_y"]
    return capacity.capacity(P, beta, rho, alpha_rs, n_y=n_y, progress=progress)[0]
