"""Binder-cumulant crossing: the paramagnet-retrieval transition at low load.

At low load (a few patterns, P = 2) retrieval sets in continuously at T_c (1 for the
Curie-Weiss case K = 1). The Binder cumulant ``U = 1 - <m^4> / (3 <m^2>^2)`` of the overlap
is 0 in the paramagnet and 2/3 in the ordered phase, and its curves for different N cross
near T_c with small finite-size corrections, which makes the crossing a better finite-N
estimate of T_c than where m itself becomes small.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hopfield_sim.sweep import point_seed


def binder(m: np.ndarray) -> float:
    """Binder cumulant ``U = 1 - <m^4> / (3 <m^2>^2)`` of overlap samples ``m`` (all of them,
    flattened): :func:`montecarlo.observables.binder_cumulant` of one sample set.

    0 for a Gaussian distribution centred at 0 (paramagnet), 2/3 for ``m = +-m0``
    (ordered); the curves of different N cross at the transition. NaN if every ``m`` is 0.
    """
    from montecarlo import observables  # the samplers' package, imported when first needed

    return float(observables.binder_cumulant(np.ravel(np.asarray(m, dtype=float))))


def binder_curves(
    N: int,
    T: Sequence[float],
    *,
    K: int = 1,
    P: int = 2,
    chains: int = 8,
    sweeps: int = 400,
    burn_in: int = 100,
    seed: int = 0,
) -> np.ndarray:
    """Overlap traces for Binder cumulants at low load: ``K`` patterns, ``chains`` chains
    from random states at every temperature of the ladder ``T``.

    Returns
    -------
    ndarray, shape (len(T), chains, sweeps)
        The overlap with pattern 1 after burn-in (one row of traces per chain).
    """
    import montecarlo

    ss = np.random.SeedSequence(point_seed(seed, {"N": N, "K": K, "P": P}))
    s_xi, s_run = ss.spawn(2)
    xi = montecarlo.archetypes(K, N, seed=s_xi)
    net = montecarlo.DenseHebbianNetwork(P, patterns=xi, protocol="hebbian")
    res = net.sample(T=np.asarray(T, dtype=float), sweeps=sweeps, burn_in=burn_in,
                     chains=chains, init="random", seed=s_run)  # fmt: skip
    return np.asarray(res["m_trace"].values)[..., 0].reshape(len(T), chains, sweeps)


def binder_crossing(
    T: Sequence[float],
    small: np.ndarray,
    large: np.ndarray,
    *,
    bootstrap: int = 200,
    seed: int = 0,
) -> tuple[float, float]:
    """Temperature where the Binder cumulants of two sizes cross, with a bootstrap error.

    Parameters
    ----------
    T : sequence of float
        Increasing temperatures.
    small, large : ndarray, shape (len(T), chains, sweeps)
        Overlap traces of the smaller and the larger system (:func:`binder_curves`).
    bootstrap : int
        Refits on chains resampled with replacement.

    Returns
    -------
    (float, float)
        The crossing (linear interpolation of ``U_large - U_small`` between the temperatures
        where it changes sign, the last sign change from below) and its bootstrap error.
    """
    T = np.asarray(T, dtype=float)
    small, large = np.asarray(small, dtype=float), np.asarray(large, dtype=float)
    if T.ndim != 1 or T.size < 2 or not np.all(np.isfinite(T)) or np.any(np.diff(T) <= 0):
        raise ValueError("T must be 1-d, finite and increasing, with at least 2 values.")
    for name, a in (("small", small), ("large", large)):
        if a.ndim != 3 or a.shape[0] != T.size or a.shape[1] < 2 or not np.all(np.isfinite(a)):
            raise ValueError(
                f"{name} must be finite traces of shape (len(T)={T.size}, chains >= 2, sweeps); "
                f"got shape {a.shape}."
            )

    def crossing(a: np.ndarray, b: np.ndarray) -> float:
        d = np.array([binder(b[i]) - binder(a[i]) for i in range(T.size)])
        idx = np.flatnonzero(np.sign(d[:-1]) > np.sign(d[1:]))
        if idx.size == 0:
            return float("nan")
        i = idx[-1]
        return float(T[i] + (T[i + 1] - T[i]) * d[i] / (d[i] - d[i + 1]))

    best = crossing(small, large)
    if not np.isfinite(best):
        raise ValueError("the Binder cumulants do not cross on this temperature range.")
    rng = np.random.default_rng(seed)
    reps = []
    for _ in range(int(bootstrap)):
        ia = rng.integers(0, small.shape[1], small.shape[1])
        ib = rng.integers(0, large.shape[1], large.shape[1])
        reps.append(crossing(small[:, ia], large[:, ib]))
    reps_arr = np.array(reps)
    reps_arr = reps_arr[np.isfinite(reps_arr)]
    err = float(np.std(reps_arr, ddof=1)) if reps_arr.size > 1 else float("nan")
    return best, err
