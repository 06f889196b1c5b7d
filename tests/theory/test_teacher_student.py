"""Teacher-student RS theory (theory.teacher_student, theory.rs.teacher, the Nishimori line).

References: the Nishimori identity q = q* (not imposed by the solver: q and q* are separate
unknowns), the T = 0 closed form q* = erf(beta* sqrt(c/2) q*^(P-1)), the line coefficients
quoted by the peer (Theriault & Tantari, SciPost Phys. 17, 040 (2024): T' = 0.652 sqrt(2
alpha') and 0.682 sqrt(2 alpha') at p = 3, in units T' = 2T, alpha' = 6 alpha) and, in the
slow tier, the 1RSB spin-glass transition of the direct model computed by theory.rsb.
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


def test_teacher_student_refuses_bad_input():
    with pytest.raises(ValueError, match="P_star must be P"):
        theory.teacher_student(2, T=1.0, alpha=1.0, T_star=1.5, P_star=3)
    with pytest.raises(ValueError, match="T_star must be > 0"):
        theory.teacher_student(3, T=1.0, alpha=1.0, T_star=0.0)
    with pytest.raises(ValueError, match="P_star must be P"):
        theory.teacher_student(3, T=1.0, alpha=1.0, T_star=1.5, P_star=4)
    with pytest.raises(ValueError, match="no Nishimori line"):
        theory.teacher_student(3, T=1.0, alpha=1.0, P_star=2)
    with pytest.raises(ValueError, match="needs N"):
        theory.teacher_student(4, T=1.0, alpha=1.0, T_star=10.0, P_star=2)


# --- mismatched teacher p* = 2 ---------------------------------------------------------


@pytest.mark.parametrize("P", [3, 4, 5])
@pytest.mark.parametrize("Q, a", [(0.3, 0.0), (0.5, 0.4), (-0.2, 1.1)])
def test_pair_crosstalk_is_the_hermite_covariance(P, Q, a):
    """F(Q, a) = E[He_P(y) He_P(y')] for Gaussian y, y' of variance 1 + a and covariance Q,
    against a 2-d Gauss-Hermite quadrature (exact for these polynomials)."""
    x, w = np.polynomial.hermite_e.hermegauss(20)
    w = w / w.sum()
    L = np.linalg.cholesky(np.array([[1 + a, Q], [Q, 1 + a]]))
    z1, z2 = np.meshgrid(x, x, indexing="ij")
    y1, y2 = L[0, 0] * z1, L[1, 0] * z1 + L[1, 1] * z2
    he = np.polynomial.hermite_e.HermiteE.basis(P)
    quad = float(np.einsum("i,j,ij->", w, w, he(y1) * he(y2)))
    assert float(teacher.pair_crosstalk(Q, a, P)) == pytest.approx(quad, rel=1e-10, abs=1e-10)


def test_pair_theory_without_correlations_is_the_direct_model():
    """kappa = 0 (an infinitely hot p* = 2 teacher): every branch equals the matched
    equations at beta* = 0, i.e. the direct model with random patterns."""
    beta, alpha = 1 / np.array([0.2, 0.5, 1.0]), np.array([0.03, 0.3, 1.0])
    for branch in ("teacher", "example", "spinglass"):
        a = teacher.solve_flat(beta, 0.0, alpha, P=3, branch=branch)
        b = teacher.solve_flat(beta, 0.0, alpha, P=3, branch=branch, kappa=0.0)
        for k in ("m", "q_star", "q", "free_energy"):
            np.testing.assert_allclose(b[k], a[k], rtol=0, atol=1e-12)


def test_pair_free_energy_is_stationary_at_the_teacher_solution():
    """kappa > 0, q* > 0: the pair free energy is stationary in (m, q*, C) at the solution of
    the pair map, its teacher term q* h_teacher included (issue #29: mutation testing)."""
    beta, kappa, alpha = 1.25, 2.0, 1.0
    out = teacher.solve_flat(np.array([beta]), 1.0, np.array([alpha]), P=3, branch="teacher",
                             kappa=np.array([kappa]))  # fmt: skip
    assert out["converged"][0] and out["q_star"][0] > 0.5
    x = np.array([out["m"][0], out["q_star"][0], beta * (1.0 - out["q"][0])])
    p = {"beta": beta, "kappa": kappa, "alpha": alpha}
    with _x64.enabled():
        grad = jax.jit(jax.grad(lambda x: teacher.pair_observables(x, p, 3)["free_energy"]))(x)
    np.testing.assert_allclose(np.asarray(grad), 0.0, atol=1e-8)


@pytest.mark.slow
def test_pair_theory_linear_teacher_signal():
    """P = 3 at q = 0 (C = beta): dq*'/dq* at q* = 0 is (9/2) beta^2 alpha kappa, from the
    cubic kernel 6 Q^3 + 9 a^2 Q expanded by hand."""
    import jax

    beta, alpha, kappa = 1 / 1.7, 0.4, 0.8
    p = {"beta": beta, "kappa": kappa, "alpha": alpha}
    from theory import _x64

    with _x64.enabled():
        J = jax.jacfwd(lambda x: teacher.pair_map(x, p, 3))(np.array([0.0, 0.0, beta]))
    assert float(J[1, 1]) == pytest.approx(4.5 * beta**2 * alpha * kappa, rel=1e-9)


@pytest.mark.parametrize("P", [4, 6])
def test_effective_beta_star_from_exact_teacher_correlation(P):
    """The p* = 2 teacher's P-point correlation, summed exactly over its magnetisation at
    N = 40000 (distinct-index Curie-Weiss energy), against the Wick form behind
    effective_beta_star: N^(P-1) E[tau_1..tau_P] = beta*_eff P!/2 (leading order)."""
    from scipy.special import gammaln

    from theory.teacher_student import effective_beta_star

    N = 40_000
    T_star = 1.0 + 0.5 * N ** ((P - 2) / P)  # the scaling regime kappa ~ N^(-(P-2)/P)
    k = np.arange(N + 1)  # spins up
    s = 2 * k - N
    logw = gammaln(N + 1) - gammaln(k + 1) - gammaln(N - k + 1) + (s**2 - N) / (2 * N * T_star)
    w = np.exp(logw - logw.max())
    w /= w.sum()
    up, dn = k.tolist(), (N - k).tolist()

    def falling(x, j):  # exact integers: the alternating sum below cancels to ~N^(-P/2)
        out = 1
        for i in range(j):
            out *= x - i
        return out

    num = [sum(math.comb(P, j) * (-1) ** (P - j) * falling(u, j) * falling(d, P - j)
               for j in range(P + 1)) for u, d in zip(up, dn)]  # fmt: skip
    corr = np.array(num, dtype=float) / float(math.perm(N, P))
    rho = N ** (P - 1) * float(w @ corr)
    expected = float(effective_beta_star(P, T_star, N)) * math.factorial(P) / 2
    assert rho == pytest.approx(expected, rel=0.03)


def test_p_star_2_phases_and_regimes():
    """Odd P: the pair theory (teacher retrieval at T = 1, none at T = 3, above the
    first-order jump)."""
    ds = theory.teacher_student(3, T=[1.0, 3.0], alpha=0.5, T_star=1.5, P_star=2)
    names = ds.phase.attrs["flag_meanings"].split()
    assert [names[int(v)] for v in ds.phase.values[:, 0]] == ["gR", "P"]
    assert ds.attrs["teacher_regime"] == "pair" and ds.q_star.values[1, 0] == 0.0


@pytest.mark.slow
def test_p_star_2_even_student_is_the_scaled_matched_theory():
    a = theory.teacher_student(4, T=[1.0, 1.5], alpha=1.0, P_star=2)
    b = theory.teacher_student(4, T=[1.0, 1.5], alpha=1.0)
    np.testing.assert_array_equal(a.q_star_teacher.values, b.q_star_teacher.values)
    assert not a.teacher_ferromagnetic.values.any()
    N = 400  # T* = sqrt(N T)/2 + 1 gives beta*_eff = beta = 1 exactly
    c = theory.teacher_student(4, T=1.0, alpha=1.0, T_star=11.0, P_star=2, N=N)
    assert c.q_star.item() == pytest.approx(float(a.q_star.values[0, 0]), abs=1e-12)


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
