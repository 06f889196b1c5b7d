"""Log-sum-ReLU memory (theory.lse.lsr) against the closed forms and printed numbers of
Petrova et al. (arXiv 2604.07401) and an independent grid minimisation; the documented
departure (T = 0 capacity alpha_th instead of the printed 0.5) is pinned here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory.lse import lsr, rem


@pytest.mark.parametrize("T", [0.05, 0.3, 1.0])
def test_retrieval_alignment_closed_form_at_b1_and_grid_minimum(T):
    assert float(lsr.phi_eq(T, 1.0)) == pytest.approx(1 / math.sqrt(1 + T), abs=1e-12)
    b = 3.41
    phi = np.linspace((b - 1) / b + 1e-9, 1 - 1e-12, 2_000_001)
    f = -np.log1p(-b * (1 - phi)) / b - 0.5 * T * np.log1p(-phi**2)
    k = np.argmin(f)
    assert abs(phi[k] - float(lsr.phi_eq(T, b))) < 2e-6
    assert abs(f[k] - float(lsr.f_retrieval(T, b))) < 1e-10


def test_printed_numbers_and_the_documented_departure():
    b = 3.41
    assert round(float(lsr.capacity(b, "gaussian")), 2) == 0.25  # printed alpha_th = 0.25
    assert float(lsr.alpha_c_printed(0.0, b)) == pytest.approx(0.5)  # printed alpha_c(0)
    from scipy import optimize

    t_max = optimize.brentq(lambda t: float(lsr.alpha_c_printed(t, b))
                            - float(lsr.capacity(b, "gaussian")), 1e-6, 2.0)
    assert abs(t_max - 0.22) < 0.01  # printed "T_max ~ 0.22"; the formula gives 0.2135
    # our leading-order T = 0 capacity is the support threshold, below the printed 0.5
    assert float(lsr.capacity(2 + math.sqrt(2))) == pytest.approx(0.5 * math.log(2))
    assert float(lsr.capacity(b)) < 0.5 and float(lsr.capacity(b)) == float(
        rem.lsr_support_threshold(b))


def test_bad_inputs():
    with pytest.raises(ValueError, match="beta_net"):
        lsr.phi_eq(0.1, -1.0)
    with pytest.raises(ValueError, match="T must"):
        lsr.phi_eq(-0.1, 2.0)
