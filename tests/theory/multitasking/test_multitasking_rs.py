"""theory.multitasking.solve: the multitasking RS equations (docs/models.md §6).

Independent references: the T = 0 cascade m_k = (1-d) d^(k-1) (closed form), the root of
1 - 2d + d^K, brute-force 2-D Gauss-Hermite averages over the two data noises (checks the
one-Gaussian + Stein reduction used by the solver), autodiff gradients of f (stationarity).
"""

from __future__ import annotations

import itertools

import jax
import numpy as np
import pytest

import theory.multitasking as mt
from theory import _x64
from theory._gaussian import gauss_normal
from theory.multitasking.equations import exact_configs
from theory.multitasking.solver import gradient_grid

SOLVER_TOL = 1e-12


def cascade_closed_form(K, d):
    return (1.0 - d) * d ** np.arange(K)


@pytest.mark.parametrize("K", [2, 3, 4], ids=lambda k: f"K={k}")
def test_zero_temperature_cascade_below_critical_dilution(K):
    dc = 1.0 if K == 2 else {3: 0.6180339887, 4: 0.5436890127}[K]
    d = np.linspace(0.05, min(dc, 0.95) - 0.02, 6)
    ds = mt.solve(K, d, T=0.0)
    expected = np.stack([cascade_closed_form(K, x) for x in d])
    np.testing.assert_allclose(ds.m.values, expected, rtol=0, atol=10 * SOLVER_TOL)
    assert ds.converged.all() and ds.stable.all()
    # the T = 0 free energy is the energy -sum m^2 / 2 at a fixed point
    np.testing.assert_allclose(ds.free_energy, -0.5 * (expected**2).sum(-1), atol=1e-12)


@pytest.mark.parametrize("K", [3, 4], ids=lambda k: f"K={k}")
def test_cascade_breaks_at_critical_dilution_in_the_solver(K):
    dc = mt.critical_dilution(K)
    d = np.array([dc - 0.01, dc + 0.01])
    # start exactly on the cascade; it must stay there below d_c and leave it above
    for x, should_hold in zip(d, [True, False]):
        start = cascade_closed_form(K, x)
        for kw in ({"T": 0.0}, {"beta": 5000.0}):
            ds = mt.solve(K, x, branch=start, **kw)
            assert bool(ds.converged)
            dev = float(np.abs(ds.m.values - start).max())
            assert (dev < 1e-6) == should_hold, (K, x, kw, dev)


def test_critical_dilution_values():
    assert mt.critical_dilution(3) == pytest.approx((np.sqrt(5) - 1) / 2, abs=1e-12)
    assert mt.critical_dilution(3) == pytest.approx(0.6180, abs=5e-5)
    assert mt.critical_dilution(4) == pytest.approx(0.5437, abs=5e-5)
    for K in (3, 5, 8):
        dc = mt.critical_dilution(K)
        assert 1 - 2 * dc + dc**K == pytest.approx(0.0, abs=1e-12)
    assert mt.critical_dilution(2) == 1.0


def test_beta50_amplitudes_k2():
    ds = mt.solve(2, 0.3, beta=50.0)
    np.testing.assert_allclose(ds.m.values, [0.70, 0.21], atol=1e-3)
    assert bool(ds.stable)


@pytest.mark.parametrize("K, rho", [(3, 0.0), (2, 0.3)], ids=["K=3-rho=0", "K=2-rho=0.3"])
def test_finite_temperature_approaches_zero_temperature(K, rho):
    d = np.array([0.3, 0.5])
    exact = mt.solve(K, d, T=0.0, rho=rho)
    cold = mt.solve(K, d, beta=2000.0, rho=rho)
    # rho = 0: corrections ~ exp(-beta * gap); rho > 0: ~ (beta sigma)^-2 ~ 1e-5
    np.testing.assert_allclose(cold.m, exact.m, atol=1e-4)
    np.testing.assert_allclose(cold.free_energy, exact.free_energy, atol=1e-4)


