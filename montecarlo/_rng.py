"""Per-chain random streams inside Numba kernels (xoshiro256+), seeded from a SeedSequence.

Every chain owns a 256-bit state row; a kernel only advances its own row, so the numbers a
chain sees do not depend on how chains are spread over threads.
"""

from __future__ import annotations

import numba
import numpy as np

_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U45 = np.uint64(45)
_TWO_M53 = 2.0**-53


def stream_states(seed_sequence: np.random.SeedSequence, n: int) -> np.ndarray:
    """Independent xoshiro256+ states, one row per stream.

    Parameters
    ----------
    seed_sequence : numpy.random.SeedSequence
        Parent sequence; stream ``k`` uses its ``k``-th spawned child.
    n : int
        Number of streams.

    Returns
    -------
    ndarray of uint64, shape (n, 4)
        Never all-zero rows (xoshiro's one forbidden state).
    """
    out = np.empty((n, 4), dtype=np.uint64)
    for k, child in enumerate(seed_sequence.spawn(n)):
        out[k] = child.generate_state(4, dtype=np.uint64)
        if not out[k].any():  # pragma: no cover - probability 2**-256
            out[k, 0] = np.uint64(1)
    return out


@numba.njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << k) | (x >> (np.uint64(64) - k))


@numba.njit(cache=True, inline="always")
def raw53(state):
    """Next 53-bit integer ``x`` in [0, 2**53) from ``state`` (uint64, shape (4,)), advanced
    in place: the top 53 bits of the xoshiro256+ output. :func:`uniform` is ``x * 2**-53``
    of the same draw (the P = 2 attempt compares ``x`` with a table, ``montecarlo._levels``)."""
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
    result = s0 + s3
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, _U45)
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return np.int64(result >> _U11)


@numba.njit(cache=True, inline="always")
def uniform(state):
    """Next float64 in [0, 1) from ``state`` (uint64, shape (4,)), advanced in place:
    ``raw53(state) * 2**-53`` (exact)."""
    return np.float64(raw53(state)) * _TWO_M53
