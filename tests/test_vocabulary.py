"""The one vocabulary (``_hopfield_base.vocabulary``, docs/vocabulary.md) against real outputs.

Every variable of a representative output of each package carries the ``long_name`` and
``units`` the vocabulary gives for its name: ``theory.solve`` (RS, with coordinates), a Monte
Carlo ``sample`` Dataset and a sweep (theory and Monte Carlo). The docs table lists the same
terms with the same units.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from _hopfield_base import vocabulary

ROOT = Path(__file__).resolve().parents[1]


def _mismatches(ds, names):
    """Variables whose ``long_name``/``units`` differ from the vocabulary. A placeholder a
    solver did not compute (``computed = 0``) keeps a long name that says why."""
    bad = []
    for name in names:
        attrs = ds[name].attrs
        want_long, want_units = vocabulary.describe(name)
        if attrs.get("units") != want_units:
            bad.append((name, "units", attrs.get("units"), want_units))
        if attrs.get("computed", 1) != 0 and attrs.get("long_name") != want_long:
            bad.append((name, "long_name", attrs.get("long_name"), want_long))
    return bad


def test_theory_solve_speaks_the_vocabulary():
    import theory

    ds = theory.solve(protocol="hebbian", P=2, alpha=[0.0, 0.05], T=[0.3, 0.6])
    names = list(ds.data_vars) + list(ds.coords)
    assert {"m", "q", "free_energy", "converged", "T", "alpha", "beta"} <= set(names)
    assert _mismatches(ds, names) == []


def test_montecarlo_sample_speaks_the_vocabulary():
    import montecarlo

    xi = montecarlo.archetypes(K=2, N=24, seed=0)
    net = montecarlo.DenseHebbianNetwork(P=2, patterns=xi)
    ds = net.sample(beta=2.0, sweeps=8, chains=2, seed=1)
    assert {"m", "m_err", "m_tau", "q", "energy", "reliable", "rhat", "sigma"} <= set(ds)
    assert _mismatches(ds, list(ds.data_vars)) == []
    assert ds["m_tau"].attrs["units"] == vocabulary.SWEEPS  # a time, counted in sweeps


def test_sweep_file_speaks_the_vocabulary():
    from hopfield_sim import sweep

    spec = {
        "model": {"protocol": "hebbian", "P": 2},
        "axes": {"T": [0.3, 0.6]},
        "fixed": {"alpha": 0.0},
        "theory": {},
        "montecarlo": {"N": 24, "sweeps": 8, "chains": 2},
    }
    ds = sweep(spec, progress=False, workers=1)
    names = list(ds.data_vars) + list(ds.coords)
    assert {"m_theory", "m_mc", "m_mc_err", "q_mc", "done_mc", "T", "beta"} <= set(names)
    assert _mismatches(ds, names) == []
    assert {ds[n].attrs["units"] for n in names} == {"1"}  # no "J" / "1/J" anywhere


def test_derived_names_follow_the_patterns():
    assert vocabulary.describe("m_theory") == ("Mattis overlap m (theory)", "1")
    assert vocabulary.describe("energy_mc") == ("energy per neuron (Monte Carlo)", "1")
    assert vocabulary.describe("q_err") == ("error of the mean of q", "1")
    assert vocabulary.describe("m_tau")[1] == "sweeps"
    assert vocabulary.describe("m_trace") == vocabulary.describe("m")
    assert vocabulary.describe("xi_mc") == ("xi (Monte Carlo)", "1")  # unknown base
    assert vocabulary.describe("unknown") == ("unknown", "1")


@pytest.mark.parametrize("table", ["PARAMETERS", "RESULTS"])
def test_docs_table_lists_every_term(table):
    """docs/vocabulary.md has one row per term: `name` | symbol | units."""
    text = (ROOT / "docs" / "vocabulary.md").read_text()
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)]
        if len(cells) == 6 and cells[2].startswith("`") and cells[4].startswith("`"):
            rows[cells[2].strip("`")] = (cells[3], cells[4].strip("`"))
    for name, term in getattr(vocabulary, table).items():
        assert name in rows, name
        assert rows[name] == (term.symbol, term.units), name


def test_choice_sets_have_one_source():
    from hopfield_sim import _spec_options, spec

    assert spec.PROTOCOLS is vocabulary.PROTOCOLS and spec.DYNAMICS is vocabulary.DYNAMICS
    assert spec.LEVELS is vocabulary.LEVELS and spec.BRANCHES is vocabulary.BRANCHES
    assert _spec_options.ENGINES is vocabulary.ENGINES
    assert set(vocabulary.PROTOCOLS) < set(vocabulary.MC_PROTOCOLS)
