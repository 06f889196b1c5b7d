"""Transition lines (theory.multitasking_lines) and the signal-to-noise analysis (theory.snr).

References: K = 2, rho = 0 reduced scalar equations solved here with scipy (pure state
m = (1-d) tanh(beta m), symmetric state m = (1-d)[d tanh(beta m) + (1-d)/2 tanh(2 beta m)],
and their Hessian eigenvalues written out by hand), and brute-force sampling of the field.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

import theory.multitasking as mt


def m_pure(beta, d):
    return brentq(lambda m: m - (1 - d) * np.tanh(beta * m), 1e-12, 1.0)


def m_symmetric(beta, d):
    def g(m):
        return m - (1 - d) * (d * np.tanh(beta * m) + 0.5 * (1 - d) * np.tanh(2 * beta * m))

    return brentq(g, 1e-12, 1.0)


def sech2(x):
    return 1.0 / np.cosh(np.minimum(np.abs(x), 300.0)) ** 2


def h22(T, d):
    """Pure state's Hessian along pattern 2: 1 - beta (1-d)[d + (1-d) sech^2(beta m)]."""
    b = 1 / T
    return 1 - b * (1 - d) * (d + (1 - d) * sech2(b * m_pure(b, d)))


def T2_reference(d):
    """The root of h22 in T."""
    return brentq(h22, 1e-3 * (1 - d), (1 - d) * (1 - 1e-7), xtol=1e-14, args=(d,))


def Tsplit_reference(d):
    """Symmetric state's antisymmetric eigenvalue 1 - beta (1-d)[d sech^2(beta m) + 1 - d]."""

    def lam(T):
        b = 1 / T
        return 1 - b * (1 - d) * (d * sech2(b * m_symmetric(b, d)) + (1 - d))

    return brentq(lam, 0.5 * (1 - d) ** 2, (1 - d) * (1 - 1e-5), xtol=1e-14)


def test_second_signal_temperature_matches_reduced_equation():
    d = np.array([0.1, 0.3, 0.5, 0.6])
    T2 = mt.second_signal_temperature(d)
    ref = [T2_reference(x) for x in d]
    np.testing.assert_allclose(T2, ref, rtol=1e-8)
    # above the parallel threshold both signals appear together at T_c; d = 0: never
    np.testing.assert_allclose(mt.second_signal_temperature([0.7, 0.9]), [0.3, 0.1])
    assert mt.second_signal_temperature(0.0) == 0.0
    # d = 2e-4: the reduced root T_2 ~ d lies below the search floor 1e-3 T_c, reported as 0
    d_low = 2e-4
    assert brentq(lambda T: h22(T, d_low), 1e-5, 1e-3 * (1 - d_low)) < 1e-3 * (1 - d_low)
    assert mt.second_signal_temperature(d_low) == 0.0


def test_split_temperature_matches_reduced_equation():
    d = np.array([0.7, 0.8])
    Ts = mt.split_temperature(d)
    np.testing.assert_allclose(Ts, [Tsplit_reference(x) for x in d], rtol=1e-8)
    Ts_half = mt.split_temperature(0.5)  # d < 2/3: never the first to condense
    assert isinstance(Ts_half, float) and np.isnan(Ts_half)


def test_split_and_second_signal_with_data_noise_bracket_the_solver():
    rho, d = 0.2, 0.3  # d < d_par(0.2) = 0.463: pure state first
    T2 = mt.second_signal_temperature(d, rho)
    assert 0.0 < T2 < 1 - d
    pure = mt.solve(2, d, T=[T2 * 1.01, T2 * 0.99], rho=rho, branch="pure")
    assert pure.stable.values.tolist() == [True, False]
    hier = mt.solve(2, d, T=T2 * 0.95, rho=rho)
    assert float(hier.n[1]) > 1e-3  # below T_2 the second signal is there


