"""scripts/rsb_mc_evidence.py (issue 28): the quick Monte Carlo path and the analysis.

The analysis is run on synthetic outcomes drawn from a known law (a logistic retrieval
probability whose alpha_c(N) = alpha_inf + a N^(-1/2)) on the script's own design (sizes,
loads, samples of the P = 4 full run), so the test checks that the shipped design recovers a
known capacity within its quoted error. The Monte Carlo part is checked at low load against
the closed-form low-load overlap m = tanh(beta m^(P-1)) ~ 1 at T = 0.1.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _load(name: str):
    import sys

    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return _load("rsb_mc_evidence")


def test_design_recovers_a_synthetic_capacity_within_its_error(script):
    from hopfield_sim.finite_size import step

    mc = _load("_rsb_mc")
    cfg = script.CASES[4]
    sizes, alphas, samples = cfg["sizes"][0], np.array(cfg["alphas"][0]), cfg["samples"][0]
    x_inf, a = 0.0383, 0.08
    hits = []
    for rep in range(2):
        rng = np.random.default_rng(rep)
        m = np.empty((len(sizes), alphas.size, samples))
        for i, N in enumerate(sizes):
            p = step(alphas, x_inf + a * N**-0.5, 0.004)
            ok = rng.random((alphas.size, samples)) < p[:, None]
            m[i] = np.where(ok, 0.95, 0.5)
        out = mc.analyse(sizes, alphas, m, m_cut=0.75, bootstrap=40, seed=rep)
        fit = out["fit"]
        assert np.all(np.isfinite(out["alpha_c"])) and 0 < fit["x_inf_err"] < 0.02
        hits.append(abs(fit["x_inf"] - x_inf) < 3 * fit["x_inf_err"])
    assert all(hits)


def test_quick_monte_carlo_retrieves_at_low_load_and_writes_cf_data(script, tmp_path):
    mc = _load("_rsb_mc")
    m, cpu = mc.measure(4, [16], [0.002, 0.4], 2, T=0.1, sweeps=5, burn_in=5, seed=0)
    assert m.shape == (1, 2, 2) and np.all(np.abs(m) <= 1) and cpu.shape == (1,)
    # low load (K = 8): m = tanh(10 m^3) = 1 - 4e-9; one flipped spin of 16 would be 0.875
    assert np.all(m[0, 0] > 0.95)
    ana = [mc.analyse([16], [0.002, 0.4], m, m_cut=c, bootstrap=5) for c in mc.M_CUTS]
    case = {"P": 4, "sizes": np.array([16]), "alphas": np.array([0.002, 0.4]), "m": m,
            "cpu_s": cpu, "analysis": ana, "theory": {"RS": 0.0348},
            "m_RS": np.ones(2)}  # fmt: skip
    ds = mc.dataset([case], {"title": "test", "seed": 0})
    path = tmp_path / "q.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    import xarray as xr

    back = xr.load_dataset(path, engine="h5netcdf")
    assert back.attrs["seed"] == 0 and back.alpha_c_RS.item() == pytest.approx(0.0348)
    for name, var in back.data_vars.items():
        assert "long_name" in var.attrs and "units" in var.attrs, name
    np.testing.assert_allclose(back.m.values[0, 0, :2, :2], m[0])
