"""Default-tier checks of theory.rsb._solve1rsb (issue #29, mutation testing): what ``solve``
and ``solve_1rsb`` hand to the engine (the model, its quadrature settings, rho) and how the
result is labelled, with a NumPy stand-in for the engine (test_rsb.py runs the real one).

The stand-in returns the paramagnet, ``m = n = q0 = q1 = 0``, ``theta = 1``, an exact solution
of both models' equations, with its pressure in closed form (module docstrings of
theory.rsb.ags and theory.rsb.dense at ``q0 = q1 = 0``): P = 2, ``A = ln 2 - (alpha/2)
ln(1 - beta)`` (exists for T > 1 only); P >= 4, ``A = ln 2 + beta^2 alpha P!/8``. The
documented settings it is checked against: 16 Gauss-Hermite nodes for the data average Y
(supervised; 1 node, Y = 0, for hebbian, where rho is ignored), ``nodes`` and ``n_scan`` as
given (64 and 8 by default, recorded as attributes only when they differ).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import theory
from theory import rsb
from theory.rsb import _solve1rsb, engine
from theory.rsb.ags import AGSModel
from theory.rsb.dense import DenseModel


def _paramagnet(P, beta, alpha):
    """(free energy, exists) of the paramagnet (module docstring)."""
    if P == 2:
        with np.errstate(invalid="ignore"):
            A = np.log(2) - 0.5 * alpha * np.log1p(-beta)
        return -A / beta, beta < 1
    f = -(np.log(2) + beta**2 * alpha * math.factorial(P) / 8) / beta
    return f, np.ones(np.shape(f), bool)


def _result(f, ok, beta):
    """The solver's dict for the paramagnet of free energy ``f`` (NaN where not ``ok``)."""
    zero = np.zeros(np.shape(f))
    return dict(m=zero, n=zero, q=zero, q0=zero, q1=zero, theta=zero + 1, mu=beta,
                free_energy=np.where(ok, f, np.nan), converged=ok, residual=zero,
                iterations=np.full(zero.shape, 60))  # fmt: skip


@pytest.fixture
def engine_calls(monkeypatch):
    """Replace engine.run_grid by the paramagnet stand-in; returns the list of its calls."""
    calls = []

    def run_grid(model, *, beta, alpha, rho, branch, n_scan, **static):
        calls.append(dict(model=model, beta=beta, alpha=alpha, rho=np.asarray(rho), branch=branch,
                          n_scan=n_scan, **static))  # fmt: skip
        P = 2 if model is AGSModel else static["P"]
        return _result(*_paramagnet(P, np.asarray(beta, float), np.asarray(alpha, float)), beta)

    monkeypatch.setattr(engine, "run_grid", run_grid)
    return calls


@pytest.mark.parametrize("P", [2, 4])
def test_solve_labels_the_paramagnet_of_the_model_of_order_p(engine_calls, P):
    """rsb.solve(P, T, alpha): the P = 2 (AGS) or P >= 4 (dense, with its P) model, hebbian
    settings (one Y node, rho = 0, 64 nodes, 8 scan values); the free energy on the (T,
    alpha) grid is the model's paramagnet; stable and rs_stable not computed (NaN)."""
    T, alpha = np.array([2.0, 4.0]), np.array([0.01, 0.05, 0.1])
    ds = rsb.solve(P, T=T, alpha=alpha, branch="paramagnet")
    (call,) = engine_calls
    assert call["model"] is (AGSModel if P == 2 else DenseModel)
    assert call.get("P") == (None if P == 2 else P)
    assert (call["n_y"], call["nodes"], call["n_scan"], call["branch"]) == (1, 64, 8, "paramagnet")
    np.testing.assert_array_equal(call["rho"], 0.0)
    f, _ = _paramagnet(P, 1 / T[:, None], alpha[None, :])
    assert ds.free_energy.dims == ("T", "alpha")
    np.testing.assert_allclose(ds.free_energy, f, rtol=1e-14)
    np.testing.assert_allclose(ds.beta, 1 / T, rtol=1e-14)
    assert ds.attrs["level"] == "1RSB" and "nodes" not in ds.attrs and "n_scan" not in ds.attrs
    for name in ("stable", "rs_stable"):
        assert bool(np.isnan(ds[name]).all()) and ds[name].attrs["computed"] == 0
        assert ds[name].attrs["long_name"] == _solve1rsb.NOT_COMPUTED[name]