def test_cascade_closed_form_and_its_domain():
    np.testing.assert_allclose(mt.cascade(3, 0.5), [0.5, 0.25, 0.125])
    assert mt.cascade(2, [0.1, 0.2]).shape == (2, 2)
    with pytest.raises(ValueError, match=r"d must lie in \[0, d_c\(K=3\) = 0.618034\)"):
        mt.cascade(3, 0.7)


def test_critical_temperature_broadcasts_and_validates():
    np.testing.assert_allclose(
        mt.critical_temperature([0.1, 0.6], rho=[[0.0], [2.0]]), [[0.9, 0.4], [0.9, 0.4]]
    )
    with pytest.raises(ValueError, match=r"d must lie in \[0, 1\)"):
        mt.critical_temperature(1.0)
    with pytest.raises(ValueError, match=r"K must be an integer >= 1; got K=0"):
        mt.critical_dilution(0)


def test_parallel_dilution_falls_with_data_noise():
    d = mt.parallel_dilution(np.array([0.0, 0.2, 1.0, 10.0]))
    assert d[0] == pytest.approx(2 / 3) and np.all(np.diff(d) < 0) and d[-1] > 0


# --------------------------------------------------------------------------- SNR
def sampled_field_moments(m, d, rho, mu, n=400_000, seed=3):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    K = len(m)
    xi = rng.choice([-1.0, 0.0, 1.0], p=[(1 - d) / 2, d, (1 - d) / 2], size=(n, K))
    Y = rng.standard_normal((n, K))
    h = (xi * (1 + np.sqrt(rho) * Y)) @ np.asarray(m)
    sel = xi[:, mu] != 0
    x = xi[sel, mu] * h[sel]
    return x.mean(), x.std(), np.mean(x > 0), np.mean(xi[:, mu] * np.sign(h))


@pytest.mark.parametrize("rho", [0.0, 0.3], ids=lambda r: f"rho={r}")
def test_signal_noise_agree_with_sampled_fields(rho):
    m, d = np.array([0.55, 0.3, 0.1]), 0.4
    ds = mt.signal_to_noise(m, d, rho=rho)
    for mu in range(3):
        mean, sd, p, m_next = sampled_field_moments(m, d, rho, mu)
        # sampling errors at n = 4e5: ~2e-3 on the moments, ~1e-3 on probabilities
        assert ds.signal.values[mu] == pytest.approx(mean, abs=6e-3)
        assert ds.noise.values[mu] == pytest.approx(sd, abs=6e-3)
        if rho > 0:  # with ties (rho = 0) a tie counts 1/2 in p_aligned, not 0
            assert ds.p_aligned.values[mu] == pytest.approx(p, abs=5e-3)
        assert ds.m_next.values[mu] == pytest.approx(m_next, abs=5e-3)


@pytest.mark.parametrize("K", [3, 4], ids=lambda k: f"K={k}")
def test_snr_margin_changes_sign_at_critical_dilution(K):
    dc = mt.critical_dilution(K)
    below = mt.signal_to_noise((1 - (dc - 0.01)) * (dc - 0.01) ** np.arange(K), dc - 0.01)
    above = mt.signal_to_noise((1 - (dc + 0.01)) * (dc + 0.01) ** np.arange(K), dc + 0.01)
    assert (below.margin > 0).all() and float(above.margin.min()) < 0
    np.testing.assert_allclose(below.m_next, below.signal, atol=1e-14)  # a T = 0 fixed point
    assert float(np.abs(above.m_next - above.signal).max()) > 1e-3


def test_snr_bad_input():
    with pytest.raises(ValueError, match=r"m must lie in \[-1, 1\]"):
        mt.signal_to_noise([1.5, 0.1], 0.3)
    with pytest.raises(ValueError, match="m must be a 1-D array"):
        mt.signal_to_noise([[0.5]], 0.3)
    with pytest.raises(ValueError, match=r"d must lie in \[0, 1\)"):
        mt.signal_to_noise([0.5], 1.2)
