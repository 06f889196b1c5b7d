"""The JAX engine of the log-sum-exp sampler (montecarlo._lse_jax) against the single-pattern
closed form (default tier: one compile) and against the Numba engine in distribution, with
its counter-based streams independent of how many chains run together (slow tier)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from montecarlo.lse import sample_lse

pytest.importorskip("jax")


def _mean_and_error(ds, name="phi"):
    v = ds[name].values.ravel()
    return v.mean(), v.std(ddof=1) / math.sqrt(v.size)


def test_single_pattern_closed_form_and_seed_reproducibility():
    """M = 1: <phi> = I_{N/2}(N/T) / I_{N/2-1}(N/T) (any beta_net); the same seed gives the
    same numbers (the second call reuses the compiled kernel)."""
    N, T = 6, 0.5
    kw = dict(T=T, M=1, beta_net=2.0, samples=1, replicas=16, burn=50, sweeps=300, seed=3,
              engine="jax")
    ds = sample_lse(N, **kw)
    exact = special.ive(N / 2, N / T) / special.ive(N / 2 - 1, N / T)
    mean, err = _mean_and_error(ds)
    assert abs(mean - exact) < 4 * err + 1e-3
    mean_u, err_u = _mean_and_error(ds, "energy")
    assert abs(mean_u - (1 - exact)) < 4 * err_u + 1e-3
    np.testing.assert_array_equal(sample_lse(N, **kw).phi.values, ds.phi.values)
    assert ds.attrs["engine"] == "jax"


@pytest.mark.slow
def test_jax_and_numba_engines_agree_in_distribution():
    """Several patterns, from random starts: target alignment, best alignment and energy
    within 4 combined standard errors (independent chains and pattern sets); a chain's
    numbers do not change when fewer chains run together."""
    kw = dict(T=0.3, M=12, beta_net=1.0, samples=8, replicas=4, burn=100, sweeps=400, seed=5,
              init="random")
    nb, jx = sample_lse(6, engine="numba", **kw), sample_lse(6, engine="jax", **kw)
    for name in ("phi_best", "energy", "phi2"):
        (a, ea), (c, ec) = _mean_and_error(nb, name), _mean_and_error(jx, name)
        assert abs(a - c) < 4 * math.hypot(ea, ec), name
    small = sample_lse(6, engine="jax", **{**kw, "samples": 1, "replicas": 2})
    np.testing.assert_allclose(small.phi.values[0, 0], jx.phi.values[0, 0, :2], rtol=1e-12)


def test_jax_engine_refuses_the_cone():
    with pytest.raises(ValueError, match="cone"):
        sample_lse(8, T=0.1, M=20, cone=0.4, engine="jax")
