"""Gaussian averages of tanh, sech^2 and log 2cosh at any inverse temperature, T = 0 included.

Every RS equation of the package needs, for x ~ N(mu, s^2) (the local field per unit beta),

    t = E tanh(beta x),   C = beta E sech^2(beta x) = beta (1 - E tanh^2),
    L = E ln(2 cosh(beta x)) / beta,

and their beta -> inf limits E sign(x), 2 p(0), E|x| (p the density of x). Plain
Gauss-Hermite quadrature is accurate only while beta*s is O(1): tanh(beta s z) has poles at
distance pi/(2 beta s) from the real z axis. For beta*s > ``HYBRID_AT`` we split off the
closed-form T = 0 part and integrate the remainder, which lives within |x| ~ 1/beta of the
kink, with Gauss-Laguerre in tau = 2 beta |x|:

    E tanh(beta x)       = E sign(x) - (1/2beta) int e^-tau k_t(tau) [p(tau/2beta) - p(-tau/2beta)]
    beta E sech^2(beta x) = (1/2)      int e^-tau k_s(tau) [p(tau/2beta) + p(-tau/2beta)]
    E ln 2cosh(beta x)/beta = E|x| + (1/2beta^2) int e^-tau k_l(tau) [p(tau/2beta) + p(-tau/2beta)]

with the smooth kernels k_t = 2/(1+e^-tau), k_s = 4/(1+e^-tau)^2, k_l = e^tau ln(1+e^-tau).
Both rules are evaluated and the right one selected with ``jnp.where`` on safe inputs, so the
functions are differentiable (autodiff Jacobians) and vectorise over grids.
"""

from __future__ import annotations

import functools

import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf as jax_erf

from theory._quadrature import gauss_normal

HYBRID_AT = 0.7  # switch from Gauss-Hermite to the split rule when beta * s exceeds this
N_HERMITE = 32
N_LAGUERRE = 32
_SQRT2 = float(np.sqrt(2.0))
_LN2 = float(np.log(2.0))
_INV_SQRT2PI = float(1.0 / np.sqrt(2.0 * np.pi))


