"""Teacher-student RS theory (theory.teacher_student, theory.rs.teacher, the Nishimori line).

References: the Nishimori identity q = q* (not imposed by the solver: q and q* are separate
unknowns), the T = 0 closed form q* = erf(beta* sqrt(c/2) q*^(P-1)), the line coefficients
quoted by the peer (Theriault & Tantari, SciPost Phys. 17, 040 (2024): T' = 0.652 sqrt(2
alpha') and 0.682 sqrt(2 alpha') at p = 3, in units T' = 2T, alpha' = 6 alpha) and, in the
slow tier, the 1RSB spin-glass transition of the direct model computed by theory.rsb.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf

import theory
from theory.lines import nishimori_line
from theory.rs import teacher


@pytest.mark.parametrize("T, alpha", [(1.0, 1.0), (0.9, 0.8), (1.2, 1.5)])
def test_nishimori_identity_q_equals_q_star(T, alpha):
    o = teacher.solve_flat(1 / T, 1 / T, alpha, P=3, branch="teacher")
    assert o["converged"][0] and o["q_star"][0] > 0.5
    assert o["q"][0] == pytest.approx(o["q_star"][0], abs=1e-9)


def test_off_nishimori_q_differs_from_q_star():
    o = teacher.solve_flat(1 / 0.8, 1 / 1.0, 1.0, P=3, branch="teacher")
    assert o["converged"][0] and abs(o["q"][0] - o["q_star"][0]) > 5e-3


@pytest.mark.parametrize("T_star, alpha", [(1.0, 1.0), (0.8, 1.0)])
def test_zero_temperature_student_closed_form(T_star, alpha):
    P = 3
    c = alpha * P * math.factorial(P) / 4
    qs = brentq(lambda x: x - erf(np.sqrt(c / 2) * x ** (P - 1) / T_star), 0.75, 1.0)
    o = teacher.solve_flat(np.inf, 1 / T_star, alpha, P=P, branch="teacher")
    assert o["converged"][0] and o["q"][0] == 1.0
    assert o["q_star"][0] == pytest.approx(qs, abs=1e-9)
    # the T -> 0 limit is continuous
    o2 = teacher.solve_flat(1e4, 1 / T_star, alpha, P=P, branch="teacher")
    assert o2["q_star"][0] == pytest.approx(qs, abs=1e-3)


def test_nishimori_line_matches_peer_coefficients():
    kappa_th = float(nishimori_line(3, 1.0))
    kappa_sp = float(nishimori_line(3, 1.0, kind="spinodal"))
    to_peer = 2 / math.sqrt(2 * math.factorial(3))  # T' = 2T, alpha' = 6 alpha
    assert kappa_th * to_peer == pytest.approx(0.652, abs=1.5e-3)
    assert kappa_sp * to_peer == pytest.approx(0.682, abs=1.5e-3)
    np.testing.assert_allclose(nishimori_line(3, [0.25, 4.0]), kappa_th * np.array([0.5, 2.0]))


def test_phase_classification_on_the_nishimori_line():
    k = float(nishimori_line(3, 1.0))
    ks = float(nishimori_line(3, 1.0, kind="spinodal"))
    ds = theory.teacher_student(3, T=[0.5, 0.95 * k, 0.5 * (k + ks), 1.05 * ks], alpha=1.0)
    names = ds.phase.attrs["flag_meanings"].split()
    assert [names[int(v)] for v in ds.phase.values[:, 0]] == ["eR", "gR", "lR", "P"]
    assert bool(ds.teacher_ferromagnetic.values[0, 0])  # T = 0.5 < T_c(teacher) = 0.75


def test_example_retrieval_off_the_nishimori_line():
    """Small load, low T, hot teacher: the student memorises single examples (eR), the
    direct model's retrieval state (q* = 0, m = direct-model m)."""
    ds = theory.teacher_student(3, T=0.2, alpha=0.03, T_star=1.5)
    assert ds.phase.attrs["flag_meanings"].split()[ds.phase.item()] == "eR"
    direct = theory.solve("hebbian", P=3, T=0.2, alpha=0.03)
    assert ds.m.item() == pytest.approx(float(direct.m), abs=1e-8)


def test_teacher_student_refuses_p2_and_bad_input():
    with pytest.raises(ValueError, match="needs P >= 3"):
        theory.teacher_student(2, T=1.0, alpha=1.0)
    with pytest.raises(ValueError, match="T_star must be > 0"):
        theory.teacher_student(3, T=1.0, alpha=1.0, T_star=0.0)


@pytest.mark.slow
def test_nishimori_line_is_the_direct_model_1rsb_glass_transition():
    """The paper's statement, checked with two different solvers: the 1RSB spin glass of
    the direct model (random patterns, theory.rsb) appears at T_s = kappa sqrt(alpha),
    the thermodynamic Nishimori line of the teacher-student RS theory."""
    k = float(nishimori_line(3, 1.0))
    T = np.array([0.97 * k, 1.03 * k])
    ds = theory.solve("hebbian", P=3, T=T, alpha=1.0, branch="spinglass", level="1RSB")
    f_para = -T * math.log(2) - 6 / (8 * T)
    assert ds.q1.values[0] > 0.7 and ds.theta.values[0] < 1.0
    # below T_s the broken solution's f lies above the paramagnet's (the 1RSB free energy
    # is maximised over theta in [0, 1]); above T_s there is none
    assert ds.free_energy.values[0] > f_para[0]
    assert abs(ds.q1.values[1]) < 1e-12 and ds.theta.values[1] == 1.0
