"""The evaluator: chunked outputs, validation scores and test metrics (no model, no compile).

A stand-in ``predict`` computes every row's outputs from that row alone, so the chunked and
padded evaluation must give what one call on all rows gives; the scores are checked against
scikit-learn's metrics.
"""

from __future__ import annotations

import types

import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score

from hopfield_sim.tabular.data import Encoded, Split
from hopfield_sim.tabular.evaluate import CHUNK_MULTIPLE, Evaluator, eval_chunk
from hopfield_sim.tabular.model import model_input


def test_evaluation_chunks_are_multiples_of_32():
    # a row's outputs must not depend on its neighbours: with XLA's optimised CPU code a
    # 2-row chunk broke scikit-learn's sample-order and subset invariance checks (1.3e-7
    # relative, float32); those run in the slow tier, on a worker that may compile at level 0
    def enc(n_val, n_test):
        split = Split(0, "intended", np.arange(5), np.arange(n_val), np.arange(n_test))
        return types.SimpleNamespace(split=split)

    assert CHUNK_MULTIPLE == 32
    assert eval_chunk(enc(0, 0), 512) == 32  # no rows: still one chunk shape
    assert eval_chunk(enc(2, 0), 512) == 32
    assert eval_chunk(enc(32, 0), 512) == 32
    assert eval_chunk(enc(33, 40), 512) == 64
    assert eval_chunk(enc(1600, 2000), 512) == 512
    assert eval_chunk(enc(1600, 2000), 100) == 128  # the cap, rounded up


def _table(regression: bool, n: int = 75, seed: int = 0) -> Encoded:
    """Two numeric features and a target (3 classes, or numeric with mean 4 and std 2.5)."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, n))
    split = Split(0, "intended", np.arange(20), np.arange(20, 45), np.arange(45, n))
    missing = np.zeros((n, 3), bool)
    if regression:
        y = 4.0 + 2.5 * rng.normal(size=n)
        x = np.stack([a, b, (y - 4.0) / 2.5], 1).astype(np.float32)
        return Encoded(x, missing, y, (1, 1, 1), (False, False, False), split, 4.0, 2.5)
    y = rng.integers(0, 3, n)
    x = np.column_stack([a, b, np.eye(3)[y]]).astype(np.float32)
    return Encoded(x, missing, y, (1, 1, 3), (False, False, True), split)


def _rowwise(params, memory_all, inputs):
    """Outputs of each row from that row alone: the two feature values (model layout columns
    0 and 2) mixed by ``params`` (C, 2), plus a column of the memory's row count."""
    feats = jnp.stack([inputs[:, 0], inputs[:, 2]], 1)
    return feats @ params.T + memory_all.shape[0] * 1e-3


@pytest.mark.parametrize("regression", [False, True])
def test_chunked_outputs_equal_one_call_on_all_rows(regression):
    enc = _table(regression)
    C = 1 if regression else 3
    params = jnp.asarray(np.random.default_rng(1).normal(size=(C, 2)), jnp.float32)
    memory = jnp.zeros((20, 8))
    ev = Evaluator(enc, memory, _rowwise, eval_batch_size=8)  # chunks of 32: 75 rows in 3
    assert ev.chunk == 32 and ev.regression == regression
    masked = np.zeros((len(enc.y), 3), bool)
    masked[:, -1] = True  # the target is hidden from the model
    inputs = model_input(jnp.asarray(enc.x), jnp.asarray(masked), enc.sizes)
    direct = np.asarray(_rowwise(params, memory, inputs))
    if regression:
        direct = direct[:, 0] * 2.5 + 4.0  # back to the target's units
    # float32 rounding may differ between program shapes under XLA's optimised code; a
    # misplaced or dropped row differs at order 1
    np.testing.assert_allclose(ev.outputs(params, enc.x, enc.missing), direct, rtol=1e-6)
    # a subset of rows gives the same rows' outputs (no dependence on neighbours)
    rows = np.array([70, 3, 41])
    np.testing.assert_allclose(ev.outputs(params, enc.x[rows], enc.missing[rows]),
                               direct[rows], rtol=1e-6)  # fmt: skip


