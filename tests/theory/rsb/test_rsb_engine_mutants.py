"""Value tests of theory.rsb.engine (issue #29, mutation testing): the padded chunk sizes of
the documented bucket rule and the chunk ranges; the RS candidate at T = 0 of a toy model
against its closed-form fixed point; the choice among candidates (scan_solve, run_grid) with
stand-in solvers whose objectives are given, against the documented rule (the broken
candidate of lowest objective where it lowers the RS one, on the retrieval branch
``n (1 + rho) > N_BRANCH``)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from theory import _x64
from theory.rsb import engine
from theory.rsb.engine import MAX_BUCKET, bucket, chunks


@pytest.mark.parametrize("k,size", [(1, 4), (4, 4), (5, 8), (8, 8), (9, 16), (16, 16),
                                    (17, 32), (32, 32), (33, 64), (64, 64)])  # fmt: skip
def test_bucket_is_the_next_of_4_8_16_32_64(k, size):
    assert bucket(k) == size


def test_chunks_cover_the_points_in_pieces_of_at_most_max_bucket():
    parts = list(chunks(2 * MAX_BUCKET + 3))
    assert [(p.start, p.stop) for p in parts] == [
        (0, MAX_BUCKET),
        (MAX_BUCKET, 2 * MAX_BUCKET),
        (2 * MAX_BUCKET, 2 * MAX_BUCKET + 3),
    ]


# ---------------------------------------------------------------------------------------------
# The RS candidate at T = 0 (engine.RS_0, x = A y + B) and rs_candidate, on a toy model whose
# RS fixed point is known in closed form: x = (n, q0, mu), energy
# E = n^2/2 - n f(q0) + mu (1 - q0)^2 with f(q0) = (1 - alpha)(1 + q0)/2, so dE/dn = 0 gives
# n = f(q0). RS at T = 0 is q0 = 1 (engine.RS_0 maps y to x = (n, 1, 1)): n = 1 - alpha,
# E = -(1 - alpha)^2 / 2. The engine knows nothing of the model (module docstring), so a toy
# checks its part: the point the equations are evaluated at is the point it returns.


def _toy_ev0(x, alpha, rho):
    n, q0, mu = x
    f = (1.0 - alpha) * (1.0 + q0) / 2.0
    E = 0.5 * n**2 - n * f + mu * (1.0 - q0) ** 2
    G = jnp.stack([f, q0, mu])
    R = jnp.stack([n - f, 0.0 * q0, (1.0 - q0) ** 2])  # x - G; dE/dmu
    return -E, G, R, n


def _toy_raw_0(S, alpha, rho, *, branch, quad):
    fn = float(branch == "retrieval")
    return engine.raw_candidates(
        _toy_ev0, S, (alpha, rho), y_rs=[0, 0, 1.0], y_b=[0, 0.5, 0], scan_slot=2,
        rs_map=engine.RS_0, rs_mask=[fn, 0, 0], mask=[fn, fn, 0], lo=[0, 0, 1e-6],
        hi=[1, 1, 1e4], fn=fn, n_fp=2, n_nt=1,
    )  # fmt: skip


def _toy_raw_T(S, beta, alpha, rho, *, branch, quad):  # never called at T = 0
    raise AssertionError("rs_candidate(model, '0', ...) must use the T = 0 solver raw_0")


class _ToyModel:
    raw_T, raw_0 = staticmethod(_toy_raw_T), staticmethod(_toy_raw_0)


def test_zero_temperature_rs_candidate_is_the_q0_equal_1_fixed_point():
    """rs_candidate(model, "0", (alpha, rho)) solves the T = 0 model (raw_0) at RS, q0 = 1
    and mu = 1 (engine.RS_0): n = f(1) = 1 - alpha and E = -(1 - alpha)^2/2 (closed form),
    converged (residual below RS_TOL)."""
    alpha = np.array([0.0, 0.1, 0.3])
    x, g, res, m = engine.rs_candidate(_ToyModel, "0", (alpha, np.zeros(3)),
                                       branch="retrieval", n_y=1, nodes=8)  # fmt: skip
    np.testing.assert_allclose(x, np.stack([1 - alpha, np.ones(3), np.ones(3)], -1),
                               rtol=0, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(-g, -0.5 * (1 - alpha) ** 2, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m, 1 - alpha, rtol=0, atol=1e-12)
    assert np.all(res < engine.RS_TOL)


# ---------------------------------------------------------------------------------------------
# The choice of the candidate (engine.scan_solve), with a stand-in for the compiled solver
# (NumPy, no JAX program): candidate 0 is RS (objective g_rs, converged), candidates 1.. are
# broken (gap 1 - q0 = 0.5) with an objective g(mu) of the scan value mu. scan_solve minimises
# the objective over mu (module docstring: the pressure, or -E, is minimised: Guerra's bound).


def _stand_in(g_broken, g_rs=0.0):
    def raw(S, n):
        S = np.asarray(S)
        ng, ns = S.shape
        x = np.empty((ng, ns + 1, 3))
        x[:, 0] = (n[0], 1.0, 1.0)  # RS: q0 = 1
        x[:, 1:, 0], x[:, 1:, 1], x[:, 1:, 2] = n[0], 0.5, S
        g = np.concatenate([np.full((ng, 1), g_rs), g_broken(S)], axis=1)
        return x, g, np.zeros(g.shape), x[..., 0]

    return raw


def _scan(g_broken, g_rs=0.0, n=0.9):
    S = np.broadcast_to(np.geomspace(0.05, 60.0, 8), (2, 8))
    with _x64.enabled():  # as in run_grid: the scan values reach the solver in float64
        return engine.scan_solve(
            _stand_in(g_broken, g_rs),
            (np.full(2, n),),
            S,
            rho=np.zeros(2),
            retrieval=False,
            gap_fn=engine.gap_0,
        )


@pytest.mark.parametrize("end", ["low", "high"])
def test_a_minimum_at_an_end_of_the_scan_is_found_and_taken(end):
    """A broken objective monotone in mu (1 below RS at its best) has its minimum at the end
    of the scan range, 0.05 or 60: the zoom stays on the end interval and the end candidate,
    which lowers the objective by 1 - (its distance to the end), is returned as broken."""
    lo, hi = 0.05, 60.0

    def g(S):
        return -1.0 + (np.log(S / lo) if end == "low" else np.log(hi / S))

    x, obj, m, conv, broken, res = _scan(g)
    np.testing.assert_allclose(x[:, 2], lo if end == "low" else hi, rtol=1e-12)
    np.testing.assert_allclose(obj, -1.0, rtol=0, atol=1e-12)
    assert broken.all() and conv.all()
    np.testing.assert_array_equal(x[:, 1], 0.5)


def test_a_broken_candidate_that_ties_with_rs_is_not_taken():
    """A flat broken direction whose objective equals the RS one (a tie: it does not lower
    the objective) leaves the RS candidate (q0 = 1) in place, not broken."""
    x, obj, m, conv, broken, res = _scan(lambda S: np.zeros(S.shape), g_rs=0.0)
    assert not broken.any() and conv.all()
    np.testing.assert_array_equal(x[:, 1], 1.0)
    # just below the RS objective (by more than the 1e-10 tie margin): taken
    x, obj, m, conv, broken, res = _scan(lambda S: np.full(S.shape, -1e-8), g_rs=0.0)
    assert broken.all()
    np.testing.assert_array_equal(x[:, 1], 0.5)


class _RetrievalStandIn:
    """A T = 0 model whose RS candidate has n = 1 and whose broken candidates (q0 = 0.5) have
    class-mean overlap n = 0.15 and energy E = 1 above RS (objective -E lower by 1; by Guerra's
    bound the 1RSB energy is never below RS): the broken candidate wins
    wherever it is on the retrieval branch, n (1 + rho) > N_BRANCH = 0.2, i.e. for rho > 1/3
    (at strong data noise the class-mean overlap is n ~ 1/(1 + rho), docs/models.md §2)."""

    @staticmethod
    def raw_0(S, alpha, rho, *, branch, quad):
        ng, ns = S.shape
        rs = jnp.broadcast_to(jnp.array([1.0, 1.0, 1.0]), (ng, 1, 3))
        b = jnp.stack([jnp.full((ng, ns), 0.15), jnp.full((ng, ns), 0.5), S], axis=-1)
        x = jnp.concatenate([rs, b], axis=1)
        g = jnp.concatenate([jnp.zeros((ng, 1)), -jnp.ones((ng, ns))], axis=1)
        return x, g, jnp.zeros((ng, ns + 1)), x[..., 0]

    raw_T = None
    finish_0 = staticmethod(engine.finish_0)
    gap_0 = staticmethod(engine.gap_0)

    @staticmethod
    def scan_0(alpha, n, retrieval):
        return np.broadcast_to(np.geomspace(0.05, 60.0, n), (alpha.shape[0], n))


def test_retrieval_branch_is_judged_with_each_points_rho():
    """run_grid at T = 0 on the retrieval branch: the broken candidate (n = 0.15) is taken at
    rho = 1 (n (1 + rho) = 0.3 > N_BRANCH) and not at rho = 0 (0.15 < N_BRANCH), whatever
    the load alpha (here 0.01 and 0.5: n (1 + alpha) would put both on the other side)."""
    out = engine.run_grid(_RetrievalStandIn, beta=np.inf, alpha=[0.01, 0.5], rho=[1.0, 0.0],
                          branch="retrieval", n_scan=2, n_y=1, nodes=8)  # fmt: skip
    np.testing.assert_array_equal(out["n"], [0.15, 1.0])
    np.testing.assert_array_equal(out["q0"], [0.5, 1.0])
    np.testing.assert_array_equal(out["free_energy"], [1.0, 0.0])
    assert out["converged"].all()


def test_zero_temperature_outputs_follow_the_dense_layout():
    """finish_0 with the dense T = 0 coordinates x = (n, q0, mu) (docs/models.md §5: mu =
    beta theta in the third slot): a broken candidate reports its q0 and mu, an RS one q0 =
    q1 = q (1 on a glassy branch, 0 on the paramagnet), mu = 0; theta = 0 at T = 0."""
    x = np.array([[0.9, 0.7, 3.5], [0.8, 0.6, 2.5]])
    g, m = np.array([-0.4, -0.3]), np.array([0.95, 0.85])
    broken, conv = np.array([True, False]), np.array([True, True])
    for glassy in (1.0, 0.0):
        out = engine.finish_0(x, g, m, conv, broken, glassy)
        np.testing.assert_array_equal(out["mu"], [3.5, 0.0])
        np.testing.assert_array_equal(out["q0"], [0.7, glassy])
        np.testing.assert_array_equal(out["q"], [glassy, glassy])
        np.testing.assert_array_equal(out["q1"], [glassy, glassy])
        np.testing.assert_array_equal(out["theta"], [0.0, 0.0])
        np.testing.assert_array_equal(out["free_energy"], [0.4, 0.3])
        np.testing.assert_array_equal(out["n"], [0.9, 0.8])


def test_finite_temperature_gap_is_q1_minus_q0():
    x = np.array([[0.5, 0.2, 0.7, 0.3], [0.0, 0.0, 0.4, 0.9]])  # (n, q0, q1, theta)
    np.testing.assert_allclose(engine.gap_T(x), [0.5, 0.4], rtol=0, atol=1e-15)
    np.testing.assert_allclose(engine.gap_0(np.array([[0.9, 0.75, 0.1]])), [0.25], atol=1e-15)
