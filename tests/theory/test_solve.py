"""theory.solve: input validation, labelled output, convergence flags, scoped float64."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import theory
from theory.solve import ConvergenceWarning


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(P=1, T=0.5), r"P must be an integer >= 2; got P=1"),
        (dict(P=0, T=0.5), r"P must be an integer >= 2; got P=0"),
        (dict(T=0.5, alpha=-0.1), r"alpha must lie in \[0, inf\); got alpha=-0.1"),
        (dict(T=-1.0), r"T must lie in \[0, inf\); got T=-1.0"),
        (dict(protocol="supervised", T=0.5, rho=-1.0), r"rho must lie in \[0, inf\)"),
        (dict(protocol="supervised", T=0.5, r=1.3, M=10), r"r must lie in \(0, 1\]; got r=1.3"),
        (dict(protocol="supervised", T=0.5, r=0.5, M=0.5), r"M must lie in \[1, inf\)"),
        (dict(protocol="supervized", T=0.5), r"protocol must be one of 'hebbian'"),
        (dict(T=0.5, level="2RSB"), r"level must be one of 'RS', '1RSB'"),
        (dict(T=0.5, branch="mixture"), r"branch must be one of 'retrieval'"),
        (dict(), r"give exactly one of beta and T"),
        (dict(beta=1.0, T=1.0), r"give exactly one of beta and T"),
        (dict(T=float("nan")), r"T must lie in"),
        (dict(T=0.5, rho=0.1), r"protocol='hebbian' has no dataset"),
        (dict(protocol="supervised", T=0.5, r=0.5), r"give r and M together"),
        (dict(protocol="supervised", T=0.5, r=0.5, M=2.5, finite_M=True), r"M must be an integer"),
        (dict(T=[[0.1, 0.2]]), r"T must be a scalar or a 1-D array"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, match):
    protocol = kwargs.pop("protocol", "hebbian")
    with pytest.raises(ValueError, match=match):
        theory.solve(protocol, **kwargs)


def test_wrong_kind_is_type_error():
    with pytest.raises(TypeError, match="P must be an integer"):
        theory.solve(P=2.0, T=0.5)


def test_dims_coords_and_attrs():
    ds = theory.solve("supervised", P=2, T=[0.0, 0.5], alpha=[0.0, 0.05, 0.1], rho=0.1)
    assert ds.m.dims == ("T", "alpha")
    assert ds.sizes == {"T": 2, "alpha": 3}
    np.testing.assert_array_equal(ds.beta.values, [np.inf, 2.0])
    for v in ("m", "n", "q", "free_energy", "converged", "stable", "r_AGS"):
        assert v in ds
    assert ds.attrs["protocol"] == "supervised" and ds.attrs["P"] == 2
    assert ds.attrs["rho"] == 0.1 and ds.attrs["level"] == "RS"
    assert ds.m.attrs["units"] == "1"
    assert bool(ds.converged.all())
    # each point equals the scalar solve at that point
    one = theory.solve("supervised", P=2, T=0.5, alpha=0.05, rho=0.1)
    assert float(one.m) == pytest.approx(float(ds.m.sel(T=0.5, alpha=0.05)), abs=1e-12)


def test_r_and_M_give_rho():
    a = theory.solve("supervised", P=2, T=0.3, r=0.5, M=[5, 20])
    b = theory.solve("supervised", P=2, T=0.3, rho=(1 - 0.25) / (np.array([5, 20]) * 0.25))
    np.testing.assert_allclose(a.m.values, b.m.values, atol=1e-12)
    assert a.m.dims == ("M",)


def test_nonexistent_solution_is_nan_with_warning():
    """The AGS paramagnet (q = 0) does not exist below T = 1 at alpha > 0."""
    with pytest.warns(ConvergenceWarning, match="1 of 2 grid points did not converge"):
        ds = theory.solve(P=2, T=[0.5, 1.5], alpha=0.05, branch="paramagnet")
    assert ds.converged.values.tolist() == [False, True]
    assert np.isnan(ds.free_energy.values[0]) and np.isnan(ds.m.values[0])
    assert float(ds.free_energy[1]) == pytest.approx(
        0.5 * 0.05 * 1.5 * np.log1p(-1 / 1.5) - 1.5 * np.log(2), abs=1e-14
    )


def test_stability_flags():
    """P = 2 low storage below T = 1: retrieval stable, paramagnet unstable."""
    ret = theory.solve(P=2, T=0.5)
    para = theory.solve(P=2, T=0.5, branch="paramagnet")
    assert bool(ret.stable) and not bool(para.stable) and bool(para.converged)


def test_solve_leaves_global_precision_alone():
    before = jax.config.jax_enable_x64
    theory.solve(P=2, T=0.5)
    assert jax.config.jax_enable_x64 == before


def test_unsupervised_high_storage_needs_r_and_M():
    with pytest.raises(ValueError, match="needs r and M separately"):
        theory.solve("unsupervised", P=2, T=0.5, alpha=0.05, rho=0.1)


COMMON = ("converged", "residual", "iterations", "stable", "rs_stable")


def _check_schema(ds, dims):
    """The common variables over the grid dimensions ``dims`` (in order), CF labels on all."""
    assert ds["converged"].dims == dims and ds["converged"].dtype == bool
    for name in COMMON:
        assert name in ds, name
        assert ds[name].dims == dims, (name, ds[name].dims)
    assert np.issubdtype(ds["iterations"].dtype, np.integer)
    assert ds["residual"].dtype == np.float64  # a number, also where not converged
    for name in list(ds.data_vars) + list(ds.coords):
        assert ds[name].attrs.get("long_name") and ds[name].attrs.get("units"), name
    for name in ("stable", "rs_stable"):  # bool, or float with NaN = "not computed"
        if ds[name].dtype != bool:
            assert "not computed" in ds[name].attrs["long_name"], name


def test_every_solver_returns_the_common_schema():
    """theory.solve (RS, 1RSB, unsupervised) and mixture share one set of variables
    (docs/theory.md, "Results") in signature order of the array parameters (multitasking.solve:
    test_requests.py, which compiles it anyway)."""
    ds = theory.solve(P=2, T=[0.5, 1.5], alpha=[0.0, 0.05])
    _check_schema(ds, ("T", "alpha"))
    assert float(ds.residual.max()) < 1e-10 and ds.rs_stable.dtype == bool
    assert int(ds.iterations.min()) >= 1
    # 1RSB at infinite temperature (the paramagnet; the engine's own residual and iteration
    # count are checked in test_rsb_ags.py)
    rsb = theory.solve(P=4, beta=[0.0, 0.0], alpha=[0.01, 0.02], level="1RSB")
    _check_schema(rsb, ("beta", "alpha"))
    assert np.isnan(rsb.stable).all() and np.isnan(rsb.rs_stable).all()
    uns = theory.solve("unsupervised", P=2, T=[0.5], alpha=0.0, rho=0.1)
    _check_schema(uns, ("T",))
    assert uns.rs_stable.values.tolist() == [1.0]  # low storage: replicon 1
    mix = theory.mixture(3, T=[0.0, 0.4])
    _check_schema(mix, ("T",))


def test_outer_grid_is_the_ij_meshgrid_of_the_array_parameters():
    """The one grid builder (theory._schema.outer_grid) against numpy.meshgrid."""
    from theory._schema import outer_grid

    T, alpha, rho = np.array([0.1, 0.2, 0.4]), np.array(0.05), np.array([0.0, 1.0])
    g = outer_grid({"T": T, "alpha": alpha, "rho": rho})
    assert g.dims == ("T", "rho") and g.shape == (3, 2)
    TT, RR = np.meshgrid(T, rho, indexing="ij")
    np.testing.assert_array_equal(g.full("T"), TT)
    np.testing.assert_array_equal(g.flat("rho"), RR.ravel())
    np.testing.assert_array_equal(g.full("alpha"), np.full((3, 2), 0.05))
    np.testing.assert_array_equal(g.full("T", 1 / T), 1 / TT)  # other values on the T axis
    assert outer_grid({"T": 0.3, "alpha": 0.1}).full("T").shape == ()
    with pytest.raises(ValueError, match="scalars or 1-D"):
        outer_grid({"T": np.ones((2, 2))})


def test_as_dataset_masks_by_kind():
    """The one Dataset wrapper: floats NaN where not converged (residual kept), flags False
    there, integers kept, vector variables masked per point, one warning with the counts."""
    from theory._schema import as_dataset

    conv = np.array([True, False, True])
    out = {
        "m": np.array([[0.5, 0.1], [0.4, 0.2], [0.3, 0.0]]),
        "free_energy": np.array([-1.0, -2.0, -3.0]),
        "stable": np.array([True, True, False]),
        "residual": np.array([1e-13, 0.5, 1e-14]),
        "iterations": np.array([3, 300, 4], dtype=np.int64),
    }
    coords = {"d": ("d", np.array([0.1, 0.2, 0.3])), "pattern": ("pattern", np.arange(2))}
    with pytest.warns(ConvergenceWarning, match=r"1 of 3 grid points did not converge \(tol"):
        ds = as_dataset(out, dims=("d",), coords=coords, converged=conv,
                        vector={"m": ("pattern",)}, settings="tol=1e-12", stacklevel=2)
    assert list(ds.data_vars) == ["m", "free_energy", "stable", "residual", "iterations",
                                  "converged"]
    assert ds.m.dims == ("d", "pattern") and np.isnan(ds.m.values[1]).all()
    np.testing.assert_array_equal(ds.free_energy.values, [-1.0, np.nan, -3.0])
    assert ds.stable.values.tolist() == [True, False, False]
    np.testing.assert_array_equal(ds.residual.values, out["residual"])
    assert ds.iterations.dtype == np.int64 and ds.iterations.values.tolist() == [3, 300, 4]
