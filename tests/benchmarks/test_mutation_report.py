"""The mutation report keeps the rows of modules measured on another machine."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _runner(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("mutation_runner",
                                                  ROOT / "benchmarks" / "mutation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "RESULTS", tmp_path)  # no sessions here
    return mod


def test_a_module_without_a_session_keeps_its_row_and_survivors(tmp_path, monkeypatch):
    mod = _runner(tmp_path, monkeypatch)
    row = "| theory/rs/branch.py | 20 | 8 | 2 | 0 | 0 | 71.4 % | 53–85 % | sample 30 of 262 |"
    survivor = "- survived, line 28 (core/NumberReplacer): `a` -> `b`"
    previous = "\n".join(["# Mutation testing (cosmic-ray)", "", "| module | killed |",
                          "|---|---|", row, "| not/a/module.py | 1 |", "",
                          "## theory/rs/branch.py", "", survivor, ""])
    text = mod.report(previous)
    assert row in text.splitlines()
    assert survivor in text.splitlines()
    assert "not/a/module.py" not in text  # rows of modules no longer listed are dropped
    # the round trip is exact: a second pass over its own output changes nothing
    assert mod.report(text) == text


def test_an_empty_previous_report_gives_only_the_header(tmp_path, monkeypatch):
    mod = _runner(tmp_path, monkeypatch)
    lines = mod.report("").splitlines()
    assert lines[0] == "# Mutation testing (cosmic-ray)"
    assert not [ln for ln in lines if ln.startswith("| ") and "/" in ln.split("|")[1]]
