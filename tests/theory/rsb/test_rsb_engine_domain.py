"""The engine's candidate solver outside the domain of the equations
(``theory.rsb.engine.solve_candidates``), on one-unknown toy equations with known solutions.

The P = 2 functional exists only where ``lambda = 1 - beta (1 - q1) > 0``; its fixed-point map
stays finite beyond, and ``q = 0`` is a spurious fixed point there. A step that leaves the
domain must be taken back towards the last point where the objective was defined, or the
candidate ends on the spurious root. The toy here has the same structure: objective
``g = ln(y - 1/2)`` (undefined for y <= 1/2), map ``G(y) = 3 - 2 y`` for y > 1/2 (unstable
under iteration, root y* = 1) and ``G = 0`` below (a spurious root at y = 0)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from theory import _x64
from theory.rsb import engine


def _run(ev, y0, n_fp, n_nt, lo=0.0, hi=5.0):
    with _x64.enabled():
        ones = jnp.ones((1, 1))
        x, g, res, _ = engine.solve_candidates(
            ev, (jnp.zeros(1),), jnp.full((1, 1, 1), y0), jnp.eye(1)[None], jnp.zeros((1, 1)),
            ones, ones, jnp.array([lo]), jnp.array([hi]), n_fp, n_nt,
        )
        return float(x[0, 0, 0]), float(g[0, 0]), float(res[0, 0])


def _toy(x, p):
    y = x[0]
    G = jnp.where(y > 0.5, 3.0 - 2.0 * y, 0.0)
    return jnp.log(y - 0.5), G[None], (y - G)[None], 0.0 * y


def test_a_step_out_of_the_domain_is_taken_back_and_newton_finds_the_root():
    # fixed-point sweeps from 0.9: 1.2, 0.6, 1.8, -0.6 (clipped to 0: outside, G(0) = 0 would
    # hold it there); then Newton on R = 3y - 3
    y, g, res = _run(_toy, 0.9, n_fp=10, n_nt=10)
    assert abs(y - 1.0) < 1e-12 and res < 1e-12
    np.testing.assert_allclose(g, np.log(0.5), rtol=0, atol=1e-12)


def test_inside_the_domain_the_iteration_is_plain_fixed_point():
    """A contraction G(y) = (y + 1)/2 that never leaves the domain: after n sweeps from y0,
    y = 1 - (1 - y0) / 2**n exactly as without any domain handling."""

    def contraction(x, p):
        y = x[0]
        G = 0.5 * (y + 1.0)
        return jnp.log(y - 0.5), G[None], (y - G)[None], 0.0 * y

    y, _, _ = _run(contraction, 0.9, n_fp=10, n_nt=0)
    np.testing.assert_allclose(y, 1.0 - 0.1 / 2**10, rtol=0, atol=1e-15)


def _nan_outside(x, p):
    """Objective defined everywhere (0), residual undefined for y <= 1/2: only the residual
    tells that the point left the domain. G(0.9) = -0.3, clipped to 0."""
    y = x[0]
    G = jnp.where(y > 0.5, 1.5 - 2.0 * y, jnp.nan)
    return 0.0 * y, G[None], (y - G)[None], 0.0 * y


@pytest.mark.parametrize(("mask_fp", "mask_nt"), [(1.0, 1.0), (1.0, 0.0)])
def test_an_undefined_solved_residual_is_a_step_out_of_the_domain(mask_fp, mask_nt):
    """Two fixed-point sweeps from 0.9: the first lands on y = 0 (clipped), where the
    residual is NaN; the second goes halfway back to 0.9, the last defined point: 0.45. A
    coordinate counts when either solver (fixed point or Newton) solves it."""
    with _x64.enabled():
        x, _, _, _ = engine.solve_candidates(
            _nan_outside, (jnp.zeros(1),), jnp.full((1, 1, 1), 0.9), jnp.eye(1)[None],
            jnp.zeros((1, 1)), jnp.full((1, 1), mask_fp), jnp.full((1, 1), mask_nt),
            jnp.array([0.0]), jnp.array([5.0]), 2, 0,
        )
    np.testing.assert_allclose(float(x[0, 0, 0]), 0.45, rtol=0, atol=1e-15)


def test_newton_caps_each_candidates_step_by_its_own_largest_relative_change():
    """Two candidates of the linear equation R = y - 1 (one Newton step is exact): from 11 the
    step of 10 is capped to 0.25 relative (|y| = 11: 2.75), from 1.1 the step of 0.1 is taken
    in full. A cap shared between candidates would shrink the second step too."""

    def linear(x, p):
        y = x[0]
        return 0.0 * y, jnp.ones(1), (y - 1.0)[None], 0.0 * y

    with _x64.enabled():
        ones = jnp.ones((2, 1))
        x, _, _, _ = engine.solve_candidates(
            linear, (jnp.zeros(1),), jnp.array([[[11.0], [1.1]]]),
            jnp.broadcast_to(jnp.eye(1), (2, 1, 1)), jnp.zeros((2, 1)), ones, ones,
            jnp.array([0.0]), jnp.array([20.0]), 0, 1,
        )
    np.testing.assert_allclose(np.asarray(x[0, :, 0]), [11.0 - 2.75, 1.0], rtol=0, atol=1e-10)
