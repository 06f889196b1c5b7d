"""Route B's fold finder (theory.rsb.variational0.fold: Newton on grad E = 0, det Hess E = 0 in
(y, alpha)) on a toy energy with a fold known in closed form (issue 29, mutation testing).

The toy replaces ``energy_dense`` (P = 4, y = (n, q0, mu)):
``E = (n - n_c)^3/3 - (alpha_c - alpha) (n - n_c) + k (q0 - n/2)^2 + (mu - mu_c)^2 + rho q0``.
Stationarity: ``q0 = n/2 - rho/(2k)``, ``mu = mu_c`` and ``(n - n_c)^2 = alpha_c - alpha -
rho/2``; the Hessian ``[[2(n - n_c) + k/2, -k, 0], [-k, 2k, 0], [0, 0, 2]]`` has determinant
``8 k (n - n_c)``, so the fold (the largest alpha with a solution) is at ``n = n_c``,
``alpha = alpha_c - rho/2``.
"""

from __future__ import annotations

import numpy as np
import pytest

from theory.rsb import variational0 as route_b

N_C, ALPHA_C, MU_C, K = 0.7, 0.05, 2.0, 3.0


def _toy(y, alpha, rho, *, P, n_y):
    n, q0, mu = y
    return ((n - N_C) ** 3 / 3 - (ALPHA_C - alpha) * (n - N_C) + K * (q0 - n / 2) ** 2
            + (mu - MU_C) ** 2 + rho * q0)


@pytest.fixture
def toy(monkeypatch):
    route_b._fold_solver.cache_clear()
    monkeypatch.setattr(route_b, "energy_dense", _toy)
    yield
    route_b._fold_solver.cache_clear()


def test_fold_of_a_toy_energy_is_found(toy):
    """Started off the fold (n, q0, mu and alpha all perturbed), at rho = 0.02: the fold is
    n = n_c, q0 = n_c/2 - rho/(2k), mu = mu_c, alpha = alpha_c - rho/2, residual ~ 0."""
    rho = 0.02
    a_c, y_c, res = route_b.fold(4, [0.62, 0.33, 2.3], 0.045, rho=rho)
    assert a_c == pytest.approx(ALPHA_C - rho / 2, abs=1e-10)
    np.testing.assert_allclose(y_c, [N_C, N_C / 2 - rho / (2 * K), MU_C], atol=1e-6)
    assert res < 1e-10
