"""Multitasking Hebbian network: low-storage replica-symmetric theory (MODELS.md §6).

P = 2 Hopfield network on K diluted patterns, xi^mu_i in {-1, 0, +1} with P(0) = d. With the
class-mean overlaps nbar (nbar = m at rho = 0) and the field

    h(xi, Y) = sum_nu nbar_nu xi^nu (1 + sqrt(rho) Y_nu),        Y_nu ~ N(0, 1) i.i.d.,

the free energy per neuron (f = -A / beta) is

    f(nbar) = (1 + rho) |nbar|^2 / 2 - (1/beta) E ln(2 cosh(beta h)),

and its stationary points solve nbar = F(nbar) with

    F_mu = E_xi[xi^mu <tanh(beta h)>_z + rho nbar_mu (xi^mu)^2 <beta sech^2(beta h)>_z] / (1+rho).

Given xi, the data noise in h is one Gaussian, h = mu(xi) + sigma(xi) z with mu = xi . nbar and
sigma^2 = rho sum_nu (xi^nu nbar_nu)^2, so the average over the K noises is a 1-D Gauss-Hermite
rule (the second term of F is Stein's lemma applied to E[Y_mu tanh]). The average over xi is
exact over the 3^K ternary configurations (``average="exact"``, K <= 10) or a sampled average
over ``samples`` configurations (``average="sampled"``). At T = 0 the z-average has closed forms
(erf, Gaussian density, E|h|) and rho = 0 reduces to the sign map m = E[xi sign(xi . m)].
With ``finite_M=True`` the Gaussian data noise is replaced by the exact binomial law of the
example average (MODELS.md §3): h = sum_nu nbar_nu xi^nu chi_nu / r, averaged over B_nu.

Local stability is read from the Hessian of f, (1 + rho)(1 - dF/dnbar), by autodiff. At T = 0
and rho = 0 a state with a tie (h = 0 on a configuration xi != 0 of nonzero weight) is a saddle:
f has a concave kink there, so such states are reported unstable.

Transition lines and thresholds live in :mod:`theory.multitasking_lines` and are re-exported here.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings
from collections.abc import Sequence
from functools import lru_cache, partial

import jax
import jax.numpy as jnp
import numpy as np
import scipy.stats
import xarray as xr

from theory import _quadrature, _validate, _x64
from theory._warnings import ConvergenceWarning

__all__ = [
    "solve",
    "BRANCHES",
    "MAX_EXACT_K",
    "ConvergenceWarning",
    "critical_temperature",  # noqa: F822 (lazy, see __getattr__)
    "critical_dilution",  # noqa: F822 (lazy, see __getattr__)
    "cascade",  # noqa: F822 (lazy, see __getattr__)
    "parallel_dilution",  # noqa: F822 (lazy, see __getattr__)
    "second_signal_temperature",  # noqa: F822 (lazy, see __getattr__)
    "split_temperature",  # noqa: F822 (lazy, see __getattr__)
    "signal_to_noise",  # noqa: F822 (lazy, see __getattr__)
]

BRANCHES = ("hierarchical", "symmetric", "pure", "paramagnet")
MAX_EXACT_K = 10  # 3^10 = 59049 configurations
MAX_FINITE_M_TABLE = 2_000_000  # (2M+3)^K configurations of the exact finite-M law
_LINES = (
    "critical_temperature",
    "critical_dilution",
    "cascade",
    "parallel_dilution",
    "second_signal_temperature",
    "split_temperature",
)


def __getattr__(name: str) -> object:  # PEP 562: lazy re-export, avoids an import cycle
    if name in _LINES:
        from theory import multitasking_lines

        return getattr(multitasking_lines, name)
    if name == "signal_to_noise":
        from theory.snr import signal_to_noise

        return signal_to_noise
    raise AttributeError(f"module 'theory.multitasking' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# --------------------------------------------------------------------------- configurations
@lru_cache(maxsize=16)
def _exact_configs(K: int) -> np.ndarray:
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


def _finite_M_configs(K: int, M: int, r: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact finite-M law (MODELS.md §3): per pattern xi = 0, or xi = +-1 with the example
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


def _table(d, sample_u, table):
    """(xi, x, w) for one value of d: xi the patterns, x = xi * amp the field couplings
    (x = xi for the Gaussian law), w the probabilities."""
    if sample_u is None:
        xi, amp, pmf = table
        return xi, xi * amp, _weights(xi, d) * jnp.prod(pmf, axis=-1)
    S = sample_u.shape[0]
    xi = _sampled_configs(sample_u, d)
    return xi, xi, jnp.full((S,), 1.0 / S)


# --------------------------------------------------------------------------- equations
def _safe_sqrt(s2):
    """sqrt with a zero (not NaN) derivative at 0 (double-where)."""
    pos = s2 > 0.0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, s2, 1.0)), 0.0)


def _z_averages(mu, sigma, beta, z, wz):
    """Per configuration: <tanh(beta h)>, <beta sech^2(beta h)>, <ln(2 cosh(beta h))/beta>.

    h = mu + sigma z with z ~ N(0, 1); mu, sigma shape (C,), returns three (C,) arrays.
    Three regimes, selected per configuration:

    - beta sigma < 1: Gauss-Hermite in z (nodes z, weights wz); the integrand is smooth on
      the scale of the rule;
    - beta sigma >= 1: sign / |h| parts in closed form (erf, Gaussian density) plus the
      exponentially small remainders (tanh - sign, log1p(e^{-2|x|})) integrated in
      x = beta h by Gauss-Legendre on each half-line, where they live;
    - beta = inf: the closed forms alone (sigma = 0: sign(mu), 0, |mu|).
    """
    inf = jnp.isinf(beta)
    b = jnp.where(inf, 1.0, beta)
    if z.shape[0] == 1:  # no data noise anywhere on the grid (static): sigma == 0
        x = b * mu
        e = jnp.exp(-2.0 * jnp.abs(x))
        return (
            jnp.where(inf, jnp.sign(mu), jnp.tanh(x)),
            jnp.where(inf, 0.0, 4.0 * e / (1.0 + e) ** 2 * b),
            jnp.abs(mu) + jnp.where(inf, 0.0, jnp.log1p(e) / b),
        )
    # Gauss-Hermite
    x = b * (mu[:, None] + sigma[:, None] * z)
    ax = jnp.abs(x)
    e = jnp.exp(-2.0 * ax)
    t_gh = jnp.tanh(x) @ wz
    s_gh = (4.0 * e / (1.0 + e) ** 2) @ wz * b  # beta sech^2, overflow-free
    l_gh = ((ax + jnp.log1p(e)) @ wz) / b
    # closed forms (the beta = inf limit)
    has_noise = sigma > 0.0
    sg = jnp.where(has_noise, sigma, 1.0)
    u = mu / sg
    t_inf = jnp.where(has_noise, jax.scipy.special.erf(u / math.sqrt(2.0)), jnp.sign(mu))
    s_inf = jnp.where(has_noise, 2.0 * _phi(u) / sg, 0.0)
    l_inf = jnp.where(has_noise, 2.0 * sg * _phi(u) + mu * t_inf, jnp.abs(mu))
    # remainders in x = beta h, x = +-xl on each half-line, dz = dx / (beta sigma)
    xl, wl = _half_line_rule()
    bs = b * sg
    p_pos = _phi((xl / b - mu[:, None]) / sg[:, None]) * wl
    p_neg = _phi((-xl / b - mu[:, None]) / sg[:, None]) * wl
    el = jnp.exp(-2.0 * xl)
    t_x = t_inf + ((p_neg - p_pos) @ (2.0 * el / (1.0 + el))) / bs
    s_x = ((p_pos + p_neg) @ (4.0 * el / (1.0 + el) ** 2)) / sg
    l_x = l_inf + ((p_pos + p_neg) @ jnp.log1p(el)) / (b * bs)
    use_x = has_noise & (b * sigma >= 1.0)
    return (
        jnp.where(inf, t_inf, jnp.where(use_x, t_x, t_gh)),
        jnp.where(inf, s_inf, jnp.where(use_x, s_x, s_gh)),
        jnp.where(inf, l_inf, jnp.where(use_x, l_x, l_gh)),
    )


def _phi(u):
    return jnp.exp(-0.5 * u * u) / math.sqrt(2.0 * math.pi)


@lru_cache(maxsize=1)
def _half_line_rule(n: int = 80, L: float = 24.0) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, L] (e^{-2L} ~ 1e-21 beyond)."""
    x, w = np.polynomial.legendre.leggauss(n)
    return 0.5 * L * (x + 1.0), 0.5 * L * w


