"""Finite-size scaling of the retrieval transition: locate it at each N, extrapolate N -> inf.

The theory describes N -> infinity; a simulation has N neurons, where the retrieval
transition is rounded and shifted. This module measures it the way it is done in
statistical physics:

1. **One disorder sample** (:func:`retrieval_overlap`): fresh patterns, one chain started in
   pattern 1, ``burn_in + sweeps`` sweeps of Glauber dynamics; the overlap with pattern 1
   averaged over the recorded sweeps. A sample *retrieves* when it is at least ``m_cut``.
2. **Transition at one N** (:func:`locate_transition`): along a 1-d path (the load
   ``alpha`` at fixed ``T``, or ``T`` at fixed ``alpha``) points are placed by
   :class:`adaptive.Learner1D`, which splits the intervals where the retrieval fraction
   changes most, so points gather at the step; each point gets the same number of
   independent disorder samples. A smooth step ``p(x) = 1 / (1 + exp((x - x_c) / w))``
   is fitted to the 0/1 outcomes by maximum likelihood (:func:`fit_step`); the error of
   ``x_c`` is the robust spread (half the 16-84 % range) of bootstrap refits (samples
   resampled within each point). Refits whose step falls outside the sampled interval
   (a resample with no step in it: the logistic slope runs off and ``x_c`` to +-1e3)
   are dropped and counted in ``StepFit.n_failed``.
3. **Extrapolation** (:func:`extrapolate`): ``x_c(N) = x_c(inf) + a N^(-nu)`` by weighted
   least squares (``nu = 1/2`` by default, or fitted), the error of ``x_c(inf)`` from
   refitting bootstrap replicates of every ``x_c(N)``.

For the paramagnet-retrieval transition at low load, :mod:`hopfield_sim.binder` locates the
crossing of Binder cumulants of two sizes (re-exported here).

Every sample's seed derives from the root seed, N, the path value and the sample number
(:func:`hopfield_sim.sweep.point_seed`), so results do not depend on the order in which the
learner asks for points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hopfield_sim._stepfit import StepFit, fit_step, robust_std, step
from hopfield_sim.sweep import point_seed

PATHS = ("alpha", "T")


@dataclass
class Transition:
    """The transition located at one N: the fit and the raw samples behind it."""

    N: int
    path: str
    fit: StepFit
    x: np.ndarray = field(repr=False)
    m: np.ndarray = field(repr=False)
    m_cut: float = 0.5
    seconds: float = 0.0


def retrieval_overlap(
    N: int,
    x: float,
    *,
    path: str = "alpha",
    fixed: float,
    P: int = 2,
    sweeps: int = 20,
    burn_in: int = 20,
    seed: int = 0,
    sample: int = 0,
) -> float:
    """Overlap with pattern 1 of one disorder sample started in pattern 1.

    Parameters
    ----------
    N : int
        Neurons.
    x : float
        Position on the path: ``alpha`` (then ``fixed`` is T) or ``T`` (then ``fixed`` is
        alpha). ``K = max(1, round(alpha N^(P-1)))`` patterns.
    path : {"alpha", "T"}
    fixed : float
        The other parameter.
    P : int
        Interaction order (hebbian protocol).
    sweeps, burn_in : int
        Recorded and discarded sweeps.
    seed, sample : int
        Root seed and sample number; the sample's seed is
        ``point_seed(seed, {"N", path, "sample"})``.

    Returns
    -------
    float
        The overlap averaged over the recorded sweeps (in [-1, 1]).
    """
    import montecarlo

    alpha, T = (x, fixed) if path == "alpha" else (fixed, x)
    K = max(1, int(round(alpha * float(N) ** (P - 1))))
    ss = np.random.SeedSequence(point_seed(seed, {"N": N, path: x, "sample": sample}))
    s_xi, s_run = ss.spawn(2)
    xi = montecarlo.archetypes(K, N, seed=s_xi)
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi, protocol="hebbian")
    res = net.sample(T=T, sweeps=sweeps, burn_in=burn_in, chains=1, init="archetype", seed=s_run)
    return float(np.asarray(res["m"].values)[0, 0])


def locate_transition(
    N: int,
    *,
    bounds: tuple[float, float],
    fixed: float,
    path: str = "alpha",
    P: int = 2,
    budget: int = 160,
    min_samples: int = 6,
    m_cut: float = 0.8,
    sweeps: int = 150,
    burn_in: int = 50,
    seed: int = 0,
    bootstrap: int = 200,
    measure=None,
    workers: int | None = None,
) -> Transition:
    """Locate the retrieval transition at size N along ``path`` with adaptive sampling.

    Parameters
    ----------
    N : int
        Neurons.
    bounds : (float, float)
        Interval of the path searched (must contain the transition).
    fixed : float
        T when ``path="alpha"``, alpha when ``path="T"``.
    path : {"alpha", "T"}
    P : int
        Interaction order.
    budget : int
        Total disorder samples: ``budget // min_samples`` points chosen by the learner.
    min_samples : int
        Independent disorder samples at every point.
    m_cut : float
        A sample retrieves when its overlap is at least this (default 0.8: the P = 2
        retrieval state has m ~ 0.97, samples that lost it end near 0.35).
    sweeps, burn_in, seed : int
        As in :func:`retrieval_overlap`. The defaults (150 recorded + 50 discarded sweeps)
        are the runs docs/finite-size.md validates against the replica capacity; shorter
        runs keep metastable retrieval states and bias x_c upwards (20 + 20 sweeps: +0.006
        in alpha_c at P = 2, T = 0.1).
    bootstrap : int
        Bootstrap refits for the error of x_c.
    measure : callable, optional
        ``measure(N, x, sample) -> overlap`` instead of :func:`retrieval_overlap` (tests).
    workers : int, optional
        Processes that run the ``min_samples`` samples of a point in parallel (default 1:
        in this process). Every sample's seed is fixed by its point and number, so the
        result is the same for any ``workers``.

    Returns
    -------
    Transition
    """
    import time

    import adaptive

    lo, hi = _check_locate(N, bounds, path, budget, min_samples, workers)
    if measure is None:
        from functools import partial

        measure = partial(_measure, path=path, fixed=fixed, P=P, sweeps=sweeps,
                          burn_in=burn_in, seed=seed)  # fmt: skip
    xs: list[float] = []
    ms: list[float] = []
    pool = _pool(workers)

    def fraction(x: float) -> float:
        """Fraction of ``min_samples`` independent samples at x that retrieve."""
        ks = range(min_samples)
        if pool is None:
            values = [float(measure(N, float(x), k)) for k in ks]
        else:
            values = list(pool.map(measure, [N] * min_samples, [float(x)] * min_samples, ks))
        xs.extend([float(x)] * min_samples)
        ms.extend(float(m) for m in values)
        return sum(float(m) >= m_cut for m in values) / min_samples

    t0 = time.perf_counter()
    learner = adaptive.Learner1D(fraction, bounds=(lo, hi))
    points = max(3, budget // min_samples)
    try:
        adaptive.runner.simple(learner, npoints_goal=points)
    finally:
        if pool is not None:
            pool.shutdown()
    x, m = np.array(xs), np.array(ms)
    fit = fit_step(x, (m >= m_cut).astype(float), bootstrap=bootstrap, seed=seed)
    return Transition(N=int(N), path=path, fit=fit, x=x, m=m, m_cut=m_cut,
                      seconds=time.perf_counter() - t0)  # fmt: skip


def _check_locate(N, bounds, path, budget, min_samples, workers) -> tuple[float, float]:
    """Validate the arguments of :func:`locate_transition`; return the bounds as floats."""
    if path not in PATHS:
        raise ValueError(f"path must be one of {PATHS}; got {path!r}.")
    lo, hi = (float(b) for b in bounds)
    if not lo < hi:
        raise ValueError(f"bounds must be increasing; got {bounds!r}.")
    for key, value, low in (("N", N, 1), ("budget", budget, 3), ("min_samples", min_samples, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{key} must be an integer >= {low}; got {value!r}.")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1
    ):
        raise ValueError(f"workers must be an integer >= 1 or None; got {workers!r}.")
    return lo, hi


def _pool(workers):
    """A spawn-context process pool of ``workers`` processes, or None for one."""
    if workers is None or workers <= 1:
        return None
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    return ProcessPoolExecutor(int(workers), mp_context=get_context("spawn"))


def _measure(N, x, k, **kw) -> float:
    """``retrieval_overlap`` with the sample number positional (picklable for workers)."""
    return retrieval_overlap(N, x, sample=k, **kw)


def extrapolate(
    N: Sequence[float],
    x_c: Sequence[float],
    x_c_err: Sequence[float],
    *,
    replicates: Sequence[np.ndarray] | None = None,
    nu: float | None = 0.5,
    bootstrap: int = 1000,
    seed: int = 0,
) -> dict[str, float]:
    """Fit ``x_c(N) = x_inf + a N^(-nu)`` and propagate the errors of every ``x_c(N)``.

    Parameters
    ----------
    N, x_c, x_c_err : sequences
        Sizes, transition points and their errors (at least 2 sizes; 3 to fit ``nu``).
    replicates : sequence of arrays, optional
        Bootstrap replicates of each x_c(N) (from :func:`fit_step`); the error of x_inf is
        the robust spread (:func:`robust_std`) of the fits to one replicate per size drawn
        at random. Non-finite replicates are ignored; a size with none left is drawn from a
        Gaussian with its ``x_c_err``. Without replicates, Gaussian draws for every size.
    nu : float or None
        Exponent of the correction; ``None`` fits it too (needs 3 or more sizes).
    bootstrap : int
        Number of refits.
    seed : int
        Seed of the draws.

    Returns
    -------
    dict
        ``x_inf``, ``x_inf_err``, ``a``, ``nu``, ``nu_err`` (NaN when fixed), ``chi2``,
        ``dof``, ``law`` (text).
    """
    N = np.asarray(N, dtype=float)
    y = np.asarray(x_c, dtype=float)
    e = np.asarray(x_c_err, dtype=float)
    if not (N.ndim == 1 and N.shape == y.shape == e.shape) or N.size < 2:
        raise ValueError(
            f"N, x_c and x_c_err must be 1-d of equal length >= 2; got shapes {N.shape}, "
            f"{y.shape}, {e.shape}."
        )
    if not (np.all(np.isfinite(N) & (N > 0)) and np.all(np.isfinite(y))):
        raise ValueError("N must be finite and > 0, and x_c finite (no NaN).")
    if nu is None and N.size < 3:
        raise ValueError("fitting nu needs at least 3 sizes; give nu.")
    if np.unique(N).size < (2 if nu is not None else 3):
        raise ValueError(
            f"N needs at least {2 if nu is not None else 3} distinct sizes to fit "
            f"x_inf + a N^(-nu); got {np.unique(N).size}."
        )
    if nu is not None and not (np.isscalar(nu) and np.isfinite(nu) and nu > 0):
        raise ValueError(f"nu must be a finite number > 0 (or None to fit it); got {nu!r}.")
    if replicates is not None and len(replicates) != N.size:
        raise ValueError(
            f"replicates must hold one array per size ({N.size}); got {len(replicates)}."
        )
    e = np.where(np.isfinite(e) & (e > 0), e, np.nanmax(e[np.isfinite(e)], initial=1e-3))
    best = _fit_law(N, y, e, nu)
    rng = np.random.default_rng(seed)
    reps = (
        [np.empty(0)] * N.size
        if replicates is None
        else [np.asarray(r, dtype=float).ravel() for r in replicates]
    )
    reps = [r[np.isfinite(r)] for r in reps]
    draws = []
    for _ in range(int(bootstrap)):
        yb = y + e * rng.standard_normal(y.size)
        for i, r in enumerate(reps):
            if r.size:
                yb[i] = rng.choice(r)
        draws.append(_fit_law(N, yb, e, nu))
    d = np.array(draws)
    x_inf, a, nu_fit = best
    resid = (y - (x_inf + a * N ** (-nu_fit))) / e
    dof = N.size - (2 if nu is not None else 3)
    return {
        "x_inf": float(x_inf),
        "x_inf_err": robust_std(d[:, 0]),
        "a": float(a),
        "nu": float(nu_fit),
        "nu_err": robust_std(d[:, 2]) if nu is None else float("nan"),
        "chi2": float(np.sum(resid**2)),
        "dof": int(dof),
        "law": "x_c(N) = x_inf + a N^(-nu)",
    }


def _fit_law(N: np.ndarray, y: np.ndarray, e: np.ndarray, nu: float | None) -> np.ndarray:
    def linear(nu_: float) -> tuple[np.ndarray, float]:
        A = np.stack([np.ones_like(N), N ** (-nu_)], axis=1) / e[:, None]
        coef, *_ = np.linalg.lstsq(A, y / e, rcond=None)
        return coef, float(np.sum((A @ coef - y / e) ** 2))

    if nu is not None:
        coef, _ = linear(float(nu))
        return np.array([coef[0], coef[1], float(nu)])
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda v: linear(v)[1], bounds=(0.05, 3.0), method="bounded")
    coef, _ = linear(float(res.x))
    return np.array([coef[0], coef[1], float(res.x)])


from hopfield_sim.binder import binder, binder_crossing, binder_curves  # noqa: E402

__all__ = [
    "PATHS",
    "StepFit",
    "Transition",
    "binder",
    "binder_crossing",
    "binder_curves",
    "extrapolate",
    "fit_step",
    "locate_transition",
    "retrieval_overlap",
    "robust_std",
    "step",
]
