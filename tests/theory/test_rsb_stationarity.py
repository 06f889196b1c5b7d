"""The 1RSB dense functional's equations are its stationarity conditions (issue 29).

Checked by central finite differences of the pressure ``A = -beta f`` itself
(``theory.rsb.pressure``), independently of the closed-form derivatives in the module:

- ``dA/dtheta`` (the theta equation) equals the finite difference in theta at generic
  points with ``q0 != q1`` (where its ``(P - 1)(q1**P - q0**P)`` term matters);
- at a fixed point of the ``(n, q0, q1)`` equations (theta held), the finite differences of
  A in n, q0 and q1 vanish, while they do not at a generic point;
- the theta = 1 reduction: A no longer depends on q1 and is the RS pressure at q = q0.

(The P = 2 functional's theta = 1 and q0 = q1 reductions to the AGS RS free energy are in
``tests/theory/test_rsb_ags.py``.)
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


@functools.lru_cache(maxsize=1)
def _compiled():
    """One compiled program for every check: (A, its central differences in the 4
    coordinates, dA/dtheta, the (n, q0, q1) right-hand sides) at points X with their own
    (beta, alpha), and the fixed-point iteration of (n, q0, q1) at fixed theta.

    The functional is traced once per program: ``theory.rsb.dense.evaluate`` (of which
    ``pressure``, ``dA_dtheta`` and ``averages`` are the parts) at the point and its 8
    displacements in one batch."""
    quad = rsb.quadrature(1, 64, 64)
    steps = jnp.concatenate([jnp.zeros((1, 4)), H * jnp.eye(4), -H * jnp.eye(4)])

    def one(x, beta, alpha):
        A, rhs, dth, _ = jax.vmap(lambda y: dense.evaluate(y, beta, alpha, 0.0, P, quad))(
            x[None, :] + steps
        )
        grad = (A[1:5] - A[5:]) / (2 * H)
        return A[0], grad, dth[0], jnp.stack(rhs)[:, 0]

    def iterate(x, beta, alpha):
        def body(_, x):
            rhs = rsb.averages(x, beta, alpha, 0.0, P, quad)
            return jnp.stack([rhs[0], rhs[1], rhs[2], x[3]])

        return jax.lax.fori_loop(0, 400, body, x)

    return jax.jit(jax.vmap(one)), jax.jit(jax.vmap(iterate))


def test_equations_are_stationarity_of_the_pressure():
    # two spin-glass fixed points at fixed theta: q0 = 0 < q1 ~ 0.71, and 0 < q0 ~ 0.61 < q1
    starts = np.array([[0.0, 0.0, 0.7, 0.2], [0.0, 0.6, 0.999, 0.5]])
    params = np.array([[5.0, 0.02], [5.0, 0.1]])  # (beta, alpha)
    generic = np.array([[0.8, 0.3, 0.7, 0.4], [0.6, 0.1, 0.5, 0.8]])
    with _x64.enabled():
        evaluate, iterate = _compiled()
        x_star = np.asarray(iterate(jnp.asarray(starts), params[:, 0], params[:, 1]))
        X = np.vstack([x_star, generic])
        beta = np.r_[params[:, 0], 1.7, 4.0]
        alpha = np.r_[params[:, 1], 0.02, 0.05]
        _, grad, dth, rhs = (np.asarray(v) for v in evaluate(jnp.asarray(X), beta, alpha))
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
        evaluate, _ = _compiled()
        A = np.asarray(evaluate(jnp.asarray(X), np.full(4, 1.7), np.full(4, 0.02))[0])
    np.testing.assert_allclose(A, A[0], rtol=0, atol=1e-7)

