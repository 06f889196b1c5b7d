"""Finite-N effective potential of the log-sum-exp memory (docs/exponential.md).

The alignment phi of a state with the target pattern has the exact density
(1 - phi^2)^((N-3)/2) on the sphere. Replacing the non-retrieval sum by its disorder mean,
E S_nr = (M - 1) E e^{b N phi'} (exact Bessel form, theory.lse.rem.log_mean_noise), gives

    P_N(phi) ~ (1 - phi^2)^((N-3)/2) [e^{b N phi} + E S_nr]^{1/(b T)},

whose N -> infinity limit is the leading-order f(phi) of theory.lse.thermal. Valid while the
relative fluctuations of S_nr are small (uncondensed REM); the comparison curve for Monte
Carlo at the N it reaches.
"""

from __future__ import annotations

import numpy as np

from theory.lse import rem

NODES = 20001


def effective_potential(phi, N: int, M: int, T: float, beta_net: float) -> np.ndarray:
    """-ln P_N(phi) up to a constant, i.e. V_N(phi)/T with V_N the effective potential."""
    b = float(beta_net)
    p = np.asarray(phi, dtype=float)
    log_nr = np.log(M - 1) + rem.log_mean_noise(N, b) + b * N if M > 1 else -np.inf
    log_s = np.logaddexp(b * N * p, log_nr)
    return -(0.5 * (N - 3) * np.log1p(-p * p) + log_s / (b * T))


def averages(N: int, M: int, T: float, beta_net: float, basin: str = "all") -> dict[str, float]:
    """<phi> and <H/N> under P_N (trapezoid rule on a fine grid; T > 0).

    ``basin="retrieval"`` / ``"nonretrieval"`` restricts to the alignments above / below the
    barrier top of V_N between its two minima (metastable states; "all" where only one).
    """
    if T <= 0:
        raise ValueError(f"T must be > 0 for the finite-N averages; got T={T!r}.")
    if basin not in ("all", "retrieval", "nonretrieval"):
        raise ValueError(f"basin must be 'all', 'retrieval' or 'nonretrieval'; got {basin!r}.")
    phi = np.linspace(-1.0, 1.0, NODES)[1:-1]
    v = effective_potential(phi, N, M, T, beta_net)
    w = np.exp(-(v - v.min()))
    if basin != "all":
        inner = np.flatnonzero((v[1:-1] > v[:-2]) & (v[1:-1] > v[2:]) & (phi[1:-1] > 0)) + 1
        if inner.size:  # a barrier between phi ~ 0 and the retrieval minimum
            keep = phi > phi[inner[-1]] if basin == "retrieval" else phi < phi[inner[-1]]
            w = np.where(keep, w, 0.0)
    b = float(beta_net)
    log_nr = np.log(M - 1) + rem.log_mean_noise(N, b) + b * N if M > 1 else -np.inf
    u = 1.0 - np.logaddexp(b * N * phi, log_nr) / (b * N)
    z = np.trapezoid(w, phi)
    return {"phi": float(np.trapezoid(w * phi, phi) / z),
            "energy": float(np.trapezoid(w * u, phi) / z)}


def paramagnet_energy(N: int, M: int, T: float, beta_net: float) -> dict[str, float]:
    """<H/N> in the paramagnet at finite N: annealed, and with the lognormal correction.

    Over uniform states x, ln S(x) has mean ln E S - v/2 and variance
    v = ln(1 + (E e^{2bN phi}/(E e^{bN phi})^2 - 1)/(M - 1)) if S is lognormal; the Gibbs
    weight S^{1/(bT)} shifts its mean by v/(bT), so
    <H/N> = 1 - [ln E S + (1/(bT) - 1/2) v]/(bN). v -> 0 where the REM is uncondensed
    (alpha > g_max(2b) - 2 g_max(b)); T > 0.
    """
    b = float(beta_net)
    l1, l2 = rem.log_mean_noise(N, b), rem.log_mean_noise(N, 2.0 * b)
    log_mean = np.log(M - 1) + l1 + b * N
    v = float(np.log1p(np.expm1(l2 - 2.0 * l1) / (M - 1)))
    return {"annealed": float(1.0 - log_mean / (b * N)),
            "lognormal": float(1.0 - (log_mean + (1.0 / (b * T) - 0.5) * v) / (b * N)),
            "v": v}


def retrieval_margin(N: int, M: int, beta_net: float) -> float:
    """Median of ln(S_nr e^{-b N}) over pattern sets (lognormal S_nr): the target's softmax
    weight at x = xi^0 exceeds 1/2 in half of the sets where this is 0."""
    return -np.inf if M <= 1 else _margin(N, float(np.log(M - 1)), float(beta_net))


def _margin(N: int, log_m1: float, b: float) -> float:
    """``retrieval_margin`` with ln(M - 1) given (no overflow at large N)."""
    l1, l2 = rem.log_mean_noise(N, b), rem.log_mean_noise(N, 2.0 * b)
    d = l2 - 2.0 * l1  # > 0: ln(E S^2 / (E S)^2) of one term
    v = float(np.logaddexp(0.0, d + np.log(-np.expm1(-d)) - log_m1))  # overflow-free
    return float(log_m1 + l1 - 0.5 * v)


def capacity(N: int, beta_net: float) -> float:
    """Finite-N T = 0 capacity: the load alpha = ln(M)/N (M continuous) where the median
    target weight at x = xi^0 is 1/2 (``retrieval_margin`` = 0); -> b - g_max(b) as N grows."""
    from scipy import optimize

    def margin(a):
        return _margin(N, a * N, float(beta_net))

    hi = float(rem.capacity(beta_net)) * 3.0 + 1.0
    return float(optimize.brentq(margin, 1e-9, hi, xtol=1e-12))
