"""CLOOB / InfoLOOB / InfoNCE: parity with the JAX reference, validation, dtypes, transforms.

Parity fixtures: ``tests/layers/fixtures/cloob`` (vendored from the project's shared fixtures;
produced by crowsonkb/cloob-training's ``loss.py`` run unchanged in float64, see the README
there). ``HOPFIELD_SIM_CLOOB_FIXTURES`` points the parity test at another directory of the same
format (a held-out set); every case its ``cases.json`` lists is checked.

Tolerances. float64: losses and retrieved embeddings 1e-12 (absolute), gradients 1e-9
(measured: <= 4e-15 and <= 1.4e-14). float32 (same inputs rounded to float32): losses
``2e-5 * max(1, |L|)``, retrieved embeddings 2e-6, gradients ``1e-4 * max(1, max|g|)``
(measured on the four shipped cases: <= 4.5e-7 on losses, <= 1.4e-5 on gradients).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.layers.contrastive import (
    cloob_loss,
    hopfield_retrieval,
    infoloob,
    infonce,
)

FIXTURES = Path(
    os.environ.get(
        "HOPFIELD_SIM_CLOOB_FIXTURES", Path(__file__).resolve().parent / "fixtures" / "cloob"
    )
)
CASES = json.loads((FIXTURES / "cases.json").read_text())["cases"]


def _everything(a, b, t, bt):
    """Every fixture quantity from (x, y, inv_tau, beta), in one compiled program."""

    def cl(a, b, t=t, bt=bt):
        p = cloob_loss(a, b, inv_tau=t, beta=bt, return_parts=True)
        return p.loss, p

    def nce(a, b, t=t):
        p = infonce(a, b, inv_tau=t, return_parts=True)
        return p.loss, p

    (_, p), (gx, gy) = jax.value_and_grad(cl, argnums=(0, 1), has_aux=True)(a, b)
    (_, q), (ngx, ngy) = jax.value_and_grad(nce, argnums=(0, 1), has_aux=True)(a, b)
    return {
        "cloob_loss": p.loss,
        "cloob_loss_img_term": p.image_term,
        "cloob_loss_txt_term": p.text_term,
        "U_x": p.U_x,
        "U_y": p.U_y,
        "V_x": p.V_x,
        "V_y": p.V_y,
        "hr_U_x": hopfield_retrieval(a, a, beta=bt),
        "hr_U_y": hopfield_retrieval(b, a, beta=bt),
        "hr_V_x": hopfield_retrieval(a, b, beta=bt),
        "hr_V_y": hopfield_retrieval(b, b, beta=bt),
        "infoloob_raw_img": infoloob(a, b, inv_tau=t),
        "infoloob_raw_txt": infoloob(b, a, inv_tau=t),
        "infonce_clip": q.loss,
        "infonce_img": q.image_term,
        "infonce_txt": q.text_term,
        "grad_cloob_x": gx,
        "grad_cloob_y": gy,
        "grad_infonce_x": ngx,
        "grad_infonce_y": ngy,
    }


def _run(A, dtype):
    """Compile ``_everything`` for this case (XLA backend optimisation off: these programs are
    tiny, and compiling them dominates the test time) and run it on the inputs cast to dtype."""
    with jax.enable_x64(True):
        args = [jnp.asarray(A[k], dtype) for k in ("x", "y", "inv_tau", "beta")]
        lowered = jax.jit(_everything).lower(*args)
        try:
            compiled = lowered.compile({"xla_backend_optimization_level": 0})
        except Exception:  # an XLA build without this option: compile with the defaults
            compiled = lowered.compile()
        return jax.tree.map(np.asarray, compiled(*args))


LOSSES = (
    "cloob_loss",
    "cloob_loss_img_term",
    "cloob_loss_txt_term",
    "infoloob_raw_img",
    "infoloob_raw_txt",
    "infonce_clip",
    "infonce_img",
    "infonce_txt",
)
RETRIEVALS = ("U_x", "U_y", "V_x", "V_y")
GRADS = ("grad_cloob_x", "grad_cloob_y", "grad_infonce_x", "grad_infonce_y")


@pytest.fixture(scope="module", params=CASES, ids=[c["name"] for c in CASES])
def case(request):
    A = dict(np.load(FIXTURES / request.param["file"]))
    return request.param, A, _run(A, jnp.float64)


def test_cases_json_matches_arrays(case):
    meta, A, _ = case
    assert (
        A["x"].shape == A["y"].shape == (meta.get("N", len(A["x"])), meta.get("d", A["x"].shape[1]))
    )
    for key in ("inv_tau", "beta", "cloob_loss", "infoloob_raw_sym", "infonce_clip"):
        if key in meta:  # the index repeats some values of the arrays
            assert float(A[key]) == meta[key], key


def test_parity_float64(case):
    _, A, o = case
    for key, v in o.items():
        assert v.dtype == np.float64, key
    for key in LOSSES:
        assert abs(float(o[key]) - float(A[key])) <= 1e-12, key
    sym = 0.5 * (o["infoloob_raw_img"] + o["infoloob_raw_txt"])
    assert abs(sym - float(A["infoloob_raw_sym"])) <= 1e-12
    mljku = 2.0 / float(A["inv_tau"]) * o["cloob_loss"]
    assert abs(mljku - float(A["cloob_loss_mljku_scale"])) <= 1e-12
    for key in RETRIEVALS:
        np.testing.assert_allclose(o[key], A[key], rtol=0, atol=1e-12, err_msg=key)
        np.testing.assert_allclose(o["hr_" + key], A[key], rtol=0, atol=1e-12, err_msg=key)
    for key in GRADS:
        np.testing.assert_allclose(o[key], A[key], rtol=0, atol=1e-9, err_msg=key)


# float32 costs one more compilation per case: one case by default, every case with -m slow.
@pytest.mark.parametrize(
    "meta",
    [
        pytest.param(c, id=c["name"], marks=() if i == 0 else pytest.mark.slow)
        for i, c in enumerate(CASES)
    ],
)
def test_parity_float32(meta):
    A = dict(np.load(FIXTURES / meta["file"]))
    o = _run(A, jnp.float32)
    for key, v in o.items():
        assert v.dtype == np.float32, key
    for key in LOSSES:
        ref = float(A[key])
        assert abs(float(o[key]) - ref) <= 2e-5 * max(1.0, abs(ref)), key
    for key in RETRIEVALS:
        np.testing.assert_allclose(o[key], A[key], rtol=0, atol=2e-6, err_msg=key)
    for key in GRADS:
        scale = max(1.0, float(np.max(np.abs(A[key]))))
        np.testing.assert_allclose(o[key], A[key], rtol=0, atol=1e-4 * scale, err_msg=key)
