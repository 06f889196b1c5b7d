"""AGS (P = 2 hebbian) retrieval overlap versus load at low temperature: RS theory and
Monte Carlo (Amit, Gutfreund, Sompolinsky 1985/1987; docs/models.md §4.1).

Published facts to compare with: at T = 0 the retrieval solution exists up to
alpha_c = 0.138 with m_c = 0.967; finite N shifts the apparent capacity up (simulations at
N ~ 10^3 give 0.14-0.15).

The figure draws the RS theory at the sweep's T = 0.1 on a fine grid, with its computed
capacity alpha_c(T = 0.1) = 0.135 (spinodal, where m jumps) and thermodynamic line.

Usage: python scripts/ags_theory_vs_mc.py [--quick] [--workers N] [--scheduler ADDRESS]
                                          [--out FOLDER | --data FILE --figure FILE]
"""

from __future__ import annotations

from _sweep_script import main


def draw(ds):
    from hopfield_sim import plot_curves

    fig = plot_curves(ds, "alpha")
    fig.axes[0].legend(loc="lower left", fontsize="small")
    return fig


if __name__ == "__main__":
    main("ags_theory_vs_mc", draw, __doc__.splitlines()[0])
