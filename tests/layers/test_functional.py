"""Functional core: attention equivalence, energy descent, fixed points, the one-step
error bound of docs/layers.md ("The model"), gradients through the iteration, masks and bad
input."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.layers import energy, retrieve
from hopfield_sim.layers.separation import SEPARATIONS


def _qkv(seed=0, B=2, L=5, S=7, H=3, d=4, dv=4, dtype=jnp.float32):
    r = np.random.default_rng(seed)
    return tuple(
        jnp.asarray(r.normal(size=s), dtype) for s in ((B, L, H, d), (B, S, H, d), (B, S, H, dv))
    )


def test_one_step_softmax_equals_dot_product_attention():
    q, k, v = _qkv()
    mask = jnp.asarray(np.random.default_rng(3).random((2, 3, 5, 7)) > 0.3).at[..., 0].set(True)
    ref = jax.nn.dot_product_attention(q, k, v, mask=mask, scale=0.37)
    explicit = retrieve(q, k, v, beta=0.37, mask=mask, return_info=True).output
    fast = retrieve(q, k, v, beta=0.37, mask=mask)
    np.testing.assert_allclose(explicit, ref, atol=2e-6)  # float32 round-off
    np.testing.assert_allclose(fast, ref, atol=2e-6)


def test_softmax_1_equals_attention_with_a_zero_key_and_value():
    q, k, v = _qkv(1)
    z = jnp.zeros_like(k[:, :1])
    ref = jax.nn.dot_product_attention(
        q, jnp.concatenate([k, z], 1), jnp.concatenate([v, z], 1), scale=0.5
    )
    out = retrieve(q, k, v, beta=0.5, separation="softmax_1", return_info=True).output
    np.testing.assert_allclose(out, ref, atol=2e-6)


def _trajectory(xi, X, beta, sep, n):
    step = jax.jit(
        lambda x: (
            retrieve(
                x, X, beta=beta, separation=sep, heads=False, update_steps_max=0, return_info=True
            ).output
        )
    )
    out = [xi]
    for _ in range(n):
        out.append(step(out[-1]))
    return out


@pytest.mark.parametrize("sep", SEPARATIONS)
def test_energy_never_increases_along_the_iteration(sep):
    with jax.enable_x64(True):
        r = np.random.default_rng(5)
        X = jnp.asarray(r.normal(size=(8, 6)))
        for beta in (0.3, 2.0, 8.0):
            xi = jnp.asarray(r.normal(size=(4, 6)))  # 4 independent states
            traj = _trajectory(xi, X, beta, sep, 12)
            E = np.array([energy(x, X, beta=beta, separation=sep) for x in traj])
            assert np.all(np.diff(E, axis=0) <= 1e-10 * (1 + np.abs(E[:-1]))), (beta, E)
            assert E[-1].sum() < E[0].sum()  # and it does move
            # the scan with update_steps_eps=0 does exactly these updates
            multi = retrieve(
                xi,
                X,
                beta=beta,
                separation=sep,
                heads=False,
                update_steps_max=5,
                update_steps_eps=0.0,
            )
            np.testing.assert_allclose(multi, traj[6], atol=1e-10)


def test_softmax_energy_is_the_closed_form_of_models_section_7():
    with jax.enable_x64(True):
        r = np.random.default_rng(6)
        X, xi, beta = jnp.asarray(r.normal(size=(5, 3))), jnp.asarray(r.normal(size=3)), 1.7
        lse = np.log(np.sum(np.exp(beta * np.asarray(X) @ np.asarray(xi)))) / beta
        M2 = np.max(np.sum(np.asarray(X) ** 2, 1))
        want = -lse + 0.5 * xi @ xi + np.log(5) / beta + 0.5 * M2
        np.testing.assert_allclose(energy(xi, X, beta=beta), want, rtol=1e-12)
        assert float(energy(xi, X, beta=beta)) >= 0


@pytest.mark.parametrize("sep", SEPARATIONS)
def test_well_separated_patterns_are_fixed_points_at_large_beta(sep):
    r = np.random.default_rng(7)
    X = jnp.asarray(r.choice([-1.0, 1.0], size=(16, 64)), jnp.float32)
    out = retrieve(X, X, beta=1.0, separation=sep, heads=False, update_steps_max=3)
    np.testing.assert_allclose(out, X, atol=1e-5)


def test_one_step_error_bound_of_models_section_7():
    # ||f(xi) - x_i|| <= 2 (S-1) M exp(-beta (Delta_i - 2 M ||xi - x_i||))
    r = np.random.default_rng(8)
    informative = 0
    for trial in range(20):
        S, d, beta = 6, 24, 0.25
        X = r.normal(size=(S, d)) * 1.5
        M = np.max(np.linalg.norm(X, axis=1))
        G = X @ X.T
        for i in range(S):
            delta = G[i, i] - np.max(np.delete(G[i], i))
            noise = r.normal(size=d)
            noise *= r.uniform(0, 0.1) * delta / (2 * M) / np.linalg.norm(noise)
            xi = X[i] + noise
            with jax.enable_x64(True):
                new = np.asarray(
                    retrieve(jnp.asarray(xi[None]), jnp.asarray(X), beta=beta, heads=False)
                )[0]
            bound = 2 * (S - 1) * M * np.exp(-beta * (delta - 2 * M * np.linalg.norm(noise)))
            err = np.linalg.norm(new - X[i])
            assert err <= bound, (trial, i, err, bound)
            informative += bound < 0.1 * M
    assert informative > 20  # the bound is tight enough to mean something in many cases


@pytest.mark.parametrize("sep", ["softmax", "sparsemax", "entmax"])
def test_gradients_through_multi_step_retrieval_match_finite_differences(sep):
    with jax.enable_x64(True):
        q, k, v = _qkv(2, B=2, L=3, S=5, H=2, d=4, dv=3, dtype=jnp.float64)
        c = jnp.asarray(np.random.default_rng(9).normal(size=(2, 3, 2, 3)))

        @jax.jit
        def f(q, k, v, beta):
            out = retrieve(
                q, k, v, beta=beta, separation=sep, update_steps_max=3, update_steps_eps=0.0
            )
            return jnp.sum(out * c)

        args = (q, k, v, jnp.array([0.9, 1.4]))
        grads = jax.grad(f, argnums=(0, 1, 2, 3))(*args)
        r = np.random.default_rng(10)
        for n, (a, g) in enumerate(zip(args, grads)):
            d = jnp.asarray(r.normal(size=a.shape))
            e = 1e-6
            shifted = lambda s: f(*[x + s * d if m == n else x for m, x in enumerate(args)])  # noqa: E731, B023
            num = (shifted(e) - shifted(-e)) / (2 * e)
            assert abs(float(jnp.vdot(g, d)) - float(num)) < 1e-6 * max(1.0, abs(float(num)))


def test_masks_reference_convention_and_fully_masked_rows():
    q, k, v = _qkv(3)
    keep = jnp.asarray(np.random.default_rng(4).random((2, 3, 5, 7)) > 0.4)
    keep = keep.at[0, 1, 2].set(False)  # row with nothing visible
    a = retrieve(q, k, v, mask=keep, update_steps_max=2, return_info=True)
    b = retrieve(
        q, k, v, mask=~keep, mask_convention="reference", update_steps_max=2, return_info=True
    )
    np.testing.assert_allclose(a.output, b.output, atol=1e-6)
    assert bool(jnp.all(a.output[0, 2, 1] == 0)) and bool(jnp.all(a.weights[0, 1, 2] == 0))
    assert bool(jnp.all(jnp.where(keep, True, a.weights == 0)))
    g = jax.grad(lambda q: jnp.sum(retrieve(q, k, v, mask=keep, update_steps_max=2)))(q)
    assert bool(jnp.all(jnp.isfinite(g)))


def test_each_batch_head_entry_stops_on_its_own_and_flags_convergence():
    X = jnp.asarray(np.random.default_rng(11).choice([-1.0, 1.0], size=(6, 32)), jnp.float32)
    # entry 0 starts on a pattern, entry 1 on a mixture of two: it needs more updates
    xi = jnp.stack([X[0], 0.6 * X[1] + 0.4 * X[2]])[:, None, :]
    kw = dict(beta=0.2, heads=False, update_steps_max=None, update_steps_eps=1e-4, return_info=True)
    r = retrieve(xi, X, **kw)
    assert int(r.steps[0]) < int(r.steps[1])
    assert bool(jnp.all(r.converged))
    alone = retrieve(xi[1:], X, **kw)  # the result of an entry does not depend on the batch
    assert int(alone.steps[0]) == int(r.steps[1])
    np.testing.assert_allclose(alone.output[0], r.output[1], atol=1e-6)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        r = retrieve(xi, X, **{**kw, "update_steps_eps": 0.0}, update_steps_limit=3)
    assert not bool(jnp.all(r.converged))


def test_per_head_update_steps_and_beta():
    q, k, v = _qkv(4)
    r = retrieve(
        q,
        k,
        v,
        beta=[0.5, 1.0, 2.0],
        update_steps_max=[0, 1, 3],
        update_steps_eps=0.0,
        return_info=True,
    )
    np.testing.assert_array_equal(r.steps, [[0, 1, 3], [0, 1, 3]])
    one = retrieve(
        q[..., 2:, :],
        k[..., 2:, :],
        v[..., 2:, :],
        beta=2.0,
        update_steps_max=3,
        update_steps_eps=0.0,
    )
    np.testing.assert_allclose(r.output[..., 2:, :], one, atol=1e-6)


def test_bad_input_raises_value_errors_naming_shapes():
    q, k, v = _qkv()
    with pytest.raises(
        ValueError,
        match=r"query and key must share the last axis d; got "
        r"query \(4,\) and key \(3,\)",
    ):
        retrieve(q, k[..., :3], v)
    with pytest.raises(ValueError, match=r"key and value must have the same number of stored"):
        retrieve(q, k, v[:, :6])
    with pytest.raises(ValueError, match=r"mask with shape \(5, 6\) does not broadcast"):
        retrieve(q, k, v, mask=jnp.ones((5, 6), bool))
    with pytest.raises(ValueError, match=r"mask must have dtype bool; got float32"):
        retrieve(q, k, v, mask=jnp.ones((5, 7)))
    with pytest.raises(ValueError, match=r"beta must be finite and > 0; got beta=-1.0"):
        retrieve(q, k, v, beta=-1.0)
    with pytest.raises(ValueError, match=r"separation must be one of"):
        retrieve(q, k, v, separation="softmx")
    with pytest.raises(ValueError, match=r"entmax_alpha must be > 1"):
        retrieve(q, k, v, separation="entmax", entmax_alpha=0.5)
    with pytest.raises(ValueError, match=r"query and key must share the last axis d"):
        energy(q[0, 0, 0], k[0, :, 0, :3], beta=1.0)


def test_float64_scope_does_not_leak():
    before = jax.config.jax_enable_x64
    with jax.enable_x64(True):
        retrieve(jnp.ones((1, 2, 1, 3)), jnp.ones((1, 4, 1, 3)))
    assert jax.config.jax_enable_x64 == before
    assert retrieve(jnp.ones((1, 2, 1, 3)), jnp.ones((1, 4, 1, 3))).dtype == jnp.float32
