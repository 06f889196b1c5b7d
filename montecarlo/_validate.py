"""Input checkers of the Monte Carlo engines: the shared checkers of
``_hopfield_base.validate`` (re-exported here under their Monte Carlo names) with the engines'
choice sets and largest interaction order. Each raises before any Numba call and names the
parameter, the value and what is allowed."""

from __future__ import annotations

from _hopfield_base import validate as _base
from _hopfield_base.validate import (
    choice,
    dilution,
    finite_positive,
    integer,
    quality,
    spin_array,
)
from _hopfield_base.validate import seed_sequence as seed
from _hopfield_base.validate import temperature_ladder as temperature

PROTOCOLS = ("hebbian", "supervised", "unsupervised", "teacher")
DYNAMICS = ("glauber", "metropolis", "zero_temperature")
ORDERS = ("random", "sequential")
ENGINES = ("numba", "jax")
P_MAX = 40  # largest interaction order (float64 energy polynomials, see interaction_order)


def interaction_order(P: object) -> int:
    """P must be an integer in [2, P_MAX] (odd P: no +-m symmetry, see docs/models.md §2)."""
    return _base.interaction_order(
        P,
        largest=P_MAX,
        why="The energies are polynomials of degree P in the overlaps, evaluated in float64 "
        f"(coefficients up to P! / N**(P-1)); beyond P = {P_MAX} they lose their accuracy or "
        "overflow.",
    )


__all__ = [
    "DYNAMICS",
    "ENGINES",
    "ORDERS",
    "PROTOCOLS",
    "P_MAX",
    "choice",
    "dilution",
    "finite_positive",
    "integer",
    "interaction_order",
    "quality",
    "seed",
    "spin_array",
    "temperature",
]
