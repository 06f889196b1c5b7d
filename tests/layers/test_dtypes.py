"""Every floating dtype through the functional core and every module, against float64.

(float32 against float64 to 1e-5 is the parity suite, test_parity.py.)

Tolerance of the 16-bit results (relative to the largest |value| of the float64 result):
``TOL16 = 16 u`` with ``u`` the unit roundoff (bfloat16 2^-8, float16 2^-11). Inputs, states,
weights and outputs are each rounded once to the 16-bit dtype (about 4 roundings of relative
size u on the way to the output); the softmax turns an absolute score error ``e`` into a
relative weight error ``e``, and the scores here are O(1) times beta ~ 0.5..1 after the
LayerNorms, adding a few u; the update steps and the output projection compound this by
a factor < 2. Scores, separations, LayerNorm statistics and the convergence test run in
float32, so nothing else enters. Measured worst case here ~5u (in every dtype, float32
included: that part is the conditioning of the map, not the 16-bit arithmetic). More update
steps amplify any perturbation by the Lipschitz constant of the update (sparsemax with two
steps at beta 0.7: ~25u in bfloat16 and ~16u in float32 alike), so the matrix uses one.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from hopfield_sim.layers import (
    Hopfield,
    HopfieldDecoderLayer,
    HopfieldEncoderLayer,
    HopfieldLayer,
    HopfieldPooling,
    energy,
    retrieve,
)
from hopfield_sim.layers.separation import SEPARATIONS

U = {jnp.float32: 2.0**-24, jnp.bfloat16: 2.0**-8, jnp.float16: 2.0**-11}
R = np.random.default_rng(11)
Q = R.normal(size=(2, 5, 2, 4))
K = R.normal(size=(2, 7, 2, 4))
V = R.normal(size=(2, 7, 2, 4))
X = R.normal(size=(2, 6, 8))
Y = R.normal(size=(2, 4, 8))
MASK = (R.random((2, 2, 5, 7)) > 0.2) | (np.arange(7) == 0)


def _close(got, want, dtype, factor=16.0):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert np.all(np.isfinite(got))
    scale = max(1.0, float(np.max(np.abs(want))))
    tol = factor * U[dtype] * scale if dtype != jnp.float32 else 1e-5 * scale
    np.testing.assert_allclose(got, want, atol=tol, rtol=0)


def _functional(dtype):
    """Every separation, 1 update step, masks: (outputs, energies) in ``dtype``."""
    q, k, v = (jnp.asarray(a, dtype) for a in (Q, K, V))
    mask = jnp.asarray(MASK)
    outs = [
        retrieve(
            q, k, v, beta=0.7, separation=s, mask=mask, update_steps_max=1, update_steps_eps=0.0
        )
        for s in SEPARATIONS
    ]
    E = [energy(q[:, :, 0], k[:, :, 0][:, None], beta=0.7, separation=s) for s in SEPARATIONS]
    return outs, E


@pytest.fixture(scope="module")
def functional_float64():
    with jax.enable_x64(True):
        return jax.tree.map(np.asarray, jax.jit(_functional, static_argnums=0)(jnp.float64))


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_functional_core_every_dtype_and_separation_close_to_float64(dtype, functional_float64):
    outs, E = jax.jit(_functional, static_argnums=0)(dtype)
    for s, got, want in zip(SEPARATIONS, outs, functional_float64[0]):
        assert got.dtype == dtype, s
        _close(got, want, dtype)
    for s, got, want in zip(SEPARATIONS, E, functional_float64[1]):
        assert got.dtype == dtype, s
        _close(got, want, dtype)


def _modules(dtype, param_dtype):
    """Every module (softmax) and the Hopfield core with every other separation, tiny, with
    one update step (the separation code is shared by all modules through ``Hopfield``)."""
    kw = dict(dtype=dtype, param_dtype=param_dtype, update_steps_max=1, update_steps_eps=0.0)
    ms = [
        HopfieldPooling(8, quantity=2, num_heads=2, rngs=nnx.Rngs(1), **kw),
        HopfieldLayer(8, quantity=3, num_heads=2, rngs=nnx.Rngs(2), **kw),
        HopfieldEncoderLayer(8, num_heads=2, dim_feedforward=16, rngs=nnx.Rngs(3), **kw),
        HopfieldDecoderLayer(8, num_heads=2, dim_feedforward=16, rngs=nnx.Rngs(4), **kw),
    ]
    ms += [Hopfield(8, num_heads=2, separation=s, rngs=nnx.Rngs(5), **kw) for s in SEPARATIONS]
    for m in ms:
        m.eval()
    return ms


def _run(ms, x, y):
    out = []
    for m in ms:
        if isinstance(m, Hopfield):
            out.append(m(y, x, x))
        elif isinstance(m, HopfieldDecoderLayer):
            out.append(m(y, x))
        elif isinstance(m, HopfieldLayer | HopfieldEncoderLayer):
            out.append(m(y))
        else:
            out.append(m(x))
    return out


@pytest.fixture(scope="module")
def modules_float64():
    with jax.enable_x64(True):
        ms = _modules(jnp.float64, jnp.float64)
        params = [nnx.state(m, nnx.Param) for m in ms]
        out = nnx.jit(_run)(ms, jnp.asarray(X), jnp.asarray(Y))
        return [jax.tree.map(np.asarray, p) for p in params], [np.asarray(o) for o in out]


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_every_module_and_separation_in_every_dtype_close_to_float64(dtype, modules_float64):
    params64, want = modules_float64
    ms = _modules(dtype, jnp.float32)
    for m, p in zip(ms, params64):  # the float64 modules' parameters, rounded to float32
        nnx.update(m, jax.tree.map(lambda a: jnp.asarray(a, jnp.float32), p))
    got = nnx.jit(_run)(ms, jnp.asarray(X, dtype), jnp.asarray(Y, dtype))
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.dtype == dtype, (i, g.dtype)
        _close(g, w, dtype)


def test_bfloat16_gradients_finite_through_three_steps():
    m = Hopfield(
        8,
        num_heads=2,
        update_steps_max=3,
        update_steps_eps=0.0,
        dtype=jnp.bfloat16,
        rngs=nnx.Rngs(0),
    )
    x = jnp.asarray(X, jnp.bfloat16)

    def loss(m, x):
        return jnp.mean(m(x).astype(jnp.float32) ** 2)

    gm, gx = nnx.jit(nnx.grad(loss, argnums=(0, 1)))(m, x)
    leaves = jax.tree_util.tree_leaves(gm)
    assert leaves and all(bool(jnp.all(jnp.isfinite(g))) for g in leaves)
    assert all(g.dtype == jnp.float32 for g in leaves)  # parameters stay float32
    assert gx.dtype == jnp.bfloat16 and bool(jnp.all(jnp.isfinite(gx)))
    assert float(jnp.max(jnp.abs(gx.astype(jnp.float32)))) > 0
    # the functional core, rematerialised, every entry stopping on its own (eps > 0)
    q, k = jnp.asarray(Q, jnp.bfloat16), jnp.asarray(K, jnp.bfloat16)

    def f(q):
        return jnp.sum(retrieve(q, k, update_steps_max=3, remat=True).astype(jnp.float32))

    g = jax.jit(jax.grad(f))(q)
    assert g.dtype == jnp.bfloat16 and bool(jnp.all(jnp.isfinite(g)))
