"""The Gaussian-average primitive against adaptive quadrature (scipy.integrate.quad)."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
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


def _tight_reference(beta, mu, s):
    """E tanh, beta E sech^2, E ln 2cosh / beta by adaptive quadrature split at the kink and
    at +-k/beta (agrees with 30-digit mpmath quadrature to ~1e-15 on these cases)."""
    dens = lambda x: np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * np.sqrt(2 * np.pi))  # noqa: E731
    lo, hi = mu - 14 * s, mu + 14 * s
    kinks = [0.0] + [k / beta * sgn for k in (1, 4, 12, 40) for sgn in (1, -1)]
    edges = sorted({lo, hi, *(p for p in kinks if lo < p < hi)})

    def avg(g):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sum(
                si.quad(lambda x: g(x) * dens(x), a, b, limit=800, epsabs=1e-16, epsrel=1e-14)[0]
                for a, b in zip(edges[:-1], edges[1:])
            )

    e = lambda x: np.exp(-2 * np.abs(beta * x))  # noqa: E731
    return np.array(
        [
            avg(lambda x: np.tanh(beta * x)),
            beta * avg(lambda x: 4 * e(x) / (1 + e(x)) ** 2),
            avg(lambda x: np.abs(x) + np.log1p(e(x)) / beta),
        ]
    )


# beta*s across both rules, dense around the switch (HYBRID_AT); mu/s from 0 to deep tails
TIGHT = [
    (beta, ratio * bs / beta, bs / beta)
    for beta in (1.0, 25.0)
    for bs in (0.05, 0.3, 0.45, 0.5, 0.55, 0.7, 1.0, 2.0, 10.0, 300.0)
    for ratio in (0.0, 0.7, 2.5, 6.0)
]


def test_averages_are_accurate_to_near_machine_precision():
    """Absolute errors below 1e-13 on t, C / max(1, beta) and L / max(1, |L|): what the
    multitasking onset (a Hessian eigenvalue ~1e-4 read through Stein's lemma) needs."""
    beta, mu, s = (np.array(c) for c in zip(*TIGHT))
    with _x64.enabled():
        got = np.stack([np.asarray(a) for a in tanh_averages(beta, mu, s)[:3]], axis=-1)
    ref = np.array([_tight_reference(*case) for case in TIGHT])
    scale = np.stack(
        [np.ones_like(beta), np.maximum(1.0, beta), np.maximum(1.0, np.abs(ref[:, 2]))], -1
    )
    err = np.abs(got - ref) / scale
    worst = np.unravel_index(np.argmax(err), err.shape)
    assert err.max() < 1e-13, (TIGHT[worst[0]], "tCL"[worst[1]], err.max())


def test_derivative_of_t_is_C_and_finite_at_zero_temperature():
    """dt/dmu = beta E sech^2 = C (autodiff through either rule), and the gradients at
    beta = inf are finite (the multitasking Jacobians and stationarity checks need both)."""
    beta = np.array([0.8, 0.8, 3.0, 40.0, np.inf])
    mu = np.array([0.1, 0.4, -0.2, 0.05, 0.3])
    s = np.array([0.2, 0.5, 0.6, 0.1, 0.4])  # beta*s = 0.16, 0.4, 1.8, 4, inf
    with _x64.enabled():
        t_of_mu = lambda m: tanh_averages(beta, m, s)[0].sum()  # noqa: E731
        dt = np.asarray(jax.grad(t_of_mu)(jnp.asarray(mu)))
        C = np.asarray(tanh_averages(beta, mu, s)[1])
        grads = jax.grad(lambda a: sum(x.sum() for x in tanh_averages(beta, a[0], a[1])[:3]))(
            jnp.asarray(np.stack([mu, s]))
        )
    np.testing.assert_allclose(dt[:-1], C[:-1], rtol=1e-12)
    assert np.isfinite(np.asarray(grads)).all()
