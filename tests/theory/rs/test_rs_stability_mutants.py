"""Value tests of theory.rs.stability (issue #29, mutation testing): the largest real part of
Jacobian eigenvalues against numpy.linalg.eigvals, the stability margin, and the mixture
Hessian eigenvalues against a finite-difference Hessian of the low-storage free energy
summed over every pattern configuration."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from theory import _x64
from theory.rs.stability import MARGIN, is_stable, max_real_eigenvalue, mixture_eigenvalues


def test_largest_real_part_of_2x2_and_3x3_jacobians():
    """Real pairs, a complex pair (real part tr/2) and a 3 x 3 (the eigvals branch)."""
    J = np.array([[[0.3, 0.8], [0.2, -0.5]], [[0.4, -0.9], [0.7, 0.6]],
                  [[1.5, 0.0], [0.0, -2.0]], [[-0.2, 0.1], [0.4, 0.9]]])  # fmt: skip
    J3 = np.array([[0.5, 0.2, 0.0], [0.1, -0.3, 0.4], [0.0, 0.6, 1.2]])
    with _x64.enabled():
        got = np.asarray(max_real_eigenvalue(J))
        got3 = float(max_real_eigenvalue(J3))
    np.testing.assert_allclose(got, np.linalg.eigvals(J).real.max(-1), rtol=1e-14, atol=1e-15)
    assert got3 == pytest.approx(np.linalg.eigvals(J3).real.max(), rel=1e-12)


def test_stable_means_every_eigenvalue_below_one_by_the_margin():
    eig = np.array([0.5, 1.0 - 2 * MARGIN, 1.0 - 0.5 * MARGIN, 1.0, 1.3])
    J = np.zeros((5, 2, 2))
    J[:, 0, 0], J[:, 1, 1] = eig, -1.0
    with _x64.enabled():
        got = np.asarray(is_stable(J)).tolist()
        # a double eigenvalue 1 - MARGIN exactly (tr/2 exact, disc = 0): marginal, not stable
        tie = bool(is_stable(np.eye(2) * (1.0 - MARGIN)))
    assert got == [True, True, False, False, False] and not tie


def _hessian_eigenvalues(s, K, beta, m, h=1e-4):
    """Eigenvalues of the finite-difference Hessian of f(m_1..m_K) = sum m^2/2 -
    E ln 2cosh(beta sum m_mu xi^mu)/beta at the s-mixture (exact average over 2^K xi)."""
    xi = np.array(list(itertools.product((-1.0, 1.0), repeat=K)))

    def f(v):
        y = beta * xi @ v
        return 0.5 * v @ v - np.mean(np.abs(y) + np.log1p(np.exp(-2 * np.abs(y)))) / beta

    x0 = np.r_[np.full(s, m), np.zeros(K - s)]
    E = np.eye(K) * h
    H = np.array([[(f(x0 + E[i] + E[j]) - f(x0 + E[i] - E[j]) - f(x0 - E[i] + E[j])
                    + f(x0 - E[i] - E[j])) / (4 * h * h) for j in range(K)]
                  for i in range(K)])  # fmt: skip
    return np.sort(np.linalg.eigvalsh(H))


@pytest.mark.parametrize("s,beta,m", [(3, 2.5, 0.45), (4, 1.7, 0.3), (2, 3.0, 0.6)])
def test_mixture_eigenvalues_are_those_of_the_free_energy_hessian(s, beta, m):
    got = mixture_eigenvalues(s, beta, m)
    expect = [got[0]] + [got[1]] * (s - 1) + [got[2]]  # K = s + 1 patterns
    np.testing.assert_allclose(np.sort(expect), _hessian_eigenvalues(s, s + 1, beta, m),
                               atol=2e-6)  # fmt: skip


def test_mixture_eigenvalues_at_zero_temperature_and_on_arrays():
    """beta = inf: H = identity; arrays broadcast (the finite entry as on its own)."""
    got = mixture_eigenvalues(3, np.array([math.inf, 2.5]), np.array([0.5, 0.45]))
    assert got.shape == (2, 3)
    np.testing.assert_array_equal(got[0], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(got[1], mixture_eigenvalues(3, 2.5, 0.45), rtol=1e-15)
