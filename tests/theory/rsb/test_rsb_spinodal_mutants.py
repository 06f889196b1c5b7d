"""theory.rsb.spinodal.fold on toy branches with folds known in closed form (issue 29, mutation
testing). One residual, compiled once (its parameters are traced arguments):

    R(x, alpha) = (alpha - alpha(n), sqrt(q) - sqrt(t0 + t1 n), p - p0 - p1 n),  x = (n, q, p),

with ``alpha(n)`` a polynomial. The fold is the first maximum of ``alpha(n)`` along the branch
from the start; ``q`` and ``p`` follow in closed form.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from theory.rsb import spinodal

QUADRATIC = np.array([0.0, 0.0, -1.0, 1.4, 0.05 - 0.49])  # 0.05 - (n - 0.7)^2


def _residual(x, a, c, t0, t1, p0, p1):
    n, q, p = x[0], x[1], x[2]
    return jnp.stack([a - jnp.polyval(c, n), jnp.sqrt(q) - jnp.sqrt(t0 + t1 * n), p - p0 - p1 * n])


def _alpha_with_slope_roots(roots, top):
    """Coefficients (degree 4) of alpha with alpha'(n) = -prod(n - root), alpha(roots[0]) = top."""
    c = -np.polyint(np.poly(roots))
    c[-1] += top - np.polyval(c, roots[0])
    return np.r_[np.zeros(5 - len(c)), c]


class _Bar:
    """A bar stand-in that records the continuation's notes."""

    def __init__(self):
        self.notes = []

    def update(self):
        pass

    def set_postfix_str(self, text):
        self.notes.append(text)


def test_secant_on_a_linear_slope_stops_at_the_fold():
    """alpha = 0.05 - (n - 0.7)^2: d alpha/dn is linear in n, so after a probing step of 0.005
    (n = 0.605) every secant step aims at n = 0.7, clipped to DN_MAX: the search lands there and
    stops (|d alpha/dn| < SLOPE_TOL). One note per point (start, probe, ceil(0.095 / DN_MAX)
    steps), the last at alpha = 0.05; q = 0.3 and p = 2 - n = 1.3 at the fold."""
    bar = _Bar()
    a_c, x_c = spinodal.fold(_residual, np.array([0.6, 0.3, 1.4]), 0.04,
                             (QUADRATIC, 0.3, 0.0, 2.0, -1.0), bar=bar)
    assert a_c == pytest.approx(0.05, abs=1e-13)
    np.testing.assert_allclose(x_c, [0.7, 0.3, 1.3], atol=1e-9)
    assert len(bar.notes) == 2 + int(np.ceil(0.095 / spinodal.DN_MAX - 1e-9))
    assert bar.notes[-1].startswith("alpha=0.05000000 ")
    assert bar.notes[0].startswith("alpha=0.04000000 ")


def test_a_start_within_the_slope_tolerance_is_the_fold():
    """Started at n = 0.7 - 2.5e-10 (d alpha/dn = 5e-10 < SLOPE_TOL): the fold is located to
    |d alpha/dn| < SLOPE_TOL, so the start is returned as it is, after one note."""
    bar = _Bar()
    n0 = 0.7 - 2.5e-10
    a_c, x_c = spinodal.fold(_residual, np.array([n0, 0.3, 2 - n0]), np.polyval(QUADRATIC, n0),
                             (QUADRATIC, 0.3, 0.0, 2.0, -1.0), bar=bar)
    assert x_c[0] == n0 and a_c == pytest.approx(0.05, abs=1e-15) and len(bar.notes) == 1


def test_the_first_fold_along_the_branch_is_found():
    """alpha'(n) = -(n - 0.607)(n - 0.615)(n - 0.7): from n = 0.6 the branch first turns at
    n = 0.607 (a maximum of alpha); the next maximum (0.7), beyond the minimum at 0.615, is
    not the fold of this branch."""
    c = _alpha_with_slope_roots([0.607, 0.615, 0.7], 0.05)
    a_c, x_c = spinodal.fold(_residual, np.array([0.6, 0.3, 1.4]), np.polyval(c, 0.6),
                             (c, 0.3, 0.0, 2.0, -1.0), progress=False)
    assert a_c == pytest.approx(0.05, abs=1e-13) and x_c[0] == pytest.approx(0.607, abs=1e-5)


