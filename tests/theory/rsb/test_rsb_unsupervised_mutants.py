"""Checks of theory.rsb.unsupervised's solver set-up without a JAX program (issue 29, mutation
testing): the candidate settings against those of theory.rsb.ags (the same starts, masks and
bounds: docstring of UnsupervisedAGSModel), the start-up search's bookkeeping with the engine
replaced by a stub, the limits of alpha_eff and the capacity at T = inf. The functional's
values are checked in test_rsb_unsupervised.py (its compiled programs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory import rsb
from theory.rsb import ags, engine
from theory.rsb import unsupervised as U

QUAD = rsb.quadrature(16, 64, 64)


@pytest.mark.parametrize("branch", ["retrieval", "spinglass", "paramagnet"])
def test_candidate_settings_are_those_of_the_ags_model(monkeypatch, branch):
    """Starts, masks and bounds passed to the engine, T > 0 and T = 0, equal theory.rsb.ags's."""
    seen = []
    monkeypatch.setattr(engine, "raw_candidates",
                        lambda ev, S, params, **kw: seen.append((S, params, kw)))
    U._raw_T(0.5, 2.0, 0.05, 0.1, g_eps=3.0, branch=branch, quad=QUAD)
    ags._raw_T(0.5, 2.0, 0.05, 0.1, branch=branch, quad=QUAD)
    U._raw_0(1.5, 0.05, 0.1, g_eps=3.0, branch=branch, quad=QUAD)
    ags._raw_0(1.5, 0.05, 0.1, branch=branch, quad=QUAD)
    assert seen[0] == seen[1] and seen[2] == seen[3]
    fn = float(branch == "retrieval")
    assert seen[0][2]["fn"] == fn and seen[2][2]["mask"][1] == fn * (branch != "paramagnet")


class _Stub:
    """engine.compiled / engine.scan_solve replaced: records the calls, returns one candidate."""

    def __init__(self, broken=True, conv=True, m=0.9):
        self.out = (np.array([[0.9, 0.5, 0.1, 2.0]]), None, np.array([m]), np.array([conv]),
                    np.array([broken]), None)
        self.calls = []

    def compiled(self, raw, **static):
        self.calls.append(("compiled", raw, static))
        return "f"

    def scan_solve(self, f, params, S, *, rho, retrieval, gap_fn):
        self.calls.append(("scan", f, [np.asarray(p) for p in params], S, rho, retrieval, gap_fn))
        return self.out


@pytest.mark.parametrize("beta", [math.inf, 2.0])
def test_broken_start_asks_the_engine_for_retrieval_and_returns_its_candidate(monkeypatch, beta):
    stub = _Stub()
    monkeypatch.setattr(engine, "compiled", stub.compiled)
    monkeypatch.setattr(engine, "scan_solve", stub.scan_solve)
    x = U._broken_start(beta, 0.1, 0.05, 2.0)
    np.testing.assert_array_equal(x, stub.out[0][0])
    (_, raw, static), (_, f, params, S, rho, retrieval, gap) = stub.calls
    M_ = U.UnsupervisedAGSModel
    zero = math.isinf(beta)
    assert raw is (M_.raw_0 if zero else M_.raw_T) and gap is (M_.gap_0 if zero else M_.gap_T)
    assert static == {"n_y": 16, "nodes": 64, "g_eps": 2.0, "branch": "retrieval"}
    assert f == "f" and retrieval is True and rho == [0.1]
    expect = [[0.05], [0.1]] if zero else [[2.0], [0.05], [0.1]]
    assert [p.tolist() for p in params] == expect
    scan = M_.scan_0(np.array([0.05]), 16, True) if zero else M_.scan_T(np.array([2.0]), 16, True)
    np.testing.assert_array_equal(S, scan)


@pytest.mark.parametrize("flags", [{"broken": False}, {"conv": False}, {"m": 0.01}])
def test_broken_start_is_none_without_a_converged_broken_retrieval(monkeypatch, flags):
    stub = _Stub(**flags)
    monkeypatch.setattr(engine, "compiled", stub.compiled)
    monkeypatch.setattr(engine, "scan_solve", stub.scan_solve)
    assert U._broken_start(math.inf, 0.1, 0.05, 2.0) is None


def test_alpha_eff_limits_and_infinite_temperature():
    """alpha_eff = alpha for r = 1 (no example noise) and for M = 1 (the example is the class:
    (1 + rho_P) = r^(-2P) = (1 + rho)^P); no retrieval at T = inf (capacity 0)."""
    np.testing.assert_allclose(U.alpha_eff(0.03, [1.0, 0.7, 0.9], [5.0, 1.0, 1.0], 4), 0.03,
                               rtol=1e-14)
    assert U.alpha_eff(0.03, 0.9, 1e9, 4) == pytest.approx(0.03, rel=1e-8)  # M -> inf: rho -> 0
    assert U.critical_load(2, r=0.9, M=3.0, T=math.inf) == 0.0
