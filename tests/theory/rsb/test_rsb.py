"""1RSB for dense networks (P >= 4): reductions to RS, Guerra's bound, the T = 0 limit and the
entropy of the spin-glass state; ``theory.rsb.solve`` (the labelled Dataset) against the
array-level solver and against the RS solver where 1RSB collapses to RS. Independent
references: the RS equations of docs/models.md §4.2 written out here with plain
Gauss-Hermite, ``theory.solve`` at level RS, the paramagnet in closed form, and the T = 0 RS
spin-glass entropy -(P-1)/(2 pi) derived by hand (docs/rsb.md)."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import theory
from _hopfield_base import vocabulary
from theory import _x64, rsb
from theory._gaussian import gauss_normal

P, ALPHA = 4, 0.02
KW = dict(protocol="hebbian", P=P, nodes=48, n_scan=6)  # one compiled configuration


def _solve(beta, branch, alpha=ALPHA):
    """Solve with the finite betas padded to 4 points (and T = 0 points to 2): one compiled
    shape per branch and regime keeps the default tier fast."""
    beta = np.atleast_1d(np.asarray(beta, float))
    fin, zero = beta[np.isfinite(beta)], beta[np.isinf(beta)]
    padded = np.concatenate([fin, np.full(4 - fin.size, 1.0), zero, np.full(2 - zero.size, np.inf)])
    padded = padded if zero.size else padded[:4]
    out = rsb.solve_1rsb(
        beta=padded,
        alpha=np.full(padded.shape, alpha),
        rho=np.zeros(padded.shape),
        branch=branch,
        **KW,
    )
    keep = np.r_[np.arange(fin.size), 4 + np.arange(zero.size)]
    order = np.argsort(np.r_[np.nonzero(np.isfinite(beta))[0], np.nonzero(np.isinf(beta))[0]])
    return {k: v[keep][order] for k, v in out.items()}


def _rs_pressure(n, q, beta, alpha, rho=0.0, P=P):
    """docs/models.md §4.2, written independently of theory.rsb (plain Gauss-Hermite)."""
    z, wz = gauss_normal(200)
    Y, wY = gauss_normal(40)
    s = 0.5 * P * (1 + rho) ** (P / 2 - 1) * n ** (P - 1) * (1 + np.sqrt(rho) * Y[:, None])
    h = beta * (s + z[None, :] * np.sqrt(alpha * P * math.factorial(P) * q ** (P - 1) / 4))
    lc = np.abs(h) + np.log1p(np.exp(-2 * np.abs(h))) - np.log(2)
    return (
        np.log(2)
        + np.sum(wY[:, None] * wz[None, :] * lc)
        - beta / 2 * (P - 1) * (1 + rho) ** (P / 2) * n**P
        + beta**2 * alpha * math.factorial(P) / 8 * (1 - P * q ** (P - 1) + (P - 1) * q**P)
    )


@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_functional_reduces_to_rs(rho):
    beta, n, q = 1.7, 0.8, 0.6
    with _x64.enabled():
        quad = rsb.quadrature(40 if rho else 1, 96, 96)

        @jax.jit  # one compiled program for every evaluation (eager dispatch is slower)
        def evaluate(X, x):
            A = jax.vmap(lambda y: rsb.pressure(y, beta, ALPHA, rho, P, quad))(X)
            avg = rsb.averages(x, beta, ALPHA, rho, P, quad)
            return A, jnp.stack(avg), rsb.dA_dtheta(x, beta, ALPHA, rho, P, quad)

        X = jnp.array([[n, q, q, 0.37], [n, q, q, 1.0], [n, q, 0.9, 1.0], [n, 0.2, q, 1e-7]])
        A, avg, dtheta = (np.asarray(v) for v in evaluate(X, jnp.array([n, q, q, 0.5])))
    # exact identities of the functional (same nodes): q0 = q1 makes theta irrelevant
    np.testing.assert_allclose(A[0], A[1], rtol=0, atol=1e-12)
    # against the independent RS pressure (difference = quadrature error, ~1e-7): q0 = q1,
    # theta = 1 (RS at q0) and theta -> 0 (RS at q1)
    ref = _rs_pressure(n, q, beta, ALPHA, rho)
    np.testing.assert_allclose(A[[0, 2, 3]], ref, rtol=0, atol=1e-6)
    # the equations too: at q0 = q1 the 1RSB right-hand sides are the RS ones and
    # dA/dtheta vanishes
    n_rs, q_rs, m_rs = _rs_rhs(n, q, beta, ALPHA, rho)
    np.testing.assert_allclose(avg, [n_rs, q_rs, q_rs, m_rs], atol=1e-6)
    assert abs(float(dtheta)) < 1e-8


def _rs_rhs(n, q, beta, alpha, rho):
    """RS right-hand sides (n, q, m) of docs/models.md §4.2 with plain Gauss-Hermite."""
    z, wz = gauss_normal(200)
    Y, wY = gauss_normal(40)
    g = 1 + np.sqrt(rho) * Y[:, None]
    s = 0.5 * P * (1 + rho) ** (P / 2 - 1) * n ** (P - 1) * g
    t = np.tanh(beta * (s + z * np.sqrt(alpha * P * math.factorial(P) * q ** (P - 1) / 4)))
    W = wY[:, None] * wz[None, :]
    return np.sum(W * g * t) / (1 + rho), np.sum(W * t * t), np.sum(W * t)


def test_zero_temperature_functional_reduces_to_rs():
    n = 0.97
    with _x64.enabled():
        quad = rsb.quadrature(1, 64, 64)

        @jax.jit  # one compiled program for every evaluation (eager dispatch is slower)
        def energies(X):
            E = jax.vmap(lambda x: rsb.energy0(x, ALPHA, 0.0, P, quad))(X)
            return rsb.energy0_rs(n, ALPHA, 0.0, P, quad), E

        ref, E = energies(jnp.array([[n, 0.5, 1e-7], [n, 1.0, 3.0]]))  # mu -> 0, q0 = 1
    # closed form -E|s + sqrt(c) z| against brute-force quadrature
    z, w = gauss_normal(150)
    c = ALPHA * P * math.factorial(P) / 4
    brute = -np.sum(w * np.abs(2 * n**3 + np.sqrt(c) * z)) + 1.5 * n**4
    np.testing.assert_allclose(float(ref), brute, atol=1e-4)  # |.| kink limits Gauss-Hermite
    np.testing.assert_allclose(np.asarray(E), float(ref), atol=1e-6)


def test_paramagnet_and_guerra_bound_spin_glass():
    betas = np.array([1.0, 3.0, 10.0, 30.0])
    before = jax.config.jax_enable_x64
    out = _solve(betas, "spinglass")
    assert jax.config.jax_enable_x64 == before  # the solver leaves the global precision alone
    assert out["converged"].all()
    K = ALPHA * math.factorial(P) / 4
    # high T: the paramagnet, f = -ln2/beta - beta K/2, and no broken solution
    np.testing.assert_allclose(
        out["free_energy"][:2], -np.log(2) / betas[:2] - betas[:2] * K / 2, atol=1e-10
    )
    assert np.all(out["theta"][:2] == 1.0)
    # low T: broken solution with 0 < theta < 1 and q0 = 0 < q1
    assert np.all((out["theta"][2:] > 0) & (out["theta"][2:] < 1))
    assert np.all(out["q1"][2:] > 0.9) and np.all(out["q0"][2:] == 0)
    # Guerra: f_1RSB >= f_RS at the same m (= 0), strictly where RS is unstable
    for beta, f in zip(betas[2:], out["free_energy"][2:]):
        q_rs = _rs_sg_q(beta)
        f_rs = -_rs_pressure(0.0, q_rs, beta, ALPHA) / beta
        f_para = -np.log(2) / beta - beta * K / 2
        assert f > max(f_rs, f_para) + 1e-4


def _rs_sg_q(beta):
    """RS spin-glass overlap by plain iteration of q = E tanh^2(beta sqrt(c q^3) z)."""
    z, w = gauss_normal(150)
    c = ALPHA * P * math.factorial(P) / 4
    q = 1.0
    for _ in range(500):
        q = float(np.sum(w * np.tanh(beta * np.sqrt(c * q ** (P - 1)) * z) ** 2))
    return q


#: every variable of the array-level solver, as it appears in the Dataset
SOLVER_KEYS = ("m", "n", "q", "q0", "q1", "theta", "mu", "free_energy", "converged", "residual",
               "iterations")  # fmt: skip


def _assert_dataset_is(ds, out):
    """The Dataset of ``rsb.solve`` holds exactly the arrays of ``rsb.solve_1rsb``."""
    for k in SOLVER_KEYS:
        np.testing.assert_array_equal(ds[k].values, out[k], err_msg=k)
        assert ds[k].attrs["units"] == "1"
        assert ds[k].attrs["long_name"] == vocabulary.long_name(k)
    assert ds.attrs["level"] == "1RSB" and ds["stable"].attrs["computed"] == 0


def test_solve_is_the_array_solver_labelled_and_collapses_to_rs():
    """``rsb.solve`` = ``solve_1rsb`` exactly (finite T); retrieval at alpha = 0.02 is replica
    symmetric above T ~ 0.02 (docs/rsb.md), where its m must be the RS solver's."""
    T = np.array([0.2, 0.3, 0.5, 1.0])  # 1.0: above the retrieval spinodal, m = 0
    ds = rsb.solve(P, T=T, alpha=ALPHA, branch="retrieval", nodes=48, n_scan=6)
    assert ds.m.dims == ("T",) and ds.attrs["nodes"] == 48
    out = rsb.solve_1rsb(beta=1 / T, alpha=np.full(4, ALPHA), rho=np.zeros(4),
                         branch="retrieval", **KW)  # fmt: skip
    _assert_dataset_is(ds, out)
    rs = theory.solve(P=P, T=T, alpha=ALPHA)  # the RS solver (theory.rs), its own quadrature
    assert np.all(ds.theta == 1.0) and rs.converged.all()
    assert np.all(ds.m[:3] > 0.95) and abs(float(ds.m[3])) < 1e-12
    np.testing.assert_allclose(ds.m, rs.m, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ds.q, rs.q, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ds.free_energy, rs.free_energy, rtol=0, atol=1e-8)


