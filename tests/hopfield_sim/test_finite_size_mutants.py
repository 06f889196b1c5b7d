"""The argument checks of ``hopfield_sim.finite_size`` at their bounds, and the error
fallback of :func:`extrapolate` (issue 29, mutation testing). Exact fits: with ``nu`` fixed
the law is linear in ``(x_inf, a)``, so data on the law are fitted exactly."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim import finite_size as fs


def _check(**kw):
    args = {"N": 1, "bounds": (0.1, 0.2), "path": "alpha", "budget": 3, "min_samples": 1,
            "workers": 1}  # fmt: skip
    args.update(kw)
    return fs._check_locate(**args)


def test_locate_arguments_at_their_bounds_are_accepted():
    assert _check() == (0.1, 0.2)
    assert _check(path="T", workers=None, N=np.int64(5), budget=np.int64(3)) == (0.1, 0.2)
    assert _check(workers=np.int64(2), min_samples=2) == (0.1, 0.2)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"bounds": (0.2, 0.2)}, "bounds must be increasing"),
        ({"N": 0}, "N must be an integer >= 1"),
        ({"N": True}, "N must be an integer >= 1"),
        ({"N": 1.5}, "N must be an integer >= 1"),
        ({"budget": 2}, "budget must be an integer >= 3"),
        ({"min_samples": 0}, "min_samples must be an integer >= 1"),
        ({"workers": 0}, "workers must be an integer >= 1 or None"),
        ({"workers": -1}, "workers must be an integer >= 1 or None"),
        ({"workers": True}, "workers must be an integer >= 1 or None"),
        ({"workers": 2.0}, "workers must be an integer >= 1 or None"),
    ],
)
def test_locate_arguments_beyond_their_bounds(kw, match):
    with pytest.raises(ValueError, match=match):
        _check(**kw)


N3 = [100.0, 400.0, 1600.0]


def _law(N, x_inf=0.14, a=-0.3, nu=0.5):
    return x_inf + a * np.asarray(N) ** (-nu)


def test_extrapolate_smallest_valid_inputs():
    out = fs.extrapolate([100, 400], _law([100, 400]), [0.01, 0.01], bootstrap=2)
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-12) and out["dof"] == 0
    out = fs.extrapolate(N3, _law(N3), [0.01] * 3, nu=None, bootstrap=2)
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-6) and out["dof"] == 0
    # nu as an integer is a number too; replicates of the right length
    out = fs.extrapolate(N3, _law(N3, nu=1.0), [0.01] * 3, nu=1, bootstrap=2,
                         replicates=[[], [], []])  # fmt: skip
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-12) and out["dof"] == 1


@pytest.mark.parametrize(
    "args, kw, match",
    [
        (([100], [0.1], [0.01]), {}, "1-d of equal length >= 2"),
        (([[100, 400]], [[0.1, 0.1]], [[0.01, 0.01]]), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1, 0.1, 0.1], [0.01, 0.01]), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1, 0.1], [0.01]), {}, "1-d of equal length >= 2"),
        (([100, 400, 1600], [0.1, 0.1], [0.01, 0.01]), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1] * 3, [0.01] * 3), {}, "1-d of equal length >= 2"),
        (([100, 400], [0.1] * 2, [0.01] * 3), {}, "1-d of equal length >= 2"),
        (([100, 400, 1600], [0.1] * 2, [0.01] * 3), {}, "1-d of equal length >= 2"),
        (([100, 0], [0.1, 0.1], [0.01, 0.01]), {}, "N must be finite and > 0"),
        (([100, -400], [0.1, 0.1], [0.01, 0.01]), {}, "N must be finite and > 0"),
        (([100, np.inf], [0.1, 0.1], [0.01, 0.01]), {}, "N must be finite and > 0"),
        (([100, 400], [0.1, np.nan], [0.01, 0.01]), {}, "x_c finite"),
        (([100, 400], [0.1, 0.1], [0.01, 0.01]), {"nu": None}, "fitting nu needs at least 3"),
        (([100, 100, 400], [0.1] * 3, [0.01] * 3), {"nu": None}, "at least 3 distinct sizes"),
        (([100, 100], [0.1] * 2, [0.01] * 2), {}, "at least 2 distinct sizes"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": 0.0}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": -0.5}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": np.inf}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"nu": [0.5]}, "nu must be a finite number > 0"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"replicates": [[]]}, "one array per size"),
        (([100, 400], [0.1] * 2, [0.01] * 2), {"replicates": [[]] * 3}, "one array per size"),
    ],
)
def test_extrapolate_refuses(args, kw, match):
    with pytest.raises(ValueError, match=match):
        fs.extrapolate(*args, bootstrap=2, **kw)


def test_unusable_errors_take_the_largest_finite_one():
    """Errors of 0, < 0 or NaN are replaced by the largest finite error (0.02 here): the
    weighted fit then equals the fit with that error given."""
    y = _law(N3) + np.array([0.004, -0.003, 0.002])  # off the law: the weights matter
    ref = fs.extrapolate(N3, y, [0.01, 0.02, 0.02], bootstrap=2)
    for bad in (0.0, -0.02, np.nan):
        out = fs.extrapolate(N3, y, [0.01, 0.02, bad], bootstrap=2)
        for key in ("x_inf", "chi2", "x_inf_err"):
            assert out[key] == pytest.approx(ref[key], rel=1e-12), (bad, key)
    # no usable error at all: 1e-3 everywhere
    ref = fs.extrapolate(N3, y, [1e-3] * 3, bootstrap=2)
    out = fs.extrapolate(N3, y, [np.nan] * 3, bootstrap=2)
    assert out["chi2"] == pytest.approx(ref["chi2"], rel=1e-12)


def test_constant_replicates_give_no_spread():
    """Resampling replicates that all equal x_c(N): every bootstrap fit is the same."""
    y = _law(N3)
    out = fs.extrapolate(N3, y, [0.01] * 3, replicates=[[v] * 4 for v in y], bootstrap=20)
    assert out["x_inf_err"] == pytest.approx(0.0, abs=1e-12)
    assert fs.extrapolate(N3, y, [0.01] * 3, bootstrap=20)["x_inf_err"] > 1e-4


def test_extrapolate_options_are_keyword_only_and_one_is_a_size():
    with pytest.raises(TypeError):
        fs.extrapolate(N3, _law(N3), [0.01] * 3, None)
    out = fs.extrapolate([1, 400], _law([1, 400]), [0.01, 0.01], bootstrap=2)
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-12)


def test_pool_only_for_several_workers():
    assert fs._pool(None) is None and fs._pool(1) is None and fs._pool(0) is None
    pool = fs._pool(2)
    try:
        assert pool is not None and pool._max_workers == 2
    finally:
        pool.shutdown()


# --- the Monte Carlo drivers (tiny N, the P = 2 hebbian sampler the suite compiles anyway) ---


def _curie_weiss_m(N: int, T: float) -> float:
    """Exact <m | m > 0> of one pattern (P = 2, K = 1, no self-coupling) at N neurons:
    H = -(M^2 - N) / (2N) with M = N m, weighted by the binomial count of states."""
    from scipy.special import gammaln

    M = np.arange(-N, N + 1, 2)
    logw = gammaln(N + 1) - gammaln((N + M) / 2 + 1) - gammaln((N - M) / 2 + 1) + M**2 / (2 * N * T)
    w = np.exp(logw - logw.max()) * (M > 0)
    return float(np.sum(w * M / N) / np.sum(w))


CW_N = 200  # at alpha = 0.001 one pattern: alpha N = 0.2 rounds to K = 0, at least 1


def test_one_pattern_gives_the_exact_curie_weiss_overlap_on_both_paths():
    """K = max(1, round(alpha N)) = 1 at alpha = 0.001, N = 200: the Curie-Weiss model. Started
    in the pattern at T = 0.7 < 1 the chain stays in the m > 0 state, whose exact finite-N
    mean is 0.822; at T = 3 (paramagnet) the mean is 0 (std of a 200-sweep mean ~0.01)."""
    exact = _curie_weiss_m(CW_N, 0.7)
    assert exact == pytest.approx(0.822, abs=1e-3)  # m = tanh(m / T) gives 0.84 at N = inf
    on_T = fs.retrieval_overlap(CW_N, 0.7, path="T", fixed=0.001, sweeps=200, burn_in=50)
    on_alpha = fs.retrieval_overlap(CW_N, 0.001, fixed=0.7, sweeps=200, burn_in=50, seed=1)
    hot = fs.retrieval_overlap(CW_N, 0.001, fixed=3.0, sweeps=200, burn_in=50, seed=2)
    assert on_T == pytest.approx(exact, abs=0.015)
    assert on_alpha == pytest.approx(exact, abs=0.015)
    assert abs(hot) < 0.05


class _Drawn(Exception):
    pass


@pytest.mark.parametrize(
    "N, x, path, fixed, P, K",
    [
        (20, 0.001, "alpha", 0.1, 2, 1),  # alpha N = 0.02: at least one pattern
        (20, 0.1, "alpha", 0.1, 2, 2),
        (20, 0.3, "T", 0.1, 2, 2),  # path T: the load is ``fixed``
        (20, 0.01, "alpha", 0.1, 3, 4),  # alpha N^2
        (10, 0.024, "alpha", 0.1, 4, 24),  # alpha N^3
    ],
)
def test_number_of_patterns_is_the_load_times_n_to_the_p_minus_1(N, x, path, fixed, P, K,
                                                                  monkeypatch):  # fmt: skip
    import montecarlo

    drawn = []

    def archetypes(k, n, **kw):
        drawn.append((k, n))
        raise _Drawn

    monkeypatch.setattr(montecarlo, "archetypes", archetypes)
    with pytest.raises(_Drawn):
        fs.retrieval_overlap(N, x, path=path, fixed=fixed, P=P)
    assert drawn == [(K, N)]


def test_locate_with_the_sampler_and_its_defaults():
    """The Monte Carlo measure of ``locate_transition`` (default P = 2): at T = 0.5 the one
    pattern is retrieved with the exact Curie-Weiss overlap 0.956, at T >= 1.75 not; every
    sample is ``retrieval_overlap`` of its point and number."""
    tr = fs.locate_transition(CW_N, bounds=(0.5, 3.0), fixed=0.001, path="T", budget=3,
                              min_samples=1, bootstrap=10, seed=4, sweeps=200,
                              burn_in=50)  # fmt: skip
    assert sorted(tr.x) == [0.5, 1.75, 3.0]
    got = dict(zip(tr.x, tr.m))
    assert got[0.5] == pytest.approx(_curie_weiss_m(CW_N, 0.5), abs=0.01)
    assert abs(got[1.75]) < 0.1 and abs(got[3.0]) < 0.1
    again = fs.retrieval_overlap(CW_N, 0.5, path="T", fixed=0.001, sweeps=200, burn_in=50,
                                 seed=4, sample=0)  # fmt: skip
    assert got[0.5] == again


def _synthetic(N, x, k):
    """Retrieves (m = 1) with probability step(x; 0.2, 0.02), else m = 0.3."""
    rng = np.random.default_rng([N, int(round(x * 1e9)), k])
    return 1.0 if rng.random() < fs.step(x, 0.2, 0.02) else 0.3


def test_locate_defaults_budget_and_bootstrap():
    """``budget // min_samples`` points (default budget 160: 22 points of 7 samples) and
    ``bootstrap`` = 200 refits, kept or counted as failed."""
    tr = fs.locate_transition(1000, bounds=(0.05, 0.4), fixed=0.1, min_samples=7,
                              measure=_synthetic)  # fmt: skip
    assert tr.x.size == 7 * (160 // 7) and tr.m.size == tr.x.size
    assert tr.fit.replicates.size + tr.fit.n_failed == 200


def test_locate_through_a_pool_gives_the_samples_of_one_process(monkeypatch):
    """The pool route (``workers`` >= 2), with threads standing in for the processes: the
    same points and overlaps as in one process."""
    from concurrent.futures import ThreadPoolExecutor

    kw = dict(bounds=(0.05, 0.4), fixed=0.1, budget=12, min_samples=3, bootstrap=5,
              measure=fs_synthetic_k)  # fmt: skip
    one = fs.locate_transition(1000, **kw)
    pools = []

    def pool(workers):
        if workers is None or workers <= 1:
            return None
        pools.append(ThreadPoolExecutor(int(workers)))
        return pools[-1]

    monkeypatch.setattr(fs, "_pool", pool)
    two = fs.locate_transition(1000, workers=2, **kw)
    assert len(pools) == 1 and pools[0]._shutdown
    np.testing.assert_array_equal(two.x, one.x)
    np.testing.assert_array_equal(two.m, one.m)


def fs_synthetic_k(N, x, k):
    """A step at x = 0.2 whose overlap also records the sample number k."""
    return (1.0 if x < 0.2 else 0.3) + 0.01 * k


def test_free_exponent_error_is_the_linearly_propagated_one():
    """Exact data with small errors e: the bootstrap spread of the fitted nu equals the
    linear propagation sqrt((J^T J)^-1)[nu, nu], J = d(model)/d(x_inf, a, nu) / e (0.010
    here; the spread of a is 0.024, of x_inf 0.0005)."""
    Ns = np.array([100.0, 400.0, 1600.0, 6400.0])
    e = np.full(4, 2e-4)
    a, nu = 0.6, 0.5
    out = fs.extrapolate(Ns, _law(Ns, a=a), e, nu=None, bootstrap=100, seed=1)
    J = np.stack([np.ones(4), Ns**-nu, -a * np.log(Ns) * Ns**-nu], axis=1) / e[:, None]
    sd = np.sqrt(np.diag(np.linalg.inv(J.T @ J)))
    assert out["nu_err"] == pytest.approx(sd[2], rel=0.3)
    assert out["x_inf_err"] == pytest.approx(sd[0], rel=0.3)


def test_many_sizes_with_replicates():
    """257 sizes (more than CPython caches as small integers) with one replicate array each."""
    Ns = np.arange(100.0, 357.0)
    y = _law(Ns)
    out = fs.extrapolate(Ns, y, np.full(Ns.size, 0.01), replicates=[[v] for v in y], bootstrap=2)
    assert out["x_inf"] == pytest.approx(0.14, abs=1e-12) and out["x_inf_err"] == 0.0


def test_learner_is_told_the_retrieval_fraction_of_each_point(monkeypatch):
    """What the adaptive learner sees at x: the fraction of the samples at x with
    ``m >= m_cut`` (an overlap equal to the cut retrieves), recomputed from the samples."""
    import adaptive

    learners = []

    class Recording(adaptive.Learner1D):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            learners.append(self)

    def measure(N, x, k):  # samples 0, 1 sit on the cut below x = 0.2, sample 2 never retrieves
        return (0.8 if k < 2 else 0.1) if x < 0.2 else 0.3

    monkeypatch.setattr(adaptive, "Learner1D", Recording)
    tr = fs.locate_transition(1000, bounds=(0.05, 0.4), fixed=0.1, budget=15, min_samples=3,
                              m_cut=0.8, bootstrap=5, measure=measure)  # fmt: skip
    (learner,) = learners
    assert len(learner.data) == 5
    for x, told in learner.data.items():
        here = tr.m[tr.x == x]
        assert here.size == 3 and told == np.mean(here >= 0.8)
        assert told == (2 / 3 if x < 0.2 else 0.0)


def test_one_sample_is_one_chain_from_the_pattern_with_the_default_sweeps(monkeypatch):
    """The run behind a sample (docstring): one chain, started in pattern 1, at the path's T,
    ``burn_in`` = 20 discarded and ``sweeps`` = 20 recorded sweeps by default; the result
    is that chain's overlap with pattern 1."""
    import montecarlo

    runs = []
    real = montecarlo.DenseHebbianNetwork.sample

    def sample(self, **kw):
        runs.append(kw)
        out = real(self, **kw)
        runs.append(float(out["m"].values[0, 0]))
        return out

    monkeypatch.setattr(montecarlo.DenseHebbianNetwork, "sample", sample)
    got = fs.retrieval_overlap(20, 0.3, path="T", fixed=0.05)
    kw, m = runs
    assert (kw["T"], kw["sweeps"], kw["burn_in"], kw["chains"]) == (0.3, 20, 20, 1)
    assert kw["init"] == "archetype" and got == m


def test_locate_options_are_keyword_only():
    with pytest.raises(TypeError):
        fs.locate_transition(100, (0.05, 0.4), 0.1, measure=_synthetic)
    tr = fs.locate_transition(N=100, bounds=(0.05, 0.4), fixed=0.1, budget=3, min_samples=1,
                              bootstrap=2, measure=_synthetic)  # fmt: skip
    assert tr.N == 100 and tr.x.size == 3
    bare = fs.Transition(N=tr.N, path=tr.path, fit=tr.fit, x=tr.x, m=tr.m)
    assert bare.seconds == 0.0 and bare.m_cut == 0.5 and tr.seconds > 0.0