@functools.lru_cache(maxsize=4)
def _laguerre(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.laguerre.laggauss(n)
    return x, w


def log2cosh(y):
    """ln(2 cosh y) = |y| + ln(1 + e^{-2|y|}); never overflows."""
    a = jnp.abs(y)
    return a + jnp.log1p(jnp.exp(-2.0 * a))


def _density(x, mu, s):
    u = (x - mu) / s
    return _INV_SQRT2PI * jnp.exp(-0.5 * u * u) / s


def _closed_t0(mu, s):
    """E sign(x), 2 p(0), E|x| for x ~ N(mu, s^2), s > 0."""
    e = jnp.exp(-0.5 * (mu / s) ** 2)
    erf = jax_erf(mu / (_SQRT2 * s))
    return erf, 2.0 * _INV_SQRT2PI * e / s, s * 2.0 * _INV_SQRT2PI * e + mu * erf


def _hermite(beta, mu, s):
    z, w = gauss_normal(N_HERMITE)
    y = beta[..., None] * (mu[..., None] + s[..., None] * z)
    e = jnp.exp(-2.0 * jnp.abs(y))
    t = jnp.sign(y) * (1.0 - e) / (1.0 + e)
    sech2 = 4.0 * e / (1.0 + e) ** 2
    lc = jnp.abs(y) + jnp.log1p(e)
    return t @ w, beta * (sech2 @ w), (lc @ w) / beta


def _split(beta, mu, s):
    tau, w = _laguerre(N_LAGUERRE)
    x = tau / (2.0 * beta[..., None])
    pp = _density(x, mu[..., None], s[..., None])
    pm = _density(-x, mu[..., None], s[..., None])
    en = jnp.exp(-tau)
    k_t = 2.0 / (1.0 + en)
    k_s = 4.0 / (1.0 + en) ** 2
    k_l = jnp.log1p(en) / en
    sgn, _, absx = _closed_t0(mu, s)
    t = sgn - ((pp - pm) * k_t) @ w / (2.0 * beta)
    C = 0.5 * (((pp + pm) * k_s) @ w)
    L = absx + ((pp + pm) * k_l) @ w / (2.0 * beta * beta)
    return t, C, L


def tanh_averages(beta, mu, s):
    """Averages over x ~ N(mu, s^2) of tanh(beta x) and friends; broadcasts over inputs.

    Parameters
    ----------
    beta : array, > 0, may be inf (T = 0)
    mu, s : arrays, mean and standard deviation (s >= 0) of the local field x.

    Returns
    -------
    t, C, L, q : arrays
        ``E tanh(beta x)``, ``beta E sech^2(beta x)``, ``E ln 2cosh(beta x)/beta``,
        ``E tanh^2(beta x)`` = 1 - C/beta; at beta = inf: ``E sign x``, ``2 p(0)``, ``E|x|``,
        ``P(x != 0)``. (For a deterministic zero field at beta = inf, C is set to 0.)
    """
    beta, mu, s = jnp.broadcast_arrays(*(jnp.asarray(a, dtype=float) for a in (beta, mu, s)))
    finite = jnp.isfinite(beta)
    point = s <= 0.0
    use_split = (~point) & (~finite | (beta * s > HYBRID_AT))
    use_herm = finite & ~use_split
    # Safe inputs for each rule so that the unselected one never makes NaN gradients.
    b_h = jnp.where(use_herm, beta, 1.0)
    s_h = jnp.where(use_herm, s, 0.0)
    t_h, C_h, L_h = _hermite(b_h, mu, s_h)
    b_s = jnp.where(use_split, beta, 1.0)
    s_s = jnp.where(use_split, s, 1.0)
    t_s, C_s, L_s = _split(b_s, mu, s_s)
    # s = 0 at beta = inf: deterministic field.
    mu_p = jnp.where(point & ~finite, mu, 1.0)
    t_p = jnp.sign(mu_p)
    L_p = jnp.abs(mu_p)
    t = jnp.where(use_split, t_s, jnp.where(use_herm, t_h, t_p))
    C = jnp.where(use_split, C_s, jnp.where(use_herm, C_h, 0.0))
    L = jnp.where(use_split, L_s, jnp.where(use_herm, L_h, L_p))
    b_q = jnp.where(finite, beta, 1.0)
    q = jnp.where(finite, 1.0 - C / b_q, jnp.where(point & (mu == 0.0), 0.0, 1.0))
    return t, C, L, q


def _safe_sqrt(x):
    pos = x > 0.0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, x, 1.0)), 0.0)


def field_averages(beta, S, b, rho, law=None):
    """RS averages over the data variable u and the cross-talk noise z.

    The local field per unit beta is ``x = S u + b z`` with z ~ N(0, 1) and u the normalised
    example average (E u = 1, E u^2 = 1 + rho): ``u = 1 + sqrt(rho) Y`` (large-M Gaussian law,
    ``law=None``, averaged in closed form by combining the two Gaussians and Stein's lemma) or
    the exact binomial law given as ``law = (u, w)``, nodes and weights with trailing axis.

    Returns
    -------
    m, nbar, C, L, q : arrays
        ``E tanh(beta x)``, ``E[u tanh(beta x)]/(1+rho)``, ``beta E sech^2(beta x)``,
        ``E ln 2cosh(beta x)/beta``, ``E tanh^2(beta x)`` (beta = inf: the T = 0 limits).
    """
    if law is None:
        s = _safe_sqrt(rho * S * S + b * b)
        t, C, L, q = tanh_averages(beta, S, s)
        rhoSC = jnp.where(rho * S == 0.0, 0.0, rho * S * C)
        return t, (t + rhoSC) / (1.0 + rho), C, L, q
    u, w = law
    t, C, L, q = tanh_averages(beta[..., None], S[..., None] * u, b[..., None])
    avg = [(a * w).sum(-1) for a in (t, u * t, C, L, q)]
    return avg[0], avg[1] / (1.0 + rho), avg[2], avg[3], avg[4]
