"""The demo: theory-vs-simulation phase diagram (P = 2) and learning curve (P = 4).

1. The P = 2 hebbian (AGS) model in the (alpha, T) plane: the RS retrieval overlap from
   theory on a grid, with Monte Carlo points along the line alpha = 0.05.
2. A P = 4 supervised learning curve: m versus the number of examples M at fixed example
   quality r, theory (exact finite-M law) against Monte Carlo.

Each part writes an HDF5 file (:func:`hopfield_sim.sweep` store) and a PNG figure, and a
short theory-vs-simulation table is printed.
"""

from __future__ import annotations

from pathlib import Path

from hopfield_sim.compare import comparison_table
from hopfield_sim.spec import spec_from_dict

#: sizes: (full, quick)
_SIZES = {
    "grid_alpha": ({"start": 0.0, "stop": 0.16, "num": 17}, {"start": 0.0, "stop": 0.16, "num": 5}),
    "grid_T": ({"start": 0.05, "stop": 1.3, "num": 26}, {"start": 0.1, "stop": 1.3, "num": 5}),
    "line_T": ([0.1, 0.3, 0.5, 0.7, 0.9, 1.1], [0.3, 0.9]),
    "line_N": (2000, 400),
    "curve_M": ([1, 2, 4, 8, 16, 32, 64], [2, 16]),
    "curve_N": (1000, 300),
    "sweeps": (200, 40),
}


def specs(quick: bool = False) -> dict[str, dict]:
    """The demo's three sweep specs (plain dicts, as in a TOML file)."""
    k = 1 if quick else 0
    size = {name: value[k] for name, value in _SIZES.items()}
    # several disorder samples: the error bars must include sample-to-sample fluctuations,
    # since the theory is the disorder average
    mc = {"sweeps": size["sweeps"], "burn_in": size["sweeps"] // 4, "chains": 2, "samples": 3}
    return {
        "ags_theory": {
            "name": "P=2 hebbian (AGS): retrieval overlap from RS theory",
            "seed": 1,
            "model": {"protocol": "hebbian", "P": 2},
            "axes": {"alpha": size["grid_alpha"], "T": size["grid_T"]},
            "theory": {"level": "RS", "branch": "retrieval"},
        },
        "ags_line": {
            "name": "P=2 hebbian: Monte Carlo along alpha = 0.05",
            "seed": 2,
            "model": {"protocol": "hebbian", "P": 2},
            "axes": {"T": size["line_T"]},
            "fixed": {"alpha": 0.05},
            "theory": {"level": "RS", "branch": "retrieval"},
            "montecarlo": {"N": size["line_N"], **mc},
        },
        "supervised_curve": {
            "name": "P=4 supervised learning curve: m versus M at r = 0.5, T = 0.1",
            "seed": 3,
            "model": {"protocol": "supervised", "P": 4},
            "axes": {"M": size["curve_M"]},
            "fixed": {"r": 0.5, "T": 0.1, "K": 2},
            "theory": {"level": "RS", "branch": "retrieval", "finite_M": True},
            "montecarlo": {"N": size["curve_N"], **mc},
        },
    }


def run_demo(out: Path, *, quick: bool = False, progress: bool = True) -> list[Path]:
    """Run the demo into folder ``out`` and return the paths it wrote.

    Parameters
    ----------
    out : Path
        Output folder, created if missing.
    quick : bool
        Reduced sizes (seconds instead of minutes), as the test suite uses.
    progress : bool
        Show progress bars.

    Returns
    -------
    list of Path
        HDF5 result files and PNG figures, in the order written.
    """
    from hopfield_sim.plot import plot_curves
    from hopfield_sim.sweep import sweep

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    s = specs(quick)
    workers = 1 if quick else None  # quick: skip worker start-up
    written: list[Path] = []

    print("1/2  P = 2 (alpha, T) phase diagram: theory grid + Monte Carlo at alpha = 0.05")
    grid = sweep(spec_from_dict(s["ags_theory"]), store=out / "ags_theory.h5", progress=progress)
    line = sweep(
        spec_from_dict(s["ags_line"]), store=out / "ags_line.h5", progress=progress,
        workers=workers,
    )  # fmt: skip
    written += [out / "ags_theory.h5", out / "ags_line.h5"]
    fig = ags_figure(grid, line, N=s["ags_line"]["montecarlo"]["N"])
    fig.savefig(out / "ags_phase_diagram.png", dpi=150)
    written.append(out / "ags_phase_diagram.png")
    print(comparison_table(line))

    print("\n2/2  P = 4 supervised learning curve: m versus M at r = 0.5")
    curve = sweep(
        spec_from_dict(s["supervised_curve"]), store=out / "supervised_curve.h5",
        progress=progress, workers=workers,
    )  # fmt: skip
    written.append(out / "supervised_curve.h5")
    plot_curves(curve, "M", path=out / "supervised_curve.png")
    written.append(out / "supervised_curve.png")
    print(comparison_table(curve))
    return written


#: AGS phase labels: (alpha, T, text, colour) in data coordinates, inside each region
_REGIONS = (
    (0.017, 0.25, "retrieval\n(global minimum)", "black"),
    (0.098, 0.13, "retrieval\n(metastable)", "black"),
    (0.115, 0.85, "spin glass", "white"),
    (0.02, 1.22, "paramagnet", "white"),
)
#: legend text of the lines drawn by plot_phase_diagram, by label prefix
_LEGEND = {
    "T_M": r"$T_M$: retrieval states exist below",
    "T_c": r"$T_c$: retrieval is the global minimum below",
    "T_g": r"$T_g = 1 + \sqrt{\alpha}$: spin-glass transition",
}


def ags_figure(grid, line, *, N: int | None = None):
    """The P = 2 (AGS) phase diagram for a talk: RS overlap shading from the theory sweep
    ``grid`` with the lines T_g, T_M and T_c of :mod:`theory.lines`, the phases named, and
    the Monte Carlo points of the sweep ``line`` (``N`` neurons) coloured by m.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import theory
    from hopfield_sim.plot import _pyplot, plot_phase_diagram

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 5.6), layout="constrained")
    plot_phase_diagram(grid, "alpha", "T", ax=ax)
    plot_phase_diagram(line, "alpha", "T", ax=ax, theory_lines=False)
    ax.get_legend().remove()
    handles, labels = ax.get_legend_handles_labels()
    mc = f"Monte Carlo m, N = {N}" if N else "Monte Carlo m"
    labels = [_LEGEND.get(t.split(" ")[0], mc if t.startswith("Monte") else t) for t in labels]
    fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize="small",
               frameon=False)  # fmt: skip
    for a, T, text, colour in _REGIONS:
        ax.text(a, T, text, ha="center", va="center", fontsize=9, style="italic", color=colour)
    alpha_c = theory.critical_load(2, protocol="hebbian")
    ax.annotate(
        rf"$\alpha_c = {alpha_c:.3f}$",
        xy=(alpha_c, ax.get_ylim()[0]),
        xytext=(alpha_c + 0.004, 0.3),
        color="white",
        fontsize=9,
        arrowprops={"arrowstyle": "->", "color": "white", "lw": 1},
    )
    ax.set_xlabel(r"load $\alpha = K/N$")
    ax.set_ylabel(r"temperature $T$")
    ax.set_title("Hopfield network (P = 2): replica-symmetric theory and Monte Carlo")
    return fig
