"""Every Gaussian average of the package, written once (docs/models.md §9).

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

and their beta -> inf limits E sign(x), 2 p(0), E|x| (p the density of x). The integrands are
analytic in a strip around the real axis: tanh(beta x) has poles at distance pi/(2 beta s) from
the real z axis (x = mu + s z). While beta*s <= ``HYBRID_AT`` the average over z is the
trapezoid rule with step ``Z_STEP`` on |z| <= ``Z_MAX`` (spectrally accurate for integrands
analytic in a strip, better than Gauss-Hermite of the same size). For beta*s > ``HYBRID_AT``
(and at T = 0) we split off the closed-form T = 0 part and integrate the remainder, which
lives within |x| ~ 1/beta of the kink, in y = beta |x| by Gauss-Legendre on [0, ``Y_MAX``]
(``N_KINK`` nodes; the remainders are below e^(-2 Y_MAX) beyond):

    E tanh(beta x)       = E sign(x) - (1/beta) int_0^inf k_t(y) [p(y/beta) - p(-y/beta)] dy
    beta E sech^2(beta x) =                   int_0^inf k_s(y) [p(y/beta) + p(-y/beta)] dy
    E ln 2cosh(beta x)/beta = E|x| + (1/beta^2) int_0^inf k_l(y) [p(y/beta) + p(-y/beta)] dy

with k_t = 1 - tanh y = 2e^(-2y)/(1+e^(-2y)), k_s = sech^2 y and k_l = ln(1 + e^(-2y)).
Both rules are evaluated and the right one selected with ``jnp.where`` on safe inputs, so the
functions are differentiable (autodiff Jacobians) and vectorise over grids. Accuracy: absolute
errors below ~5e-15 on t, C / max(1, beta) and L / max(1, |L|) for every beta*s and mu/s
(checked against 30-digit quadrature; tests/theory/test_averages.py pins 1e-13), for 45 + 80
nodes per average. (32-node Gauss-Hermite below beta*s = 0.7 was off by up to 8e-9 in C/beta.)
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf as jax_erf

HYBRID_AT = 0.5  # switch from the z rule to the kink-split rule when beta * s exceeds this
Z_STEP = 0.4  # trapezoid step in z; error ~ exp(-2 pi d / Z_STEP), d = pi / (2 beta s)
Z_MAX = 9.0  # trapezoid nodes on |z| <= Z_MAX (the Gaussian weight is 2.6e-18 there)
N_KINK = 80  # Gauss-Legendre nodes for the remainders of the split rule
Y_MAX = 20.0  # the remainders are integrated on 0 <= beta |x| <= Y_MAX (e^(-40) beyond)
NODES_PER_AVERAGE = 2 * round(Z_MAX / Z_STEP) + 1 + N_KINK  # both rules are evaluated (125)
_SQRT2 = float(np.sqrt(2.0))
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


@functools.lru_cache(maxsize=1)
def _z_rule() -> tuple[np.ndarray, np.ndarray]:
    """Trapezoid nodes k * Z_STEP on |z| <= Z_MAX, weights prop. to the normal density, sum 1."""
    k = round(Z_MAX / Z_STEP)
    z = Z_STEP * np.arange(-k, k + 1, dtype=np.float64)
    w = np.exp(-0.5 * z * z)
    return z, w / w.sum()


@functools.lru_cache(maxsize=1)
def _kink_rule() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes y on [0, Y_MAX], weights, and the kernels k_t, k_s, k_l at y."""
    y, w = np.polynomial.legendre.leggauss(N_KINK)
    y, w = 0.5 * Y_MAX * (y + 1.0), 0.5 * Y_MAX * w
    e = np.exp(-2.0 * y)
    return y, w, 2.0 * e / (1.0 + e), 4.0 * e / (1.0 + e) ** 2, np.log1p(e)


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


def _phi(u):
    """Standard normal density."""
    return _INV_SQRT2PI * jnp.exp(-0.5 * u * u)


def _closed_t0(mu, s):
    """E sign(x), 2 p(0), E|x| for x ~ N(mu, s^2), s > 0."""
    u = mu / s
    erf = jax_erf(u / _SQRT2)
    return erf, 2.0 * _phi(u) / s, 2.0 * s * _phi(u) + mu * erf


