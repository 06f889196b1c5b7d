"""AGS (P = 2 hebbian) retrieval overlap versus load at low temperature: RS theory and
Monte Carlo (Amit, Gutfreund, Sompolinsky 1985/1987; docs/models.md §4.1).

Published facts to compare with: at T = 0 the retrieval solution exists up to
alpha_c = 0.138 with m_c = 0.967; finite N shifts the apparent capacity up (simulations at
N ~ 10^3 give 0.14-0.15).

Usage: python scripts/ags_theory_vs_mc.py [--quick] [--workers N] [--scheduler ADDRESS]
"""

from __future__ import annotations

from _sweep_script import main

ALPHA_C, M_C = 0.138, 0.967  # AGS, T = 0


def draw(ds):
    from hopfield_sim import plot_curves

    fig = plot_curves(ds, "alpha")
    ax = fig.axes[0]
    ax.axvline(ALPHA_C, color="0.4", ls="--", lw=1, label=f"alpha_c = {ALPHA_C} (T = 0, AGS)")
    ax.plot([ALPHA_C], [M_C], "k*", ms=10, label=f"m_c = {M_C} (AGS)")
    ax.legend(loc="lower left", fontsize="small")
    return fig


if __name__ == "__main__":
    main("ags_theory_vs_mc", draw, __doc__.splitlines()[0])
