"""Fixed-point solver for the RS self-consistency equations x = F(x), one grid point at a time
(callers ``jax.vmap`` it over whole grids and ``jax.jit`` the result).

One ``lax.while_loop`` (one copy of F and its Jacobian in the compiled graph), two phases
selected by the residual:

1. damped iteration ``x <- x + gamma (F(x) - x)`` on the overlap coordinates from the
   branch's starting point, which follows the basin of attraction (the branch), with a 1-D
   Newton step on the last coordinate (C = beta(1-q), whose map can have a strongly negative
   slope that makes plain damped iteration oscillate), until the residual is below
   ``newton_below`` or for ``max_damped`` iterations;
2. Newton on ``G(x) = F(x) - x`` with the Jacobian from forward-mode autodiff, projected
   onto the domain; a Newton step is taken only if it halves the residual (of the overlaps,
   or overall), otherwise the phase-1 step is taken (so phase 2 is globally as safe as
   phase 1, and quadratic at the end). ``max_damped + max_newton`` bounds the iterations.

The result carries the final residual ``max|F(x) - x|``, a ``converged`` flag (residual below
``tol`` and everything finite) and the Jacobian dF/dx at the solution, used for linear
stability (theory.stability).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

TOL = 1e-10
MAX_DAMPED = 3000
MAX_NEWTON = 30
DAMPING = 0.5
NEWTON_BELOW = 1e-3


class FixedPoint(NamedTuple):
    x: jax.Array  # (d,) solution
    residual: jax.Array  # max |F(x) - x|
    converged: jax.Array  # bool
    jacobian: jax.Array  # (d, d) dF/dx at x
    iterations: jax.Array  # damped + Newton iterations used


def value_and_jacobian(F: Callable, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """F(x) and dF/dx (rows: outputs) by forward-mode autodiff."""
    fx, lin = jax.linearize(F, x)
    J = jax.vmap(lin)(jnp.eye(x.shape[0], dtype=x.dtype)).T
    return fx, J


def _residual(fx, x):
    r = jnp.max(jnp.abs(fx - x))
    return jnp.where(jnp.isfinite(r), r, jnp.inf)


def fixed_point(
    F: Callable[[jax.Array], jax.Array],
    x0: jax.Array,
    project: Callable[[jax.Array], jax.Array],
    *,
    tol: float = TOL,
    max_damped: int = MAX_DAMPED,
    max_newton: int = MAX_NEWTON,
    damping: float = DAMPING,
    newton_below: float = NEWTON_BELOW,
) -> FixedPoint:
    """Solve x = F(x) from x0; ``project`` maps any x back into the physical domain."""

    d = x0.shape[0]
    eye = jnp.eye(d, dtype=x0.dtype)

    def relax(x, G, slope):
        """Damped step on the overlaps, 1-D Newton step on the last coordinate."""
        # 1-D Newton only where the slope is negative enough to make damping oscillate; a
        # slope near or above 1 (soft or unstable direction) gets the plain damped step
        newton = x[d - 1] + G[d - 1] / (1.0 - slope)
        damped = x[d - 1] + damping * G[d - 1]
        fast = jnp.where((slope < 0.5) & jnp.isfinite(newton), newton, damped)
        return project((x + damping * G).at[d - 1].set(fast))

    def cond(state):
        x, k, res, _, moving, _ = state
        return (k < max_damped + max_newton) & (res > tol) & moving

    def body(state):
        x, k, _, _, _, newton_on = state
        fx, J = value_and_jacobian(F, x)
        G = fx - x
        res = _residual(fx, x)
        x_r = relax(x, G, J[d - 1, d - 1])
        x_n = project(x + jnp.linalg.solve(J - eye, -G))
        f_n = F(x_n)
        res_n = _residual(f_n, x_n)
        slow, slow_n = _residual(fx[:-1], x[:-1]), _residual(f_n[:-1], x_n[:-1])
        # Newton only once the residual is below newton_below (phase 2) and only when it
        # halves the residual of the overlaps (or of everything): near a saddle-node "ghost",
        # where |G| has a positive local minimum, Newton would stall, and relaxation carries
        # the point through instead
        # phase 2 once the residual is small or the damped budget is spent, for good
        newton_on = newton_on | (res <= newton_below) | (k >= max_damped)
        accept = newton_on & ((slow_n < 0.5 * slow) | (res_n < 0.5 * res))
        x_new = jnp.where(accept, x_n, x_r)
        x_new = jnp.where(res > tol, x_new, x)
        moving = jnp.all(jnp.isfinite(x_new)) & jnp.any(x_new != x)
        return x_new, k + 1, res, J, moving | (res <= tol), newton_on

    J0 = jnp.zeros((d, d), dtype=x0.dtype)
    state = (x0, jnp.int32(0), jnp.inf, J0, jnp.bool_(True), jnp.bool_(False))
    x, k, res, J, _, _ = jax.lax.while_loop(cond, body, state)
    # x, res and J refer to the same point whenever the loop stopped on res <= tol
    converged = (res <= tol) & jnp.all(jnp.isfinite(x)) & jnp.all(jnp.isfinite(J))
    return FixedPoint(x, res, converged, J, k)