def _z_average(beta, mu, s):
    z, w = _z_rule()
    y = beta[..., None] * (mu[..., None] + s[..., None] * z)
    e = jnp.exp(-2.0 * jnp.abs(y))
    t = jnp.where(y == 0.0, y, jnp.sign(y) * (1.0 - e) / (1.0 + e))  # d tanh = 1 at y = 0
    sech2 = 4.0 * e / (1.0 + e) ** 2
    lc = jnp.abs(y) + jnp.log1p(e)
    return t @ w, beta * (sech2 @ w), (lc @ w) / beta


def _split(beta, mu, s):
    """Closed-form T = 0 part plus the remainders near the kink (beta may be inf)."""
    y, w, k_t, k_s, k_l = _kink_rule()
    x = y / beta[..., None]
    pp = _phi((x - mu[..., None]) / s[..., None]) * w
    pm = _phi((-x - mu[..., None]) / s[..., None]) * w
    sgn, two_p0, absx = _closed_t0(mu, s)
    inv_b = 1.0 / beta  # 0 at T = 0; no beta * s product, whose derivative would be inf/inf
    t = sgn + inv_b * ((pm - pp) @ k_t) / s
    C = jnp.where(jnp.isfinite(beta), ((pp + pm) @ k_s) / s, two_p0)
    L = absx + inv_b * inv_b * ((pp + pm) @ k_l) / s
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
        Absolute errors below ~1e-13 on t, C / max(1, beta) and L (module docstring).
    """
    beta, mu, s = jnp.broadcast_arrays(*(jnp.asarray(a, dtype=float) for a in (beta, mu, s)))
    finite = jnp.isfinite(beta)
    point = s <= 0.0
    use_split = (~point) & (~finite | (beta * s > HYBRID_AT))
    use_z = finite & ~use_split
    # Safe inputs for each rule so that the unselected one never makes NaN gradients.
    b_z = jnp.where(use_z, beta, 1.0)
    s_z = jnp.where(use_z, s, 0.0)
    t_z, C_z, L_z = _z_average(b_z, mu, s_z)
    b_s = jnp.where(use_split, beta, 1.0)
    s_s = jnp.where(use_split, s, 1.0)
    t_s, C_s, L_s = _split(b_s, mu, s_s)
    # s = 0 at beta = inf: deterministic field.
    mu_p = jnp.where(point & ~finite, mu, 1.0)
    t_p = jnp.sign(mu_p)
    L_p = jnp.abs(mu_p)
    t = jnp.where(use_split, t_s, jnp.where(use_z, t_z, t_p))
    C = jnp.where(use_split, C_s, jnp.where(use_z, C_z, 0.0))
    L = jnp.where(use_split, L_s, jnp.where(use_z, L_z, L_p))
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
    nodes, weights = [], []
    for left, right in ((lo, jnp.minimum(hi, 0.0)), (jnp.maximum(lo, 0.0), hi)):
        half = 0.5 * jnp.maximum(right - left, 0.0)
        aa = 0.5 * (left + right) + half * xg
        dens = jnp.exp(-0.5 * ((aa - s[..., None]) / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
        nodes.append(aa)
        weights.append(wg * half * dens)
    # one evaluation of the corrections on both sides' nodes and the point a = s (used when
    # the Gaussian of a is narrower than the window): the traced program holds one copy
    nodes.append(jnp.broadcast_to(s, aa.shape[:-1])[..., None])
    k = xg.shape[0]
    corr = corrections(jnp.concatenate(nodes, axis=-1))
    c = jnp.sum(corr[..., :k] * weights[0], axis=-1) + jnp.sum(
        corr[..., k : 2 * k] * weights[1], axis=-1
    )
    c = jnp.where(sd0 > 1e-12 * W, c, corr[..., 2 * k])  # a = s exactly
    return (
        mu * mean_abs + 0.5 * (mu * b) ** 2 + c[0],
        erf_u + c[1],
        1.0 + c[2],
        c[3],
    )
