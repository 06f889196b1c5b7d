"""Route B of docs/rsb.md: the T = 0 1RSB retrieval capacity from the ground-state energy
written as a *variational* functional, independent of the engine (shares no code with
:mod:`theory.rsb.engine`, :mod:`theory.rsb.dense`, :mod:`theory.rsb.ags`, and uses only the
Gauss-Hermite rule of :mod:`theory._gaussian`).

Every order parameter is a free variable; the stationarity conditions are the gradient of
the energy (automatic differentiation), not hand-derived fixed-point maps, and the fold is
located as a root of the full extended system ``grad E = 0, det Hess E = 0`` in
``(order parameters, alpha)`` by Newton's method -- no scan, no continuation in ``n``.

P >= 4 (``c = alpha P P!/4``, ``s = (P/2)(1+rho)^(P/2-1) n^(P-1) (1 + sqrt(rho) Y)``)::

    E(n, q0, mu) = -(1/mu) E_{Y,z0} ln Z(a, b) + ((P-1)/2)(1+rho)^(P/2) n^P
                   + (alpha P!/8) mu (P-1)(1 - q0^P),
    a = s + sqrt(c q0^(P-1)) z0,   b = sqrt(c (1 - q0^(P-1)))

P = 2 (``lambda1 = 1 - C``, ``lambda2 = 1 - C - mu (1 - q0)``; r0, r1 free conjugates)::

    E(n, q0, C, mu, r0, r1) = (1+rho) n^2/2 - (1/mu) E_{Y,z0} ln Z(a, b)
        + (alpha/2)[(ln lambda2 - ln lambda1)/mu - q0/lambda2 + C r1 + mu (r1 - r0 q0)],
    a = n (1 + sqrt(rho) Y) + sqrt(alpha r0) z0,   b = sqrt(alpha (r1 - r0))

with ``Z(a, b) = E_z exp(mu |a + b z|) = e^(mu^2 b^2/2) [e^(mu a) Phi(a/b + mu b)
+ e^(-mu a) Phi(-a/b + mu b)]``. The outer z0 average is split at the kink ``a = 0`` and
each half-line integrated by Gauss-Legendre in ``u``, ``z0 = z* +- w sinh u`` (``w`` the
kink width ``b / sd(a)``), so the nodes resolve the kink and the Gaussian tail alike.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import log_ndtr

from theory import _x64
from theory._gaussian import gauss_normal

N_LEG = 96  # Gauss-Legendre nodes per half-line of z0
Z_MAX = 14.0  # |z0| range
_LEG = np.polynomial.legendre.leggauss(N_LEG)


def _log_z(a, b, mu):
    """ln E_z exp(mu |a + b z|), closed form."""
    up = mu * a + log_ndtr(a / b + mu * b)
    dn = -mu * a + log_ndtr(-a / b + mu * b)
    return 0.5 * (mu * b) ** 2 + jnp.logaddexp(up, dn)


def _outer(s, sd, b, mu):
    """E_{z0} ln Z(s + sd z0, b) for one signal value ``s``, kink-split sinh-mapped rule."""
    x, w = (jnp.asarray(v) for v in _LEG)
    zs = -s / sd  # a = 0 here
    width = jnp.maximum(b / sd, 1e-6)
    total = 0.0
    for side in (-1.0, 1.0):
        end = side * Z_MAX - zs  # distance to the end of the range (signed)
        U = jnp.arcsinh(jnp.maximum(side * end, 0.0) / width)
        u = 0.5 * U * (x + 1.0)
        z0 = zs + side * width * jnp.sinh(u)
        wt = 0.5 * U * w * width * jnp.cosh(u) * jnp.exp(-0.5 * z0**2) / math.sqrt(2 * math.pi)
        total = total + jnp.sum(wt * _log_z(s + sd * z0, b, mu))
    return total


def energy_dense(y, alpha, rho, *, P: int, n_y: int):
    """1RSB ground-state energy per neuron, P >= 4, at ``y = (n, q0, mu)``."""
    n, q0, mu = y
    Y, wY = (jnp.asarray(v) for v in (gauss_normal(n_y) if n_y > 1 else ([0.0], [1.0])))
    c = alpha * P * math.factorial(P) / 4.0
    s = 0.5 * P * (1.0 + rho) ** (0.5 * P - 1.0) * n ** (P - 1) * (1.0 + jnp.sqrt(rho) * Y)
    sd, b = jnp.sqrt(c * q0 ** (P - 1)), jnp.sqrt(c * (1.0 - q0 ** (P - 1)))
    lnZ = jax.vmap(lambda si: _outer(si, sd, b, mu))(s)
    return (
        -jnp.sum(wY * lnZ) / mu
        + 0.5 * (P - 1) * (1.0 + rho) ** (0.5 * P) * n**P
        + alpha * math.factorial(P) / 8.0 * mu * (P - 1) * (1.0 - q0**P)
    )


def energy_ags(y, alpha, rho, *, n_y: int):
    """1RSB ground-state energy per neuron, P = 2, at ``y = (n, q0, C, mu, r0, r1)``."""
    n, q0, C, mu, r0, r1 = y
    Y, wY = (jnp.asarray(v) for v in (gauss_normal(n_y) if n_y > 1 else ([0.0], [1.0])))
    lam1, lam2 = 1.0 - C, 1.0 - C - mu * (1.0 - q0)
    s = n * (1.0 + jnp.sqrt(rho) * Y)
    lnZ = jax.vmap(lambda si: _outer(si, jnp.sqrt(alpha * r0), jnp.sqrt(alpha * (r1 - r0)), mu))(s)
    glass = (jnp.log(lam2) - jnp.log(lam1)) / mu - q0 / lam2 + C * r1 + mu * (r1 - r0 * q0)
    return 0.5 * (1.0 + rho) * n**2 + 0.5 * alpha * glass - jnp.sum(wY * lnZ) / mu


@functools.lru_cache(maxsize=16)
def _fold_solver(P: int, n_y: int):
    energy = (
        functools.partial(energy_ags, n_y=n_y)
        if P == 2
        else functools.partial(energy_dense, P=P, n_y=n_y)
    )
    grad = jax.grad(energy)
    hess = jax.hessian(energy)

    def F(v, rho):  # v = (y, alpha): stationarity and a singular Hessian
        y, alpha = v[:-1], v[-1]
        H = hess(y, alpha, rho)
        scale = jnp.max(jnp.abs(jnp.diag(H)))
        return jnp.concatenate([grad(y, alpha, rho), jnp.linalg.det(H / scale)[None]])

    J = jax.jacfwd(F)

    @jax.jit
    def newton(v, rho):
        def step(_, v):
            dv = jnp.linalg.solve(J(v, rho), F(v, rho))
            rel = jnp.max(jnp.abs(dv) / jnp.maximum(jnp.abs(v), 1e-3))
            dv = dv * jnp.minimum(1.0, 0.1 / jnp.maximum(rel, 1e-300))
            return jnp.where(jnp.all(jnp.isfinite(dv)), v - dv, v)

        v = jax.lax.fori_loop(0, 40, step, v)
        return v, jnp.max(jnp.abs(F(v, rho)))

    return newton, jax.jit(energy), jax.jit(grad), jax.jit(hess)


def fold(P: int, y0, alpha0: float, *, rho: float = 0.0, n_y: int = 1):
    """The T = 0 1RSB spinodal by Newton on ``grad E = 0, det Hess E = 0``.

    Parameters
    ----------
    P : int
        Even order; 2 uses ``y = (n, q0, C, mu, r0, r1)``, P >= 4 ``y = (n, q0, mu)``.
    y0, alpha0
        A starting point near the fold (e.g. the solution of the engine, route A).
    rho : float
        Dataset entropy (0 for hebbian); ``n_y`` Gauss-Hermite nodes for ``Y`` (1: Y = 0).

    Returns
    -------
    alpha_c, y_c, residual
    """
    newton = _fold_solver(P, n_y)[0]
    with _x64.enabled():
        v, res = newton(jnp.asarray(np.r_[np.asarray(y0, float), alpha0]), jnp.asarray(rho))
        v = np.asarray(v)
        return float(v[-1]), v[:-1], float(res)


@functools.lru_cache(maxsize=16)
def _energy_jit(P: int, n_y: int):
    if P == 2:
        return jax.jit(functools.partial(energy_ags, n_y=n_y))
    return jax.jit(functools.partial(energy_dense, P=P, n_y=n_y))


def energy(P: int, y, alpha: float, *, rho: float = 0.0, n_y: int = 1) -> float:
    """The ground-state energy per neuron alone (one small compiled program)."""
    with _x64.enabled():
        y = jnp.asarray(np.asarray(y, float))
        return float(_energy_jit(P, n_y)(y, jnp.asarray(alpha), jnp.asarray(rho)))


def evaluate(P: int, y, alpha: float, *, rho: float = 0.0, n_y: int = 1):
    """``(E, grad E, Hess E)`` at ``y`` (NumPy)."""
    _, e, g, h = _fold_solver(P, n_y)
    with _x64.enabled():
        args = (jnp.asarray(np.asarray(y, float)), jnp.asarray(alpha), jnp.asarray(rho))
        return float(e(*args)), np.asarray(g(*args)), np.asarray(h(*args))
