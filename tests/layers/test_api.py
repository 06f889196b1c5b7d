"""NNX conventions (required rngs, keyword-only options, dtype checks, dropout keys), the
attention path through jax.nn.dot_product_attention, flat gradient memory, bad input."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from hopfield_sim.layers import (
    Hopfield,
    HopfieldEncoderLayer,
    HopfieldLayer,
    HopfieldPooling,
    HopfieldResult,
    energy,
    retrieve,
)

R = np.random.default_rng(3)
X = jnp.asarray(R.normal(size=(2, 6, 8)), jnp.float32)


def _params(m):
    return jax.tree_util.tree_leaves(nnx.state(m, nnx.Param))


def test_same_rngs_agree_different_rngs_differ():
    a, b, c = (Hopfield(8, num_heads=2, rngs=nnx.Rngs(s)) for s in (0, 0, 1))
    assert all(np.array_equal(x, y) for x, y in zip(_params(a), _params(b)))
    assert any(not np.allclose(x, y) for x, y in zip(_params(a), _params(c)) if x.size > 8)
    p, q = (HopfieldPooling(8, num_heads=2, rngs=nnx.Rngs(s)) for s in (2, 3))
    assert not np.allclose(p.pooling_weights[...], q.pooling_weights[...])


def test_dropout_keys_come_from_rngs():
    m = Hopfield(8, num_heads=2, dropout_rate=0.5, rngs=nnx.Rngs(0))
    a = m(X, rngs=nnx.Rngs(dropout=7))
    b = m(X, rngs=nnx.Rngs(dropout=7))
    c = m(X, rngs=nnx.Rngs(dropout=8))
    np.testing.assert_array_equal(a, b)
    assert float(jnp.max(jnp.abs(a - c))) > 1e-3
    d = m(X, deterministic=True)
    m.eval()
    np.testing.assert_array_equal(m(X), d)
    ev = Hopfield(8, num_heads=2, dropout_rate=0.5, deterministic=True, rngs=nnx.Rngs(0))
    np.testing.assert_allclose(ev(X), d, atol=1e-6)


def test_rngs_required_and_options_keyword_only():
    with pytest.raises(TypeError, match="rngs"):
        Hopfield(8, num_heads=2)
    with pytest.raises(TypeError, match="rngs must be an nnx.Rngs"):
        HopfieldLayer(8, rngs=0)
    with pytest.raises(TypeError):
        Hopfield(8, 4, rngs=nnx.Rngs(0))  # hidden_size is keyword-only now
    with pytest.raises(TypeError):
        HopfieldEncoderLayer(8, 2, rngs=nnx.Rngs(0))  # num_heads is keyword-only now
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        Hopfield(8, dtype=jnp.int32, rngs=nnx.Rngs(0))
    with pytest.raises(TypeError, match="num_heads must be a positive int"):
        Hopfield(8, num_heads=True, rngs=nnx.Rngs(0))


def test_deprecated_result_names_warn_and_alias_the_one_result_type():
    import hopfield_sim.layers as L

    for name in ("Retrieval", "HopfieldOutput"):
        with pytest.warns(DeprecationWarning, match=name):
            assert getattr(L, name) is HopfieldResult
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = retrieve(X[..., None, :4], X[..., None, :4], return_info=True)
    assert isinstance(r, HopfieldResult)
    np.testing.assert_array_equal(r.patterns, r.output)


def _qkv(dtype):
    q, k, v = (jnp.asarray(R.normal(size=(2, 9, 2, 8)), dtype) for _ in range(3))
    mask = jnp.asarray(R.random((2, 2, 9, 9)) > 0.3).at[0, :, 3].set(False)  # one empty row
    return q, k, v, mask


@pytest.mark.parametrize("dtype, tol", [(jnp.float32, 2e-5), (jnp.bfloat16, 3e-2)])
def test_attention_path_equals_explicit_forward_and_backward(dtype, tol):
    """implementation="xla" (jax.nn.dot_product_attention) against the explicit form:
    softmax and softmax_1, masks with an empty row, 2 update steps, gradients."""
    q, k, v, mask = _qkv(dtype)

    def f(impl):
        def loss(q, k, v):
            outs = [
                retrieve(
                    q,
                    k,
                    v,
                    beta=0.4,
                    separation=s,
                    mask=mask,
                    update_steps_max=2,
                    update_steps_eps=0.0,
                    implementation=impl,
                )
                for s in ("softmax", "softmax_1")
            ]
            return sum(jnp.sum(jnp.sin(o.astype(jnp.float32))) for o in outs), outs

        return jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2), has_aux=True))(q, k, v)

    (_, out_x), g_x = f("xla")
    (_, out_e), g_e = f("explicit")
    for a, b in zip(out_x + list(g_x), out_e + list(g_e)):
        assert a.dtype == dtype
        scale = max(1.0, float(jnp.max(jnp.abs(b.astype(jnp.float32)))))
        np.testing.assert_allclose(
            np.asarray(a, np.float32), np.asarray(b, np.float32), atol=tol * scale
        )
    np.testing.assert_array_equal(out_x[0][0, 3], 0)  # nothing visible: retrieves 0


def test_automatic_cudnn_choice_falls_back_to_xla_where_cudnn_refuses():
    from hopfield_sim.layers import _attention

    q, k, v, mask = _qkv(jnp.bfloat16)
    auto = _attention.attention(
        q, k, v, mask, None, zero_row=True, implementation=_attention.AUTO_CUDNN
    )  # no cuDNN on a CPU machine: the XLA result
    xla = _attention.attention(q, k, v, mask, None, zero_row=True, implementation="xla")
    np.testing.assert_array_equal(auto, xla)


def _grad_temp_bytes(T, remat, eps):
    q, k = (jnp.asarray(R.normal(size=(1, 96, 2, 4)), jnp.float32) for _ in range(2))

    def loss(q):
        return jnp.sum(
            retrieve(q, k, beta=0.5, update_steps_max=T, update_steps_eps=eps, remat=remat)
        )

    return jax.jit(jax.grad(loss)).lower(q).compile().memory_analysis().temp_size_in_bytes


def test_gradient_memory_is_flat_in_the_number_of_steps():
    weights = 2 * 96 * 96 * 4  # bytes of one update's (H, L, S) float32 weights
    for eps in (0.0, 1e-9):  # static schedule, and per-entry stopping
        grow = _grad_temp_bytes(8, True, eps) - _grad_temp_bytes(4, True, eps)
        assert grow < 0.5 * weights, (eps, grow)  # 4 more steps: states only (4 x 3 KB)
    grow = _grad_temp_bytes(8, False, 0.0) - _grad_temp_bytes(4, False, 0.0)
    assert grow > 2 * weights  # without remat every update's weights are kept


def test_bad_input_names_the_argument():
    q = jnp.ones((2, 3, 1, 4))
    with pytest.raises(TypeError, match=r"query must be a floating-point array.*int32"):
        retrieve(jnp.ones((2, 3, 1, 4), jnp.int32), q)
    with pytest.raises(TypeError, match="key must be a floating-point array"):
        retrieve(q, jnp.ones((2, 3, 1, 4), jnp.int32))
    with pytest.raises(TypeError, match="query must be a floating-point array"):
        energy(jnp.ones(4, jnp.int32), jnp.ones((3, 4)), beta=1.0)
    with pytest.raises(TypeError, match="query must be a floating-point array"):
        Hopfield(8, rngs=nnx.Rngs(0))(jnp.ones((2, 6, 8), jnp.int32))
    with pytest.raises(TypeError, match="query must be a floating-point array"):
        HopfieldLayer(8, rngs=nnx.Rngs(0))(jnp.ones((2, 6, 8), jnp.int8))
    with pytest.raises(ValueError, match="query and key must share the last axis d"):
        retrieve(q, jnp.ones((2, 3, 1, 5)))
    with pytest.raises(ValueError, match=r"mask with shape \(2, 1, 3, 4\) does not broadcast"):
        retrieve(q, q, mask=jnp.ones((2, 1, 3, 4), bool))
    with pytest.raises(ValueError, match="mask must have dtype bool"):
        retrieve(q, q, mask=jnp.ones((2, 1, 3, 3)))
    for beta in (0.0, -1.0):
        with pytest.raises(ValueError, match="beta must be finite and > 0"):
            retrieve(q, q, beta=beta)
    with pytest.raises(TypeError, match="beta must be a real number"):
        retrieve(q, q, beta="1")
    with pytest.raises(ValueError, match="beta must be finite and > 0"):
        Hopfield(8, beta=-0.5, rngs=nnx.Rngs(0))
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        retrieve(q, q, dtype=jnp.int32)
    with pytest.raises(ValueError, match="implementation must be None or one of"):
        retrieve(q, q, implementation="flash")
