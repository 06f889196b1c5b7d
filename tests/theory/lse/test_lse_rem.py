"""Log-sum-exp memory theory (theory.lse) against the published numbers and independent
routes: Lucibello & Mezard PRL 132, 077301 (2024); Petrova, Polyachenko, State, arXiv
2604.07401 (ICML 2026) and arXiv 2603.13350 (saddle-dominated capacity); Ramsauer et al.
(ICLR 2021). Printed values: 0.623 and 0.316 at beta_net = 1, cusp 0.877 and T_sp 0.262 at
alpha = 0.5, Laplace prefactor 1.082, alpha_c = 1/2 (Gaussian, beta_net >= 1)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special

import theory
from theory.lse import rem, thermal


def test_published_zero_temperature_capacities():
    assert round(theory.critical_load("lse", beta_net=1.0), 3) == 0.623
    assert round(float(rem.ramsauer_capacity(1.0)), 3) == 0.316
    assert theory.critical_load("lse", beta_net=1.0, patterns="gaussian") == 0.5
    assert theory.critical_load("lse", beta_net=3.0, patterns="gaussian") == 0.5
    b = np.array([0.2, 0.5, 0.9])  # uncondensed Gaussian branch: b (1 - b/2)
    np.testing.assert_allclose(rem.capacity(b, 1.0, "gaussian"), b * (1 - b / 2), rtol=1e-14)


def test_published_finite_temperature_numbers():
    phi_c = float(thermal.phase_point(0.5, 0.0, 1.0)["phi_c"])
    assert round(phi_c, 3) == 0.877
    assert round(float(thermal.spinodal_temperature(0.5, 1.0)), 3) == 0.262
    assert round(float(rem.laplace_prefactor(1.0)), 3) == 1.082
    # the spinodal line is the inverse of T_sp (2603.13350 eqs. for alpha_c(b, T), T_sp)
    T = np.linspace(0.01, 0.5, 7)
    a = thermal.critical_alpha(1.0, T)
    np.testing.assert_allclose(thermal.spinodal_temperature(a, 1.0), T, rtol=1e-12)
    # PPS26 Gaussian boundary alpha_c(T) = (1 - f_ret(T))^2 / 2 is our equal-depth line
    ed = thermal.critical_alpha(1.0, T, "gaussian", "equal_depth")
    np.testing.assert_allclose(ed, 0.5 * (1 - thermal.f_retrieval(T)) ** 2, rtol=1e-13)


def test_large_and_small_beta_limits():
    assert abs(float(rem.capacity(1e-4, 1.0)) - 1e-4) < 1e-8  # alpha_c -> b
    b = 1e4  # alpha_c -> ln(b)/2 + 1/2
    assert abs(float(rem.capacity(b, 1.0)) - (0.5 * math.log(b) + 0.5)) < 1e-3
    assert abs(float(rem.capacity(40.0, 1.0, "binary")) - math.log(2.0)) < 1e-12


@pytest.mark.parametrize("law", rem.LAWS)
def test_cumulant_is_the_legendre_transform_of_the_rate(law):
    top = 5.0 if law == "gaussian" else 1.0 - 1e-9  # the Gaussian law is not cut at 1
    phi = np.linspace(0.0, top, 400001)
    for b in (0.3, 1.0, 2.5):
        brute = np.max(b * phi - rem.rate(phi, law))
        assert abs(float(rem.cumulant(b, law)) - brute) < 1e-8
        s = float(rem.saddle(b, law))
        assert abs(b * s - float(rem.rate(s, law)) - float(rem.cumulant(b, law))) < 1e-12


def test_phi_max_inverts_the_rate():
    a = np.array([0.05, 0.2, 0.6])
    for law in rem.LAWS:
        np.testing.assert_allclose(rem.rate(rem.phi_max(a, law), law), a, rtol=1e-10)


def test_exact_spherical_mean_by_quadrature_and_its_large_N_limit():
    """ln E e^{bN(phi-1)} (Bessel closed form) = quadrature of the spherical density, and
    -> g_max(b) - b with the 1/sqrt(1 - phi*^4) prefactor as N grows."""
    b, N = 0.7, 12
    lognorm = special.gammaln(N / 2) - 0.5 * math.log(math.pi) - special.gammaln((N - 1) / 2)
    val, _ = integrate.quad(lambda p: math.exp(lognorm + b * N * (p - 1))
                            * (1 - p * p) ** ((N - 3) / 2), -1, 1, epsabs=0, epsrel=1e-12)
    assert abs(float(rem.log_mean_noise(N, b)) - math.log(val)) < 1e-10
    for N in (400, 4000):
        lo = N * (float(rem.cumulant(b)) - b) + math.log(float(rem.laplace_prefactor(b)))
        assert abs(float(rem.log_mean_noise(N, b)) - lo) < 3.0 / N


def test_capacity_equals_root_of_the_retrieval_condition():
    """(*) solves b y = Phi(alpha, b) (independent root find on Phi)."""
    from scipy import optimize

    for law in rem.LAWS:
        for b in (0.4, 1.0, 3.0):
            for y in (1.0, 0.9):
                def excess(a, b=b, y=y, law=law):
                    return float(rem.noise_exponent(a, b, law)[0]) - b * y

                root = optimize.brentq(excess, 1e-12, 5.0)
                assert abs(float(rem.capacity(b, y, law)) - root) < 1e-9


def test_phase_diagram_structure_and_front_door():
    ds = theory.solve("lse", T=[0.0, 0.1, 0.2, 0.3], alpha=[0.2, 0.5, 0.7])
    assert ds.phase.dims == ("T", "alpha")
    assert ds.phase.sel(T=0.0, alpha=0.5) == 1 and ds.phase.sel(T=0.0, alpha=0.7) == 0
    assert ds.phase.sel(T=0.3, alpha=0.5) == 0  # above T_sp = 0.262
    # the minimum of f(phi) on a fine grid is the branch's free energy (independent route)
    phi = np.linspace(0, 1 - 1e-12, 400001)
    for T in (0.1, 0.2):
        for a in (0.2, 0.5):
            pt = thermal.phase_point(a, T, 1.0)
            f = 1 - np.maximum(phi, pt["phi_c"]) - T / 2 * np.log1p(-phi**2)
            assert abs(f.min() - min(pt["f_ret"], pt["f_nr"])) < 1e-8
    for name in ("m", "free_energy", "phase", "converged", "rs_stable"):
        assert ds[name].attrs["long_name"] and ds[name].attrs["units"] == "1"
    met = thermal.critical_alpha(1.0, 0.2, criterion="equal_depth")
    sp = thermal.critical_alpha(1.0, 0.2)
    assert met < sp and int(theory.solve("lse", T=0.2, alpha=(met + sp) / 2).phase) in (2, 3)
    # all M basins together beat the paramagnet although one alone does not: phase 3
    pt = thermal.phase_point(0.47, 0.15, 1.0)
    assert pt["f_basins"] < pt["f_nr"] < pt["f_ret"] and int(pt["phase"]) == 3
    assert int(thermal.phase_point(0.6, 0.04, 1.0)["phase"]) == 2


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="patterns"):
        theory.solve("lse", T=0.1, alpha=0.1, patterns="cubic")
    with pytest.raises(ValueError, match="beta_net"):
        theory.critical_load("lse", beta_net=-1.0)
    with pytest.raises(ValueError, match="binary"):
        theory.solve("lse", T=0.1, alpha=0.1, patterns="binary")
    with pytest.raises(TypeError, match="lse"):
        theory.solve(P=2, T=0.1, beta_net=1.0)


def test_debye_expansion_continues_the_exact_bessel_mean():
    nu = rem.DEBYE_FROM
    for z in (0.5 * nu, 2.0 * nu, 5.0 * nu):
        assert abs(rem._log_ive(nu, z) - math.log(special.ive(nu, z))) < 1e-8
    # finite-N capacity: smooth through the switch and -> b - g_max(b)
    from theory.lse import finite

    assert abs(finite.capacity(10**5, 1.0) - float(rem.capacity(1.0))) < 1e-4


@pytest.mark.parametrize("kwargs", [{"P": 4}, {"rho": 0.1}, {"r": 0.5}, {"M": 1000},
                                    {"level": "1RSB"}, {"finite_M": True}])
def test_solve_refuses_hebbian_only_arguments(kwargs):
    (name, value), = kwargs.items()
    with pytest.raises(TypeError, match=f"does not take {name}=") as err:
        theory.solve("lse", T=0.1, alpha=0.3, **kwargs)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("kwargs", [{"rho": 0.1}, {"protocol": "hebbian"}, {"r": 0.5},
                                    {"M": 10}, {"level": "1RSB"}])
def test_critical_load_refuses_hebbian_only_arguments(kwargs):
    (name, _), = kwargs.items()
    with pytest.raises(TypeError, match=f"does not take {name}="):
        theory.critical_load("lse", beta_net=1.0, **kwargs)


def test_front_doors_pass_branch_and_accept_the_defaults():
    """branch reaches the lse solver (it was dropped before); default-valued Hebbian
    arguments given explicitly are harmless."""
    ret = theory.solve("lse", T=0.1, alpha=0.3, P=2, rho=0.0, level="RS")
    par = theory.solve("lse", T=0.1, alpha=0.3, branch="paramagnet")
    assert float(ret.m) == pytest.approx(float(thermal.phi_eq(0.1)), abs=1e-12)
    assert float(par.m) == 0.0 and par.attrs["branch"] == "paramagnet"
    with pytest.raises(ValueError, match="branch"):
        theory.solve("lse", T=0.1, alpha=0.3, branch="spinglass")
    assert theory.critical_load("lse", rho=0.0, progress=False) == pytest.approx(
        float(rem.capacity(1.0)), abs=1e-12)


def test_lsr_support_threshold_published_value_and_extreme_value_route():
    """Petrova et al. quote alpha_th = 0.347 = ln(2)/2 at b = 2 + sqrt(2) (exact density)
    (phi_c = 1/sqrt(2)); second route: the load at which the expected number of the
    e^{alpha N} alignments above phi_c, by the exact spherical density, stops decaying."""
    b = 2 + math.sqrt(2)
    assert round(float(rem.lsr_support_threshold(b)), 3) == 0.347
    assert abs(float(rem.lsr_support_threshold(b)) - 0.5 * math.log(2)) < 1e-12
    assert float(rem.lsr_support_threshold(0.8)) == 0.0
    phi_c = (b - 1) / b
    Ns = np.array([400.0, 800.0])
    a = (Ns - 1) / 2
    log_tail = np.log(special.betaincc(a, a, (1 + phi_c) / 2))
    slope = -(log_tail[1] - log_tail[0]) / (Ns[1] - Ns[0])  # -(1/N) ln P(phi > phi_c)
    assert abs(slope - float(rem.lsr_support_threshold(b))) < 2e-3
    assert float(rem.lsr_support_threshold(b, "gaussian")) == pytest.approx(0.25)
