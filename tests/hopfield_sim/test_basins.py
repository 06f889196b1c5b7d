"""Basins of attraction (issue 24): sample(init_overlap=m0) starts at overlap m0, and for
the Hopfield network at T = 0 the basin shrinks as the load grows and is gone beyond the
AGS capacity alpha_c = 0.138 (Amit, Gutfreund & Sompolinsky 1987)."""

from __future__ import annotations

import numpy as np
import pytest

import montecarlo
from hopfield_sim.basins import basins, critical_overlap

ALPHA_C = 0.138  # AGS, T = 0


def test_init_overlap_starts_at_m0():
    xi = montecarlo.archetypes(3, 400, seed=0)
    net = montecarlo.DenseHebbianNetwork(2, patterns=xi, protocol="hebbian")
    res = net.sample(T=1e6, sweeps=1, chains=3, init="archetype", init_overlap=0.3, seed=1)
    # the initial overlap, before any sweep: every chain flipped round(400 * 0.7 / 2) = 140
    sigma0 = net._initial_states("archetype", 1, 3, np.random.default_rng(0))
    from montecarlo._network import _at_overlap

    start = _at_overlap(sigma0, "archetype", 0.3, np.random.default_rng(1))
    np.testing.assert_allclose(start @ xi[0] / 400, 0.3)
    assert len({tuple(r) for r in start}) == 3  # each chain its own flips
    assert res.attrs["init_overlap"] == 0.3
    with pytest.raises(ValueError, match="init_overlap must be a number in"):
        net.sample(T=1.0, sweeps=1, init_overlap=1.5, seed=1)
    with pytest.raises(ValueError, match="init_overlap needs init="):
        net.sample(T=1.0, sweeps=1, init="random", init_overlap=0.5, seed=1)


def test_critical_overlap_interpolates():
    assert critical_overlap(np.array([0.1, 0.3, 0.5]), np.array([0.0, 0.25, 0.75]))[0] == 0.4
    assert np.isnan(critical_overlap(np.array([0.1, 0.9]), np.array([0.0, 0.2]))[0])
    assert critical_overlap(np.array([0.1, 0.9]), np.array([1.0, 1.0]))[0] == -1.0


def test_basin_small_twin():
    """N = 300: wide basin at alpha = 0.03, none at 0.3 > alpha_c (at 0.2, N = 300 still
    retrieves now and then)."""
    m0 = [0.2, 0.5, 1.0]
    low = basins(300, 0.03, m0, samples=2, chains=1, sweeps=5, burn_in=10)
    high = basins(300, 0.3, m0, samples=2, chains=1, sweeps=5, burn_in=10)
    assert low.attrs["m0_c"] <= 0.2 and np.all(low["retrieval_probability"] == 1)
    assert np.isnan(high.attrs["m0_c"]) and high["retrieval_probability"].sel(m0=1.0) < 0.5


@pytest.mark.slow  # ~45 s
def test_basin_shrinks_to_zero_at_the_capacity():
    m0 = np.linspace(0.05, 1.0, 12)
    crit = [basins(1000, a, m0, samples=3, chains=2, sweeps=10, burn_in=20).attrs["m0_c"]
            for a in (0.02, 0.06, 0.10, 0.12, 0.16)]  # fmt: skip
    below = np.array(crit[:4])
    assert np.all(np.diff(below) > 0) and below[-1] > 0.4  # the basin shrinks towards alpha_c
    assert np.isnan(crit[4])  # alpha = 0.16 > 0.138: no basin at all
