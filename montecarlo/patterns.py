"""Random archetypes (dense or diluted) and noisy examples of them (docs/models.md §1)."""

from __future__ import annotations

import numpy as np

from montecarlo import _memory, _validate

__all__ = ["archetypes", "examples"]

_BLOCK = 1 << 20  # random numbers drawn per block


def archetypes(K: int, N: int, *, d: float = 0.0, seed) -> np.ndarray:
    """Random archetypes xi^mu with i.i.d. entries.

    Parameters
    ----------
    K : int
        Number of archetypes, >= 1.
    N : int
        Number of neurons, >= 1.
    d : float
        Dilution in [0, 1): each entry is 0 with probability d, else +-1 with probability
        (1-d)/2 each (multitasking patterns). ``d = 0`` gives dense +-1 patterns.
    seed : int or numpy.random.SeedSequence
        Root of the random stream.

    Returns
    -------
    ndarray of int8, shape (K, N)
        Entries in {-1, +1} (and 0 where diluted). Stored column-major (``xi.T`` is
        contiguous): the networks then use the array itself as their per-spin weight rows
        instead of copying it, so do not modify it after building a network from it.

    Examples
    --------
    >>> xi = archetypes(3, 100, seed=1)
    >>> xi.shape, xi.dtype.name, sorted(set(xi.ravel().tolist()))
    ((3, 100), 'int8', [-1, 1])
    """
    K = _validate.integer("K", K, low=1, meaning="K is the number of archetypes.")
    N = _validate.integer("N", N, low=1, meaning="N is the number of neurons.")
    d = _validate.dilution(d)
    root = _validate.seed(seed)
    _memory.check_memory(
        K * N + 24 * _BLOCK + K * 24, f"archetypes(K={K}, N={N})"
    )  # the int8 result plus one block of random numbers and masks
    rng = np.random.default_rng(root)
    # Column-major, so that xi.T is the (N, K) per-spin layout of the engines (no copy),
    # generated in blocks of neurons: no (K, N) float temporaries.
    xi = np.empty((K, N), dtype=np.int8, order="F")
    cols = max(1, _BLOCK // K)
    for start in range(0, N, cols):
        stop = min(N, start + cols)
        block = xi[:, start:stop].T  # (n, K), contiguous
        block[...] = np.where(rng.random((stop - start, K)) < 0.5, 1, -1)
        if d > 0.0:
            block[rng.random((stop - start, K)) < d] = 0
    return xi


def examples(patterns, M: int, r: float, *, seed) -> np.ndarray:
    """Noisy examples eta^{mu a} = chi^{mu a} * xi^mu of each archetype.

    Parameters
    ----------
    patterns : array_like of int, shape (K, N)
        Archetypes with entries in {-1, 0, +1}.
    M : int
        Examples per archetype, >= 1.
    r : float
        Quality in (0, 1]: chi = +1 with probability (1+r)/2, so E[eta xi] = r on non-zero
        entries. Zeros of diluted archetypes stay zero in every example.
    seed : int or numpy.random.SeedSequence
        Root of the random stream.

    Returns
    -------
    ndarray of int8, shape (K, M, N)

    Examples
    --------
    >>> xi = archetypes(2, 1000, seed=0)
    >>> eta = examples(xi, M=5, r=0.6, seed=1)
    >>> eta.shape, bool(abs((eta * xi[:, None, :]).mean() - 0.6) < 0.05)
    ((2, 5, 1000), True)
    """
    xi = _validate.spin_array("patterns", patterns, ndim=2, allow_zero=True)
    M = _validate.integer("M", M, low=1, meaning="M is the number of examples per archetype.")
    r = _validate.quality(r)
    root = _validate.seed(seed)
    K, N = xi.shape
    _memory.check_memory(
        K * M * N + 10 * M * N, f"examples(patterns of shape {xi.shape}, M={M})"
    )  # the int8 result plus one class of random numbers
    rng = np.random.default_rng(root)
    out = np.empty((K, M, N), dtype=np.int8)
    for k in range(K):  # one class at a time: no (K, M, N) float temporaries
        chi = np.where(rng.random((M, N)) < (1.0 + r) / 2.0, 1, -1).astype(np.int8)
        out[k] = chi * xi[k]
    return out
