"""Safe L2 normalisation in the contrastive code (issue 27): finite gradients for zero rows,
float32 norms for 16-bit inputs.

References: central finite differences (gradients of the other rows), the float32 computation
of the same loss (16-bit inputs), and the closed form of the retrieval of two opposite
patterns (its output is exactly 0).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.layers import CLOOBHead, hopfield_retrieval


def _pairs(seed=0, N=5, d=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, d)).astype(np.float32)
    y = x + 0.5 * rng.normal(size=(N, d)).astype(np.float32)
    return x, y


def _fd_grad(f, x, i, j, h=1e-2):
    e = np.zeros_like(x)
    e[i, j] = h
    return (float(f(x + e)) - float(f(x - e))) / (2 * h)


@pytest.mark.parametrize("loss", ["cloob", "clip"])
def test_zero_embedding_has_finite_gradients(loss):
    x, y = _pairs()
    x[2] = 0.0  # one image embedding is exactly zero
    head = CLOOBHead(loss=loss, inv_tau=14.3, beta=14.3)
    value, (gx, gy) = jax.value_and_grad(lambda a, b: head(a, b), argnums=(0, 1))(x, y)
    assert math.isfinite(float(value))
    assert np.all(np.isfinite(np.asarray(gx))) and np.all(np.isfinite(np.asarray(gy)))
    # the other rows' gradients are the true ones (finite differences, the zero row fixed)
    f = jax.jit(lambda a: head(a, y))
    for i, j in [(0, 0), (4, 3)]:
        assert np.asarray(gx)[i, j] == pytest.approx(_fd_grad(f, x, i, j), rel=2e-2, abs=2e-3)


def test_retrieval_to_zero_has_finite_gradients():
    # two opposite patterns, a state orthogonal to both: equal softmax weights, output 0
    memory = jnp.array([[1.0, 0.0], [-1.0, 0.0]])
    state = jnp.array([[0.0, 1.0], [0.6, 0.8]])
    out = hopfield_retrieval(state, memory, beta=2.0)
    assert np.allclose(np.asarray(out)[0], 0.0)  # the closed form: sum of m_k / 2 = 0
    # the second row: softmax(2 * [0.6, -0.6]) -> tanh(1.2) * e_1, normalised: e_1
    assert np.allclose(np.asarray(out)[1], [1.0, 0.0], atol=1e-6)
    g = jax.grad(lambda s, m: jnp.sum(hopfield_retrieval(s, m, beta=2.0) ** 2), (0, 1))(
        state, memory
    )
    assert all(np.all(np.isfinite(np.asarray(a))) for a in g)


@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
@pytest.mark.parametrize("loss", ["cloob", "clip"])
def test_16_bit_rows_with_large_norms_are_normalised_in_float32(dtype, loss):
    x, y = _pairs(seed=1)
    x, y = 300.0 * x / np.linalg.norm(x, axis=1, keepdims=True), 1000.0 * y  # norms > 256
    head = CLOOBHead(loss=loss, inv_tau=14.3, beta=14.3)
    low = float(head(jnp.asarray(x, dtype), jnp.asarray(y, dtype)))
    ref = float(head(jnp.asarray(x, dtype).astype(jnp.float32),
                     jnp.asarray(y, dtype).astype(jnp.float32)))  # fmt: skip
    assert low == pytest.approx(ref, rel=2e-2)
    if loss == "cloob":  # the symptom: every row normalised to 0 gives log(N - 1)
        assert abs(low - math.log(len(x) - 1)) > 0.1