def test_solve_and_theory_solve_are_one_path():
    # infinite temperature runs no engine: the paramagnet, f = -inf, theta = 1
    kw = dict(beta=[0.0, 0.0], alpha=[0.01, 0.02])
    ds = rsb.solve(P, **kw)
    xr.testing.assert_identical(ds, theory.solve(P=P, level="1RSB", **kw))
    assert np.all(ds.free_energy == -np.inf) and np.all(ds.theta == 1.0)
    with pytest.raises(ValueError, match="n_scan must be an integer >= 1"):
        rsb.solve(P, T=0.5, n_scan=0)
    with pytest.raises(ValueError, match="needs r and M separately"):  # unsupervised at 1RSB
        rsb.solve(P, T=0.5, alpha=0.01, protocol="unsupervised", rho=0.3)


def test_face_exports_user_tools_only():
    assert sorted(rsb.__all__) == ["at_line", "critical_load_1rsb", "ground_state_energies",
                                   "retrieval_ground_state_load", "solve"]  # fmt: skip
    assert callable(rsb.solve)
    from theory.rsb import KEYS, quadrature, solve_1rsb  # still importable  # noqa: F401


@pytest.mark.slow  # ~25 s; the T = 0 functional is checked against RS in the default tier
def test_zero_temperature_matches_large_beta():
    out = _solve([100.0, np.inf], "spinglass")
    assert out["converged"].all()
    # the Dataset of rsb.solve at T = 0 (and beta = 100): the same arrays, same programs
    ds = rsb.solve(P, beta=[100.0, np.inf], alpha=ALPHA, branch="spinglass", nodes=48, n_scan=6)
    _assert_dataset_is(ds, out)
    np.testing.assert_array_equal(ds["T"], [0.01, 0.0])
    f100, e0 = out["free_energy"]
    assert abs(f100 - e0) < 5e-5, (f100, e0)
    # T = 0 spin glass: broken with finite mu, energy above RS -sqrt(2c/pi) (Guerra at T = 0)
    c = ALPHA * P * math.factorial(P) / 4
    assert 0.5 < out["mu"][1] < 20 and out["q0"][1] == 0
    assert out["free_energy"][1] > -np.sqrt(2 * c / np.pi) + 0.1