def _field(n, rho_noise, x):
    mu = x @ n
    sigma = _safe_sqrt(rho_noise * ((x * x) @ (n * n)))
    return mu, sigma


def _rhs(n, beta, rho, xi, x, w, z, wz, law):
    """F(nbar), and as auxiliary output (F, m, f) from one pass over the configurations.

    ``law`` (static): "gauss" (large-M Gaussian data noise, rho enters the field) or
    "finite_M" (exact example averages already in x; no Gaussian noise).
    """
    rho_noise = rho if law == "gauss" else 0.0
    mu, sigma = _field(n, rho_noise, x)
    t, s, lc = _z_averages(mu, sigma, beta, z, wz)
    m = (w * t) @ xi
    stein = rho_noise * n * ((w * s) @ (x * x))
    F = ((w * t) @ x + stein) / (1.0 + rho)
    f = 0.5 * (1.0 + rho) * jnp.sum(n * n) - jnp.sum(w * lc)
    return F, (F, m, f)


def _free_energy(n, beta, rho, xi, x, w, z, wz, law):
    """f(nbar) per neuron (the T = 0 limit is the energy)."""
    return _rhs(n, beta, rho, xi, x, w, z, wz, law)[1][2]


# --------------------------------------------------------------------------- solver
_STEPS = np.array([1.0, 0.5, 0.25, 0.1, 0.03])  # Newton backtracking fractions


