"""Value tests of theory.rs.fixed_point (issue #29, mutation testing) on maps whose fixed point,
Jacobian and iteration counts are known in closed form: the damped iteration of a diagonal
affine map contracts each error by 1 - gamma (1 - a_i) per step, the 1-D Newton step on the
last coordinate and the full Newton step solve an affine map exactly in one step, and a map
without a fixed point spends the whole budget. One compiled solver (d = 2) serves every
test but the 3-d one."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from theory import _x64
from theory.rs.fixed_point import DAMPING, TOL, _solve, fixed_point, value_and_jacobian

XS = np.array([0.375, -0.75])  # the fixed point of the test maps (shift = 0), dyadic


@jax.jit
def _run(A, shift, quad, bend, lo, hi, x0, tol, max_damped, max_newton, newton_below):
    """F(x) = XS + shift + A e + quad e_0 e_1 + bend atan(e) (e = x - XS), projected into
    [lo, hi]."""

    def F(x):
        e = x - XS
        return XS + shift + A @ e + quad * e[0] * e[1] + bend * jnp.arctan(e)

    return fixed_point(F, x0, lambda x: jnp.clip(x, lo, hi), tol=tol, max_damped=max_damped,
                       max_newton=max_newton, newton_below=newton_below)  # fmt: skip


def _solve_map(A, x0, *, shift=(0.0, 0.0), quad=(0.0, 0.0), bend=(0.0, 0.0), lo=-np.inf,
               hi=np.inf, tol=TOL, max_damped=3000, max_newton=30, newton_below=1e-3):  # fmt: skip
    with _x64.enabled():
        f = [np.asarray(v, float) for v in (A, shift, quad, bend)]
        box = np.full(2, lo), np.full(2, hi)
        out = _run(*f, *box, np.asarray(x0, float), np.float64(tol), np.int32(max_damped),
                   np.int32(max_newton), np.float64(newton_below))  # fmt: skip
        return jax.tree.map(np.asarray, out)


def _damped_steps(a, e0):
    """Smallest k with max_i |(1 - a_i) (1 - gamma (1 - a_i))^k e0_i| <= TOL."""
    a, e0 = np.asarray(a), np.asarray(e0)

    def res(k):
        return np.max(np.abs((1 - a) * (1 - DAMPING * (1 - a)) ** k * e0)) / TOL

    k = 0
    while res(k) > 1:
        k += 1
    assert res(k) < 0.95 and res(k - 1) > 1.05  # not within rounding of the threshold
    return k


@pytest.mark.parametrize("a", [(0.2, 0.6), (0.2, 0.5), (0.2, -3.0)])
def test_damped_iteration_counts_on_a_diagonal_affine_map(a):
    """Relaxation only (no Newton phase): the counts of the closed-form contraction; a last
    coordinate with slope < 1/2 (not 1/2 itself) is solved exactly by its 1-D Newton step at
    the first step."""
    e0 = np.array([0.5, -0.3])
    out = _solve_map(np.diag(a), XS + e0, max_newton=0, newton_below=-1.0)
    expect = _damped_steps(a, e0) if a[1] >= 0.5 else max(1, _damped_steps(a[:1], e0[:1]))
    assert int(out.iterations) == expect
    assert bool(out.converged) and float(out.residual) <= TOL
    np.testing.assert_allclose(out.x, XS, atol=2 * TOL)
    np.testing.assert_allclose(out.jacobian, np.diag(a), atol=1e-14)


def test_newton_solves_an_affine_map_in_one_step():
    A = np.array([[0.3, -1.2], [0.8, 0.5]])
    out = _solve_map(A, XS + [0.9, 0.6], newton_below=np.inf)
    assert int(out.iterations) == 1 and bool(out.converged)
    np.testing.assert_allclose(out.x, XS, atol=1e-14)
    assert float(out.residual) < 1e-14


def test_newton_phase_starts_when_the_damped_budget_is_spent():
    """Two relaxation steps (residual never small enough to switch), then one exact Newton
    step on the affine map: three iterations."""
    out = _solve_map(np.diag([0.2, 0.6]), XS + [0.5, -0.3], max_damped=2, newton_below=-1.0)
    assert int(out.iterations) == 3 and bool(out.converged)
    np.testing.assert_allclose(out.x, XS, atol=1e-14)


def test_nonlinear_map_converges_to_its_fixed_point_with_its_jacobian():
    """Damped phase then Newton (default budget) on an affine map plus e_0 e_1 terms."""
    A = np.array([[0.3, -0.4], [0.5, 0.1]])
    out = _solve_map(A, XS + [0.3, -0.25], quad=(0.6, -0.8))
    assert bool(out.converged) and float(out.residual) <= TOL
    np.testing.assert_allclose(out.x, XS, atol=1e-11)
    np.testing.assert_allclose(out.jacobian, A, atol=1e-10)
    assert 1 <= int(out.iterations) < 40


def test_residual_equal_to_the_tolerance_has_converged():
    """Constant map F = XS, dyadic numbers: relaxation halves the error exactly (the last
    coordinate is solved by its 1-D Newton step), residual 2^-k after k steps; tol = 2^-10
    stops at k = 10."""
    out = _solve_map(np.zeros((2, 2)), XS + 1.0, tol=2.0**-10, max_newton=0, newton_below=-1.0)
    assert float(out.residual) == 2.0**-10 and int(out.iterations) == 10
    assert bool(out.converged)


def test_newton_steps_that_do_not_halve_the_residual_are_rejected():
    """G_0 = -atan(e_0) from e_0 = 2: Newton overshoots (to -3.5, and on, diverging), so it
    must be rejected for relaxation steps until e_0 is in Newton's basin; converges."""
    out = _solve_map(np.diag([1.0, 0.0]), XS + [2.0, 0.5], bend=(-1.0, 0.0), newton_below=np.inf)
    assert bool(out.converged)
    np.testing.assert_allclose(out.x, XS, atol=1e-12)


