"""``retrieve`` and ``energy`` against the update rule and energy written out in NumPy (issue 29,
mutation testing).

Reference: Ramsauer et al. 2020, "Hopfield Networks is All You Need": the update
``xi <- X^T sep(beta X xi)`` (eq. 3 with softmax), iterated ``T`` times, then the weights of the
final state multiply the values; default ``beta = 1/sqrt(d)``; the energy
``E = -lse(beta, X xi) + xi.xi/2 + log(S)/beta + M^2/2`` (eq. 2), and for the other separations
``-Psi*(beta X xi)/beta + xi.xi/2`` with ``Psi*`` the closed-form conjugates of
``test_separation_mutants.py`` (whose NumPy/Brent weights are reused here). float64, tiny
shapes (d = 3, so ``1/sqrt(d)`` differs from ``1/d`` and ``2/d``), one compiled program.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from repr_keyed import ReprKeyed
from test_separation_mutants import _ref, _ref_conjugate

from hopfield_sim.layers import functional
from hopfield_sim.layers.functional import energy, retrieve
from hopfield_sim.layers.separation import SEPARATIONS

_r = np.random.default_rng(29)
Q = _r.normal(size=(1, 2, 2, 3))  # (batch, L, H, d)
K = 1.5 * _r.normal(size=(1, 4, 2, 3))  # (batch, S, H, d)
V = _r.normal(size=(1, 4, 2, 2))  # (batch, S, H, dv)
BETA = np.array([0.8, 1.7])  # per head
MASK = np.ones((1, 2, 2, 4), bool)  # (batch, H, L, S)
MASK[0, 0, 1, 2] = MASK[0, 1, 0, 0] = False
MASK[0, 1, 1] = False  # nothing to retrieve: output 0
BIAS = 0.3 * _r.normal(size=(1, 2, 2, 4))
EBETA = np.array([0.7, 1.3])
EMASK = np.array([[True, True, False, True], [True, False, True, True]])


def _rows(name, z, mask=None, alpha=1.5):
    out = np.zeros_like(z)
    for i in range(z.shape[0]):
        keep = np.ones(z.shape[1], bool) if mask is None else mask[i]
        if keep.any():
            out[i, keep] = _ref(name, z[i, keep], alpha)
    return out


def _np_retrieve(name, q, k, v, beta, T, mask=None, bias=None, alpha=1.5):
    """Per head: T updates xi <- sep(beta xi k^T + bias) k, then sep(...) v (and the weights)."""
    out = np.zeros(q.shape[:-1] + (v.shape[-1],))
    w_all = np.zeros((q.shape[0], q.shape[2], q.shape[1], k.shape[1]))
    for b in range(q.shape[0]):
        for h in range(q.shape[2]):
            xi, kh = q[b, :, h], k[b, :, h]
            for t in range(T + 1):
                z = beta[h] * xi @ kh.T + (0.0 if bias is None else bias[b, h])
                w = _rows(name, z, None if mask is None else mask[b, h], alpha)
                if t < T:
                    xi = w @ kh
            out[b, :, h], w_all[b, h] = w @ v[b, :, h], w
    return out, w_all


def _everything(q, k, v, mask, bias, rng):
    res = {}
    # default beta 1/sqrt(d), no heads axis, one step (attention)
    res["default"] = retrieve(q[0, :, 0], k[0, :, 0], v[0, :, 0], heads=False)
    for name in SEPARATIONS:  # per-head beta, two updates, every field of the result
        res[name] = retrieve(
            q,
            k,
            v,
            beta=BETA,
            separation=name,
            update_steps_max=2,
            update_steps_eps=0.0,
            return_info=True,
        )
    res["entmax25"] = retrieve(q, k, v, beta=BETA, separation="entmax", entmax_alpha=2.5)
    res["masked"] = retrieve(
        q,
        k,
        v,
        beta=BETA,
        mask=mask,
        bias=bias,
        update_steps_max=1,
        update_steps_eps=0.0,
        return_info=True,
    )
    res["masked_ref"] = retrieve(
        q,
        k,
        v,
        beta=BETA,
        mask=~mask,
        mask_convention="reference",
        bias=bias,
        update_steps_max=1,
        update_steps_eps=0.0,
    )
    for name in ("softmax", "softmax_1"):  # the attention route (float32 softmax inside)
        res["xla", name] = retrieve(
            q,
            k,
            k,
            beta=BETA,
            separation=name,
            update_steps_max=2,
            update_steps_eps=0.0,
            implementation="xla",
        )
    res["steps"] = retrieve(
        q, k, v, beta=BETA, update_steps_max=[0, 2], update_steps_eps=0.0, return_info=True
    )
    res["noheads"] = retrieve(
        q[0, :, 1],
        k[0, :, 1],
        v[0, :, 1],
        beta=1.7,
        heads=False,
        update_steps_max=2,
        update_steps_eps=0.0,
        return_info=True,
    )
    eye = jnp.eye(4, dtype=q.dtype)  # values = identity: the output is the (dropped) weights
    for info in (True, False):
        res["dropout", info] = retrieve(
            q[0, :, 0],
            k[0, :, 0],
            eye,
            beta=1.1,
            heads=False,
            dropout_rate=0.5,
            dropout_rng=rng,
            return_info=info,
        )
    # defaults update_steps_eps=1e-4, update_steps_limit=100: head 0 (beta 0.3) is still
    # moving after 100 updates, head 1 converges after 9 (NumPy: 1.2e-4 then 2.4e-5)
    res["conv"] = retrieve(q, k, v, beta=0.3, update_steps_max=None, return_info=True)
    # "xla" is for fixed softmax schedules only; these must run the explicit iteration
    res["conv_xla"] = retrieve(q, k, v, beta=BETA, update_steps_max=2, implementation="xla")
    res["xla_sparse"] = retrieve(
        q,
        k,
        k,
        beta=BETA,
        separation="sparsemax",
        update_steps_max=2,
        update_steps_eps=0.0,
        implementation="xla",
    )
    # one step on the attention route is jax.nn.dot_product_attention of the scaled query
    # (its softmax runs in float32: ~1e-7 from the explicit float64 route)
    res["xla0"] = retrieve(q, k, k, beta=BETA, update_steps_eps=0.0, implementation="xla")
    res["dpa"] = jax.nn.dot_product_attention(
        q * jnp.asarray(BETA)[:, None], k, k, scale=1.0, implementation="xla"
    )
    res["xla_info"] = retrieve(q, k, k, beta=BETA, implementation="xla", return_info=True)
    # energies of two states, each with its own beta and its own memory (batch axes (1, 2))
    xi, X, beta = q[0, :, 0], jnp.swapaxes(k, 1, 2), jnp.asarray(EBETA)
    for name in SEPARATIONS:
        res["E", name] = energy(xi, X, beta=beta, separation=name)
        res["Em", name] = energy(xi, X, beta=beta, separation=name, mask=jnp.asarray(EMASK))
        res["E25", name] = energy(xi, X, beta=1.3, separation=name, entmax_alpha=2.5)
    # one memory shared by both states: the mask's batch axes come from the query alone
    res["Em1"] = energy(xi, k[0, :, 0], beta=beta, mask=jnp.asarray(EMASK))
    return {repr(key): val for key, val in res.items()}


@pytest.fixture(scope="module")
def got():
    with jax.enable_x64(True):
        args = (*map(jnp.asarray, (Q, K, V, MASK, BIAS)), jax.random.key(3))
        return ReprKeyed(jax.tree.map(np.asarray, jax.jit(_everything)(*args)))


def test_default_beta_is_one_over_sqrt_d(got):
    want, _ = _np_retrieve("softmax", Q[:, :, :1], K[:, :, :1], V[:, :, :1], [1 / math.sqrt(3)], 0)
    np.testing.assert_allclose(got["default"], want[0, :, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", SEPARATIONS)
def test_iterated_retrieval_matches_the_update_rule(got, name):
    r = got[name]
    out, w = _np_retrieve(name, Q, K, V, BETA, 2)
    np.testing.assert_allclose(r.output, out, rtol=0, atol=1e-11)
    np.testing.assert_allclose(r.patterns, out, rtol=0, atol=1e-11)
    np.testing.assert_allclose(r.weights, w, rtol=0, atol=1e-11)
    np.testing.assert_allclose(r.state, np.einsum("bhls,bshd->blhd", w, K), rtol=0, atol=1e-11)
    np.testing.assert_array_equal(r.values, np.swapaxes(V, 1, 2))
    np.testing.assert_array_equal(r.steps, [[2, 2]])
    assert r.converged is None  # a fixed schedule runs no convergence test


def test_entmax_order_mask_bias_and_attention_route(got):
    want, _ = _np_retrieve("entmax", Q, K, V, BETA, 0, alpha=2.5)
    np.testing.assert_allclose(got["entmax25"], want, rtol=0, atol=1e-11)
    out, w = _np_retrieve("softmax", Q, K, V, BETA, 1, mask=MASK, bias=BIAS)
    np.testing.assert_allclose(got["masked"].output, out, rtol=0, atol=1e-11)
    np.testing.assert_allclose(got["masked"].weights, w, rtol=0, atol=1e-11)
    np.testing.assert_array_equal(got["masked"].output[0, 1, 1], 0.0)  # fully masked row
    np.testing.assert_allclose(got["masked_ref"], out, rtol=0, atol=1e-11)
    for name in ("softmax", "softmax_1"):
        want, _ = _np_retrieve(name, Q, K, K, BETA, 2)
        np.testing.assert_allclose(got["xla", name], want, rtol=0, atol=2e-6)


def test_per_head_steps_and_no_heads_axis(got):
    r = got["steps"]
    np.testing.assert_array_equal(r.steps, [[0, 2]])
    for h, T in ((0, 0), (1, 2)):
        out, w = _np_retrieve(
            "softmax",
            Q[:, :, h : h + 1],
            K[:, :, h : h + 1],
            V[:, :, h : h + 1],
            BETA[h : h + 1],
            T,
        )
        np.testing.assert_allclose(r.output[:, :, h], out[:, :, 0], rtol=0, atol=1e-11)
    n, one = got["noheads"], got["softmax"]  # the heads=False call is head 1 of that one
    np.testing.assert_allclose(n.output, one.output[0, :, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(n.patterns, one.output[0, :, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(n.weights, one.weights[0, 1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(n.state, one.state[0, :, 1], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(n.values, V[0, :, 1])
    assert n.steps.shape == () and int(n.steps) == 2 and n.converged is None


def test_dropout_is_inverted_dropout_of_the_final_weights(got):
    r, fast = got["dropout", True], got["dropout", False]
    _, w = _np_retrieve("softmax", Q[:, :, :1], K[:, :, :1], K[:, :, :1], [1.1], 0)
    w = w[0, 0]
    np.testing.assert_allclose(r.weights, w, rtol=0, atol=1e-12)  # weights before dropout
    kept = r.output != 0
    assert kept.any() and (~kept).any()
    np.testing.assert_allclose(r.output[kept], 2.0 * w[kept], rtol=1e-12)  # 1 / (1 - 0.5)
    np.testing.assert_array_equal(fast, r.output)  # same key, same mask without return_info


def test_until_converged_warns_with_the_count():
    with jax.enable_x64(True):
        q, k = jnp.asarray(Q[0]), jnp.asarray(K[0])  # two heads: two entries
        with pytest.warns(
            RuntimeWarning,
            match=r"2 of 2 \(batch, head\) entries did not "
            r"converge within update_steps_limit=1 \(update_steps_eps=0.0\)",
        ):
            r = retrieve(
                q,
                k,
                beta=0.2,
                update_steps_max=None,
                update_steps_eps=0.0,
                update_steps_limit=1,
                return_info=True,
            )
        np.testing.assert_array_equal(r.converged, [False, False])
        r = retrieve(
            q,
            k,
            beta=0.2,
            update_steps_max=None,
            update_steps_eps=1.0,
            update_steps_limit=1,
            return_info=True,
        )
        np.testing.assert_array_equal(r.converged, [True, True])  # and no warning


def test_dropout_and_option_errors():
    q, k = jnp.asarray(Q, jnp.float32), jnp.asarray(K, jnp.float32)
    for rate in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"dropout_rate must lie in \[0, 1\)"):
            retrieve(q, k, dropout_rate=rate, dropout_rng=jax.random.key(0))
    with pytest.raises(ValueError, match="needs dropout_rng"):
        retrieve(q, k, dropout_rate=0.1)
    with pytest.raises(AttributeError, match="has no attribute 'Retrievals'"):
        functional.Retrievals  # noqa: B018
    with pytest.warns(DeprecationWarning, match="Retrieval is deprecated"):
        assert functional.Retrieval._fields[0] == "output"


def _np_energy(name, xi, X, beta, mask=None, alpha=1.5):
    z = beta * X @ xi
    keep = np.ones(len(z), bool) if mask is None else mask
    E = -_ref_conjugate(name, z[keep], alpha) / beta + 0.5 * xi @ xi
    if name == "softmax":  # eq. 2's constants: log(S)/beta + M^2/2 (M over all patterns)
        E += np.log(keep.sum()) / beta + 0.5 * np.max(np.sum(X * X, axis=1))
    return E


@pytest.mark.parametrize("name", SEPARATIONS)
def test_energy_matches_the_closed_form(got, name):
    xi = Q[0, :, 0]
    for i in range(2):
        X = K[0, :, i]  # state i's memory
        want = _np_energy(name, xi[i], X, EBETA[i])
        assert got["E", name][0, i] == pytest.approx(want, rel=1e-12, abs=1e-12)
        want = _np_energy(name, xi[i], X, EBETA[i], EMASK[i])
        assert got["Em", name][0, i] == pytest.approx(want, rel=1e-12, abs=1e-12)
        want = _np_energy(name, xi[i], X, 1.3, alpha=2.5)
        assert got["E25", name][0, i] == pytest.approx(want, rel=1e-12, abs=1e-12)
        if name == "softmax":
            want = _np_energy(name, xi[i], K[0, :, 0], EBETA[i], EMASK[i])
            assert got["Em1"][i] == pytest.approx(want, rel=1e-12, abs=1e-12)


def _np_until_converged(q, k, v, beta, eps=1e-4, limit=100):
    """Updates until the weights move by at most eps (Frobenius over (L, S)) or ``limit``."""
    out, steps = np.zeros(q.shape[:-1] + (v.shape[-1],)), np.zeros((1, q.shape[2]), int)
    for h in range(q.shape[2]):
        xi, kh = q[0, :, h], k[0, :, h]
        w = _rows("softmax", beta * xi @ kh.T)
        moved, t = np.inf, 0
        while moved > eps and t < limit:
            w_prev, w, t = w, _rows("softmax", beta * (w @ kh) @ kh.T), t + 1
            moved = np.linalg.norm(w - w_prev)
        out[0, :, h], steps[0, h] = w @ v[0, :, h], t
    return out, steps


def test_default_tolerance_and_step_limit_and_the_explicit_route(got):
    out, steps = _np_until_converged(Q, K, V, 0.3)
    np.testing.assert_array_equal(steps, [[100, 9]])  # the reference's own count
    r = got["conv"]
    np.testing.assert_array_equal(r.steps, steps)
    np.testing.assert_array_equal(r.converged, [[False, True]])
    np.testing.assert_allclose(r.output, out, rtol=0, atol=1e-12)
    # tolerance 1e-4 (not 0): no fixed schedule; neither head converges within 2 updates
    want, _ = _np_retrieve("softmax", Q, K, V, BETA, 2)
    np.testing.assert_allclose(got["conv_xla"], want, rtol=0, atol=1e-12)
    want, _ = _np_retrieve("sparsemax", Q, K, K, BETA, 2)
    np.testing.assert_allclose(got["xla_sparse"], want, rtol=0, atol=1e-12)
    want, w = _np_retrieve("softmax", Q, K, K, BETA, 0)
    np.testing.assert_allclose(got["xla0"], got["dpa"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(got["xla0"], want, rtol=0, atol=2e-6)
    np.testing.assert_allclose(got["xla_info"].output, want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["xla_info"].weights, w, rtol=0, atol=1e-12)


def test_energy_dtype_and_mask_errors():
    xi, X = jnp.asarray(Q[0, :, 0], jnp.float32), jnp.asarray(K[0, :, 0], jnp.float32)
    assert energy(xi, X, beta=1.0).dtype == jnp.float32
    with pytest.raises(ValueError, match=r"the batch axes of query \(2, 3\) and key \(3, 4, 3\)"):
        energy(xi, jnp.stack([X] * 3), beta=1.0, mask=jnp.ones((2, 4), bool))
    with pytest.raises(ValueError, match="mask"):
        energy(xi, X, beta=1.0, mask=jnp.ones((2, 5), bool))
    with pytest.raises(ValueError, match="mask"):  # (2, 4) expected: one S axis, not two
        energy(xi, jnp.stack([X] * 2), beta=1.0, mask=jnp.ones((2, 2, 4), bool))
