"""Equilibrium means and autocorrelation-aware error bars of Monte Carlo time series.

Two estimates of the error of the mean, and the larger is reported:

- integrated autocorrelation time with Sokal's automatic window,
  ``tau_int(W) = 1/2 + sum_{t=1}^{W} rho(t)``, smallest ``W >= c * tau_int(W)`` (``c = 5``),
  error ``sqrt(var * 2 tau_int / n)``;
- blocking (Flyvbjerg-Petersen): standard error of the means of blocks of 2**k samples,
  the largest over every k that leaves at least 32 blocks.

The window alone misses correlations that return after a gap (replica exchange produces
them: a state leaves a temperature and comes back); blocking sees them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "blocking_error",
    "integrated_autocorrelation_time",
    "mean_and_error",
    "pair_indices",
]


def _autocorrelation(x: np.ndarray) -> np.ndarray:
    """Normalised autocorrelation rho(t) along the last axis (FFT, zero padded)."""
    n = x.shape[-1]
    y = x - x.mean(axis=-1, keepdims=True)
    f = np.fft.rfft(y, n=2 * n, axis=-1)
    acf = np.fft.irfft(f * np.conj(f), n=2 * n, axis=-1)[..., :n]
    var0 = acf[..., :1]
    varies = (np.ptp(x, axis=-1) > 0)[..., None] & (var0 > 0)
    return np.where(varies, acf / np.where(varies, var0, 1.0), 0.0)


def integrated_autocorrelation_time(trace: np.ndarray, *, c: float = 5.0) -> np.ndarray:
    """Integrated autocorrelation time along the last axis, in units of the sampling step.

    Parameters
    ----------
    trace : array_like, shape (..., n)
        Time series; constant series get ``tau = 0.5`` (no correlation can be measured).
    c : float
        Sokal window constant.

    Returns
    -------
    ndarray, shape (...)
        ``tau_int >= 0.5``.
    """
    x = np.asarray(trace, dtype=np.float64)
    n = x.shape[-1]
    if n < 2:
        return np.full(x.shape[:-1], 0.5)
    rho = _autocorrelation(x)
    tau = 0.5 + np.cumsum(rho[..., 1:], axis=-1)  # tau(W) for W = 1..n-1
    W = np.arange(1, n)
    ok = W >= c * tau
    first = np.where(ok.any(axis=-1), ok.argmax(axis=-1), n - 2)
    out = np.take_along_axis(tau, first[..., None], axis=-1)[..., 0]
    return np.maximum(out, 0.5)


def blocking_error(trace: np.ndarray, *, min_blocks: int = 32) -> np.ndarray:
    """Largest standard error of block means over block sizes 2**k with >= min_blocks blocks.

    Returns the naive standard error where the trace is too short for any blocking.
    """
    x = np.asarray(trace, dtype=np.float64)
    n = x.shape[-1]
    best = np.zeros(x.shape[:-1])
    size = 1
    while n // size >= min_blocks or size == 1:
        nb = n // size
        if nb < 2:
            break
        means = x[..., : nb * size].reshape(x.shape[:-1] + (nb, size)).mean(axis=-1)
        flat = np.ptp(means, axis=-1) == 0
        err = np.where(flat, 0.0, means.std(axis=-1, ddof=1) / np.sqrt(nb))
        best = np.maximum(best, err)
        size *= 2
    return best


def mean_and_error(trace: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, error of the mean and effective tau_int along the last axis.

    The error is the larger of the autocorrelation-time and blocking estimates (module
    docstring); ``tau = n err**2 / (2 var)`` is the autocorrelation time it implies.
    NaN errors for fewer than 2 samples (no error can be estimated).
    """
    x = np.asarray(trace, dtype=np.float64)
    n = x.shape[-1]
    mean = x.mean(axis=-1)
    tau = integrated_autocorrelation_time(x)
    if n < 2:
        return mean, np.full(mean.shape, np.nan), tau
    var = np.where(np.ptp(x, axis=-1) > 0, x.var(axis=-1, ddof=1), 0.0)
    err = np.maximum(np.sqrt(var * 2.0 * tau / n), blocking_error(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(var > 0, n * err**2 / (2.0 * np.where(var > 0, var, 1.0)), 0.5)
    return mean, err, np.maximum(tau, 0.5)


def pair_indices(chains: int) -> tuple[np.ndarray, np.ndarray]:
    """Chain pairs (a, b), a < b, in lexicographic order, as two int64 arrays."""
    a, b = np.triu_indices(chains, k=1)
    return a.astype(np.int64), b.astype(np.int64)
