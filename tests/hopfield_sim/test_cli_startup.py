"""Command line (issue 24): help and defaults for every option, a plain statement when
the retrieval branch is gone, counts labelled as counts, persistent compilation caches."""

from __future__ import annotations

from pathlib import Path

import pytest

from hopfield_sim import _cache, cli


def test_theory_help_gives_every_default():
    sub = cli.build_parser(only="theory")._subparsers._group_actions[0].choices["theory"]
    text = " ".join(sub.format_help().split())
    for default in ("(default: hebbian)", "(default: 2)", "(default: RS)",
                    "(default: retrieval)"):  # fmt: skip
        assert default in text
    helpless = [a.dest for a in sub._actions if not a.help]
    assert helpless == []


def test_beyond_capacity_says_so(capsys):
    """T = 0, alpha = 0.2: the AGS capacity is alpha_c = 0.138 (published value)."""
    assert cli.main(["theory", "--P", "2", "--alpha", "0.2", "--T", "0"]) == 0
    out = capsys.readouterr().out
    assert "no retrieval solution at these parameters" in out
    value = float(out.split("capacity alpha_c = ")[1].split()[0])
    assert value == pytest.approx(0.138, abs=5e-4)
    assert cli.main(["theory", "--P", "2", "--alpha", "0.05", "--T", "0"]) == 0
    assert "no retrieval" not in capsys.readouterr().out
    assert cli.main(["theory", "--alpha", "0.05", "0.2", "--T", "0", "--json"]) == 0
    import json

    note = json.loads(capsys.readouterr().out)["note"]
    assert note.startswith("no retrieval solution at 1 of 2 points")


def test_sweep_counts_are_labelled():
    import json

    import xarray as xr

    from hopfield_sim.commands.sweep import _counts

    ds = xr.Dataset(coords={"alpha": [0.1, 0.2, 0.3, 0.4], "T": [0.1, 0.2, 0.3]},
                    attrs={"sweep_spec": json.dumps({"axes": {"alpha": [], "T": []}})})  # fmt: skip
    assert _counts(ds) == "12 points (alpha: 4 values x T: 3 values)"


def test_caches_default_to_a_user_folder_and_can_be_moved_or_turned_off(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    assert _cache.enable(env) == tmp_path / "hopfield-sim"
    assert Path(env["JAX_COMPILATION_CACHE_DIR"]) == tmp_path / "hopfield-sim" / "jax"
    assert Path(env["NUMBA_CACHE_DIR"]) == tmp_path / "hopfield-sim" / "numba"
    env = {_cache.ENV: str(tmp_path / "mine"), "JAX_COMPILATION_CACHE_DIR": "/x"}
    _cache.enable(env)
    assert env["JAX_COMPILATION_CACHE_DIR"] == "/x"  # an explicit JAX setting wins
    assert Path(env["NUMBA_CACHE_DIR"]) == tmp_path / "mine" / "numba"
    env = {_cache.ENV: "off"}
    assert _cache.enable(env) is None and env == {_cache.ENV: "off"}


@pytest.mark.parametrize("kind", ["distribution"])
def test_plot_help_lists_kinds(kind):
    sub = cli.build_parser(only="plot")._subparsers._group_actions[0].choices["plot"]
    assert kind in sub.format_help()
