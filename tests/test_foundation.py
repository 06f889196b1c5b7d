"""The package installs, imports, and its command line starts."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from importlib import metadata

import pytest

from hopfield_sim import cli


@pytest.mark.parametrize("name", ["hopfield_sim", "theory", "montecarlo", "hopfield_sim.info"])
def test_packages_import(name):
    module = importlib.import_module(name)
    assert module.__name__ == name


def test_version_matches_installed_metadata():
    import hopfield_sim

    assert hopfield_sim.__version__ == metadata.version("hopfield-sim")


def test_cli_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"hopfield-sim {metadata.version('hopfield-sim')}"


def test_cli_info_reports_versions_and_threads(capsys):
    assert cli.main(["info", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["versions"]["numpy"] == metadata.version("numpy")
    assert report["versions"]["jax"] == metadata.version("jax")
    assert int(report["runtime"]["numba_num_threads"]) >= 1
    assert "cpu" in report["runtime"]["jax_devices"].lower() or report["runtime"]["jax_devices"]
    assert report["runtime"]["jax_enable_x64"] in {"True", "False"}


def test_console_script_runs_as_a_process():
    out = subprocess.run(
        [sys.executable, "-m", "hopfield_sim.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("hopfield-sim ")


def test_no_command_is_a_usage_error(capsys):
    assert cli.main([]) == cli.EXIT_USAGE
    assert "usage" in capsys.readouterr().err


def test_unknown_command_exits_nonzero(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["no-such-command"])
    assert exc.value.code != 0
    assert "invalid choice" in capsys.readouterr().err


def test_user_error_is_one_line_on_stderr(tmp_path, capsys, monkeypatch):
    def boom(args):
        raise ValueError("r must lie in (0, 1]; got r=1.3.")

    from hopfield_sim.commands import info

    monkeypatch.setattr(info, "run", boom)
    assert cli.main(["info"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "r must lie in (0, 1]" in err
    assert "Traceback" not in err


def test_demo_runs_and_writes_what_it_says(tmp_path, capsys):
    assert cli.main(["demo", "--quick", "--no-progress", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    listed = [line.strip() for line in out.split("written:")[1].splitlines() if line.strip()]
    assert listed, "the demo must list the files it wrote"
    for path in listed:
        assert (tmp_path / path).exists() or __import__("pathlib").Path(path).exists()
