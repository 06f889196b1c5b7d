"""Supervised learning curves of the dense (P = 4) Hebbian network: retrieval overlap m
versus the number of examples M at several example qualities r, low storage, T = 0.1
(Agliari et al., arXiv 2212.00606; docs/models.md §3, exact finite-M theory).

Convention-free check at T = 0: m = erf(1/sqrt(2 rho)), rho = (1 - r^2)/(M r^2).

Usage: python scripts/supervised_learning_curves.py [--quick] [--workers N]
"""

from __future__ import annotations

from _sweep_script import main


def draw(ds):
    from hopfield_sim import plot_curves

    return plot_curves(ds, "M", hue="r")


if __name__ == "__main__":
    main("supervised_learning_curves", draw, __doc__.splitlines()[0])
