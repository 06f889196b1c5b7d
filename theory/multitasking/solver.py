"""Solver loop of the multitasking RS equations (:func:`theory.multitasking.solve`).

One compiled step per grid point (fixed-point step or Newton with backtracking, vmapped over
the grid) and the Python loop around it that steps only the points still running; the
local stability (smallest Hessian eigenvalue of f) of the end points.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from theory import _progress, _x64
from theory._gaussian import gauss_normal
from theory.multitasking.equations import (
    config_table,
    exact_configs,
    finite_M_configs,
    free_energy,
    local_field,
    rhs,
)

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
    xi, x, w = config_table(d, sample_u, table)
    eye = jnp.eye(n.shape[0])
    args = (beta, rho, xi, x, w, z, wz, law)
    J, (Fn, m, f) = jax.jacfwd(rhs, has_aux=True)(n, *args)
    if constraint == "none":
        lam, V = jnp.linalg.eigh(eye - 0.5 * (J + J.T))
        delta = V @ ((V.T @ (n - Fn)) / jnp.maximum(jnp.abs(lam), 1e-4))
    else:
        delta = jnp.linalg.solve(eye - J, n - Fn)
    trials = jnp.concatenate([Fn[None, :], n[None, :] - _STEPS[:, None] * delta])
    trials = jax.vmap(lambda y: _project(y, keep, constraint))(trials)
    F_t, _, f_t = jax.vmap(lambda y: rhs(y, *args)[1])(trials)
    res = jnp.max(jnp.abs(trials - F_t), axis=1)
    res = jnp.where(jnp.isfinite(res), res, jnp.inf)
    key = jnp.where(jnp.isfinite(f_t), f_t, jnp.inf) if constraint == "none" else res
    key = key.at[1:].set(jnp.where(newton, key[1:], jnp.inf))
    best = jnp.argmin(key)
    # T = 0 ties: a configuration xi != 0 with h == 0 and no data noise is a concave kink of f.
    mu, sigma = local_field(n, rho if law == "gauss" else 0.0, x)
    active = jnp.any(x != 0, axis=-1) & (w > 0)
    tie = jnp.isinf(beta) & jnp.any(active & (jnp.abs(mu) < 1e-10) & (sigma < 1e-10))
    return {
        "next": trials[best],
        "next_residual": res[best],
        "residual": jnp.max(jnp.abs(n - Fn)),
        "m": m,
        "free_energy": f,
        "hessian": (1.0 + rho) * (eye - J),  # eigenvalues are taken in NumPy (run)
        "tie": tie,
    }


@partial(jax.jit, static_argnames=("constraint", "law"))
def _step_grid(n, beta, rho, d, sample_u, table, z, wz, keep, newton, *, constraint, law):
    """vmap of ``_step_point`` over flat grids: n (G, K), beta/rho/d (G,)."""
    fn = partial(_step_point, constraint=constraint, law=law)
    axes = (0, 0, 0, 0, None, None, None, None, None, None)
    return jax.vmap(fn, in_axes=axes)(n, beta, rho, d, sample_u, table, z, wz, keep, newton)


@jax.jit
def gradient_grid(n, beta, rho, d, sample_u, table, z, wz):
    """Autodiff gradient of f(nbar) at given points (Gaussian law; a stationarity check)."""

    def one(n, beta, rho, d):
        xi, x, w = config_table(d, sample_u, table)
        return jax.grad(free_energy)(n, beta, rho, xi, x, w, z, wz, "gauss")

    return jax.vmap(one)(n, beta, rho, d)


def run(
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
    progress: bool = False,
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
    z, wz = gauss_normal(nodes) if gauss else (np.zeros(1), np.ones(1))
    if finite_M is not None:
        table = finite_M_configs(K, *finite_M)
    elif sample_u is None:
        xi = exact_configs(K)
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
        bar = _progress.bar(progress, "multitasking solve", total=max_iter, unit="step")
        for it in range(max_iter):
            act = np.flatnonzero(~done)
            if act.size == 0:
                break
            bar.update()
            bar.set_postfix_str(f"{act.size} of {G} points running")
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
        bar.close()
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