def test_below_t_1_the_p2_paramagnet_does_not_exist(engine_calls):
    """The P = 2 paramagnet needs lambda = 1 - beta > 0: T < 1 is NaN, not converged."""
    with pytest.warns(theory.ConvergenceWarning):
        ds = rsb.solve(2, T=[0.5, 2.0], alpha=0.05, branch="paramagnet")
    assert np.isnan(ds.free_energy[0]) and ds.converged.values.tolist() == [False, True]


def test_infinite_temperature_points_run_no_engine(engine_calls):
    """beta = 0 is the paramagnet at T = inf (free energy -inf) without the engine; the
    other points go to the engine, which sees them alone."""
    ds = rsb.solve(4, beta=[0.0, 0.5], alpha=0.01, branch="paramagnet")
    (call,) = engine_calls
    np.testing.assert_array_equal(call["beta"], [0.5])
    assert ds.free_energy[0] == -np.inf
    np.testing.assert_allclose(ds.free_energy[1], _paramagnet(4, 0.5, 0.01)[0], rtol=1e-14)


@pytest.mark.parametrize("protocol,n_y,rho_seen", [("hebbian", 1, 0.0), ("supervised", 16, 0.3)])
def test_data_average_settings_of_each_protocol(engine_calls, protocol, n_y, rho_seen):
    """supervised: 16 Gauss-Hermite nodes for Y and the given rho; hebbian: rho ignored
    (zero) and Y = 0 (one node)."""
    out = rsb.solve_1rsb(protocol=protocol, P=4, beta=np.ones(2), alpha=np.full(2, 0.01),
                         rho=np.full(2, 0.3), branch="retrieval")  # fmt: skip
    (call,) = engine_calls
    assert call["n_y"] == n_y and (call["nodes"], call["n_scan"]) == (64, 8)
    np.testing.assert_array_equal(call["rho"], rho_seen)
    np.testing.assert_allclose(out["free_energy"], _paramagnet(4, np.ones(2), 0.01)[0])
    ds = rsb.solve(4, beta=1.0, alpha=0.01, protocol=protocol, rho=rho_seen)
    assert engine_calls[1]["n_y"] == n_y
    np.testing.assert_array_equal(engine_calls[1]["rho"], rho_seen)
    assert ds.attrs["protocol"] == protocol


def test_non_default_quadrature_is_used_and_recorded(engine_calls):
    ds = rsb.solve(2, T=2.0, alpha=0.01, nodes=8, n_scan=1, branch="spinglass")
    assert (engine_calls[0]["nodes"], engine_calls[0]["n_scan"]) == (8, 1)
    assert (ds.attrs["nodes"], ds.attrs["n_scan"]) == (8, 1)
    ds = rsb.solve(2, T=2.0, alpha=0.01, nodes=64, n_scan=9)
    assert (ds.attrs["nodes"], ds.attrs["n_scan"]) == (64, 9)
    ds = rsb.solve(2, T=2.0, alpha=0.01, nodes=65)
    assert (ds.attrs["nodes"], ds.attrs["n_scan"]) == (65, 8)
    assert engine_calls[-1]["nodes"] == 65
    ds = theory.solve(P=2, T=2.0, alpha=0.01, level="1RSB")  # the defaults: not recorded
    assert "nodes" not in ds.attrs and "n_scan" not in ds.attrs
    assert (engine_calls[-1]["nodes"], engine_calls[-1]["n_scan"]) == (64, 8)


def test_defaults_of_solve(engine_calls):
    """P = 2, alpha = 0, hebbian, rho = 0, retrieval."""
    ds = rsb.solve(T=2.0)
    call = engine_calls[0]
    assert call["model"] is AGSModel and call["branch"] == "retrieval"
    np.testing.assert_array_equal(call["alpha"], 0.0)
    np.testing.assert_array_equal(call["rho"], 0.0)
    assert ds.attrs["P"] == 2 and ds.attrs["protocol"] == "hebbian"


