"""Symmetric mixtures (theory.rs.lowstorage.mixture): defaults, metadata and the Newton solve;
the input check of the T = 0 closed forms (issue 29, mutation testing). NumPy only."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from theory import ConvergenceWarning
from theory.rs.lowstorage import mixture, zero_temperature_overlap


def test_default_is_the_hebbian_three_mixture():
    """AGS (1985): the s = 3 mixture has m = 1/2 and energy -3/8 at T = 0."""
    ds = mixture(T=0.0)
    assert float(ds.m) == 0.5 and float(ds.free_energy) == pytest.approx(-0.375, abs=1e-15)
    assert ds.attrs["s"] == 3 and ds.attrs["P"] == 2 and ds.attrs["alpha"] == 0.0
    assert ds.attrs["protocol"] == "hebbian"


@pytest.mark.parametrize("s, T", [(3, [0.2, 0.4]), (5, [0.15])])
def test_newton_converges_quadratically_to_the_brentq_root(s, T):
    """m = (1/s) E[Z tanh(m Z / T)] solved by brentq on the 2^s sign patterns; Newton from
    m = 1 reaches |g| < 1e-13 in a handful of steps (quadratic convergence: <= 8)."""
    signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * s)).reshape(s, -1)
    Z = signs.sum(axis=0)
    ds = mixture(s, T=T)
    for t, m in zip(T, ds.m.values):
        def g(x, t=t):
            return x - np.mean(Z * np.tanh(x * Z / t)) / s

        assert m == pytest.approx(brentq(g, 0.05, 1.0, xtol=1e-15), abs=1e-12)
    assert int(ds.iterations.max()) <= 8


def test_loose_tolerance_is_flagged_not_converged():
    """Newton stopped at |g| < 0.1 leaves a residual above the 1e-10 convergence threshold:
    the point is flagged, NaN, with a ConvergenceWarning."""
    with pytest.warns(ConvergenceWarning):
        ds = mixture(3, T=[0.3], tol=0.1)
    assert not ds.converged.values.any() and np.isnan(ds.m.values).all()
    assert (ds.residual.values > 1e-10).all()


def test_negative_data_entropy_is_refused():
    with pytest.raises(ValueError, match="rho"):
        zero_temperature_overlap(-0.5)
