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


def test_piecewise_edges_cut_the_standard_normal_into_equal_masses():
    from scipy.stats import norm

    from hopfield_sim.tabular.model import piecewise_edges

    for T in (2, 5, 16):
        b = piecewise_edges(T)
        assert b.shape == (T + 1,) and b[0] == -5.2 and b[-1] == 5.2
        np.testing.assert_allclose(norm.cdf(b[1:-1]), np.arange(1, T) / T, atol=1e-6)
    assert piecewise_edges(2)[1] == 0.0  # the median


def test_binned_embedding_adds_the_piecewise_linear_encoding(setup):
    """numeric_bins = T adds, for each numeric feature j, sum_t W[j, t] u_t(z) with u_t the
    piecewise-linear encoding clip((z - b_{t-1}) / (b_t - b_{t-1}), 0, 1) (Gorishniy et al.
    2022), computed here in numpy from the edges: the embeddings with and without the bins,
    same parameters otherwise, differ by exactly that; discrete features and the target not."""
    from dataclasses import replace

    from hopfield_sim.tabular.model import piecewise_edges

    enc, _, _, memory, _ = setup
    T = 4
    cfg = replace(TINY, numeric_bins=T)
    binned = Hopular(sizes=enc.sizes, discrete=enc.discrete, config=cfg, rngs=nnx.Rngs(3))
    binned.eval()
    rows = np.asarray(memory[:6])
    with_bins = np.asarray(binned.embedding(jnp.asarray(rows)))
    W = np.asarray(binned.embedding.bin_kernel[...])
    binned.embedding.bins = 0  # the same parameters without the piecewise-linear term
    without = np.asarray(binned.embedding(jnp.asarray(rows)))
    b = piecewise_edges(T).astype(np.float64)
    starts = np.concatenate([[0], np.cumsum(np.asarray(enc.sizes) + 1)[:-1]])
    numeric = [j for j in range(len(enc.sizes) - 1) if not enc.discrete[j]]
    assert numeric == list(range(len(enc.sizes) - 1))  # glass: 9 numeric features
    # the added term enters the first layer, before GELU -> LayerNorm -> Linear
    emb = binned.embedding
    pre = _per_feature_linear(rows, np.asarray(emb.kernel[...]), enc.sizes)
    pre += np.asarray(emb.bias[...])
    z = rows[:, starts[numeric]]
    u = np.clip((z[..., None] - b[:-1]) / (b[1:] - b[:-1]), 0.0, 1.0)
    added = pre.copy()
    added[:, numeric] += np.einsum("bnt,nte->bne", u, W)
    emb.bins = T
    got = np.asarray(emb.linear(jnp.asarray(rows)))
    np.testing.assert_allclose(got, added, rtol=1e-5, atol=1e-5)
    assert not np.allclose(with_bins, without)
    emb.bins = 0
    np.testing.assert_allclose(np.asarray(emb.linear(jnp.asarray(rows))), pre,
                               rtol=1e-5, atol=1e-5)  # fmt: skip


def _per_feature_linear(rows, kernel, sizes):
    """Feature j's rows of the (P+F, e) kernel applied to its (size + 1) columns, in numpy."""
    widths = np.asarray(sizes) + 1
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    return np.stack([rows[:, a : a + w] @ kernel[a : a + w] for a, w in zip(starts, widths)], 1)


def test_first_layer_is_one_linear_map_per_feature():
    """Embedding.linear equals, feature by feature, Linear(size + 1 -> e) of that feature's
    columns alone (numpy), on a layout mixing numeric features, narrow and wide one-hot
    features (wider than the stacking width, so computed one by one) and a one-level discrete
    feature; and the kernel starts as the diagonal blocks of one (P+F, F, e) uniform draw
    scaled by 1/sqrt(size + 1) (the block-diagonal layout's initialisation, so runs match)."""
    from hopfield_sim.tabular.model import _STACK_WIDTH, Embedding

    sizes = (1, 3, 1, _STACK_WIDTH + 9, 1, 3, 2 * _STACK_WIDTH, 1, 4)
    discrete = (False, True, True, True, False, True, True, False, True)
    emb = Embedding(sizes, discrete, TINY, nnx.Rngs(5))
    P, F, e = sum(sizes), len(sizes), TINY.feature_size
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(7, P + F)).astype(np.float32)
    kernel = np.asarray(emb.kernel[...])
    want = _per_feature_linear(rows.astype(np.float64), kernel, sizes) + np.asarray(emb.bias[...])
    got = nnx.jit(lambda m, r: m.linear(r))(emb, jnp.asarray(rows))
    np.testing.assert_allclose(np.asarray(got), want, rtol=2e-5, atol=2e-5)
    owner = np.repeat(np.arange(F), np.asarray(sizes) + 1)
    draw = jax.random.uniform(nnx.Rngs(5).params(), (P + F, F, e), minval=-1.0, maxval=1.0)
    first = np.asarray(draw)[np.arange(P + F), owner] / np.sqrt(np.asarray(sizes) + 1)[owner, None]
    np.testing.assert_allclose(kernel, first, rtol=1e-6)


