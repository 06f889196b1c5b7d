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


def test_zero_temperature_mu_residual_is_the_energys_slope_below_q0_one():
    """The fourth T = 0 residual is dE/dmu (stationarity in the Parisi block size) where
    q0 < 1, checked by a central difference of the energy; at q0 = 1 (RS) E has no mu and
    the residual is 0."""
    import jax

    from theory import _x64

    quad = rsb.quadrature(4, 16, 16)  # any rule: both sides use the same one
    with _x64.enabled():
        residual = jax.jit(lambda x: U._ev_0(x, 0.05, 0.1, 2.0, quad)[2])  # alpha, rho, g_eps
        energy = jax.jit(lambda x: U.energy0_parts(x, 0.05, 0.1, 2.0, quad)[0])
        x = np.array([0.9, 0.6, 0.3, 1.7])
        res = np.asarray(residual(U.jnp.asarray(x)))
        h = 1e-5
        e = [float(energy(U.jnp.asarray(x + [0, 0, 0, s]))) for s in (h, -h)]
        slope = (e[0] - e[1]) / (2 * h)
        assert abs(slope) > 1e-3 and res[3] == pytest.approx(slope, rel=1e-6)
        rs = np.asarray(residual(U.jnp.asarray([0.9, 1.0, 0.3, 1.7])))
    assert rs[3] == 0.0


@pytest.mark.parametrize("P", [4, 6])
def test_capacity_at_p4_and_above_is_the_supervised_one_over_alpha_eff(monkeypatch, P):
    import theory.rsb

    calls = []

    def supervised(P_, *, rho, protocol, T, progress):
        calls.append((P_, rho, protocol, T))
        return 0.3

    monkeypatch.setattr(theory.rsb, "critical_load_1rsb", supervised)
    r, M = 0.8, 5.0
    rho = (1 - r**2) / (M * r**2)
    got = U.critical_load(P, r=r, M=M, T=0.2, progress=False)
    assert calls == [(P, pytest.approx(rho, rel=1e-15), "supervised", 0.2)]
    assert got == pytest.approx(0.3 / float(U.alpha_eff(1.0, r, M, P)), rel=1e-14)
    assert float(U.alpha_eff(1.0, r, M, P)) > 1.0  # examples cost capacity


@pytest.mark.parametrize("T", [0.0, 0.25])
def test_capacity_at_p2_follows_the_unsupervised_fold(monkeypatch, T):
    import theory.critical

    monkeypatch.setattr(theory.critical, "critical_point", lambda P, **kw: (0.07, None))
    seen = {}

    def fold_from_start(start, R, args, alpha_rs, desc, progress):
        seen.update(start=start, R=R, args=args, alpha_rs=alpha_rs, desc=desc)
        return 0.071, None

    monkeypatch.setattr(U, "fold_from_start", fold_from_start)
    r, M = 0.9, 3.0
    rho = (1 - r**2) / (M * r**2)
    assert U.critical_load(2, r=r, M=M, T=T, progress=False) == 0.071
    zero = T == 0.0
    assert seen["R"] is U._residual(zero) and seen["alpha_rs"] == 0.07
    assert seen["args"] == pytest.approx((0.0 if zero else 1 / T, rho, M - 1.0), rel=1e-15)
    assert "unsupervised" in seen["desc"]
    starts = []
    monkeypatch.setattr(U, "_broken_start", lambda *a: starts.append(a))
    seen["start"](0.0707)
    assert starts == [(math.inf if zero else 1 / T, pytest.approx(rho, rel=1e-15), 0.0707, 2.0)]
