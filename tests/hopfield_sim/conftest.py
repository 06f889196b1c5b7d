"""Fixtures shared by the hopfield_sim tests."""

from __future__ import annotations

import pytest
import sweep_fakes


@pytest.fixture()
def fake_engines(monkeypatch):
    """Replace the theory and Monte Carlo runners by the cheap fakes of ``sweep_fakes``."""
    from hopfield_sim import _runners

    monkeypatch.setattr(_runners, "theory_grid", sweep_fakes.theory)
    monkeypatch.setattr(_runners, "montecarlo_point", sweep_fakes.montecarlo)