def test_no_fixed_point_spends_the_whole_budget():
    """F(x) = x + 1: every step moves, the Newton system is singular (relaxation instead)."""
    out = _solve_map(np.eye(2), XS, shift=(1.0, 1.0), max_damped=7, max_newton=3)
    assert int(out.iterations) == 10 and not bool(out.converged)
    assert float(out.residual) == 1.0
    np.testing.assert_allclose(out.x, XS + 10 * DAMPING, rtol=1e-14)


def test_projection_onto_the_domain_stops_a_point_that_cannot_move():
    """Fixed point (2.875, -0.75) outside the box |x| <= 1: the first step takes x_0 to the
    wall x_0 = 1, where the projected step no longer moves it; reported, not converged."""
    out = _solve_map(np.diag([0.2, 0.2]), XS, shift=(2.0, 0.0), lo=-1.0, hi=1.0)
    assert not bool(out.converged)
    np.testing.assert_allclose(out.x, [1.0, XS[1]], atol=1e-15)
    assert float(out.residual) == pytest.approx(XS[0] + 2.0 + 0.2 * (1.0 - XS[0]) - 1.0, rel=1e-14)
    assert int(out.iterations) == 2  # one step to the wall, one that does not move


def test_solve_and_value_and_jacobian():
    A = np.array([[0.3, -1.2], [0.8, 0.5]])
    A3 = np.array([[2.0, 0.5, -1.0], [0.3, 1.0, 0.2], [0.0, -0.4, 3.0]])
    b3 = np.array([1.0, -2.0, 0.5])

    def F(x):
        return jnp.stack([x[0] ** 2 * x[1], jnp.sin(x[1])])

    @jax.jit  # one compiled program (cheaper than the operations one by one)
    def run(A, b, A3, b3, x):
        return _solve(A, b), _solve(A3, b3), value_and_jacobian(F, x)

    with _x64.enabled():
        x2, x3, (fx, J) = jax.tree.map(np.asarray, run(A, np.array([1.0, -2.0]), A3, b3,
                                                        np.array([0.7, -1.1])))  # fmt: skip
    np.testing.assert_allclose(x2, np.linalg.solve(A, [1.0, -2.0]), rtol=1e-14)
    np.testing.assert_allclose(x3, np.linalg.solve(A3, b3), rtol=1e-14)
    np.testing.assert_allclose(fx, [0.49 * -1.1, math.sin(-1.1)], rtol=1e-15)
    np.testing.assert_allclose(J, [[2 * 0.7 * -1.1, 0.49], [0.0, math.cos(-1.1)]], rtol=1e-15)
