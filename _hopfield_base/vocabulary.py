"""The one vocabulary of the outputs: names, long names, symbols, units and choice sets.

Every ``xarray.Dataset`` that ``theory``, ``montecarlo`` and ``hopfield_sim`` return or write
takes the CF ``long_name`` and ``units`` of its variables from here (docs/vocabulary.md is the
table for readers; ``tests/test_vocabulary.py`` checks both against real outputs).

Units are ``"1"`` throughout: the couplings set the energy scale (J = 1), so temperatures,
inverse temperatures, fields and energies are dimensionless numbers. The one exception is a
time, measured in Monte Carlo sweeps (``"sweeps"``).

Derived names follow fixed patterns (:func:`describe`):

* Monte Carlo statistics of a recorded quantity ``x``: ``x_err`` (error of the mean),
  ``x_tau`` (integrated autocorrelation time, in sweeps), ``x_trace`` (the record, worded
  as ``x``), ``x_susceptibility``, ``x_binder`` and ``x_rhat`` (per-chain fluctuations and
  the split-R-hat convergence diagnostic);
* sweep files: ``x_theory`` and ``x_mc`` (the source in brackets), ``x_mc_err``,
  ``x_mc_sample`` (every disorder sample and chain) and ``x_mc_hist`` (histogram counts).

Nothing here imports ``theory``, ``montecarlo`` or ``hopfield_sim``.
"""

from __future__ import annotations

from typing import NamedTuple

#: learning protocols of the dense network (theory, sweeps)
PROTOCOLS = ("hebbian", "supervised", "unsupervised")
#: protocols the Monte Carlo engines also accept (``teacher``: teacher-student examples)
MC_PROTOCOLS = PROTOCOLS + ("teacher",)
#: protocols with a closed-form retrieval line (no data entropy in the T = 0 limit)
LINE_PROTOCOLS = ("hebbian", "supervised")
#: replica-symmetry-breaking levels of the theory
LEVELS = ("RS", "1RSB")
#: solution branches of the self-consistency equations
BRANCHES = ("retrieval", "spinglass", "paramagnet")
#: Monte Carlo dynamics
DYNAMICS = ("glauber", "metropolis", "zero_temperature")
#: Monte Carlo initial states
INITS = ("archetype", "random")
#: Monte Carlo engines
ENGINES = ("numba", "jax")
#: order parameters an adaptive diagram or a verdict may follow
ORDER_PARAMETERS = ("m", "n", "q")

#: units of a dimensionless number (couplings set the energy scale)
DIMENSIONLESS = "1"
#: units of a time counted in Monte Carlo sweeps
SWEEPS = "sweeps"


class Term(NamedTuple):
    """One entry of the vocabulary."""

    #: what the quantity is, in words (CF ``long_name``)
    long_name: str
    #: the symbol in the papers and docs (plain text)
    symbol: str
    #: CF ``units``
    units: str = DIMENSIONLESS


_AT_ZERO = " (NaN at T = 0, where fluctuation-dissipation does not apply)"

#: model parameters: grid axes, fixed values and coordinates
PARAMETERS: dict[str, Term] = {
    "alpha": Term("load alpha = K / N^(P-1)", "alpha"),
    "beta": Term("inverse temperature beta", "beta"),
    "T": Term("temperature T = 1/beta", "T"),
    "r": Term("example quality r", "r"),
    "M": Term("examples per archetype M", "M"),
    "rho": Term("dataset entropy rho = (1-r^2)/(M r^2)", "rho"),
    "d": Term("dilution d", "d"),
    "N": Term("number of neurons N", "N"),
    "K": Term("number of archetypes K", "K"),
    "P": Term("interaction order P", "P"),
}

