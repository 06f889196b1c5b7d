"""Stability read out by the multitasking solver (theory.multitasking.solver) against closed
forms (issue 29, mutation testing).

At T = 0 without data noise F(nbar) = E[xi sign(xi . nbar)] is piecewise constant, so the
Hessian of f = (1 + rho)|nbar|^2 / 2 - E|h| is exactly (1 + rho) times the identity away from
ties, and a tie (h = 0 on a configuration of nonzero weight) is a concave kink: the state
is a saddle (stability -inf).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

import theory.multitasking as mt


@pytest.mark.slow  # its own compilation (finite-M law, symmetric branch): 2.5 s
def test_finite_M_symmetric_state_at_zero_temperature_is_a_tie():
    """Exact finite-M law, T = 0, nbar_1 = nbar_2: xi = (1, -1) with equal example averages
    gives h = 0 exactly (no Gaussian data noise in this law), a kink of f."""
    ds = mt.solve(2, 0.3, T=0.0, r=0.5, M=2, finite_M=True, branch="symmetric")
    assert float(ds.n[0]) == float(ds.n[1]) > 0
    assert float(ds.stability) == -float("inf") and not bool(ds.stable)


def test_symmetric_branch_just_below_the_critical_temperature():
    """rho = 0, K = 2, T = T_c (1 - 1e-5): the symmetric amplitude m solves the reduced
    equation m = (1-d)[d tanh(beta m) + (1-d)/2 tanh(2 beta m)] (scipy brentq). The curvature
    along the branch is ~1e-5 here, so only a full Newton step on the subspace (no |lambda|
    floor) reaches it to 1e-8."""
    d = 0.8
    T = (1 - d) * (1 - 1e-5)
    b = 1 / T

    def g(m):
        return m - (1 - d) * (d * np.tanh(b * m) + 0.5 * (1 - d) * np.tanh(2 * b * m))

    ref = brentq(g, 1e-9, 1.0, xtol=1e-16, rtol=1e-15)
    ds = mt.solve(2, d, T=T, branch="symmetric")
    np.testing.assert_allclose(ds.n.values, [ref, ref], rtol=0, atol=1e-8)


def test_twenty_point_grid_is_the_curie_weiss_magnet():
    """d = 0, K = 2 (classic Hopfield at finite K): nbar = (m, 0) with m = tanh(m / T), on a
    grid of 20 temperatures (the solver pads it to 32 and steps the running points in
    shrinking batches). At T = 0, m = 1 and the Hessian is the identity: no tie among the
    configurations of nonzero weight (xi^1 = +-1 always; those with xi^1 = 0 have weight
    d = 0 and must not count)."""
    T = np.concatenate([[0.0], np.linspace(0.1, 0.9, 19)])
    ds = mt.solve(2, 0.0, T=T)
    ref = [1.0] + [brentq(lambda m, t=t: m - np.tanh(m / t), 1e-3, 1.0, xtol=1e-15) for t in T[1:]]
    np.testing.assert_allclose(ds.n.values[:, 0], ref, rtol=0, atol=1e-9)
    assert np.all(ds.n.values[:, 1] == 0.0) and bool(ds.converged.all())
    assert float(ds.stability[0]) == 1.0 and bool(ds.stable[0])
