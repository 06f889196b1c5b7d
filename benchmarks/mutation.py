"""Mutation testing of the physics and storage core with cosmic-ray (``make mutation``).

For every module, cosmic-ray applies one small change at a time to the source file (an
operator, a comparison, a number, a loop that never runs, ...), runs the module's test files
and records whether a test failed (the mutant is *killed*) or not (it *survived*). A survivor
is a wrong program the tests accept. The score of a module is
``killed / (killed + survived - equivalent)``; equivalent mutants (changes that cannot alter
any result) are listed with a one-line reason in ``benchmarks/mutation_equivalent.toml``.

Usage (from the repository root; see docs/contributing.md)::

    python benchmarks/mutation.py                          # every module (hours)
    python benchmarks/mutation.py hopfield_sim/compare.py  # one module
    python benchmarks/mutation.py --list                   # modules and their tests
    python benchmarks/mutation.py --retest-survivors MODULE  # after adding tests

Sessions (``benchmarks/results/mutation/*.sqlite``) are resumable: a rerun continues where an
interrupted one stopped; ``--fresh`` starts a module again (do so after editing it). The
report, ``benchmarks/results/mutation.md``, lists every module measured so far with its
score and its survivors (line, operator, the line before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.toml"
SERVER = ROOT / "benchmarks" / "_pytest_server.py"

# module -> the test files that cover it (the default tier of those files runs per mutant)
MODULES: dict[str, list[str]] = {
    "montecarlo/observables.py": ["tests/montecarlo/test_observables_edges.py",
                                  "tests/montecarlo/test_error_bars_values.py",
                                  "tests/montecarlo/test_observables.py"],
    "montecarlo/_dataset.py": ["tests/montecarlo/test_dataset_mutants.py",
                               "tests/montecarlo/test_error_bars_values.py",
                               "tests/montecarlo/test_observables.py"],
    "montecarlo/_deltas.py": ["tests/montecarlo/test_delta_routes.py",
                              "tests/montecarlo/test_exact_enumeration.py"],
    # every mutant of _kernels.py recompiles the drivers (2-3 min under load): the kernel-level
    # tests first, then one serial-driver signature per mode (P = 2 table, power mode); the
    # threaded driver's test (a third signature, same kernels) is left out
    "montecarlo/_kernels.py": [
        "tests/montecarlo/test_delta_routes.py",
        "tests/montecarlo/test_kernels.py::test_detailed_balance_on_full_transition_matrix",
        "tests/montecarlo/test_kernels.py::test_power_mode_closed_forms_equal_newtons_identities",
        "tests/montecarlo/test_kernels.py::test_accept_rule_matches_acceptance_probability",
        "tests/montecarlo/test_kernels.py::test_zero_temperature_dynamics_never_raises_the_energy",
        "tests/montecarlo/test_levels.py::test_chains_with_and_without_the_table_are_identical",
        "tests/montecarlo/test_kernels.py::test_thinning_records_every_kth_sweep_of_the_same_run",
        "tests/montecarlo/test_kernels.py::test_tracked_overlaps_equal_recomputation_after_long_runs",
    ],
    "montecarlo/_levels.py": ["tests/montecarlo/test_levels_mutants.py",
                              "tests/montecarlo/test_levels.py"],
    # test_lowstorage.py: only its mixture test calls this module (theory.solve does not)
    "theory/rs/lowstorage.py": [
        "tests/theory/rs/test_lowstorage_mutants.py",
        "tests/theory/rs/test_lowstorage_quadrature.py",
        "tests/theory/rs/test_lowstorage.py::test_three_mixture_published_values",
    ],
    "theory/rs/dense.py": ["tests/theory/rs/test_dense_mutants.py",
                           "tests/theory/rs/test_dense.py"],
    "theory/rs/ags.py": ["tests/theory/rs/test_ags_mutants.py", "tests/theory/rs/test_ags.py"],
    "theory/rsb/dense.py": [
        "tests/theory/rsb/test_rsb_dense_mutants.py",
        "tests/theory/rsb/test_rsb_stationarity.py",
        "tests/theory/rsb/test_rsb.py",
    ],
    "theory/rsb/ags.py": ["tests/theory/rsb/test_rsb_ags_mutants.py",
                          "tests/theory/rsb/test_rsb_ags.py"],
    "theory/multitasking/equations.py": ["tests/theory/multitasking/test_equations_mutants.py",
                                         "tests/theory/multitasking/test_multitasking_rs.py"],
    # test_lines.py (80 s per mutant, JAX compilation) replaced by an existence oracle with a
    # known threshold and the two published capacities (the real solver, one compile each)
    "theory/critical.py": ["tests/theory/test_critical_mutants.py",
                           "tests/theory/rs/test_ags.py::test_published_capacity",
                           "tests/theory/rs/test_dense.py::test_P4_capacity_in_Delta"],
    "theory/_bracket.py": ["tests/theory/test_bracket_mutants.py"],  # test_lines.py: 80 s
    "theory/_gaussian.py": ["tests/theory/test_gaussian_mutants.py",
                            "tests/theory/test_averages.py"],
    # theory.solve runs the grid, the fixed-point solver and the stability test
    "theory/rs/grid.py": ["tests/theory/rs/test_rs_grid_mutants.py", "tests/theory/test_solve.py",
                          "tests/theory/rs/test_lowstorage.py", "tests/theory/rs/test_ags.py"],
    "theory/rs/fixed_point.py": ["tests/theory/rs/test_rs_fixed_point_mutants.py",
                                 "tests/theory/test_solve.py", "tests/theory/rs/test_ags.py"],
    "theory/rs/stability.py": [
        "tests/theory/rs/test_rs_stability_mutants.py",
        "tests/theory/test_solve.py",
        "tests/theory/rs/test_lowstorage.py::test_three_mixture_published_values",
        "tests/theory/rs/test_lowstorage_quadrature.py",
    ],
    "theory/rs/branch.py": ["tests/theory/rs/test_rs_branch_mutants.py",
                            "tests/theory/rs/test_ags.py::test_published_capacity",
                            "tests/theory/rs/test_dense.py::test_P4_capacity_in_Delta",
                            "tests/theory/rs/test_unsupervised.py"
                            "::test_critical_load_is_where_solve_stops_retrieving"],
    "theory/rs/teacher.py": ["tests/theory/test_teacher_student.py"],
    "theory/rsb/engine.py": ["tests/theory/rsb/test_rsb_engine_mutants.py",
                             "tests/theory/rsb/test_rsb_engine_domain.py",
                             "tests/theory/rsb/test_rsb_ags.py", "tests/theory/rsb/test_rsb.py"],
    "theory/rs/at.py": ["tests/theory/rs/test_at_mutants.py", "tests/theory/rs/test_at.py"],
    "theory/rs/continuation.py": ["tests/theory/rs/test_continuation_mutants.py",
                                  "tests/theory/test_solve.py", "tests/theory/rs/test_ags.py"],
    # teacher_p2.py and ground_state.py: the default-tier value checks first, then the files
    # whose tests are all slow (they run only with -m slow)
    "theory/rs/teacher_p2.py": ["tests/theory/rs/test_teacher_p2_mutants.py",
                                "tests/theory/test_teacher_student_p2.py"],
    "theory/rsb/ground_state.py": ["tests/theory/rsb/test_rsb_ground_state_mutants.py",
                                   "tests/theory/rsb/test_rsb_ground_state.py"],
    "theory/rsb/_solve1rsb.py": ["tests/theory/rsb/test_rsb_solve1rsb_mutants.py",
                                 "tests/theory/rsb/test_rsb.py"],
    "theory/rsb/capacity.py": ["tests/theory/rsb/test_rsb_capacity_mutants.py",
                               "tests/theory/rsb/test_rsb_capacity_follow.py"],
    "theory/rsb/spinodal.py": ["tests/theory/rsb/test_rsb_spinodal_mutants.py",
                               "tests/theory/rsb/test_rsb_capacity_follow.py",
                               "tests/theory/rsb/test_rsb_routes.py"],
    "theory/rsb/unsupervised.py": ["tests/theory/rsb/test_rsb_unsupervised_mutants.py",
                                   "tests/theory/rsb/test_rsb_unsupervised.py"],
    "theory/rsb/variational0.py": ["tests/theory/rsb/test_rsb_variational0_mutants.py",
                                   "tests/theory/rsb/test_rsb_routes.py"],
    "theory/multitasking/solver.py": ["tests/theory/multitasking/test_solver_mutants.py",
                                      "tests/theory/multitasking/test_multitasking_rs.py"],
    "theory/multitasking/snr.py": [
        "tests/theory/multitasking/test_snr_mutants.py",
        "tests/theory/multitasking/test_multitasking_lines.py::test_signal_noise_agree_with_sampled_fields",
        "tests/theory/multitasking/test_multitasking_lines.py::test_snr_margin_changes_sign_at_critical_dilution",
        "tests/theory/multitasking/test_multitasking_lines.py::test_snr_bad_input",
    ],
    "theory/multitasking/lines.py": ["tests/theory/multitasking/test_lines_mutants.py",
                                     "tests/theory/multitasking/test_multitasking_lines.py"],
    "theory/multitasking/inputs.py": ["tests/theory/multitasking/test_inputs_mutants.py",
                                      "tests/theory/multitasking/test_multitasking_rs.py",
                                      "tests/theory/multitasking/test_multitasking_lines.py"],
    "hopfield_sim/storage.py": ["tests/hopfield_sim/test_storage_mutants.py",
                                "tests/hopfield_sim/test_storage_batches.py"],
    "hopfield_sim/_phases.py": ["tests/hopfield_sim/test_phases_mutants.py",
                                "tests/hopfield_sim/test_resume_half_batch.py",
                                "tests/hopfield_sim/test_storage_batches.py"],
    "hopfield_sim/compare.py": ["tests/hopfield_sim/test_compare_mutants.py",
                                "tests/hopfield_sim/test_verdict_rule.py",
                                "tests/hopfield_sim/test_compare_finite_size.py",
                                "tests/hopfield_sim/test_compare_explained.py"],
    "hopfield_sim/finite_size.py": ["tests/hopfield_sim/test_finite_size_mutants.py",
                                    "tests/hopfield_sim/test_extrapolation_weights.py",
                                    "tests/hopfield_sim/test_finite_size.py"],
    "hopfield_sim/layers/functional.py": ["tests/layers/test_functional_mutants.py",
                                          "tests/layers/test_default_beta.py",
                                          "tests/layers/test_functional.py"],
    "hopfield_sim/layers/separation.py": ["tests/layers/test_separation_mutants.py",
                                          "tests/layers/test_separation.py"],
    "hopfield_sim/layers/contrastive.py": ["tests/layers/test_contrastive_mutants.py",
                                           "tests/layers/test_contrastive_api.py",
                                           "tests/layers/test_contrastive.py"],
    "hopfield_sim/tabular/objective.py": ["tests/tabular/test_objective_mutants.py",
                                          "tests/tabular/test_objective_values.py",
                                          "tests/tabular/test_objective.py"],
    "hopfield_sim/tabular/model.py": ["tests/tabular/test_model.py"],
    "hopfield_sim/tabular/transform.py": ["tests/tabular/test_transform.py"],
    "hopfield_sim/tabular/pooling.py": ["tests/tabular/test_pooling.py"],
    "hopfield_sim/tabular/evaluate.py": ["tests/tabular/test_evaluate.py",
                                         "tests/tabular/test_checkpoint_choice.py"],
    "hopfield_sim/tabular/search.py": ["tests/tabular/test_search.py",
                                       "tests/tabular/test_pooling.py"],
    "hopfield_sim/tabular/recipes.py": ["tests/tabular/test_recipes.py",
                                        "tests/tabular/test_training_budget.py"],
    "hopfield_sim/tabular/estimator.py": ["tests/tabular/test_estimator_encoding.py",
                                          "tests/tabular/test_estimator.py"],
    "hopfield_sim/tabular/data.py": ["tests/tabular/test_data.py",
                                     "tests/tabular/test_adversarial_cards.py",
                                     "tests/tabular/test_csvcard.py"],
    "hopfield_sim/tabular/train.py": ["tests/tabular/test_training_budget.py",
                                      "tests/tabular/test_checkpoint_choice.py",
                                      "tests/tabular/test_train_cli.py"],
}  # fmt: skip

# Operators left out, with the reason (regular expressions on cosmic-ray's operator names):
EXCLUDED_OPERATORS = [
    # arithmetic turned into bit operations, modulo or floor division: on floats a type
    # error, on the integers here a change no physics would make; the arithmetic swaps stay
    r"core/ReplaceBinaryOperator_(Add|Sub|Mul|Div|Pow|FloorDiv|Mod)_"
    r"(RShift|LShift|BitOr|BitAnd|BitXor|FloorDiv|Mod)",
    # bit operations (boolean masks) turned into arithmetic; & <-> | <-> ^ stay
    r"core/ReplaceBinaryOperator_(BitAnd|BitOr|BitXor|LShift|RShift)_"
    r"(Add|Sub|Mul|Div|Pow|FloorDiv|Mod|LShift|RShift)",
    r"core/VariableReplacer",  # random names and values: not reproducible
    r"core/VariableInserter",
    r"core/RemoveDecorator",  # removes @numba.njit / @jax.jit: same results, slower
    r"core/NoOp",
]


def _slug(module: str) -> str:
    return module.replace("/", ".").removesuffix(".py")


def _pytest_args(tests: list[str]) -> list[str]:
    # -x: stop at the first failure; -p no:xdist: one process (a worker pool per mutant would
    # cost more than the few short tests it runs)
    return ["-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", "-m", "not slow", *tests]


def _config(module: str, tests: list[str], timeout: float) -> str:
    # the tests run in a fork of a pre-warmed process (benchmarks/_pytest_server.py), which
    # falls back to a new pytest process when no server listens
    command = (f"{sys.executable} {SERVER} run {_socket(module)} {timeout} -- "
               + shlex.join(_pytest_args(tests)))  # fmt: skip
    excluded = ", ".join(f'"{e}"' for e in EXCLUDED_OPERATORS)
    return (
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {timeout + 30}\n"
        "excluded-modules = []\n"
        f'test-command = "{command}"\n\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = [{excluded}]\n"
    )


def _socket(module: str) -> Path:
    return RESULTS / "mutation" / f"{_slug(module)}.sock"


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["nice", "-n", "10", *args], cwd=ROOT, check=True, **kw)


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _sample_work(db: Path, n: int, seed: int) -> None:
    """Keep a random sample of ``n`` of the session's mutants that the filters left to run
    (uniform without replacement, reproducible from ``seed``) and record the size of that
    population beside the session, so the report can state the score as an estimate with its
    binomial interval. Mutants of excluded operators (already marked skipped by the filters)
    are dropped first: they are not part of the population and would only shrink the sample."""
    import random
    import sqlite3

    with sqlite3.connect(db) as con:
        # ordered by what each mutant is, not by cosmic-ray's job ids (random per init): the
        # same seed draws the same mutants after a fresh init of the same source
        specs = con.execute("SELECT job_id, operator_name, occurrence, start_pos_row, "
                            "start_pos_col FROM mutation_specs").fetchall()  # fmt: skip
        every = [r[0] for r in sorted(specs, key=lambda r: (r[1:], r[0]))]
        done = {r[0] for r in con.execute("SELECT job_id FROM work_results")}
        jobs = [j for j in every if j not in done]
        keep = set(random.Random(seed).sample(jobs, min(n, len(jobs))))
        drop = [(j,) for j in every if j not in keep]
        for table in ("mutation_specs", "work_items", "work_results"):
            con.executemany(f"DELETE FROM {table} WHERE job_id = ?", drop)  # noqa: S608
    db.with_suffix(".sample.json").write_text(json.dumps(
        {"population": len(jobs), "sampled": len(keep), "seed": seed,
         "filtered": len(every) - len(jobs)}))  # fmt: skip


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval (95 %) of a binomial proportion k/n."""
    if n == 0:
        return float("nan"), float("nan")
    p, d = k / n, 1 + z * z / n
    mid, half = (p + z * z / (2 * n)) / d, z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / d
    return max(0.0, mid - half), min(1.0, mid + half)