@pytest.mark.slow
def test_zero_temperature_matches_large_beta_retrieval():
    out = _solve([100.0, np.inf], "retrieval")
    assert out["converged"].all()
    assert abs(out["free_energy"][0] - out["free_energy"][1]) < 5e-5
    np.testing.assert_allclose(out["m"][0], out["m"][1], atol=1e-4)


def _entropy(x, beta, quad):
    """s = A - beta dA/dbeta at a stationary point (envelope theorem), package functional."""
    A = lambda b: rsb.pressure(jnp.array(x), b, ALPHA, 0.0, P, quad)  # noqa: E731
    a, da = jax.jit(jax.value_and_grad(A))(beta)  # one program, not ~250 op-by-op compiles
    return float(a - beta * da)


def _rs_sg_entropy(beta):
    """RS spin glass at m = 0, all in NumPy on a fine uniform grid (sech^2 is sharp):
    q = E tanh^2 h, s = ln 2 + E[ln cosh h - h tanh h] - (beta^2 K/2)(1 - P q^(P-1) + (P-1) q^P)."""
    z = np.linspace(-12, 12, 48001)
    w = np.exp(-0.5 * z**2)
    w /= w.sum()
    K = ALPHA * math.factorial(P) / 4
    q = 1.0
    for _ in range(300):
        h = beta * np.sqrt(K * P * q ** (P - 1)) * z
        q = float(np.sum(w * np.tanh(h) ** 2))
    h = beta * np.sqrt(K * P * q ** (P - 1)) * z
    lc = np.abs(h) + np.log1p(np.exp(-2 * np.abs(h))) - np.log(2)
    f = 1 - P * q ** (P - 1) + (P - 1) * q**P
    return q, np.log(2) + np.sum(w * (lc - h * np.tanh(h))) - beta**2 * K / 2 * f


