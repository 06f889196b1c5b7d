"""Separation functions against independent references (issue 29, mutation testing).

Every weight is checked against NumPy: softmax and softmax_1 written out, sparsemax and entmax
from their defining equation ``sum_l [(alpha - 1) z_l - tau]_+^(1/(alpha-1)) = 1`` solved for
``tau`` by Brent's method (not the sort of the module, not its bisection); the Jacobians
against their closed forms (softmax ``diag(p) - p p^T``; sparsemax and entmax
``diag(s) - s s^T / sum s`` with ``s = p^(2 - alpha)`` on the support, Peters et al. 2019); the
convex conjugates against ``max_p [p.z + H(p)]`` evaluated at the reference weights, and their
``alpha`` derivative against the envelope theorem. One small float64 batch with a row of large
scores (an unshifted exponential overflows there), a row of negative ones, and masks with a
fully masked row.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from repr_keyed import ReprKeyed
from scipy.optimize import brentq

from hopfield_sim.layers.separation import (
    SEPARATIONS,
    conjugate,
    entmax,
    get,
    softmax,
    softmax_1,
    sparsemax,
)

Z = np.array(
    [
        [1.3, 0.2, -0.7, 0.9, -2.0],
        [400.0, 399.6, 398.0, 0.0, -3.0],  # exp(z) overflows float64
        [-1.0, -1.4, -0.2, -3.0, -0.6],  # all negative: softmax_1 keeps mass for "nothing"
        [0.70, 0.72, 0.68, 0.71, 0.69],  # near-ties: entmax's bisection bracket is tight here
    ]
)
# masked entries hold the largest scores of their rows: a mask that is ignored shows
MASK = np.array(
    [
        [True, False, True, True, False],
        [False] * 5,  # nothing kept: all-zero weights, conjugate 0
        [True, True, False, True, True],
        [True] * 5,
    ]
)
ZM = np.where(MASK, Z, 50.0)
C = np.array([0.3, -1.1, 0.8, 2.0, -0.4])  # a cotangent


def _ref(name: str, z: np.ndarray, alpha: float = 1.5) -> np.ndarray:
    """Weights of one row ``z`` (kept entries only) from the definitions."""
    if name == "softmax":
        e = np.exp(z - z.max())
        return e / e.sum()
    if name == "softmax_1":
        m = max(z.max(), 0.0)
        e = np.exp(z - m)
        return e / (np.exp(-m) + e.sum())
    a = 2.0 if name == "sparsemax" else alpha
    x = (a - 1.0) * z

    def excess(tau):
        return np.sum(np.maximum(x - tau, 0.0) ** (1.0 / (a - 1.0))) - 1.0

    tau = brentq(excess, x.max() - 1.0, x.max(), xtol=1e-15, rtol=1e-15, maxiter=500)
    return np.maximum(x - tau, 0.0) ** (1.0 / (a - 1.0))


def _ref_masked(name, z, mask, alpha=1.5):
    out = np.zeros_like(z)
    for i in range(z.shape[0]):
        if mask[i].any():
            out[i, mask[i]] = _ref(name, z[i, mask[i]], alpha)
    return out


def _ref_conjugate(name, z, alpha=1.5):
    """``max_p [p.z + H(p)]`` at the reference weights (the closed forms of the table)."""
    if name == "softmax":
        return z.max() + np.log(np.sum(np.exp(z - z.max())))
    if name == "softmax_1":
        m = max(z.max(), 0.0)
        return m + np.log(np.exp(-m) + np.sum(np.exp(z - m)))
    a = 2.0 if name == "sparsemax" else alpha
    p = _ref(name, z, alpha)
    return p @ z + (1.0 - np.sum(p**a)) / (a * (a - 1.0))


def _sep(name, alpha=1.5):
    return {"softmax": softmax, "softmax_1": softmax_1, "sparsemax": sparsemax}.get(
        name, lambda z, mask=None: entmax(z, alpha, mask)
    )


def _everything(z, zm, mask, c):
    """Every quantity the tests check, in one compiled program (one compilation per run)."""
    out = {}
    for name in SEPARATIONS:
        f = _sep(name)
        out["p", name], out["pm", name] = f(z), f(zm, mask)
        out["vjp", name] = jax.grad(lambda z, f=f: jnp.sum(f(z) * c))(z)
        out["psi", name], out["psim", name] = conjugate(name, z), conjugate(name, zm, mask)
        out["dpsim", name] = jax.grad(lambda z, n=name: jnp.sum(conjugate(n, z, mask)))(zm)
    for a in (1.25, 3.0):
        out["entmax", a], out["entmax_m", a] = entmax(z, a), get("entmax", a)(zm, mask)
        out["dpsi", a] = jax.grad(lambda a: jnp.sum(conjugate("entmax", z, None, a)))(a)
    for a in (1.5, 2.5):
        out["dp", a] = jax.grad(lambda a: jnp.sum(entmax(z, a) * c))(a)
    out["default"] = get("entmax")(z)
    out["rows"] = entmax(z, jnp.array([[1.25, 1.5, 3.0, 3.0]]))
    return {repr(k): v for k, v in out.items()}  # a pytree's keys must sort: strings


@pytest.fixture(scope="module")
def got():
    # a leading batch axis of length 1: an axis counted from the front is not the last one
    with jax.enable_x64(True):
        args = (Z, ZM, MASK, np.tile(C, (len(Z), 1)))
        out = jax.jit(_everything)(*(jnp.asarray(a[None]) for a in args))
        first = lambda a: np.asarray(a)[0] if np.ndim(a) else np.asarray(a)  # noqa: E731
        return ReprKeyed(jax.tree.map(first, out))


@pytest.mark.parametrize("name", SEPARATIONS)
def test_weights_match_the_definitions(got, name):
    want = np.stack([_ref(name, z) for z in Z])
    np.testing.assert_allclose(got["p", name], want, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["pm", name], _ref_masked(name, ZM, MASK), rtol=0, atol=1e-12)


def test_entmax_other_orders_and_the_getter(got):
    for a in (1.25, 3.0):
        want = np.stack([_ref("entmax", r, a) for r in Z])
        np.testing.assert_allclose(got["entmax", a], want, rtol=0, atol=1e-11)
        np.testing.assert_allclose(
            got["entmax_m", a], _ref_masked("entmax", ZM, MASK, a), rtol=0, atol=1e-11
        )
    # default order 1.5; per-row orders broadcast over the leading axes
    np.testing.assert_allclose(got["default"], np.stack([_ref("entmax", r) for r in Z]), atol=1e-12)
    for r, a in enumerate((1.25, 1.5, 3.0, 3.0)):
        np.testing.assert_allclose(got["rows"][r], _ref("entmax", Z[r], a), atol=1e-11)
    assert get("softmax") is softmax and get("softmax_1") is softmax_1
    assert get("sparsemax") is sparsemax
    with pytest.raises(ValueError, match="separation must be one of"):
        get("softmin")


@pytest.mark.parametrize("name", SEPARATIONS)
def test_vector_jacobian_products_match_closed_forms(got, name):
    for r in range(len(Z)):
        p = _ref(name, Z[r])
        if name in ("softmax", "softmax_1"):
            want = p * (C - p @ C)  # (diag(p) - p p^T) c
        else:
            a = 2.0 if name == "sparsemax" else 1.5
            s = np.where(p > 0, np.where(p > 0, p, 1.0) ** (2.0 - a), 0.0)
            want = s * C - s * (s @ C) / s.sum()
        np.testing.assert_allclose(got["vjp", name][r], want, rtol=0, atol=1e-9)


def test_entmax_alpha_derivative_matches_the_definition(got):
    # d/d alpha of sum_l c_l p_l(alpha): central difference of the Brent-solved weights
    h = 1e-5
    for a in (1.5, 2.5):
        num = sum((_ref("entmax", z, a + h) - _ref("entmax", z, a - h)) @ C / (2 * h) for z in Z)
        assert abs(float(got["dp", a]) - num) < 1e-7 * max(1.0, abs(num)), (a, num)


@pytest.mark.parametrize("name", SEPARATIONS)
def test_conjugates_match_their_closed_forms(got, name):
    want = [_ref_conjugate(name, z) for z in Z]
    np.testing.assert_allclose(got["psi", name], want, rtol=1e-13, atol=0)
    kept = [_ref_conjugate(name, z[m]) if m.any() else 0.0 for z, m in zip(ZM, MASK)]
    np.testing.assert_allclose(got["psim", name], kept, rtol=1e-13, atol=1e-13)
    # its gradient is the separation, finite (zero) on the fully masked row
    np.testing.assert_allclose(got["dpsim", name], _ref_masked(name, ZM, MASK), atol=1e-9)
    with pytest.raises(ValueError, match="separation must be one of"):
        conjugate("softmin", jnp.asarray(Z))


def test_conjugate_alpha_derivative_is_the_entropy_derivative(got):
    # envelope theorem: d Psi*/d alpha = dH_alpha(p)/d alpha at the optimal p, with
    # H_alpha(p) = (1 - sum p^alpha) / (alpha (alpha - 1))
    for a in (1.25, 3.0):
        want, D = 0.0, a * (a - 1.0)
        for z in Z:
            q = _ref("entmax", z, a)
            q = q[q > 0]
            want += -np.sum(q**a * np.log(q)) / D - (1 - np.sum(q**a)) * (2 * a - 1) / D**2
        assert abs(float(got["dpsi", a]) - want) < 1e-9 * max(1.0, abs(want)), (a, want)
