"""Starting points and box of the P = 2 1RSB solver (``theory.rsb.ags``; issue 29, mutation
testing), against the domain of the functional (module docstring of theory.rsb.ags).

The functional ``-(alpha/2) ln det(1 - beta Q)`` exists only where both eigenvalues of
``1 - beta Q`` are positive: ``lambda1 = 1 - beta (1 - q1) > 0`` and ``lambda2 = lambda1 -
beta theta (q1 - q0) > 0`` (T = 0: ``lambda1 = 1 - C``, ``lambda2 = 1 - C - mu (1 - q0)``). A
start outside it cannot move: the solver skips non-finite residuals, so the candidate is lost.
Overlaps lie in [0, 1] (``q0 = E<s>^2``, ``q1 = E<s^2>``, s = tanh or sign), so the solver's box
must not let them leave it. The paramagnet (``m = q0 = q1 = 0``) solves no equation: its
starts are returned as they are, so a start with ``q1 > q0`` would come back as a "broken
solution" (the slow test shows the closed-form paramagnet that results from the right starts).

The starts and the box are taken from the solver's own call of the engine
(``engine.raw_candidates`` is replaced by a recorder): no JAX operation, a few milliseconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from theory import rsb
from theory.rsb import ags, engine, unsupervised


def _solver_call(monkeypatch, raw, S, params, branch, **static):
    """The broken candidates' starts (n_grid, n_scan, d) and the box ``(lo, hi)`` that ``raw``
    hands to the engine, the starts built as ``engine.raw_candidates`` documents them: ``y_b``
    with the overlap ``fn / (1 + rho)`` and the scan value in ``scan_slot``."""
    seen = {}

    def record(ev, S, params, **kw):
        seen.update(kw)

    monkeypatch.setattr(engine, "raw_candidates", record)
    raw(S, *params, branch=branch, quad=None, **static)
    x = np.broadcast_to(np.asarray(seen["y_b"], float), (*S.shape, len(seen["y_b"]))).copy()
    x[..., 0] = seen["fn"] / (1 + params[-1][:, None])
    x[..., seen["scan_slot"]] = S
    return x, np.asarray(seen["lo"], float), np.asarray(seen["hi"], float)


BETA = np.array([0.5, 2.0, 20.0, 200.0])
RHO = np.array([0.0, 0.3, 0.0, 0.3])


@pytest.mark.parametrize("branch", ["retrieval", "spinglass"])
def test_finite_temperature_starts_lie_in_the_domain(monkeypatch, branch):
    S = ags.AGSModel.scan_T(BETA, 8, branch == "retrieval")
    x, lo, hi = _solver_call(monkeypatch, ags._raw_T, S, (BETA, np.full(4, 0.1), RHO), branch)
    n, q0, q1, theta = np.moveaxis(x, -1, 0)
    b = BETA[:, None]
    lam1 = 1 - b * (1 - q1)
    lam2 = lam1 - b * theta * (q1 - q0)
    assert np.all(lam1 > 0) and np.all(lam2 > 0)
    assert np.all((0 <= q0) & (q0 < q1) & (q1 <= 1))  # q1 - q0 > 0: a broken start
    np.testing.assert_array_equal(theta, S)  # the scan value, held
    assert np.all((0 < theta) & (theta <= 1))  # a Parisi block size
    # n, q0, q1 inside the box: not moved by the first clip (theta: the scan reaches below
    # THETA_MIN at beta > 50 and is clipped there)
    assert np.all((x[..., :3] >= lo[:3]) & (x[..., :3] <= hi[:3]))
    # the box keeps n, q0, q1 in [0, 1] and theta in (0, 1]
    assert np.all(lo[:3] >= 0) and np.all(hi[:3] <= 1) and 0 < lo[3] and hi[3] <= 1


@pytest.mark.parametrize("protocol", ["hebbian", "unsupervised"])
def test_paramagnet_starts_are_the_paramagnet(monkeypatch, protocol):
    beta = np.array([0.3, 0.6, 0.9, 0.95])  # T > 1, where the paramagnet exists
    S = ags.AGSModel.scan_T(beta, 8, False)
    raw, static = (ags._raw_T, {}) if protocol == "hebbian" else (unsupervised._raw_T,
                                                                    {"g_eps": 2.0})  # fmt: skip
    x, _, _ = _solver_call(monkeypatch, raw, S, (beta, np.full(4, 0.1), RHO), "paramagnet",
                           **static)  # fmt: skip
    np.testing.assert_array_equal(x[..., :3], 0.0)  # m = q0 = q1 = 0, every candidate


@pytest.mark.parametrize("branch", ["retrieval", "spinglass", "paramagnet"])
def test_zero_temperature_starts_and_box(monkeypatch, branch):
    alpha = np.array([0.02, 0.08, 0.138, 0.2])
    S = ags.AGSModel.scan_0(alpha, 8, branch == "retrieval")
    x, lo, hi = _solver_call(monkeypatch, ags._raw_0, S, (alpha, RHO), branch)
    n, q0, C, mu = np.moveaxis(x, -1, 0)
    assert np.all((0 <= q0) & (q0 < 1))  # 1 - q0 > 0: a broken start
    assert np.all((0 <= C) & (C < 1)) and np.all(1 - C - mu * (1 - q0) > 0)
    np.testing.assert_array_equal(mu, S)
    assert np.all(mu > 0)  # beta theta
    assert np.all((x >= lo) & (x <= hi))
    # the box keeps n and q0 in [0, 1], C below 1 (lambda1 = 1 - C > 0) and mu > 0
    assert np.all(lo[:3] >= 0) and np.all(hi[:2] <= 1) and hi[2] < 1 and lo[3] > 0


@pytest.mark.slow  # one compiled P = 2 finite-temperature solver (~5 s)
def test_paramagnet_branch_is_the_closed_form_paramagnet():
    """AGS paramagnet (m = q = 0): A = ln 2 - (alpha/2) ln(1 - beta), i.e. f = -(ln 2 -
    (alpha/2) ln(1 - beta))/beta for T > 1; it does not exist below T = 1 (as at level RS)."""
    beta, alpha = np.array([0.5, 0.9, 0.95, 2.0]), np.array([0.05, 0.1, 0.02, 0.05])
    out = rsb.solve_1rsb(protocol="hebbian", P=2, beta=beta, alpha=alpha, rho=np.zeros(4),
                         branch="paramagnet", nodes=16, n_scan=2)  # fmt: skip
    f = -(np.log(2) - 0.5 * alpha[:3] * np.log1p(-beta[:3])) / beta[:3]
    np.testing.assert_allclose(out["free_energy"][:3], f, rtol=0, atol=1e-12)
    assert np.all(out["theta"][:3] == 1) and np.all(out["q1"][:3] == 0)
    assert out["converged"].tolist() == [True, True, True, False]


@pytest.mark.slow  # one compiled unsupervised P = 2 finite-temperature solver (~5 s)
def test_unsupervised_paramagnet_branch_is_the_closed_form_paramagnet():
    """Unsupervised P = 2 paramagnet (m = q = 0): the log-determinant has the class-mean mode
    (eigenvalue 1) and M - 1 example modes of eigenvalue eps = rho/(1 + rho) (module
    docstring of theory.rsb.unsupervised), so A = ln 2 - (alpha/2) [ln(1 - beta) + (M - 1)
    ln(1 - beta eps)] for T > 1; it does not exist below T = 1."""
    beta, alpha = np.array([0.5, 0.9, 0.95, 2.0]), np.array([0.05, 0.1, 0.02, 0.05])
    r, M = np.full(4, 0.6), np.full(4, 3.0)
    rho = (1 - r**2) / (M * r**2)
    out = unsupervised.solve(P=2, beta=beta, alpha=alpha, rho=rho, r=r, M=M,
                             branch="paramagnet", nodes=16, n_scan=2)  # fmt: skip
    b, eps = beta[:3], rho[:3] / (1 + rho[:3])
    A = np.log(2) - 0.5 * alpha[:3] * (np.log1p(-b) + (M[:3] - 1) * np.log1p(-b * eps))
    np.testing.assert_allclose(out["free_energy"][:3], -A / b, rtol=0, atol=1e-12)
    assert np.all(out["theta"][:3] == 1) and np.all(out["q1"][:3] == 0)
    assert out["converged"].tolist() == [True, True, True, False]
