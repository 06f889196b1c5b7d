"""``montecarlo._dataset``: the Dataset of a run against the records recomputed in NumPy, and
how ``_stats`` cuts a trace (issue 29, mutation testing).

The records are synthetic (random group sums, energies and two-chain overlaps), so every
variable of the Dataset has an independent reference: the record arrays reshaped by hand to
``(beta, chain, ...)`` and passed to the estimators of ``montecarlo.observables`` (tested on
their own against closed forms in test_error_bars_values.py and test_observables.py), or a
closed form (``T = 1 / beta``, ``C = beta^2 N var(e)``, acceptance = accepts / tries).
"""

from __future__ import annotations

import types

import numba
import numpy as np
import pytest
import xarray as xr

from montecarlo import _chains, _dataset, observables

N, K, CHAINS, N_REC, THIN, BURN = 10, 2, 3, 8, 2, 5
LADDER = np.array([0.5, 1.0, 4.0])  # beta^2 != 2 beta, 1 / beta != 1 ** beta


def _records(n_beta, chains, n_rec, *, k=K, lo=0, pairs=((0, 1), (0, 2), (1, 2)), seed=0):
    rng = np.random.default_rng(seed)
    R = n_beta * chains
    G = rng.integers(-N, N + 1, size=(R, n_rec, k)).astype(np.int32)
    O = rng.integers(-N, N + 1, size=(R, n_rec, lo)).astype(np.int32)
    E = rng.normal(-3.0, 1.0, size=(R, n_rec))
    pa = np.array([a for a, _ in pairs], np.int64)
    pb = np.array([b for _, b in pairs], np.int64)
    Q = rng.uniform(-1, 1, size=(n_beta, pa.size, n_rec))
    tries = np.array([4, 0][: max(n_beta - 1, 1)], np.int64)  # the second pair never tried
    accepts = np.array([1, 0][: max(n_beta - 1, 1)], np.int64)
    return _chains.Records(G, O, E, Q, np.zeros(0, np.int64), pa, pb, tries, accepts)


def _close(got, want):
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def _engine(protocol="hebbian", k=K, **kw):
    return types.SimpleNamespace(protocol=protocol, N=N, K=k, _model_attrs=lambda: {}, **kw)


def _build(records, ladder, scalar, *, chains=CHAINS, tempering=True, engine=None):
    settings = {"thin": THIN, "tempering": tempering, "chains": chains, "burn_in": BURN}
    sigma = np.ones((records.E.shape[0], N), np.int8)
    return _dataset.build(engine or _engine(), ladder, scalar, sigma, records, settings)


def test_ladder_dataset_equals_the_records_analysed_by_hand():
    rec = _records(LADDER.size, CHAINS, N_REC)
    ds = _build(rec, LADDER, False)
    nb = LADDER.size
    m = np.moveaxis(rec.G.reshape(nb, CHAINS, N_REC, K) / N, -1, -2)  # (beta, chain, K, rec)
    e = rec.E.reshape(nb, CHAINS, N_REC) / N
    beta = LADDER[:, None]
    m_mean, m_err, m_tau = observables.mean_and_error(m)
    e_mean, e_err, e_tau = observables.mean_and_error(e)
    _close(ds.m.values, m.mean(-1))
    _close(ds.m_err.values, m_err)
    _close(ds.m_tau.values, THIN * m_tau)
    _close(ds.energy.values, e.mean(-1))
    _close(ds.energy_err.values, e_err)
    _close(ds.energy_tau.values, THIN * e_tau)
    _close(ds.q.values, rec.Q.mean(-1))
    np.testing.assert_array_equal(ds.chain_a.values, [0, 0, 1])
    np.testing.assert_array_equal(ds.chain_b.values, [1, 2, 2])
    # fluctuations: chi = beta N var(m), C = beta^2 N var(e), Binder 1 - <m^4> / (3 <m^2>^2)
    _close(ds.m_susceptibility.values, beta[..., None] * N * m.var(-1))
    _close(ds.specific_heat.values, beta**2 * N * e.var(-1))
    binder = 1 - (m**4).mean(-1) / (3 * ((m**2).mean(-1)) ** 2)
    _close(ds.m_binder.values, binder)
    # split-R-hat across the chains of each beta; rhat the largest of energy and overlaps
    m_rhat = observables.split_rhat(np.moveaxis(m, 1, 0), chain_axis=0)  # (beta, K)
    e_rhat = observables.split_rhat(np.moveaxis(e, 1, 0), chain_axis=0)
    _close(ds.m_rhat.values, m_rhat)
    _close(ds.rhat.values, np.maximum(e_rhat, m_rhat.max(-1)))
    # reliable: the run is 20 tau (in records) long, tau the worst of every overlap and energy
    worst = np.maximum(m_tau.max(-1), e_tau)
    np.testing.assert_array_equal(ds.reliable.values, N_REC >= 20 * worst)
    # coordinates and tempering
    _close(ds["T"].values, 1.0 / LADDER)
    np.testing.assert_array_equal(ds.sweep.values, BURN + THIN * np.arange(1, N_REC + 1))
    _close(ds.swap_acceptance.values, [1 / 4, 0.0])
    assert ds.m_tau.attrs["units"] == "sweeps"
    versions = {"numpy": np.__version__, "numba": numba.__version__, "xarray": xr.__version__}
    for name, version in versions.items():
        assert ds.attrs[f"version_{name}"] == version


