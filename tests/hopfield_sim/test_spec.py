"""Sweep specifications: parsing, grid expansion and up-front validation."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim.spec import SweepSpec, load_spec, spec_from_dict

BASE = {"model": {"protocol": "hebbian", "P": 2}, "axes": {"T": [0.5]}, "theory": {}}


def with_(**changes):
    d = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    for key, value in changes.items():
        section, _, name = key.partition("__")
        if name:
            d.setdefault(section, {})
            if value is None:
                d[section].pop(name, None)
            else:
                d[section][name] = value
        elif value is None:
            d.pop(section, None)
        else:
            d[section] = value
    return d


def test_axis_forms_expand_to_the_documented_values():
    axes = {
        "alpha": {"start": 0.0, "stop": 0.1, "num": 3},
        "T": {"start": 0.1, "stop": 10.0, "num": 3, "log": True},
    }
    spec = spec_from_dict(with_(axes=axes))
    np.testing.assert_allclose(spec.axes["alpha"], [0.0, 0.05, 0.1])
    np.testing.assert_allclose(spec.axes["T"], [0.1, 1.0, 10.0])
    step = spec_from_dict(with_(axes={"T": {"start": 0.2, "stop": 1.0, "step": 0.2}}))
    np.testing.assert_allclose(step.axes["T"], [0.2, 0.4, 0.6, 0.8, 1.0])
    assert spec.grid_names == ("alpha", "T")


def test_points_and_round_trip_through_dict():
    spec = spec_from_dict(
        {
            "model": {"protocol": "supervised", "P": 4},
            "points": {"T": [0.1, 0.2], "rho": [0, 1]},
            "theory": {"finite_M": False},
            "seed": 7,
        }
    )
    assert spec.points is not None and spec.grid_names == ("T", "rho")
    again = spec_from_dict(spec.to_dict())
    assert again.to_json() == spec.to_json()


def test_toml_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        'seed = 5\n[model]\nprotocol = "supervised"\nP = 4\n'
        "[axes]\nM = [10, 20]\nT = {start = 0.1, stop = 0.3, num = 3}\n"
        "[fixed]\nr = 0.4\n[montecarlo]\nN = 200\nsweeps = 20\n"
    )
    spec = load_spec(path)
    assert spec.P == 4 and spec.seed == 5 and spec.fixed == {"r": 0.4}
    assert spec.montecarlo.N == 200 and spec.theory is None
    bad = tmp_path / "bad.toml"
    bad.write_text("[model\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_spec(bad)


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"axes": {"Temp": [0.5]}}, r"unknown parameter name 'Temp' in axes"),
        ({"axes": {"T": []}}, r"axes.T is empty"),
        ({"axes": {}}, r"the grid is empty"),
        ({"axes": {"T": [0.5, 0.5]}}, r"repeated values"),
        ({"axes": {"T": [-0.5]}}, r"axes.T must be in \[0, inf\)"),
        ({"axes": {"T": [float("nan")]}}, r"axes.T must be in"),
        ({"axes": {"T": {"start": 1, "stop": 2}}}, r"exactly one of 'num' and 'step'"),
        ({"axes": {"T": {"start": 0, "stop": 2, "num": 3, "log": True}}}, r"log range needs"),
        ({"model__protocol": "supervized"}, r"model.protocol must be one of"),
        ({"model__P": 1}, r"model.P must be an integer >= 2"),
        ({"model__colour": 3}, r"unknown key 'colour' in model"),
        ({"montecarlo": {"N": 100, "sweps": 3}}, r"unknown key 'sweps' in montecarlo"),
        ({"theory__level": "2RSB"}, r"theory.level must be one of"),
        ({"fixed": {"beta": 2.0}}, r"exactly one of beta and T"),
        ({"fixed": {"T": 2.0}}, r"'T' is both a grid axis and fixed.T"),
        ({"axes": {"alpha": [0.1]}}, r"exactly one of beta and T"),
        ({"fixed": {"r": 0.5}}, r"r is incompatible with protocol 'hebbian'"),
        ({"model__protocol": "supervised"}, r"needs the data: give rho, or r and M"),
        (
            {"model__protocol": "supervised", "fixed": {"r": 0.5, "M": 3, "rho": 1.0}},
            r"r and rho are incompatible",
        ),
        ({"fixed": {"r": 1.5}}, r"fixed.r must be in \(0, 1\]"),
        ({"fixed": {"alpha": 0.1, "K": 3}}, r"alpha and K are incompatible"),
        ({"montecarlo": {"sweeps": 10}}, r"montecarlo needs N"),
        ({"montecarlo": {"N": 10, "chains": 0}}, r"montecarlo.chains must be an integer >= 1"),
        ({"montecarlo": {"N": 10.5}}, r"montecarlo.N must be an integer >= 1"),
        (
            {"model__protocol": "supervised", "fixed": {"rho": 0.2}, "montecarlo": {"N": 10}},
            r"montecarlo needs r and M",
        ),
        ({"fixed": {"d": 0.2}}, r"needs model.multitasking"),
        ({"model__multitasking": True, "fixed": {"K": 3}}, r"needs the dilution d"),
        ({"seed": -1}, r"seed must be a non-negative integer"),
        ({"montecarlo": {"N": 1}}, r"N must be >= P=2"),
        ({"montecarlo": {"N": 10, "dynamics": "zero_temperature"}}, r"runs at T = 0"),
    ],
)
def test_bad_specs_name_the_key(changes, match):
    with pytest.raises(ValueError, match=match):
        spec_from_dict(with_(**changes))


def test_wrong_kinds_are_type_errors():
    with pytest.raises(TypeError, match="axes.T must be a list of numbers"):
        spec_from_dict(with_(axes={"T": "hot"}))
    with pytest.raises(TypeError, match="spec key 'fixed' must be a table"):
        spec_from_dict(with_(fixed=3))


def test_python_object_validates_too():
    with pytest.raises(ValueError, match="nothing to run"):
        SweepSpec(axes={"T": [1.0]}, theory=None)
