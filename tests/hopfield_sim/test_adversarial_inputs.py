"""Bad inputs to the finite-size tools (issue 27): one-line errors naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from hopfield_sim import finite_size
from hopfield_sim.binder import binder_crossing

N3, XC, ERR = [100, 200, 400], [0.15, 0.14, 0.135], [0.002, 0.002, 0.002]


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"N": [100, 100, 100]}, "at least 2 distinct sizes"),
        ({"N": [100, 100, 200], "nu": None}, "at least 3 distinct sizes"),
        ({"nu": 0.0}, "nu must be a finite number > 0"),
        ({"nu": -0.5}, "nu must be a finite number > 0"),
        ({"nu": float("nan")}, "nu must be a finite number > 0"),
        ({"x_c": [0.15, float("nan"), 0.13]}, "x_c finite"),
        ({"N": [100, -200, 400]}, "N must be finite and > 0"),
        ({"x_c_err": [0.002, 0.002]}, r"shapes \(3,\), \(3,\), \(2,\)"),
        ({"N": [[100, 200, 400]]}, "must be 1-d"),
        ({"replicates": [np.zeros(3)]}, "one array per size"),
    ],
)
def test_extrapolate_refuses_bad_inputs(kw, match):
    args = {"N": N3, "x_c": XC, "x_c_err": ERR, **kw}
    with pytest.raises(ValueError, match=match) as info:
        finite_size.extrapolate(args.pop("N"), args.pop("x_c"), args.pop("x_c_err"), **args)
    assert "\n" not in str(info.value)


def test_extrapolate_still_recovers_a_known_law():
    N = np.array([100.0, 400.0, 1600.0])
    x = 0.138 + 0.5 * N**-0.5  # exact law: the fit must return its coefficients
    r = finite_size.extrapolate(N, x, np.full(3, 1e-4), bootstrap=20)
    assert r["x_inf"] == pytest.approx(0.138, abs=1e-9) and r["a"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "x, y, match",
    [
        ([0.1, 0.1, 0.1, 0.1], [1, 1, 0, 0], "2 distinct values"),
        ([0.1, 0.2, 0.3, 0.4], [1, float("nan"), 0, 0], r"no NaN"),
        ([0.1, 0.2, 0.3], [1, 0], "equal length"),
    ],
)
def test_fit_step_refuses_bad_inputs(x, y, match):
    with pytest.raises(ValueError, match=match):
        finite_size.fit_step(x, y, bootstrap=0)


def test_binder_crossing_refuses_bad_inputs():
    T = [0.8, 1.0, 1.2]
    good = np.ones((3, 4, 10))
    for args, match in (
        (([1.0, 0.9, 1.2], good, good), "increasing"),
        ((T, np.ones((2, 4, 10)), good), r"small must be finite traces of shape \(len\(T\)=3"),
        ((T, good, np.ones((3, 1, 10))), "chains >= 2"),
        ((T, good, np.full((3, 4, 10), np.nan)), "large must be finite"),
    ):
        with pytest.raises(ValueError, match=match):
            binder_crossing(*args, bootstrap=0)


# ------------------------------------------------------------------ Hopfield layers


def test_retrieve_refuses_empty_memory_bad_beta_shape_and_overflowing_beta():
    import jax.numpy as jnp

    from hopfield_sim.layers import retrieve

    q = jnp.ones((2, 1, 3), jnp.float16)
    with pytest.raises(ValueError, match=r"at least one stored pattern .* \(S=0, d=3\)"):
        retrieve(q, jnp.ones((0, 1, 3), jnp.float16))
    with pytest.raises(ValueError, match=r"beta with shape \(3,\) does not broadcast to"):
        retrieve(jnp.ones((2, 5, 4, 3)), jnp.ones((2, 6, 4, 3)), beta=jnp.ones(3))
    with pytest.raises(ValueError, match="beyond the largest float16 .* dtype=jnp.float32"):
        retrieve(q, jnp.ones((4, 1, 3), jnp.float16), beta=1e6)  # was a silent NaN
    # a beta that fits gives the float32 answer (all stored patterns equal: the pattern)
    k = jnp.ones((4, 1, 3), jnp.float16)
    out = retrieve(q, k, beta=1e3)
    assert np.allclose(np.asarray(out, np.float32), 1.0)


@pytest.mark.parametrize("kw", [{"rho": [0.1, 0.2]}, {"rho": (0.1,)}, {"r": [0.5], "M": 3}])
def test_critical_load_refuses_lists(kw):
    import theory

    with pytest.raises(ValueError, match="must be a scalar here; got an array of shape"):
        theory.critical_load(2, **kw)
