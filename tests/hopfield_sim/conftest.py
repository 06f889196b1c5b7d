"""Fixtures shared by the hopfield_sim tests."""

from __future__ import annotations

import os

import pytest
import sweep_fakes

# the CLI turns on persistent compilation caches in the user's cache folder; tests that run
# it must not write there (test_cli_startup checks the caches with its own environment)
os.environ.setdefault("HOPFIELD_SIM_CACHE_DIR", "off")


@pytest.fixture()
def fake_engines(monkeypatch):
    """Replace the theory and Monte Carlo runners by the cheap fakes of ``sweep_fakes``."""
    from hopfield_sim import _runners

    monkeypatch.setattr(_runners, "theory_grid", sweep_fakes.theory)
    monkeypatch.setattr(_runners, "montecarlo_point", sweep_fakes.montecarlo)
