"""Equilibrium means and autocorrelation-aware error bars of Monte Carlo time series.

Error bars use the integrated autocorrelation time with Sokal's automatic window:
``tau_int(W) = 1/2 + sum_{t=1}^{W} rho(t)``, with the smallest window ``W >= c * tau_int(W)``
(``c = 5``); the error of the mean of ``n`` correlated samples is
``sqrt(var * 2 tau_int / n)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["integrated_autocorrelation_time", "mean_and_error", "pair_indices"]


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


def mean_and_error(trace: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, autocorrelation-aware error of the mean, and tau_int, along the last axis.

    Returns NaN errors for fewer than 2 samples (no error can be estimated).
    """
    x = np.asarray(trace, dtype=np.float64)
    n = x.shape[-1]
    mean = x.mean(axis=-1)
    tau = integrated_autocorrelation_time(x)
    if n < 2:
        return mean, np.full(mean.shape, np.nan), tau
    var = np.where(np.ptp(x, axis=-1) > 0, x.var(axis=-1, ddof=1), 0.0)
    err = np.sqrt(var * 2.0 * tau / n)
    return mean, err, tau


def pair_indices(chains: int) -> tuple[np.ndarray, np.ndarray]:
    """Chain pairs (a, b), a < b, in lexicographic order, as two int64 arrays."""
    a, b = np.triu_indices(chains, k=1)
    return a.astype(np.int64), b.astype(np.int64)
