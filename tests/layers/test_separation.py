"""Separation functions: simplex, sparsity, limits, conjugates and custom gradients."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.layers import entmax, softmax, softmax_1, sparsemax
from hopfield_sim.layers.separation import SEPARATIONS, conjugate, get

Z = jax.random.normal(jax.random.key(0), (6, 9)) * 2.0


def test_sparsemax_closed_form_small_example():
    # z = (1, 0.5, -1): support {0, 1}, tau = (1 + 0.5 - 1) / 2 = 0.25
    p = sparsemax(jnp.array([1.0, 0.5, -1.0]))
    np.testing.assert_allclose(p, [0.75, 0.25, 0.0], atol=1e-7)


def test_sparsemax_weights_sum_to_one_and_are_sparse():
    p = sparsemax(Z)
    np.testing.assert_allclose(jnp.sum(p, -1), 1.0, atol=1e-6)
    assert bool(jnp.all(p >= 0))
    assert int(jnp.sum(p == 0)) > Z.size // 3  # random scores of spread 2: mostly zeros
    # every weight below tau is exactly 0, every one above is z - tau
    tau = jnp.max(Z - p, axis=-1, where=p > 0, initial=-jnp.inf)
    np.testing.assert_allclose(
        jnp.where(p > 0, Z - p, tau[:, None]), tau[:, None] + 0 * Z, atol=1e-6
    )


@pytest.mark.parametrize("alpha", [1.2, 1.5, 2.0, 3.0])
def test_entmax_is_on_the_simplex_and_sparse_for_large_spread(alpha):
    p = entmax(Z, alpha)
    np.testing.assert_allclose(jnp.sum(p, -1), 1.0, atol=1e-6)
    assert bool(jnp.all(p >= 0))
    assert int(jnp.sum(p == 0)) > 0


def test_entmax_limits_are_softmax_and_sparsemax():
    np.testing.assert_allclose(entmax(Z, 2.0), sparsemax(Z), atol=2e-6)
    np.testing.assert_allclose(entmax(Z, 1.001), softmax(Z), atol=2e-3)


def test_softmax_1_equals_softmax_with_an_extra_zero_score():
    ext = jnp.concatenate([Z, jnp.zeros((Z.shape[0], 1))], -1)
    np.testing.assert_allclose(softmax_1(Z), softmax(ext)[:, :-1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", SEPARATIONS)
def test_gradient_of_conjugate_is_the_separation(name):
    # Psi*'s gradient is the separation itself: ties energy() to the update rule
    with jax.enable_x64(True):
        z = jnp.asarray(np.asarray(Z), jnp.float64)
        g = jax.grad(lambda z: jnp.sum(conjugate(name, z, None, 1.5)))(z)
        np.testing.assert_allclose(g, get(name, 1.5)(z), atol=1e-8)


@pytest.mark.parametrize("name", SEPARATIONS)
def test_fully_masked_rows_give_zero_weights_and_finite_gradients(name):
    mask = jnp.ones(Z.shape, bool).at[0].set(False).at[1, :4].set(False)
    sep = get(name, 1.5)
    p = sep(Z, mask)
    assert bool(jnp.all(p[0] == 0)) and bool(jnp.all(p[1, :4] == 0))
    total = jnp.sum(p[2:], -1)
    if name == "softmax_1":  # the "nothing" option keeps part of the mass
        assert bool(jnp.all((total > 0) & (total < 1)))
    else:
        np.testing.assert_allclose(total, 1.0, atol=1e-6)
    g = jax.grad(lambda z: jnp.sum(sep(z, mask) * jnp.arange(9.0)))(Z)
    assert bool(jnp.all(jnp.isfinite(g)))


def _fd_check(f, x, direction, eps=1e-6):
    num = (f(x + eps * direction) - f(x - eps * direction)) / (2 * eps)
    ana = jnp.vdot(jax.grad(f)(x), direction)
    return float(num), float(ana)


@pytest.mark.parametrize("name", SEPARATIONS)
def test_separation_gradients_match_finite_differences(name):
    with jax.enable_x64(True):
        z = jnp.asarray(np.asarray(Z), jnp.float64)
        c = jnp.asarray(np.random.default_rng(1).normal(size=z.shape))
        d = jnp.asarray(np.random.default_rng(2).normal(size=z.shape))
        num, ana = _fd_check(lambda z: jnp.sum(get(name, 1.5)(z) * c), z, d)
        assert abs(num - ana) < 1e-6 * max(1.0, abs(num))


def test_entmax_alpha_gradient_matches_finite_differences():
    with jax.enable_x64(True):
        z = jnp.asarray(np.asarray(Z), jnp.float64)
        c = jnp.asarray(np.random.default_rng(1).normal(size=z.shape))
        f = lambda a: jnp.sum(entmax(z, a) * c)  # noqa: E731
        for a in (1.3, 1.5, 2.5):
            num = (f(a + 1e-6) - f(a - 1e-6)) / 2e-6
            assert abs(float(jax.grad(f)(a)) - float(num)) < 1e-6 * max(1.0, abs(float(num)))