def _project(n, keep, constraint):
    """Keep a symmetric (all equal) or pure (one pattern) branch exactly on its subspace."""
    if constraint == "symmetric":
        return jnp.full_like(n, jnp.mean(n))
    if constraint == "pure":
        return n * keep
    return n


def _step_point(n, beta, rho, d, sample_u, table, z, wz, keep, newton, *, constraint, law):
    """One solver step at one grid point, plus everything evaluated at the input n.

    Candidates: the plain fixed-point step F(n) (a CCCP step: f(F(n)) <= f(n), because f is
    a quadratic minus the convex E ln cosh) and Newton steps with backtracking, allowed once
    ``newton`` is True. Unconstrained branches look for minima of f: the Newton step uses
    |eigenvalues| of the Hessian (saddle-free Newton, so it never heads for a saddle) and
    the candidate of lowest f wins. Constrained branches (symmetric, pure) may sit on
    saddles: plain Newton, and the candidate of smallest residual wins.
    """
    xi, x, w = _table(d, sample_u, table)
    eye = jnp.eye(n.shape[0])
    args = (beta, rho, xi, x, w, z, wz, law)
    J, (Fn, m, f) = jax.jacfwd(_rhs, has_aux=True)(n, *args)
    if constraint == "none":
        lam, V = jnp.linalg.eigh(eye - 0.5 * (J + J.T))
        delta = V @ ((V.T @ (n - Fn)) / jnp.maximum(jnp.abs(lam), 1e-4))
    else:
        delta = jnp.linalg.solve(eye - J, n - Fn)
    trials = jnp.concatenate([Fn[None, :], n[None, :] - _STEPS[:, None] * delta])
    trials = jax.vmap(lambda y: _project(y, keep, constraint))(trials)
    F_t, _, f_t = jax.vmap(lambda y: _rhs(y, *args)[1])(trials)
    res = jnp.max(jnp.abs(trials - F_t), axis=1)
    res = jnp.where(jnp.isfinite(res), res, jnp.inf)
    key = jnp.where(jnp.isfinite(f_t), f_t, jnp.inf) if constraint == "none" else res
    key = key.at[1:].set(jnp.where(newton, key[1:], jnp.inf))
    best = jnp.argmin(key)
    # T = 0 ties: a configuration xi != 0 with h == 0 and no data noise is a concave kink of f.
    mu, sigma = _field(n, rho if law == "gauss" else 0.0, x)
    active = jnp.any(x != 0, axis=-1) & (w > 0)
    tie = jnp.isinf(beta) & jnp.any(active & (jnp.abs(mu) < 1e-10) & (sigma < 1e-10))
    return {
        "next": trials[best],
        "next_residual": res[best],
        "residual": jnp.max(jnp.abs(n - Fn)),
        "m": m,
        "free_energy": f,
        "hessian": (1.0 + rho) * (eye - J),  # eigenvalues are taken in NumPy (_run)
        "tie": tie,
    }


