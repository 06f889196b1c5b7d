"""Basins of attraction: final overlap versus initial overlap m0 with a stored pattern.

Every chain starts at overlap ``m0`` with pattern 1 (``sample(init_overlap=m0)``: a random
set of ``round(N (1 - m0) / 2)`` spins of the pattern flipped) and runs ``burn_in + sweeps``
sweeps; the final overlap is its mean over the recorded sweeps. A start *retrieves* when
that is at least ``m_cut``. The **critical m0** is where the fraction of retrieving starts
(disorder samples x chains) crosses 1/2, linearly interpolated between the two m0 that
bracket it: the basin is ``m0 > m0_c``. For the Hopfield network (P = 2) at T = 0 the basin
is wide at low load and shrinks to nothing at the capacity alpha_c = 0.138 (AGS 1987;
m0_c -> 1): above it no start, not even the pattern itself, stays near the pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from hopfield_sim.sweep import point_seed

if TYPE_CHECKING:
    import xarray as xr


def basins(
    N: int,
    alpha: float,
    m0: Sequence[float],
    *,
    T: float = 0.0,
    P: int = 2,
    samples: int = 4,
    chains: int = 2,
    sweeps: int = 20,
    burn_in: int = 20,
    m_cut: float = 0.8,
    seed: int = 0,
) -> xr.Dataset:
    """Final overlap versus initial overlap ``m0`` (Hebbian, ``K = round(alpha N^(P-1))``).

    Parameters
    ----------
    N : int
        Neurons.
    alpha : float
        Load (``K = max(1, round(alpha N^(P-1)))`` patterns).
    m0 : sequence of float
        Initial overlaps with pattern 1, in [-1, 1].
    T : float
        Temperature (``0``: zero-temperature dynamics).
    P : int
        Interaction order.
    samples, chains : int
        Disorder samples (fresh patterns; the same patterns at every m0) and chains each.
    sweeps, burn_in : int
        Recorded and discarded sweeps.
    m_cut : float
        A start retrieves when its final overlap is at least this.
    seed : int
        Root seed; sample ``s`` uses ``point_seed(seed, {N, alpha, sample})``.

    Returns
    -------
    xarray.Dataset
        Dim ``m0``: ``m_final`` (mean over samples x chains), ``m_final_err`` (standard error),
        ``retrieval_probability``, ``m_final_sample`` (dims ``m0``, ``sample``, ``chain``);
        attribute ``m0_c`` (critical initial overlap; NaN when no m0 retrieves, -1 when every
        m0 does, with ``m0_c_note`` saying so).

    Examples
    --------
    >>> from hopfield_sim.basins import basins
    >>> b = basins(200, 0.03, [0.1, 0.5, 0.9], samples=2, chains=1, sweeps=5, burn_in=5)
    >>> float(b["retrieval_probability"].sel(m0=0.9))
    1.0
    """
    import xarray as xr

    import montecarlo

    m0 = np.asarray(m0, dtype=float)
    if m0.ndim != 1 or m0.size < 1 or not np.all(np.abs(m0) <= 1):
        raise ValueError(f"m0 must be a list of numbers in [-1, 1]; got {m0!r}.")
    for key, value, low in (("N", N, P), ("samples", samples, 1), ("chains", chains, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{key} must be an integer >= {low}; got {value!r}.")
    K = max(1, int(round(alpha * float(N) ** (P - 1))))
    temp = {"dynamics": "zero_temperature", "T": 0.0} if T == 0 else {"T": float(T)}
    final = np.empty((m0.size, samples, chains))
    for s in range(samples):
        ss = np.random.SeedSequence(point_seed(seed, {"N": N, "alpha": alpha, "sample": s}))
        s_xi, s_run = ss.spawn(2)
        net = montecarlo.DenseHebbianNetwork(
            P, patterns=montecarlo.archetypes(K, N, seed=s_xi), protocol="hebbian"
        )
        for i, (start, child) in enumerate(zip(m0, s_run.spawn(m0.size))):
            res = net.sample(sweeps=sweeps, burn_in=burn_in, chains=chains, init="archetype",
                             init_overlap=float(start), seed=child, **temp)  # fmt: skip
            final[i, s] = np.asarray(res["m"].values)[:, 0]
    flat = final.reshape(m0.size, -1)
    p = (flat >= m_cut).mean(axis=1)
    err = flat.std(axis=1, ddof=1) / np.sqrt(flat.shape[1]) if flat.shape[1] > 1 else np.nan
    m0_c, note = critical_overlap(m0, p)
    return xr.Dataset(
        {
            "m_final": ("m0", flat.mean(axis=1), {"long_name": "final overlap m", "units": "1"}),
            "m_final_err": ("m0", np.broadcast_to(err, m0.shape).copy(),
                            {"long_name": "standard error of m_final", "units": "1"}),
            "retrieval_probability": ("m0", p, {
                "long_name": f"fraction of starts with final m >= {m_cut:g}", "units": "1"}),
            "m_final_sample": (("m0", "sample", "chain"), final,
                               {"long_name": "final overlap of every start", "units": "1"}),
        },
        coords={"m0": ("m0", m0, {"long_name": "initial overlap m0", "units": "1"})},
        attrs={"N": int(N), "K": K, "alpha": float(alpha), "T": float(T), "P": int(P),
               "m_cut": float(m_cut), "m0_c": m0_c, "m0_c_note": note, "seed": int(seed)},
    )  # fmt: skip


def critical_overlap(m0: np.ndarray, p: np.ndarray) -> tuple[float, str]:
    """Where the retrieval fraction ``p(m0)`` first reaches 1/2 from below, going up in m0
    (linear interpolation); ``(nan, ...)`` if it never does, ``(-1, ...)`` if it always is."""
    order = np.argsort(m0)
    x, y = np.asarray(m0, float)[order], np.asarray(p, float)[order]
    if np.all(y >= 0.5):
        return -1.0, "every m0 tried retrieves: the basin is at least the whole range"
    above = np.flatnonzero(y >= 0.5)
    if above.size == 0:
        return float("nan"), "no m0 tried retrieves: no basin (beyond the capacity)"
    j = int(above[-1])
    while j > 0 and y[j - 1] >= 0.5:
        j -= 1
    if j == 0:
        return float(x[0]), "retrieves from the smallest m0 tried"
    x0, x1, y0, y1 = x[j - 1], x[j], y[j - 1], y[j]
    return float(x0 + (0.5 - y0) * (x1 - x0) / (y1 - y0)), "interpolated at p = 1/2"
