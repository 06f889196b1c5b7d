"""Random-energy-model (REM) analysis of the log-sum-exp energy with M = e^{alpha N} patterns
(docs/exponential.md, "Theory").

Notation. State x and patterns xi^mu with |x|^2 = N; alignment phi_mu = x . xi^mu / N; kernel
sharpness ``beta_net`` (b below; Petrova et al.'s beta_net, Lucibello-Mezard's lambda, the
``beta`` of :func:`hopfield_sim.layers.energy` when |xi^mu|^2 = N). The energy per neuron is

    u(x) = H(x)/N = 1 - (1/(b N)) ln sum_mu exp(b N phi_mu).

Everything here follows from the large-deviation law of the alignment phi of one random
pattern with a fixed state, P(phi) ~ exp(-N I(phi)), through its scaled cumulant generating
function Lambda(b) = lim (1/N) ln E exp(b N phi) (the Legendre transform of I):

============  =============================  ======================  ===================
law           I(phi)                         Lambda(b)               Lambda'(b) = phi*(b)
============  =============================  ======================  ===================
spherical     -ln(1 - phi^2)/2 (exact)       g_max(b) below          (sqrt(1+4b^2)-1)/(2b)
gaussian      phi^2/2 (REM approximation)    b^2/2                   b
binary        ((1+p)ln(1+p)+(1-p)ln(1-p))/2  ln cosh b               tanh b
============  =============================  ======================  ===================

("binary": binary patterns seen from a binary state, e.g. x = xi^1.) The M - 1 non-retrieval
patterns give the REM sum S_nr = sum_{mu>=2} exp(b N phi_mu) with (1/N) ln S_nr -> Phi:

    Phi(alpha, b) = alpha + Lambda(b)     if phi*(b) < phi_max(alpha)   (uncondensed)
                  = b phi_max(alpha)      otherwise                      (condensed)

with phi_max(alpha) = I^{-1}(alpha) the largest of e^{alpha N} alignments. The retrieval
term contributes b y (y = 1 at x = xi^1), so retrieval needs b y > Phi, i.e.

    alpha < alpha_c(b; y) = b y - Lambda(b)   if phi*(b) < y,   else I(y),      (*)

continuous at phi* = y by the Legendre identity. At T = 0 (y = 1) this is Lucibello-Mezard's
threshold: b - g_max(b) for spherical patterns, b(1 - b/2) (b <= 1) and 1/2 (b >= 1) in
the Gaussian approximation, b - ln cosh b for binary patterns.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

LAWS = ("spherical", "gaussian", "binary")


def _law(law: str) -> str:
    if law not in LAWS:
        raise ValueError(f"patterns must be one of {', '.join(map(repr, LAWS))}; got {law!r}.")
    return law


def saddle(beta_net, law: str = "spherical") -> np.ndarray:
    """phi*(b) = Lambda'(b): the alignment that dominates the non-retrieval sum."""
    b = np.asarray(beta_net, dtype=float)
    law = _law(law)
    if law == "spherical":
        return 2.0 * b / (np.sqrt(1.0 + 4.0 * b * b) + 1.0)  # = (sqrt(1+4b^2)-1)/(2b)
    if law == "gaussian":
        return b
    return np.tanh(b)


def rate(phi, law: str = "spherical") -> np.ndarray:
    """I(phi): -(1/N) ln of the density of one pattern's alignment, at leading order."""
    p = np.abs(np.asarray(phi, dtype=float))
    law = _law(law)
    if law == "spherical":
        with np.errstate(divide="ignore"):  # I(1) = inf: no pattern reaches phi = 1
            return -0.5 * np.log1p(-np.minimum(p, 1.0) ** 2)
    if law == "gaussian":
        return 0.5 * p * p
    return 0.5 * (special.xlogy(1.0 + p, 1.0 + p) + special.xlogy(1.0 - p, 1.0 - p))


def cumulant(beta_net, law: str = "spherical") -> np.ndarray:
    """Lambda(b) = sup_phi [b phi - I(phi)]; for spherical patterns g_max(b)."""
    b = np.asarray(beta_net, dtype=float)
    law = _law(law)
    if law == "spherical":
        s = saddle(b, law)
        return 0.5 * np.log1p(-s * s) + b * s
    if law == "gaussian":
        return 0.5 * b * b
    return np.logaddexp(b, -b) - math.log(2.0)  # ln cosh b, overflow-free


def phi_max(alpha, law: str = "spherical") -> np.ndarray:
    """The largest of e^{alpha N} independent alignments, I(phi_max) = alpha (capped at 1).

    Spherical: sqrt(1 - e^{-2 alpha}) (< 1 at every alpha); Gaussian: sqrt(2 alpha) (1 at
    alpha = 1/2); binary:
    the root of I(phi) = alpha, which reaches 1 at alpha = ln 2.
    """
    a = np.asarray(alpha, dtype=float)
    law = _law(law)
    if law == "spherical":
        return np.sqrt(-np.expm1(-2.0 * a))
    if law == "gaussian":
        return np.sqrt(2.0 * a)  # the REM approximation is unbounded: > 1 past alpha = 1/2
    out = np.ones_like(a)
    for i, ai in np.ndenumerate(a):
        if ai < math.log(2.0):
            out[i] = optimize.brentq(lambda p, t=ai: rate(p, "binary") - t, 0.0, 1.0, xtol=1e-15)
    return out


