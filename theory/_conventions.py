"""The conventions every theory solver shares (docs/models.md §2 and §6): temperature and
inverse temperature, the load of the dense models, what counts as a retrieval state, and the
warning for grid points that did not converge.

Temperature
    ``beta = 1/T`` with ``T = 0`` the zero-temperature limit (``beta = inf``) and ``T = inf``
    infinite temperature (``beta = 0``): :func:`beta_of_T` / :func:`T_of_beta` (NumPy, the one
    implementation in ``_hopfield_base.temperature``) and :func:`temperature` (inside JAX).
Load
    ``K = alpha N^(P-1)`` patterns; the cross-talk variance of the P-body field is
    ``c = alpha P P!/4`` and the convention-free load is ``Delta = alpha P!/P``. ``P!`` is a
    Python float here: as a Python int it would enter JAX as an int64 and overflow for P >= 22.
Retrieval
    A retrieval solution has a macroscopic overlap with the condensed archetype; spin-glass
    and paramagnetic solutions have exactly zero. Numerically "zero" and "macroscopic" need
    thresholds, and different questions need different ones:

    ``N_EXISTS``
        RS existence (critical load, lines): the class-mean overlap n of a converged, stable
        solution is above numerical zero. A solution started from m = 1 either stays O(1) or
        falls to n = 0 to solver precision.
    ``N_WARM``
        The same, for solutions warm-started next to a continuous transition (started close
        to m = 0 just below it, e.g. P = 2 at T = 1), where the absolute residual tolerance
        admits a spurious n ~ tol / |1 - dF/dn| (theory.rs.branch); with this floor the
        spurious band and the true-but-dropped band are both ~1e-7 wide in the control
        parameter.
    ``N_BRANCH``
        1RSB candidates on the retrieval branch: n (1 + rho) > 0.2 (n (1 + rho) is the Mattis
        overlap scale of the class mean; candidates that slid to the spin glass have ~0).
    ``M_RETRIEVAL``
        1RSB critical load and ground states: Mattis overlap m > 0.5 (at the 1RSB spinodal
        the retrieval state still has m > 0.9; the spin glass m = 0).
    ``M_AT``
        The de Almeida-Thouless line of the retrieval branch: m > 0.3 (well below the m ~ 0.9
        of retrieval states at the AT line, well above the spin glass).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from _hopfield_base.temperature import T_of_beta, beta_of_T

# --- temperature ------------------------------------------------------------------------


def temperature(beta):
    """``T = 1/beta`` inside JAX code for beta > 0, with ``T = 0`` at ``beta = inf``."""
    finite = jnp.isfinite(beta)
    return jnp.where(finite, 1.0 / jnp.where(finite, beta, 1.0), 0.0)


# --- load -------------------------------------------------------------------------------


def factorial(P: int) -> float:
    """``P!`` as a float (exact up to P = 22, finite up to P = 170)."""
    return float(math.factorial(P))


def crosstalk(alpha, P: int):
    """``c = alpha P P!/4``, the variance of the cross-talk field per unit ``q^(P-1)``."""
    return alpha * (P * factorial(P) / 4.0)


def delta_per_alpha(P: int) -> float:
    """``Delta / alpha = P!/P``."""
    return factorial(P) / P


# --- retrieval --------------------------------------------------------------------------

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


# --- warnings ---------------------------------------------------------------------------


class ConvergenceWarning(RuntimeWarning):
    """Some grid points did not converge; they are NaN with ``converged=False``."""


__all__ = [
    "M_AT",
    "M_RETRIEVAL",
    "N_BRANCH",
    "N_EXISTS",
    "N_WARM",
    "ConvergenceWarning",
    "T_of_beta",
    "beta_of_T",
    "crosstalk",
    "delta_per_alpha",
    "factorial",
    "is_retrieval",
    "temperature",
]
