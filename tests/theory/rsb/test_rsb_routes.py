"""The two 1RSB routes (docs/rsb.md): route A (engine equations + Newton continuation to the
fold, theory.rsb.capacity / spinodal) and route B (T = 0 variational functional, autodiff
stationarity, det-Hessian fold, theory.rsb.variational0), against each other and against
the published P = 2 value (Steffan & Kuehn 1994: 0.138186)."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import theory
from theory import _x64, rsb
from theory.rsb import ags, capacity, dense, spinodal
from theory.rsb import variational0 as route_b

ALPHA_C_1RSB_P2 = 0.138186  # Steffan & Kuehn, Z. Phys. B 95 (1994) 249 [PUB]


def _r_of_q(q0, C, mu):
    """The P = 2 conjugates at their stationary values, r(q) (Crisanti-Amit-Gutfreund)."""
    lam1, lam2 = 1 - C, 1 - C - mu * (1 - q0)
    r0 = q0 / lam2**2
    return r0, (1 - q0) / (lam1 * lam2) + r0


def test_route_b_energies_match_the_engine_functionals():
    """Same energies from independent code and quadrature (kink-split sinh-mapped
    Gauss-Legendre vs the closed-form b -> 0 split of theory._gaussian.tilted_averages)."""
    alpha4, y4 = 0.035, np.array([0.85, 0.8, 2.5])
    alpha2, y2 = 0.13, np.array([0.96, 0.99, 0.06, 20.0])
    quad = rsb.quadrature(1, 8, 8)

    @jax.jit  # the four energies in one compiled program
    def energies(y4, y2, y2_route_b):
        return jax.numpy.stack([
            dense.energy0(y4, alpha4, 0.0, 4, quad),
            ags.energy0(y2, alpha2, 0.0, quad),
            route_b.energy_dense(y4, alpha4, 0.0, P=4, n_y=1),
            route_b.energy_ags(y2_route_b, alpha2, 0.0, n_y=1),
        ])

    with _x64.enabled():
        e4, e2, b4, b2 = np.asarray(energies(y4, y2, np.r_[y2, _r_of_q(*y2[1:])]))
    assert abs(e4 - b4) < 1e-10 and abs(e2 - b2) < 1e-10


def test_newton_continuation_finds_a_known_fold():
    """alpha(n) = 0.05 - (n - 0.7)^2 (1 + q^2), q = n/2: fold at n = 0.7, alpha = 0.05."""

    def R(x, alpha):
        n, q = x
        return jax.numpy.stack([alpha - 0.05 + (n - 0.7) ** 2 * (1 + q**2), q - n / 2])

    a_c, x_c = spinodal.fold(R, np.array([0.6, 0.3]), 0.05 - 0.01 * 1.09, progress=False)
    assert a_c == pytest.approx(0.05, abs=1e-12) and x_c[0] == pytest.approx(0.7, abs=1e-6)


@pytest.mark.slow  # ~2-3 min of compilation on a busy 2-core machine; ~4 s warm
def test_p2_capacity_published_precision():
    a_c = theory.critical_load(2, protocol="hebbian", level="1RSB", progress=False)
    assert abs(a_c - ALPHA_C_1RSB_P2) < 2e-6
    assert theory.critical_load(2, protocol="hebbian") == pytest.approx(0.137906, abs=2e-6)


@pytest.mark.slow  # ~5 min: route A and route B at P = 2 and P = 4
@pytest.mark.parametrize("P", [2, 4])
def test_two_routes_agree(P):
    from theory.critical import critical_point

    a_rs = critical_point(P, protocol="hebbian", T=0.0)[0]
    a_a, x_a = capacity.capacity(P, np.inf, 0.0, a_rs, n_y=1, progress=False)
    # start off the route-A point (q0 kept below 1, n as found)
    if P == 2:
        y0 = np.r_[x_a, _r_of_q(*x_a[1:])] * [1, 1, 1.01, 0.98, 1, 1.002]
        a0 = 0.999 * a_a
    else:
        y0, a0 = x_a * [1, 0.98, 1.03], 0.99 * a_a
    a_b, y_b, res = route_b.fold(P, y0, a0)
    assert res < 1e-9 and abs(a_a - a_b) < 1e-6
    assert a_a > a_rs
    _, g, H = route_b.evaluate(P, y_b, a_b)
    sv = np.linalg.svd(H, compute_uv=False)
    assert np.max(np.abs(g)) < 1e-9 and sv[-1] < 1e-6 * sv[0]  # stationary, Hessian singular
