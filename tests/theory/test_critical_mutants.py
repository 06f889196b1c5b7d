"""theory.critical without the RS solver (issue 29, mutation testing).

``critical_point`` turns (P, protocol, rho or (r, M), T) into solver points, brackets the
spinodal by doubling and hands the bracket to the bisection. Here the solver-facing
functions are replaced by an existence oracle with a known threshold in the *effective* load
(``alpha_eff < A(beta, rho)``), so the answer is known in closed form: ``alpha_c = A / factor``
with the unsupervised load factor ``(1 + rho_P)/(1 + rho)^P``,
``rho_P = (1 - r^(2P))/(M r^(2P))`` (docs/models.md §4.2). The dispatch of ``critical_load``
to the 1RSB, unsupervised-1RSB and log-sum-exp routes is checked the same way. No JAX.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import theory.lse
import theory.rsb
from theory import critical
from theory.rsb import unsupervised

XTOL = 1e-12  # the oracle's bisection: far inside the 1e-9 step of m_c below alpha_c


def _threshold(beta, rho):
    """The oracle's spinodal in the effective load: smooth in beta and rho, 0.05 at T = 0."""
    return 0.05 * (1.0 + rho) / (1.0 + 1.0 / beta)


@pytest.fixture
def oracle(monkeypatch):
    calls = []

    def exists(beta, alpha_eff, rho, *, P, modes=None):
        beta, alpha_eff, rho = (np.asarray(a, dtype=float) for a in (beta, alpha_eff, rho))
        assert np.all(alpha_eff >= 0.0)  # a load, never negative
        calls.append({"beta": beta, "alpha": alpha_eff, "rho": rho, "P": P, "modes": modes})
        ok = alpha_eff < _threshold(beta, rho)
        return ok, np.where(ok, 1.0 - alpha_eff, 0.0)  # m: a known function of the load

    def bisect(points, lo, hi, *, P, modes=None):
        lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
        at_lo = exists(*points(lo[:, None], np.arange(lo.size)), P=P, modes=modes)[0]
        while np.any(hi - lo > XTOL * np.maximum(1.0, hi)):
            mid = 0.5 * (lo + hi)
            ok = exists(*points(mid[:, None], np.arange(mid.size)), P=P, modes=modes)[0]
            lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
        return lo, hi, at_lo

    monkeypatch.setattr(critical, "retrieval_exists", exists)
    monkeypatch.setattr(critical, "bisect_branch_end", bisect)
    return calls


@pytest.mark.parametrize("P, T, rho", [(2, 0.0, 0.0), (2, 0.5, 0.3), (4, 0.2, 0.1), (6, 0.0, 0.0)])
def test_critical_point_is_the_oracle_threshold(oracle, P, T, rho):
    beta = math.inf if T == 0 else 1 / T
    a_c, m_c = critical.critical_point(P, rho=rho, T=T)
    want = _threshold(beta, rho)
    assert a_c == pytest.approx(want, abs=2 * XTOL)
    assert m_c == pytest.approx(1.0 - want, abs=1e-8)  # m on the branch just below alpha_c
    assert all(c["P"] == P and c["modes"] is None for c in oracle)
    assert all(np.all(c["beta"] == beta) and np.all(c["rho"] == rho) for c in oracle)
    assert oracle[0]["alpha"].tolist() == [0.0]  # first question: retrieval at zero load
    start = 0.25 if P == 2 else P / math.factorial(P)  # Delta = alpha P!/P = 1, then doubled
    assert oracle[1]["alpha"].tolist() == [start]
    assert critical.critical_load(P, rho=rho, T=T) == a_c


@pytest.mark.parametrize("P", [4, 6])
def test_unsupervised_load_factor(oracle, P):
    r, M = 0.7, 20
    rho = (1 - r * r) / (M * r * r)
    rho_P = (1 - r ** (2 * P)) / (M * r ** (2 * P))
    a_c, _ = critical.critical_point(P, protocol="unsupervised", r=r, M=M, T=0.5)
    factor = (1 + rho_P) / (1 + rho) ** P
    assert a_c == pytest.approx(_threshold(2.0, rho) / factor, abs=2 * XTOL)
    # the bracket's first step asks about the load Delta = 1 in true (effective) units
    assert oracle[1]["alpha"] == pytest.approx([P / math.factorial(P) * factor], rel=1e-15)
    assert all(np.all(c["rho"] == pytest.approx(rho, rel=1e-15)) for c in oracle)
    sup, _ = critical.critical_point(P, protocol="supervised", r=r, M=M, T=0.5)
    assert sup == pytest.approx(_threshold(2.0, rho), abs=2 * XTOL)


def test_unsupervised_P2_passes_the_modes_and_no_factor(oracle):
    a_c, _ = critical.critical_point(2, protocol="unsupervised", r=0.6, M=7.0)
    rho = (1 - 0.36) / (7 * 0.36)
    assert a_c == pytest.approx(_threshold(math.inf, rho), abs=2 * XTOL)
    assert all(c["modes"] == 7.0 for c in oracle)
    with pytest.raises(ValueError, match="needs r and M"):
        critical.critical_point(4, protocol="unsupervised", rho=0.1)


