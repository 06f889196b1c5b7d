"""The layers' default inverse temperature is ``beta = 1/sqrt(d)`` (issue 29), the scaling of
Ramsauer et al. 2021 ("Hopfield Networks is All You Need", eq. 10: beta = 1/sqrt(d_k), d_k the
dimension of the associative space), checked against attention written out in NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from flax import nnx

from hopfield_sim.layers import Hopfield
from hopfield_sim.layers.functional import retrieve


def _attention(q, k, v, beta):
    s = beta * q @ k.T
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    return (w / w.sum(axis=-1, keepdims=True)) @ v


@pytest.mark.parametrize("d", [4, 16])
def test_retrieve_default_beta_is_one_over_sqrt_d(d):
    rng = np.random.default_rng(d)
    q, k, v = (rng.normal(size=s).astype(np.float32) for s in ((3, d), (5, d), (5, 2)))
    k *= 2.0
    out = np.asarray(retrieve(q, k, v, heads=False))
    explicit = np.asarray(retrieve(q, k, v, beta=1.0 / math.sqrt(d), heads=False))
    np.testing.assert_allclose(out, _attention(q, k, v, 1.0 / math.sqrt(d)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, explicit, rtol=0, atol=0)
    # and the scaling matters: 1/d gives a clearly different result
    assert np.abs(out - _attention(q, k, v, 1.0 / d)).max() > 1e-2


def test_module_default_beta_is_one_over_sqrt_head_dim():
    layer = Hopfield(8, hidden_size=9, num_heads=2, rngs=nnx.Rngs(0))
    np.testing.assert_allclose(np.asarray(layer.beta), [1 / 3, 1 / 3], rtol=1e-6)
    with pytest.warns(DeprecationWarning, match="scaling"):  # the hopfield-layers name
        old_name = Hopfield(8, hidden_size=9, num_heads=2, scaling=0.7, rngs=nnx.Rngs(0))
    assert old_name.beta[0] == pytest.approx(0.7)
