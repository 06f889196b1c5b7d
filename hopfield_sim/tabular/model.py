"""The Hopular model (Flax NNX) on :class:`hopfield_sim.layers.Hopfield`.

Input layout: every feature j (target last) contributes its encoding (``sizes[j]`` numbers,
one-hot or a standardised value) followed by one "masked" bit, so a row has
``P + F`` numbers (``P = sum(sizes)``). :func:`model_input` builds it.

Architecture (Schäfl et al. 2022, reference defaults in :class:`HopularConfig`):

* **Embedding**: per feature ``Linear(sizes[j] + 1 -> e)`` plus a feature-type embedding
  (numeric / discrete) and a feature-position embedding, then per feature
  GELU -> Dropout -> LayerNorm -> Linear(e -> e). The state is the concatenation, width ``F*e``.
  With ``numeric_bins = T`` (off by default; the reference has none) every numeric input
  feature also gets a learned piecewise-linear function of its value, ``sum_t W[t]
  clip((z - b_{t-1}) / (b_t - b_{t-1}), 0, 1)`` with ``T`` bins of equal standard-normal
  mass (:func:`piecewise_edges`), added before the GELU: the piecewise-linear encoding of
  Gorishniy et al. (2022), for values already mapped to a standard normal by
  ``numeric_transform="quantile"``, where it lets one feature's embedding bend at its
  quantiles as a tree's splits do.
* **Hopular block** (``num_blocks`` of them): a sample-sample :class:`~hopfield_sim.layers.Hopfield`
  lookup whose memory is the embedded training set, then a feature-feature lookup over the ``F``
  feature vectors of the same sample with the sample's embedded input as memory. In each, state
  and memory pass one shared LayerNorm and the residual is added to the *normalised* state (as
  in the reference: ``LN(x) + lookup(LN(x), LN(memory))``).
* **Summary**: GELU -> Dropout -> LayerNorm(F*e) -> Linear(F*e -> P), a reconstruction of every
  feature (logits for discrete, value for numeric) and of the target.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from hopfield_sim.layers import Hopfield
from hopfield_sim.layers.modules import NO_INPUT_NORMS

__all__ = ["HopularConfig", "Hopular", "build", "by_groups", "check_numeric_bins",
           "column_groups", "model_input", "piecewise_edges", "self_lookup_mask",
           "stack_columns"]  # fmt: skip

_LN_EPS = 1e-12  # LayerNorm epsilon of the reference
_STACK_WIDTH = 32  # features at most this wide are stacked by width (column_groups)


@dataclass(frozen=True)
class HopularConfig:
    """Model hyper-parameters (defaults: the reference's).

    feature_size : embedding width e of one feature (state width F*e).
    num_blocks : number of Hopular blocks.
    num_heads : heads of the sample-sample lookup (head width F*e / num_heads).
    feature_heads : heads of the feature-feature lookup (head width max(1, e / feature_heads)).
    scaling : factor on beta = scaling / sqrt(head width).
    input_dropout, lookup_dropout, output_dropout : dropout rates of embedding, Hopfield
        association weights, summary.
    numeric_bins : bins T of the piecewise-linear embedding of numeric features (0: none, the
        reference's; otherwise at least 2), edges at the standard normal's quantiles t / T.
    """

    feature_size: int = 32
    num_blocks: int = 8
    num_heads: int = 8
    feature_heads: int = 8
    scaling: float = 1.0
    input_dropout: float = 0.1
    lookup_dropout: float = 0.1
    output_dropout: float = 0.01
    numeric_bins: int = 0

    def to_dict(self) -> dict:
        """Plain dict (for JSON); ``numeric_bins`` only when set (older runs match)."""
        d = asdict(self)
        if not self.numeric_bins:
            del d["numeric_bins"]
        return d


def _hopfield(width: int, heads: int, dropout: float, scaling: float, rngs: nnx.Rngs) -> Hopfield:
    """One lookup: projections, no input norms (done outside), beta = scaling/sqrt(head)."""
    hd = max(1, width // heads)
    return Hopfield(
        input_size=width,
        hidden_size=hd,
        pattern_size=hd,
        output_size=width,
        num_heads=heads,
        beta=scaling / math.sqrt(hd),
        **NO_INPUT_NORMS,
        dropout_rate=dropout,
        rngs=rngs,
    )


class Embedding(nnx.Module):
    """Per-feature embedding of rows in the :func:`model_input` layout -> (B, F, e)."""

    def __init__(
        self, sizes: tuple[int, ...], discrete: tuple[bool, ...], cfg: HopularConfig, rngs
    ):
        F, e = len(sizes), cfg.feature_size
        widths = np.asarray(sizes) + 1
        owner = np.repeat(np.arange(F), widths)  # feature of each input position
        # per-feature Linear(size+1 -> e): feature j's kernel is rows owner == j of one
        # (P+F, e) kernel (drawn as the diagonal blocks of a (P+F, F, e) draw)
        bound = 1.0 / np.sqrt(widths[owner])[:, None, None]
        init = jax.random.uniform(rngs.params(), (len(owner), F, e), minval=-1.0, maxval=1.0)
        self.kernel = nnx.Param((init * bound)[np.arange(len(owner)), owner])  # (P+F, e)
        self.groups = column_groups(widths)  # static (hashable) index tuples
        self.bias = nnx.Param(
            jax.random.uniform(rngs.params(), (F, e), minval=-1, maxval=1)
            / np.sqrt(widths)[:, None]
        )
        self.types = nnx.data(jnp.asarray(np.asarray(discrete, np.int32)))
        self.type_embedding = nnx.Embed(2, e, rngs=rngs)
        self.position_embedding = nnx.Embed(F, e, rngs=rngs)
        self.dropout = nnx.Dropout(cfg.input_dropout, rngs=rngs)
        self.norm_scale = nnx.Param(jnp.ones((F, e)))
        self.norm_bias = nnx.Param(jnp.zeros((F, e)))
        lim = 1.0 / np.sqrt(e)
        self.out_kernel = nnx.Param(
            jax.random.uniform(rngs.params(), (F, e, e), minval=-lim, maxval=lim)
        )
        self.out_bias = nnx.Param(jnp.zeros((F, e)))
        T = int(cfg.numeric_bins)
        numeric = [j for j in range(F - 1) if not discrete[j] and sizes[j] == 1]  # no target
        self.bins = T if T > 1 and numeric else 0
        if self.bins:
            starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
            self.numeric = nnx.data(jnp.asarray(numeric))
            self.numeric_at = nnx.data(jnp.asarray(starts[numeric]))
            edges = piecewise_edges(T)
            self.edges = nnx.data(jnp.asarray(edges))
            self.bin_kernel = nnx.Param(
                jax.random.uniform(rngs.params(), (len(numeric), T, e), minval=-1, maxval=1)
                / np.sqrt(T)
            )

    def linear(self, inputs: jax.Array) -> jax.Array:
        """Per-feature first layer (B, F, e): Linear(size + 1 -> e), plus the piecewise-linear
        term of numeric features when ``numeric_bins`` is set."""
        kernel = self.kernel[...]

        def group(w, _, starts):  # (B, n, w) x (n, w, e); O((P+F) e) a row
            x = stack_columns(inputs, w, starts, axis=1)
            return jnp.einsum("bnw,nwe->bne", x, stack_columns(kernel, w, starts, 0))

        h = by_groups(group, self.groups) + self.bias[...]
        if self.bins:
            z = inputs[:, self.numeric_at][..., None]  # (B, n, 1) numeric values
            lo, hi = self.edges[:-1], self.edges[1:]
            u = jnp.clip((z - lo) / (hi - lo), 0.0, 1.0).astype(inputs.dtype)  # (B, n, T)
            h = h.at[:, self.numeric].add(jnp.einsum("bnt,nte->bne", u, self.bin_kernel[...]))
        return h

    def __call__(self, inputs: jax.Array) -> jax.Array:
        h = self.linear(inputs)
        h = h + self.type_embedding(self.types) + self.position_embedding(jnp.arange(h.shape[1]))
        h = self.dropout(jax.nn.gelu(h))
        mu = jnp.mean(h, axis=-1, keepdims=True)
        var = jnp.mean((h - mu) ** 2, axis=-1, keepdims=True)
        h = (h - mu) * jax.lax.rsqrt(var + _LN_EPS) * self.norm_scale[...] + self.norm_bias[...]
        return jnp.einsum("bfe,feo->bfo", h, self.out_kernel[...]) + self.out_bias[...]


def column_groups(widths) -> tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]:
    """Features grouped by their number of columns ``w`` in a row layout where feature j
    owns ``widths[j]`` consecutive columns: per distinct ``w``, ``(w, features, first
    columns)`` as static tuples (for :func:`stack_columns`).

    With ``sizes + 1`` (the :func:`model_input` layout) the block-diagonal first layer becomes a
    few dense products instead of one (P+F) x F product that is zero off the diagonal; with
    ``sizes`` (the encoded layout) the per-feature losses become dense reductions. Either is
    O(columns) per row, however wide the one-hot features are.
    """
    widths = np.asarray(widths)
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    groups = []
    for w in np.unique(widths):
        feats = np.flatnonzero(widths == w)
        # wide features one by one: a stacked copy of their columns costs more than it saves
        for part in [feats] if w <= _STACK_WIDTH else feats[:, None]:
            groups.append((int(w), tuple(part.tolist()), tuple(starts[part].tolist())))
    return tuple(groups)


def by_groups(f, groups) -> jax.Array:
    """``f(w, features, starts)`` of every group of :func:`column_groups` (an array whose
    axis 1 runs over the group's features), concatenated on axis 1 in feature order."""
    order = np.argsort(np.concatenate([feats for _, feats, _ in groups]))
    return jnp.concatenate([f(*g) for g in groups], axis=1)[:, order]


def stack_columns(a: jax.Array, width: int, starts: tuple[int, ...], axis: int) -> jax.Array:
    """The ``width`` columns from each of ``starts`` along ``axis``, stacked on a new axis
    just before it: one static slice for a lone (wide) feature, whose gradient is a pad; one
    gather with constant indices for a group of narrow ones (one operation to compile, not
    one per feature)."""
    if len(starts) == 1:
        one = jax.lax.slice_in_dim(a, starts[0], starts[0] + width, axis=axis)
        return jnp.expand_dims(one, axis)
    return jnp.take(a, np.asarray(starts)[:, None] + np.arange(width), axis=axis)


def check_numeric_bins(bins) -> None:
    """Raise ValueError unless ``bins`` is 0 (no piecewise-linear embedding) or an int >= 2."""
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 0 or bins == 1:
        raise ValueError(f"numeric_bins must be 0 or an int >= 2; got {bins!r}.")


def piecewise_edges(bins: int) -> np.ndarray:
    """Bin edges of the piecewise-linear numeric embedding: ``bins`` equal-mass bins of a
    standard normal (the quantile transform's output), from -5.2 to 5.2 (its clip)."""
    from scipy.special import ndtri

    inner = ndtri(np.arange(1, bins) / bins)
    return np.concatenate([[-5.2], inner, [5.2]]).astype(np.float32)


class HopularBlock(nnx.Module):
    """Sample-sample lookup (memory: embedded training set), then feature-feature lookup."""

    def __init__(self, num_features: int, cfg: HopularConfig, rngs: nnx.Rngs):
        e = cfg.feature_size
        width = num_features * e
        self.num_features, self.feature_size = num_features, e
        self.sample_norm = nnx.LayerNorm(width, epsilon=_LN_EPS, rngs=rngs)
        self.sample = _hopfield(width, cfg.num_heads, cfg.lookup_dropout, cfg.scaling, rngs)
        self.feature_norm = nnx.LayerNorm(e, epsilon=_LN_EPS, rngs=rngs)
        self.feature = _hopfield(e, cfg.feature_heads, cfg.lookup_dropout, cfg.scaling, rngs)

    def __call__(self, state, memory, features, keep):
        """state (B, F*e), memory (M, F*e), features (B, F, e), keep (B, M) bool or None."""
        q = self.sample_norm(state)
        m = self.sample_norm(memory)[None]
        mask = None if keep is None else keep[None, None]
        state = q + self.sample(q[None], m, m, mask=mask)[0]
        s = self.feature_norm(state.reshape(state.shape[0], self.num_features, self.feature_size))
        fm = self.feature_norm(features)
        s = s + self.feature(s, fm, fm)
        return s.reshape(state.shape)


class Hopular(nnx.Module):
    """Hopular for one data set layout.

    Parameters
    ----------
    sizes : tuple of int
        Encoding width of each feature, target last (``Encoded.sizes``).
    discrete : tuple of bool
        Whether each feature is discrete (``Encoded.discrete``).
    config : HopularConfig
    rngs : nnx.Rngs
        Parameter initialisation and dropout keys.
    """

    def __init__(
        self,
        *,
        sizes: tuple[int, ...],
        discrete: tuple[bool, ...],
        config: HopularConfig | None = None,
        rngs: nnx.Rngs,
    ):
        cfg = config or HopularConfig()
        if len(sizes) != len(discrete) or len(sizes) < 2:
            raise ValueError("sizes and discrete must have one entry per feature (>= 2).")
        for name in ("feature_size", "num_blocks", "num_heads", "feature_heads"):
            v = getattr(cfg, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"config.{name} must be a positive int; got {v!r}.")
        check_numeric_bins(cfg.numeric_bins)
        self.config, self.sizes, self.discrete = cfg, tuple(sizes), tuple(discrete)
        F, e = len(sizes), cfg.feature_size
        self.embedding = Embedding(self.sizes, self.discrete, cfg, rngs)
        self.blocks = nnx.List([HopularBlock(F, cfg, rngs) for _ in range(cfg.num_blocks)])
        self.out_dropout = nnx.Dropout(cfg.output_dropout, rngs=rngs)
        self.out_norm = nnx.LayerNorm(F * e, epsilon=_LN_EPS, rngs=rngs)
        self.out = nnx.Linear(F * e, int(sum(sizes)), rngs=rngs)

    def __call__(
        self, inputs: jax.Array, memory: jax.Array, keep: jax.Array | None = None
    ) -> jax.Array:
        """Predictions for every feature (:meth:`target` for the target's alone).

        Parameters
        ----------
        inputs : (B, P+F) rows in the :func:`model_input` layout (corrupted / masked).
        memory : (M, P+F) stored rows (training set with true targets, nothing masked).
        keep : bool (B, M), optional
            False where a row may not look up a memory entry (:func:`self_lookup_mask`).

        Returns
        -------
        (B, P) reconstruction: logits (discrete) or standardised values (numeric).
        """
        return self.out(self.summary(inputs, memory, keep))

    def target(
        self, inputs: jax.Array, memory: jax.Array, keep: jax.Array | None = None
    ) -> jax.Array:
        """The target's columns of :meth:`__call__`, (B, sizes[-1]), without computing the
        other features' reconstructions (all P of them: most of the work on wide tables)."""
        C = self.sizes[-1]
        h = self.summary(inputs, memory, keep)
        return h @ self.out.kernel[:, -C:] + self.out.bias[-C:]

    def summary(
        self, inputs: jax.Array, memory: jax.Array, keep: jax.Array | None = None
    ) -> jax.Array:
        """The normalised state (B, F*e) that the output layer reads."""
        feats = self.embedding(inputs)
        B, F, e = feats.shape
        mem = self.embedding(memory).reshape(memory.shape[0], F * e)
        state = feats.reshape(B, F * e)
        for block in self.blocks:
            state = block(state, mem, feats, keep)
        return self.out_norm(self.out_dropout(jax.nn.gelu(state)))


@functools.partial(nnx.jit, static_argnames=("sizes", "discrete", "config"))
def _build(params_key, dropout_key, *, sizes, discrete, config):
    rngs = nnx.Rngs(params=params_key, dropout=dropout_key)
    return Hopular(sizes=sizes, discrete=discrete, config=config, rngs=rngs)


def build(
    *, sizes: tuple[int, ...], discrete: tuple[bool, ...], config: HopularConfig, seed: int
) -> Hopular:
    """A freshly initialised :class:`Hopular`; parameter and dropout keys derive from ``seed``.

    Initialisation runs as one compiled program (cached per layout and config), which is much
    faster on CPU than many small eager random draws.
    """
    keys = jax.random.split(jax.random.key(seed))
    return _build(keys[0], keys[1], sizes=tuple(sizes), discrete=tuple(discrete), config=config)


def model_input(x: jax.Array, masked: jax.Array, sizes: tuple[int, ...]) -> jax.Array:
    """Rows (B, P) plus per-feature masked flags (B, F) -> the (B, P+F) model layout.

    A masked feature's values are zeroed and its mask bit set.
    """
    sizes_np = np.asarray(sizes)
    owner = np.repeat(np.arange(len(sizes)), sizes_np)
    m = jnp.asarray(masked, x.dtype)
    vals = x * (1.0 - m[:, owner])
    parts = []
    start = 0
    for j, s in enumerate(sizes):
        parts += [vals[:, start : start + s], m[:, j : j + 1]]
        start += s
    return jnp.concatenate(parts, axis=1)


def self_lookup_mask(rows: jax.Array, memory_rows: jax.Array) -> jax.Array:
    """Keep-mask (B, M): False where query row ``rows[b]`` is memory entry ``memory_rows[m]``."""
    return rows[:, None] != memory_rows[None, :]
