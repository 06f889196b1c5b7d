"""Smoke test of ``scripts/cloob_vs_clip.py``: data, effective rank, a tiny training budget.

The full experiment (3 methods x 5 seeds x 600 steps) is the script itself; here CLOOB (and
CLIP with ``-m slow``) trains for 40 steps on batches of 64 and the loss must fall.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cloob_vs_clip.py"


@pytest.fixture(scope="module")
def cvc():
    spec = importlib.util.spec_from_file_location("cloob_vs_clip", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data(cvc):
    return cvc.make_data(seed=0)


def test_data_is_paired_and_seeded(cvc, data):
    n = len(data["labels"])
    assert data["images"].shape == (n, 64) and data["texts"].shape[0] == n
    assert np.all(data["texts"].sum(axis=1) >= 1)  # every caption has a token
    named = data["texts"][:, :10].sum(axis=1) == 1
    assert 0.4 < named.mean() < 0.65  # P_NAME = 0.5 plus the empty captions that got named
    assert np.all(np.argmax(data["texts"][named, :10], axis=1) == data["labels"][named])
    assert set(data["train"]).isdisjoint(data["test"])
    again = cvc.make_data(seed=0)
    np.testing.assert_array_equal(again["texts"], data["texts"])


def test_effective_rank_of_known_spectra(cvc):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((20000, 6))
    k, p = cvc.effective_rank(z)  # isotropic in 6 dimensions: erank ~ 6
    assert k == pytest.approx(6.0, rel=0.01) and p.sum() == pytest.approx(1.0)
    k, _ = cvc.effective_rank(z * np.array([1.0, 1.0, 0, 0, 0, 0]))  # two equal directions
    assert k == pytest.approx(2.0, rel=0.01)


# One compilation per method (~5 s on 2 cores): CLOOB by default, CLIP with -m slow.
@pytest.mark.parametrize("method", [pytest.param("clip", marks=pytest.mark.slow), "cloob"])
def test_tiny_training_run_decreases_loss(cvc, data, method):
    model, losses = cvc.train(data, method, seed=0, steps=40, batch=64)
    assert losses.shape == (40,) and np.all(np.isfinite(losses))
    assert losses[-10:].mean() < losses[:10].mean() - 0.3, losses
    assert model.image(data["images"][:3]).shape == (3, cvc.EMBED)


@pytest.mark.slow
def test_quick_run_writes_table_json_and_figure(cvc, tmp_path):
    result = cvc.main(["--quick", "--data-dir", str(tmp_path), "--figure-dir", str(tmp_path)])
    assert (tmp_path / "cloob_vs_clip.png").stat().st_size > 10_000
    assert "zero-shot" in (tmp_path / "cloob_vs_clip.md").read_text()
    stored = json.loads((tmp_path / "cloob_vs_clip.json").read_text())
    assert stored["config"]["seeds"] == [0, 1, 2] and set(stored["runs"]) == set(cvc.METHODS)
    for method, s in result["summary"].items():
        assert s["loss_last"]["mean"] < s["loss_first"]["mean"], method
        assert s["zero_shot_accuracy"]["mean"] > 0.2, method  # chance is 0.1
