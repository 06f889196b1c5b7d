"""Adaptive 2-d theory diagrams (issue 16, item 4): points gather at the phase boundary.

A stand-in theory with a known boundary (m = 1 below T = 1 - 5 alpha, 0 above) checks the
placement and the machinery (store, resume, nothing-to-do) quickly; the replica theory itself
runs in the slow tier against theory.lines' retrieval spinodal.
"""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim import adaptive_sweep, sweep
from hopfield_sim.spec import spec_from_dict

SPEC = {
    "model": {"protocol": "hebbian", "P": 2},
    "axes": {"alpha": [0.0, 0.16], "T": [0.05, 1.3]},
    "theory": {},
    "adaptive": {"points": 120, "batch": 20},
}


def boundary(alpha):
    return 1.0 - 5.0 * np.asarray(alpha)


def fake_solve(spec, xs, ys):
    m = (ys < boundary(xs)).astype(float)
    return {"m": ((), m), "converged": ((), np.ones(xs.size, bool))}


def test_points_gather_at_the_boundary():
    resolved, runner = adaptive_sweep.resolve(spec_from_dict(SPEC), solve=fake_solve)
    a = np.asarray(resolved.points["alpha"])
    T = np.asarray(resolved.points["T"])
    assert a.size == 120 and resolved.adaptive is None
    assert a.min() >= 0 and a.max() <= 0.16 and T.min() >= 0.05 and T.max() <= 1.3
    near = np.abs(T - boundary(a)) < 0.1
    rng = np.random.default_rng(0)  # the same band holds ~16 % of uniformly placed points
    ua, uT = rng.uniform(0, 0.16, 100_000), rng.uniform(0.05, 1.3, 100_000)
    uniform = np.mean(np.abs(uT - boundary(ua)) < 0.1)
    assert near.mean() > 2 * uniform, (near.mean(), uniform)


def test_adaptive_sweep_stores_resumes_and_plots(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(adaptive_sweep, "_solve_points", fake_solve)
    store = tmp_path / "a.h5"
    ds = sweep(SPEC, store=store, progress=False)
    assert ds["m_theory"].dims == ("point",) and ds.sizes["point"] == 120
    expected = (ds["T"] < boundary(ds["alpha"])).astype(float)
    np.testing.assert_array_equal(ds["m_theory"].values, expected.values)
    assert "adaptive_spec" in ds.attrs
    before = store.stat().st_mtime_ns
    sweep(SPEC, store=store, progress=True)
    assert store.stat().st_mtime_ns == before and "nothing to do" in capsys.readouterr().err
    from hopfield_sim import cli, plot

    monkeypatch.setattr(plot, "_model_lines", lambda *a, **k: {})  # no theory lines: fast
    fig = tmp_path / "a.png"
    assert cli.main(["plot", str(store), "--out", str(fig)]) == 0
    assert fig.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "change, match",
    [
        ({"adaptive": {"points": 2}}, "adaptive.points must be an integer >= 4"),
        ({"adaptive": {"variable": "x"}}, "adaptive.variable must be one of"),
        ({"adaptive": {"pts": 5}}, "unknown key 'pts' in adaptive"),
        ({"axes": {"alpha": [0.0, 0.1]}, "fixed": {"T": 0.5}}, "exactly two axes"),
        ({"montecarlo": {"N": 10}}, "theory-only"),
        ({"axes": {"alpha": [0.1], "T": [0.1, 1.0]}}, "two different values"),
    ],
)
def test_bad_adaptive_specs(change, match):
    with pytest.raises(ValueError, match=match):
        spec_from_dict({**SPEC, **change})


@pytest.mark.slow
def test_replica_theory_boundary_matches_the_spinodal():
    """Points of a real adaptive diagram sit at theory.lines' retrieval spinodal T_M."""
    import theory.lines as lines

    spec = {**SPEC, "adaptive": {"points": 200, "batch": 40}}
    ds = sweep(spec, progress=False)
    a, T, m = (ds[k].values for k in ("alpha", "T", "m_theory"))
    T_M = np.asarray(lines.temperature_line(2, a, kind="spinodal", protocol="hebbian"))
    ok = np.isfinite(T_M)
    inside = T[ok] < T_M[ok] - 0.02
    outside = T[ok] > T_M[ok] + 0.02
    assert np.all(m[ok][inside] > 0.3) and np.all(m[ok][outside] < 0.05)
    assert np.mean(np.abs(T[ok] - T_M[ok]) < 0.1) > 0.3