@partial(jax.jit, static_argnames=("constraint", "law"))
def _step_grid(n, beta, rho, d, sample_u, table, z, wz, keep, newton, *, constraint, law):
    """vmap of ``_step_point`` over flat grids: n (G, K), beta/rho/d (G,)."""
    fn = partial(_step_point, constraint=constraint, law=law)
    axes = (0, 0, 0, 0, None, None, None, None, None, None)
    return jax.vmap(fn, in_axes=axes)(n, beta, rho, d, sample_u, table, z, wz, keep, newton)


@jax.jit
def _gradient_grid(n, beta, rho, d, sample_u, table, z, wz):
    """Autodiff gradient of f(nbar) at given points (Gaussian law; a stationarity check)."""

    def one(n, beta, rho, d):
        xi, x, w = _table(d, sample_u, table)
        return jax.grad(_free_energy)(n, beta, rho, xi, x, w, z, wz, "gauss")

    return jax.vmap(one)(n, beta, rho, d)


def _run(
    n0,
    beta,
    rho,
    d,
    keep,
    *,
    K,
    sample_u,
    nodes,
    constraint,
    tol,
    max_iter,
    n_fp,
    finite_M=None,
):
    """Solve at G paired points (flat arrays); returns NumPy float64 results of length G.

    The grid is padded to a power of two so that repeated calls with similar sizes reuse
    the compiled solver.
    """
    G = int(np.size(d))
    size = max(8, 1 << max(G - 1, 0).bit_length())

    def pad(a):
        a = np.asarray(a, dtype=np.float64)
        return np.concatenate([a, np.repeat(a[-1:], size - G, axis=0)])

    gauss = finite_M is None and np.any(rho > 0)
    z, wz = _quadrature.gauss_normal(nodes) if gauss else (np.zeros(1), np.ones(1))
    if finite_M is not None:
        table = _finite_M_configs(K, *finite_M)
    elif sample_u is None:
        xi = _exact_configs(K)
        table = (xi, np.ones_like(xi), np.ones_like(xi))
    else:
        table = (np.zeros((1, K)),) * 3
    law = "gauss" if finite_M is None else "finite_M"
    n = pad(n0)
    if constraint == "symmetric":
        n = np.repeat(n.mean(axis=1, keepdims=True), K, axis=1)
    elif constraint == "pure":
        n = n * keep
    done = np.zeros(size, dtype=bool)
    # The loop runs in Python around one compiled step (a jitted while_loop would hold
    # several copies of the equations and take several times longer to compile).
    with _x64.enabled():
        fixed = tuple(jnp.asarray(pad(a)) for a in (beta, rho, d))
        shared = (
            None if sample_u is None else jnp.asarray(sample_u),
            tuple(jnp.asarray(a) for a in table),
            jnp.asarray(z),
            jnp.asarray(wz),
            jnp.asarray(keep),
        )
        per_point = [pad(a) for a in (beta, rho, d)]
        iterations = np.zeros(size, dtype=np.int64)
        batch = size
        for it in range(max_iter):
            act = np.flatnonzero(~done)
            if act.size == 0:
                break
            # step only the points still running, in batches that shrink by factors of 8
            # (few distinct shapes, so few compilations)
            while batch > 8 and act.size <= batch // 8:
                batch = max(8, batch // 8)
            sel = np.concatenate([act, np.repeat(act[-1:], batch - act.size)])
            out = _step_grid(
                jnp.asarray(n[sel]),
                *(jnp.asarray(a[sel]) for a in per_point),
                *shared,
                jnp.asarray(it >= n_fp),
                constraint=constraint,
                law=law,
            )
            k = act.size
            n[act] = np.asarray(out["next"])[:k]
            iterations[act] += 1
            done[act] |= np.asarray(out["next_residual"])[:k] < tol
        out = _step_grid(
            jnp.asarray(n), *fixed, *shared, jnp.asarray(True), constraint=constraint, law=law
        )
        out = {k: np.asarray(v)[:G] for k, v in out.items() if k not in ("next", "next_residual")}
    out["n"] = n[:G]
    out["iterations"] = iterations[:G]
    hess = out.pop("hessian")
    hess = 0.5 * (hess + np.swapaxes(hess, -1, -2))
    finite = np.isfinite(hess).all(axis=(-1, -2))
    lam = np.full(G, np.nan)
    lam[finite] = np.linalg.eigvalsh(hess[finite])[:, 0]
    out["stability"] = np.where(out.pop("tie"), -np.inf, lam)
    return out


# --------------------------------------------------------------------------- inputs
@dataclasses.dataclass(frozen=True)
class _Inputs:
    K: int
    d: np.ndarray  # flat grid, shape (G,)
    beta: np.ndarray
    rho: np.ndarray
    grid_shape: tuple[int, ...]
    grid_dims: tuple[str, ...]
    coords: dict
    start: str | np.ndarray
    order: np.ndarray
    constraint: str
    sample_u: np.ndarray | None
    tol: float
    max_iter: int
    n_fp: int  # plain fixed-point steps before Newton is allowed
    finite_M: tuple[int, float] | None  # (M, r) for the exact finite-M law
    attrs: dict


def _axis(name: str, value: object, **kw) -> np.ndarray:
    arr = _validate.real_array(name, value, **kw)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array; got shape {arr.shape}.")
    return arr


def _data_law(K, rho, r, M, finite_M, average):
    """rho from (r, M) where given; the finite-M table parameters or None."""
    if r is None and M is None:
        if finite_M:
            raise ValueError("finite_M=True needs the example quality r and the count M.")
        return rho, None
    if r is None or M is None:
        raise ValueError(f"give both r and M (or rho alone); got r={r!r}, M={M!r}.")
    if np.any(np.asarray(rho) != 0.0):
        raise ValueError(f"give rho or (r, M), not both; got rho={rho!r}, r={r!r}, M={M!r}.")
    r_val = float(
        _validate.real_array(
            "r",
            r,
            low=0.0,
            high=1.0,
            low_open=True,
            meaning=("Each example bit equals its archetype bit with probability (1+r)/2."),
        )
    )
    if isinstance(M, bool) or not isinstance(M, (int, np.integer)) or M < 1:
        raise ValueError(f"M must be an integer >= 1 (examples per pattern); got M={M!r}.")
    rho_val = (1.0 - r_val**2) / (M * r_val**2)
    if not finite_M:
        return rho_val, None
    if average != "exact":
        raise ValueError("finite_M=True needs average='exact'.")
    size = (2 * int(M) + 3) ** K
    if size > MAX_FINITE_M_TABLE:
        raise ValueError(
            f"finite_M=True with K={K}, M={M} needs (2M+3)^K = {size} configurations (at most "
            f"{MAX_FINITE_M_TABLE}); use the large-M Gaussian law (finite_M=False) instead."
        )
    return rho_val, (int(M), r_val)


def _validate_inputs(
    K,
    d,
    *,
    beta,
    T,
    rho,
    r,
    M,
    finite_M,
    branch,
    order,
    average,
    samples,
    seed,
    nodes,
    tol,
    max_iter,
) -> _Inputs:
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)):
        raise TypeError(f"K must be an integer >= 1; got {K!r} of type {type(K).__name__}.")
    if K < 1:
        raise ValueError(f"K must be an integer >= 1; got K={K}. K is the number of patterns.")
    K = int(K)
    average = _validate.choice("average", average, ("exact", "sampled"))
    if average == "exact" and K > MAX_EXACT_K:
        raise ValueError(
            f"K={K} is too large for the exact average over the 3^K = {3**K} ternary "
            f"configurations (exact needs K <= {MAX_EXACT_K}); pass average='sampled' with "
            "samples=... and seed=... for a Monte Carlo average over configurations."
        )
    rho, finite = _data_law(K, rho, r, M, finite_M, average)
    d_arr = _axis(
        "d",
        d,
        low=0.0,
        high=1.0,
        high_open=True,
        meaning="d is the dilution, the probability that a pattern entry is 0.",
    )
    rho_arr = _axis(
        "rho",
        rho,
        low=0.0,
        meaning="rho = (1 - r^2) / (M r^2) is the dataset "
        "entropy; rho = 0 stores the patterns themselves.",
    )
    if (beta is None) == (T is None):
        raise ValueError(
            "give exactly one of beta and T (T = 1/beta; T=0 or beta=inf is the "
            f"zero-temperature limit); got beta={beta!r}, T={T!r}."
        )
    if beta is not None:
        tname = "beta"
        t_arr = _axis(
            "beta",
            beta,
            low=0.0,
            low_open=True,
            meaning="beta is the inverse temperature (beta=inf is T = 0).",
        )
        beta_arr = t_arr
    else:
        tname = "T"
        t_arr = _axis("T", T, low=0.0, meaning="T is the temperature (k_B = 1).")
        if np.any(np.isinf(t_arr)):
            raise ValueError("T must be finite; got T=inf. Use a large finite T instead.")
        with np.errstate(divide="ignore"):
            beta_arr = np.where(t_arr == 0.0, np.inf, 1.0 / np.where(t_arr == 0, 1.0, t_arr))
    if order is None:
        order_arr = np.arange(K)
    else:
        order_arr = np.asarray(order)
        if order_arr.shape != (K,) or sorted(order_arr.tolist()) != list(range(K)):
            raise ValueError(f"order must be a permutation of range(K={K}); got {order!r}.")
    if isinstance(branch, str):
        start = _validate.choice("branch", branch, BRANCHES)
    else:
        start = _validate.real_array("branch", branch)
        if start.shape != (K,):
            raise ValueError(
                f"an explicit branch must be an initial nbar of shape (K,) = ({K},); "
                f"got shape {start.shape}."
            )
    if average == "sampled":
        if seed is None:
            raise ValueError("average='sampled' needs a seed (int or numpy.random.SeedSequence).")
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
            raise ValueError(f"samples must be an integer >= 1; got samples={samples!r}.")
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        sample_u = np.random.default_rng(ss).random((int(samples), K))
    else:
        sample_u = None
    if isinstance(nodes, bool) or not isinstance(nodes, (int, np.integer)) or nodes < 1:
        raise ValueError(f"nodes must be an integer >= 1; got nodes={nodes!r}.")
    if not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise ValueError(f"tol must be a float in (0, 1); got tol={tol!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1; got max_iter={max_iter!r}.")

    axes = [("d", d_arr), (tname, t_arr), ("rho", rho_arr)]
    grids = np.meshgrid(*[np.atleast_1d(a) for _, a in axes], indexing="ij")
    b_grid = np.meshgrid(
        np.atleast_1d(d_arr), np.atleast_1d(beta_arr), np.atleast_1d(rho_arr), indexing="ij"
    )[1]
    dims = tuple(name for name, a in axes if a.ndim == 1)
    shape = tuple(a.size for _, a in axes if a.ndim == 1)
    coords: dict = {name: ((name,) if a.ndim else (), a) for name, a in axes}
    other = "T" if tname == "beta" else "beta"
    with np.errstate(divide="ignore"):
        other_val = np.where(t_arr == 0, np.inf, 1.0 / np.where(t_arr == 0, 1.0, t_arr))
        other_val = np.where(np.isinf(t_arr), 0.0, other_val)
    coords[other] = ((tname,) if t_arr.ndim else (), other_val)
    coords["pattern"] = ("pattern", np.arange(K))
    constraint = start if isinstance(start, str) and start in ("symmetric", "pure") else "none"
    attrs = {
        "model": "multitasking",
        "K": K,
        "branch": start if isinstance(start, str) else "explicit",
        "order": order_arr.tolist(),
        "average": average,
        "nodes": int(nodes),
        "tol": float(tol),
        "max_iter": int(max_iter),
        "equations": "MODELS.md §6 (RS, P=2)",
        "jax_version": jax.__version__,
        "numpy_version": np.__version__,
        "data_law": "none"
        if not np.any(rho_arr > 0)
        else ("finite_M (exact binomial)" if finite else "large-M Gaussian"),
    }
    if r is not None:
        attrs.update(r=float(r), M=int(M))
    if average == "sampled":
        attrs.update(
            samples=int(samples),
            seed=str(seed.entropy if isinstance(seed, np.random.SeedSequence) else seed),
        )
    return _Inputs(
        K=K,
        d=grids[0].ravel(),
        beta=b_grid.ravel(),
        rho=grids[2].ravel(),
        grid_shape=shape,
        grid_dims=dims,
        coords=coords,
        start=start,
        order=order_arr,
        constraint=constraint,
        sample_u=sample_u,
        tol=float(tol),
        max_iter=int(max_iter),
        n_fp=8,
        finite_M=finite,
        attrs=attrs,
    )


