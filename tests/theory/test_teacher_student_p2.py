"""P = 2 student of the Curie-Weiss (p* = 2) teacher, RS (theory.rs.teacher_p2).

Independent references: the AGS map and free energy of theory.rs.ags (kappa = 0), the
linear teacher signal at the paramagnet beta alpha kappa / (1 - beta) and its onset
T = 1 + alpha kappa, the Nishimori identity q = q* and line T = 1 + sqrt(alpha), the T = 0
scalar equation q* = erf(kappa q* sqrt(alpha / (2 (1 + kappa q*^2)))), stationarity of the
variational free energy by finite differences, and the full AGS solver. All slow tier: each
needs the P = 2 solver's JAX compile (~6 s CPU); the default-tier check of these equations
is tests/montecarlo/test_teacher.py (an independent NumPy iteration against Monte Carlo).
"""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf

import theory
from theory import _x64
from theory.lines import nishimori_line
from theory.rs import ags
from theory.rs import teacher_p2 as tp


def _names(ds):
    names = ds.phase.attrs["flag_meanings"].split()
    return [names[int(v)] for v in ds.phase.values.ravel()]


@pytest.mark.slow
@pytest.mark.parametrize("x", [(0.7, 0.0, 0.4), (0.2, 0.0, 0.9), (0.0, 0.0, 0.3)])
def test_kappa_zero_map_and_free_energy_are_ags(x):
    """kappa = 0: the map and free energy are AGS's (theory.rs.ags, rho = 0, nbar = m) at
    arbitrary points, not only at solutions."""
    p = {"beta": 1 / 0.6, "kappa": 0.0, "alpha": 0.08}
    pa = {"beta": p["beta"], "alpha": p["alpha"], "rho": 0.0}
    with _x64.enabled():
        ours = np.asarray(tp.rs_map(np.array(x), p))
        theirs = np.asarray(ags.rs_map(np.array([x[0], x[2]]), pa))
        np.testing.assert_allclose(ours[[0, 2]], theirs, rtol=0, atol=1e-13)
        assert ours[1] == 0.0
        f = float(tp.observables(np.array(x), p)["free_energy"])
        fa = float(ags.observables(np.array([x[0], x[2]]), pa)["free_energy"])
    assert f == pytest.approx(fa, abs=1e-13)


@pytest.mark.slow
def test_linear_teacher_signal_at_the_paramagnet():
    """At m = q* = q = 0 (C = beta): dq*'/dq* = beta alpha kappa / (1 - beta), so the
    paramagnet turns towards the teacher at T = 1 + alpha kappa (hand-derived)."""
    beta, alpha, kappa = 1 / 2.5, 0.6, 1.5
    p = {"beta": beta, "kappa": kappa, "alpha": alpha}
    with _x64.enabled():
        J = np.asarray(jax.jacfwd(lambda x: tp.rs_map(x, p))(np.array([0.0, 0.0, beta])))
    assert J[1, 1] == pytest.approx(beta * alpha * kappa / (1 - beta), rel=1e-12)
    assert J[0, 0] == pytest.approx(beta, rel=1e-12)  # the example (Curie-Weiss) direction


@pytest.mark.slow
def test_nishimori_line_identity_transition_and_phases():
    """T = T*: q = q* at the solution (separate unknowns), teacher retrieval up to
    T = 1 + sqrt(alpha) and not above (continuous), AT stable; a T* <= 1 teacher is
    ferromagnetic (eR)."""
    alpha = 0.5
    Tc = float(nishimori_line(2, alpha))
    assert Tc == 1 + math.sqrt(alpha)
    ds = theory.teacher_student(2, T=[0.8, 1.3, 1.6, 0.995 * Tc, 1.005 * Tc, 2.5], alpha=alpha)
    assert _names(ds) == ["eR", "gR", "gR", "gR", "P", "P"]
    qs, q = ds.q_star.values[:, 0], ds.q.values[:, 0]
    np.testing.assert_allclose(q[1:4], qs[1:4], rtol=0, atol=1e-9)
    assert qs[1] > qs[2] > qs[3] > 0 and qs[3] < 0.03 and qs[4] == 0.0
    assert ds.rs_stable.values[1:, 0].all()
    assert bool(ds.teacher_ferromagnetic.values[0, 0])


@pytest.mark.slow
def test_off_nishimori_onset_above_bbp_is_one_plus_alpha_kappa():
    """kappa = 2, alpha = 0.5: alpha kappa^2 = 2 > 1 (above the BBP threshold), so teacher
    retrieval starts continuously at T = 1 + alpha kappa = 2, above T_g = 1 + sqrt(alpha)."""
    alpha, T_star = 0.5, 1.5
    T1 = 1 + alpha * (1 / (T_star - 1))
    ds = theory.teacher_student(2, T=[0.5, 1.5, 0.99 * T1, 1.01 * T1], alpha=alpha,
                                T_star=T_star)  # fmt: skip
    qs = ds.q_star_teacher.values[:, 0]
    assert 0 < qs[2] < 0.1 and qs[3] == 0.0
    assert _names(ds) == ["gR", "gR", "gR", "P"]
    # the teacher state beats the spin glass where both exist; RS breaks at low T
    assert ds.free_energy_teacher.values[1, 0] < ds.free_energy_spinglass.values[1, 0]
    assert list(ds.rs_stable.values[:, 0]) == [False, True, True, True]


