"""Log-sum-exp Metropolis sampler (montecarlo.lse) against exact results: the single-pattern
Bessel closed form, quadrature over the 2-sphere with several patterns, incremental overlaps
vs recomputed ones, and thread-count independence."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from scipy import special

from montecarlo._lse_kernels import state_energy
from montecarlo.lse import load_to_M, pattern_sets, sample_lse


def _mean_and_error(ds, name="phi"):
    v = ds[name].values.ravel()  # independent chains: error from their spread
    return v.mean(), v.std(ddof=1) / math.sqrt(v.size)


def test_single_pattern_matches_the_bessel_ratio():
    """M = 1: H = N(1 - phi), P(phi) ~ (1 - phi^2)^((N-3)/2) e^{N phi/T}, so
    <phi> = I_{N/2}(N/T) / I_{N/2-1}(N/T) at any beta_net."""
    N, T = 10, 0.5
    ds = sample_lse(N, T=T, M=1, beta_net=2.0, samples=1, replicas=32, burn=100, sweeps=800,
                    seed=3)
    exact = special.ive(N / 2, N / T) / special.ive(N / 2 - 1, N / T)
    mean, err = _mean_and_error(ds)
    assert abs(mean - exact) < 4 * err + 1e-4
    mean_u, err_u = _mean_and_error(ds, "energy")
    assert abs(mean_u - (1 - exact)) < 4 * err_u + 1e-4


def test_several_patterns_match_quadrature_on_the_two_sphere():
    N, M, T, b = 3, 4, 0.4, 1.5
    ds = sample_lse(N, T=T, M=M, beta_net=b, samples=1, replicas=32, burn=300, sweeps=3000,
                    seed=5)
    xi = pattern_sets(N, M, "spherical", 1, 5)[0]
    th = (np.arange(600) + 0.5) * math.pi / 600
    ph = (np.arange(1200) + 0.5) * 2 * math.pi / 1200
    TH, PH = np.meshgrid(th, ph, indexing="ij")
    x = math.sqrt(N) * np.stack([np.sin(TH) * np.cos(PH), np.sin(TH) * np.sin(PH), np.cos(TH)])
    z = b * np.einsum("mi,ijk->mjk", xi, x)
    H = N - special.logsumexp(z, axis=0) / b
    w = np.sin(TH) * np.exp(-(H - H.min()) / T)
    exact_phi = float((w * z[0] / (b * N)).sum() / w.sum())
    exact_u = float((w * H / N).sum() / w.sum())
    mean, err = _mean_and_error(ds)
    assert abs(mean - exact_phi) < 4 * err + 2e-3
    mean_u, err_u = _mean_and_error(ds, "energy")
    assert abs(mean_u - exact_u) < 4 * err_u + 1e-3


def test_zero_temperature_and_incremental_overlaps():
    """At T = 0 from the pattern, far below capacity, the state never leaves it (every move
    raises H); the reported energy (incremental overlaps) equals the recomputed one."""
    N = 12
    ds = sample_lse(N, T=0.0, alpha=0.1, samples=2, replicas=1, burn=0, sweeps=5, seed=1)
    assert np.all(ds.acceptance.values == 0.0) and np.allclose(ds.phi.values, 1.0)
    xi = pattern_sets(N, load_to_M(N, 0.1), "spherical", 2, 1)
    for s in range(2):
        assert abs(float(ds.energy[0, s, 0]) - state_energy(xi[s, 0], xi[s], 1.0)) < 1e-12


def test_results_do_not_depend_on_the_thread_count():
    kwargs = dict(T=[0.3, 0.6], M=50, samples=2, replicas=2, burn=10, sweeps=20, seed=9)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = sample_lse(8, **kwargs)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = sample_lse(8, **kwargs)
    finally:
        numba.set_num_threads(before)
    for v in ("phi", "energy", "acceptance", "delta"):
        np.testing.assert_array_equal(one[v].values, two[v].values)


def test_bad_requests_name_the_argument():
    with pytest.raises(ValueError, match="alpha and M"):
        sample_lse(8, T=0.1)
    with pytest.raises(ValueError, match="patterns"):
        sample_lse(8, T=0.1, M=2, patterns="gaussian-ish")
    with pytest.raises(ValueError, match="T must"):
        sample_lse(8, T=-1.0, M=2)
    with pytest.raises(ValueError, match="needs an estimated"):
        sample_lse(60, T=0.1, alpha=1.0)
    with pytest.raises(ValueError, match="ramp_from"):
        sample_lse(8, T=0.1, M=2, ramp_from=-1.0)
    with pytest.raises(ValueError, match="kernel"):
        sample_lse(8, T=0.1, M=2, kernel="cubic")


def test_cone_bulk_constant_and_cone_sampler_against_the_full_sum():
    """Bulk constant + mean in-cone sum = the exact Bessel mean of the whole sum; in the
    retrieval phase the cone sampler agrees with the full one (same N, alpha, T)."""
    from montecarlo import _lse_cone
    from theory.lse import rem

    N, M, b, keep = 16, 2981, 1.0, 0.4
    inner = math.log(M - 1) + b * N + math.log(_tail_mean(N, b, keep))
    total = np.logaddexp(_lse_cone.log_bulk(N, M, b, keep), inner)
    assert abs(total - (math.log(M - 1) + float(rem.log_mean_noise(N, b)) + b * N)) < 1e-8
    kw = dict(T=0.05, alpha=0.4, samples=8, replicas=2, burn=100, sweeps=200, seed=4)
    full, cone = sample_lse(16, **kw), sample_lse(16, cone=keep, **kw)
    assert cone.attrs["patterns_drawn"] < full.attrs["patterns_drawn"] / 5
    (a, ea), (c, ec) = _mean_and_error(full), _mean_and_error(cone)
    assert abs(a - c) < 4 * math.hypot(ea, ec) + 1e-3


def _tail_mean(N, b, keep):
    """int_keep^1 h(phi) e^{b N (phi - 1)} dphi by quadrature."""
    from scipy import integrate

    from montecarlo._lse_cone import _log_density

    val, _ = integrate.quad(lambda p: math.exp(_log_density(p, N) + b * N * (p - 1)), keep, 1,
                            epsabs=0, epsrel=1e-12)
    return val


@pytest.mark.parametrize("init, ramp_from", [("pattern", 0.05), ("random", 3.0)])
def test_heating_and_annealing_ramps_end_in_the_bessel_law(init, ramp_from):
    """Default twin of the slow metastable check: a heating ramp from the pattern (or an
    annealing ramp from a random start) through unmeasured stages ends in equilibrium at
    the measured T: one pattern, <phi> = I_{N/2}(N/T) / I_{N/2-1}(N/T)."""
    N, T = 10, 0.5
    ds = sample_lse(N, T=T, M=1, samples=1, replicas=16, burn=40, sweeps=400, init=init,
                    ramp_from=ramp_from, ramp_steps=3, seed=8)
    assert ds.attrs["ramp_steps"] == 3 and ds.sizes["T"] == 1
    exact = special.ive(N / 2, N / T) / special.ive(N / 2 - 1, N / T)
    mean, err = _mean_and_error(ds)
    assert abs(mean - exact) < 4 * err + 1e-3
    assert float(ds.phi_min.min()) <= float(ds.phi.min())  # the lowest point of each chain


def test_log_sum_relu_kernel_single_pattern_against_quadrature():
    """kernel='lsr', M = 1: H = -(N/b) ln(1 - b + b phi) on phi > phi_c = (b - 1)/b, so
    P(phi) ~ (1 - phi^2)^((N-3)/2) (1 - b + b phi)^(N/(b T)); <phi> by quadrature."""
    from scipy import integrate

    N, T, b = 8, 0.4, 2.0
    ds = sample_lse(N, T=T, M=1, beta_net=b, kernel="lsr", samples=1, replicas=16, burn=50,
                    sweeps=400, seed=6)
    phi_c = (b - 1) / b

    def w(p):
        return (1 - p * p) ** ((N - 3) / 2) * (1 - b + b * p) ** (N / (b * T))

    z = integrate.quad(w, phi_c, 1, epsrel=1e-12)[0]
    exact = integrate.quad(lambda p: p * w(p), phi_c, 1, epsrel=1e-12)[0] / z
    mean, err = _mean_and_error(ds)
    assert abs(mean - exact) < 4 * err + 1e-3
    assert ds.attrs["model"] == "lsr"
