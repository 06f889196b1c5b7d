"""Low storage (K finite) helpers: the exact T = 0 overlaps and symmetric mixture states.

The pure-state low-storage equations of docs/models.md §3 (hebbian, supervised, unsupervised,
Gaussian or exact binomial data law, any even P) are ``theory.solve(..., alpha=0)``, solved
by the same kernels as high storage (theory.dense / theory.ags with alpha = 0). This module
adds what those kernels do not cover:

* ``zero_temperature_overlap(rho)``: the closed forms m = erf(1/sqrt(2 rho)),
  n = [m + sqrt(2 rho/pi) e^{-1/(2 rho)}]/(1 + rho), valid for every even P;
* ``mixture(s, T=...)``: the symmetric s-mixture of the P = 2 hebbian network,
  m_1 = ... = m_s = m with m = (1/s) E[Z tanh(beta m Z)], Z = sum of s independent +-1,
  its free energy f = s m^2/2 - E ln 2cosh(beta m Z)/beta and its stability (Hessian of f
  over all overlaps, theory.stability.mixture_eigenvalues).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr
from scipy.special import erf

from theory import _schema, _validate
from theory.rs.stability import mixture_eigenvalues


def zero_temperature_overlap(rho) -> tuple[np.ndarray, np.ndarray]:
    """(m, n) of the T = 0 low-storage retrieval state, any even P (docs/models.md §3, CF)."""
    rho = _validate.real_array("rho", rho, low=0.0, high=math.inf, high_open=True)
    safe = np.where(rho > 0, rho, 1.0)
    m = np.where(rho > 0, erf(1.0 / np.sqrt(2.0 * safe)), 1.0)
    tail = np.where(rho > 0, np.sqrt(2.0 * safe / np.pi) * np.exp(-0.5 / safe), 0.0)
    return m, (m + tail) / (1.0 + rho)


def _mixture_law(s: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(s + 1)
    z = (s - 2 * k).astype(float)
    w = np.array([math.comb(s, int(j)) for j in k], dtype=float) / 2.0**s
    return z, w


def mixture(s: int = 3, *, beta=None, T=None, tol: float = 1e-13) -> xr.Dataset:
    """Symmetric s-mixture state of the P = 2 hebbian network at low storage.

    Parameters
    ----------
    s : int
        Number of mixed patterns (odd s >= 3 gives a non-trivial T = 0 mixture).
    beta, T : float or 1-D array_like
        Give exactly one; T = 0 is solved exactly (m = E|Z|/s, e.g. 1/2 for s = 3).

    Returns
    -------
    xarray.Dataset
        ``m`` (overlap with each mixed pattern), ``free_energy`` (per neuron),
        ``converged``, ``stable`` (all Hessian eigenvalues positive), ``hessian_min``; NaN and a
        ``ConvergenceWarning`` where Newton did not converge (``theory._schema.as_dataset``).
    """
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 2:
        raise ValueError(f"s must be an integer >= 2 (patterns in the mixture); got s={s!r}.")
    b = _validate.beta_or_T(beta, T)
    dim = "beta" if T is None else "T"
    b1 = np.atleast_1d(b).astype(float)
    z, w = _mixture_law(int(s))
    finite = np.isfinite(b1)
    bf = np.where(finite, b1, 1.0)
    m = np.full(b1.shape, 1.0)
    steps = 0
    for _ in range(200):  # Newton on g(m) = m - (1/s) E[Z tanh(beta m Z)] from m = 1
        steps += 1
        t = np.tanh(bf[:, None] * m[:, None] * z)
        g = m - (w * z * t).sum(-1) / s
        dg = 1.0 - (w * z * z * bf[:, None] * (1.0 - t * t)).sum(-1) / s
        step = np.where(np.abs(dg) > 1e-14, g / dg, 0.5 * g)
        m = np.clip(m - step, 0.0, 1.0)
        if np.all(np.abs(g) < tol):
            break
    m = np.where(finite, m, (w * np.abs(z)).sum() / s)
    t = np.tanh(bf[:, None] * m[:, None] * z)
    resid = np.abs(m - np.where(finite, (w * z * t).sum(-1) / s, m))
    converged = resid < 1e-10
    lc = np.abs(bf[:, None] * m[:, None] * z) + np.log1p(
        np.exp(-2 * np.abs(bf[:, None] * m[:, None] * z))
    )
    f = np.where(
        finite,
        0.5 * s * m * m - (w * lc).sum(-1) / bf,
        0.5 * s * m * m - m * (w * np.abs(z)).sum(),
    )
    eig = mixture_eigenvalues(int(s), b1, m)
    hmin = eig.min(axis=-1)
    scalar = np.ndim(b) == 0
    grid = _schema.outer_grid({} if scalar else {dim: np.asarray(T if T is not None else beta)})
    out = _schema.as_dataset(
        {
            "m": m,
            "free_energy": f,
            "converged": converged,
            "stable": hmin > 0,
            "hessian_min": hmin,
            "residual": resid,
            "iterations": np.full(b1.shape, steps, dtype=np.int64),
            # low storage: the replicon is 1, RS is exact wherever the state exists
            "rs_stable": converged,
        },
        dims=grid.dims,
        coords=grid.coords,
        converged=converged,
        attrs={"s": int(s), "P": 2, "protocol": "hebbian", "alpha": 0.0},
        settings=f"Newton, tol={tol:g}, 200 steps",
    )
    out["hessian_min"].attrs["long_name"] = "smallest Hessian eigenvalue of f"
    out["iterations"].attrs["long_name"] = "Newton iterations (common to the whole grid)"
    return _schema.label(out)
