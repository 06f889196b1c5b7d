"""The NNX face of the layers: MHA-style calls and names, native options, deprecated names.

Independent reference: ``flax.nnx.MultiHeadAttention`` with the same weights (one step of
softmax retrieval without norms is its attention); deprecated spellings are compared with
the native ones.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from hopfield_sim.layers import (
    CallOptions,
    Hopfield,
    HopfieldLayer,
    HopfieldPooling,
    Norm,
    Norms,
    energy,
    retrieve,
)

R = np.random.default_rng(7)
Q = jnp.asarray(R.normal(size=(2, 5, 8)), jnp.float32)
K = jnp.asarray(R.normal(size=(2, 7, 8)), jnp.float32)
V = jnp.asarray(R.normal(size=(2, 7, 8)), jnp.float32)


def _deprecated(match, fn, *args, **kwargs):
    """Call ``fn``; every warning must be a DeprecationWarning and one must match."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args, **kwargs)
    assert caught and all(issubclass(w.category, DeprecationWarning) for w in caught), caught
    assert any(re.search(match, str(w.message)) for w in caught), [str(w.message) for w in caught]
    return out


def _mha_and_hopfield():
    H, d = 2, 8
    mha = nnx.MultiHeadAttention(H, d, decode=False, rngs=nnx.Rngs(3))
    hop = Hopfield(d, num_heads=H, norms=Norms.none(), rngs=nnx.Rngs(0))
    for ours, theirs in (("q_proj", "query"), ("k_proj", "key"), ("v_proj", "value")):
        t = getattr(mha, theirs)
        getattr(hop, ours).kernel[...] = t.kernel[...].reshape(d, -1)
        getattr(hop, ours).bias[...] = t.bias[...].reshape(-1)
    hop.out_proj.kernel[...] = mha.out.kernel[...].reshape(-1, d)
    hop.out_proj.bias[...] = mha.out.bias[...]
    return mha, hop


def test_positional_call_is_multi_head_attention_with_the_same_weights():
    mha, hop = _mha_and_hopfield()
    want = mha(Q, K, V, deterministic=True)
    np.testing.assert_allclose(hop(Q, K, V), want, atol=2e-5)
    # MHA's defaults: key = query, value = key; MHA's call names work too
    np.testing.assert_allclose(hop(Q), mha(Q, deterministic=True), atol=2e-5)
    np.testing.assert_allclose(hop(Q, K), mha(Q, K, deterministic=True), atol=2e-5)
    np.testing.assert_allclose(hop(inputs_q=Q, inputs_k=K, inputs_v=V), want, atol=2e-5)
    keep = jnp.asarray(R.random((2, 1, 5, 7)) > 0.3).at[..., 0].set(True)
    np.testing.assert_allclose(
        hop(Q, K, V, mask=keep), mha(Q, K, V, mask=keep, deterministic=True), atol=2e-5
    )
    # the one forward pass behind the calls
    np.testing.assert_allclose(
        hop.associate(Q, K, V, CallOptions(mask=keep)), hop(Q, K, V, mask=keep)
    )


def test_mha_constructor_names_are_accepted_or_answered():
    a = Hopfield(in_features=8, qkv_features=12, out_features=6, num_heads=2, rngs=nnx.Rngs(0))
    assert (a.input_size, a.head_dim, a.out_size) == (8, 6, 6)
    b = Hopfield(8, dropout_rate=0.5, use_bias=False, rngs=nnx.Rngs(0))
    assert b.dropout_rate == 0.5 and b.q_proj.bias is None
    for name, hint in (("decode", "causal mask"), ("sow_weights", r"retrieve\(...\)\.weights")):
        with pytest.raises(TypeError, match=hint):
            Hopfield(8, rngs=nnx.Rngs(0), **{name: True})
    with pytest.raises(TypeError, match="normalize_qk"):
        Hopfield(8, normalize_qk=True, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="qkv_features"):
        Hopfield(8, qkv_features=7, num_heads=2, rngs=nnx.Rngs(0))
    with pytest.raises(TypeError, match="unexpected keyword argument 'wat'"):
        Hopfield(8, wat=1, rngs=nnx.Rngs(0))
    with pytest.raises(TypeError, match="call options are mask"):
        Hopfield(8, rngs=nnx.Rngs(0))(Q, masks=None)


