"""Value tests of theory.rs.grid (issue #29, mutation testing): the exact binomial law of the
normalised example average against scipy.stats.binom and its first two moments, the chunk
layout of a flat grid, and the size check of the chunked solver."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

import theory
from theory import _x64
from theory.rs.grid import CHUNKS, _pieces, binomial_law, solve_chunked, solve_rs_flat


@pytest.mark.parametrize("r,M", [(0.4, 5.0), (0.9, 3.0)])
def test_binomial_law_is_the_law_of_the_example_average(r, M):
    """u = (2k - M)/(M r), k ~ Binomial(M, (1+r)/2): E u = 1, E u^2 = 1 + (1-r^2)/(M r^2);
    zero weight on the padding k > M."""
    with _x64.enabled():
        u, w = (np.asarray(a) for a in binomial_law(np.float64(r), np.float64(M), 7))
    k = np.arange(8)
    np.testing.assert_allclose(u, (2 * k - M) / (M * r), rtol=1e-15)
    np.testing.assert_allclose(w, binom.pmf(k, int(M), 0.5 * (1 + r)), rtol=1e-12, atol=1e-300)
    assert np.all(w[k > M] == 0.0)
    assert w @ u == pytest.approx(1.0, rel=1e-13)
    assert w @ u**2 == pytest.approx(1.0 + (1 - r * r) / (M * r * r), rel=1e-13)


def _check_cover(pieces, n):
    assert pieces[0][0] == 0 and pieces[-1][1] == n
    for (a, b, c), nxt in zip(pieces, pieces[1:] + [(n, None, None)]):
        assert b == nxt[0] and 0 < b - a <= c and c in CHUNKS


@pytest.mark.parametrize("n", [1, 127, 129, 4096, 4096 + 2048, 4096 + 2049, 3 * 4096 + 5])
def test_chunk_layout(n):
    """Full chunks of the largest size, the remainder in small chunks unless it exceeds half a
    large one (then one padded large chunk)."""
    big, small = CHUNKS[-1], CHUNKS[0]
    pieces = _pieces(n, None)
    _check_cover(pieces, n)
    rest = n % big
    sizes = [c for _, _, c in pieces]
    if rest > big // 2:
        assert sizes == [big] * (n // big + 1)
    else:
        assert sizes == [big] * (n // big) + [small] * -(-rest // small)
    fixed = _pieces(n, small)
    _check_cover(fixed, n)
    assert len(fixed) == -(-n // small)


def test_chunked_solver_refuses_arrays_of_other_sizes():
    x0 = np.zeros((3, 2))
    arrays = [np.ones(3)] * 4 + [np.ones(2)]
    with pytest.raises(ValueError, match="3 rows of x0; got sizes"):
        solve_chunked(x0, arrays, None, P=2, branch="retrieval", M_max=0)


def test_p2_paramagnet_reports_its_zero_r_ags():
    """The AGS paramagnet (q = 0, here at T > 1) has r_AGS = q/(1-C)^2 = 0."""
    ds = theory.solve(P=2, T=1.5, alpha=0.05, branch="paramagnet")
    assert float(ds.r_AGS) == 0.0 and float(ds.q) == 0.0 and bool(ds.converged)


def test_p2_spin_glass_branch_without_load_and_from_negative_starts():
    """alpha = 0: the spin-glass branch is the paramagnet, q = r_AGS = 0, f = -T ln 2, stable
    only above T = 1 (the Curie-Weiss instability of m = 0). alpha > 0 from nbar = +-1 (one
    compiled program for both checks): the equations are odd in nbar for even P, and the
    overlap is reported >= 0, the same from either start."""
    beta = np.array([2.0, 0.5, np.inf, 2.0, 2.0])
    alpha = np.array([0.0, 0.0, 0.0, 0.05, 0.05])
    x0 = np.array([[0.0, 0.0]] * 3 + [[1.0, 0.0], [-1.0, 0.0]])
    one = np.ones(5)
    out = solve_rs_flat(beta, alpha, 0 * one, one, one, P=2, branch="spinglass", x0=x0)
    assert out["q"][:3].tolist() == [0.0] * 3 and out["r_AGS"][:3].tolist() == [0.0] * 3
    np.testing.assert_allclose(out["free_energy"][:3], -np.log(2) / beta[:3], rtol=1e-15)
    assert out["stable"][:3].tolist() == [False, True, False] and out["converged"].all()
    assert out["m"][3] > 0.9 and out["m"][4] == pytest.approx(out["m"][3], rel=1e-9)
    assert out["n"][4] == pytest.approx(out["n"][3], rel=1e-9)


@pytest.mark.parametrize("spectrum", [True, False])
def test_p2_paramagnet_with_and_without_the_example_modes(spectrum):
    """Unsupervised P = 2 (``spectrum=True``): besides the class-mean mode (eigenvalue 1) the
    log-determinant has M - 1 example modes of eigenvalue eps = rho/(1 + rho) per class
    (docs/models.md §4.3), so the paramagnet has f = -[ln 2 - (alpha/2)(ln(1 - beta)
    + (M - 1) ln(1 - beta eps))]/beta for T > 1; without them (supervised) only the first
    logarithm. It solves no equation: zero iterations."""
    beta, alpha, rho, M = np.array([0.5, 0.8]), np.array([0.05, 0.2]), np.array([0.3, 1.5]), 4.0
    one = np.ones(2)
    out = solve_rs_flat(beta, alpha, rho, 0.8 * one, M * one, P=2, branch="paramagnet",
                        spectrum=spectrum)  # fmt: skip
    eps = rho / (1 + rho)
    logdet = np.log1p(-beta) + (M - 1) * np.log1p(-beta * eps) * spectrum
    np.testing.assert_allclose(out["free_energy"], -(np.log(2) - 0.5 * alpha * logdet) / beta,
                               rtol=0, atol=1e-14)  # fmt: skip
    assert out["iterations"].tolist() == [0, 0] and out["converged"].all()


def test_the_passes_compose_from_the_branch_start():
    """docs/theory.md: every point gets a first pass from the branch's start (retrieval:
    m = 1, q = 0) of at most 12 damped and 12 Newton iterations, Newton once the residual is
    below 0.05; a point left unconverged continues from where it stopped in a second pass
    (200 damped, the solver's default Newton budget and switch), and ``iterations`` counts
    both. Composed here from direct calls of the solver: T = 0.95, alpha = 0.001 lies above
    the retrieval line (T_M ~ 0.94), where the overlap relaxes slowly to 0 (two passes);
    T = 0.2, alpha = 0.11 converges to m = 0.98 in the first pass."""
    import functools

    import jax
    import jax.numpy as jnp

    from theory.rs import ags
    from theory.rs.fixed_point import MAX_NEWTON, NEWTON_BELOW, fixed_point

    T, alpha = np.array([0.95, 0.2]), np.array([0.001, 0.11])
    out = solve_rs_flat(1 / T, alpha, np.zeros(2), np.ones(2), np.ones(2), P=2,
                        branch="retrieval", keep_x=True)  # fmt: skip
    @functools.partial(jax.jit, static_argnames=("budget",))
    def solve(x0, beta, alpha, budget):  # one compiled solver per budget, for both points
        p = {"beta": beta, "alpha": alpha, "rho": jnp.zeros_like(beta)}
        F = functools.partial(ags.rs_map, p=p, law=None)
        return fixed_point(F, x0, functools.partial(ags.project, p=p), max_damped=budget[0],
                           max_newton=budget[1], newton_below=budget[2])  # fmt: skip

    for i, passes in enumerate((2, 1)):
        with _x64.enabled():
            args = (jnp.float64(1 / T[i]), jnp.float64(alpha[i]))
            sol = solve(jnp.array([1.0, 0.0]), *args, budget=(12, 12, 0.05))
            n = int(sol.iterations)
            assert bool(sol.converged) == (passes == 1)
            if passes == 2:
                sol = solve(sol.x, *args, budget=(200, MAX_NEWTON, NEWTON_BELOW))
                n += int(sol.iterations)
        assert bool(sol.converged) and out["converged"][i]
        assert out["iterations"][i] == n
        np.testing.assert_allclose(out["x"][i], np.asarray(sol.x), rtol=0, atol=1e-12)
    assert abs(out["m"][0]) < 1e-9 and out["m"][1] > 0.9  # no retrieval above T_M
