"""The P = 2 (AGS) spin-glass branch at T > 0, level 1RSB (``theory.rsb``, hebbian).

Independent references: the RS spin glass of ``theory.solve(level="RS")`` (the RS solver of
``theory.rs``, its own equations and quadrature) for the engine's RS candidate; a second 1RSB
solver written here from the functional of docs/rsb.md at q0 = 0 (NumPy on a fine uniform z
grid, SciPy's brentq for q1 and bounded Brent for the Parisi block size theta), for the broken
solution; Guerra's ordering f_1RSB >= f_RS; the stationarity of the 1RSB pressure (central
differences of ``theory.rsb.ags.pressure`` in q0, q1 and theta vanish at the solution; q0 = 0
without a field); and the paramagnet above T_g = 1 + sqrt(alpha).

Before the engine took steps out of the functional's domain back (lambda = 1 - beta (1 - q1)
> 0), the fixed-point sweeps from q1 = 1 jumped to lambda < 0 and ended on the spurious root
q = 0: every point here came back NaN and not converged."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize
from scipy.special import logsumexp

import theory
from theory import _x64, rsb
from theory.rsb import ags, engine

ALPHA, NODES = 0.05, 64
BETA = np.array([1.0, 2.0, 3.0, 5.0])  # T = 1 ... 0.2, below T_g = 1.224


@pytest.fixture(scope="module")
def solved():
    a, r = np.full(BETA.shape, ALPHA), np.zeros(BETA.shape)
    out = rsb.solve_1rsb(protocol="hebbian", P=2, beta=BETA, alpha=a, rho=r,
                         branch="spinglass", nodes=NODES)  # fmt: skip
    x_rs, g_rs, res_rs, _ = engine.rs_candidate(ags.AGSModel, "T", (BETA, a, r),
                                                branch="spinglass", n_y=1, nodes=NODES)  # fmt: skip
    rs = theory.solve(P=2, beta=BETA, alpha=ALPHA, level="RS", branch="spinglass")
    return out, (x_rs, g_rs, res_rs), rs


def _second_route(beta, alpha):
    """(q1, theta, f) of the 1RSB spin glass at q0 = 0, r0 = 0 (no field): pressure
    A = -(alpha/2)[(1 - 1/theta) ln lam1 + ln(lam2)/theta] - (alpha beta^2/2) r1 (1 - q1 +
    theta q1) + ln 2 + (1/theta) ln E_z cosh^theta(h), h = beta sqrt(alpha r1) z, with
    lam1 = 1 - beta (1 - q1), lam2 = lam1 - beta theta q1, r1 = q1/(lam1 lam2); q1 solves
    q1 = <tanh^2 h> under the weight cosh^theta h, and theta minimises A (maximises f).
    A uniform z grid (spacing 1e-4): tanh^2(h) dips over |z| < 1/(beta sqrt(alpha r1)), about
    0.1 at beta = 5, which Gauss-Hermite with a few hundred nodes does not resolve."""
    z = np.linspace(-10.0, 10.0, 200_001)
    logw = -0.5 * z**2 - np.log(np.sum(np.exp(-0.5 * z**2)))

    def parts(q1, theta):
        lam1 = 1 - beta * (1 - q1)
        lam2 = lam1 - beta * theta * q1
        r1 = q1 / (lam1 * lam2)
        h = beta * np.sqrt(alpha * r1) * z
        lc = np.abs(h) + np.log1p(np.exp(-2 * np.abs(h))) - np.log(2)
        inner = logsumexp(theta * lc + logw)
        q1_new = np.sum(np.exp(theta * lc + logw - inner) * np.tanh(h) ** 2)
        A = (-0.5 * alpha * ((1 - 1 / theta) * np.log(lam1) + np.log(lam2) / theta)
             - 0.5 * alpha * beta**2 * r1 * (1 - q1 + theta * q1) + np.log(2) + inner / theta)
        return A, q1_new

    def q1_of(theta):  # lam1 > 0 and lam2 > 0
        lo = max(1 - 1 / beta, (beta - 1) / (beta * (1 - theta))) + 1e-12
        return optimize.brentq(lambda q: q - parts(q, theta)[1], lo, 1 - 1e-12, xtol=1e-14)

    best = optimize.minimize_scalar(lambda t: parts(q1_of(t), t)[0], method="bounded",
                                    bounds=(1e-3, min(0.5, 0.9 / beta)),
                                    options={"xatol": 1e-9})  # fmt: skip
    q1 = q1_of(best.x)
    return q1, best.x, -parts(q1, best.x)[0] / beta


@pytest.mark.slow  # one compiled P = 2 spin-glass solver (~10 s of CPU)
def test_rs_candidate_is_the_rs_spin_glass_of_theory_rs(solved):
    _, (x, g, res), rs = solved
    assert np.all(res < engine.RS_TOL)
    np.testing.assert_allclose(x[:, 1], x[:, 2])  # q0 = q1: RS
    np.testing.assert_allclose(x[:, 2], rs.q.values, rtol=0, atol=1e-7)
    np.testing.assert_allclose(-g / BETA, rs.free_energy.values, rtol=0, atol=1e-8)


@pytest.mark.slow
def test_broken_solution_equals_a_second_solver(solved):
    out, _, _ = solved
    for i, b in enumerate(BETA):
        q1, theta, f = _second_route(b, ALPHA)
        np.testing.assert_allclose(out["free_energy"][i], f, rtol=0, atol=1e-8)
        np.testing.assert_allclose(out["q1"][i], q1, rtol=0, atol=1e-4)
        np.testing.assert_allclose(out["theta"][i], theta, rtol=0, atol=3e-4)  # a flat maximum


@pytest.mark.slow
def test_broken_solution_obeys_guerra_and_is_stationary(solved):
    out, (_, g_rs, _), _ = solved
    assert out["converged"].all()
    assert np.all((0 < out["theta"]) & (out["theta"] < 1))
    np.testing.assert_array_equal(out["q0"], 0.0)  # no field: q0 = 0
    # Guerra: the 1RSB free energy lies above the RS one below T_g
    assert np.all(out["free_energy"] > -g_rs / BETA + 1e-7)
    quad = engine.quadrature(1, NODES, NODES)
    with _x64.enabled():
        for i, b in enumerate(BETA):
            x = np.array([0.0, out["q0"][i], out["q1"][i], out["theta"][i]])
            A = float(ags.pressure(x, b, ALPHA, 0.0, quad))
            np.testing.assert_allclose(-A / b, out["free_energy"][i], rtol=0, atol=1e-12)
            # theta comes from a nested scan (to ~1e-4 of a sharp maximum at large beta)
            for k, h, tol in ((1, 1e-6, 1e-5), (2, 1e-6, 1e-5), (3, 1e-5, 3e-3)):
                up, dn = x.copy(), x.copy()
                up[k] += h
                dn[k] -= h if k != 1 else 0.0  # q0 >= 0: one-sided at q0 = 0
                d = (float(ags.pressure(up, b, ALPHA, 0.0, quad))
                     - float(ags.pressure(dn, b, ALPHA, 0.0, quad))) / (up[k] - dn[k])  # fmt: skip
                assert abs(d) < tol, (b, k, d)


@pytest.mark.slow
def test_above_the_glass_temperature_the_branch_is_the_paramagnet():
    beta = np.array([0.5, 0.75])  # T = 2, 1.33 > T_g = 1 + sqrt(alpha) = 1.224
    out = rsb.solve_1rsb(protocol="hebbian", P=2, beta=beta, alpha=np.full(2, ALPHA),
                         rho=np.zeros(2), branch="spinglass", nodes=NODES)  # fmt: skip
    f = -(np.log(2) - 0.5 * ALPHA * np.log1p(-beta)) / beta
    np.testing.assert_allclose(out["free_energy"], f, rtol=0, atol=1e-10)
    assert np.all(out["q1"] < 1e-8) and np.all(out["theta"] == 1.0)
