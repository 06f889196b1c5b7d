"""The "cone" approximation of Petrova et al. (arXiv 2603.13350) for montecarlo.lse.

Only the non-target patterns whose alignment with the target is at least ``phi_keep`` (a cone
of half-angle arccos phi_keep around xi^0) are drawn; their number is Poisson with mean
(M - 1) p_>, p_> = P(phi >= phi_keep) under the exact spherical density, their alignment
from the density truncated to [phi_keep, 1] ((1 + phi)/2 ~ Beta((N-1)/2, (N-1)/2)) and their
perpendicular part uniform. The others (the bulk) enter the log-sum as the constant

    ln C_bulk = ln(M - 1) + ln int_{-1}^{phi_keep} h(phi) e^{b N phi} dphi,

their mean contribution *at x = xi^0*. The approximation: the bulk term does not follow the
state. Its error is measured against the full sum (tests/montecarlo/test_lse_sampler.py,
docs/exponential.md); it vanishes when the state stays near the target or the bulk is
negligible.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate, special


def _log_density(phi: np.ndarray | float, N: int):
    """ln h(phi), h the exact density of one alignment on the N-sphere."""
    lognorm = special.gammaln(N / 2) - 0.5 * math.log(math.pi) - special.gammaln((N - 1) / 2)
    return lognorm + 0.5 * (N - 3) * np.log1p(-np.square(phi))


def tail_probability(N: int, phi_keep: float) -> float:
    """p_> = P(phi >= phi_keep)."""
    a = (N - 1) / 2
    return float(special.betaincc(a, a, (1.0 + phi_keep) / 2.0))


def log_bulk(N: int, M: int, beta_net: float, phi_keep: float) -> float:
    """ln C_bulk (quadrature, with the integrand scaled by its largest value)."""
    if M <= 1:
        return -math.inf
    b = float(beta_net)

    def log_f(p):
        return _log_density(p, N) + b * N * p

    grid = np.linspace(-1 + 1e-12, phi_keep, 2001)
    top = float(np.max(log_f(grid)))
    val, _ = integrate.quad(lambda p: math.exp(log_f(p) - top), -1.0, phi_keep,
                            epsabs=0.0, epsrel=1e-11, limit=200)
    return math.log(M - 1) + top + math.log(val)


def cone_patterns(xi0: np.ndarray, M: int, phi_keep: float,
                  rng: np.random.Generator) -> np.ndarray:
    """The target followed by the in-cone patterns, shape (1 + K, N), |xi|^2 = N."""
    N = xi0.size
    K = rng.poisson((M - 1) * tail_probability(N, phi_keep))
    a = (N - 1) / 2
    lo = special.betainc(a, a, (1.0 + phi_keep) / 2.0)
    y = special.betaincinv(a, a, lo + (1.0 - lo) * rng.random(K))
    phi = 2.0 * y - 1.0
    g = rng.standard_normal((K, N))
    g -= np.outer(g @ xi0 / N, xi0)
    g *= math.sqrt(N) / np.linalg.norm(g, axis=1, keepdims=True)
    return np.vstack([xi0[None, :], phi[:, None] * xi0 + np.sqrt(1 - phi**2)[:, None] * g])