@pytest.mark.slow
def test_below_bbp_the_spin_glass_stays_stable_towards_the_teacher():
    """kappa = 1, alpha = 0.2 (alpha kappa^2 = 0.2 < 1): at q* = 0 the teacher slope is
    dq*'/dq* = alpha kappa C / (1 - C), C = beta (1 - q); C peaks at T_g = 1 + sqrt(alpha)
    (C = 1/(1 + sqrt(alpha))), so the slope stays below kappa sqrt(alpha) < 1 at every T:
    no continuous learning below the BBP threshold. The Jacobian's stability agrees, and no
    teacher branch exists on this grid (phases SG below T_g, P above)."""
    alpha, kappa = 0.2, 1.0
    Tg = 1 + math.sqrt(alpha)
    T = np.array([0.3, 0.7, 1.1, 1.3, 0.999 * Tg, 1.6])
    ds = theory.teacher_student(2, T=T, alpha=alpha, T_star=1 + 1 / kappa)
    C = (1 - ds.q_spinglass.values[:, 0]) / T
    slope = alpha * kappa * C / (1 - C)
    assert slope.max() < kappa * math.sqrt(alpha) and slope[4] > 0.99 * kappa * math.sqrt(alpha)
    assert ds.stable_spinglass.values[:, 0].all()
    assert (np.abs(ds.q_star_teacher.values) < 1e-8).all()
    assert _names(ds) == ["SG"] * 5 + ["P"]


@pytest.mark.slow
def test_zero_temperature_closed_form():
    """T = 0: q = 1 and the ratio t / sqrt(alpha r) is C-free, so
    q* = erf(kappa q* sqrt(alpha / (2 (1 + kappa q*^2)))); RS is AT-unstable (replicon -inf)."""
    alpha, kappa = 0.5, 4.0
    g = lambda x: erf(kappa * x * math.sqrt(alpha / (2 * (1 + kappa * x * x)))) - x  # noqa: E731
    ref = brentq(g, 0.3, 1.0)
    o = tp.solve_flat(np.inf, kappa, alpha, branch="teacher")
    assert o["converged"][0] and o["q"][0] == 1.0
    assert o["q_star"][0] == pytest.approx(ref, abs=1e-10)
    assert o["replicon"][0] == -np.inf


@pytest.mark.slow
@pytest.mark.parametrize("T, T_star, alpha", [(1.5, 1.5, 1.0), (0.8, 1.5, 1.0)])
def test_free_energy_is_stationary_at_the_solution(T, T_star, alpha):
    """Central differences of f(m, q*, q, r, t) in every variable vanish at the solution
    (to O(h^2)), and f there equals the reported free energy."""
    beta, kappa = 1 / T, 1 / (T_star - 1)
    o = tp.solve_flat(beta, kappa, alpha, branch="teacher")
    qs, q = o["q_star"][0], o["q"][0]
    D = 1 - beta * (1 - q)
    x = np.array([0.0, qs, q, (q + kappa * qs**2) / D**2, alpha * kappa * qs / D])
    p = {"beta": beta, "kappa": kappa, "alpha": alpha}
    h = 1e-4
    steps = np.vstack([np.zeros(5), h * np.eye(5), -h * np.eye(5)])  # one batched evaluation
    with _x64.enabled():
        f = np.asarray(jax.jit(jax.vmap(lambda v: tp.free_energy_variational(*v, p)))(x + steps))
    assert f[0] == pytest.approx(o["free_energy"][0], abs=1e-10)
    np.testing.assert_array_less(np.abs(f[1:6] - f[6:]) / (2 * h), 1e-7)


@pytest.mark.slow
@pytest.mark.parametrize("branch", ["retrieval", "spinglass"])
def test_kappa_zero_solutions_are_the_ags_solver(branch):
    """kappa = 0 against theory.solve("hebbian", P=2) (its own grid solver and
    continuation): m, q and f of the example / spin-glass branch."""
    T, alpha = np.array([0.2, 0.4, 0.8, 1.2, 1.6]), 0.05
    ref = theory.solve("hebbian", P=2, T=T, alpha=alpha, branch=branch)
    o = tp.solve_flat(1 / T, 0.0, alpha, branch="example" if branch == "retrieval" else branch)
    np.testing.assert_allclose(np.abs(o["m"]), np.abs(ref.m.values), atol=1e-9)
    np.testing.assert_allclose(o["q"], ref.q.values, atol=1e-9)
    np.testing.assert_allclose(o["free_energy"], ref.free_energy.values, atol=1e-9)
    np.testing.assert_allclose(o["replicon"], ref.replicon.values, atol=1e-7)