def test_hopfield_layers_names_still_work_with_a_deprecation_warning():
    native = dict(
        beta=[0.7, 1.3],
        separation="entmax",
        entmax_alpha=1.7,
        update_steps_max=2,
        norms=Norms(value=None, hopfield_space=Norm(affine=False, eps=1e-3)),
        static=("value",),
        dropout_rate=0.1,
        add_zero_pattern=True,
        out_projection=False,
        pattern_size=8,
    )
    old = dict(
        scaling=[0.7, 1.3],
        separation="entmax",
        alpha=1.7,
        update_steps_max=2,
        normalize_pattern_projection=False,
        normalize_hopfield_space=True,
        normalize_hopfield_space_eps=1e-3,
        pattern_projection_as_static=True,
        dropout=0.1,
        add_zero_association=True,
        disable_out_projection=True,
        pattern_size=8,
    )
    a = Hopfield(8, num_heads=2, rngs=nnx.Rngs(0), **native)
    b = _deprecated(
        r"scaling=...\) is deprecated; use beta=", Hopfield, 8, num_heads=2, rngs=nnx.Rngs(0), **old
    )
    a.eval(), b.eval()
    want = a(Q, K, V)
    np.testing.assert_array_equal(b(Q, K, V), want)
    np.testing.assert_array_equal(_deprecated("hopfield-layers' order", b, (K, Q, V)), want)
    got = _deprecated(r"memory=...\) is deprecated", b, query=Q, memory=K, values=V)
    np.testing.assert_array_equal(got, want)
    mask = jnp.ones((2, 7), bool)
    got = _deprecated("stored_pattern_padding_mask", a, Q, K, V, stored_pattern_padding_mask=mask)
    np.testing.assert_array_equal(got, want)
    with pytest.raises(TypeError, match="given twice"):
        Hopfield(8, beta=1.0, scaling=2.0, rngs=nnx.Rngs(0))


def test_functional_names_query_key_value_and_entmax_alpha():
    q = jnp.asarray(R.normal(size=(3, 4)), jnp.float32)
    k = jnp.asarray(R.normal(size=(6, 4)), jnp.float32)
    new = retrieve(q, key=k, value=2 * k, heads=False, separation="entmax", entmax_alpha=1.3)
    old = _deprecated(
        r"keys=...\) is deprecated; use key=",
        retrieve,
        q,
        keys=k,
        values=2 * k,
        heads=False,
        separation="entmax",
        alpha=1.3,
    )
    np.testing.assert_array_equal(new, old)
    e = _deprecated(r"memory=...\) is deprecated", energy, state=q, memory=k, beta=2.0)
    np.testing.assert_array_equal(e, energy(q, k, beta=2.0))
    with pytest.raises(TypeError, match="give key= only"):
        retrieve(q, key=k, keys=k, heads=False)


def test_converged_is_none_without_a_convergence_test():
    m = Hopfield(8, num_heads=2, rngs=nnx.Rngs(0))  # update_steps_max=0: attention
    assert m.retrieve(Q, K, V).converged is None
    fixed = Hopfield(8, num_heads=2, update_steps_max=3, update_steps_eps=0.0, rngs=nnx.Rngs(0))
    assert fixed.retrieve(Q, K, V).converged is None
    # an eps-based iteration reports its test: a huge eps converges at the first check
    loose = Hopfield(8, num_heads=2, update_steps_max=3, update_steps_eps=1e3, rngs=nnx.Rngs(0))
    r = loose.retrieve(Q, K, V)
    assert r.converged.shape == (2, 2) and bool(np.all(r.converged))
    np.testing.assert_array_equal(r.steps, 1)
    assert retrieve(Q[0][:, None], K[0][:, None], return_info=True).converged is None


def test_pooling_can_keep_the_quantity_axis():
    flat = HopfieldPooling(8, quantity=3, num_heads=2, rngs=nnx.Rngs(1))
    kept = HopfieldPooling(8, quantity=3, num_heads=2, flatten=False, rngs=nnx.Rngs(1))
    assert kept(K).shape == (2, 3, 8)
    np.testing.assert_array_equal(kept(K).reshape(2, -1), flat(K))
    assert kept.retrieve(K, V).output.shape == (2, 3, 8)
    # the pooled vectors are the Hopfield layer's retrieval with the learned queries
    qs = jnp.broadcast_to(kept.pooling_weights[...], (2, 3, 8))
    np.testing.assert_allclose(kept(K, V), kept.hopfield(qs, K, V), atol=1e-6)
    lookup = HopfieldLayer(8, quantity=4, rngs=nnx.Rngs(2))
    np.testing.assert_array_equal(_deprecated("inputs=", lookup, inputs=Q), lookup(Q))


def test_layer_modules_stay_small():
    root = Path(__file__).resolve().parents[2] / "hopfield_sim" / "layers"
    sizes = {p.name: len(p.read_text().splitlines()) for p in root.glob("*.py")}
    assert max(sizes.values()) <= 400, sizes
