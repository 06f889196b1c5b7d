"""Contrastive losses: input validation, dtypes, jit/grad/vmap, numerical range, CLOOBHead.

Shapes are kept to (8, 16) so that the compiled cores are shared between tests.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from scipy.special import logsumexp

from hopfield_sim.layers.cloob import CLOOBHead
from hopfield_sim.layers.contrastive import (
    CLOOBParts,
    InfoNCEParts,
    cloob_loss,
    hopfield_retrieval,
    infoloob,
    infonce,
)

N, D = 8, 16
_jitted_cloob = jax.jit(lambda a, b, t: cloob_loss(a, b, inv_tau=t, beta=8.0))  # compiled once


def _unit(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


@pytest.fixture(scope="module")
def xy():
    rng = np.random.default_rng(7)
    x = _unit(rng.standard_normal((N, D)))
    y = _unit(x + 0.5 * rng.standard_normal((N, D)))
    return x, y


def _np_infoloob(a, o, inv_tau):
    """Independent NumPy float64 InfoLOOB (positive removed by deleting the diagonal)."""
    z = inv_tau * a @ o.T
    off = z[~np.eye(len(z), dtype=bool)].reshape(len(z), len(z) - 1)
    return float(np.mean(logsumexp(off, axis=1) - np.diag(z)))


# ----------------------------------------------------------------------------- validation

BAD = [
    (lambda x, y: (x[:, :-1], y), {}, ValueError, "same shape"),
    (lambda x, y: (x[0], y[0]), {}, ValueError, r"shape \(N, d\)"),
    (lambda x, y: (x[None], y[None]), {}, ValueError, "jax.vmap"),
    (lambda x, y: (x[:1], y[:1]), {}, ValueError, "at least 2 rows"),
    (lambda x, y: (x.astype(int), y), {}, TypeError, "floating-point"),
    (lambda x, y: (x.tolist(), y), {}, TypeError, "must be an array"),
    (lambda x, y: (np.where(np.eye(N, D) > 0, np.nan, x), y), {}, ValueError, "finite"),
    (lambda x, y: (x, np.where(np.eye(N, D) > 0, np.inf, y)), {}, ValueError, "finite"),
    (lambda x, y: (x, y), {"inv_tau": 0.0}, ValueError, "inv_tau"),
    (lambda x, y: (x, y), {"inv_tau": -1.0}, ValueError, "inv_tau"),
    (lambda x, y: (x, y), {"inv_tau": float("nan")}, ValueError, "inv_tau"),
    (lambda x, y: (x, y), {"inv_tau": "14.3"}, TypeError, "inv_tau"),
    (lambda x, y: (x, y), {"inv_tau": True}, TypeError, "inv_tau"),
    (lambda x, y: (x, y), {"inv_tau": np.ones(2)}, ValueError, "inv_tau must be a scalar"),
    (lambda x, y: (x, y), {"beta": 0.0}, ValueError, "beta"),
    (lambda x, y: (x, y), {"beta": float("inf")}, ValueError, "beta"),
]


@pytest.mark.parametrize("make, kw, exc, match", BAD)
def test_cloob_loss_rejects_bad_input(xy, make, kw, exc, match):
    a, b = make(*xy)
    kwargs = {"inv_tau": 14.3, "beta": 8.0} | kw
    with pytest.raises(exc, match=match):
        cloob_loss(a, b, **kwargs)


@pytest.mark.parametrize(
    "fn, names, kw",
    [
        (infoloob, ("anchors", "others"), {"inv_tau": 1.0}),
        (infonce, ("x", "y"), {"inv_tau": 1.0}),
        (hopfield_retrieval, ("state", "memory"), {"beta": 1.0}),
    ],
)
def test_errors_name_the_argument(xy, fn, names, kw):
    x, y = xy
    with pytest.raises(ValueError, match=names[1]):
        fn(x, y[:, :3], **kw)
    with pytest.raises(ValueError, match=names[0]):
        fn(np.full_like(x, np.nan), y, **kw)
    with pytest.raises(ValueError, match="at least 2 rows"):
        fn(x[:1], y[:1], **kw)
    (param,) = kw
    with pytest.raises(ValueError, match=param):
        fn(x, y, **{param: -2.0})


def test_value_checks_skipped_under_jit_shape_checks_kept(xy):
    x, y = (jnp.asarray(v, jnp.float32) for v in xy)
    f = _jitted_cloob
    assert np.isnan(float(f(x.at[0, 0].set(jnp.nan), y, 14.3)))  # no host check inside jit
    with pytest.raises(ValueError, match="same shape"):
        f(x, y[:, :3], 14.3)


# ----------------------------------------------------------------------------- values


def test_infoloob_matches_numpy_and_survives_huge_inv_tau(xy):
    x, y = xy
    for inv_tau in (1.0, 14.3, 1e4):  # 1e4: exp(τ⁻¹ a·o) overflows float32 and float64
        ref = _np_infoloob(x, y, inv_tau)
        got = float(
            infoloob(jnp.asarray(x, jnp.float32), jnp.asarray(y, jnp.float32), inv_tau=inv_tau)
        )
        assert np.isfinite(got)
        assert abs(got - ref) <= 2e-6 * max(1.0, abs(ref)), inv_tau


def test_infoloob_two_pairs_closed_form():
    # N = 2: the denominator is one term, InfoLOOB = mean_i τ⁻¹ (a_i·o_j − a_i·o_i).
    a = jnp.array([[1.0, 0.0], [0.0, 1.0]])
    o = jnp.array([[0.6, 0.8], [1.0, 0.0]])
    expected = 0.5 * 3.0 * ((1.0 - 0.6) + (0.8 - 0.0))
    assert float(infoloob(a, o, inv_tau=3.0)) == pytest.approx(expected, abs=1e-6)
    # linear in τ⁻¹ here, so d/dτ⁻¹ = loss / τ⁻¹
    g = jax.grad(lambda t: infoloob(a, o, inv_tau=t))(3.0)
    assert float(g) == pytest.approx(expected / 3.0, abs=1e-6)


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_16bit_inputs_computed_in_float32(xy, dtype):
    x, y = (jnp.asarray(v, dtype) for v in xy)
    x32, y32 = x.astype(jnp.float32), y.astype(jnp.float32)  # the same rounded inputs
    p = cloob_loss(x, y, inv_tau=30.0, beta=14.3, return_parts=True)
    p32 = cloob_loss(x32, y32, inv_tau=30.0, beta=14.3, return_parts=True)
    eps = float(jnp.finfo(dtype).eps)
    for got, ref in zip(p, p32):
        assert got.dtype == dtype
        np.testing.assert_allclose(np.asarray(got, np.float32), np.asarray(ref), rtol=eps, atol=eps)
    n = infonce(x, y, inv_tau=30.0)
    assert n.dtype == dtype and np.isfinite(float(n))
    assert float(n) == pytest.approx(float(infonce(x32, y32, inv_tau=30.0)), rel=eps, abs=eps)
    g = jax.grad(lambda a: cloob_loss(a, y, inv_tau=30.0, beta=14.3))(x)
    assert g.dtype == dtype and bool(jnp.all(jnp.isfinite(g.astype(jnp.float32))))


def test_mixed_dtypes_promote(xy):
    x, y = xy
    out = infoloob(jnp.asarray(x, jnp.bfloat16), jnp.asarray(y, jnp.float32), inv_tau=2.0)
    assert out.dtype == jnp.float32


# ----------------------------------------------------------------------------- transforms


def test_jit_matches_eager_and_parts(xy):
    x, y = (jnp.asarray(v, jnp.float32) for v in xy)
    eager = cloob_loss(x, y, inv_tau=14.3, beta=8.0, return_parts=True)
    assert isinstance(eager, CLOOBParts)
    jitted = _jitted_cloob(x, y, 14.3)
    assert float(jitted) == pytest.approx(float(eager.loss), rel=1e-6)
    assert float(eager.loss) == pytest.approx(0.5 * float(eager.image_term + eager.text_term))
    for r in (eager.U_x, eager.U_y, eager.V_x, eager.V_y):
        assert r.shape == (N, D)
        np.testing.assert_allclose(np.linalg.norm(r, axis=1), 1.0, atol=1e-6)
    parts = infonce(x, y, inv_tau=14.3, return_parts=True)
    assert isinstance(parts, InfoNCEParts)
    assert float(parts.loss) == pytest.approx(0.5 * float(parts.image_term + parts.text_term))


@pytest.mark.slow  # two float64 compilations; default-tier twin: the N = 2 gradient below
def test_grad_in_temperatures_matches_finite_differences(xy):
    x, y = xy
    with jax.enable_x64(True):
        xs, ys = jnp.asarray(x), jnp.asarray(y)

        def f(t, b):
            return cloob_loss(xs, ys, inv_tau=t, beta=b)

        t0, b0 = 14.3, 8.0
        gt, gb = jax.grad(f, argnums=(0, 1))(t0, b0)
        h = 1e-5
        fd_t = (float(f(t0 + h, b0)) - float(f(t0 - h, b0))) / (2 * h)
        fd_b = (float(f(t0, b0 + h)) - float(f(t0, b0 - h))) / (2 * h)
    assert float(gt) == pytest.approx(fd_t, rel=1e-6, abs=1e-8)
    assert float(gb) == pytest.approx(fd_b, rel=1e-6, abs=1e-8)


def test_vmap_over_a_batch_of_batches(xy):
    x, y = (jnp.asarray(v, jnp.float32) for v in xy)
    X, Y = jnp.stack([x, y]), jnp.stack([y, x])
    got = jax.vmap(lambda a, b: cloob_loss(a, b, inv_tau=14.3, beta=8.0))(X, Y)
    ref = [float(cloob_loss(a, b, inv_tau=14.3, beta=8.0)) for a, b in zip(X, Y)]
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-6)
    got = jax.vmap(lambda t: infoloob(x, y, inv_tau=t))(jnp.array([1.0, 14.3]))
    ref = [float(infoloob(x, y, inv_tau=t)) for t in (1.0, 14.3)]
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-6)


# ----------------------------------------------------------------------------- CLOOBHead


def test_head_normalises_and_matches_functional(xy):
    x, y = (jnp.asarray(v, jnp.float32) for v in xy)
    head = CLOOBHead(loss="cloob", inv_tau=14.3, beta=8.0)
    assert float(head(3.0 * x, 0.5 * y)) == pytest.approx(
        float(cloob_loss(x, y, inv_tau=14.3, beta=8.0)), rel=1e-5
    )
    parts = head(x, y, return_parts=True)
    assert isinstance(parts, CLOOBParts) and parts.U_y.shape == (N, D)
    assert not nnx.state(head, nnx.Param)  # fixed τ⁻¹: nothing to train
    clip = CLOOBHead(loss="clip", inv_tau=14.3)
    assert float(clip(2.0 * x, y)) == pytest.approx(float(infonce(x, y, inv_tau=14.3)), rel=1e-5)


def test_head_learnable_inv_tau_is_clamped(xy):
    x, y = (jnp.asarray(v, jnp.float32) for v in xy)
    head = CLOOBHead(loss="clip", inv_tau=14.3, learn_inv_tau=True)
    (p,) = jax.tree.leaves(nnx.state(head, nnx.Param))
    assert float(p) == pytest.approx(np.log(14.3))
    g = nnx.grad(lambda m: m(x, y))(head)
    # d loss / d log τ⁻¹ = τ⁻¹ d loss / d τ⁻¹
    t = 14.3
    fd = float(infonce(x, y, inv_tau=t * 1.001)) - float(infonce(x, y, inv_tau=t / 1.001))
    fd /= 2 * np.log(1.001)
    assert float(g.log_inv_tau[...]) == pytest.approx(fd, rel=1e-2, abs=1e-5)
    head.log_inv_tau[...] = jnp.asarray(7.0)  # an update overshot ln 100
    assert float(head.inv_tau) == pytest.approx(100.0, rel=1e-6)
    head.clamp()
    assert float(head.log_inv_tau[...]) == pytest.approx(np.log(100.0), rel=1e-6)
    head.log_inv_tau[...] = jnp.asarray(-3.0)
    assert float(head.inv_tau) == pytest.approx(1.0)
    head.clamp()
    assert float(head.log_inv_tau[...]) == 0.0


@pytest.mark.parametrize(
    "kw, exc, match",
    [
        ({"loss": "siglip"}, ValueError, "loss must be one of"),
        ({"inv_tau": 0.5}, ValueError, "clamp range"),
        ({"inv_tau": 200.0}, ValueError, "clamp range"),
        ({"inv_tau": "14"}, TypeError, "inv_tau"),
        ({"beta": -1.0}, ValueError, "beta"),
        ({"inv_tau_max": 0.5}, ValueError, "inv_tau_max"),
    ],
)
def test_head_rejects_bad_arguments(kw, exc, match):
    with pytest.raises(exc, match=match):
        CLOOBHead(**kw)


def test_head_rejects_bad_inputs(xy):
    x, y = xy
    with pytest.raises(ValueError, match="same shape"):
        CLOOBHead()(x, y[:, :4])
    with pytest.raises(TypeError, match="floating-point"):
        CLOOBHead()(x.astype(int), y)
