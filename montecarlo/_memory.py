"""Memory guard: estimate the bytes a request needs before allocating anything, and refuse
requests larger than the memory available.

The limit and the check are the shared guard of ``_hopfield_base.memory`` (re-exported
here); this module holds the Monte Carlo estimates. Estimates are upper bounds of the peak
(persistent arrays plus the largest transient), to within a few percent plus a fixed
allowance; they are not measurements.
"""

from __future__ import annotations

import math

from _hopfield_base.memory import ENV, available_bytes, check_memory, gib, parse_size

SNAPSHOT_BYTES = 1 << 24  # the driver's per-block state snapshots (montecarlo._chains)
STATS_CHUNK_BYTES = 1 << 26  # traces are analysed in chunks of this many float64 bytes
STATS_FACTOR = 10  # transient bytes of the error analysis per float64 byte of a chunk
PAD_BYTES = 4096  # per-chain gap in the parallel driver (montecarlo._chains.PAD_BYTES)

__all__ = [
    "ENV",
    "available_bytes",
    "check_memory",
    "gib",
    "network_bytes",
    "parse_size",
    "run_bytes",
    "sample_memory",
    "trace_itemsize",
]


def trace_itemsize(bound: int) -> int:
    """Bytes of the narrowest signed integer holding every value in ``[-bound, bound]``."""
    for size in (1, 2, 4):
        if bound <= 2 ** (8 * size - 1) - 1:
            return size
    return 8


def _int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an integer >= {low}; got {value!r}.")
    v = int(value)  # type: ignore[arg-type]
    if v < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {name}={v}.")
    return v


def sample_memory(
    *,
    N: int,
    K: int,
    M: int | None = None,
    chains: int = 1,
    sweeps: int = 0,
    thin: int = 1,
    protocol: str = "hebbian",
    P: int = 2,
    d: float = 0.0,
    n_beta: int = 1,
) -> int:
    """Estimated peak bytes of building the patterns (and examples) and running ``sample``.

    Counts the archetypes (int8, K N), the examples (int8, K M N) for the example
    protocols, the per-spin weight storage the network builds, the chains' states and
    tracked sums, the recorded traces (``chains * n_beta * sweeps / thin`` records of the
    narrowest exact integer type, then float64 in the Dataset), the state snapshots for the
    two-chain overlaps and the chunked error analysis, plus 64 MiB of fixed allowance
    (interpreter-side temporaries). ``sweeps = 0`` estimates building the network only.

    Parameters
    ----------
    N, K : int
        Neurons and archetypes.
    M : int, optional
        Examples per archetype (protocols "supervised" and "unsupervised").
    chains, sweeps, thin, n_beta : int
        As in ``sample``; ``n_beta`` is the length of a temperature ladder.
    protocol : {"hebbian", "supervised", "unsupervised"}
    P : int
        Interaction order (the power mode of P >= 4 with non-unit weights tracks P/2 sums).
    d : float
        Dilution of the archetypes (sparse rows above 40 % zeros).

    Returns
    -------
    int
        Bytes.
    """
    N = _int("N", N, 1)
    K = _int("K", K, 1)
    chains = _int("chains", chains, 1)
    sweeps = _int("sweeps", sweeps, 0)
    thin = _int("thin", thin, 1)
    n_beta = _int("n_beta", n_beta, 1)
    P = _int("P", P, 2)
    if protocol not in ("hebbian", "supervised", "unsupervised"):
        raise ValueError(
            f"protocol must be one of 'hebbian', 'supervised', 'unsupervised'; got {protocol!r}."
        )
    if protocol == "hebbian":
        Mx = 1
    else:
        if M is None:
            raise ValueError(f"M is required for protocol={protocol!r}.")
        Mx = _int("M", M, 1)
    nbytes = float(K) * N * (1 if protocol == "hebbian" else 1 + Mx)  # archetypes, examples
    nbytes += network_bytes(N=N, K=K, M=Mx, protocol=protocol, d=d)
    nbytes += run_bytes(
        N=N,
        K=K,
        M=Mx,
        protocol=protocol,
        P=P,
        d=d,
        R=chains * n_beta,
        chains=chains,
        n_beta=n_beta,
        sweeps=sweeps,
        thin=thin,
    )
    nbytes += 64 * 2**20
    return int(math.ceil(nbytes))


def network_bytes(*, N: int, K: int, M: int, protocol: str, d: float) -> float:
    """Bytes a network allocates on top of its inputs: the per-spin weight storage (with
    the temporaries of building it) and the archetype observables of the example protocols."""
    keep = 1.0 - float(d)
    sparse = float(d) > 0.4
    KN = float(K) * N
    if protocol == "hebbian":
        L, wbytes, build = K, 1, 0.0  # dense archetypes are used in place
    elif protocol == "supervised":
        L, wbytes, build = K, trace_itemsize(M), KN * 4  # eta.sum(axis=1) as int32
    else:
        L, wbytes, build = K * M, 1, 0.0
    entries = float(L) * N
    if sparse:  # np.nonzero's int64 index pairs, then int32 term index + value + pointers
        nnz = entries * keep
        storage = nnz * (4 + wbytes) + 8.0 * (N + 1)
        build += nnz * 16
    else:
        storage = entries * wbytes if protocol != "hebbian" else 0.0
    obs = KN * keep * (5 if sparse else 1) if protocol != "hebbian" else 0.0
    return build + storage + obs + 16.0 * N


def run_bytes(
    *,
    N: int,
    K: int,
    M: int,
    protocol: str,
    P: int,
    d: float,
    R: int,
    chains: int,
    n_beta: int,
    sweeps: int,
    thin: int,
) -> float:
    """Bytes ``sample`` allocates for ``R = chains * n_beta`` replicas: states and tracked
    sums (with the parallel driver's working copies), recorded traces (narrow integers,
    then float64 in the Dataset), snapshots for q and the chunked error analysis."""
    L = K * M if protocol == "unsupervised" else K
    unit = protocol != "supervised" or M == 1
    n_sums = 1 if (P == 2 or (unit and float(d) == 0.0)) else P // 2
    pad = PAD_BYTES if R > 1 else 0
    nbytes = 2.0 * R * (N + pad) + 2.0 * 8 * R * (L + K + pad // 8) * n_sums + 64.0 * R
    records = sweeps // thin
    if records:
        groups = K * (2 if protocol != "hebbian" else 1)  # G (and O) per record
        values = float(R) * records * groups
        ibytes = trace_itemsize(N * M)
        pairs = n_beta * chains * (chains - 1) // 2
        scalars = float(R) * records + float(pairs) * records  # energies and overlaps
        nbytes += values * (ibytes + 8) + scalars * 16
        if pairs:
            nbytes += min(SNAPSHOT_BYTES, float(sweeps + 1) * R * N)
        largest = 8.0 * max(values, scalars)
        nbytes += STATS_FACTOR * min(largest, STATS_CHUNK_BYTES)
    return nbytes
