"""Signal-to-noise analysis of the multitasking network: the local field on a spin.

In a state with overlaps m (class-mean overlaps nbar when rho > 0) the field on spin i is

    h_i = sum_nu m_nu xi_i^nu (1 + sqrt(rho) Y_nu),

(rho = 0: h_i = sum_nu m_nu xi_i^nu). Seen from pattern mu, on the spins where xi^mu != 0,
xi^mu h splits into the signal m_mu and noise from the other patterns (and from the data):

    E[xi^mu h | xi^mu != 0] = m_mu,
    Var[xi^mu h | xi^mu != 0] = rho m_mu^2 + (1 - d)(1 + rho) sum_{nu != mu} m_nu^2.

At T = 0 a spin follows sign(h), so the question is whether the signal beats the worst
noise: the hierarchical cascade m_k = (1-d) d^(k-1) is self-consistent while each amplitude
exceeds the sum of the weaker ones (``margin`` > 0), which is where d_c(K) comes from.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import xarray as xr
from scipy.special import erf

from theory import _validate
from theory.multitasking.inputs import dilution

__all__ = ["signal_to_noise"]

MAX_K = 12


def signal_to_noise(m: object, d: float, *, rho: float = 0.0) -> xr.Dataset:
    """Expected field on a spin, split into signal and noise, for each pattern.

    Parameters
    ----------
    m : array_like, shape (K,)
        Overlaps of the state (nbar when ``rho > 0``), each in [-1, 1].
    d : float
        Dilution in [0, 1).
    rho : float
        Dataset entropy >= 0 (0 = hebbian storage).

    Returns
    -------
    xarray.Dataset, dimension ``pattern`` (length K)
        ``signal`` (m_mu), ``noise`` (standard deviation of xi^mu h on spins with
        xi^mu != 0), ``snr`` (signal / noise, inf without noise), ``p_aligned`` (probability
        that such a spin's field points along xi^mu; exact over the 3^(K-1) configurations of
        the other patterns and Gaussian in the data noise; a tie counts 1/2), ``m_next``
        (overlap after one zero-temperature update of every spin, E[xi^mu sign h]; equals m
        at a T = 0 fixed point) and ``margin`` (m_mu minus the sum of the amplitudes smaller
        than it: the cascade is stable at T = 0 iff every margin of a nonzero m is > 0).

    Examples
    --------
    >>> ds = signal_to_noise([0.7, 0.21], 0.3)
    >>> [round(float(v), 4) for v in ds.m_next]
    [0.7, 0.21]
    """
    m_arr = _validate.real_array("m", m, low=-1.0, high=1.0)
    if m_arr.ndim != 1 or m_arr.size < 1:
        raise ValueError(f"m must be a 1-D array of K >= 1 overlaps; got shape {m_arr.shape}.")
    K = m_arr.size
    if K > MAX_K:
        raise ValueError(f"K = len(m) must be <= {MAX_K} for the exact 3^K enumeration; got {K}.")
    d_val = float(dilution(d))
    rho_val = float(
        _validate.real_array("rho", rho, low=0.0, meaning="rho is the dataset entropy.")
    )

    xi = np.array(list(itertools.product((-1.0, 0.0, 1.0), repeat=K)))  # (3^K, K)
    prob = np.prod(np.where(xi == 0, d_val, 0.5 * (1.0 - d_val)), axis=1)
    mean = xi @ m_arr  # field mean per configuration
    sd = np.sqrt(rho_val * (xi * xi) @ (m_arr * m_arr))  # data-noise spread
    # P(h > 0) and E[sign h] per configuration (Gaussian in the data noise; tie -> 1/2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_pos = np.where(
            sd > 0,
            0.5 * (1.0 + erf(mean / (sd * math.sqrt(2.0)))),
            np.where(mean > 0, 1.0, np.where(mean < 0, 0.0, 0.5)),
        )
    sign_h = 2.0 * p_pos - 1.0

    active = xi != 0  # (3^K, K)
    p_active = 1.0 - d_val
    p_along = np.where(xi > 0, p_pos[:, None], 1.0 - p_pos[:, None])  # P(xi^mu h > 0)
    p_aligned = np.sum(prob[:, None] * active * p_along, axis=0) / p_active
    m_next = np.sum(prob[:, None] * xi * sign_h[:, None], axis=0)

    others = np.sum(m_arr**2) - m_arr**2
    noise = np.sqrt(rho_val * m_arr**2 + (1.0 - d_val) * (1.0 + rho_val) * others)
    with np.errstate(divide="ignore", invalid="ignore"):
        snr = np.where(noise > 0, np.abs(m_arr) / np.where(noise > 0, noise, 1.0), np.inf)
    a = np.abs(m_arr)
    order = np.argsort(-a, kind="stable")
    tail = np.cumsum(a[order][::-1])[::-1] - a[order]  # sum of the weaker amplitudes
    margin = np.empty(K)
    margin[order] = a[order] - tail

    ds = xr.Dataset(
        {
            "signal": ("pattern", m_arr.copy()),
            "noise": ("pattern", noise),
            "snr": ("pattern", snr),
            "p_aligned": ("pattern", p_aligned),
            "m_next": ("pattern", m_next),
            "margin": ("pattern", margin),
        },
        coords={"pattern": np.arange(K), "d": d_val, "rho": rho_val},
    )
    ds["signal"].attrs.update(long_name="signal E[xi^mu h | xi^mu != 0]", units="1")
    ds["noise"].attrs.update(long_name="noise std of xi^mu h", units="1")
    ds["p_aligned"].attrs.update(long_name="P(spin field along xi^mu)", units="1")
    ds["m_next"].attrs.update(long_name="overlap after one T=0 update", units="1")
    ds["margin"].attrs.update(long_name="amplitude minus weaker amplitudes", units="1")
    return ds
