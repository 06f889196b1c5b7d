"""InfoNCE, InfoLOOB, the Hopfield retrieval and the CLOOB loss written out in NumPy on a 3 x 3
case (issue 29, mutation testing).

Formulas of Fürst et al. 2021 ("CLOOB: Modern Hopfield Networks with InfoLOOB Outperform CLIP"):
``InfoLOOB(a, o) = mean_i [-t a_i.o_i + log sum_{j != i} exp(t a_i.o_j)]`` (the positive left
out of the denominator), CLIP's InfoNCE ``1/2 [CE(t x y^T) + CE(t y x^T)]`` (positive kept),
``R(s; M) = normalise(sum_k softmax_k(beta m_k.s) m_k)`` and
``L = 1/2 [InfoLOOB(U_x, U_y) + InfoLOOB(V_y, V_x)]`` with ``U = R(.; x)``, ``V = R(.; y)``.
float64, one compiled program; plus the identity-matrix case worked by hand.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.layers.contrastive import cloob_loss, hopfield_retrieval, infoloob, infonce

_r = np.random.default_rng(31)
X = _r.normal(size=(3, 3))
Y = X + 0.8 * _r.normal(size=(3, 3))
X /= np.linalg.norm(X, axis=1, keepdims=True)
Y /= np.linalg.norm(Y, axis=1, keepdims=True)
T, B = 2.5, 1.7  # inverse temperatures of the loss and of the retrieval


def _lse(v):
    return v.max() + np.log(np.sum(np.exp(v - v.max())))


def _np_infoloob(a, o, t):
    z = t * a @ o.T
    return np.mean([_lse(np.delete(z[i], i)) - z[i, i] for i in range(len(z))])


def _np_ce(z):
    return np.mean([_lse(z[i]) - z[i, i] for i in range(len(z))])


def _np_retrieval(s, m, beta):
    """Retrieved rows divided by max(|r|, 1e-12) (the documented floor NORM_FLOOR)."""
    z = beta * s @ m.T
    w = np.exp(z - z.max(axis=1, keepdims=True))
    r = (w / w.sum(axis=1, keepdims=True)) @ m
    return r / np.maximum(np.linalg.norm(r, axis=1, keepdims=True), 1e-12)


def _everything(x, y, t, b):
    tiny = 1e-9 * y  # retrieved rows of norm ~1e-9: normalised like any other
    eye = jnp.eye(3, dtype=x.dtype)
    return {
        "eye_loob": infoloob(eye, eye, inv_tau=1.0),
        "eye_nce": infonce(eye, eye, inv_tau=1.0),
        "eye_cloob": cloob_loss(eye, eye, inv_tau=3.0, beta=2.0),
        "loob_xy": infoloob(x, y, inv_tau=t),
        "loob_yx": infoloob(y, x, inv_tau=t),
        "loob_d1": infoloob(x[:, :1], y[:, :1], inv_tau=t),  # one column is enough
        "nce": infonce(x, y, inv_tau=t, return_parts=True),
        "cloob": cloob_loss(x, y, inv_tau=t, beta=b, return_parts=True),
        "hr": hopfield_retrieval(y, x, beta=b),
        "hr_tiny": hopfield_retrieval(x, tiny, beta=b),
        "hr_floor": hopfield_retrieval(x, 1e-5 * tiny, beta=b),  # norm ~1e-14: floored
        "hr_zero": hopfield_retrieval(x, 0.0 * y, beta=b),
    }


@pytest.fixture(scope="module")
def got():
    with jax.enable_x64(True):
        args = (jnp.asarray(X), jnp.asarray(Y), jnp.asarray(T), jnp.asarray(B))
        return jax.tree.map(np.asarray, jax.jit(_everything)(*args))


def test_infoloob_and_infonce_match_the_formulas(got):
    assert float(got["loob_xy"]) == pytest.approx(_np_infoloob(X, Y, T), rel=1e-13)
    assert float(got["loob_yx"]) == pytest.approx(_np_infoloob(Y, X, T), rel=1e-13)
    want = _np_infoloob(X[:, :1], Y[:, :1], T)
    assert float(got["loob_d1"]) == pytest.approx(want, rel=1e-13)
    with pytest.raises(
        ValueError, match=r"anchors and others need d >= 1 columns; got shape \(3, 0\)"
    ):
        infoloob(np.zeros((3, 0)), np.zeros((3, 0)), inv_tau=1.0)
    img, txt = _np_ce(T * X @ Y.T), _np_ce(T * Y @ X.T)
    nce = got["nce"]
    assert float(nce.image_term) == pytest.approx(img, rel=1e-13)
    assert float(nce.text_term) == pytest.approx(txt, rel=1e-13)
    assert float(nce.loss) == pytest.approx(0.5 * (img + txt), rel=1e-13)


def test_cloob_loss_matches_the_formula(got):
    U_x, U_y = _np_retrieval(X, X, B), _np_retrieval(Y, X, B)
    V_x, V_y = _np_retrieval(X, Y, B), _np_retrieval(Y, Y, B)
    p = got["cloob"]
    for name, want in (("U_x", U_x), ("U_y", U_y), ("V_x", V_x), ("V_y", V_y)):
        np.testing.assert_allclose(getattr(p, name), want, rtol=0, atol=1e-13, err_msg=name)
    img, txt = _np_infoloob(U_x, U_y, T), _np_infoloob(V_y, V_x, T)
    assert float(p.image_term) == pytest.approx(img, rel=1e-13)
    assert float(p.text_term) == pytest.approx(txt, rel=1e-13)
    assert float(p.loss) == pytest.approx(0.5 * (img + txt), rel=1e-13)
    np.testing.assert_allclose(got["hr"], U_y, rtol=0, atol=1e-13)


def test_retrieval_normalises_tiny_rows_and_keeps_zero_rows_zero(got):
    np.testing.assert_allclose(got["hr_tiny"], _np_retrieval(X, 1e-9 * Y, B), rtol=0, atol=1e-12)
    floored = _np_retrieval(X, 1e-14 * Y, B)
    assert np.all(np.linalg.norm(floored, axis=1) < 0.05)  # the floor does act here
    np.testing.assert_allclose(got["hr_floor"], floored, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(got["hr_zero"], 0.0)


def test_identity_embeddings_by_hand(got):
    # x = y = I (3 x 3), t = 1: logits I. InfoLOOB row: -1 + log(e^0 + e^0) = log 2 - 1;
    # InfoNCE row: -1 + log(e + 2); CLOOB (t = 3, beta = 2): U = V = R(I; I), rows
    # e^b e_i + sum_{j != i} e_j normalised, with u_i.u_i = 1 and u_i.u_j = (2 e^b + 1) / n2
    assert float(got["eye_loob"]) == pytest.approx(math.log(2) - 1, rel=1e-14)
    assert float(got["eye_nce"]) == pytest.approx(math.log(math.e + 2) - 1, rel=1e-14)
    b, t = 2.0, 3.0
    n2 = math.exp(2 * b) + 2  # |e^b e_i + sum_{j != i} e_j|^2
    want = -t + math.log(2 * math.exp(t * (2 * math.exp(b) + 1) / n2))
    assert float(got["eye_cloob"]) == pytest.approx(want, rel=1e-13)


def test_signatures_and_shape_messages():
    a = jnp.asarray(X, jnp.float32)
    # temperatures are keyword-only: a positional one is a TypeError, not a silent default
    for call in (
        lambda: infoloob(a, a, 2.0),
        lambda: infonce(a, a, 2.0),
        lambda: hopfield_retrieval(a, a, 2.0),
        lambda: cloob_loss(a, a, 2.0, beta=1.0),
    ):
        with pytest.raises(TypeError, match="positional argument"):
            call()
    with pytest.raises(ValueError, match=r"anchors must have shape \(N, d\).*got shape \(\)"):
        infoloob(jnp.float32(1.0), a, inv_tau=1.0)
    with pytest.raises(ValueError, match=r"anchors and others must have the same shape"):
        infoloob(a, a[:, :2], inv_tau=1.0)
