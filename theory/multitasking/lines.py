"""Thresholds and transition lines of the multitasking network (docs/models.md §6).

Closed forms:

- paramagnetic line T_c = 1 - d (linearising F at nbar = 0: beta (1 - d) = 1, for every rho);
- T = 0 hierarchical cascade m_k = (1 - d) d^(k-1) (rho = 0): spins follow the first pattern
  that is nonzero on them; self-consistent while every signal beats the sum of the weaker
  ones, m_k > sum_{j>k} m_j, i.e. 1 - 2d + d^K > 0; its root in (1/2, 1) is d_c(K)
  (d_c(3) = (sqrt 5 - 1)/2, d_c -> 1/2 as K grows; no root below 1 for K <= 2);
- onset symmetry (Landau expansion of f at T_c): the quartic term is
  a sum_mu nbar_mu^4 + b sum_{mu<nu} nbar_mu^2 nbar_nu^2 with a = (1-d)(1 + 6 rho + 3 rho^2),
  b = 6 (1-d)^2 (1+rho)^2; for b > 2a one pattern condenses first, for b < 2a all condense
  together with equal amplitude. The threshold d_par = 1 - (1 + 6 rho + 3 rho^2)/(3 (1+rho)^2)
  (= 2/3 at rho = 0) does not depend on K.

Lines that need the solver (K = 2): the temperature T_2 where the pure state loses stability
towards the second pattern (the second signal appears, d < d_par) and the temperature T_split
where the symmetric parallel state loses stability towards unequal amplitudes (d > d_par).
Both are found by bisection in T on the sign of the smallest Hessian eigenvalue of f.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize

from theory import _memory, _validate
from theory._bracket import bisect
from theory._gaussian import DEFAULT_NODES
from theory.multitasking.inputs import dilution, pattern_count
from theory.multitasking.solver import run

__all__ = [
    "critical_temperature",
    "critical_dilution",
    "cascade",
    "parallel_dilution",
    "second_signal_temperature",
    "split_temperature",
]


def _entropy(rho: object) -> np.ndarray:
    return _validate.real_array(
        "rho",
        rho,
        low=0.0,
        high=1e6,
        meaning="rho = (1 - r^2) / (M r^2) is the dataset entropy (0 = hebbian storage).",
    )


def critical_temperature(d: object, rho: object = 0.0) -> np.ndarray | float:
    """Paramagnetic line T_c = 1 - d, where the first signal appears (any K, any rho).

    Parameters
    ----------
    d : float or array_like
        Dilution in [0, 1).
    rho : float or array_like
        Dataset entropy >= 0; T_c does not depend on it (broadcast against ``d``).

    Returns
    -------
    float or ndarray
        T_c in units of the coupling, shape ``broadcast(d, rho)``.

    Examples
    --------
    >>> float(critical_temperature(0.25))
    0.75
    """
    d_arr, rho_arr = np.broadcast_arrays(dilution(d), _entropy(rho))
    out = 1.0 - d_arr + 0.0 * rho_arr
    return float(out) if out.ndim == 0 else out


def critical_dilution(K: int) -> float:
    """Dilution d_c(K) beyond which the T = 0 hierarchical cascade breaks (rho = 0).

    The root in (1/2, 1) of 1 - 2d + d^K = (1 - d)(1 - d - d^2 - ... - d^(K-1)); for K <= 2
    the cascade holds for every d < 1 and 1.0 is returned.

    Examples
    --------
    >>> round(critical_dilution(3), 6), round(critical_dilution(4), 6)
    (0.618034, 0.543689)
    """
    K = pattern_count(K)
    if K <= 2:
        return 1.0

    def q(d: float) -> float:
        return 1.0 - sum(d**j for j in range(1, K))

    return float(scipy.optimize.brentq(q, 0.5, 1.0, xtol=1e-15, rtol=4 * np.finfo(float).eps))


def cascade(K: int, d: object) -> np.ndarray:
    """T = 0, rho = 0 hierarchical amplitudes m_k = (1 - d) d^(k-1), k = 1..K.

    Parameters
    ----------
    K : int
        Number of patterns.
    d : float or array_like
        Dilution, ``0 <= d < critical_dilution(K)`` (beyond it the cascade is not a solution;
        use ``solve(K, d, T=0)``).

    Returns
    -------
    ndarray, shape ``d.shape + (K,)``
        Overlaps in decreasing order.
    """
    K = pattern_count(K)
    d_arr = dilution(d)
    dc = critical_dilution(K)
    if np.any(d_arr >= dc):
        bad = float(d_arr[d_arr >= dc].flat[0]) if d_arr.ndim else float(d_arr)
        raise ValueError(
            f"d must lie in [0, d_c(K={K}) = {dc:.6f}) for the hierarchical cascade; got "
            f"d={bad!r}. Beyond d_c a signal no longer beats the sum of the weaker ones; use "
            "theory.multitasking.solve(K, d, T=0) for the state there."
        )
    k = np.arange(K)
    return (1.0 - d_arr)[..., None] * d_arr[..., None] ** k


def parallel_dilution(rho: object = 0.0) -> np.ndarray | float:
    """Dilution d_par above which all patterns condense together at T_c (any K >= 2).

    d_par = 1 - (1 + 6 rho + 3 rho^2) / (3 (1 + rho)^2); 2/3 for hebbian storage. Below it a
    single pattern condenses first (Landau expansion, module docstring).

    Examples
    --------
    >>> round(float(parallel_dilution()), 6)
    0.666667
    """
    rho_arr = _entropy(rho)
    out = 1.0 - (1.0 + 6.0 * rho_arr + 3.0 * rho_arr**2) / (3.0 * (1.0 + rho_arr) ** 2)
    return float(out) if out.ndim == 0 else out


def _stability_k2(d, T, rho, branch: str) -> np.ndarray:
    """Smallest Hessian eigenvalue of the K = 2 pure or symmetric state at paired (d, T, rho)."""
    d, T, rho = (np.ravel(a).astype(np.float64) for a in np.broadcast_arrays(d, T, rho))
    beta = np.where(T > 0, 1.0 / np.where(T > 0, T, 1.0), np.inf)
    scale = (1.0 / (1.0 + rho))[:, None]
    if branch == "pure":
        n0 = scale * np.array([[1.0, 0.0]]) + 0.0 * d[:, None]
    else:
        n0 = scale * (1.0 - d)[:, None] * np.ones((1, 2))
    out = run(
        n0,
        beta,
        rho,
        d,
        np.array([1.0, 0.0]),
        K=2,
        sample_u=None,
        nodes=DEFAULT_NODES,
        constraint=branch,
        tol=1e-13,
        max_iter=400,
        n_fp=3,  # 1-D subspace, f convex above the root: Newton from above is monotone
    )
    lam = out["stability"]
    return np.where(out["residual"] < 1e-10, lam, np.nan)


def _bisect_instability(d, rho, branch: str, steps: int = 48) -> np.ndarray:
    """Highest T < T_c at which ``branch`` turns from stable (above) to unstable (below).

    NaN where the branch is not stable just below T_c; 0 where it stays stable down to
    T = 1e-3 T_c (e.g. the pure state at d = 0, the classic Hopfield model).
    """
    _memory.check(
        _memory.multitasking_bytes(points=np.size(d), K=2, configs=5, nodes=DEFAULT_NODES),
        f"the K = 2 multitasking lines at {np.size(d)} points",
    )
    Tc = 1.0 - d
    hi = Tc * (1.0 - 1e-5)
    lo = Tc * 1e-3
    stable_hi = _stability_k2(d, hi, rho, branch) > 0
    stable_lo = _stability_k2(d, lo, rho, branch) > 0
    lo, hi = bisect(lambda T: ~(_stability_k2(d, T, rho, branch) > 0), lo, hi, steps)
    return np.where(stable_hi, np.where(stable_lo, 0.0, 0.5 * (lo + hi)), np.nan)


def second_signal_temperature(d: object, rho: object = 0.0) -> np.ndarray | float:
    """K = 2: temperature T_2 at which the second pattern's signal appears.

    For d < d_par (``parallel_dilution(rho)``) one pattern condenses alone at T_c = 1 - d;
    its pure state loses stability towards the second pattern at T_2 < T_c, below which
    both amplitudes are nonzero (hierarchical, m_1 > m_2 > 0). For d >= d_par both
    signals appear together at T_c, and T_c is returned. At d = 0 (classic Hopfield) the
    pure state stays stable at every T and 0 is returned.

    Parameters
    ----------
    d, rho : float or array_like
        Dilution in [0, 1), dataset entropy >= 0 (broadcast together).

    Returns
    -------
    float or ndarray
        T_2, accurate to about 1e-12 relative (bisection on the Hessian sign).

    Examples
    --------
    >>> T2 = second_signal_temperature(0.3)
    >>> bool(0.0 < T2 < 0.7)
    True
    """
    d_arr, rho_arr = np.broadcast_arrays(dilution(d), _entropy(rho))
    shape = d_arr.shape
    d_f, rho_f = d_arr.ravel(), rho_arr.ravel()
    T2 = _bisect_instability(d_f, rho_f, "pure")
    parallel = d_f >= np.asarray(parallel_dilution(rho_f))
    T2 = np.where(parallel | np.isnan(T2), 1.0 - d_f, T2)
    T2 = T2.reshape(shape)
    return float(T2) if T2.ndim == 0 else T2


def split_temperature(d: object, rho: object = 0.0) -> np.ndarray | float:
    """K = 2: temperature T_split where the symmetric parallel state splits.

    For d > d_par both patterns condense together at T_c with m_1 = m_2; below T_split the
    symmetric state is unstable towards m_1 != m_2 and the network becomes hierarchical.
    For d <= d_par the symmetric state is not stable just below T_c (a single pattern
    condenses first) and the result is NaN by definition (not a convergence failure).
    0 means the symmetric state stays stable down to T = 0: with data noise (rho > 0) the
    ties that make it a saddle at rho = 0 are smoothed out, and for large enough d it is
    stable at every temperature. For d a little below d_par the symmetric state becomes
    stable again in a window of intermediate temperatures (see the K = 2 diagram in
    docs/multitasking.md); that window is not described by this function.

    Examples
    --------
    >>> Ts = split_temperature(0.8)
    >>> bool(0.0 < Ts < 0.2)
    True
    """
    d_arr, rho_arr = np.broadcast_arrays(dilution(d), _entropy(rho))
    out = _bisect_instability(d_arr.ravel(), rho_arr.ravel(), "symmetric").reshape(d_arr.shape)
    return float(out) if out.ndim == 0 else out