def test_no_retrieval_and_infinite_temperature(oracle, monkeypatch):
    assert critical.critical_point(2, T=math.inf) == (0.0, 0.0) and not oracle
    monkeypatch.setattr(critical, "retrieval_exists",
                        lambda *a, **k: (np.array([False]), np.array([0.0])))
    assert critical.critical_point(2, T=0.3) == (0.0, 0.0)


def test_a_threshold_far_above_the_start_is_found_by_doubling(monkeypatch):
    seen = []

    def exists(beta, alpha_eff, rho, *, P, modes=None):
        seen.append(float(np.ravel(alpha_eff)[0]))
        return np.asarray(alpha_eff).ravel() < 3.1, np.ones(np.size(alpha_eff))

    def bisect(points, lo, hi, *, P, modes=None):
        return hi * 0.999, hi, np.array([True])

    monkeypatch.setattr(critical, "retrieval_exists", exists)
    monkeypatch.setattr(critical, "bisect_branch_end", bisect)
    a_c, _ = critical.critical_point(2)
    assert seen[:6] == [0.0, 0.25, 0.5, 1.0, 2.0, 4.0]  # bracket [0, 4]: first failure
    assert a_c == pytest.approx(4 * 0.999)
    monkeypatch.setattr(critical, "retrieval_exists",
                        lambda b, a, r, **k: (np.array([True]), np.ones(1)))
    with pytest.raises(RuntimeError, match="every load"):
        critical.critical_point(2)


@pytest.mark.parametrize("kwargs, match", [
    ({"r": 0.5, "M": math.inf}, "M"),
    ({"r": 0.5}, "give r and M together"),
    ({"M": 5}, "give r and M together"),
    ({"protocol": "hebbian", "rho": 0.1}, "rho must be 0"),
    ({"rho": [0.1, 0.2]}, "rho must be a scalar"),
    ({"r": 0.0, "M": 5}, "r"),
    ({"r": 0.5, "M": 0.5}, "M"),
])
def test_bad_arguments(oracle, kwargs, match):
    with pytest.raises(ValueError, match=match):
        critical.critical_point(2, **kwargs)


def test_options_are_keyword_only(oracle):
    with pytest.raises(TypeError):
        critical.critical_point(2, 0.1)
    with pytest.raises(TypeError):
        critical.critical_load(2, 0.1)


def test_hebbian_with_zero_rho_is_accepted(oracle):
    a_c, _ = critical.critical_point(2, protocol="hebbian", rho=0.0)
    assert a_c == pytest.approx(0.05, abs=2 * XTOL)


def test_critical_load_dispatch(oracle, monkeypatch):
    got = {}
    monkeypatch.setattr(theory.rsb, "critical_load_1rsb",
                        lambda P, **kw: got.setdefault("1rsb", (P, kw)) and 0.125)
    assert critical.critical_load(4, rho=0.2, T=0.1, level="1RSB") == 0.125
    assert got["1rsb"] == (4, {"rho": 0.2, "protocol": "supervised", "T": 0.1, "progress": None})
    for protocol in ("supervised", "hebbian"):  # only unsupervised takes (r, M) at 1RSB
        with pytest.raises(ValueError, match="takes rho, not r and M"):
            critical.critical_load(4, protocol=protocol, r=0.5, M=9, level="1RSB")
    with pytest.raises(ValueError, match="takes rho, not r and M"):
        critical.critical_load(4, r=0.5, level="1RSB")
    with pytest.raises(ValueError):
        critical.critical_load(4, protocol="unsupervised", level="1RSB")
    monkeypatch.setattr(unsupervised, "critical_load",
                        lambda P, **kw: got.setdefault("uns", (P, kw)) and 0.0625)
    out = critical.critical_load(2, protocol="unsupervised", r=0.5, M=9, level="1RSB",
                                 progress=False)
    assert out == 0.0625 and got["uns"] == (2, {"r": 0.5, "M": 9.0, "T": 0.0, "progress": False})
    for bad in ({"r": 0.0, "M": 9}, {"r": 0.5, "M": math.inf}):  # r in (0, 1], M finite
        with pytest.raises(ValueError):
            critical.critical_load(2, protocol="unsupervised", level="1RSB", **bad)
    with pytest.raises(TypeError, match="P must be an integer"):  # only "lse" is a string
        critical.critical_load("4")
    with pytest.raises(TypeError, match="only for P='lse'"):
        critical.critical_load(2, nodes=5)
    with pytest.raises(ValueError):
        critical.critical_load(2, level="2RSB")
    with pytest.raises((TypeError, ValueError)):
        critical.critical_load(2, progress="yes")
    monkeypatch.setattr(theory.lse, "critical_load_lse",
                        lambda T, hebbian, **kw: got.setdefault("lse", (T, kw)) and 0.5)
    assert critical.critical_load("lse", T=0.2, a=1) == 0.5 and got["lse"] == (0.2, {"a": 1})
    assert critical.critical_load(2, rho=0.1, T=0.0) == pytest.approx(0.055, abs=2 * XTOL)
