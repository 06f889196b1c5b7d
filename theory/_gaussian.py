"""Every Gaussian average of the package, written once (docs/models.md §7).

* ``gauss_normal``: Gauss-Hermite rule for E f(z), z ~ N(0, 1);
* ``log2cosh`` / ``log_cosh`` (ln 2cosh y and ln cosh y, overflow-free), ``safe_sqrt``
  (zero value and zero derivative at 0) and ``sqrt_floor`` (sqrt(max(x, 1e-300)), finite
  derivative at 0, for scales that divide);
* ``tanh_averages`` / ``field_averages``: the RS averages below;
* ``kink_rule``: a mapped trapezoid rule for averages with a sharp transition (1RSB);
* ``log_exp_abs`` / ``tilted_averages``: the closed-form T = 0 averages of 1RSB.

Gaussian averages of tanh, sech^2 and log 2cosh at any inverse temperature, T = 0 included.

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
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf as jax_erf

HYBRID_AT = 0.7  # switch from Gauss-Hermite to the split rule when beta * s exceeds this
N_HERMITE = 32
N_LAGUERRE = 32
_SQRT2 = float(np.sqrt(2.0))
_LN2 = float(np.log(2.0))
_INV_SQRT2PI = float(1.0 / np.sqrt(2.0 * np.pi))


DEFAULT_NODES = 96
LOG2 = math.log(2.0)


@functools.lru_cache(maxsize=16)
def gauss_normal(n: int = DEFAULT_NODES) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of an ``n``-point Gauss-Hermite rule for the standard normal law.

    ``sum(w * f(x))`` approximates ``E[f(z)]``, z ~ N(0, 1) (physicists' rule, nodes scaled
    by sqrt(2), weights by 1/sqrt(pi)); ``sum(w) == 1``. Read-only float64 arrays (n,).
    """
    if n < 1:
        raise ValueError(f"number of quadrature nodes must be >= 1; got n={n}")
    x, w = np.polynomial.hermite.hermgauss(n)
    x = x * np.sqrt(2.0)
    w = w / np.sqrt(np.pi)
    x.setflags(write=False)
    w.setflags(write=False)
    return x, w


@functools.lru_cache(maxsize=4)
def _laguerre(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.laguerre.laggauss(n)
    return x, w


def log2cosh(y):
    """ln(2 cosh y) = |y| + ln(1 + e^{-2|y|}); never overflows."""
    a = jnp.abs(y)
    return a + jnp.log1p(jnp.exp(-2.0 * a))


def log_cosh(y):
    """ln cosh y = ln(2 cosh y) - ln 2; never overflows."""
    return log2cosh(y) - LOG2


def safe_sqrt(x):
    """sqrt(x) for x > 0, exactly 0 (with zero derivative) for x <= 0."""
    pos = x > 0.0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, x, 1.0)), 0.0)


def sqrt_floor(x):
    """sqrt(max(x, 1e-300)): never exactly 0, finite derivative at 0 (scales that divide)."""
    return jnp.sqrt(jnp.maximum(x, 1e-300))


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
    t = jnp.where(y == 0.0, y, jnp.sign(y) * (1.0 - e) / (1.0 + e))  # d tanh = 1 at y = 0
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
        s = safe_sqrt(rho * S * S + b * b)
        t, C, L, q = tanh_averages(beta, S, s)
        rhoSC = jnp.where(rho * S == 0.0, 0.0, rho * S * C)
        return t, (t + rhoSC) / (1.0 + rho), C, L, q
    u, w = law
    t, C, L, q = tanh_averages(beta[..., None], S[..., None] * u, b[..., None])
    avg = [(a * w).sum(-1) for a in (t, u * t, C, L, q)]
    return avg[0], avg[1] / (1.0 + rho), avg[2], avg[3], avg[4]


