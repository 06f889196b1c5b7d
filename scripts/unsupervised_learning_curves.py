"""Unsupervised learning curves of the dense (P = 4) Hebbian network: archetype overlap m
versus the number of examples M at several r, low storage, T = 0.1 (Agliari et al., arXiv
2211.14067; docs/models.md §3).

In low storage the archetype branch obeys the supervised equations; for P > 2 the network
can instead settle on one example (memorisation) unless roughly M r^P >~ 1: the Monte
Carlo points then fall below the theory line, a real effect (docs/models.md §3), reported here.

Usage: python scripts/unsupervised_learning_curves.py [--quick] [--workers N]
"""

from __future__ import annotations

from _sweep_script import main


def draw(ds):
    from hopfield_sim import plot_curves

    return plot_curves(ds, "M", hue="r")


if __name__ == "__main__":
    main("unsupervised_learning_curves", draw, __doc__.splitlines()[0])
