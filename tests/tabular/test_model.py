"""Hopular model: shapes and invariances, input layout and the self-lookup mask."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from hopfield_sim.tabular import load_dataset
from hopfield_sim.tabular.model import Hopular, HopularConfig, model_input, self_lookup_mask

DATA = Path(__file__).resolve().parents[2] / "data" / "hopular"
TINY = HopularConfig(feature_size=4, num_blocks=1, num_heads=2, feature_heads=1)


@pytest.fixture(scope="module")
def setup():
    d = load_dataset(DATA / "glass_identification")
    enc = d.encode(d.split(0))
    model = Hopular(sizes=enc.sizes, discrete=enc.discrete, config=TINY, rngs=nnx.Rngs(3))
    model.eval()
    graph, state = nnx.split(model)

    @jax.jit
    def forward(state, inputs, memory, keep):
        return nnx.merge(graph, state)(inputs, memory, keep)

    tr = enc.split.train
    x = jnp.asarray(enc.x[tr])
    miss = jnp.asarray(enc.missing[tr])
    memory = model_input(x, miss, enc.sizes)
    query = model_input(x[:8], miss[:8].at[:, -1].set(True), enc.sizes)
    return enc, state, forward, memory, query


def test_input_layout():
    sizes = (2, 1, 3)
    x = jnp.arange(1.0, 7.0)[None]
    masked = jnp.array([[False, True, False]])
    got = np.asarray(model_input(x, masked, sizes))[0]
    np.testing.assert_array_equal(got, [1, 2, 0, 0, 1, 4, 5, 6, 0])


def test_shapes(setup):
    enc, state, forward, memory, query = setup
    keep = self_lookup_mask(jnp.arange(8), jnp.arange(memory.shape[0]))
    out = forward(state, query, memory, keep)
    assert out.shape == (8, sum(enc.sizes)) and bool(jnp.all(jnp.isfinite(out)))
    assert memory.shape == (len(enc.split.train), sum(enc.sizes) + len(enc.sizes))
    # the memory is a set: reordering its rows (and the mask with them) changes nothing
    perm = np.random.default_rng(0).permutation(memory.shape[0])
    again = forward(state, query, memory[perm], keep[:, perm])
    np.testing.assert_allclose(np.asarray(again), np.asarray(out), atol=2e-5)
    # rows are looked up independently: a batch of 8 equals its rows one by one
    for r in (0, 5):
        single = forward(state, query[r : r + 1], memory, keep[r : r + 1])
        np.testing.assert_allclose(np.asarray(single)[0], np.asarray(out)[r], atol=2e-5)


def test_self_lookup_mask_hides_each_row_from_itself(setup):
    enc, state, forward, memory, query = setup
    rows, mem_rows = jnp.arange(8), jnp.arange(memory.shape[0])
    keep = self_lookup_mask(rows, mem_rows)
    np.testing.assert_array_equal(
        np.asarray(keep), np.arange(8)[:, None] != np.arange(len(mem_rows))
    )
    everything = jnp.ones_like(keep)
    # change memory row 0 drastically: with the mask, query row 0 cannot see it
    changed = memory.at[0].set(memory[5] * -3.0 + 1.0)
    for keep_, row0_sees_itself in ((keep, False), (everything, True)):
        before = forward(state, query, memory, keep_)
        after = forward(state, query, changed, keep_)
        diff = np.abs(np.asarray(after - before)).max(axis=1)
        assert diff[1:].min() > 1e-6  # the other rows look row 0 up
        if row0_sees_itself:
            assert diff[0] > 1e-6
        else:
            assert diff[0] == 0.0
