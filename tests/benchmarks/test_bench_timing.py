"""The timing helpers of benchmarks/bench_mc.py never report a negative time: where the
machine's noise makes the short base run take as long as the longer one, they measure again
and, if it stays so, report NaN (checked with a fake clock, no kernel is run)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
bench_mc = pytest.importorskip("bench_mc")


class FakeClock:
    """A clock that ``run(n)`` advances by ``cost(n, call)`` seconds."""

    def __init__(self, cost):
        self.now, self.calls, self.cost = 0.0, 0, cost

    def __call__(self):
        return self.now

    def run(self, n):
        self.calls += 1
        self.now += self.cost(n, self.calls)


def test_marginal_is_the_difference_per_sweep_on_a_quiet_clock():
    clock = FakeClock(lambda n, call: 1.0 + 0.5 * n)  # 1 s fixed, 0.5 s per sweep
    assert bench_mc._marginal(clock.run, 4, clock=clock) == pytest.approx(0.5)


def test_noisy_base_is_measured_again_then_reported_unusable():
    # the base run (n = 2) takes longer than the long one: never a negative figure
    clock = FakeClock(lambda n, call: 10.0 if n == 2 else 3.0)
    assert math.isnan(bench_mc._marginal(clock.run, 4, clock=clock, retries=2))
    assert clock.calls == 3 * 2 * 3  # 3 tries x (base, long) x best of 3
    # noise only in the first try: the retry gives the true figure
    clock = FakeClock(lambda n, call: (10.0 if call <= 6 and n == 2 else 1.0 + 0.5 * n))
    assert bench_mc._marginal(clock.run, 4, clock=clock) == pytest.approx(0.5)


def test_interleaved_reports_nan_not_a_negative_time():
    noisy = FakeClock(lambda n, call: 8.0 if n == 2 else 2.0)
    quiet = FakeClock(lambda n, call: 1.0 + 0.25 * n)
    both = FakeClock(lambda n, call: 0.0)  # shared clock: each run advances it

    def runs_on(c):
        def run(n):
            before = c.now
            c.run(n)
            both.now += c.now - before

        return run

    out = bench_mc._interleaved({"noisy": runs_on(noisy), "quiet": runs_on(quiet)}, 4,
                                rounds=2, retries=1, clocks=(both, both))  # fmt: skip
    assert all(math.isnan(v) for v in out["noisy"])
    assert out["quiet"] == pytest.approx((0.25, 0.25))
    assert noisy.calls == 2 * 2 * 2  # (1 + retries) x rounds x (base, long)


def test_recorded_peer_figures_ship_with_the_repository():
    # bench_peer.py falls back to these when the peer is not run; a clean clone must have them
    import json

    bench_peer = pytest.importorskip("bench_peer")
    rec = json.loads(bench_peer.RECORDED.read_text())
    assert rec["provenance"]
    # the figures quoted in docs/teacher-student.md (peer s per unit; ours 8.6e-4 and 5.3e-4)
    assert rec["peer"]["mc"]["s"] / 8.6e-4 == pytest.approx(3.8, abs=0.1)  # rounded figures
    assert rec["peer"]["rs"]["s"] / 5.3e-4 == pytest.approx(18.6, abs=0.2)
