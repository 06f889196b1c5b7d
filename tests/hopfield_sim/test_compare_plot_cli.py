"""compare(), the plots and the sweep/plot/theory commands (fake runners where engines are
not the point)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sweep_fakes
import xarray as xr

import hopfield_sim
from hopfield_sim import cli, compare, open_sweep, plot_curves, plot_phase_diagram, storage


def hand_made() -> xr.Dataset:
    ds = xr.Dataset(
        {
            "m_theory": ("T", [0.5, 0.5, 0.5, 0.5]),
            "m_mc": ("T", [0.52, 0.5, 0.9, 0.6]),
            "m_mc_err": ("T", [0.01, 0.0, 0.01, 0.0]),
            "converged_theory": ("T", [True, True, False, True]),
        },
        coords={"T": [0.1, 0.2, 0.3, 0.4]},
    )
    return ds


def test_compare_in_error_bar_units():
    cmp = compare(hand_made(), floor=0)
    np.testing.assert_allclose(cmp["z"].values[:2], [-2.0, 0.0])
    assert np.isnan(cmp["z"].values[2])  # theory did not converge: not compared
    assert np.isinf(cmp["z"].values[3])  # zero error bar, different values
    np.testing.assert_array_equal(cmp["agree"], [True, True, False, False])
    np.testing.assert_array_equal(cmp["valid"], [True, True, False, True])
    assert compare(hand_made(), threshold=1.5)["agree"].values.tolist()[0] is False
    # the default floor keeps a zero error bar finite: |z| = 0.1 / 1e-4
    floored = compare(hand_made())
    np.testing.assert_allclose(floored["z"].values[3], -0.1 / 1e-4)
    np.testing.assert_allclose(floored["z"].values[0], -0.02 / np.hypot(0.01, 1e-4))
    with pytest.raises(KeyError, match="q_theory"):
        compare(hand_made(), "q")
    with pytest.raises(ValueError, match="threshold"):
        compare(hand_made(), threshold=0)


@pytest.fixture(scope="module")
def fake_grid():
    spec = {
        "seed": 1,
        "model": {"protocol": "hebbian", "P": 2},
        "axes": {"alpha": [0.0, 0.05, 0.1], "T": [0.3, 0.6, 0.9, 1.2]},
        "theory": {},
        "montecarlo": {"N": 100},
    }
    return hopfield_sim.sweep(spec, workers=1, progress=False, _theory=sweep_fakes.theory,
                              _montecarlo=sweep_fakes.montecarlo)  # fmt: skip


def test_phase_diagram_pdf_without_theory_lines(fake_grid, tmp_path):
    path = tmp_path / "sub" / "pd.pdf"  # missing folders are created
    fig = plot_phase_diagram(fake_grid, "alpha", "T", path=path, theory_lines=False)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "Monte Carlo m" in labels and not any(lab.startswith("T_") for lab in labels)
    assert path.read_bytes()[:4] == b"%PDF"


@pytest.mark.parametrize("suffix", [pytest.param(".png", marks=pytest.mark.slow)])
def test_phase_diagram_is_labelled_and_saved(fake_grid, tmp_path, suffix):
    path = tmp_path / f"pd{suffix}"
    fig = plot_phase_diagram(fake_grid, "alpha", "T", path=path)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("load alpha") and ax.get_ylabel().startswith("temperature")
    handles, labels = ax.get_legend_handles_labels()
    assert "Monte Carlo m" in labels
    # the P = 2 spin-glass line from theory.lines: T_g = 1 + sqrt(alpha) (AGS)
    line = handles[labels.index("T_g (spin glass)")]
    np.testing.assert_allclose(line.get_ydata(), 1 + np.sqrt(line.get_xdata()))
    # P = 2 retrieval lines by default, ending on T = 0 at AGS's alpha_c = 0.138 (T_M) and
    # 0.051 (T_c), both from T = 1 at alpha = 0; they replace the grid's m = 0.1 contour
    for prefix, alpha_0 in (("T_M", 0.1379), ("T_c", 0.0519)):
        (name,) = [lab for lab in labels if lab.startswith(prefix)]
        xs, ys = handles[labels.index(name)].get_data()
        assert ys[0] == pytest.approx(1.0, abs=1e-5) and xs[0] == pytest.approx(0.0, abs=1e-9)
        assert ys[-1] == 0.0 and xs[-1] == pytest.approx(alpha_0, abs=1e-3)
        assert np.all(np.diff(ys) <= 0)
    assert not any(lab.startswith("theory: m =") for lab in labels)
    assert path.read_bytes()[:4] == (b"\x89PNG" if suffix == ".png" else b"%PDF")
    with pytest.raises(KeyError, match="'K' is not a coordinate"):
        plot_phase_diagram(fake_grid, "K", "T")


def test_curves_one_per_hue_value(fake_grid, tmp_path):
    fig = plot_curves(fake_grid, "T", hue="alpha", path=tmp_path / "c.png")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert sum(lab.startswith("theory") for lab in labels) == 3
    assert sum(lab.startswith("Monte Carlo") for lab in labels) == 3
    assert fig.axes[0].get_ylabel() == "Mattis overlap m"


TOML = """
seed = 4
[model]
protocol = "hebbian"
P = 2
[axes]
T = [0.4, 0.8]
alpha = [0.0, 0.1]
[theory]
[montecarlo]
N = 100
sweeps = 10
"""


def test_cli_sweep_then_plot(tmp_path, capsys, fake_engines):
    config = tmp_path / "s.toml"
    config.write_text(TOML)
    out = tmp_path / "s.h5"
    argv = ["sweep", str(config), "--out", str(out), "--workers", "1", "--no-progress"]
    assert cli.main(argv) == 0
    assert f"written: {out}" in capsys.readouterr().out
    ds = open_sweep(out)
    assert ds["m_mc"].dims == ("T", "alpha") and bool(ds["done_mc"].all())
    assert cli.main(["plot", str(out), "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    assert cli.main(["plot", str(out), "--kind", "curves", "--out", str(tmp_path / "c.pdf")]) == 0
    assert (tmp_path / "c.pdf").exists()
    # a changed spec on the same file is refused as a one-line error
    config.write_text(TOML.replace("seed = 4", "seed = 5"))
    assert cli.main(argv) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "differs in: seed" in err and "--extend" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "content, argv_extra, message",
    [
        (TOML.replace("sweeps", "sweps"), [], "unknown key 'sweps' in montecarlo"),
        (TOML.replace("T = [0.4, 0.8]", "T = []"), [], "axes.T is empty"),
        (TOML, ["--scheduler", "tcp://127.0.0.1:1"], "could not reach the Dask scheduler"),
    ],
)
def test_cli_sweep_bad_input_is_one_line(tmp_path, capsys, content, argv_extra, message):
    config = tmp_path / "s.toml"
    config.write_text(content)
    argv = ["sweep", str(config), "--out", str(tmp_path / "x.h5"), "--no-progress", *argv_extra]
    assert cli.main(argv) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.h5").exists()


def test_cli_plot_damaged_file(tmp_path, capsys, fake_grid):
    path = tmp_path / "d.h5"
    storage.write(fake_grid, path)
    path.write_bytes(path.read_bytes()[:300])
    assert cli.main(["plot", str(path)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "is damaged" in err and "Recovery" in err and "Traceback" not in err


def test_import_is_light_and_layers_lazy():
    code = (
        "import sys, hopfield_sim; "
        "print(all(m not in sys.modules for m in ('flax', 'jax', 'xarray', 'matplotlib'))); "
        "print(sorted(set(hopfield_sim.__all__) - set(dir(hopfield_sim))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["True", "[]"]


def test_cli_theory_json_matches_curie_weiss(capsys):
    """Low storage P = 2: m = tanh(m / T) (docs/models.md §3), solved here independently."""
    import json

    from scipy.optimize import brentq

    pytest.importorskip("theory")
    assert cli.main(["theory", "--P", "2", "--alpha", "0", "--T", "0.5", "0.8", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["points"]
    for row in rows:
        expected = brentq(lambda m, T=row["T"]: m - np.tanh(m / T), 1e-6, 1.0)
        assert row["m"] == pytest.approx(expected, abs=1e-6) and row["converged"] is True
    assert cli.main(["theory", "--P", "1", "--T", "0.5"]) == cli.EXIT_USAGE
    assert "P must be an integer >= 2" in capsys.readouterr().err