@pytest.mark.parametrize("rho", [0.0, 0.25, 1.0], ids=lambda r: f"rho={r}")
def test_paramagnetic_line_is_one_minus_d(rho):
    d = np.array([0.0, 0.2, 0.5, 0.8])
    Tc = mt.critical_temperature(d, rho)
    np.testing.assert_allclose(Tc, 1 - d)
    eps = 2e-3
    for x, t in zip(d, Tc):
        above = mt.solve(2, x, T=t * (1 + eps), rho=rho, branch="paramagnet")
        below = mt.solve(2, x, T=t * (1 - eps), rho=rho, branch="paramagnet")
        assert bool(above.stable) and not bool(below.stable)
        # the retrieval branch carries a signal just below T_c and none just above
        assert float(np.abs(mt.solve(2, x, T=t * (1 - eps), rho=rho).n).max()) > 1e-3
        assert float(np.abs(mt.solve(2, x, T=t * (1 + eps), rho=rho).n).max()) < 1e-5


def onset(d, rho, branch="hierarchical"):
    """K = 2 state just below T_c = 1 - d."""
    return mt.solve(2, d, T=(1.0 - d) * (1 - 2e-3), rho=rho, branch=branch)


@pytest.mark.parametrize(
    "rho, d_low, d_high",
    [(0.0, [0.4, 0.6], [0.7, 0.8]), (0.2, [0.42], [0.5])],
    ids=["rho=0", "rho=0.2"],
)
def test_k2_onset_single_pattern_below_d_par_both_above(rho, d_low, d_high):
    d_par = mt.parallel_dilution(rho)
    assert all(x < d_par for x in d_low) and all(x > d_par for x in d_high)
    for x in d_low:
        ds = onset(x, rho)
        n = ds.n.values
        assert n[0] > 1e-3 and abs(n[1]) < 1e-8 * n[0] and bool(ds.stable)
        if rho == 0:  # the other candidate is a saddle (rho > 0: same code path, compiled once)
            assert not bool(onset(x, rho, "symmetric").stable)
    for x in d_high:
        ds = onset(x, rho)
        n = ds.n.values
        # near T_c the Hessian eigenvalue along n1 - n2 is ~1e-4, so a residual below
        # tol = 1e-12 pins n1 - n2 only to ~1e-8
        assert n[0] > 1e-3 and n[1] == pytest.approx(n[0], rel=1e-6) and bool(ds.stable)
        assert not bool(onset(x, rho, "pure").stable)


def test_parallel_dilution_is_two_thirds_for_hebbian():
    assert mt.parallel_dilution(0.0) == pytest.approx(2 / 3, abs=1e-15)


def test_free_energy_is_stationary_at_solutions():
    ds = mt.solve(2, [0.2, 0.5], T=[0.0, 0.15], rho=[0.0, 0.4])
    assert ds.converged.all()
    n = ds.n.values.reshape(-1, 2)
    d, T, rho = (g.ravel() for g in np.meshgrid(ds.d, ds["T"], ds.rho, indexing="ij"))
    beta = np.where(T > 0, 1 / np.where(T > 0, T, 1), np.inf)
    with _x64.enabled():
        z, wz = gauss_normal()
        xi = exact_configs(2)
        table = (xi, np.ones_like(xi), np.ones_like(xi))
        g = gradient_grid(n, beta, rho, d, None, table, z, wz)
        g = np.asarray(g)
    assert np.abs(g).max() < 1e-9


def brute_force_f_and_m(n, d, beta, rho, nodes=80):
    """K = 2 free energy and m with the two data noises averaged separately (product rule)."""
    y, wy = np.polynomial.hermite_e.hermegauss(nodes)
    wy = wy / wy.sum()
    Y1, Y2 = np.meshgrid(y, y, indexing="ij")
    W = np.outer(wy, wy)
    lc = 0.0
    m = np.zeros(2)
    for xi in itertools.product((-1, 0, 1), repeat=2):
        p = np.prod([d if v == 0 else (1 - d) / 2 for v in xi])
        h = n[0] * xi[0] * (1 + np.sqrt(rho) * Y1) + n[1] * xi[1] * (1 + np.sqrt(rho) * Y2)
        lc += p * np.sum(W * np.logaddexp(beta * h, -beta * h)) / beta
        m += p * np.array(xi) * np.sum(W * np.tanh(beta * h))
    return 0.5 * (1 + rho) * np.sum(n**2) - lc, m


