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
   ``x_c`` is the spread of bootstrap refits (samples resampled within each point).
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

from hopfield_sim.sweep import point_seed

PATHS = ("alpha", "T")


@dataclass
class StepFit:
    """Smooth-step fit ``p(x) = 1 / (1 + exp((x - x_c) / width))`` with bootstrap errors."""

    x_c: float
    width: float
    x_c_err: float
    width_err: float
    replicates: np.ndarray = field(repr=False)
    n_samples: int = 0
    n_points: int = 0


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


def step(x, x_c: float, width: float) -> np.ndarray:
    """The decreasing smooth step ``1 / (1 + exp((x - x_c) / width))``."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp((np.asarray(x, dtype=float) - x_c) / width))


def fit_step(
    x: Sequence[float], y: Sequence[float], *, bootstrap: int = 200, seed: int = 0
) -> StepFit:
    """Maximum-likelihood smooth step through 0/1 outcomes, with bootstrap errors.

    Parameters
    ----------
    x : sequence of float
        Path value of each sample (repeated values: several samples at one point).
    y : sequence of float
        Outcome of each sample, 1 (retrieved) or 0 (fractions in [0, 1] are accepted).
    bootstrap : int
        Refits on samples resampled with replacement within each point (0: no errors).
    seed : int
        Seed of the resampling.

    Returns
    -------
    StepFit
        ``x_c``, ``width``, their bootstrap standard deviations and the replicates of x_c.
        When the outcomes are perfectly separated (no point with both outcomes), the error
        of x_c is at least ``gap / sqrt(12)``, the gap between the last retrieving and the
        first failing point.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size < 3:
        raise ValueError(f"x and y must be 1-d of equal length >= 3; got {x.shape}, {y.shape}.")
    if not np.all((y >= 0) & (y <= 1)) or not np.all(np.isfinite(x)):
        raise ValueError("y must lie in [0, 1] (no NaN) and x be finite.")
    if np.unique(x).size < 2:
        raise ValueError(f"x needs at least 2 distinct values to fit a step; got {x[0]:g} only.")
    if np.all(y > 0.5) or np.all(y <= 0.5):
        raise ValueError(
            f"every sample {'retrieves' if y[0] > 0.5 else 'fails'} on [{x.min():g}, "
            f"{x.max():g}]: the transition lies outside these bounds; widen them."
        )
    best = _mle(x, y)
    groups = [np.flatnonzero(x == u) for u in np.unique(x)]
    rng = np.random.default_rng(seed)
    reps = []
    for _ in range(int(bootstrap)):
        idx = np.concatenate([rng.choice(g, size=g.size, replace=True) for g in groups])
        reps.append(_mle(x[idx], y[idx], start=best))
    reps_arr = np.array(reps).reshape(-1, 2)
    err = reps_arr.std(axis=0, ddof=1) if len(reps) > 1 else np.full(2, np.nan)
    # perfectly separated outcomes (every sample below some x retrieves, none above) fix
    # x_c only to the gap between the two points; resampling cannot see that, so the
    # error is at least that of a uniform law over the gap
    hi_yes = x[y > 0.5].max(initial=-np.inf)
    lo_no = x[y <= 0.5].min(initial=np.inf)
    if hi_yes < lo_no and np.isfinite(hi_yes) and np.isfinite(lo_no):
        err[0] = max(float(err[0]), (lo_no - hi_yes) / np.sqrt(12.0))
    return StepFit(
        x_c=float(best[0]),
        width=float(best[1]),
        x_c_err=float(err[0]),
        width_err=float(err[1]),
        replicates=reps_arr[:, 0],
        n_samples=int(x.size),
        n_points=len(groups),
    )


def _mle(x: np.ndarray, y: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
    """Logistic regression ``p = sigmoid(b0 + b1 x)`` by damped Newton steps, returned as
    ``(x_c, width) = (-b0/b1, -1/b1)``; the width is kept >= 1e-4 of the x range, which
    bounds the fit of perfectly separated samples."""
    from scipy.special import expit

    span = float(np.ptp(x)) or 1.0
    lo_w = span * 1e-4
    center = float(np.mean(x))
    u = (x - center) / span  # scaled for conditioning
    if start is None:
        b = np.array([0.0, -10.0])
    else:
        b = np.array([(start[0] - center) / start[1], -span / start[1]])
    b_max = span / lo_w
    X = np.stack([np.ones_like(u), u], axis=1)

    def nll(beta: np.ndarray) -> float:
        z = X @ beta
        return float(np.sum(np.logaddexp(0.0, z) - y * z))

    f = nll(b)
    for _ in range(100):
        p = expit(X @ b)
        grad = X.T @ (p - y)
        H = (X * (p * (1 - p))[:, None]).T @ X + 1e-9 * np.eye(2)
        delta = np.linalg.solve(H, grad)
        t = 1.0
        while t > 1e-6:
            cand = b - t * delta
            cand[1] = np.clip(cand[1], -b_max, -1e-9 * b_max)
            f_new = nll(cand)
            if f_new <= f + 1e-12:
                break
            t /= 2
        done = abs(f - f_new) < 1e-10
        b, f = cand, min(f, f_new)
        if done:
            break
    width = -span / b[1]
    return np.array([center + width * b[0], width])


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

    if path not in PATHS:
        raise ValueError(f"path must be one of {PATHS}; got {path!r}.")
    lo, hi = (float(b) for b in bounds)
    if not lo < hi:
        raise ValueError(f"bounds must be increasing; got {bounds!r}.")
    for key, value, low in (("N", N, 1), ("budget", budget, 3), ("min_samples", min_samples, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{key} must be an integer >= {low}; got {value!r}.")
    if measure is None:
        from functools import partial

        measure = partial(_measure, path=path, fixed=fixed, P=P, sweeps=sweeps,
                          burn_in=burn_in, seed=seed)  # fmt: skip

    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1
    ):
        raise ValueError(f"workers must be an integer >= 1 or None; got {workers!r}.")
    xs: list[float] = []
    ms: list[float] = []
    pool = None
    if workers is not None and workers > 1:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        pool = ProcessPoolExecutor(int(workers), mp_context=get_context("spawn"))

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
        the spread of the fits to one replicate per size drawn at random. Without them,
        Gaussian draws with ``x_c_err``.
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
    draws = []
    for _ in range(int(bootstrap)):
        if replicates is not None:
            yb = np.array([rng.choice(np.asarray(r)) for r in replicates])
        else:
            yb = y + e * rng.standard_normal(y.size)
        draws.append(_fit_law(N, yb, e, nu))
    d = np.array(draws)
    x_inf, a, nu_fit = best
    resid = (y - (x_inf + a * N ** (-nu_fit))) / e
    dof = N.size - (2 if nu is not None else 3)
    return {
        "x_inf": float(x_inf),
        "x_inf_err": float(np.std(d[:, 0], ddof=1)),
        "a": float(a),
        "nu": float(nu_fit),
        "nu_err": float(np.std(d[:, 2], ddof=1)) if nu is None else float("nan"),
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
    "step",
]
