"""Encoder/decoder blocks with Hopfield associations."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hopfield_sim.layers import HopfieldDecoderLayer, HopfieldEncoderLayer

R = np.random.default_rng(0)
SRC = jnp.asarray(R.normal(size=(2, 6, 16)), jnp.float32)
TGT = jnp.asarray(R.normal(size=(2, 5, 16)), jnp.float32)


def test_encoder_and_decoder_shapes_and_finite_gradients():
    enc = HopfieldEncoderLayer(
        16, num_heads=4, dim_feedforward=32, update_steps_max=1, rngs=nnx.Rngs(0)
    )
    dec = HopfieldDecoderLayer(
        16, num_heads=4, dim_feedforward=32, norm_first=True, rngs=nnx.Rngs(1)
    )
    enc.eval()
    dec.eval()
    memory = nnx.jit(lambda e, x: e(x))(enc, SRC)
    assert memory.shape == SRC.shape
    g = nnx.jit(nnx.grad(lambda d: jnp.sum(d(TGT, memory) ** 2)))(dec)
    leaves = jax.tree_util.tree_leaves(g)
    assert leaves and all(bool(jnp.all(jnp.isfinite(x))) for x in leaves)


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