@pytest.mark.parametrize("beta", [1.7, 4.0], ids=lambda b: f"beta={b}")
def test_one_gaussian_reduction_matches_product_quadrature(beta):
    d, rho = 0.35, 0.3
    ds = mt.solve(2, d, beta=beta, rho=rho)
    f_ref, m_ref = brute_force_f_and_m(ds.n.values, d, beta, rho)
    assert float(ds.free_energy) == pytest.approx(f_ref, abs=1e-9)
    np.testing.assert_allclose(ds.m.values, m_ref, atol=1e-9)


def test_symmetric_and_pure_branches_stay_on_their_subspace():
    sym = mt.solve(2, 0.6, T=0.1, branch="symmetric")
    v = sym.m.values
    assert v[0] == v[1] and v[0] > 0
    pure = mt.solve(2, 0.3, T=0.1, branch="pure", order=[1, 0])
    v = pure.m.values
    assert v[1] > 0.5 and v[0] == 0.0
    # at T = 0 both are saddles (ties), the hierarchical state is stable and lower
    z = mt.solve(2, 0.3, T=0.0, branch="symmetric")
    h = mt.solve(2, 0.3, T=0.0)
    assert not bool(z.stable) and bool(h.stable)
    assert float(h.free_energy) < float(z.free_energy)


def test_sampled_average_agrees_with_exact():
    exact = mt.solve(3, 0.3, T=0.3)
    samp = mt.solve(3, 0.3, T=0.3, average="sampled", samples=20_000, seed=7)
    # Monte Carlo error of E over 2e4 configurations is ~ 1/sqrt(2e4) = 0.007
    np.testing.assert_allclose(samp.m, exact.m, atol=0.03)
    again = mt.solve(3, 0.3, T=0.3, average="sampled", samples=20_000, seed=7)
    np.testing.assert_array_equal(samp.m, again.m)


def test_dataset_layout():
    ds = mt.solve(2, [0.1, 0.2, 0.3], T=[0.1, 0.2], rho=0.1)
    assert ds.m.dims == ("d", "T", "pattern")
    assert ds.free_energy.dims == ("d", "T")
    np.testing.assert_allclose(ds["beta"], [10.0, 5.0])
    assert ds.attrs["K"] == 2 and float(ds.rho) == 0.1
    assert ds.m.attrs["units"] == "1"


def test_solve_leaves_global_precision_alone():
    before = jax.config.jax_enable_x64
    mt.solve(2, 0.3, T=0.2)
    assert jax.config.jax_enable_x64 == before


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"K": 2, "d": 1.0, "T": 0.1}, r"d must lie in \[0, 1\)"),
        ({"K": 2, "d": -0.1, "T": 0.1}, r"d must lie in \[0, 1\)"),
        ({"K": 0, "d": 0.2, "T": 0.1}, r"K must be an integer >= 1; got K=0"),
        ({"K": 11, "d": 0.2, "T": 0.1}, r"K=11 is too large .*average='sampled'"),
        ({"K": 2, "d": 0.2, "T": 0.1, "rho": -1.0}, r"rho must lie in \[0, inf\)"),
        ({"K": 2, "d": 0.2}, r"give exactly one of beta and T"),
        ({"K": 2, "d": 0.2, "T": 0.1, "beta": 10.0}, r"give exactly one of beta and T"),
        ({"K": 2, "d": 0.2, "T": -0.1}, r"T must lie in \[0, inf\)"),
        ({"K": 2, "d": 0.2, "T": 0.1, "branch": "mixed"}, r"branch must be one of"),
        ({"K": 2, "d": 0.2, "T": 0.1, "order": [0, 0]}, r"order must be a permutation"),
        ({"K": 2, "d": 0.2, "T": 0.1, "average": "sampled"}, r"needs a seed"),
        ({"K": 2, "d": [[0.1]], "T": 0.1}, r"d must be a scalar or a 1-D array"),
    ],
)
def test_bad_input_raises(kwargs, match):
    K = kwargs.pop("K")
    d = kwargs.pop("d")
    with pytest.raises(ValueError, match=match):
        mt.solve(K, d, **kwargs)


def test_wrong_kind_of_K_is_type_error():
    with pytest.raises(TypeError, match="K must be an integer"):
        mt.solve(2.0, 0.3, T=0.1)


