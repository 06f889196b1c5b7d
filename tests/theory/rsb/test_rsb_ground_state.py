"""T = 0 ground states (slow: several compiled solver configurations). The default-tier
twins of these checks are in test_rsb.py (T = 0 spin glass above RS) and test_rsb_ags.py
(1RSB retrieval above RS at T = 0)."""

from __future__ import annotations

import numpy as np
import pytest

from _hopfield_base import vocabulary
from theory import rsb
from theory.rsb import ground_state


@pytest.mark.slow
def test_ags_retrieval_ground_state_load():
    # AGS: retrieval is the global minimum below alpha ~ 0.051 [PUB]
    assert 0.049 < ground_state.retrieval_ground_state_load(2, rtol=1e-3) < 0.053


@pytest.mark.slow
def test_dense_energies_obey_guerra_and_1rsb_moves_the_crossing():
    alpha = [0.01, 0.02, 0.03]
    E = ground_state.ground_state_energies(4, alpha)
    assert E.attrs["P"] == 4 and E.attrs["T"] == 0.0 and list(E.alpha) == alpha
    for name in E.data_vars:  # CF attributes from the one vocabulary
        assert (E[name].attrs["long_name"], E[name].attrs["units"]) == vocabulary.describe(name)
    for state in ("retrieval", "spinglass"):
        assert np.all(E[f"E_{state}_1RSB"] >= E[f"E_{state}_RS"] - 1e-9)
        # the 1RSB energies are those of the public solver at T = 0 (theory.rsb.solve)
        ds = rsb.solve(4, T=0.0, alpha=alpha, branch=state)
        np.testing.assert_array_equal(E[f"E_{state}_1RSB"], ds.free_energy)
        if state == "retrieval":
            np.testing.assert_array_equal(E.m_retrieval_1RSB, ds.m)
    # RS spin glass at T = 0: -sqrt(2c/pi), c = alpha P P!/4 (closed form)
    c = np.array([0.01, 0.02, 0.03]) * 4 * 24 / 4
    np.testing.assert_allclose(E["E_spinglass_RS"], -np.sqrt(2 * c / np.pi), rtol=1e-6)
    a_rs = ground_state.retrieval_ground_state_load(4, level="RS", rtol=1e-3)
    a_1rsb = ground_state.retrieval_ground_state_load(4, level="1RSB", rtol=1e-3)
    assert a_1rsb > a_rs
