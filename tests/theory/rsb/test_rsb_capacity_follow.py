"""Follow-ups of the 1RSB capacity (issue #28): one progress bar over the start-up scan and the
continuation, and the one-node Y quadrature for supervised data at rho = 0.

The default tier uses a toy branch ``alpha(n) = 0.05 - (n - 0.7)^2`` (fold at alpha = 0.05,
n = 0.7 in closed form) in place of the engine, so no model program is compiled."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import theory
import theory.critical
from theory.rsb import capacity as cap


def _toy(monkeypatch, starts: list):
    """Replace the engine's start-up scan (None until a start is found) and the residual."""
    calls = []

    def broken_start(P, beta, rho, alpha, n_y):
        calls.append(alpha)
        return starts[len(calls) - 1]

    def residual_fn(P, zero, n_y):
        return lambda x, a, b, r: jnp.stack([a - 0.05 + (x[0] - 0.7) ** 2, x[1] - x[0] / 2])

    monkeypatch.setattr(cap, "broken_start", broken_start)
    monkeypatch.setattr(cap, "residual_fn", residual_fn)
    return calls


def test_one_bar_covers_the_start_up_scan_and_the_continuation(monkeypatch, capsys):
    # no start at START[0] * alpha_rs, a solution of the toy branch at START[1] * alpha_rs
    alpha_rs = 0.04 / cap.START[1]
    calls = _toy(monkeypatch, [None, np.array([0.6, 0.3])])
    a_c, x_c = cap.capacity(2, np.inf, 0.0, alpha_rs, n_y=1, progress=True)
    assert a_c == pytest.approx(0.05, abs=1e-12) and x_c[0] == pytest.approx(0.7, abs=1e-6)
    assert calls == pytest.approx([f * alpha_rs for f in cap.START[:2]])
    err = capsys.readouterr().err
    assert "critical_load(P=2, level='1RSB')" in err
    assert "start-up scan at alpha=" in err and "dalpha/dn=" in err  # one bar, both phases


@pytest.mark.parametrize("starts", [[None, np.array([0.6, 0.3])], [None, None, None]])
def test_no_output_with_progress_false(monkeypatch, capsys, starts):
    alpha_rs = 0.04 / cap.START[1]
    _toy(monkeypatch, starts)
    a_c, x_c = cap.capacity(2, np.inf, 0.0, alpha_rs, n_y=1, progress=False)
    if starts[1] is None:  # no broken start anywhere: the RS spinodal is returned
        assert a_c == alpha_rs and x_c is None
    else:
        assert a_c == pytest.approx(0.05, abs=1e-12)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("protocol", "rho", "n_y"), [
    ("supervised", 0.0, 1), ("hebbian", 0.3, 1), ("supervised", 0.3, 16),
])
def test_y_quadrature_only_where_rho_is_positive(monkeypatch, protocol, rho, n_y):
    seen = {}

    def capacity(P, beta, rho, alpha_rs, *, n_y, progress):
        seen.update(rho=rho, n_y=n_y)
        return alpha_rs, None

    monkeypatch.setattr(cap, "capacity", capacity)
    monkeypatch.setattr(theory.critical, "critical_point", lambda P, **kw: (0.1,))
    assert cap.critical_load_1rsb(2, rho=rho, protocol=protocol) == 0.1
    assert seen == {"rho": rho if protocol == "supervised" else 0.0, "n_y": n_y}


@pytest.mark.slow
def test_supervised_at_rho_zero_is_the_published_capacity(capsys):
    """Steffan & Kuehn 1994: alpha_c(1RSB, P = 2, T = 0) = 0.138186; quiet with progress=False."""
    a = theory.critical_load(2, level="1RSB", protocol="supervised", rho=0.0, progress=False)
    assert a == pytest.approx(0.138186, abs=1e-6)
    assert capsys.readouterr().err == ""


def test_a_delayed_bar_stays_hidden_within_its_delay(capsys):
    """progress=None: the bar is drawn only once the search has taken a second (tqdm's
    delay), so a postfix set in that second draws nothing; progress=True draws at once."""
    from theory.rsb import spinodal

    bar = spinodal.open_bar(None, "quiet")
    spinodal.note(bar, "start-up scan")
    bar.close()
    assert capsys.readouterr().err == ""
    bar = spinodal.open_bar(True, "loud")
    spinodal.note(bar, "start-up scan")
    bar.close()
    err = capsys.readouterr().err
    assert "loud" in err and "start-up scan" in err