def test_rs_spin_glass_entropy_negative_and_1rsb_removes_it():
    beta = 60.0
    q, s_rs = _rs_sg_entropy(beta)
    # T -> 0 limit of the RS spin glass: -(P-1)/(2 pi), corrections O(T) (+0.016 here)
    np.testing.assert_allclose(s_rs, -(P - 1) / (2 * np.pi), atol=0.03)
    with _x64.enabled():
        quad = rsb.quadrature(1, 96, 96)
        np.testing.assert_allclose(_entropy([0.0, q, q, 1.0], beta, quad), s_rs, atol=2e-3)
    # 1RSB entropy s = beta^2 df/dbeta from the free energy (stationary in every order
    # parameter, so the grid-located theta enters only at second order)
    d = 3.0
    f = _solve([beta - d, beta + d], "spinglass")["free_energy"]
    s_1rsb = beta**2 * (f[1] - f[0]) / (2 * d)
    assert s_rs < -0.4
    assert abs(s_1rsb) < 5e-3, s_1rsb  # 1RSB: ~0 instead of -(P-1)/(2 pi)


def test_unsupervised_rejected_at_1rsb():
    with pytest.raises(ValueError, match="protocol must be one of 'hebbian', 'supervised'"):
        rsb.solve_1rsb(
            protocol="unsupervised",
            P=4,
            beta=np.ones(1),
            alpha=np.ones(1) * 0.01,
            rho=np.zeros(1),
            branch="retrieval",
        )
