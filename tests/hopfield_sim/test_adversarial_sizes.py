"""Sizes a sweep spec asks for, refused before they are built (issue 27): 1-d axes, adaptive
points, and the local worker processes in the memory estimate."""

from __future__ import annotations

import tracemalloc

import pytest
import sweep_fakes

import montecarlo  # noqa: F401  (imported by the guard; not counted as an allocation)
from hopfield_sim import _execution
from hopfield_sim.checks import check_resources
from hopfield_sim.spec import spec_from_dict
from hopfield_sim.sweep import sweep

BASE = {"model": {"protocol": "hebbian", "P": 2}, "fixed": {"T": 0.5}, "theory": {}}


def _refused_without_allocating(data, match):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match) as info:
            spec_from_dict(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20, f"{peak / 2**20:.0f} MiB allocated before the refusal"
    assert "HOPFIELD_SIM_MAX_MEMORY" in str(info.value)


@pytest.mark.parametrize(
    "axis, match",
    [
        ({"start": 0, "stop": 0.15, "num": 200_000_000}, r"axes.alpha \(from its 'num': 2e\+08"),
        ({"start": 0, "stop": 0.15, "num": 10**9}, r"axes.alpha \(from its 'num': 1e\+09"),
        ({"start": 0, "stop": 0.15, "step": 1e-10}, r"axes.alpha \(from its 'step': 1.5e\+09"),
        ({"start": 0, "stop": 1e300, "step": 1e-300}, r"axes.alpha \(from its 'step': inf"),
        ({"start": 1e-3, "stop": 0.15, "num": 10**9, "log": True}, "axes.alpha"),
    ],
)
def test_huge_1d_axes_are_refused_before_they_are_built(axis, match, monkeypatch):
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "4GiB")
    _refused_without_allocating({**BASE, "axes": {"alpha": axis}}, match)


def test_axis_within_the_limit_is_built(monkeypatch):
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "4GiB")
    spec = spec_from_dict({**BASE, "axes": {"alpha": {"start": 0, "stop": 0.15, "num": 500_000}}})
    assert spec.axes["alpha"].size == 500_000 and spec.axes["alpha"][-1] == 0.15


def test_huge_adaptive_point_count_is_refused(monkeypatch):
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "4GiB")
    data = {**BASE, "fixed": {}, "axes": {"alpha": [0.0, 0.1], "T": [0.1, 1.0]}}
    _refused_without_allocating(
        {**data, "adaptive": {"points": 10**9}}, "adaptive.points=1000000000"
    )
    assert spec_from_dict({**data, "adaptive": {"points": 1000}}).adaptive.points == 1000


MC = {
    "model": {"protocol": "hebbian", "P": 2},
    "axes": {"T": [0.5]},
    "theory": {},
    "montecarlo": {"N": 100, "sweeps": 10},
}


def test_workers_enter_the_memory_estimate(monkeypatch):
    spec = spec_from_dict(MC)
    monkeypatch.setenv("HOPFIELD_SIM_MAX_MEMORY", "1GiB")  # one worker's 300 MiB + a point fits
    check_resources(spec, workers=1)
    check_resources(spec, workers=2)
    with pytest.raises(ValueError, match="on 4 local worker processes"):
        check_resources(spec, workers=4)  # 4 x 300 MiB > 1 GiB


def test_more_workers_than_cores_is_capped_with_a_warning():
    cores = _execution.default_workers()
    fakes = {"_theory": sweep_fakes.theory, "_montecarlo": sweep_fakes.montecarlo}
    with pytest.warns(RuntimeWarning, match=f"workers={cores + 62} exceeds the {cores} CPU"):
        ds = sweep(MC, progress=False, workers=cores + 62, **fakes)
    assert bool(ds["done_mc"].all())


@pytest.mark.parametrize("seed", [2**63, 2**64, 2**200])
def test_huge_sweep_seed_is_refused_up_front(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative integer below 2"):
        spec_from_dict({**BASE, "axes": {"alpha": [0.0]}, "seed": seed})
    assert spec_from_dict({**BASE, "axes": {"alpha": [0.0]}, "seed": 2**63 - 1}).seed == 2**63 - 1
