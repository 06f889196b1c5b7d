"""NNX modules: the extras beyond the reference (keyword inputs, JAX masks, retrieve/energy,
learnable beta/alpha, pure retrieval, working bias rows, dropout) and bad input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from hopfield_sim.layers import Hopfield, HopfieldLayer, HopfieldPooling, retrieve

R = np.random.default_rng(0)
STORED = jnp.asarray(R.normal(size=(2, 7, 8)), jnp.float32)
STATE = jnp.asarray(R.normal(size=(2, 5, 8)), jnp.float32)
PROJ = jnp.asarray(R.normal(size=(2, 7, 8)), jnp.float32)


def _model(**kw):
    return Hopfield(8, num_heads=2, rngs=nnx.Rngs(0), **kw)


def test_keyword_inputs_equal_the_positional_form():
    m = _model(update_steps_max=2)
    a = m(STATE, STORED, PROJ)
    b = m(query=STATE, key=STORED, value=PROJ)
    np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(m(STORED), m(STORED, STORED, STORED), atol=1e-6)


def test_jax_and_reference_mask_conventions_agree_and_full_masking_is_finite():
    keep = jnp.asarray(R.random((2, 7)) > 0.3).at[1].set(False)  # entry 1: nothing visible
    m_jax = _model(update_steps_max=1)
    m_ref = _model(update_steps_max=1, mask_convention="reference")
    a = m_jax(STATE, STORED, PROJ, key_padding_mask=keep)
    b = m_ref(STATE, STORED, PROJ, key_padding_mask=~keep)
    c = m_jax(STATE, STORED, PROJ, mask=keep[:, None, None, :])
    np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_allclose(a, c, atol=1e-6)
    assert bool(jnp.all(jnp.isfinite(a)))
    # a fully masked entry retrieves nothing: the output is the output projection's bias
    np.testing.assert_allclose(a[1], jnp.broadcast_to(m_jax.out_proj.bias[...], (5, 8)), atol=1e-6)
    g = nnx.grad(lambda m: jnp.sum(m(STATE, STORED, PROJ, key_padding_mask=keep)))(m_jax)
    assert all(bool(jnp.all(jnp.isfinite(x))) for x in jax.tree_util.tree_leaves(g))


def test_retrieve_returns_per_head_weights_patterns_and_energy_decreases():
    m = _model(update_steps_max=3, update_steps_eps=0.0, beta=[0.8, 2.0])
    r = m.retrieve(STATE, STORED, PROJ)
    np.testing.assert_allclose(r.output, m(STATE, STORED, PROJ), atol=1e-5)
    assert r.weights.shape == (2, 2, 5, 7) and r.patterns.shape == (2, 5, 2, 4)
    np.testing.assert_allclose(jnp.sum(r.weights, -1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(r.steps, 3)
    # per-head patterns are the weights applied to the per-head values
    np.testing.assert_allclose(
        r.patterns, jnp.einsum("bhls,bhsd->blhd", r.weights, r.values), atol=1e-5
    )
    E0 = m.energy(STATE, STORED, PROJ)
    E3 = m.energy(STATE, STORED, PROJ, state=r.state)
    assert E0.shape == (2, 2, 5)
    assert bool(jnp.all(E3 <= E0 + 1e-5))


def test_pure_retrieval_preset_is_the_functional_core():
    X = STORED[0]
    m = Hopfield.pure_retrieval(
        8, beta=2.0, update_steps_max=2, update_steps_eps=0.0, rngs=nnx.Rngs(0)
    )
    assert len(jax.tree_util.tree_leaves(nnx.state(m, nnx.Param))) == 0
    out = m(STATE[:1], X[None], X[None])[0]
    ref = retrieve(STATE[0], X, beta=2.0, heads=False, update_steps_max=2, update_steps_eps=0.0)
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_learnable_beta_and_alpha_receive_gradients_and_stay_in_range():
    m = _model(
        separation="entmax",
        entmax_alpha=1.5,
        learn_entmax_alpha=True,
        learn_beta=True,
        update_steps_max=1,
    )
    np.testing.assert_allclose(m.beta, 0.5, rtol=1e-6)

    def loss(m):
        return jnp.sum(m(STATE, STORED, PROJ) ** 2)

    g = nnx.grad(loss)(m)
    assert float(jnp.max(jnp.abs(g["log_beta"][...]))) > 0
    assert float(jnp.max(jnp.abs(g["alpha"][...]))) > 0
    m.log_beta[...] = m.log_beta[...] - 30.0  # a huge step keeps beta > 0
    assert bool(jnp.all(m.beta > 0))


def test_bias_rows_are_appended_and_trained():
    m = _model(add_bias_pattern=True)
    r = m.retrieve(STATE, STORED, PROJ)
    assert r.weights.shape[-1] == 8  # 7 stored patterns + the bias row
    before = m(STATE, STORED, PROJ)
    g = nnx.grad(lambda m: jnp.sum(m(STATE, STORED, PROJ)))(m)
    assert float(jnp.max(jnp.abs(g["bias_v"][...]))) > 0
    m.bias_v[...] = m.bias_v[...] + 1.0
    assert float(jnp.max(jnp.abs(m(STATE, STORED, PROJ) - before))) > 1e-3


def test_dropout_only_in_training_mode():
    m = _model(dropout_rate=0.5)
    m.eval()
    a, b = m(STATE, STORED, PROJ), m(STATE, STORED, PROJ)
    np.testing.assert_allclose(a, b)
    m.train()
    c = m(STATE, STORED, PROJ)
    assert float(jnp.max(jnp.abs(a - c))) > 1e-3


def test_pooling_and_lookup_shapes():
    p = HopfieldPooling(8, quantity=3, num_heads=2, rngs=nnx.Rngs(1))
    assert p(STORED).shape == (2, 24)
    layer = HopfieldLayer(8, quantity=6, num_heads=2, rngs=nnx.Rngs(2))
    assert layer(STATE).shape == (2, 5, 8)
    assert layer.retrieve(STATE).weights.shape == (2, 2, 5, 6)


def test_bad_input_raises_value_errors_naming_shapes():
    m = _model()
    with pytest.raises(
        ValueError,
        match=r"key must have width 8 \(last axis\); "
        r"got shape \(2, 7, 5\)",
    ):
        m(STATE, STORED[..., :5], PROJ)
    with pytest.raises(
        ValueError,
        match=r"key and value must share "
        r"\(batch, S\); got key \(2, 7\) and "
        r"value \(2, 6\)",
    ):
        m(STATE, STORED, PROJ[:, :6])
    with pytest.raises(ValueError, match=r"key_padding_mask must have dtype bool"):
        m(STATE, STORED, PROJ, key_padding_mask=jnp.ones((2, 7)))
    with pytest.raises(
        ValueError,
        match=r"association_mask with shape \(5, 6\) does not "
        r"broadcast",
    ):
        m(STATE, STORED, PROJ, association_mask=jnp.ones((5, 6), bool))
    with pytest.raises(ValueError, match=r"beta must be finite and > 0"):
        _model(beta=0.0)
    with pytest.raises(ValueError, match=r"separation must be one of"):
        _model(separation="hardmax")
    with pytest.raises(ValueError, match=r"update_steps_max must have one entry or one per head"):
        _model(update_steps_max=[1, 2, 3])