def run_module(
    module: str, *, timeout: float, fresh: bool, retest: bool = False, tests: list | None = None,
    sample: int | None = None, seed: int = 0,
) -> None:
    """Initialise (once) and execute the cosmic-ray session of one module; ``retest``: run
    the survivors again (after new tests, with the module itself unchanged); ``tests``:
    instead of the module's list (e.g. only the new test file when retesting survivors of the
    full list: a mutant it kills is killed, one it does not kill survived both); ``sample``:
    run only a random sample of that many mutants (chosen once, when the session starts)."""
    work = RESULTS / "mutation"
    work.mkdir(parents=True, exist_ok=True)
    cfg, db = work / f"{_slug(module)}.toml", work / f"{_slug(module)}.sqlite"
    tests = tests or MODULES[module]
    cfg.write_text(_config(module, tests, timeout))
    if fresh and db.exists():
        db.unlink()
    if not db.exists():
        _run([_bin("cosmic-ray"), "init", str(cfg), str(db)])
        _run([_bin("cr-filter-operators"), str(db), str(cfg)])
        _run([_bin("cr-filter-pragma"), str(db)])
        if sample:
            _sample_work(db, sample, seed)
        # the unmutated tests must pass, or every mutant would count as killed
        _run([sys.executable, "-m", "pytest", *_pytest_args(tests)], stdout=subprocess.DEVNULL)
    elif retest:
        import sqlite3

        with sqlite3.connect(db) as con:
            con.execute("DELETE FROM work_results WHERE test_outcome = 'SURVIVED'")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    server = subprocess.Popen(["nice", "-n", "10", sys.executable, str(SERVER), "serve",
                               str(_socket(module))], cwd=ROOT, env=env)  # fmt: skip
    try:
        _run([_bin("cosmic-ray"), "exec", str(cfg), str(db)], env=env)
    finally:
        server.terminate()
        server.wait()