def test_constant_chains_are_reliable_from_ten_records_on():
    """A constant trace has tau = 1/2 record (``observables``), so a run is reliable (at
    least 20 tau long) from 10 records on: 10 are, 9 are not."""
    for n_rec, ok in ((10, True), (9, False)):
        rec = _records(1, 2, n_rec, k=1, pairs=((0, 1),))
        rec.G[...] = N
        rec.E[...] = -3.0
        ds = _build(rec, np.array([1.0]), True, chains=2, tempering=False, engine=_engine(k=1))
        np.testing.assert_array_equal(ds.m_tau.values, THIN * 0.5)
        np.testing.assert_array_equal(ds.reliable.values, [ok, ok])


def test_four_records_are_enough_for_rhat():
    rec = _records(1, CHAINS, 4, pairs=())
    ds = _build(rec, np.array([1.0]), True, tempering=False)
    m = np.moveaxis(rec.G / N, -1, -2)  # (chain, K, rec)
    _close(ds.m_rhat.values, observables.split_rhat(m, chain_axis=0))


def test_reliable_flags_exactly_the_chains_shorter_than_20_tau():
    """Per-chain flag: chain 0 of each beta is constant but for one record (tau = 1/2 record),
    chain 1 a slow ramp (large tau); the run is 20 records of ``thin`` sweeps."""
    n_rec = 20
    rec = _records(2, 2, n_rec, k=1, pairs=((0, 1),))
    G = rec.G.reshape(2, 2, n_rec, 1)
    G[:, 0, :, 0] = N
    G[:, 0, 3, 0] = -N
    G[:, 1, :, 0] = np.linspace(-N, N, n_rec).round().astype(np.int32)
    E = rec.E.reshape(2, 2, n_rec)
    E[:, 0] = -5.0
    E[:, 0, 3] = -4.0
    E[:, 1] = np.linspace(-5.0, 5.0, n_rec)
    ds = _build(rec, LADDER[:2], False, chains=2, engine=_engine(k=1))
    m_tau = observables.mean_and_error(np.moveaxis(G / N, -1, -2))[2]
    e_tau = observables.mean_and_error(E / N)[2]
    worst = np.maximum(m_tau[..., 0], e_tau)
    assert worst[0, 0] < 1.0 and worst[0, 1] > 1.0  # the two chains lie either side of the cut
    np.testing.assert_array_equal(ds.reliable.values, n_rec >= 20 * worst)
    np.testing.assert_array_equal(ds.reliable.values, [[True, False], [True, False]])


def test_three_records_give_no_rhat_and_one_chain_no_q():
    """Split-R-hat needs two halves of at least 2 records: none with 3 records (the
    estimator refuses them); one chain has no pair for q."""
    rec = _records(1, 1, 3, pairs=())
    ds = _build(rec, np.array([2.0]), True, chains=1, tempering=False)
    assert "rhat" not in ds and "energy_rhat" not in ds and "q" not in ds
    _close(ds.m.values, rec.G.mean(1) / N)
    assert "beta" not in ds.dims and "T" not in ds.coords and "swap_acceptance" not in ds


