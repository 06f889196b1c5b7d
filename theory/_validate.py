"""Input checkers of the theory solvers: the shared checkers of ``_hopfield_base.validate``
(re-exported here) with the theory's choice sets and its largest interaction order.

Conventions (shared with ``montecarlo`` and ``hopfield_sim``): strings and booleans given
for numbers are a ``TypeError``; empty arrays, NaN and values outside the allowed interval a
``ValueError``; seeds are non-negative integers (or ``None`` where allowed).
"""

from __future__ import annotations

from _hopfield_base import validate as _base
from _hopfield_base.validate import (
    beta_or_T,
    choice,
    flag,
    integer,
    real_array,
    scalar_T,
    seed,
)

PROTOCOLS = ("hebbian", "supervised", "unsupervised")
LEVELS = ("RS", "1RSB")
BRANCHES = ("retrieval", "spinglass", "paramagnet")
#: largest interaction order: P! and the P-th powers of the equations stay far inside
#: float64 (P! < 1e90), and the cross-talk alpha P P!/4 of any representable load is finite
MAX_P = 64


def interaction_order(P: object) -> int:
    """P must be an integer, 2 <= P <= MAX_P (odd P: no +-m symmetry, docs/models.md §2)."""
    return _base.interaction_order(
        P,
        largest=MAX_P,
        why="The equations contain P! (the cross-talk alpha P P!/4), which leaves the "
        "double-precision range of the solvers beyond it.",
    )


__all__ = [
    "BRANCHES",
    "LEVELS",
    "MAX_P",
    "PROTOCOLS",
    "beta_or_T",
    "choice",
    "flag",
    "integer",
    "interaction_order",
    "real_array",
    "scalar_T",
    "seed",
]
