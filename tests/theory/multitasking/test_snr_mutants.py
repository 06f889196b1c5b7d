"""Signal-to-noise analysis (theory.multitasking.snr) against an independent enumeration
(issue 29, mutation testing): for each pattern mu the other patterns' 3^(K-1) configurations
are summed one by one in plain Python, with the data noise Gaussian (scipy.stats.norm), and
the conditional moments of xi^mu h, P(xi^mu h > 0) (a tie counts 1/2) and E[xi^mu sign h]
are built from them; the margin is m_mu minus the sum of the strictly smaller amplitudes.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import norm

import theory.multitasking as mt


def _reference(m, d, rho):
    """Per pattern: mean, std of xi^mu h given xi^mu != 0, P(xi^mu h > 0), E[xi^mu sign h]."""
    K = len(m)
    out = []
    for mu in range(K):
        mean = second = p_along = m_next = 0.0
        for xi in itertools.product((-1, 0, 1), repeat=K):
            p = math.prod(d if v == 0 else (1 - d) / 2 for v in xi)
            a = [xi[k] * m[k] for k in range(K)]
            h_mean = sum(a)
            h_var = rho * sum(v * v for v in a)
            if h_var > 0:
                p_pos = norm.sf(0.0, loc=h_mean, scale=math.sqrt(h_var))
            else:
                p_pos = 1.0 if h_mean > 0 else (0.0 if h_mean < 0 else 0.5)
            m_next += p * xi[mu] * (2 * p_pos - 1)
            if xi[mu] == 0:
                continue
            q = p / (1 - d)  # conditional on xi^mu != 0
            mean += q * xi[mu] * h_mean
            second += q * (h_mean**2 + h_var)
            p_along += q * (p_pos if xi[mu] > 0 else 1 - p_pos)
        out.append((mean, math.sqrt(second - mean**2), p_along, m_next))
    return np.array(out).T


@pytest.mark.parametrize(
    "m, d, rho",
    [([0.55, -0.3, 0.1], 0.4, 0.3), ([0.5, 0.5], 0.2, 0.0), ([0.6, 0.25, 0.25], 0.3, 0.0),
     ([-0.7], 0.1, 0.5)],
)
def test_snr_equals_enumeration(m, d, rho):
    ds = mt.signal_to_noise(m, d, rho=rho)
    mean, sd, p_along, m_next = _reference(m, d, rho)
    np.testing.assert_allclose(ds.signal.values, m, atol=1e-15)
    np.testing.assert_allclose(ds.signal.values, mean, atol=1e-14)
    np.testing.assert_allclose(ds.noise.values, sd, atol=1e-12)
    np.testing.assert_allclose(ds.p_aligned.values, p_along, atol=1e-12)
    np.testing.assert_allclose(ds.m_next.values, m_next, atol=1e-12)
    np.testing.assert_allclose(ds.snr.values, np.abs(m) / sd, rtol=1e-12)
    a = np.abs(m)
    margin = [a[i] - a[a < a[i]].sum() for i in range(len(m))]
    if len(set(a)) == len(a):
        np.testing.assert_allclose(ds.margin.values, margin, atol=1e-15)
    assert float(ds.d) == d and float(ds.rho) == rho


def test_snr_tied_amplitudes_margin_and_no_noise():
    """Equal amplitudes: the first counts the second as weaker (stable order), the second
    has no weaker one; one pattern without data noise has no noise (snr = inf)."""
    ds = mt.signal_to_noise([0.4, -0.4, 0.1], 0.5)
    np.testing.assert_allclose(ds.margin.values, [0.4 - 0.5, 0.4 - 0.1, 0.1], atol=1e-15)
    one = mt.signal_to_noise([0.3], 0.0)
    assert float(one.noise[0]) == 0.0 and np.isinf(float(one.snr[0]))
    assert float(one.p_aligned[0]) == 1.0 and float(one.m_next[0]) == 1.0


def test_snr_bounds_of_the_inputs():
    mt.signal_to_noise([-1.0, 1.0], 0.0, rho=0.0)  # closed bounds are accepted
    with pytest.raises(ValueError, match=r"m must lie in \[-1, 1\]"):
        mt.signal_to_noise([-1.5], 0.3)
    with pytest.raises(ValueError, match="rho"):
        mt.signal_to_noise([0.5], 0.3, rho=-0.1)
    with pytest.raises(ValueError, match="m must be a 1-D array"):
        mt.signal_to_noise(0.5, 0.3)  # a scalar is not a list of K overlaps
    with pytest.raises(ValueError, match=r"K = len\(m\) must be <= 12"):
        mt.signal_to_noise(np.full(13, 0.01), 0.3)
