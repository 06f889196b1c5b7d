"""T = 0 retrieval of e^{alpha N} patterns by hopfield_sim.layers.retrieve
(hopfield_sim.exponential) against theory.lse: the energy mapping of the docs table, the
softmax weight against a direct NumPy evaluation, and the capacity (slow: finite-size
extrapolation to Lucibello-Mezard's b - g_max(b))."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest

from hopfield_sim.exponential import layer_capacity, target_weight
from hopfield_sim.layers import energy
from montecarlo._lse_kernels import state_energy
from montecarlo.lse import load_to_M, pattern_sets
from theory.lse import finite


def test_layer_energy_is_the_lse_energy_plus_ln_M_over_beta():
    N, M, b = 9, 40, 1.3
    xi = pattern_sets(N, M, "spherical", 1, 4)[0]
    x = pattern_sets(N, 1, "spherical", 1, 5)[0, 0]
    e_layer = float(energy(jnp.asarray(x), jnp.asarray(xi), beta=b))
    assert abs(e_layer - (N * state_energy(x, xi, b) + math.log(M) / b)) < 1e-4 * N


def test_target_weight_matches_numpy_softmax():
    N, a, b = 10, 0.55, 0.8
    out = target_weight(N, a, beta_net=b, samples=3, seed=2)
    root = int(np.random.SeedSequence([2, N, int(round(a * 1e6))]).generate_state(1)[0])
    xi = pattern_sets(N, load_to_M(N, a), "spherical", 3, root)
    for s in range(3):
        z = b * xi[s] @ xi[s, 0]
        w = np.exp(z - z.max())
        assert abs(out["weight"][s] - w[0] / w.sum()) < 1e-4


def test_median_target_weight_matches_finite_N_theory():
    """Median weight 1/(1 + e^{margin}), margin = median ln(S_nr e^{-bN}) (lognormal)."""
    for a in (0.4, 0.85):
        w = target_weight(12, a, samples=16, seed=1)["weight"]
        margin = finite.retrieval_margin(12, load_to_M(12, a), 1.0)
        assert abs(np.median(w) - 1 / (1 + math.exp(margin))) < 0.03


@pytest.mark.slow
def test_layer_capacity_extrapolates_to_theory():
    r = layer_capacity([10, 12, 14, 16], samples=24, points=9, width=0.1)
    fit = r["measured"]
    assert abs(fit["x_inf"] - r["alpha_inf"]) < 3 * fit["x_inf_err"] + 2e-3
    for row in r["sizes"]:  # each N against the finite-N theory
        assert abs(row["alpha_c"] - row["theory"]) < 4 * row["alpha_c_err"] + 5e-3
