"""Dense (P = 4) Hebbian network: retrieval overlap versus load at T = 0, RS theory and
zero-temperature Monte Carlo (docs/models.md §4.2; Albanese et al., arXiv 2111.12997).

Convention-free facts: with Delta = alpha P!/P the retrieval spinodal is Delta_c = 0.19786
(m_c = 0.9179) for P = 4, i.e. alpha_c = 0.032977 for K = alpha N^3. Simulations at small N
(K = alpha N^3 grows fast) sit above it; two sizes show the trend.

The figure draws the T = 0 theory on a fine grid with its computed spinodal (the jump)
and thermodynamic line, one Monte Carlo series per N.

Usage: python scripts/dense_retrieval_vs_load.py [--quick] [--workers N] [--scheduler ADDRESS]
                                                 [--out FOLDER | --data FILE --figure FILE]
"""

from __future__ import annotations

from _sweep_script import main

ALPHA_C, M_C = 0.032977, 0.9179


def draw(ds):
    from hopfield_sim import plot_curves

    fig = plot_curves(ds, "alpha", hue="N" if "N" in ds.dims else None)
    ax = fig.axes[0]
    ax.plot([ALPHA_C], [M_C], "k*", ms=10, label=f"published m_c = {M_C} at alpha_c = {ALPHA_C}")
    ax.legend(loc="center right", fontsize="small")
    return fig


if __name__ == "__main__":
    main("dense_retrieval_vs_load", draw, __doc__.splitlines()[0])
