"""The reproduction scripts' TOML specs parse and validate (running them is the scripts' job)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopfield_sim.spec import load_spec

CONFIGS = Path(__file__).resolve().parents[2] / "scripts" / "configs"
NAMES = [
    "ags_theory_vs_mc",
    "dense_retrieval_vs_load",
    "supervised_learning_curves",
    "unsupervised_learning_curves",
]


@pytest.mark.parametrize("name", NAMES)
def test_config_is_a_valid_spec_with_theory_and_simulation(name):
    spec = load_spec(CONFIGS / f"{name}.toml")
    assert spec.theory is not None and spec.montecarlo is not None
    assert (CONFIGS.parent / f"{name}.py").exists()


def test_adaptive_example_config():
    spec = load_spec(CONFIGS / "ags_adaptive.toml")
    assert spec.adaptive is not None and spec.adaptive.points == 400
    assert set(spec.axes) == {"alpha", "T"} and spec.montecarlo is None
