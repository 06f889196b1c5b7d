"""The load conventions of the dense models (docs/models.md §2).

``K = alpha N^(P-1)`` patterns; the cross-talk variance of the P-body field is
``c = alpha P P!/4`` and the convention-free load is ``Delta = alpha P!/P``. ``P!`` is a
Python float here: as a Python int it would enter JAX as an int64 and overflow for P >= 22.
"""

from __future__ import annotations

import math


def factorial(P: int) -> float:
    """``P!`` as a float (exact up to P = 22, finite up to P = 170)."""
    return float(math.factorial(P))


def crosstalk(alpha, P: int):
    """``c = alpha P P!/4``, the variance of the cross-talk field per unit ``q^(P-1)``."""
    return alpha * (P * factorial(P) / 4.0)


def delta_per_alpha(P: int) -> float:
    """``Delta / alpha = P!/P``."""
    return factorial(P) / P