def _initial_guess(inp: _Inputs) -> tuple[np.ndarray, np.ndarray]:
    """Starting nbar, shape (G, K), and the pure-state mask, shape (K,)."""
    G, K = inp.d.size, inp.K
    keep = np.zeros(K)
    keep[inp.order[0]] = 1.0
    scale = (1.0 / (1.0 + inp.rho))[:, None]
    if not isinstance(inp.start, str):
        return np.broadcast_to(inp.start, (G, K)).copy(), keep
    if inp.start == "paramagnet":
        return np.zeros((G, K)), keep
    if inp.start == "symmetric":
        return np.broadcast_to(scale * (1.0 - inp.d)[:, None], (G, K)).copy(), keep
    if inp.start == "pure":
        return scale * keep[None, :], keep
    k = np.arange(K)
    amp = (1.0 - inp.d)[:, None] * inp.d[:, None] ** k[None, :]
    amp[:, 0] = np.maximum(amp[:, 0], 1e-3)
    n0 = np.zeros((G, K))
    n0[:, inp.order] = amp
    return scale * n0, keep


# --------------------------------------------------------------------------- public solver
def solve(
    K: int,
    d: float | Sequence[float] | np.ndarray,
    *,
    beta: float | Sequence[float] | np.ndarray | None = None,
    T: float | Sequence[float] | np.ndarray | None = None,
    rho: float | Sequence[float] | np.ndarray = 0.0,
    r: float | None = None,
    M: int | None = None,
    finite_M: bool = False,
    branch: str | Sequence[float] | np.ndarray = "hierarchical",
    order: Sequence[int] | None = None,
    average: str = "exact",
    samples: int = 20_000,
    seed: int | np.random.SeedSequence | None = None,
    nodes: int = _quadrature.DEFAULT_NODES,
    tol: float = 1e-12,
    max_iter: int = 3000,
) -> xr.Dataset:
    """Solve the multitasking RS equations (MODELS.md §6) on a grid of (d, T or beta, rho).

    Parameters
    ----------
    K : int
        Number of stored patterns, ``K >= 1``.
    d : float or 1-D array_like
        Dilution, each pattern entry is 0 with probability d; ``0 <= d < 1``.
    beta, T : float or 1-D array_like
        Inverse temperature or temperature (exactly one). ``T=0`` / ``beta=inf`` is solved
        exactly (sign map at rho = 0, erf closed forms at rho > 0).
    rho : float or 1-D array_like
        Dataset entropy ``(1 - r^2) / (M r^2)`` (large-M Gaussian law); 0 = hebbian storage.
    r, M : float, int, optional
        Example quality in (0, 1] and examples per pattern, instead of ``rho`` (scalars).
    finite_M : bool
        With ``r`` and ``M``: use the exact binomial law of the example average
        (MODELS.md §3) instead of its Gaussian limit; compare with simulations at small M.
        Needs (2M+3)^K <= 2e6 configurations (K = 2 up to M ~ 700, K = 3 up to M = 62).
    branch : {"hierarchical", "symmetric", "pure", "paramagnet"} or array of shape (K,)
        Starting point: the T = 0 cascade ``(1-d) d^(k-1)`` in the order ``order``; all
        amplitudes equal (kept equal); only pattern ``order[0]`` (kept pure); zero; or an
        explicit initial nbar. "symmetric" and "pure" stay on their subspace and may end on a
        saddle (see ``stable``). The others descend f (fixed-point steps, which never raise
        f, and saddle-free Newton steps), so they end on a locally stable state of that
        basin (the cascade start may relax to the single-pattern or the parallel state;
        "paramagnet" stays at nbar = 0, a fixed point, stable or not).
    order : sequence of int, optional
        Permutation of ``range(K)``: ``order[0]`` is the strongest pattern. Default identity.
    average : {"exact", "sampled"}
        Exact average over the 3^K configurations (K <= 10) or a Monte Carlo average over
        ``samples`` configurations drawn with ``seed`` (common to every grid point).
    nodes : int
        Gauss-Hermite nodes for the data noise (unused at rho = 0).
    tol, max_iter : float, int
        Convergence: ``max |nbar - F(nbar)| < tol`` within ``max_iter`` steps.

    Returns
    -------
    xarray.Dataset
        One dimension per array-valued ``d``, ``T``/``beta``, ``rho`` (in that order), plus
        ``pattern`` (length K). ``m`` and ``n`` (nbar; = m at rho = 0), ``free_energy`` (per
        neuron; energy at T = 0), ``stability`` (smallest Hessian eigenvalue of f; -inf for a
        T = 0 tie), ``stable`` (bool), ``converged`` (bool), ``residual``, ``iterations``.
        Non-converged
        points are NaN with ``converged=False`` and a :class:`ConvergenceWarning`.

    Examples
    --------
    >>> import theory.multitasking as mt
    >>> ds = mt.solve(2, 0.3, T=0.0)
    >>> [round(float(v), 4) for v in ds.m]
    [0.7, 0.21]
    """
    inp = _validate_inputs(
        K,
        d,
        beta=beta,
        T=T,
        rho=rho,
        r=r,
        M=M,
        finite_M=finite_M,
        branch=branch,
        order=order,
        average=average,
        samples=samples,
        seed=seed,
        nodes=nodes,
        tol=tol,
        max_iter=max_iter,
    )
    n0, keep = _initial_guess(inp)
    out = _run(
        n0,
        inp.beta,
        inp.rho,
        inp.d,
        keep,
        K=K,
        sample_u=inp.sample_u,
        nodes=nodes,
        constraint=inp.constraint,
        tol=float(tol),
        max_iter=int(max_iter),
        n_fp=inp.n_fp,
        finite_M=inp.finite_M,
    )
    return _as_dataset(out, inp)


