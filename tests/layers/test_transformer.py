"""Encoder/decoder blocks with Hopfield associations."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from hopfield_sim.layers import HopfieldDecoderLayer, HopfieldEncoderLayer

R = np.random.default_rng(0)
SRC = jnp.asarray(R.normal(size=(2, 6, 16)), jnp.float32)
TGT = jnp.asarray(R.normal(size=(2, 5, 16)), jnp.float32)


def test_encoder_and_decoder_values_and_gradients():
    enc = HopfieldEncoderLayer(
        16, num_heads=4, dim_feedforward=32, update_steps_max=1, rngs=nnx.Rngs(0)
    )
    dec = HopfieldDecoderLayer(
        16, num_heads=4, dim_feedforward=32, norm_first=True, rngs=nnx.Rngs(1)
    )
    enc.eval()
    dec.eval()
    run_enc = nnx.jit(lambda e, x: e(x))
    memory = run_enc(enc, SRC)
    assert memory.shape == SRC.shape
    # no positions inside a layer: the encoder is equivariant under a permutation of the
    # sequence, and the decoder's output does not depend on the order of the memory
    perm = np.array([3, 0, 5, 1, 4, 2])
    np.testing.assert_allclose(run_enc(enc, SRC[:, perm]), memory[:, perm], atol=2e-5)
    run_dec = nnx.jit(lambda d, t, m: d(t, m))
    out = run_dec(dec, TGT, memory)
    np.testing.assert_allclose(run_dec(dec, TGT, memory[:, perm]), out, atol=2e-5)
    assert float(jnp.max(jnp.abs(out - TGT))) > 1e-2  # and the layer does something
    # the gradient is the derivative: a central difference of the loss along the gradient
    # direction g changes the loss by |g|**2 per unit step
    graph, params, rest = nnx.split(dec, nnx.Param, ...)

    def loss(p):
        return jnp.sum(nnx.merge(graph, p, rest)(TGT, memory) ** 2)

    g = jax.jit(jax.grad(loss))(params)
    leaves = jax.tree_util.tree_leaves(g)
    sq = float(sum(jnp.sum(x * x) for x in leaves))
    assert leaves and np.isfinite(sq) and sq > 0
    h = 1e-3 / np.sqrt(sq)
    plus = jax.tree_util.tree_map(lambda p, d: p + h * d, params, g)
    minus = jax.tree_util.tree_map(lambda p, d: p - h * d, params, g)
    fd = (float(jax.jit(loss)(plus)) - float(jax.jit(loss)(minus))) / (2 * h)
    assert fd == pytest.approx(sq, rel=2e-2)


def test_decoder_is_causal():
    dec = HopfieldDecoderLayer(16, num_heads=2, dim_feedforward=32, rngs=nnx.Rngs(2))
    dec.eval()
    changed = TGT.at[:, 3:].add(5.0)  # change the future positions 3, 4
    run = nnx.jit(lambda d, t, causal: d(t, SRC, causal=causal), static_argnums=2)
    a, b = run(dec, TGT, True), run(dec, changed, True)
    np.testing.assert_allclose(a[:, :3], b[:, :3], atol=1e-5)
    assert float(jnp.max(jnp.abs(a[:, 3:] - b[:, 3:]))) > 1e-2
    c = run(dec, changed, False)
    assert float(jnp.max(jnp.abs(a[:, :3] - c[:, :3]))) > 1e-3
