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
   onto the domain; a Newton step is kept only if it halves the residual (of the overlaps,
   or overall), otherwise the phase-1 step is taken next (so phase 2 is globally as safe as
   phase 1, and quadratic at the end). ``max_damped + max_newton`` bounds the iterations.

Each iteration evaluates F and its Jacobian once, at the new point (``jax.linearize``: the
value comes with the Jacobian), and the loop carries both, so the residual that decides
convergence and the Jacobian used for stability always belong to the returned x.

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


def _solve(A, b):
    """``A^-1 b``; in closed form (Cramer's rule) for 2 x 2, which is much cheaper than a
    batched LU on the CPU (a singular A gives non-finite entries, as LU would)."""
    if A.shape != (2, 2):
        return jnp.linalg.solve(A, b)
    det = A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]
    return jnp.stack([A[1, 1] * b[0] - A[0, 1] * b[1], A[0, 0] * b[1] - A[1, 0] * b[0]]) / det


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
        _, _, _, res, k, moving, _, _ = state
        return (k < max_damped + max_newton) & (res > tol) & moving

    def body(state):
        # the state carries F(x), dF/dx and the residual at x: one evaluation per iteration
        x, fx, J, res, k, _, newton_on, rejected = state
        G = fx - x
        # phase 2 once the residual is small or the damped budget is spent, for good
        newton_on = newton_on | (res <= newton_below) | (k >= max_damped)
        x_n = project(x + _solve(J - eye, -G))
        # Newton is tried in phase 2 unless the last try was rejected (then one relaxation
        # step); it is kept only when it halves the residual of the overlaps (or of
        # everything): near a saddle-node "ghost", where |G| has a positive local minimum,
        # Newton would stall, and relaxation carries the point through instead
        try_newton = newton_on & ~rejected & jnp.all(jnp.isfinite(x_n))
        c = jnp.where(try_newton, x_n, relax(x, G, J[d - 1, d - 1]))
        fc, Jc = value_and_jacobian(F, c)
        res_c = _residual(fc, c)
        halves = (_residual(fc[:-1], c[:-1]) < 0.5 * _residual(fx[:-1], x[:-1])) | (
            res_c < 0.5 * res
        )
        accept = ~try_newton | halves
        moving = ~accept | (jnp.all(jnp.isfinite(c)) & jnp.any(c != x))
        x, fx, J, res = (jnp.where(accept, new, old) for new, old in
                         ((c, x), (fc, fx), (Jc, J), (res_c, res)))
        return x, fx, J, res, k + 1, moving, newton_on, try_newton & ~halves

    fx0, J0 = value_and_jacobian(F, x0)
    state = (x0, fx0, J0, _residual(fx0, x0), jnp.int32(0), jnp.bool_(True), jnp.bool_(False),
             jnp.bool_(False))
    x, _, J, res, k, _, _, _ = jax.lax.while_loop(cond, body, state)
    converged = (res <= tol) & jnp.all(jnp.isfinite(x)) & jnp.all(jnp.isfinite(J))
    return FixedPoint(x, res, converged, J, k)
