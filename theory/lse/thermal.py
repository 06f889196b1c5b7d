"""Finite-temperature phase diagram of the log-sum-exp memory on the N-sphere
(docs/exponential.md, "Phase diagram").

Thermal temperature T (bath, Metropolis) is separate from the kernel sharpness b = beta_net.
At leading order in N the free energy per neuron as a function of the alignment phi with the
retrieved pattern is (entropy of the sphere at fixed phi: ln(1 - phi^2)/2)

    f(phi) = 1 - max(phi, phi_c) - (T/2) ln(1 - phi^2),    phi_c = Phi(alpha, b)/b,

Phi the REM exponent of the non-retrieval patterns (theory.lse.rem). Two minima:

* retrieval, at phi_eq(T) = (sqrt(T^2 + 4) - T)/2 (root of phi^2 + T phi - 1 = 0), with
  f_ret(T) = 1 - phi_eq - (T/2) ln(1 - phi_eq^2); it exists while phi_eq(T) > phi_c;
* non-retrieval ("paramagnet": phi = 0, q = 0), with f_nr = 1 - phi_c.

Lines (each the load at which b y = Phi, theory.lse.rem.capacity):

* spinodal ``alpha_sp(T)``: y = phi_eq(T): the retrieval minimum disappears (Petrova et al.
  2603.13350, "saddle-dominated capacity"; b phi_eq - g_max(b) for spherical patterns);
* equal depth ``alpha_ed(T)``: y = 1 - f_ret(T): f_ret = f_nr. Between the two lines
  retrieval is metastable. With the Gaussian REM approximation at b >= sqrt(2 alpha) the
  equal-depth line is Petrova et al. 2604.07401's alpha_c(T) = (1 - f_ret)^2/2.

Both reduce to the T = 0 capacity (y = 1).

Our addition (not in the papers; docs/exponential.md "Pattern-basin equilibrium"): the Gibbs
measure over the whole sphere weighs all M = e^{alpha N} basins, each at f_ret, so their
joint free energy is f_basins = f_ret - T alpha (the caps do not overlap where the basin
exists: phi_eq > phi_c >= phi_max(alpha)). Where f_basins < f_nr < f_ret the equilibrium
state lies in the basin of *some* pattern although the target's basin alone is metastable
(phase 3); Monte Carlo from a random start at finite N ends there (docs/exponential.md).
"""

from __future__ import annotations

import numpy as np

from theory.lse import rem

PHASES = {0: "non-retrieval", 1: "retrieval", 2: "metastable retrieval",
          3: "metastable retrieval, equilibrium in pattern basins"}
CRITERIA = ("spinodal", "equal_depth")


def phi_eq(T) -> np.ndarray:
    """Alignment of the retrieval minimum, (sqrt(T^2 + 4) - T)/2 (1 at T = 0)."""
    t = np.asarray(T, dtype=float)
    return 2.0 / (np.sqrt(t * t + 4.0) + t)  # cancellation-free form


def f_retrieval(T) -> np.ndarray:
    """Free energy per neuron of the retrieval minimum, 1 - phi_eq - (T/2) ln(1 - phi_eq^2)."""
    t = np.asarray(T, dtype=float)
    p = phi_eq(t)
    entropy = 0.5 * np.log1p(-np.where(t > 0.0, p, 0.0) ** 2)  # T ln(1 - 1) -> 0 at T = 0
    return 1.0 - p - np.where(t > 0.0, t, 0.0) * entropy


def critical_y(T, criterion: str) -> np.ndarray:
    """The retrieval exponent per unit b on the line: phi_eq (spinodal) or 1 - f_ret."""
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}; got {criterion!r}.")
    return phi_eq(T) if criterion == "spinodal" else 1.0 - f_retrieval(T)


def critical_alpha(beta_net, T, law: str = "spherical", criterion: str = "spinodal"):
    """alpha_sp(T) or alpha_ed(T) (module docstring); 0 where retrieval never wins."""
    return np.maximum(rem.capacity(beta_net, critical_y(T, criterion), law), 0.0)


def spinodal_temperature(alpha, beta_net) -> np.ndarray:
    """T_sp(alpha, b) = (b^2 - c^2)/(b c), c = alpha + g_max(b): spherical patterns,
    uncondensed REM (always the case on the spinodal); 0 where alpha >= alpha_c(b)."""
    a, b = np.broadcast_arrays(np.asarray(alpha, float), np.asarray(beta_net, float))
    c = a + rem.cumulant(b, "spherical")
    return np.maximum((b * b - c * c) / (b * c), 0.0)


def phase_point(alpha, T, beta_net, law: str = "spherical") -> dict[str, np.ndarray]:
    """Both minima of f(phi) and the phase at broadcast (alpha, T, beta_net).

    Returns
    -------
    dict of ndarray
        ``phi_ret`` (phi_eq), ``f_ret``, ``f_nr``, ``f_basins`` (f_ret - T alpha), ``phi_c``,
        ``exists`` (the retrieval minimum exists), ``condensed`` (REM of the non-retrieval
        patterns condensed) and ``phase`` (``PHASES``).
    """
    a, t, b = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (alpha, T, beta_net)))
    Phi, condensed = rem.noise_exponent(a, b, law)
    phi_c = Phi / b
    p, f_ret = phi_eq(t), f_retrieval(t)
    f_nr = 1.0 - phi_c
    f_basins = f_ret - t * a
    exists = p > phi_c
    metastable = np.where(f_basins < f_nr, 3, 2)
    phase = np.where(exists, np.where(f_ret <= f_nr, 1, metastable), 0).astype(np.int8)
    return {"phi_ret": p, "f_ret": f_ret, "f_nr": f_nr, "f_basins": f_basins, "phi_c": phi_c,
            "exists": exists, "condensed": condensed, "phase": phase}
