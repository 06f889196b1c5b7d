"""Input checks and starting points of the multitasking solver (theory.multitasking.inputs)
against the documented bounds, messages and defaults, and the derived quantities (rho from
(r, M), the configuration counts of the memory estimate, the starting nbar of each branch)
against their formulas written out here (issue 29, mutation testing). No JAX call.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import theory.multitasking.inputs as I
from theory import _memory
from theory._gaussian import NODES_PER_AVERAGE


def _v(K=2, d=0.3, **kw):
    """``validate_inputs`` with the defaults of ``theory.multitasking.solve``."""
    args = dict(
        beta=None, T=0.5, rho=0.0, r=None, M=None, finite_M=False, branch="hierarchical",
        order=None, average="exact", samples=20_000, seed=None, nodes=96, tol=1e-12,
        max_iter=3000,
    )  # fmt: skip
    args.update(kw)
    return I.validate_inputs(K, d, **args)


# ---------------------------------------------------------------- K, d, positive integers


def test_pattern_count_bounds_and_types():
    assert I.pattern_count(1) == 1 and type(I.pattern_count(np.int64(3))) is int
    with pytest.raises(ValueError, match=r"^K must be an integer >= 1; got K=0\. K is the"):
        I.pattern_count(0)
    for bad in (True, 2.0, "2"):
        with pytest.raises(TypeError, match=r"^K must be an integer >= 1; got "):
            I.pattern_count(bad)


def test_dilution_is_half_open_unit_interval():
    assert float(I.dilution(0.0)) == 0.0 and float(I.dilution(0.999)) == 0.999
    for bad in (1.0, -1e-12):
        with pytest.raises(ValueError, match=r"^d must lie in \[0, 1\).*dilution"):
            I.dilution(bad)


def test_positive_integer():
    assert I._positive_integer("x", 1) == 1 and type(I._positive_integer("x", np.int32(2))) is int
    with pytest.raises(ValueError, match=r"^M must be an integer >= 1 \(ex\); got M=0\.$"):
        I._positive_integer("M", 0, " (ex)")
    with pytest.raises(ValueError, match=r"^x must be an integer >= 1; got x=2\.0\.$"):
        I._positive_integer("x", 2.0)
    for bad in (True, np.bool_(True), "3", b"3"):
        with pytest.raises(TypeError, match=r"^x must be an integer >= 1; got "):
            I._positive_integer("x", bad)


def test_power_in_messages():
    assert I._power(3, 39) == str(3**39)
    assert I._power(3, 40) == f"3^40 ~ 1e{round(40 * math.log10(3))}" == "3^40 ~ 1e19"


def test_at_most_1d():
    assert I._at_most_1d("d", [0.1, 0.2]).dtype == np.float64
    with pytest.raises(ValueError, match=r"^d must be a scalar or a 1-D array; got shape \(1, 2\)"):
        I._at_most_1d("d", [[0.1, 0.2]])


# ---------------------------------------------------------------- data law (r, M)


def test_data_law_rho_from_r_and_M():
    """rho = (1 - r^2) / (M r^2) (docs/models.md §6)."""
    for r, M in ((0.5, 2), (0.3, 7), (1.0, 1)):
        rho, fin = I._data_law(2, 0.0, r, M, False, "exact")
        assert fin is None and rho == pytest.approx((1 - r * r) / (M * r * r), rel=1e-15)
    rho, fin = I._data_law(2, 0.0, 0.5, 3, True, "exact")
    assert rho == pytest.approx(0.75 / 0.75) and fin == (3, 0.5) and type(fin[0]) is int
    assert I._data_law(2, 0.4, None, None, False, "exact") == (0.4, None)


def test_data_law_errors():
    with pytest.raises(ValueError, match=r"^finite_M=True needs the example quality r"):
        I._data_law(2, 0.0, None, None, True, "exact")
    for r, M in ((0.5, None), (None, 2)):
        with pytest.raises(ValueError, match=r"^give both r and M \(or rho alone\)"):
            I._data_law(2, 0.0, r, M, False, "exact")
    with pytest.raises(ValueError, match=r"^give rho or \(r, M\), not both"):
        I._data_law(2, 0.1, 0.5, 2, False, "exact")
    with pytest.raises(ValueError, match=r"^r must lie in"):
        I._data_law(2, 0.0, 0.0, 2, False, "exact")
    with pytest.raises(ValueError, match=r"^r must lie in"):
        I._data_law(2, 0.0, 1.0 + 1e-12, 2, False, "exact")
    with pytest.raises(ValueError, match=r"^M must be an integer >= 1 \(examples per pattern\)"):
        I._data_law(2, 0.0, 0.5, 0, False, "exact")
    with pytest.raises(ValueError, match=r"^finite_M=True needs average='exact'\.$"):
        I._data_law(2, 0.0, 0.5, 2, True, "sampled")


def test_finite_M_table_bound():
    """(2M+3)^K <= 2e6: 5^9 = 1953125 passes, 5^10 and 7^8 = 5764801 do not."""
    assert I._data_law(9, 0.0, 0.5, 1, True, "exact")[1] == (1, 0.5)
    assert I._data_law(7, 0.0, 0.5, 2, True, "exact")[1] == (2, 0.5)  # 7^7 = 823543
    for K, M, size in ((10, 1, 5**10), (8, 2, 7**8)):
        msg = rf"needs \(2M\+3\)\^K = {size} configurations \(at most 2000000\)"
        with pytest.raises(ValueError, match=msg):
            I._data_law(K, 0.0, 0.5, M, True, "exact")
    with pytest.raises(ValueError, match=r"= inf configurations"):  # 10 log10(2003) > 30
        I._data_law(10, 0.0, 0.5, 1000, True, "exact")


# ---------------------------------------------------------------- order and branch


def test_order_and_start():
    o, s = I._order_and_start(3, None, "pure")
    assert o.tolist() == [0, 1, 2] and s == "pure"
    o, s = I._order_and_start(3, [2, 0, 1], "symmetric")
    assert o.tolist() == [2, 0, 1] and s == "symmetric"
    o, s = I._order_and_start(2, None, [0.1, 0.2])
    assert s.tolist() == [0.1, 0.2]
    for bad in ([0, 0, 1], [0, 1], [1, 2, 3]):
        with pytest.raises(ValueError, match=r"^order must be a permutation of range\(K=3\)"):
            I._order_and_start(3, bad, "pure")
    with pytest.raises(ValueError, match=r"^branch must be one of 'hierarchical', 'symmetric'"):
        I._order_and_start(2, None, "mixed")
    with pytest.raises(
        ValueError, match=r"initial nbar of shape \(K,\) = \(2,\); got shape \(3,\)"
    ):
        I._order_and_start(2, None, [0.1, 0.2, 0.3])


def test_uniforms_from_seed():
    u = I._uniforms(5, 4, 3)
    ref = np.random.default_rng(np.random.SeedSequence(5)).random((4, 3))
    assert np.array_equal(u, ref)
    ss = np.random.SeedSequence(11)
    ref = np.random.default_rng(np.random.SeedSequence(11)).random((2, 2))
    assert np.array_equal(I._uniforms(ss, 2, 2), ref)


# ---------------------------------------------------------------- memory estimate


@pytest.fixture
def need(monkeypatch):
    """The byte count handed to ``_memory.check``."""
    got = []
    monkeypatch.setattr(I._memory, "check", lambda n, what: got.append((n, what)))
    return got


@pytest.mark.parametrize(
    "kw, points, configs, nodes, extra",
    [
        (dict(K=3, d=[0.1, 0.2], T=[0.5, 0.6, 0.7]), 6, (27 + 1) // 2, 1, 0.0),
        (dict(K=3, d=0.1, rho=[0.0, 0.5]), 2, 14, NODES_PER_AVERAGE, 0.0),
        (dict(K=2, d=0.1, rho=[0.0, 0.0]), 2, 5, 1, 0.0),
        (dict(K=2, d=0.1, r=0.5, M=1, finite_M=True), 1, (25 + 1) // 2, 1, 0.0),
        (dict(K=2, d=0.1, r=0.5, M=3, finite_M=True), 1, (81 + 1) // 2, 1, 0.0),
        (dict(K=3, d=0.1, average="sampled", samples=100, seed=1), 1, 100, 1, 2.0 * 8 * 100 * 3),
    ],
)
def test_memory_estimate(need, kw, points, configs, nodes, extra):
    _v(**kw)
    ((n, what),) = need
    ref = _memory.multitasking_bytes(points=points, K=kw["K"], configs=configs, nodes=nodes)
    assert n == ref + extra
    assert what.startswith(f"theory.multitasking.solve(K={kw['K']}, average=")
    assert what.endswith(f"on {points} grid points")


def test_memory_refusal_raises_before_solving(monkeypatch):
    monkeypatch.setenv(_memory.ENV, "1kB")
    with pytest.raises(ValueError, match=r"theory\.multitasking\.solve\(K=2"):
        _v()


# ---------------------------------------------------------------- validate_inputs


def test_exact_average_bound():
    assert _v(K=10).K == 10  # 3^10 configurations: allowed
    msg = r"^K=11 is too large for the exact average over the 3\^K = 177147 ternary"
    with pytest.raises(ValueError, match=msg + r".*exact needs K <= 10"):
        _v(K=11)
    with pytest.raises(ValueError, match=r"^average must be one of 'exact', 'sampled'"):
        _v(average="mean")


def test_sampled_needs_seed_and_samples():
    with pytest.raises(ValueError, match=r"^average='sampled' needs a seed"):
        _v(average="sampled")
    with pytest.raises(ValueError, match=r"^samples must be an integer >= 1; got samples=0"):
        _v(average="sampled", seed=1, samples=0)
    inp = _v(K=11, average="sampled", seed=3, samples=5)  # K > 10 is fine when sampled
    assert np.array_equal(inp.sample_u, np.random.default_rng(3).random((5, 11)))
    assert inp.attrs["samples"] == 5 and inp.attrs["seed"] == "3"
    ss = np.random.SeedSequence(1234)
    assert _v(average="sampled", seed=ss, samples=2).attrs["seed"] == "1234"
    assert _v().sample_u is None and "samples" not in _v().attrs and "seed" not in _v().attrs


def test_tol_max_iter_nodes():
    assert _v(tol=0.5).tol == 0.5 and type(_v(tol=1e-3).tol) is float
    for bad in (0.0, 1.0, 1, -1e-3, True, "1e-9"):
        with pytest.raises(ValueError, match=r"^tol must be a float in \(0, 1\); got tol="):
            _v(tol=bad)
    assert _v(max_iter=1).max_iter == 1
    with pytest.raises(ValueError, match=r"^max_iter must be an integer >= 1; got max_iter=0"):
        _v(max_iter=0)
    with pytest.raises(ValueError, match=r"^nodes must be an integer >= 1; got nodes=0"):
        _v(nodes=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _v(nodes=96)
    with pytest.warns(DeprecationWarning, match=r"^nodes is no longer used"):
        inp = _v(nodes=40)
    assert inp.attrs["nodes"] == 40
    with pytest.warns(DeprecationWarning, match=r"^nodes is no longer used"):
        inp = _v(nodes=200)  # any value other than the default, above it too
    assert inp.attrs["nodes"] == 200


def test_grid_layout_T_axis():
    d, T, rho = [0.1, 0.2], [0.5, 0.25, 0.125], 0.3
    inp = _v(d=d, T=T, rho=rho)
    assert inp.grid_shape == (2, 3) and inp.grid_dims == ("d", "T")
    dd, tt = np.meshgrid(d, T, indexing="ij")
    assert np.array_equal(inp.d, dd.ravel())
    assert np.allclose(inp.beta, 1.0 / tt.ravel(), rtol=1e-15)
    assert np.array_equal(inp.rho, np.full(6, rho))
    c = inp.coords
    assert c["d"][0] == ("d",) and np.array_equal(c["d"][1], d)
    assert c["T"][0] == ("T",) and np.array_equal(c["T"][1], T)
    assert c["beta"][0] == ("T",) and np.allclose(c["beta"][1], [2.0, 4.0, 8.0], rtol=1e-15)
    assert c["rho"][0] == () and float(c["rho"][1]) == rho
    assert c["pattern"][0] == "pattern" and c["pattern"][1].tolist() == [0, 1]


def test_grid_layout_beta_axis_and_defaults():
    inp = _v(d=0.2, T=None, beta=[1.0, 4.0], rho=[0.0, 0.5])
    assert inp.grid_shape == (2, 2) and inp.grid_dims == ("beta", "rho")
    assert np.array_equal(inp.beta, [1.0, 1.0, 4.0, 4.0])
    assert np.array_equal(inp.rho, [0.0, 0.5, 0.0, 0.5]) and np.array_equal(inp.d, [0.2] * 4)
    assert inp.coords["T"][0] == ("beta",) and np.allclose(inp.coords["T"][1], [1.0, 0.25])
    assert inp.coords["d"][0] == ()
    s = _v(d=0.2, T=0.5)
    assert s.grid_shape == () and s.coords["beta"][0] == () and float(s.beta[0]) == 2.0
    assert s.finite_M is None and s.tol == 1e-12 and s.max_iter == 3000  # documented defaults
    for name, bad in (("d", [[0.1]]), ("rho", [[0.1]]), ("T", [[0.5]])):
        with pytest.raises(ValueError, match=rf"^{name} must be a scalar or a 1-D array"):
            _v(**{"d": 0.1, "T": 0.5, name: bad})
    with pytest.raises(ValueError, match=r"^rho must lie in \[0, "):
        _v(rho=-1e-12)


def test_constraint_branch_and_attrs():
    for branch, constraint in (("symmetric", "symmetric"), ("pure", "pure"),
                               ("hierarchical", "none"), ("paramagnet", "none")):  # fmt: skip
        inp = _v(branch=branch)
        assert inp.constraint == constraint and inp.attrs["branch"] == branch
    inp = _v(branch=[0.3, 0.1], order=[1, 0])
    assert inp.constraint == "none" and inp.attrs["branch"] == "explicit"
    assert inp.attrs["order"] == [1, 0] and inp.order.tolist() == [1, 0]
    a = _v(K=3, tol=1e-6, max_iter=7).attrs
    assert a["model"] == "multitasking" and a["K"] == 3 and a["average"] == "exact"
    assert a["nodes"] == 96 and a["tol"] == 1e-6 and a["max_iter"] == 7
    assert a["equations"] == "docs/models.md §6 (RS, P=2)" and a["data_law"] == "none"
    assert a["numpy_version"] == np.__version__ and "r" not in a and "M" not in a


def test_data_law_attrs():
    assert _v(rho=[0.0, 0.0]).attrs["data_law"] == "none"
    assert _v(rho=[0.0, 0.1]).attrs["data_law"] == "large-M Gaussian"
    a = _v(r=0.5, M=2).attrs
    assert a["data_law"] == "large-M Gaussian" and a["r"] == 0.5 and a["M"] == 2
    inp = _v(r=0.5, M=2, finite_M=True)
    assert inp.attrs["data_law"] == "finite_M (exact binomial)" and inp.finite_M == (2, 0.5)
    assert np.allclose(inp.rho, 0.75 / 0.5)
    assert _v(r=1.0, M=2, finite_M=True).attrs["data_law"] == "none"  # r = 1: rho = 0


# ---------------------------------------------------------------- initial guess


def test_initial_guess_each_branch():
    """symmetric: (1-d)/(1+rho) on every pattern; pure: 1/(1+rho) on order[0]; hierarchical:
    (1-d) d^k / (1+rho) on pattern order[k], the first at least 1e-3 / (1+rho)."""
    d, rho = np.array([0.2, 0.9995]), 0.5
    s = 1.0 / (1.0 + rho)
    n, keep = I.initial_guess(_v(K=3, d=d, rho=rho, branch="symmetric", order=[2, 0, 1]))
    assert keep.tolist() == [0.0, 0.0, 1.0]
    assert np.allclose(n, s * (1 - d)[:, None] * np.ones((2, 3)), rtol=1e-15)
    n, _ = I.initial_guess(_v(K=3, d=d, rho=rho, branch="pure", order=[1, 2, 0]))
    assert np.array_equal(n, s * np.array([[0.0, 1.0, 0.0]] * 2))
    n, _ = I.initial_guess(_v(K=3, d=d, rho=rho, branch="paramagnet"))
    assert np.array_equal(n, np.zeros((2, 3)))
    n, keep = I.initial_guess(_v(K=3, d=d, rho=rho, order=[1, 2, 0]))
    assert keep.tolist() == [0.0, 1.0, 0.0]
    for g, dg in enumerate(d):
        ref = np.zeros(3)
        for k, pattern in enumerate([1, 2, 0]):
            ref[pattern] = (1 - dg) * dg**k
        ref[1] = max(ref[1], 1e-3)
        assert np.allclose(n[g], s * ref, rtol=1e-14)
    assert n[1, 1] == pytest.approx(s * 1e-3, rel=1e-15)  # the floor is active at d = 0.9995
    n, keep = I.initial_guess(_v(K=2, d=[0.1, 0.2, 0.3], branch=[0.4, -0.1]))
    assert np.array_equal(n, [[0.4, -0.1]] * 3) and keep.tolist() == [1.0, 0.0]
    n[0, 0] = 9.0  # a copy, not a view of the start
    assert np.array_equal(I.initial_guess(_v(K=2, d=[0.1, 0.2], branch=[0.4, -0.1]))[0][0],
                          [0.4, -0.1])  # fmt: skip
