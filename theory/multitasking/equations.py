"""Right-hand side F(nbar) and free energy f(nbar) of the multitasking RS equations
(docs/models.md §6), averaged over the pattern configurations xi and the data noise.

The xi-average is exact over one representative of each pair +-xi of the 3^K ternary
configurations, a sampled average, or the exact finite-M law of the example average; the
z-average (data noise, h = mu + sigma z) is the package's one Gaussian average,
:func:`theory._gaussian.tanh_averages` (closed forms at T = 0, a kink-split rule at large
beta sigma). See :mod:`theory.multitasking` for the equations.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import jax.numpy as jnp
import numpy as np
import scipy.stats

from theory._gaussian import safe_sqrt, tanh_averages


# --------------------------------------------------------------------------- configurations
@lru_cache(maxsize=16)
def exact_configs(K: int) -> np.ndarray:
    """xi = 0 first, then one representative of each pair +-xi (first nonzero entry +1).

    Returns float64 array, shape ((3^K + 1) / 2, K). Every integrand is even under
    xi -> -xi, so each representative carries twice its probability (see ``_weights``).
    """
    rows = [c for c in itertools.product((0, 1, -1), repeat=K) if next((v for v in c if v), 1) > 0]
    table = np.array(rows, dtype=np.float64)
    table.setflags(write=False)
    return table


def _weights(xi: jnp.ndarray, d: jnp.ndarray) -> jnp.ndarray:
    """Probabilities of the representatives: 2 prod_nu P(xi^nu), P(0) = d, P(+-1) = (1-d)/2."""
    p = jnp.prod(jnp.where(xi == 0, d, 0.5 * (1.0 - d)), axis=-1)
    is_zero = jnp.all(xi == 0, axis=-1)
    return jnp.where(is_zero, p, 2.0 * p)


def _sampled_configs(u: jnp.ndarray, d: jnp.ndarray) -> jnp.ndarray:
    """Map uniforms u in [0, 1), shape (S, K), to ternary patterns with dilution d."""
    return jnp.where(u < d, 0.0, jnp.where(u < 0.5 * (1.0 + d), 1.0, -1.0))


def finite_M_configs(K: int, M: int, r: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact finite-M law (docs/models.md §3): per pattern xi = 0, or xi = +-1 with the example
    average chi = (2B - M)/M, B ~ Binomial(M, (1+r)/2). Returns (xi, amp, pmf), each of shape
    (C, K) with C = ((2M + 3)^K + 1)/2 (one of each pair +-xi); amp = chi / r = (1 + rho) a.
    """
    B = np.arange(M + 1)
    pmf_B = scipy.stats.binom.pmf(B, M, 0.5 * (1.0 + r))
    amp_B = (2.0 * B - M) / (M * r)
    s_xi = np.concatenate([[0.0], np.ones(M + 1), -np.ones(M + 1)])
    s_amp = np.concatenate([[0.0], amp_B, amp_B])
    s_pmf = np.concatenate([[1.0], pmf_B, pmf_B])
    idx = np.stack(np.meshgrid(*[np.arange(s_xi.size)] * K, indexing="ij"), -1).reshape(-1, K)
    xi = s_xi[idx]
    first = xi[np.arange(xi.shape[0]), np.argmax(xi != 0, axis=1)]  # 0 only for xi = 0
    keep = first >= 0
    return xi[keep], s_amp[idx][keep], s_pmf[idx][keep]


def config_table(d, sample_u, table):
    """(xi, x, w) for one value of d: xi the patterns, x = xi * amp the field couplings
    (x = xi for the Gaussian law), w the probabilities."""
    if sample_u is None:
        xi, amp, pmf = table
        return xi, xi * amp, _weights(xi, d) * jnp.prod(pmf, axis=-1)
    S = sample_u.shape[0]
    xi = _sampled_configs(sample_u, d)
    return xi, xi, jnp.full((S,), 1.0 / S)


# --------------------------------------------------------------------------- equations
def _z_averages(mu, sigma, beta, z):
    """Per configuration: <tanh(beta h)>, <beta sech^2(beta h)>, <ln(2 cosh(beta h))/beta>
    for h = mu + sigma z, z ~ N(0, 1); mu, sigma shape (C,), returns three (C,) arrays.

    The averages are :func:`theory._gaussian.tanh_averages` (T = 0 and large beta sigma
    included). A one-node ``z`` (static) marks a grid without data noise (sigma == 0
    everywhere): then the deterministic values are taken directly.
    """
    if z.shape[0] == 1:  # no data noise anywhere on the grid (static): sigma == 0
        inf = jnp.isinf(beta)
        b = jnp.where(inf, 1.0, beta)
        x = b * mu
        e = jnp.exp(-2.0 * jnp.abs(x))
        return (
            jnp.where(inf, jnp.sign(mu), jnp.tanh(x)),
            jnp.where(inf, 0.0, 4.0 * e / (1.0 + e) ** 2 * b),
            jnp.abs(mu) + jnp.where(inf, 0.0, jnp.log1p(e) / b),
        )
    t, C, L, _ = tanh_averages(beta, mu, sigma)
    return t, C, L


def local_field(n, rho_noise, x):
    """Mean and spread of h given xi: mu = x . nbar, sigma^2 = rho sum_nu (x^nu nbar_nu)^2."""
    mu = x @ n
    sigma = safe_sqrt(rho_noise * ((x * x) @ (n * n)))
    return mu, sigma


def rhs(n, beta, rho, xi, x, w, z, wz, law):
    """F(nbar), and as auxiliary output (F, m, f) from one pass over the configurations.

    ``law`` (static): "gauss" (large-M Gaussian data noise, rho enters the field) or
    "finite_M" (exact example averages already in x; no Gaussian noise). ``z`` only marks a
    grid without data noise (one node, see ``_z_averages``); ``wz`` is not used (both kept
    so that callers with a Gauss-Hermite rule keep working).
    """
    rho_noise = rho if law == "gauss" else 0.0
    mu, sigma = local_field(n, rho_noise, x)
    t, s, lc = _z_averages(mu, sigma, beta, z)
    m = (w * t) @ xi
    stein = rho_noise * n * ((w * s) @ (x * x))
    F = ((w * t) @ x + stein) / (1.0 + rho)
    f = 0.5 * (1.0 + rho) * jnp.sum(n * n) - jnp.sum(w * lc)
    return F, (F, m, f)


def free_energy(n, beta, rho, xi, x, w, z, wz, law):
    """f(nbar) per neuron (the T = 0 limit is the energy)."""
    return rhs(n, beta, rho, xi, x, w, z, wz, law)[1][2]
