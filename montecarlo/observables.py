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
    "binder_cumulant",
    "blocking_error",
    "fluctuation",
    "split_rhat",
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


def fluctuation(trace: np.ndarray, N: int, beta) -> np.ndarray:
    """``beta N (<x^2> - <x>^2)`` along the last axis: the susceptibility of an overlap
    trace (``chi``) or, with ``beta**2`` and the energy per neuron, the specific heat per
    neuron ``C = beta^2 N var(e)``. ``beta`` broadcasts against the leading axes.

    At ``beta = inf`` (zero-temperature dynamics) the fluctuation-dissipation relation does
    not apply: NaN, as the Datasets built from it document.
    """
    var = np.var(np.asarray(trace, dtype=float), axis=-1)
    beta = np.asarray(beta, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(beta), beta * N * var, np.nan)


def binder_cumulant(trace: np.ndarray) -> np.ndarray:
    """Binder cumulant ``U = 1 - <x^4> / (3 <x^2>^2)`` along the last axis.

    0 for a Gaussian centred at 0 (paramagnet), 2/3 for ``x = +-x0`` (ordered); NaN where
    the trace is identically 0.
    """
    x = np.asarray(trace, dtype=float)
    m2 = np.mean(x**2, axis=-1)
    m4 = np.mean(x**4, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(m2 > 0, 1.0 - m4 / (3.0 * np.where(m2 > 0, m2, 1.0) ** 2), np.nan)


def split_rhat(trace: np.ndarray, chain_axis: int = 0) -> np.ndarray:
    """Split-R-hat (Gelman et al., Bayesian Data Analysis, 3rd ed., §11.4) across chains.

    Each chain (along ``chain_axis``) is cut into halves; with m half-chains of n records,
    ``W`` the mean within-half variance and ``B / n`` the variance of the half means,
    ``R = sqrt(((n - 1) / n W + B / n) / W)``. Close to 1 when every chain samples the same
    distribution; above ~1.01-1.1 they have not mixed. Frozen chains: 1 if they agree,
    ``inf`` if they sit in different states. The time axis is the last one; the chain
    axis is reduced.
    """
    x = np.moveaxis(np.asarray(trace, dtype=float), chain_axis, -2)
    n = x.shape[-1] // 2
    if n < 2:
        raise ValueError(f"split_rhat needs at least 4 records per chain; got {x.shape[-1]}.")
    halves = np.concatenate([x[..., :n], x[..., -n:]], axis=-2)  # (..., 2 chains, n)
    means = halves.mean(axis=-1)
    W = halves.var(axis=-1, ddof=1).mean(axis=-1)
    B_n = means.var(axis=-1, ddof=1)
    var_plus = (n - 1) / n * W + B_n
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sqrt(var_plus / np.where(W > 0, W, 1.0))
    return np.where(W > 0, r, np.where(B_n > 0, np.inf, 1.0))