@pytest.mark.parametrize("regression", [False, True])
def test_the_evaluated_rows_targets_never_reach_the_model(regression):
    # a stand-in that mixes every model-input column, the target's included: the outputs must
    # not change when the evaluated rows' targets do (the evaluator masks the target)
    enc = _table(regression)
    C = 1 if regression else 3
    width = model_input(jnp.asarray(enc.x[:1]), jnp.zeros((1, 3), bool), enc.sizes).shape[1]
    w = jnp.asarray(np.random.default_rng(2).normal(size=(width, C)), jnp.float32)

    def mix(params, memory_all, inputs):
        return inputs @ params

    other = enc.x.copy()
    if regression:
        other[:, -1] = -other[:, -1] + 1.0
    else:
        other[:, -3:] = np.roll(other[:, -3:], 1, axis=1)  # every row another class
    ev = Evaluator(enc, jnp.zeros((20, 8)), mix, eval_batch_size=8)
    seen = ev.outputs(w, enc.x, enc.missing)
    np.testing.assert_array_equal(seen, ev.outputs(w, other, enc.missing))
    # the stand-in does see the target when it is not masked: the check above can fail
    shown = np.zeros((len(enc.y), 3), bool)
    a, b = (model_input(jnp.asarray(x), jnp.asarray(shown), enc.sizes) @ w for x in (enc.x, other))
    assert not np.allclose(a, b)


def test_classification_scores_are_scikit_learns():
    enc = _table(False)
    params = jnp.asarray([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], jnp.float32)
    ev = Evaluator(enc, jnp.zeros((20, 8)), _rowwise, eval_batch_size=512)
    pred = np.argmax(ev.outputs(params, enc.x, enc.missing), axis=1)
    val, test = enc.split.validation, enc.split.test
    assert ev.accuracy(params, val) == pytest.approx(accuracy_score(enc.y[val], pred[val]))
    acc, rmse, r2 = ev.test(params)
    assert acc == pytest.approx(accuracy_score(enc.y[test], pred[test]))
    assert rmse is None and r2 is None
    assert 0.0 < acc < 1.0  # the check can tell a wrong row from a right one


def test_regression_scores_are_scikit_learns():
    enc = _table(True)
    params = jnp.asarray([[0.8, -0.3]], jnp.float32)
    ev = Evaluator(enc, jnp.zeros((20, 8)), _rowwise, eval_batch_size=512)
    pred = ev.outputs(params, enc.x, enc.missing)
    val, test = enc.split.validation, enc.split.test
    # validation: squared errors and minus the RMSE, in standard deviations of the target
    sq = ev.squared_errors(params, val)
    np.testing.assert_allclose(sq, ((pred[val] - enc.y[val]) / 2.5) ** 2, rtol=1e-12)
    rmse_val = np.sqrt(mean_squared_error(enc.y[val], pred[val])) / 2.5
    assert ev.accuracy(params, val) == pytest.approx(-rmse_val, rel=1e-12)
    # test: RMSE in the target's units and R² against the test rows' own mean
    acc, rmse, r2 = ev.test(params)
    assert acc is None
    assert rmse == pytest.approx(np.sqrt(mean_squared_error(enc.y[test], pred[test])), rel=1e-12)
    assert r2 == pytest.approx(r2_score(enc.y[test], pred[test]), rel=1e-12, abs=1e-12)
    assert r2 < 0.9 and rmse > 0.1  # a predictor that is not exact: the formulas matter


def test_no_test_rows_gives_no_test_metrics():
    enc = _table(True)
    split = Split(0, "intended", enc.split.train, enc.split.validation, np.arange(0))
    enc = Encoded(enc.x, enc.missing, enc.y, enc.sizes, enc.discrete, split, 4.0, 2.5)
    ev = Evaluator(enc, jnp.zeros((20, 8)), _rowwise, eval_batch_size=512)
    assert ev.test(jnp.ones((1, 2), jnp.float32)) == (None, None, None)
