"""Edge cases of the error-bar estimators, by hand (issue 29, from mutation testing):
traces too short to estimate anything, the shortest blocking levels, constant series."""

from __future__ import annotations

import numpy as np
import pytest

from montecarlo.observables import blocking_error, integrated_autocorrelation_time, mean_and_error


def test_single_sample_traces_keep_their_leading_shape():
    x = np.arange(12.0).reshape(3, 4, 1)
    tau = integrated_autocorrelation_time(x)
    assert tau.shape == (3, 4)
    np.testing.assert_array_equal(tau, np.full((3, 4), 0.5))
    assert integrated_autocorrelation_time(np.ones((5, 1))).shape == (5,)
    # no blocking of a single sample: no error
    one = blocking_error(np.ones((2, 1)))
    assert one.shape == (2,)
    np.testing.assert_array_equal(one, [0.0, 0.0])
    mean, err, tau = mean_and_error(x)
    np.testing.assert_array_equal(mean, x[..., 0])
    assert err.shape == (3, 4) and np.isnan(err).all()
    np.testing.assert_array_equal(tau, np.full((3, 4), 0.5))


def test_two_samples():
    x = np.array([[1.0, 3.0], [2.0, -2.0]])
    # tau: the window cannot open on one lag: 1/2 + rho(1), rho(1) = -1/2 for two points
    np.testing.assert_allclose(integrated_autocorrelation_time(x), [0.5, 0.5])
    # blocking: blocks of one sample, std(ddof=1) / sqrt(2) = |x0 - x1| / 2
    np.testing.assert_allclose(blocking_error(x), [1.0, 2.0])


def test_blocking_levels_down_to_min_blocks():
    """Block sizes 1, 2, 4 (8, 4, 2 blocks with min_blocks = 2): the largest standard error of
    the block means, every level computed by hand."""
    x = np.array([0.0, 1.0, 0.0, 1.0, 5.0, 6.0, 5.0, 6.0])

    def level(size):
        means = x.reshape(-1, size).mean(axis=1)
        return means.std(ddof=1) / np.sqrt(means.size)

    expected = max(level(1), level(2), level(4))
    assert expected == level(4) > level(2) > level(1)  # the last level (2 blocks) decides
    np.testing.assert_allclose(blocking_error(x, min_blocks=2), expected, rtol=1e-14)
    np.testing.assert_allclose(blocking_error(x, min_blocks=3), max(level(1), level(2)))


def test_constant_and_flat_blocks_have_zero_error():
    np.testing.assert_array_equal(blocking_error(np.full((2, 64), 3.0)), [0.0, 0.0])
    mean, err, tau = mean_and_error(np.full(100, -1.5))
    assert mean == -1.5 and err == 0.0 and tau == 0.5


def test_constant_series_whose_mean_rounds_has_tau_one_half():
    """0.7 repeated 50 times: NumPy's mean differs from 0.7 by 2e-16, so the deviations are
    tiny but not zero; a constant series still has no measurable correlation."""
    x = np.full(50, 0.7)
    assert x.mean() != 0.7  # the case guarded against
    assert integrated_autocorrelation_time(x) == 0.5
    np.testing.assert_array_equal(integrated_autocorrelation_time(np.full((2, 50), 0.7)), 0.5)


def test_units_of_the_trace_scale_the_error_only():
    """Error bars are in the units of the trace; tau is a number of steps: rescaling the
    trace by c rescales err by |c| and leaves mean / c and tau unchanged (exactly, up to
    rounding), for variances below and above 1."""
    rng = np.random.default_rng(11)
    x = np.cumsum(rng.standard_normal((3, 512)), axis=1) * 0.05 + rng.standard_normal((3, 512))
    m1, e1, t1 = mean_and_error(x)
    for c in (0.01, 0.3, -7.0):
        m, e, t = mean_and_error(c * x)
        np.testing.assert_allclose(m, c * m1, rtol=1e-12)
        np.testing.assert_allclose(e, abs(c) * e1, rtol=1e-10)
        np.testing.assert_allclose(t, t1, rtol=1e-10)
    assert t1.max() > 2.0  # correlated enough for tau to matter


