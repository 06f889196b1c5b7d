"""What counts as a retrieval state: one test, with its thresholds named (docs/models.md §6).

A retrieval solution has a macroscopic overlap with the condensed archetype; spin-glass and
paramagnetic solutions have exactly zero. Numerically "zero" and "macroscopic" need
thresholds, and different questions need different ones:

``N_EXISTS``
    RS existence (critical load, lines): the class-mean overlap n of a converged, stable
    solution is above numerical zero. A solution started from m = 1 either stays O(1) or
    falls to n = 0 to solver precision.
``N_WARM``
    The same, for solutions warm-started next to a continuous transition, where the
    absolute residual tolerance admits a spurious n ~ tol / |1 - dF/dn| (theory.critical).
``N_BRANCH``
    1RSB candidates on the retrieval branch: n (1 + rho) > 0.2 (n (1 + rho) is the Mattis
    overlap scale of the class mean; candidates that slid to the spin glass have ~0).
``M_RETRIEVAL``
    1RSB critical load and ground states: Mattis overlap m > 0.5 (at the 1RSB spinodal the
    retrieval state still has m > 0.9; the spin glass m = 0).
``M_AT``
    The de Almeida-Thouless line of the retrieval branch: m > 0.3 (well below the m ~ 0.9
    of retrieval states at the AT line, well above the spin glass).
"""

from __future__ import annotations

import numpy as np

N_EXISTS = 1e-6
N_WARM = 1e-3
N_BRANCH = 0.2
M_RETRIEVAL = 0.5
M_AT = 0.3


def is_retrieval(*, m=None, n=None, rho=0.0, threshold: float | None = None) -> np.ndarray:
    """True where a solution is a retrieval state.

    Give exactly one of ``m`` (Mattis overlap; default threshold ``M_RETRIEVAL``) and ``n``
    (class-mean overlap, compared as ``n (1 + rho)``; default threshold ``N_EXISTS``).
    NaN (non-converged) is never retrieval.
    """
    if (m is None) == (n is None):
        raise ValueError("give exactly one of m and n to is_retrieval.")
    if m is not None:
        value, cut = np.asarray(m), M_RETRIEVAL
    else:
        value, cut = np.asarray(n) * (1.0 + np.asarray(rho)), N_EXISTS
    with np.errstate(invalid="ignore"):
        return value > (cut if threshold is None else threshold)