def test_fold_is_a_maximum_not_a_minimum():
    """alpha'(n) = -(n - 0.7)(n - 0.5), started at the inflection n = 0.6 (the slope is maximal
    there): the search goes up the slope to the maximum at 0.7, not down to the minimum at 0.5."""
    c = _alpha_with_slope_roots([0.7, 0.5], 0.05)
    bar = _Bar()
    a_c, x_c = spinodal.fold(_residual, np.array([0.6, 0.3, 1.4]), np.polyval(c, 0.6),
                             (c, 0.3, 0.0, 2.0, -1.0), bar=bar)
    assert a_c == pytest.approx(0.05, abs=1e-13) and x_c[0] == pytest.approx(0.7, abs=1e-6)
    # it stops at the first point with |d alpha/dn| < SLOPE_TOL (nonlinear slope: not exactly 0)
    slopes = [abs(float(note.split("dalpha/dn=")[1])) for note in bar.notes]
    assert slopes[-1] < spinodal.SLOPE_TOL and min(slopes[:-1]) >= spinodal.SLOPE_TOL


def test_a_failed_step_is_halved_up_to_eight_times():
    """q = 1 + K (n - 0.6) with K = 1.79e5 and the fold at n = 0.6 + 5e-5: the probing step
    0.005 (q grows 900-fold) fails, and so do its halvings until 0.005/2^7 (q grows 8-fold, within
    one Newton solve's reach; 0.005/2^6: 15-fold, not); that eighth try is taken and the
    secant step then lands on the fold."""
    K, n_f = 1.79e5, 0.6 + 5e-5
    c = np.array([0.0, 0.0, -1.0, 2 * n_f, 0.05 - n_f**2])
    a_c, x_c = spinodal.fold(_residual, np.array([0.6, 1.0, 1.4]), np.polyval(c, 0.6),
                             (c, 1.0 - 0.6 * K, K, 2.0, -1.0), progress=False)
    assert a_c == pytest.approx(0.05, abs=1e-13)
    np.testing.assert_allclose(x_c, [n_f, 1 + K * 5e-5, 2 - n_f], rtol=1e-9)


@pytest.mark.parametrize("q0", [0.12, 1.0])
def test_newton_steps_are_capped_relative_to_the_unknown(q0):
    """Newton changes no unknown by more than 20 % of max(|z|, 1e-3) per step. q0 = 0.12 (q = 0.02
    solves sqrt(q) = sqrt(0.02)): the full Newton step from there would make q negative (NaN);
    the capped ones reach q = 0.02. q0 = 1 below q = 10: 20 % steps up to within 21 %, then
    quadratic convergence, within the NEWTON_STEPS = 16 steps of a solve."""
    t = 0.02 if q0 < 1 else 10.0
    a_c, x_c = spinodal.fold(_residual, np.array([0.6, q0, 1.4]), 0.04,
                             (QUADRATIC, t, 0.0, 2.0, -1.0), progress=False)
    assert a_c == pytest.approx(0.05, abs=1e-13)
    np.testing.assert_allclose(x_c, [0.7, t, 1.3], rtol=1e-9)


def test_a_search_that_runs_out_of_steps_warns():
    """The branch alpha(n) = 0.05 - (n - 0.7)^2 (the docstring's example) from n = 0.2: one
    step of at most DN_MAX cannot reach the fold at n = 0.7, so the last point comes back
    with a RuntimeWarning instead of silently standing for the fold."""
    R = lambda x, a: jnp.stack([a - 0.05 + (x[0] - 0.7) ** 2, x[1] - x[0] / 2])  # noqa: E731
    with pytest.warns(RuntimeWarning, match="the fold was not reached in 1 steps"):
        a, x = spinodal.fold(R, np.array([0.2, 0.1]), 0.05 - 0.25, progress=False, max_steps=1)
    assert a < 0.05 and x[0] < 0.7
