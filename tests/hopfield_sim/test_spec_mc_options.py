"""engine, thin, tempering and per_sample in sweep specs (issue 24): accepted, validated,
round-tripped, and passed to sample() (checked against direct runs)."""

from __future__ import annotations

import numpy as np
import pytest

import hopfield_sim
from hopfield_sim.spec import spec_from_dict

BASE = {"seed": 2, "model": {"protocol": "hebbian", "P": 2}, "axes": {"T": [0.4]},
        "fixed": {"alpha": 0.05, "N": 80}}  # fmt: skip


def spec(**mc):
    return {**BASE, "montecarlo": {"sweeps": 20, "burn_in": 4, "chains": 2, "samples": 1, **mc}}


def test_options_round_trip_and_old_specs_are_unchanged():
    s = spec_from_dict(spec(engine="jax", thin=2, per_sample=False,
                            tempering={"T_max": 1.2, "rungs": 4}))  # fmt: skip
    assert spec_from_dict(s.to_dict()) == s
    plain = spec_from_dict(spec()).to_dict()["montecarlo"]
    assert not {"engine", "thin", "per_sample", "tempering"} & set(plain)  # resume-safe JSON
    theory = spec_from_dict({**BASE, "theory": {}}).to_dict()["theory"]
    assert "resolution" not in theory


@pytest.mark.parametrize("mc, match", [
    ({"engine": "cuda"}, "montecarlo.engine"),
    ({"thin": 0}, "montecarlo.thin"),
    ({"tempering": {"T_max": 0.3}}, "must exceed every temperature"),
    ({"tempering": {"T_max": 1.0, "rungs": 1}}, "rungs must be an integer >= 2"),
    ({"tempering": {"T_max": 1.0, "steps": 3}}, "unknown key 'steps'"),
])  # fmt: skip
def test_bad_options(mc, match):
    with pytest.raises(ValueError, match=match):
        spec_from_dict(spec(**mc))
    with pytest.raises(ValueError, match="theory.resolution"):
        spec_from_dict({**BASE, "theory": {"resolution": 1}})


def test_thin_and_tempering_reach_sample():
    import montecarlo

    ds = hopfield_sim.sweep(spec(thin=2, tempering={"T_max": 1.2, "rungs": 3}), workers=1,
                            progress=False)  # fmt: skip
    child = np.random.SeedSequence(int(ds.seed_mc[0])).spawn(1)[0]
    s_xi, _, s_run = child.spawn(3)
    xi = montecarlo.archetypes(4, 80, seed=s_xi)  # K = 0.05 * 80
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi, protocol="hebbian")
    res = net.sample(T=0.4 * 3.0 ** np.array([0.0, 0.5, 1.0]), tempering=True, thin=2,
                     sweeps=20, burn_in=4, chains=2, seed=s_run)  # fmt: skip
    np.testing.assert_allclose(ds["m_mc_sample"][0, 0], res["m"].values[0, :, 0])
