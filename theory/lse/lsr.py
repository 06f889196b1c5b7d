"""The log-sum-ReLU (LSR, Epanechnikov) memory on the N-sphere (docs/exponential.md, "LSR").

Energy H(x) = -(N/b) ln sum_mu max(0, 1 - b + b phi_mu) (Petrova et al., arXiv 2604.07401,
with their b = N beta_net; ``kernel="lsr"`` of montecarlo.lse.sample_lse). A pattern adds to
the sum only inside its support phi > phi_c = (b - 1)/b; one pattern alone gives the energy
per neuron u(phi) = -ln(1 - b(1 - phi))/b.

What is here, and where it departs from the printed formulas:

- ``phi_eq`` / ``f_retrieval``: the retrieval minimum of f(phi) = u(phi) - (T/2) ln(1 - phi^2)
  (their quadratic (bT + 1) y^2 - (2 + T + T b) y + T = 0 in y = 1 - phi; 1/sqrt(1 + T) at
  b = 1).
- ``capacity``: the leading-order T = 0 capacity. The support threshold alpha_th = I(phi_c)
  (theory.lse.rem.lsr_support_threshold): below it no non-target pattern is in the support
  anywhere near the target, and retrieval holds at every T; above it e^{N(alpha - alpha_th)}
  patterns are in the support of every state, ln sum is O(N) and swamps the target's O(1)
  term, so the retrieval state is lost already at T = 0. 2604.07401 instead prints
  alpha_c(0) = 0.5 for both kernels (the load where phi_max(alpha) = sqrt(2 alpha) reaches
  1, Gaussian approximation) and the line ``alpha_c_printed`` = (1 - f_ret(T))^2 / 2, the
  LSE noise floor with the LSR f_ret; both are reproduced here for comparison, not used.
"""

from __future__ import annotations

import numpy as np

from theory.lse import rem


def _b(beta_net) -> np.ndarray:
    b = np.asarray(beta_net, dtype=float)
    if np.any(~(b > 0)) or np.any(~np.isfinite(b)):
        raise ValueError(f"b (beta_net of the LSR kernel) must be finite and > 0; got "
                         f"{beta_net!r}.")
    return b


def phi_eq(T, beta_net) -> np.ndarray:
    """Retrieval alignment at temperature T >= 0: the root y in [0, 1/b) of
    (bT + 1) y^2 - (2 + T + bT) y + T = 0, phi = 1 - y."""
    b, t = _b(beta_net), np.asarray(T, dtype=float)
    if np.any(t < 0):
        raise ValueError(f"T must be >= 0; got {T!r}.")
    a2, a1 = b * t + 1.0, -(2.0 + t + b * t)
    disc = np.sqrt(a1 * a1 - 4.0 * a2 * t)
    y = 2.0 * t / (-a1 + disc)  # the smaller root, written without cancellation
    return 1.0 - y


def f_retrieval(T, beta_net) -> np.ndarray:
    """Free energy per neuron of the retrieval minimum, u(phi_eq) - (T/2) ln(1 - phi_eq^2)
    (T = 0: 0)."""
    b, t = _b(beta_net), np.asarray(T, dtype=float)
    y = 1.0 - phi_eq(t, b)  # 1 - phi^2 = y (2 - y), > 0 for T > 0
    safe = np.where(t > 0, y, 1.0)
    ent = np.where(t > 0, 0.5 * t * np.log(safe * (2.0 - safe)), 0.0)
    return -np.log1p(-b * y) / b - ent


def capacity(beta_net, law: str = "spherical") -> np.ndarray:
    """Leading-order T = 0 capacity alpha_c = alpha_th = I(phi_c) (module docstring):
    -ln(1 - phi_c^2)/2 for spherical patterns, phi_c^2/2 in the Gaussian approximation."""
    return rem.lsr_support_threshold(_b(beta_net), law)


def alpha_c_printed(T, beta_net) -> np.ndarray:
    """2604.07401's printed LSR line alpha_c(T) = (1 - f_ret(T))^2 / 2, kept to compare with
    (0.5 at T = 0; it meets alpha_th at T_max ~ 0.21 for b = 3.41, printed "~0.22")."""
    return 0.5 * (1.0 - f_retrieval(T, beta_net)) ** 2