def test_window_that_never_closes():
    """Short constant traces: tau(W) = 1/2 for every W and the window W >= 5 tau never
    closes (W <= 2); tau is then that of the last lag, 1/2."""
    for n in (2, 3):
        np.testing.assert_array_equal(integrated_autocorrelation_time(np.ones((2, n))), 0.5)
    # a ramp: summed over every lag, the autocorrelation of a centred series is -1/2, so
    # tau(W) falls to 0 at the last lag; the estimate is the first W >= 5 tau(W), by hand
    x = np.arange(12.0)
    y = x - x.mean()
    rho = np.array([np.dot(y[: y.size - t], y[t:]) / np.dot(y, y) for t in range(1, y.size)])
    assert rho.sum() == pytest.approx(-0.5, abs=1e-12)
    tau = 0.5 + np.cumsum(rho)
    W = np.arange(1, 12)
    expected = max(tau[np.argmax(W >= 5.0 * tau)], 0.5)
    np.testing.assert_allclose(integrated_autocorrelation_time(x), expected, rtol=1e-12)


def test_pair_indices_lists_every_pair_once():
    from montecarlo.observables import pair_indices

    a, b = pair_indices(4)
    assert list(zip(a.tolist(), b.tolist())) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    assert a.dtype == b.dtype == np.int64
    assert pair_indices(1)[0].size == 0


def test_mean_and_error_of_two_and_three_samples_by_hand():
    """n = 2: tau = 1/2 and err = std(ddof=1) / sqrt(2) = |x0 - x1| / 2; n = 3 with
    lag-1 correlation -2/3 (a V shape): tau = 1/2 and err = std(ddof=1) / sqrt(3)."""
    mean, err, tau = mean_and_error(np.array([1.0, 3.0]))
    assert (mean, err, tau) == (2.0, 1.0, 0.5)
    x = np.array([0.0, 3.0, 0.0])
    mean, err, tau = mean_and_error(x)
    assert mean == 1.0 and tau == pytest.approx(0.5)
    assert err == pytest.approx(np.sqrt(3.0 / 3.0), rel=1e-12)  # var(ddof=1) = 3


def test_default_blocking_needs_32_blocks():
    """62 samples in equal pairs: blocks of 2 would give 31 blocks, one short of the default
    32, so only single samples count; with min_blocks = 31 the pairs count (and their error,
    sqrt(2) larger, wins)."""
    x = np.repeat(np.random.default_rng(12).standard_normal(31), 2)

    def level(size):
        means = x.reshape(-1, size).mean(axis=1)
        return means.std(ddof=1) / np.sqrt(means.size)

    assert level(2) > level(1)
    np.testing.assert_allclose(blocking_error(x), level(1), rtol=1e-14)
    np.testing.assert_allclose(blocking_error(x, min_blocks=31), level(2), rtol=1e-14)
    # 64 samples in pairs: 32 blocks of 2, enough at the default
    x = np.repeat(np.random.default_rng(13).standard_normal(32), 2)
    assert level(2) > level(1)
    np.testing.assert_allclose(blocking_error(x), level(2), rtol=1e-14)
    np.testing.assert_allclose(blocking_error(x, min_blocks=33), level(1), rtol=1e-14)


def test_keyword_conventions():
    """The trace is positional or keyword; the options are keyword-only."""
    x = np.random.default_rng(14).standard_normal(100)
    assert integrated_autocorrelation_time(trace=x) == integrated_autocorrelation_time(x)
    assert blocking_error(trace=x) == blocking_error(x)
    with pytest.raises(TypeError):
        integrated_autocorrelation_time(x, 3.0)
    with pytest.raises(TypeError):
        blocking_error(x, 8)


def test_split_rhat_of_the_shortest_chains_by_hand():
    """Two chains of 4 records, split into four halves of n = 2: half means 1, 2, 1, 3 (their
    variance B/n = 11/12), within-half variances 2, 2, 0, 2 (W = 3/2), so
    R = sqrt(((n - 1)/n W + B/n) / W) = sqrt((3/4 + 11/12) / (3/2)) = sqrt(10/9)."""
    from montecarlo.observables import split_rhat

    trace = np.array([[0.0, 2.0, 1.0, 3.0], [1.0, 1.0, 4.0, 2.0]])
    r = np.sqrt(10 / 9)
    assert split_rhat(trace) == pytest.approx(r, rel=1e-14)
    assert split_rhat(trace.T, chain_axis=1) == pytest.approx(r, rel=1e-14)
    # an odd record count drops the middle record: the same halves, the same R
    odd = np.insert(trace, 2, [7.0, -5.0], axis=1)
    assert split_rhat(odd) == pytest.approx(r, rel=1e-14)
    # one R per observable (chains, observables, time); R is invariant under x -> a x + b
    # (a = 1/2: W = 3/8 < 1)
    both = np.stack([trace, 0.5 * trace + 1.0], axis=1)
    np.testing.assert_allclose(split_rhat(both), [r, r], rtol=1e-14)
    with pytest.raises(ValueError, match="at least 4 records per chain; got 3"):
        split_rhat(np.zeros((2, 5, 3)))
