"""Replicon of theory.rs.at against independent quadrature (issue 29, mutation testing).

* ``sech^4`` against ``1/cosh^4``; the average ``E_z sech^4(beta (s + sd z))`` of more grid
  points than one block (2048), in both regimes (Gauss-Hermite and the u grid), against the
  trapezoid rule in ``u = beta x`` on a fine grid (spectrally accurate: sech^4 is analytic in
  the strip |Im u| < pi/2).
* The replicon formulas of docs/models.md §5.4 written out here: P = 2,
  ``1 - alpha beta^2 E sech^4 h/(1 - beta(1 - q))^2`` with ``h = beta (n + sqrt(alpha q) z /
  (1 - beta(1 - q)))``; P = 4 supervised, ``1 - beta^2 c (P - 1) q^(P-2) E sech^4 h`` with
  ``h = beta (P/2 (1 + rho)^(P/2-1) n^(P-1) (1 + sqrt(rho) Y) + sqrt(c q^(P-1)) z)``,
  ``c = alpha P P!/4``, averaged over the data Y too (Gauss-Hermite).
* T = 0 (``-inf`` under load, 1 without), ``rs_stable`` as the sign of the replicon, and the
  dataset hook ``attach_replicon`` on results without the RS overlaps.
* ``rs_solution`` at zero load against the scalar equations of the hebbian and the
  supervised network.

NumPy only, but the last test, which runs the P = 2 RS solver (the compiled function that
the other RS tests use).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import brentq

from theory.rs import at

U = np.linspace(-30.0, 30.0, 6001)  # step 0.01


def _sech4_average(s, sd, beta):
    """E sech^4(u), u ~ N(beta s, (beta sd)^2), trapezoid rule on U (beta sd >= 0.05)."""
    mu, w = beta * s, beta * sd
    dens = np.exp(-0.5 * ((U - mu) / w) ** 2)
    return float(np.sum(dens / np.cosh(U) ** 4) / np.sum(dens))


def test_sech4_is_one_over_cosh4_without_overflow():
    x = np.array([-30.0, -3.0, -0.7, 0.0, 0.2, 1.5, 12.0, 400.0])
    # 16 e^(-1600) at x = 400 is 0 in float64; cosh^4 is finite up to |x| = 170
    want = np.where(np.abs(x) < 170, 1.0 / np.cosh(np.minimum(np.abs(x), 170)) ** 4, 0.0)
    np.testing.assert_allclose(at._sech4(x), want, rtol=1e-14, atol=1e-300)


def test_sech4_average_of_many_points_in_both_regimes():
    """2100 points (more than one block of 2048), spreads beta sd from 0.1 to 3 (both
    sides of the switch to the u grid), two data nodes Y with weights 0.3 and 0.7."""
    n = 2100
    rng = np.random.default_rng(29)
    beta = rng.uniform(0.5, 3.0, (n, 1))
    spread = rng.uniform(0.1, 3.0, (n, 1))
    sd = spread / beta
    s = rng.uniform(-1.0, 1.5, (n, 2))
    wY = np.array([0.3, 0.7])
    got = at._gamma(s, sd, beta, wY)
    check = np.r_[np.arange(0, n, 37), n - 1]  # 58 points, the last block included
    want = [wY @ [_sech4_average(s[i, j], sd[i, 0], beta[i, 0]) for j in range(2)]
            for i in check]  # fmt: skip
    np.testing.assert_allclose(got[check], want, rtol=0, atol=1e-12)


def test_p2_replicon_is_the_quadrature():
    beta = np.array([1.25, 2.0, 0.8])
    alpha, q, n = np.array([0.3, 0.05, 0.1]), np.array([0.72, 0.9, 0.3]), np.array([0.5, 0.95, 0.2])
    D = 1 - beta * (1 - q)
    sd = np.sqrt(alpha * q) / D
    want = [1 - a * b**2 * _sech4_average(nn, s, b) / d**2
            for b, a, nn, s, d in zip(beta, alpha, n, sd, D)]  # fmt: skip
    got = at.replicon(P=2, beta=beta, alpha=alpha, q=q, n=n)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_p4_supervised_replicon_is_the_quadrature():
    P, beta, alpha, q, n, rho = 4, 2.0, 0.01, 0.8, 0.9, 0.3
    c = alpha * P * math.factorial(P) / 4
    Y, wY = np.polynomial.hermite_e.hermegauss(16)
    wY = wY / wY.sum()
    s = 0.5 * P * (1 + rho) ** (0.5 * P - 1) * n ** (P - 1) * (1 + math.sqrt(rho) * Y)
    sd = math.sqrt(c * q ** (P - 1))
    gam = wY @ [_sech4_average(si, sd, beta) for si in s]
    want = 1 - beta**2 * c * (P - 1) * q ** (P - 2) * gam
    got = at.replicon(P=P, beta=beta, alpha=alpha, q=q, n=n, rho=rho, protocol="supervised")
    assert float(got) == pytest.approx(want, abs=1e-12)
    # hebbian ignores rho: the same as rho = 0
    heb = at.replicon(P=P, beta=beta, alpha=alpha, q=q, n=n, rho=rho)
    assert float(heb) == float(at.replicon(P=P, beta=beta, alpha=alpha, q=q, n=n, rho=0.0))


def test_zero_temperature_and_the_sign_of_the_replicon():
    lam = at.replicon(P=2, beta=np.inf, alpha=np.array([0.5, 0.0]), q=1.0, n=0.9)
    assert lam.tolist() == [-np.inf, 1.0]
    # the paramagnet: stable above T_g = 1 + sqrt(alpha) = 1.5, unstable below
    beta = 1 / np.array([1.4, 1.6])
    assert at.rs_stable(P=2, beta=beta, alpha=0.25, q=0.0).tolist() == [False, True]


def test_attach_replicon_skips_results_without_the_rs_overlaps_and_refuses_bad_protocols():
    beta = np.array([0.5, 0.8])
    for ds in (xr.Dataset({"q": ("T", [0.0, 0.0])}), xr.Dataset({"n": ("T", [0.0, 0.0])})):
        out = at.attach_replicon(ds, P=2, protocol="hebbian", beta=beta, alpha=0.05, rho=0.0)
        assert "replicon" not in out
    ds = xr.Dataset({"q": ("T", [0.0, 0.0]), "n": ("T", [0.0, 0.0])})
    out = at.attach_replicon(ds, P=2, protocol="hebbian", beta=beta, alpha=np.full(2, 0.05),
                             rho=np.zeros(2))  # fmt: skip
    np.testing.assert_allclose(out["replicon"], 1 - 0.05 * beta**2 / (1 - beta) ** 2, rtol=1e-12)
    with pytest.raises(ValueError, match="protocol must be one of"):
        at.attach_replicon(ds, P=2, protocol="vae", beta=beta, alpha=np.full(2, 0.05),
                           rho=np.zeros(2))  # fmt: skip


def test_rs_solution_keeps_rho_for_supervised_data_only():
    """alpha = 0, T = 0.5, rho = 0.3: the supervised class-mean overlap solves
    n = E_Y[u tanh(beta n u)]/(1 + rho), u = 1 + sqrt(rho) Y (docs/models.md §4.1); the
    hebbian network ignores rho (the Curie-Weiss n = tanh(beta n))."""
    beta, rho = 2.0, 0.3
    Y, wY = np.polynomial.hermite_e.hermegauss(60)
    u = 1 + math.sqrt(rho) * Y
    wY = wY / wY.sum()
    sup = brentq(lambda n: wY @ (u * np.tanh(beta * n * u)) / (1 + rho) - n, 0.1, 2.0,
                 xtol=1e-15)  # fmt: skip
    heb = brentq(lambda n: math.tanh(beta * n) - n, 0.1, 1.0, xtol=1e-15)
    out = {p: at.rs_solution(P=2, beta=beta, alpha=0.0, rho=rho, protocol=p)
           for p in ("supervised", "hebbian")}  # fmt: skip
    assert out["supervised"]["converged"] and out["hebbian"]["converged"]
    assert float(out["supervised"]["n"]) == pytest.approx(sup, abs=1e-9)
    assert float(out["hebbian"]["n"]) == pytest.approx(heb, abs=1e-9)