def test_overlaps_of_the_example_protocols_are_normalised_as_documented():
    """``m = O / N`` (archetypes given), ``n = G / (M N r (1 + rho))`` (examples), and
    ``n = G / (M N)`` for the teacher protocol."""
    rec = _records(1, CHAINS, N_REC, lo=K)
    M, r, rho = 3, 0.5, 0.4
    ds = _build(rec, np.array([1.0]), True, engine=_engine("supervised", M=M, r=r, rho=rho))
    _close(ds.m.values, rec.O.mean(1) / N)
    _close(ds.n.values, rec.G.mean(1) / (M * N * r * (1 + rho)))
    teacher = _build(rec._replace(O=rec.O[:, :, :0]), np.array([1.0]), True,
                     engine=_engine("teacher", M=M))  # fmt: skip
    assert "m" not in teacher
    _close(teacher.n.values, rec.G.mean(1) / (M * N))
    _close(teacher.n_susceptibility.values, N * (rec.G / (M * N)).var(1))


def _spy(monkeypatch):
    calls = []
    real = observables.mean_and_error

    def spy(x):
        calls.append(np.shape(x))
        return real(x)

    monkeypatch.setattr(observables, "mean_and_error", spy)
    return calls


def _ar(shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape).cumsum(-1) * 0.1


@pytest.mark.parametrize(
    "shape, axis, parts",
    [
        ((30, 1000), 0, 1),  # below 2**15 elements: one call
        ((40000,), 0, 1),  # one trace: one call
        ((2, 17000), 0, 2),  # 2-d above: cut along the leading axis
        ((1, 3, 11000), 1, 3),  # the first leading axis with 2 or more entries
        ((2, 3, 6000), 0, 2),  # ... even when a later one is longer
        ((10, 1, 3300), 0, 8),  # at most STATS_THREADS = 8 parts
    ],
)
def test_stats_cuts_traces_into_parts_that_depend_on_the_shape(shape, axis, parts, monkeypatch):
    """Up to ``PARALLEL_STATS`` = 2**15 elements one call; beyond, ``min(n, 8)`` parts along
    the first leading axis of length n >= 2, which tile it; the same values as one call."""
    x = _ar(shape)
    want = observables.mean_and_error(x)
    calls = _spy(monkeypatch)
    got = _dataset._stats(x)
    assert len(calls) == parts
    assert sum(c[axis] for c in calls) == shape[axis]
    assert all(c[:axis] + c[axis + 1 :] == shape[:axis] + shape[axis + 1 :] for c in calls)
    for a, b in zip(got, want, strict=True):
        _close(a, b)


@pytest.mark.parametrize("shape", [(50, 3, 240), (3, 50, 240)])
def test_stats_beyond_the_chunk_size_analyses_chunks_of_the_last_leading_axis(shape, monkeypatch):
    """Above ``STATS_CHUNK_BYTES`` (set to 2 rows of 240 float64 + 8 bytes): chunks of 2 rows
    of the last leading axis, one leading index at a time; every entry filled."""
    monkeypatch.setattr(_dataset, "STATS_CHUNK_BYTES", 8 * 240 * 2 + 8)
    x = _ar(shape, seed=2)
    assert x.size >= _dataset.PARALLEL_STATS
    want = observables.mean_and_error(x)
    calls = _spy(monkeypatch)
    got = _dataset._stats(x)
    assert max(np.prod(c) for c in calls) <= 2 * 240
    assert sum(np.prod(c) for c in calls) == x.size
    for a, b in zip(got, want, strict=True):
        _close(a, b)


def test_stats_between_parallel_and_chunk_sizes_is_cut_in_parts_not_chunks(monkeypatch):
    """``x.size * 8`` bytes is what is compared with ``STATS_CHUNK_BYTES``: 33000 float64
    (264 kB) exceed 100 kB and are chunked (rows of 3300), not cut into parts."""
    monkeypatch.setattr(_dataset, "STATS_CHUNK_BYTES", 100_000)
    x = _ar((10, 3300), seed=3)
    calls = _spy(monkeypatch)
    got = _dataset._stats(x)
    step = 100_000 // (8 * 3300)
    assert calls == [(step, 3300)] * (10 // step) + [(10 % step, 3300)] * (10 % step > 0)
    _close(got[0], x.mean(-1))
