"""The bookkeeping of theory.rsb.capacity with the engine and the models replaced by stubs (issue
29, mutation testing; no JAX program): which model's stationarity residual the continuation
follows and with which arguments (the models' documented signatures), what the start-up scan
asks the engine for and when it accepts its candidate, and the loads tried for a start
(0.999, 1.01 and 1.05 times the RS spinodal, docs/rsb.md "1RSB capacity")."""

from __future__ import annotations

import math

import numpy as np
import pytest

from theory.rsb import ags, dense, engine
from theory.rsb import capacity as cap


def _tagged(name):
    """A model evaluator that returns its name and arguments as the residual (slot 2)."""
    return lambda *args, **kw: (None, None, (name, args, kw), None)


@pytest.fixture
def models(monkeypatch):
    for mod, tag in ((ags, "ags"), (dense, "dense")):
        monkeypatch.setattr(mod, "_ev_0", _tagged(f"{tag}_0"))
        monkeypatch.setattr(mod, "_ev_T", _tagged(f"{tag}_T"))
    cap.residual_fn.cache_clear()
    yield
    cap.residual_fn.cache_clear()


@pytest.mark.parametrize(("P", "zero", "name", "args"), [
    (2, True, "ags_0", ("x", "a", "r")), (2, False, "ags_T", ("x", "b", "a", "r")),
    (4, True, "dense_0", ("x", "a", "r")), (6, False, "dense_T", ("x", "b", "a", "r")),
])
def test_residual_is_the_models_stationarity_residual(models, P, zero, name, args):
    """R(x, alpha, beta, rho): P = 2 the AGS model, P >= 4 the dense one (with its P); T = 0
    takes no beta; the quadrature has n_y nodes in Y and NODES in z0, z1."""
    got_name, got_args, kw = cap.residual_fn(P, zero, 3)("x", "a", "b", "r")
    assert (got_name, got_args) == (name, args)
    assert kw.get("P") == (None if P == 2 else P) and set(kw) <= {"P", "quad"}
    Y, wY, t0, t1 = kw["quad"]
    assert Y.shape == (3,) and t0.shape == t1.shape == (cap.NODES,)
    np.testing.assert_allclose(np.sum(np.asarray(wY) * np.asarray(Y) ** 2), 1.0, rtol=1e-12)


class _Engine:
    """engine.compiled / engine.scan_solve replaced: records the calls, returns one candidate."""

    def __init__(self, broken=True, conv=True, m=0.9):
        self.out = (np.array([[0.9, 0.5, 2.0]]), None, np.array([m]), np.array([conv]),
                    np.array([broken]), None)
        self.calls = []

    def compiled(self, raw, **static):
        self.calls.append((raw, static))
        return "f"

    def scan_solve(self, f, params, S, *, rho, retrieval, gap_fn):
        self.calls.append((f, [np.asarray(p).tolist() for p in params], S, rho, retrieval,
                           gap_fn))
        return self.out


@pytest.mark.parametrize(("P", "beta"), [(2, math.inf), (2, 3.0), (4, math.inf), (4, 3.0)])
def test_broken_start_asks_the_engine_for_retrieval(monkeypatch, P, beta):
    stub = _Engine()
    monkeypatch.setattr(engine, "compiled", stub.compiled)
    monkeypatch.setattr(engine, "scan_solve", stub.scan_solve)
    x = cap.broken_start(P, beta, 0.2, 0.05, 16)
    np.testing.assert_array_equal(x, stub.out[0][0])
    (raw, static), (f, params, S, rho, retrieval, gap) = stub.calls
    model, zero = (ags.AGSModel if P == 2 else dense.DenseModel), math.isinf(beta)
    assert raw is (model.raw_0 if zero else model.raw_T)
    assert gap is (model.gap_0 if zero else model.gap_T)
    assert static == {"branch": "retrieval", "n_y": 16, "nodes": cap.NODES} | (
        {} if P == 2 else {"P": P})
    assert f == "f" and retrieval is True and rho.tolist() == [0.2]
    assert params == ([[0.05], [0.2]] if zero else [[3.0], [0.05], [0.2]])
    # the default scan: 16 values of the model's retrieval range
    ref = model.scan_0(np.array([0.05]), 16, True) if zero else model.scan_T(
        np.array([3.0]), 16, True)
    np.testing.assert_array_equal(S, ref)


@pytest.mark.parametrize("flags", [{"broken": False}, {"conv": False}, {"m": 0.01},
                                   {"broken": False, "conv": False}])
def test_broken_start_is_none_without_a_converged_broken_retrieval(monkeypatch, flags):
    stub = _Engine(**flags)
    monkeypatch.setattr(engine, "compiled", stub.compiled)
    monkeypatch.setattr(engine, "scan_solve", stub.scan_solve)
    assert cap.broken_start(2, math.inf, 0.0, 0.05, 1) is None


def test_start_loads_are_the_documented_ones(monkeypatch, capsys):
    """No broken start anywhere: the loads 0.999, 1.01, 1.05 times alpha_rs are tried, each
    named on the bar, and the RS spinodal is returned."""
    calls = []
    monkeypatch.setattr(cap, "broken_start", lambda P, b, r, a, n_y: calls.append(a))
    alpha_rs = 0.1234
    assert cap.capacity(2, math.inf, 0.0, alpha_rs, n_y=1, progress=True) == (alpha_rs, None)
    loads = [f * alpha_rs for f in (0.999, 1.01, 1.05)]
    assert calls == pytest.approx(loads, rel=1e-15)
    err = capsys.readouterr().err
    assert all(f"start-up scan at alpha={a:.6f}" in err for a in loads)


@pytest.mark.parametrize("zero", [True, False])
def test_the_fold_starts_from_the_first_broken_start_at_its_load(monkeypatch, zero):
    """A broken start first found at 1.01 alpha_rs: the continuation starts there, from that
    candidate, with the model's residual and (beta or 0, rho) as its arguments."""
    from theory.rsb import spinodal

    x0 = np.array([0.9, 0.5, 0.1, 2.0])
    monkeypatch.setattr(cap, "broken_start",
                        lambda P, b, r, a, n_y: x0 if a > 1.005 * 0.1234 else None)
    seen = {}

    def fold(R, x, alpha0, args, *, bar):
        seen.update(R=R, x=x, alpha0=alpha0, args=args)
        return 0.2, x

    monkeypatch.setattr(spinodal, "fold", fold)
    beta = math.inf if zero else 3.0
    assert cap.capacity(4, beta, 0.3, 0.1234, n_y=8, progress=False) == (0.2, x0)
    assert seen["alpha0"] == 1.01 * 0.1234 and seen["x"] is x0
    assert seen["R"] is cap.residual_fn(4, zero, 8)
    assert seen["args"] == ((0.0 if zero else 3.0), 0.3)


@pytest.mark.parametrize("rtol", [0.0, 1.5, -1e-3])
def test_rtol_outside_zero_one_is_refused(rtol):
    with pytest.raises(ValueError, match="rtol"):
        cap.critical_load_1rsb(2, rtol=rtol)