def finite_M_reference(K, d, beta, M, r, iterations=4000):
    """Damped iteration of nbar = E[xi a tanh(beta (1+rho) sum nbar xi a)] summed over every
    (xi, B) combination, a = chi / (r (1 + rho)), chi = (2B - M)/M (docs/models.md §3 and §6)."""
    from scipy.stats import binom

    rho = (1 - r**2) / (M * r**2)
    states = [(0.0, 0.0, d)] + [
        (s, (2 * B - M) / M / (r * (1 + rho)), (1 - d) / 2 * binom.pmf(B, M, (1 + r) / 2))
        for s in (1.0, -1.0)
        for B in range(M + 1)
    ]
    combos = list(itertools.product(states, repeat=K))
    xi = np.array([[c[0] for c in row] for row in combos])
    a = np.array([[c[1] for c in row] for row in combos])
    p = np.array([np.prod([c[2] for c in row]) for row in combos])
    n = (1 - d) * d ** np.arange(K)
    for _ in range(iterations):
        t = np.tanh(beta * (1 + rho) * ((xi * a) @ n))
        n = 0.5 * n + 0.5 * ((p * t) @ (xi * a))
    t = np.tanh(beta * (1 + rho) * ((xi * a) @ n))
    return (p * t) @ xi, n


def test_finite_M_law_matches_direct_sum():
    K, d, beta, M, r = 2, 0.3, 3.0, 8, 0.5
    ds = mt.solve(K, d, beta=beta, r=r, M=M, finite_M=True)
    m_ref, n_ref = finite_M_reference(K, d, beta, M, r)
    np.testing.assert_allclose(ds.n.values, n_ref, atol=1e-9)
    np.testing.assert_allclose(ds.m.values, m_ref, atol=1e-9)
    assert float(ds.rho) == pytest.approx((1 - r**2) / (M * r**2))
    # the large-M Gaussian law is a different (approximate) answer at this small M
    gauss = mt.solve(K, d, beta=beta, r=r, M=M)
    assert float(np.abs(gauss.m - ds.m).max()) > 1e-4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"r": 0.5}, r"give both r and M"),
        ({"r": 0.5, "M": 10, "rho": 0.1}, r"give rho or \(r, M\), not both"),
        ({"r": 1.5, "M": 10}, r"r must lie in \(0, 1\]"),
        ({"r": 0.5, "M": 0}, r"M must be an integer >= 1"),
        ({"finite_M": True}, r"finite_M=True needs the example quality r"),
        ({"r": 0.5, "M": 2000, "finite_M": True}, r"\(2M\+3\)\^K = 16024009"),
    ],
)
def test_bad_data_law_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mt.solve(2, 0.3, T=0.1, **kwargs)


@pytest.mark.slow
def test_sampled_average_beyond_the_exact_limit():
    """K = 12 (3^12 configurations is past the exact limit): sampled T = 0 cascade."""
    K, d = 12, 0.3
    ds = mt.solve(K, d, T=0.0, average="sampled", samples=40_000, seed=11)
    # each m_k is a mean of +-1/0 over 4e4 samples: error <= 1/sqrt(4e4) = 0.005; amplitudes
    # below that (k >= 4) are set by sampling noise, only their size is checked
    np.testing.assert_allclose(ds.m.values[:3], cascade_closed_form(K, d)[:3], atol=0.02)
    assert np.abs(ds.m.values[3:]).max() < 0.05
    assert bool(ds.converged)


def test_non_converged_points_are_flagged_nan_and_warned():
    with pytest.warns(mt.ConvergenceWarning, match=r"1 of 1 grid points did not converge"):
        ds = mt.solve(2, 0.3, T=0.5, max_iter=1)
    assert not bool(ds.converged) and not bool(ds.stable)
    assert np.isnan(ds.m.values).all() and np.isnan(float(ds.free_energy))


def test_nodes_is_deprecated_and_changes_nothing():
    """The data-noise average is the shared theory._gaussian rule; ``nodes`` is ignored."""
    with pytest.warns(DeprecationWarning, match="nodes is no longer used"):
        old = mt.solve(2, 0.3, T=0.0, nodes=40)
    np.testing.assert_array_equal(old.m.values, mt.solve(2, 0.3, T=0.0).m.values)
