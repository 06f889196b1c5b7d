"""Default-tier checks of theory.rsb.ground_state (issue #29, mutation testing): its energies,
masks, labels and the load where retrieval stops being the ground state, with NumPy
stand-ins for the compiled solvers (the slow tests in test_rsb_ground_state.py run the real
ones). The RS stand-ins are the T = 0 RS ground states written out here from the papers,
independent of theory.rsb:

* P = 2 (Amit, Gutfreund and Sompolinsky 1987): with ``y = m / sqrt(2 alpha r)``,
  ``y (sqrt(2 alpha) + (2/sqrt(pi)) e^(-y^2)) = erf(y)``, ``m = erf(y)``,
  ``C / (1 - C) = sqrt(2/(pi alpha)) e^(-y^2)``, ``sigma = sqrt(alpha)/(1 - C)`` and
  ``E = m^2/2 - alpha/(2(1 - C)) + alpha C/(2(1 - C)^2) - E|m + sigma z|``; the largest root
  ``y`` is the limit of the (increasing) map iterated from above; the spin glass is y = 0.
* P >= 4 (docs/models.md §4, ``c = alpha P P!/4``): ``n = E_Y[(1 + sqrt(rho) Y)
  erf(s/sqrt(2c))]/(1 + rho)`` with ``s = (P/2)(1+rho)^(P/2-1) n^(P-1) (1 + sqrt(rho) Y)`` and
  ``E = ((P-1)/2)(1+rho)^(P/2) n^P - E_Y E_z |s + sqrt(c) z|``; the spin glass
  ``E = -sqrt(2c/pi)``.

The 1RSB stand-in is the RS state with the spin-glass energy raised by ``0.05 alpha^2`` (1RSB
energies are never below RS: Guerra's bound); it is a stand-in, not a 1RSB value. A stand-in
can be told to fail at given loads (1RSB: ``converged = False``; RS: residual ``RS_TOL``, at the
tolerance and not below it, engine.RS_TOL).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import erf

from _hopfield_base import vocabulary
from theory.rsb import engine, ground_state
from theory.rsb.ags import AGSModel
from theory.rsb.dense import DenseModel

Y_GH, W_GH = np.polynomial.hermite_e.hermegauss(40)
W_GH = W_GH / W_GH.sum()


def _phi(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)


def _mean_abs(s, sd):
    """E|s + sd z|, z ~ N(0, 1)."""
    return s * erf(s / (sd * np.sqrt(2))) + 2 * sd * _phi(s / sd)


def ags_rs0(alpha, branch, sweeps=200):
    """(E, m, residual) of the P = 2 RS ground state [AGS 1987] (module docstring)."""
    alpha = np.asarray(alpha, float)

    def G(y):
        return erf(y) / (np.sqrt(2 * alpha) + 2 / np.sqrt(np.pi) * np.exp(-y * y))

    y = np.full(alpha.shape, 4.0 if branch == "retrieval" else 0.0)
    for _ in range(sweeps if branch == "retrieval" else 0):
        y = G(y)
    m = erf(y)
    C = 1 - 1 / (1 + np.sqrt(2 / (np.pi * alpha)) * np.exp(-y * y))
    sigma = np.sqrt(alpha) / (1 - C)
    E = 0.5 * m**2 - alpha / (2 * (1 - C)) + alpha * C / (2 * (1 - C) ** 2) - _mean_abs(m, sigma)
    return E, m, np.abs(y - G(y))


def dense_rs0(alpha, rho, P, branch, sweeps=200):
    """(E, m, residual) of the P >= 4 RS ground state (docs/models.md §4; module docstring)."""
    alpha, rho = (np.asarray(v, float)[:, None] for v in (alpha, rho))
    c = alpha * P * np.prod(np.arange(1, P + 1)) / 4
    g = 1 + np.sqrt(rho) * Y_GH

    def s_of(n):
        return 0.5 * P * (1 + rho) ** (0.5 * P - 1) * n ** (P - 1) * g

    def G(n):  # increasing in n: iterated from n = 1 it falls to the largest root
        return np.sum(W_GH * g * erf(s_of(n) / np.sqrt(2 * c)), -1, keepdims=True) / (1 + rho)

    if branch == "spinglass":
        return -np.sqrt(2 * c[:, 0] / np.pi), np.zeros(c.shape[0]), np.zeros(c.shape[0])
    n = np.ones_like(c)
    for _ in range(sweeps):
        n = G(n)
    E = 0.5 * (P - 1) * (1 + rho) ** (0.5 * P) * n**P - np.sum(
        W_GH * _mean_abs(s_of(n), np.sqrt(c)), -1, keepdims=True
    )
    m = np.sum(W_GH * erf(s_of(n) / np.sqrt(2 * c)), -1)
    return E[:, 0], m, np.abs(n - G(n))[:, 0]


def rs0(P, alpha, rho, branch):
    if P == 2:
        assert np.all(np.asarray(rho) == 0)  # the P = 2 stand-in is hebbian only
        return ags_rs0(alpha, branch)
    return dense_rs0(alpha, rho, P, branch)


def rsb0(P, alpha, rho, branch):
    """The 1RSB stand-in (module docstring): (E, m)."""
    E, m, _ = rs0(P, alpha, rho, branch)
    return E + (0.05 * np.asarray(alpha) ** 2 if branch == "spinglass" else 0.0), m


@pytest.fixture
def standins(monkeypatch):
    """Install the stand-ins; returns the set of loads at which they fail."""
    fail = set()

    def rs_candidate(model, which, params, *, branch, n_y, nodes, P=2):
        assert which == "0" and model in (AGSModel, DenseModel)  # the T = 0 solver
        alpha, rho = params
        E, m, res = rs0(P if model is DenseModel else 2, alpha, rho, branch)
        res = np.where(np.isin(alpha, list(fail)), engine.RS_TOL, res)
        return None, -E, res, m

    def solve_1rsb(*, protocol, P, beta, alpha, rho, branch):
        assert np.all(np.isinf(beta))  # T = 0
        E, m = rsb0(P, alpha, rho if protocol == "supervised" else 0 * rho, branch)
        return {"free_energy": E, "m": m, "converged": ~np.isin(alpha, list(fail))}

    monkeypatch.setattr(engine, "rs_candidate", rs_candidate)
    monkeypatch.setattr(ground_state, "solve_1rsb", solve_1rsb)
    return fail


@pytest.mark.parametrize("P", [2, 4])
def test_energies_are_the_rs_and_1rsb_ground_states(standins, P):
    """RS energies and m from the RS solver, 1RSB ones from solve_1rsb, for both states;
    the retrieval state is NaN where it does not exist (m < 0.5: above the RS capacity, 0.138
    for P = 2); labels from the one vocabulary, attributes P, protocol, rho, T = 0."""
    alpha = np.array([0.01, 0.05, 0.12, 0.2]) if P == 2 else np.array([0.005, 0.02, 0.2])
    E = ground_state.ground_state_energies(P, alpha)
    rho = np.zeros(alpha.size)
    Er, mr, _ = rs0(P, alpha, rho, "retrieval")
    Es, _, _ = rs0(P, alpha, rho, "spinglass")
    Er1, mr1 = rsb0(P, alpha, rho, "retrieval")
    Es1, _ = rsb0(P, alpha, rho, "spinglass")
    exists = mr > 0.5
    assert exists.tolist() == [True] * (alpha.size - 1) + [False]
    np.testing.assert_allclose(E.E_retrieval_RS, np.where(exists, Er, np.nan), rtol=1e-12)
    np.testing.assert_allclose(E.E_spinglass_RS, Es, rtol=1e-12)
    np.testing.assert_allclose(E.E_retrieval_1RSB, np.where(exists, Er1, np.nan), rtol=1e-12)
    np.testing.assert_allclose(E.E_spinglass_1RSB, Es1, rtol=1e-12)
    np.testing.assert_allclose(E.m_retrieval_RS, mr, rtol=1e-12)  # m is kept where m < 0.5
    np.testing.assert_allclose(E.m_retrieval_1RSB, mr1, rtol=1e-12)
    if P == 4:  # the RS spin glass at T = 0 in closed form: -sqrt(2c/pi), c = alpha P P!/4
        np.testing.assert_allclose(E.E_spinglass_RS, -np.sqrt(2 * alpha * 24 / np.pi),
                                   rtol=1e-12)  # fmt: skip
    assert E.attrs == {**E.attrs, "P": P, "protocol": "hebbian", "rho": 0.0, "T": 0.0}
    np.testing.assert_array_equal(E.alpha, alpha)
    assert sorted(E.data_vars) == sorted(["E_retrieval_RS", "E_spinglass_RS", "E_retrieval_1RSB",
                                          "E_spinglass_1RSB", "m_retrieval_RS",
                                          "m_retrieval_1RSB"])  # fmt: skip
    for name in E.data_vars:
        assert E[name].dims == ("alpha",) and E[name].dtype == np.float64
        assert (E[name].attrs["long_name"], E[name].attrs["units"]) == vocabulary.describe(name)


def test_points_where_a_solver_did_not_converge_are_nan(standins):
    """A load where the solvers fail (RS residual not below RS_TOL, 1RSB converged False) is
    NaN in every energy and in both overlaps; the other loads keep their values."""
    alpha = np.array([0.01, 0.03, 0.05])
    standins.add(0.03)
    E = ground_state.ground_state_energies(2, alpha)
    for name in E.data_vars:
        assert np.isnan(E[name].values).tolist() == [False, True, False], name
    np.testing.assert_allclose(E.E_spinglass_RS[[0, 2]], ags_rs0(alpha[[0, 2]], "spinglass")[0],
                               rtol=1e-12)  # fmt: skip


def test_a_scalar_load_is_one_point(standins):
    E = ground_state.ground_state_energies(2, 0.02)
    assert E.alpha.values.tolist() == [0.02]
    np.testing.assert_allclose(E.E_retrieval_RS, ags_rs0(np.array([0.02]), "retrieval")[0],
                               rtol=1e-12)  # fmt: skip


def test_data_entropy_enters_the_supervised_protocol_only(standins):
    """supervised: the energies at the given rho (n (1 + rho) rescaled signal); hebbian: rho
    is ignored (the rho = 0 energies, attribute rho = 0)."""
    alpha = np.array([0.004, 0.01])
    sup = ground_state.ground_state_energies(4, alpha, rho=0.3, protocol="supervised")
    heb = ground_state.ground_state_energies(4, alpha, rho=0.3, protocol="hebbian")
    Er, mr, _ = dense_rs0(alpha, np.full(2, 0.3), 4, "retrieval")
    Er0, _, _ = dense_rs0(alpha, np.zeros(2), 4, "retrieval")
    assert np.all(mr > 0.5) and np.all(np.abs(Er - Er0) > 1e-3)
    np.testing.assert_allclose(sup.E_retrieval_RS, Er, rtol=1e-12)
    np.testing.assert_allclose(sup.E_retrieval_1RSB, Er, rtol=1e-12)
    np.testing.assert_allclose(heb.E_retrieval_RS, Er0, rtol=1e-12)
    np.testing.assert_allclose(heb.E_retrieval_1RSB, Er0, rtol=1e-12)
    assert (sup.attrs["rho"], sup.attrs["protocol"]) == (0.3, "supervised")
    assert (heb.attrs["rho"], heb.attrs["protocol"]) == (0.0, "hebbian")


def _crossing(P, level):
    """The load where E_retrieval = E_spinglass for the stand-ins (brentq)."""
    energy = rs0 if level == "RS" else rsb0

    def gap(a):
        a = np.array([a])
        return energy(P, a, 0 * a, "retrieval")[0][0] - energy(P, a, 0 * a, "spinglass")[0][0]

    return brentq(gap, 0.03, 0.1, xtol=1e-14) if P == 2 else brentq(gap, 0.003, 0.03, xtol=1e-14)


@pytest.mark.parametrize("P,level", [(2, "RS"), (2, "1RSB"), (4, "RS")])
def test_retrieval_ground_state_load_is_the_energy_crossing(standins, P, level):
    """The default bracket holds the crossing; the result is within rtol of it. P = 2 RS:
    retrieval is the global minimum below alpha ~ 0.051 [AGS 1987]; the raised 1RSB spin
    glass moves the crossing up."""
    a = ground_state.retrieval_ground_state_load(P, level=level)
    a_ref = _crossing(P, level)
    assert abs(a - a_ref) <= 1e-4 * a_ref
    if P == 2:
        assert 0.049 < _crossing(2, "RS") < 0.053  # [AGS 1987]
        if level == "1RSB":
            assert a > _crossing(2, "RS") * (1 + 1e-3)


def test_a_bracket_without_the_crossing_gives_nan(standins):
    assert np.isnan(ground_state.retrieval_ground_state_load(2, bracket=(0.06, 0.1)))
    a = ground_state.retrieval_ground_state_load(2, bracket=(0.04, 0.06), rtol=1e-6)
    assert abs(a - _crossing(2, "RS")) <= 1e-6 * a


def test_invalid_arguments_are_refused(standins):
    with pytest.raises(ValueError, match="level"):
        ground_state.retrieval_ground_state_load(2, level="2RSB")
    with pytest.raises(ValueError, match="1-D"):
        ground_state.ground_state_energies(2, [[0.01, 0.02]])
    with pytest.raises(ValueError, match="alpha"):
        ground_state.ground_state_energies(2, -0.01)
    with pytest.raises(ValueError, match="protocol"):
        ground_state.ground_state_energies(2, 0.01, protocol="unsupervised")


def test_keyword_arguments_and_the_default_rho(standins):
    """P and alpha may be given by keyword; rho defaults to 0 (no data noise) for the
    supervised protocol too: its crossing is then the hebbian one."""
    E = ground_state.ground_state_energies(P=2, alpha=0.02)
    np.testing.assert_allclose(E.E_retrieval_RS, ags_rs0(np.array([0.02]), "retrieval")[0],
                               rtol=1e-12)  # fmt: skip
    a = ground_state.retrieval_ground_state_load(P=4, protocol="supervised")
    assert abs(a - _crossing(4, "RS")) <= 1e-4 * a