def test_invalid_settings_are_refused(engine_calls):
    for kw in ({"nodes": 7}, {"n_scan": 0}, {"nodes": 8.5}):
        with pytest.raises((ValueError, TypeError)):
            rsb.solve(2, T=2.0, alpha=0.01, **kw)
    rsb.solve(2, T=2.0, alpha=0.01, nodes=8, n_scan=1)  # the smallest allowed
    args = dict(P=4, beta=np.ones(1), alpha=np.full(1, 0.01), rho=np.zeros(1))
    with pytest.raises(ValueError, match="protocol must be one of"):
        rsb.solve_1rsb(protocol="unsupervised", branch="retrieval", **args)
    with pytest.raises(ValueError, match="branch must be one of"):
        rsb.solve_1rsb(protocol="hebbian", branch="mixture", **args)
    assert len(engine_calls) == 1


def test_unsupervised_goes_to_its_own_solver(monkeypatch, engine_calls):
    """protocol="unsupervised" is solved by theory.rsb.unsupervised.solve with r and M."""
    from theory.rsb import unsupervised

    seen = {}

    def solve(*, P, branch, nodes, n_scan, beta, alpha, rho, r, M):
        seen.update(P=P, branch=branch, nodes=nodes, n_scan=n_scan, r=r, M=M, rho=rho)
        return _result(*_paramagnet(P, beta, alpha), beta)

    monkeypatch.setattr(unsupervised, "solve", solve)
    ds = rsb.solve(4, T=2.0, alpha=0.01, protocol="unsupervised", r=0.6, M=3.0)
    assert (seen["P"], seen["nodes"], seen["n_scan"], seen["branch"]) == (4, 64, 8, "retrieval")
    np.testing.assert_allclose(seen["r"], 0.6)
    np.testing.assert_allclose(seen["M"], 3.0)
    np.testing.assert_allclose(seen["rho"], (1 - 0.36) / (3 * 0.36), rtol=1e-14)
    np.testing.assert_allclose(ds.free_energy, _paramagnet(4, 0.5, 0.01)[0], rtol=1e-14)
    assert engine_calls == []


def test_keyword_order_and_a_protocol_name_built_at_run_time(monkeypatch, engine_calls):
    """``solve(P=...)`` by keyword; a protocol name that is an equal string but not the same
    object (read from a file, joined) selects the same solver."""
    from theory.rsb import unsupervised

    ds = rsb.solve(P=4, T=2.0, alpha=0.01, branch="paramagnet")
    assert engine_calls[0]["model"] is DenseModel and engine_calls[0]["P"] == 4
    np.testing.assert_allclose(ds.free_energy, _paramagnet(4, 0.5, 0.01)[0], rtol=1e-14)
    seen = []

    def solve(*, P, beta, alpha, **kw):
        seen.append(kw)
        return _result(*_paramagnet(P, beta, alpha), beta)

    monkeypatch.setattr(unsupervised, "solve", solve)
    name = "".join(["un", "supervised"])
    ds = rsb.solve(4, T=2.0, alpha=0.01, protocol=name, r=0.6, M=3.0)
    assert len(seen) == 1 and len(engine_calls) == 1
    np.testing.assert_allclose(ds.free_energy, _paramagnet(4, 0.5, 0.01)[0], rtol=1e-14)


@pytest.mark.parametrize("P,protocol", [(2, "hebbian"), (4, "supervised")])
def test_model_of_defaults_are_those_of_solve(P, protocol):
    """model_of(P, protocol) (used with its defaults by the T = 0 ground states and the
    capacity) gives rsb.solve's default quadrature: 64 nodes (docstring of rsb.solve), 16
    Gauss-Hermite nodes for Y when supervised, else 1."""
    model, static = _solve1rsb.model_of(P, protocol)
    n_y = 16 if protocol == "supervised" else 1
    assert model is (AGSModel if P == 2 else DenseModel)
    assert static == ({"n_y": n_y, "nodes": 64} if P == 2 else {"n_y": n_y, "nodes": 64, "P": P})
