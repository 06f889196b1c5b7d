"""The 1RSB dense functional's equations are its stationarity conditions (issue 29).

Checked by central finite differences of the pressure ``A = -beta f`` itself
(``theory.rsb.pressure``), independently of the closed-form derivatives in the module:

- ``dA/dtheta`` (the theta equation) equals the finite difference in theta at generic
  points with ``q0 != q1`` (where its ``(P - 1)(q1**P - q0**P)`` term matters);
- at a fixed point of the ``(n, q0, q1)`` equations (theta held), the finite differences of
  A in n, q0 and q1 vanish, while they do not at a generic point;
- the theta = 1 reduction: A no longer depends on q1 and is the RS pressure at q = q0.

(The P = 2 functional's theta = 1 and q0 = q1 reductions to the AGS RS free energy are in
``tests/theory/rsb/test_rsb_ags.py``.)
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from theory import _x64, rsb
from theory.rsb import dense

P = 4
H = 1e-5


N_ITER = 400  # fixed-point sweeps of (n, q0, q1) at fixed theta


@functools.lru_cache(maxsize=1)
def _compiled():
    """One compiled program for every check, at 4 points X with their own (beta, alpha):
    ``N_ITER`` fixed-point sweeps of (n, q0, q1) at fixed theta on the points flagged
    ``iterate`` (the others stay put), then, at the points reached, A, its central
    differences in the 4 coordinates, dA/dtheta and the (n, q0, q1) right-hand sides.

    The functional (``theory.rsb.dense.evaluate``, of which ``pressure``, ``dA_dtheta`` and
    ``averages`` are the parts) is traced once: every step evaluates it at the points (a
    sweep) or at them and their 8 displacements, one after the other (the last step)."""
    quad = rsb.quadrature(1, 64, 64)
    steps = jnp.concatenate([jnp.zeros((1, 4)), H * jnp.eye(4), -H * jnp.eye(4)])
    ev = jax.vmap(lambda x, b, a: dense.evaluate(x, b, a, 0.0, P, quad))  # over the points

    def program(X, beta, alpha, iterate):
        def step(i, state):
            x = state[0]
            last = i == n_iter

            def displaced(k, acc):  # A, dA/dtheta, rhs at the k-th displacement of x
                A, dth, rhs = acc
                Ak, rk, dk, _ = ev(x + steps[k], beta, alpha)
                return A.at[k].set(Ak), dth.at[k].set(dk), rhs.at[k].set(jnp.stack(rk, -1))

            acc = (jnp.zeros((9, 4)), jnp.zeros((9, 4)), jnp.zeros((9, 4, 3)))
            A, dth, rhs = jax.lax.fori_loop(0, jnp.where(last, 9, 1), displaced, acc)
            sweep = jnp.concatenate([rhs[0], x[:, 3:]], axis=1)
            return jnp.where(iterate[:, None] & ~last, sweep, x), A, dth, rhs

        zeros = (jnp.zeros((9, 4)), jnp.zeros((9, 4)), jnp.zeros((9, 4, 3)))
        n_iter = jnp.where(jnp.any(iterate), N_ITER, 0)  # no sweeps where none iterates
        x, A, dth, rhs = jax.lax.fori_loop(0, n_iter + 1, step, (X, *zeros))
        grad = ((A[1:5] - A[5:]) / (2 * H)).T  # (point, coordinate)
        return x, A[0], grad, dth[0], rhs[0]

    return jax.jit(program)


def test_equations_are_stationarity_of_the_pressure():
    # two spin-glass fixed points at fixed theta: q0 = 0 < q1 ~ 0.71, and 0 < q0 ~ 0.61 < q1
    starts = np.array([[0.0, 0.0, 0.7, 0.2], [0.0, 0.6, 0.999, 0.5]])
    generic = np.array([[0.8, 0.3, 0.7, 0.4], [0.6, 0.1, 0.5, 0.8]])
    beta = np.array([5.0, 5.0, 1.7, 4.0])
    alpha = np.array([0.02, 0.1, 0.02, 0.05])
    with _x64.enabled():
        X = jnp.asarray(np.vstack([starts, generic]))
        out = _compiled()(X, beta, alpha, jnp.asarray([True, True, False, False]))
        x, _, grad, dth, rhs = (np.asarray(v) for v in out)
    x_star = x[:2]
    np.testing.assert_array_equal(x[2:], generic)
    assert np.all(x_star[:, 1] < x_star[:, 2] - 0.05) and np.all(x_star[:, 2] < 1.0 - 2 * H)
    np.testing.assert_allclose(rhs[:2], x_star[:, :3], atol=1e-10)  # converged fixed points
    # the theta equation is the derivative in theta (the quadrature nodes move with theta:
    # agreement to ~1e-6 relative), at the fixed points and at generic points
    np.testing.assert_allclose(dth, grad[:, 3], rtol=1e-5, atol=1e-7)
    # at the fixed points A is stationary in (n, q0, q1); at generic points it is not
    np.testing.assert_allclose(grad[:2, :3], 0.0, atol=1e-6)
    assert np.all(np.abs(grad[2:, :3]).max(axis=1) > 1e-2)


def test_theta_one_is_rs_at_q0_whatever_q1():
    """theta = 1: the inner z1 average is Gaussian, ``E cosh(beta(a + b1 z1)) =
    cosh(beta a) exp(beta**2 b1**2 / 2)``, which cancels q1 from A: RS at q = q0."""
    q0 = 0.45
    # four points, as in the test above: the compiled program is reused
    X = np.array([[0.8, q0, q1, 1.0] for q1 in (q0, 0.7, 0.95)] + [[0.8, q0, q0, 0.3]])
    with _x64.enabled():
        out = _compiled()(jnp.asarray(X), np.full(4, 1.7), np.full(4, 0.02), jnp.zeros(4, bool))
        A = np.asarray(out[1])
    np.testing.assert_allclose(A, A[0], rtol=0, atol=1e-7)

