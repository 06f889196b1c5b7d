"""The Gaussian-average primitive against adaptive quadrature (scipy.integrate.quad)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.integrate as si
from scipy.special import erf

from theory import _x64
from theory._gaussian import tanh_averages


def _reference(beta, mu, s):
    def avg(g):
        dens = lambda x: np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * np.sqrt(2 * np.pi))  # noqa: E731
        lo, hi = mu - 12 * s, mu + 12 * s
        w = 40.0 / beta  # the kink region |x| < w is integrated on its own
        edges = sorted({lo, hi, *(p for p in (-w, 0.0, w) if lo < p < hi)})
        total = 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for a, b in zip(edges[:-1], edges[1:]):
                total += si.quad(
                    lambda x: g(x) * dens(x), a, b, limit=500, epsabs=1e-15, epsrel=1e-13
                )[0]
        return total

    y = lambda x: np.abs(beta * x)  # noqa: E731
    t = avg(lambda x: np.tanh(beta * x))
    C = beta * avg(lambda x: 4 * np.exp(-2 * y(x)) / (1 + np.exp(-2 * y(x))) ** 2)
    L = avg(lambda x: (y(x) + np.log1p(np.exp(-2 * y(x)))) / beta)
    return np.array([t, C, L])


# beta*s spans both rules (Gauss-Hermite below 0.7, split rule above); one vectorised call
CASES = [
    (beta, mu, s)
    for beta in (0.5, 3.0, 40.0, 1000.0)
    for mu, s in ((0.0, 0.3), (0.3, 0.1), (1.0, 1.0), (0.05, 2.0), (2.0, 0.01))
]


def test_averages_match_adaptive_quadrature():
    beta, mu, s = (np.array(c) for c in zip(*CASES))
    with _x64.enabled():
        got = np.stack([np.asarray(a) for a in tanh_averages(beta, mu, s)[:3]], axis=-1)
    for k, case in enumerate(CASES):
        np.testing.assert_allclose(
            got[k], _reference(*case), rtol=1e-8, atol=1e-9, err_msg=str(case)
        )


@pytest.mark.parametrize("mu,s", [(0.0, 0.5), (0.4, 0.2), (-1.0, 2.0)])
def test_zero_temperature_limits_are_closed_forms(mu, s):
    with _x64.enabled():
        t, C, L, q = (float(a) for a in tanh_averages(np.inf, mu, s))
    z = mu / (np.sqrt(2) * s)
    p0 = np.exp(-0.5 * (mu / s) ** 2) / (s * np.sqrt(2 * np.pi))
    assert t == pytest.approx(erf(z), abs=1e-14)
    assert C == pytest.approx(2 * p0, rel=1e-9)
    assert L == pytest.approx(2 * s * s * p0 + mu * erf(z), abs=1e-14)
    assert q == 1.0
