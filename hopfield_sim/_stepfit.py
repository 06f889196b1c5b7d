"""Smooth-step fit of retrieval outcomes with bootstrap errors (split from
:mod:`hopfield_sim.finite_size`, which re-exports everything here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class StepFit:
    """Smooth-step fit ``p(x) = 1 / (1 + exp((x - x_c) / width))`` with bootstrap errors.

    ``replicates`` holds the x_c of the bootstrap refits that bracket the transition
    (``x_c`` inside the sampled interval); ``n_failed`` counts the refits dropped because
    they did not.
    """

    x_c: float
    width: float
    x_c_err: float
    width_err: float
    replicates: np.ndarray = field(repr=False)
    n_samples: int = 0
    n_points: int = 0
    n_failed: int = 0


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
        ``x_c``, ``width``, their bootstrap errors (:func:`robust_std` of the refits that
        bracket the transition) and those refits' x_c; ``n_failed`` counts the others.
        When more than half of the refits fail, x_c is not located by the data and its
        error is at least that of a uniform law over the sampled interval. When the
        outcomes are perfectly separated (no point with both outcomes), the error
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
    lo_x, hi_x = float(x.min()), float(x.max())
    ok = np.isfinite(reps_arr).all(axis=1) & (reps_arr[:, 0] >= lo_x) & (reps_arr[:, 0] <= hi_x)
    n_failed = int(np.count_nonzero(~ok))
    reps_arr = reps_arr[ok]
    err = np.array([robust_std(reps_arr[:, 0]), robust_std(reps_arr[:, 1])])
    if len(reps) > 1 and n_failed > len(reps) / 2:
        err[0] = max(float(np.nan_to_num(err[0])), (hi_x - lo_x) / np.sqrt(12.0))
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
        n_failed=n_failed,
    )


def robust_std(values: Sequence[float]) -> float:
    """Standard deviation estimated as half the 15.87-84.13 % inter-quantile range.

    Equal to the standard deviation for a Gaussian, but a few runaway values (bootstrap
    refits that did not converge) cannot inflate it. NaN with fewer than 2 finite values.
    """
    a = np.asarray(values, dtype=float)
    a = a[np.isfinite(a)]
    if a.size < 2:
        return float("nan")
    lo, hi = np.percentile(a, [15.865525393145708, 84.13447460685429])
    return float(0.5 * (hi - lo))


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