def _changed_lines(diff: str) -> tuple[str, str]:
    rows = diff.splitlines()
    old = [r[1:].strip() for r in rows if r.startswith("-") and not r.startswith("---")]
    new = [r[1:].strip() for r in rows if r.startswith("+") and not r.startswith("+++")]
    return " | ".join(old), " | ".join(new)


def _equivalent() -> list[dict]:
    if not EQUIVALENT.exists():
        return []
    return tomllib.loads(EQUIVALENT.read_text()).get("mutant", [])


def summarise(module: str) -> dict | None:
    """Counts and survivors of a module's session (None if it has none)."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    db = RESULTS / "mutation" / f"{_slug(module)}.sqlite"
    if not db.exists():
        return None
    known = [e for e in _equivalent() if e["module"] == module]
    out = {"killed": 0, "survived": 0, "equivalent": [], "survivors": [], "incompetent": 0,
           "pending": 0}  # fmt: skip
    with use_db(str(db), WorkDB.Mode.open) as work_db:
        out["pending"] = sum(1 for _ in work_db.pending_work_items)
        for item, result in work_db.completed_work_items:
            if result.test_outcome == TestOutcome.KILLED:
                out["killed"] += 1
                continue
            if result.test_outcome != TestOutcome.SURVIVED:
                out["incompetent"] += 1  # the mutant did not run (e.g. invalid code): no score
                continue
            m = item.mutations[0]
            before, after = _changed_lines(result.diff or "")
            row = {"line": m.start_pos[0], "operator": m.operator_name, "before": before,
                   "after": after}  # fmt: skip
            match = [e for e in known if e["before"] == before and e["after"] == after]
            if match:
                out["equivalent"].append({**row, "reason": match[0]["reason"]})
            else:
                out["survivors"].append(row)
    out["survived"] = len(out["survivors"])
    scored = out["killed"] + out["survived"]
    out["score"] = out["killed"] / scored if scored else float("nan")
    side = db.with_suffix(".sample.json")
    out["sample"] = json.loads(side.read_text()) if side.exists() else None
    out["interval"] = _wilson(out["killed"], scored)
    return out


def _previous_report(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Table rows and survivor sections of an earlier report, by module."""
    rows: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if line.startswith("| ") and len(cells) > 2 and cells[1] in MODULES:
            rows[cells[1]] = line
        elif line.startswith("## "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None and line.startswith("- "):
            sections[current].append(line)
    return rows, sections


def report(previous: str = "") -> str:
    """The report of every module with a session here; a module measured on another machine
    (its session is not here) keeps its row and survivor list from ``previous``, the report
    as committed, so measuring one module never drops the others."""
    old_rows, old_sections = _previous_report(previous)
    lines = ["# Mutation testing (cosmic-ray)", "",
             "| module | killed | survived | equivalent | filtered or not run | pending | score "
             "| 95 % interval | mutants run |",
             "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    details = []
    for module in MODULES:
        s = summarise(module)
        if s is None:
            if module in old_rows:
                lines.append(old_rows[module])
                if old_sections.get(module):
                    details += ["", f"## {module}", "", *old_sections[module]]
            continue
        counts = (s["killed"], s["survived"], len(s["equivalent"]), s["incompetent"], s["pending"])
        cells = " | ".join(map(str, counts))
        lo, hi = s["interval"]
        smp = s["sample"]
        run = "all"
        if smp:
            run = f"sample {smp['sampled']} of {smp['population']} (seed {smp['seed']})"
        lines.append(f"| {module} | {cells} | {100 * s['score']:.1f} % | "
                     f"{100 * lo:.0f}–{100 * hi:.0f} % | {run} |")  # fmt: skip
        if s["survivors"] or s["equivalent"]:
            details += ["", f"## {module}", ""]
            for r in sorted(s["survivors"], key=lambda r: r["line"]):
                details.append(f"- survived, line {r['line']} ({r['operator']}): "
                               f"`{r['before']}` -> `{r['after']}`")  # fmt: skip
            for r in sorted(s["equivalent"], key=lambda r: r["line"]):
                details.append(f"- equivalent, line {r['line']}: `{r['before']}` -> "
                               f"`{r['after']}` ({r['reason']})")  # fmt: skip
    return "\n".join(lines + details) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("modules", nargs="*", help="module paths (default: all)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per mutant's tests")
    p.add_argument("--fresh", action="store_true", help="start the sessions again")
    p.add_argument("--list", action="store_true", help="list the modules and their tests")
    p.add_argument("--report-only", action="store_true", help="only rewrite the report")
    p.add_argument("--retest-survivors", action="store_true",
                   help="run the survivors again with the current tests (module unchanged)")
    p.add_argument("--tests", nargs="+", help="test files instead of the module's list")
    p.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    p.add_argument("--seed", type=int, default=0, help="seed of --sample")
    a = p.parse_args(argv)
    if a.list:
        for module, tests in MODULES.items():
            print(module, "<-", " ".join(tests))
        return 0
    unknown = [m for m in a.modules if m not in MODULES]
    if unknown:
        raise SystemExit(f"modules: unknown {unknown}; see --list.")
    os.environ["PYTHONPATH"] = str(ROOT)  # the mutated working tree is what the tests import
    if not a.report_only:
        for module in a.modules or list(MODULES):
            run_module(module, timeout=a.timeout, fresh=a.fresh, retest=a.retest_survivors,
                       tests=a.tests, sample=a.sample, seed=a.seed)  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "mutation.md"
    text = report(target.read_text() if target.exists() else "")
    target.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
