"""T = 0 ground states (slow: several compiled solver configurations). The default-tier
twins of these checks are in test_rsb.py (T = 0 spin glass above RS) and test_rsb_ags.py
(1RSB retrieval above RS at T = 0)."""

from __future__ import annotations

import numpy as np
import pytest

from theory.rsb import ground_state


@pytest.mark.slow
def test_ags_retrieval_ground_state_load():
    # AGS: retrieval is the global minimum below alpha ~ 0.051 [PUB]
    assert 0.049 < ground_state.retrieval_ground_state_load(2, rtol=1e-3) < 0.053


@pytest.mark.slow
def test_dense_energies_obey_guerra_and_1rsb_moves_the_crossing():
    E = ground_state.ground_state_energies(4, [0.01, 0.02, 0.03])
    for state in ("retrieval", "spinglass"):
        assert np.all(E[f"E_{state}_1RSB"] >= E[f"E_{state}_RS"] - 1e-9)
    # RS spin glass at T = 0: -sqrt(2c/pi), c = alpha P P!/4 (closed form)
    c = np.array([0.01, 0.02, 0.03]) * 4 * 24 / 4
    np.testing.assert_allclose(E["E_spinglass_RS"], -np.sqrt(2 * c / np.pi), rtol=1e-6)
    a_rs = ground_state.retrieval_ground_state_load(4, level="RS", rtol=1e-3)
    a_1rsb = ground_state.retrieval_ground_state_load(4, level="1RSB", rtol=1e-3)
    assert a_1rsb > a_rs