def test_target_outputs_are_the_target_columns_of_the_full_output(setup):
    """Hopular.target computes only the target's logits; they equal the target's columns
    (objective.target_logits) of the full reconstruction."""
    from hopfield_sim.tabular import objective

    enc, _, _, memory, _ = setup
    m = Hopular(sizes=enc.sizes, discrete=enc.discrete, config=TINY, rngs=nnx.Rngs(1))
    m.eval()
    rows, mem = jnp.asarray(memory[:5]), jnp.asarray(memory)
    both = nnx.jit(lambda m, r, s: (objective.target_logits(m(r, s), enc.sizes), m.target(r, s)))
    full, got = both(m, rows, mem)
    assert got.shape == (5, enc.sizes[-1])
    np.testing.assert_allclose(np.asarray(got), np.asarray(full), rtol=1e-5, atol=1e-6)


def test_numeric_bins_must_be_zero_or_at_least_two(setup):
    from dataclasses import replace

    enc = setup[0]
    for bad in (1, -2, 2.0, True):
        with pytest.raises(ValueError, match="numeric_bins"):
            Hopular(sizes=enc.sizes, discrete=enc.discrete,
                    config=replace(TINY, numeric_bins=bad), rngs=nnx.Rngs(0))  # fmt: skip


def test_config_dict_leaves_out_bins_when_off():
    from dataclasses import replace

    assert "numeric_bins" not in TINY.to_dict()
    assert replace(TINY, numeric_bins=8).to_dict()["numeric_bins"] == 8


def test_config_defaults_are_the_references_and_frozen():
    """HopularConfig() holds the reference implementation's defaults (Schäfl et al. 2022:
    8 blocks, feature size 32, 8 heads in both lookups, scaling 1, dropouts 0.1 / 0.1 / 0.01,
    no bins), and is frozen: it is a static (hashed) argument of the compiled steps."""
    import dataclasses

    cfg = HopularConfig()
    assert cfg.to_dict() == {"feature_size": 32, "num_blocks": 8, "num_heads": 8,
                             "feature_heads": 8, "scaling": 1.0, "input_dropout": 0.1,
                             "lookup_dropout": 0.1, "output_dropout": 0.01}  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.num_blocks = 2


def test_lookup_head_widths_and_inverse_temperatures(setup):
    """Sample lookup: F*e wide, num_heads heads of width F*e // num_heads; feature lookup: e
    wide, heads of width e // feature_heads; beta = scaling / sqrt(head width) in each."""
    from dataclasses import replace

    enc = setup[0]
    F = len(enc.sizes)
    cfg = replace(TINY, feature_size=8, num_heads=4, feature_heads=2, scaling=1.5)
    block = Hopular(sizes=enc.sizes, discrete=enc.discrete, config=cfg,
                    rngs=nnx.Rngs(0)).blocks[0]  # fmt: skip
    for layer, hd in ((block.sample, F * 8 // 4), (block.feature, 8 // 2)):
        assert layer.head_dim == hd
        np.testing.assert_allclose(np.asarray(layer.beta_fixed), 1.5 / np.sqrt(hd), rtol=1e-6)


def test_embedding_equals_its_formula_in_numpy(setup):
    """The whole embedding (evaluation mode) against numpy: first layer + type embedding +
    position embedding -> GELU (tanh form, jax.nn.gelu's default) -> LayerNorm over e
    (epsilon 1e-12, scale, bias) -> per-feature Linear(e -> e); with scale and bias moved off
    their initial 1 and 0, and the per-feature output kernel drawn within +-1/sqrt(e)."""
    enc, _, _, memory, _ = setup
    m = Hopular(sizes=enc.sizes, discrete=enc.discrete, config=TINY, rngs=nnx.Rngs(4))
    m.eval()
    emb = m.embedding
    e = TINY.feature_size
    out_kernel = np.asarray(emb.out_kernel[...])
    assert 0.3 / np.sqrt(e) < np.abs(out_kernel).max() <= 1 / np.sqrt(e)
    rng = np.random.default_rng(0)
    emb.norm_scale[...] = jnp.asarray(rng.uniform(0.5, 1.5, emb.norm_scale.shape), jnp.float32)
    emb.norm_bias[...] = jnp.asarray(rng.normal(size=emb.norm_bias.shape), jnp.float32)
    rows = np.asarray(memory[:6], np.float64)
    F = len(enc.sizes)
    h = _per_feature_linear(rows, np.asarray(emb.kernel[...], np.float64), enc.sizes)
    h += np.asarray(emb.bias[...])
    types = np.asarray(enc.discrete, int)
    h += np.asarray(emb.type_embedding.embedding[...])[types]
    h += np.asarray(emb.position_embedding.embedding[...])[np.arange(F)]
    h = 0.5 * h * (1 + np.tanh(np.sqrt(2 / np.pi) * (h + 0.044715 * h**3)))  # GELU, tanh form
    mu, var = h.mean(-1, keepdims=True), h.var(-1, keepdims=True)
    h = (h - mu) / np.sqrt(var + 1e-12) * np.asarray(emb.norm_scale[...])
    h += np.asarray(emb.norm_bias[...])
    want = np.einsum("bfe,feo->bfo", h, out_kernel) + np.asarray(emb.out_bias[...])
    got = np.asarray(emb(jnp.asarray(rows, jnp.float32)))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_bins_leave_a_numeric_target_alone():
    """With numeric_bins the piecewise-linear term goes to numeric input features only, never
    to the target, even when the target is numeric (regression)."""
    from dataclasses import replace

    from hopfield_sim.tabular.model import Embedding

    sizes, discrete = (1, 3, 1, 1), (False, True, False, False)  # numeric target last
    emb = Embedding(sizes, discrete, replace(TINY, numeric_bins=4), nnx.Rngs(0))
    assert list(np.asarray(emb.numeric)) == [0, 2]