#: results: order parameters, solver diagnostics, Monte Carlo observables
RESULTS: dict[str, Term] = {
    "m": Term("Mattis overlap m", "m"),
    "n": Term("class-mean overlap n", "n"),
    "q": Term("two-replica overlap q", "q"),
    "free_energy": Term(
        "free energy per neuron f = -A/beta (energy at T = 0; -inf at T = inf)", "f"
    ),
    "energy": Term("energy per neuron", "e = H/N"),
    "converged": Term("solver converged", "-"),
    "residual": Term("final residual max |F(x) - x|", "-"),
    "iterations": Term("solver iterations", "-"),
    "stable": Term("linearly stable fixed point", "-"),
    "stability": Term("smallest Hessian eigenvalue of f", "lambda_min"),
    "replicon": Term("replicon eigenvalue (RS stable where > 0)", "lambda_AT"),
    "rs_stable": Term("replica symmetry locally (AT) stable", "-"),
    "r_AGS": Term("AGS cross-talk variance parameter r", "r_AGS"),
    "q0": Term("1RSB inter-state overlap q0", "q0"),
    "q1": Term("1RSB intra-state overlap q1", "q1"),
    "theta": Term("1RSB Parisi parameter theta", "theta"),
    "mu": Term("1RSB Parisi parameter times beta, mu = beta theta", "mu"),
    "E_retrieval_RS": Term("T = 0 energy per neuron of the retrieval state (RS)", "E_ret^RS"),
    "E_spinglass_RS": Term("T = 0 energy per neuron of the spin-glass state (RS)", "E_SG^RS"),
    "E_retrieval_1RSB": Term("T = 0 energy per neuron of the retrieval state (1RSB)", "E_ret^1RSB"),
    "E_spinglass_1RSB": Term(
        "T = 0 energy per neuron of the spin-glass state (1RSB)", "E_SG^1RSB"
    ),
    "m_retrieval_RS": Term("T = 0 Mattis overlap of the retrieval state (RS)", "m^RS"),
    "m_retrieval_1RSB": Term("T = 0 Mattis overlap of the retrieval state (1RSB)", "m^1RSB"),
    "pattern": Term("pattern index", "mu"),
    "reliable": Term("at least 20 autocorrelation times recorded", "-"),
    "sigma": Term("final state", "sigma_i"),
    "specific_heat": Term(f"specific heat per neuron C = beta^2 N var(e) per chain{_AT_ZERO}", "C"),
    "rhat": Term("largest split-R-hat (energy, overlaps); near 1 when the chains mixed", "R"),
    "swap_acceptance": Term("replica-exchange acceptance between beta[k] and beta[k+1]", "-"),
}

#: every named quantity
TERMS: dict[str, Term] = {**PARAMETERS, **RESULTS}

#: sweep-file variables whose wording is not derived from :data:`TERMS`
SWEEP_TERMS: dict[str, Term] = {
    "done_theory": Term("theory point solved", "-"),
    "done_mc": Term("Monte Carlo point finished", "-"),
    "seed_mc": Term("Monte Carlo seed of the point (from the root seed)", "-"),
    "reliable_mc": Term("every Monte Carlo chain recorded at least 20 autocorrelation times", "-"),
    "K_mc": Term("archetypes K simulated", "K"),
    "N_mc": Term("neurons N simulated", "N"),
    "chi_mc": Term("overlap susceptibility beta N var(m), mean over samples and chains", "chi"),
    "binder_mc": Term("Binder cumulant of the overlap, mean over samples and chains", "U"),
    "specific_heat_mc": Term("specific heat per neuron beta^2 N var(e), mean over chains", "C"),
    "rhat_mc": Term("largest split-R-hat across chains of any disorder sample", "R"),
}

_SOURCES = {"theory": "theory", "mc": "Monte Carlo"}


def describe(name: str) -> tuple[str, str]:
    """``(long_name, units)`` of an output variable or coordinate ``name``.

    Exact names come from :data:`TERMS` and :data:`SWEEP_TERMS`; derived names follow the
    patterns of the module docstring; any other name is described by itself (units ``"1"``).
    """
    for table in (TERMS, SWEEP_TERMS):
        if name in table:
            return table[name].long_name, table[name].units
    base, _, suffix = name.rpartition("_")
    if not base:
        return name, DIMENSIONLESS
    if suffix == "err":
        inner = base.removesuffix("_mc")
        text = "error of the mean of" if inner == base else "Monte Carlo error of the mean of"
        return f"{text} {inner}", describe(inner)[1]
    if suffix == "tau":
        return f"integrated autocorrelation time of {base}", SWEEPS
    if suffix == "trace":
        return describe(base)
    if suffix == "susceptibility":
        return f"susceptibility chi = beta N var({base}) per chain{_AT_ZERO}", DIMENSIONLESS
    if suffix == "binder":
        return f"Binder cumulant 1 - <{base}^4>/(3 <{base}^2>^2) per chain", DIMENSIONLESS
    if suffix == "rhat":
        what = "the energy" if base == "energy" else base
        return f"split-R-hat across chains of {what}", DIMENSIONLESS
    if suffix == "sample" and base.endswith("_mc"):
        inner = base.removesuffix("_mc")
        return f"{describe(inner)[0]} of every disorder sample and chain (Monte Carlo)", "1"
    if suffix == "hist" and base.endswith("_mc"):
        inner = base.removesuffix("_mc")
        return f"counts of the recorded {inner} per disorder sample (50 bins on [-1, 1])", "1"
    if suffix in _SOURCES:
        inner_name, units = describe(base) if base in TERMS else (base, DIMENSIONLESS)
        return f"{inner_name} ({_SOURCES[suffix]})", units
    return name, DIMENSIONLESS


def long_name(name: str) -> str:
    """CF ``long_name`` of ``name`` (:func:`describe`)."""
    return describe(name)[0]


def units(name: str) -> str:
    """CF ``units`` of ``name`` (:func:`describe`)."""
    return describe(name)[1]