def _as_dataset(out: dict, inp) -> xr.Dataset:
    converged = np.isfinite(out["residual"]) & (out["residual"] < inp.tol)
    bad = ~converged
    if bad.any():
        warnings.warn(
            f"{int(bad.sum())} of {bad.size} grid points did not converge (tol={inp.tol:g}, "
            f"max_iter={inp.max_iter}); they are NaN with converged=False.",
            ConvergenceWarning,
            stacklevel=3,
        )
    shape = inp.grid_shape
    dims = inp.grid_dims
    K = inp.K

    def grid(a, extra=()):
        return np.asarray(a).reshape(shape + extra)

    def masked(a):
        a = np.array(a, dtype=np.float64)
        a[bad] = np.nan
        return a

    vec = dims + ("pattern",)
    ds = xr.Dataset(
        {
            "m": (vec, grid(masked(out["m"]), (K,))),
            "n": (vec, grid(masked(out["n"]), (K,))),
            "free_energy": (dims, grid(masked(out["free_energy"]))),
            "stability": (dims, grid(masked(out["stability"]))),
            "stable": (dims, grid(converged & (out["stability"] > 0))),
            "converged": (dims, grid(converged)),
            "residual": (dims, grid(out["residual"])),
            "iterations": (dims, grid(out["iterations"])),
        },
        coords=inp.coords,
    )
    ds["m"].attrs.update(long_name="Mattis overlap m", units="1")
    ds["n"].attrs.update(long_name="class-mean overlap nbar", units="1")
    ds["free_energy"].attrs.update(long_name="free energy per neuron f", units="1")
    ds["stability"].attrs.update(long_name="smallest Hessian eigenvalue of f", units="1")
    ds.attrs.update(inp.attrs)
    return ds
