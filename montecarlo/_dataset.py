"""The result of a run as an ``xarray.Dataset``: means, error bars, autocorrelation times
and traces of m, n, energy and q, with CF-style labels and every setting as attributes."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

import numba
import numpy as np
import xarray as xr

from _hopfield_base import vocabulary
from montecarlo import observables
from montecarlo._memory import STATS_CHUNK_BYTES

PARALLEL_STATS = 1 << 15  # trace elements from which _stats spreads its chunks over threads
STATS_THREADS = 8  # most parts _stats cuts an array into for threads


def _stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``observables.mean_and_error`` along the last axis.

    - Up to ``PARALLEL_STATS`` elements: one call.
    - Up to ``STATS_CHUNK_BYTES``: the first leading axis with two or more entries is cut
      into at most ``STATS_THREADS`` parts, analysed on up to ``numba.get_num_threads()``
      threads, each on a contiguous copy of its part (NumPy's FFTs and reductions release
      the GIL: 32 chains x 100 patterns x 66 records take 16 ms on 2 threads, 27 ms in one
      call). The parts depend on the shape only, so the result does not
      depend on the number of threads (NumPy may round a part's sums differently from the
      whole array's, by about 1e-16).
    - Beyond: chunks of the other axes, one after another, so that the FFT temporaries stay
      near ``STATS_CHUNK_BYTES``.
    """
    if x.ndim < 2 or x.size < PARALLEL_STATS:
        return observables.mean_and_error(x)
    lead = x.shape[:-1]
    out = [np.empty(lead) for _ in range(3)]
    if x.size * 8 <= STATS_CHUNK_BYTES:
        axis = next((k for k, n in enumerate(lead) if n > 1), len(lead) - 1)
        cuts = np.linspace(0, lead[axis], min(lead[axis], STATS_THREADS) + 1).astype(int)
        jobs = [(slice(None),) * axis + (slice(a, b),) for a, b in zip(cuts[:-1], cuts[1:])]
        threads = max(1, min(numba.get_num_threads(), len(jobs)))
        with ThreadPoolExecutor(threads) as pool:
            parts = pool.map(lambda w: observables.mean_and_error(np.ascontiguousarray(x[w])), jobs)
            for where, part in zip(jobs, parts):
                for o, v in zip(out, part):
                    o[where] = v
        return out[0], out[1], out[2]
    step = max(1, STATS_CHUNK_BYTES // (8 * x.shape[-1]))
    for idx in np.ndindex(lead[:-1]):
        for a in range(0, lead[-1], step):
            part = observables.mean_and_error(x[idx + (slice(a, a + step),)])
            for o, v in zip(out, part):
                o[idx + (slice(a, a + step),)] = v
    return out[0], out[1], out[2]


@functools.lru_cache(maxsize=1)
def _versions() -> dict[str, str]:
    """Package versions for the Dataset attributes (looked up once per process)."""
    out = {}
    for name in ("hopfield-sim", "numpy", "numba", "xarray"):
        key = f"version_{name.replace('-', '_')}"
        try:
            out[key] = metadata.version(name)
        except metadata.PackageNotFoundError:  # pragma: no cover
            out[key] = "unknown"
    return out


def build(engine, ladder, scalar, sigma, records, settings) -> xr.Dataset:
    """Wrap the raw records of a run as the Dataset documented in ``sample``.

    Parameters
    ----------
    engine : HebbianEngine
        The network (protocol, sizes, normalisations, model attributes).
    ladder : ndarray, shape (n_beta,)
        Inverse temperatures; ``scalar`` drops the ``beta`` dimension.
    sigma : ndarray of int8, shape (R, N)
        Final states; replicas are ordered ``r = b * chains + chain``.
    records : montecarlo._chains.Records
        Group sums ``G`` (patterns / class sums) and archetype sums ``O`` (may have K = 0),
        int16 / int32 / int64 (R, records, K); total energies ``E`` (R, records); two-chain
        overlaps ``Q`` (n_beta, n_pairs, records) of the pairs ``pair_a``, ``pair_b`` (none:
        no ``q`` in the result); replica-exchange counts ``swap_tries``, ``swap_accepts``.
    settings : dict
        Run settings for the attributes (``chains``, ``burn_in``, ``thin`` and
        ``tempering`` are read).
    """
    chains = settings["chains"]
    with_q = chains >= 2 and records.pair_a.size > 0
    n_beta = ladder.size
    sweeps = records.E.shape[1]
    lead = () if scalar else ("beta",)

    def shaped(x):  # replicas (R, ...) -> (n_beta, chains, ...) or (chains, ...)
        x = x.reshape((n_beta, chains) + x.shape[1:])
        return x[0] if scalar else x

    def dims(*rest):
        return lead + rest

    data: dict[str, tuple] = {}

    def add(name, trace, tdims, long_name=None):
        long_name = long_name or vocabulary.long_name(name)
        # trace has the sweep axis at position -2 (pattern last) or -1
        if tdims[-1] == "sweep":
            mean, err, tau = _stats(trace)
            mdims = tdims[:-1]
        else:
            mean, err, tau = _stats(np.moveaxis(trace, -2, -1))
            mdims = tdims[:-2] + tdims[-1:]
        data[name] = (dims(*mdims), mean, {"long_name": long_name, "units": "1"})
        data[f"{name}_err"] = (
            dims(*mdims),
            err,
            {"long_name": f"error of the mean of {name}", "units": "1"},
        )
        data[f"{name}_tau"] = (
            dims(*mdims),
            tau * settings["thin"],  # measured between records, reported in sweeps
            {"long_name": f"integrated autocorrelation time of {name}", "units": "sweeps"},
        )
        data[f"{name}_trace"] = (dims(*tdims), trace, {"long_name": long_name, "units": "1"})
        return tau

    taus = [
        add(name, shaped(trace), ("chain", "sweep", "pattern"), text)
        for name, trace, text in _overlap_traces(engine, records)
    ]
    taus.append(add("energy", shaped(records.E / engine.N), ("chain", "sweep"), None))
    if with_q:
        q = records.Q if not scalar else records.Q[0]
        add("q", q, ("chain_pair", "sweep"), None)
    worst = np.max(
        [np.max(tau.reshape(tau.shape[: len(lead) + 1] + (-1,)), axis=-1) for tau in taus],
        axis=0,
    )
    data["reliable"] = (
        dims("chain"),
        sweeps >= 20.0 * worst,
        {"long_name": vocabulary.long_name("reliable"), "units": "1"},
    )
    _fluctuations(data, dims, ladder, scalar, engine.N)
    data["sigma"] = (
        dims("chain", "neuron"),
        shaped(sigma),
        {"long_name": vocabulary.long_name("sigma"), "units": "1"},
    )
    coords = _coords(engine.K, ladder, scalar, records, settings, with_q)
    if not scalar and settings["tempering"]:
        data["swap_acceptance"] = (
            ("beta_pair",),
            records.swap_accepts / np.maximum(records.swap_tries, 1),
            {
                "long_name": "replica-exchange acceptance between beta[k] and beta[k+1]",
                "units": "1",
            },
        )
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(engine._model_attrs())
    ds.attrs.update(settings)
    ds.attrs.update(dict(_versions()))
    return ds


def _overlap_traces(engine, records) -> list[tuple[str, np.ndarray, str]]:
    """``(name, trace (R, records, K), long name)`` of the overlaps the protocol measures:
    ``m`` (hebbian, or with patterns given) and ``n`` (example protocols)."""
    G, O, N = records.G, records.O, engine.N
    if engine.protocol == "hebbian":
        return [("m", G / N, None)]
    out = [("m", O / N, None)] if O.shape[2] else []
    if engine.protocol == "teacher":  # mean overlap with the class's examples
        norm, text = engine.M * N, "mean overlap with the class's examples"
    else:
        norm = engine.M * N * engine.r * (1.0 + engine.rho)
        text = vocabulary.long_name("n")
    return out + [("n", G / norm, text)]


def _coords(K, ladder, scalar, records, settings, with_q) -> dict[str, tuple]:
    """Coordinates: chain, pattern, sweep (from burn-in and thin), the chain pairs of ``q``
    and, for a ladder, ``beta`` with ``T``."""
    sweeps = records.E.shape[1]
    coords: dict[str, tuple] = {
        "chain": ("chain", np.arange(settings["chains"])),
        "pattern": ("pattern", np.arange(K)),
        "sweep": ("sweep", settings["burn_in"] + settings["thin"] * (1 + np.arange(sweeps))),
    }
    if with_q:
        coords["chain_a"] = ("chain_pair", records.pair_a)
        coords["chain_b"] = ("chain_pair", records.pair_b)
    if not scalar:
        coords["beta"] = ("beta", ladder)
        with np.errstate(divide="ignore"):
            coords["T"] = ("beta", 1.0 / ladder)
    return coords


def _fluctuations(data: dict, dims, ladder: np.ndarray, scalar: bool, N: int) -> None:
    """Susceptibility, Binder cumulant and split-R-hat of the overlap; specific heat and
    split-R-hat of the energy; ``rhat`` = the largest split-R-hat (beside ``reliable``)."""
    beta = ladder[0] if scalar else ladder[:, None]  # broadcasts against (.., chain)
    name = "m" if "m_trace" in data else "n"
    trace = np.moveaxis(data[f"{name}_trace"][1], -2, -1)  # (.., chain, pattern, sweep)
    energy = data["energy_trace"][1]  # (.., chain, sweep)
    at_zero = " (NaN at T = 0, where fluctuation-dissipation does not apply)"
    data[f"{name}_susceptibility"] = (
        dims("chain", "pattern"),
        observables.fluctuation(trace, N, np.asarray(beta)[..., None]),
        {"long_name": f"susceptibility chi = beta N var({name}) per chain{at_zero}",
         "units": "1"},
    )  # fmt: skip
    data[f"{name}_binder"] = (
        dims("chain", "pattern"),
        observables.binder_cumulant(trace),
        {"long_name": f"Binder cumulant 1 - <{name}^4>/(3 <{name}^2>^2) per chain",
         "units": "1"},
    )  # fmt: skip
    data["specific_heat"] = (
        dims("chain"),
        observables.fluctuation(energy, N, np.asarray(beta) ** 2),
        {"long_name": f"specific heat per neuron C = beta^2 N var(e) per chain{at_zero}",
         "units": "1"},
    )  # fmt: skip
    if trace.shape[-1] < 4:
        return
    m_rhat = observables.split_rhat(trace, chain_axis=-3)
    e_rhat = observables.split_rhat(energy, chain_axis=-2)
    text = "split-R-hat across chains of"
    data[f"{name}_rhat"] = (dims("pattern"), m_rhat, {"long_name": f"{text} {name}", "units": "1"})
    data["energy_rhat"] = (dims(), e_rhat, {"long_name": f"{text} the energy", "units": "1"})
    worst = np.maximum(e_rhat, np.max(m_rhat, axis=-1, initial=1.0))
    data["rhat"] = (dims(), worst, {
        "long_name": "largest split-R-hat (energy, overlaps); near 1 when the chains mixed",
        "units": "1"})  # fmt: skip
