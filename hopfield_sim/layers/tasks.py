"""Synthetic data of the hopfield-layers example tasks, generated locally and seeded.

* :func:`bit_pattern_bags` -- multiple-instance learning: a bag of ``bag_size`` bit vectors
  is positive iff it contains one of ``num_signals`` signal patterns.
* :func:`latch_sequences` -- the class is the symbol at position 0 of a one-hot sequence;
  a model must "latch" it and carry it to the end.
* :func:`reference_split` -- the reference's split: the first and last ``n_eval`` samples
  for evaluation, the rest for training.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bit_pattern_bags", "latch_sequences", "reference_split"]


def _rng(seed) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed))


def bit_pattern_bags(
    num_bags: int = 2048,
    *,
    bag_size: int = 16,
    num_bits: int = 8,
    num_signals: int = 8,
    seed: int = 0,
):
    """Bags of ±1 bit vectors; positive bags hold exactly one signal pattern.

    Returns
    -------
    bags : float32 array (num_bags, bag_size, num_bits), entries ±1
    labels : int32 array (num_bags,), 1 = positive; balanced (alternating, then shuffled)
    signals : float32 array (num_signals, num_bits)
    """
    if num_signals >= 2**num_bits:
        raise ValueError(f"num_signals must be < 2**num_bits = {2**num_bits}; got {num_signals}.")
    rng = _rng(seed)
    codes = rng.choice(2**num_bits, size=num_signals, replace=False)
    powers = 2 ** np.arange(num_bits)
    to_bits = lambda c: ((c[..., None] // powers) % 2) * 2.0 - 1.0  # noqa: E731
    signals = to_bits(codes)
    noise_codes = np.setdiff1d(np.arange(2**num_bits), codes)
    bags = to_bits(rng.choice(noise_codes, size=(num_bags, bag_size)))
    labels = (np.arange(num_bags) % 2).astype(np.int32)
    pos = np.flatnonzero(labels)
    bags[pos, rng.integers(bag_size, size=pos.size)] = signals[
        rng.integers(num_signals, size=pos.size)
    ]
    order = rng.permutation(num_bags)
    return bags[order].astype(np.float32), labels[order], signals.astype(np.float32)


def latch_sequences(
    num_samples: int = 4096, *, length: int = 32, alphabet: int = 20, seed: int = 0
):
    """One-hot sequences whose class is the symbol at position 0.

    Returns
    -------
    sequences : float32 array (num_samples, length, alphabet), one-hot
    labels : int32 array (num_samples,), the symbol at position 0
    """
    rng = _rng(seed)
    symbols = rng.integers(alphabet, size=(num_samples, length))
    return np.eye(alphabet, dtype=np.float32)[symbols], symbols[:, 0].astype(np.int32)


def reference_split(n: int, n_eval: int):
    """(train indices, eval indices): eval = the first and the last ``n_eval`` samples."""
    if 2 * n_eval >= n:
        raise ValueError(f"n_eval must be < n/2; got n_eval={n_eval}, n={n}.")
    idx = np.arange(n)
    return idx[n_eval : n - n_eval], np.concatenate([idx[:n_eval], idx[n - n_eval :]])
