"""Phase-diagram lines: published end points, ordering, closed-form learning threshold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import erfinv

import theory


def test_P2_lines_end_points_and_order():
    """T_M and T_c reach T = 1 at alpha = 0; T_c < T_M < T_g for alpha > 0;
    AGS: the retrieval state is the global minimum at T = 0 up to alpha ~ 0.051."""
    alpha = np.array([0.0, 0.05])
    T_M = theory.temperature_line(2, alpha, kind="spinodal")
    T_c = theory.temperature_line(2, alpha, kind="thermodynamic")
    assert T_M[0] == pytest.approx(1.0, abs=1e-6) and T_c[0] == pytest.approx(1.0, abs=1e-6)
    assert T_c[1] < T_M[1] < theory.T_g(0.05)
    alpha_th0 = theory.load_line(2, 0.0, kind="thermodynamic")
    assert float(alpha_th0) == pytest.approx(0.051, abs=1.5e-3)
    # the spinodal load at T = 0 is the capacity
    assert float(theory.load_line(2, 0.0)) == pytest.approx(0.13790, abs=2e-5)


def test_learning_threshold_closed_form_at_T0():
    """T = 0, alpha = 0: m = erf(1/sqrt(2 rho)) >= m* iff rho <= rho* = 1/(2 erfinv(m*)^2)."""
    r = np.array([0.2, 0.5])
    m_star = 0.9
    M_star = theory.learning_threshold(4, r, T=0.0, m_star=m_star)
    rho_star = 1.0 / (2.0 * erfinv(m_star) ** 2)
    np.testing.assert_allclose(M_star, (1 - r**2) / (rho_star * r**2), rtol=1e-8)


def test_low_storage_P4_temperature_lines_with_data():
    """(rho, T) plane: data lower both lines; thermodynamic below spinodal."""
    rho = np.array([0.0, 0.2])
    T_sp = theory.temperature_line(4, 0.0, rho=rho, kind="spinodal")
    assert T_sp[0] == pytest.approx(1 / 1.00850, abs=5e-5)
    assert T_sp[1] < T_sp[0]


def test_P2_lines_vectorised_match_pointwise_and_bracket_the_branch_end():
    """Lines for many loads at once equal the one-load answers (rows with no retrieval at
    T = 0 mixed in), and each T* separates retrieval (solver from m = 1, full budget) just
    below from none just above: the existence criterion, checked without the warm starts."""
    from theory.lines import retrieval_state

    alpha = np.array([0.12, 0.02, 0.08, 0.0, 0.045])
    for kind in ("spinodal", "thermodynamic"):
        T_star = theory.temperature_line(2, alpha, kind=kind)
        single = [float(theory.temperature_line(2, a, kind=kind)) for a in alpha]
        np.testing.assert_allclose(T_star, single, rtol=1e-7, atol=1e-9)
        ok = np.isfinite(T_star) & (alpha > 0)
        beta_in, beta_out = 1 / (T_star[ok] * (1 - 1e-4)), 1 / (T_star[ok] * (1 + 1e-4))
        assert retrieval_state(2, beta_in, alpha[ok], 0 * alpha[ok], kind).all()
        assert not retrieval_state(2, beta_out, alpha[ok], 0 * alpha[ok], kind).any()
    T_c = theory.temperature_line(2, alpha, kind="thermodynamic")
    assert np.isnan(T_c[[0, 2]]).all() and np.isfinite(T_c[[1, 3, 4]]).all()


def test_P2_spinodal_load_line_reaches_zero_at_T1():
    """alpha_M(T) decreases from the capacity at T = 0 to 0 at T = 1 (AGS)."""
    T = np.array([0.0, 0.3, 0.6, 0.9, 1.02])
    a_M = theory.load_line(2, T)
    assert np.all(np.diff(a_M[:4]) < 0) and a_M[-1] == 0.0
    assert a_M[0] == pytest.approx(0.13790, abs=2e-5)