def noise_exponent(alpha, beta_net, law: str = "spherical") -> tuple[np.ndarray, np.ndarray]:
    """Phi(alpha, b) = lim (1/N) ln S_nr and whether the REM is condensed.

    Returns
    -------
    Phi, condensed : ndarray
        Broadcast over ``alpha`` and ``beta_net``.
    """
    a, b = np.broadcast_arrays(np.asarray(alpha, float), np.asarray(beta_net, float))
    pm, s = phi_max(a, law), saddle(b, law)
    condensed = s >= pm
    return np.where(condensed, b * pm, a + cumulant(b, law)), condensed


def capacity(beta_net, y=1.0, law: str = "spherical") -> np.ndarray:
    """The load (*) at which b y equals the non-retrieval exponent Phi(alpha, b).

    ``y = 1``: the T = 0 capacity alpha_c(b) (state at the pattern); ``y = phi_eq(T)``: the
    spinodal; ``y = 1 - f_ret(T)``: the equal-depth line (theory.lse.thermal).
    """
    b, y = np.broadcast_arrays(np.asarray(beta_net, float), np.asarray(y, float))
    uncondensed = saddle(b, law) < y
    return np.where(uncondensed, b * y - cumulant(b, law), rate(y, law))


def ramsauer_capacity(beta_net) -> np.ndarray:
    """Ramsauer et al.'s bound: every non-retrieval term replaced by the largest one,
    sqrt(1 - e^{-2 alpha}) = 1 - alpha/b (spherical patterns); below ``capacity`` at all b."""
    b = np.atleast_1d(np.asarray(beta_net, dtype=float))
    out = np.empty_like(b)
    for i, bi in enumerate(b):
        out[i] = optimize.brentq(lambda a, c=bi: phi_max(a) - 1.0 + a / c, 0.0, bi, xtol=1e-15)
    return out.reshape(np.shape(beta_net))


def log_mean_noise(N: int, beta_net) -> np.ndarray:
    """ln E exp(b N (phi - 1)) for one pattern uniform on the sphere, exact at finite N.

    E exp(b N phi) = Gamma(N/2) (2/(b N))^(N/2-1) I_{N/2-1}(b N) (the Bessel integral of the
    density C_N (1-phi^2)^((N-3)/2)); so ln E S_nr = ln(M-1) + this. For the finite-N theory
    and the Monte Carlo checks (docs/exponential.md).
    """
    if not isinstance(N, (int, np.integer)) or N < 2:
        raise ValueError(f"N must be an integer >= 2; got N={N!r}.")
    b = np.asarray(beta_net, dtype=float)
    z, nu = b * N, N / 2.0 - 1.0
    return special.gammaln(N / 2.0) + nu * np.log(2.0 / z) + _log_ive(nu, z)


DEBYE_FROM = 400.0  # order nu above which ln I_nu uses the Debye expansion (ive underflows)


def _log_ive(nu: float, z):
    """ln(I_nu(z) e^{-z}): scipy's ive below DEBYE_FROM, else the uniform (Debye) expansion
    ln I_nu(nu w) = nu eta - ln(2 pi nu)/2 - ln(1 + w^2)/4 + ln(1 + u1(t)/nu + u2(t)/nu^2),
    t = 1/sqrt(1 + w^2), eta = sqrt(1 + w^2) + ln(w/(1 + sqrt(1 + w^2))) (relative error
    O(nu^-3))."""
    if nu < DEBYE_FROM:
        return np.log(special.ive(nu, z))
    w = z / nu
    r = np.sqrt(1.0 + w * w)
    t = 1.0 / r
    eta = r + np.log(w / (1.0 + r))
    u1 = (3.0 * t - 5.0 * t**3) / 24.0
    u2 = (81.0 * t**2 - 462.0 * t**4 + 385.0 * t**6) / 1152.0
    series = np.log1p(u1 / nu + u2 / nu**2)
    return nu * eta - 0.5 * np.log(2.0 * np.pi * nu) - 0.5 * np.log(r) + series - z


def laplace_prefactor(beta_net) -> np.ndarray:
    """The O(1) prefactor of E S_nr / e^{N(alpha + g_max - b)}: 1/sqrt(1 - phi*^4)."""
    s = saddle(beta_net, "spherical")
    return 1.0 / np.sqrt(1.0 - s**4)


def lsr_support_threshold(beta_net, law: str = "spherical") -> np.ndarray:
    """Load below which no non-target pattern lies in the log-sum-ReLU kernel's support at
    x = xi^0: the kernel max(0, 1 - b + b phi) vanishes for phi <= phi_c = (b - 1)/b, and the
    largest of e^{alpha N} alignments phi_max(alpha) reaches phi_c at alpha_th = I(phi_c)
    (-ln(1 - phi_c^2)/2 for spherical patterns: 0.347 = ln(2)/2 at b = 2 + sqrt(2), the
    value Petrova et al. quote for their NeurIPS 2026 companion; (1 - 1/b)^2/2 in the
    Gaussian approximation, as printed in arXiv 2604.07401: 0.25 at b = 3.41). 0 for b <= 1
    (phi_c <= 0: about half the patterns are always in)."""
    b = np.asarray(beta_net, dtype=float)
    if np.any(~(b > 0)):
        raise ValueError(f"beta_net must be > 0; got {beta_net!r}.")
    phi_c = np.clip((b - 1.0) / b, 0.0, None)
    return np.where(phi_c > 0.0, rate(phi_c, _law(law)), 0.0)