def kink_rule(mean, sd, eps, t, L=9.0):
    """Nodes and weights for ``E f(X)``, ``X ~ N(mean, sd^2)``, resolving a transition of width
    ``eps`` at ``X = 0`` (a tanh, sign or |X| of the local field).

    ``X = eps sinh(u)`` with ``u`` uniform between the images of ``mean -/+ L sd``: the trapezoid
    rule in ``u`` is spectrally accurate for smooth integrands and puts nodes where the
    integrand bends, which Gauss-Hermite does not. Weights are normalised to sum 1.
    ``mean``, ``sd``, ``eps`` (and the half-width ``L`` in units of ``sd``; widen it by the
    tilt ``mu sd`` for averages weighted by ``exp(mu |X|)``) broadcast; the node axis is last.
    """
    sd = jnp.maximum(sd, 1e-9 * (jnp.abs(mean) + eps))
    eps = jnp.maximum(eps, sd / 16.0)  # finer transitions cost accuracy in the bulk
    lo = jnp.arcsinh((mean - L * sd) / eps)[..., None]
    hi = jnp.arcsinh((mean + L * sd) / eps)[..., None]
    u = lo + (hi - lo) * t
    X = eps[..., None] * jnp.sinh(u)
    end = jnp.where((t == 0.0) | (t == 1.0), jnp.log(0.5), 0.0)
    logw = -0.5 * ((X - mean[..., None]) / sd[..., None]) ** 2 + jnp.log(jnp.cosh(u)) + end
    return X, jax.nn.softmax(logw, axis=-1)


_GL = np.polynomial.legendre.leggauss(64)


def log_exp_abs(a, b, mu):
    """``ln E_z exp(mu |a + b z|)`` and ``<sign(a + b z)>`` under that tilt, closed form."""
    up = mu * a + jax.scipy.special.log_ndtr(a / b + mu * b)
    dn = -mu * a + jax.scipy.special.log_ndtr(-a / b + mu * b)
    return 0.5 * (mu * b) ** 2 + jnp.logaddexp(up, dn), jnp.tanh(0.5 * (up - dn))


def tilted_averages(s, sd0, b, mu):
    """Averages over ``a ~ N(s, sd0^2)`` of the T = 0 inner quantities, all of shape ``s``:
    ``E ln Z``, ``E <sign>``, ``E <sign>^2`` and ``E[2 phi(a/b)/(b Z)]``, where
    ``Z(a) = E_z exp(mu |a + b z|)`` and ``<.>`` is the average tilted by ``exp(mu |a + b z|)``.

    Each quantity is split into its ``b -> 0`` limit (``mu |a| + mu^2 b^2/2``, ``sign a``, 1, 0),
    averaged over ``a`` in closed form with normal CDFs, plus a correction that vanishes for
    ``|a| >> b``; the correction is integrated by Gauss-Legendre on the window where it lives
    intersected with the bulk of the Gaussian, split at ``a = 0``: no quadrature ever straddles
    the kink of ``|a|`` or the jump of ``sign a``.
    """
    sd = jnp.maximum(sd0, 1e-300)
    u = s / sd
    erf_u = jax.scipy.special.erf(u / math.sqrt(2.0))
    phi_u = jnp.exp(-0.5 * u**2) / math.sqrt(2.0 * math.pi)
    mean_abs = s * erf_u + 2.0 * sd * phi_u
    W = jnp.minimum(b * (mu * b + 8.0), jnp.maximum(18.0 / mu, 8.0 * b))

    def corrections(a):
        logZ, sgn = log_exp_abs(a, b, mu)
        d_logZ = logZ - mu * jnp.abs(a) - 0.5 * (mu * b) ** 2
        dens = 2.0 * jnp.exp(-0.5 * (a / b) ** 2 - logZ) / (b * math.sqrt(2.0 * math.pi))
        return jnp.stack([d_logZ, sgn - jnp.sign(a), sgn**2 - 1.0, dens])

    # corrections jump (sign) or kink (|a|) at a = 0: Gauss-Legendre on each side of 0, over
    # the part of the window [-W, W] where the Gaussian of a has mass
    xg, wg = (jnp.asarray(v) for v in _GL)
    lo = jnp.maximum(-W, s - 10.0 * sd)[..., None]
    hi = jnp.minimum(W, s + 10.0 * sd)[..., None]
    c = 0.0
    for left, right in ((lo, jnp.minimum(hi, 0.0)), (jnp.maximum(lo, 0.0), hi)):
        half = 0.5 * jnp.maximum(right - left, 0.0)
        aa = 0.5 * (left + right) + half * xg
        dens = jnp.exp(-0.5 * ((aa - s[..., None]) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
        w = wg * half * dens
        c = c + jnp.sum(corrections(aa) * w, axis=-1)
    c = jnp.where(sd0 > 1e-12 * W, c, corrections(s))  # a = s exactly
    return (
        mu * mean_abs + 0.5 * (mu * b) ** 2 + c[0],
        erf_u + c[1],
        1.0 + c[2],
        c[3],
    )
