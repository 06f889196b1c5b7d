"""Critical load: the largest alpha at which the RS retrieval solution exists.

Existence is decided on the retrieval branch (solver started from m = 1): a converged,
linearly stable solution with n > ``M_EXISTS``. Past the spinodal the iteration from m = 1
falls to the spin-glass solution (m = 0), so existence is a clean yes/no. The threshold is
located by bracketed bisection, many candidates per round (one vectorised solve per round),
to a relative width of ``XTOL``; no grid scan.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from theory import _validate
from theory._rs_grid import solve_rs_flat

M_EXISTS = 1e-6  # n above this counts as a retrieval state
XTOL = 1e-10
_CANDIDATES = 15  # per bracket and round; 16 points per call with the bracket end


def bisect_last_true(
    predicate: Callable[[np.ndarray], np.ndarray],
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    xtol: float = XTOL,
    max_rounds: int = 30,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised bracketed search for the switch from True (at ``lo``) to False (at ``hi``).

    ``predicate`` takes an array of shape (n, k) of candidate values (one row per line) and
    returns bools of the same shape; it must be True below the threshold and False above.
    Returns the bracket (lo, hi) after narrowing, hi - lo <= xtol * max(1, |hi|).
    """
    lo = np.asarray(lo, dtype=float).copy()
    hi = np.asarray(hi, dtype=float).copy()
    frac = np.arange(1, _CANDIDATES + 1) / (_CANDIDATES + 1)
    for _ in range(max_rounds):
        if np.all(hi - lo <= xtol * np.maximum(1.0, np.abs(hi))):
            break
        cand = lo[:, None] + (hi - lo)[:, None] * frac[None, :]
        ok = np.asarray(predicate(cand), dtype=bool)
        k = ok.shape[1]
        lead = np.where(ok.all(axis=1), k, np.argmin(ok, axis=1))  # leading Trues
        idx = np.arange(len(lo))
        new_lo = np.where(lead > 0, cand[idx, np.maximum(lead - 1, 0)], lo)
        new_hi = np.where(lead < k, cand[idx, np.minimum(lead, k - 1)], hi)
        lo, hi = new_lo, new_hi
    return lo, hi


def retrieval_exists(beta, alpha_eff, rho, *, P: int) -> tuple[np.ndarray, np.ndarray]:
    """(exists, m) on the retrieval branch at flat points."""
    one = np.ones(np.size(beta))
    out = solve_rs_flat(beta, alpha_eff, rho, one, one, P=P, branch="retrieval")
    exists = out["converged"] & out["stable"] & (out["n"] > M_EXISTS)
    return exists, out["m"]


def _alpha_factor(P: int, protocol: str, rho: float, r, M) -> float:
    if protocol != "unsupervised":
        return 1.0
    if P == 2:
        raise NotImplementedError(
            "protocol='unsupervised' at high storage is implemented for P >= 4 only."
        )
    if r is None or M is None:
        raise ValueError(
            "protocol='unsupervised' needs r and M (the cross-talk depends on "
            "rho_P = (1 - r^(2P))/(M r^(2P))), not rho alone."
        )
    rP = float(r) ** (2 * P)
    rho_P = (1.0 - rP) / (float(M) * rP)
    return (1.0 + rho_P) / (1.0 + rho) ** P


def critical_point(
    P: int,
    *,
    rho: float = 0.0,
    protocol: str = "supervised",
    T: float = 0.0,
    r: float | None = None,
    M: float | None = None,
) -> tuple[float, float]:
    """``(alpha_c, m_c)``: the RS retrieval spinodal and the overlap just below it.

    See :func:`critical_load`; ``m_c`` is m on the retrieval branch at alpha_c (1 - 1e-9),
    i.e. the size of the jump at the spinodal.
    """
    P = _validate.interaction_order(P)
    protocol = _validate.choice("protocol", protocol, _validate.PROTOCOLS)
    if r is not None or M is not None:
        if r is None or M is None:
            raise ValueError(f"give r and M together; got r={r!r}, M={M!r}.")
        r = float(_validate.real_array("r", r, low=0.0, high=1.0, low_open=True))
        M = float(_validate.real_array("M", M, low=1.0, high=math.inf, high_open=True))
        rho = (1.0 - r * r) / (M * r * r)
    rho = float(_validate.real_array("rho", rho, low=0.0, high=math.inf, high_open=True))
    if protocol == "hebbian" and rho != 0.0:
        raise ValueError(f"protocol='hebbian' has no dataset, so rho must be 0; got rho={rho!r}.")
    T = float(_validate.real_array("T", T, low=0.0, high=math.inf, high_open=True))
    if np.ndim(T) or np.ndim(rho):
        raise ValueError("critical_load takes scalar rho and T.")
    factor = _alpha_factor(P, protocol, rho, r, M)
    beta = math.inf if T == 0.0 else 1.0 / T

    def exists(alpha):  # alpha: (n, k) array of true loads
        a = np.asarray(alpha, dtype=float)
        flat = a.ravel()
        ok, _ = retrieval_exists(
            np.full(flat.size, beta), flat * factor, np.full(flat.size, rho), P=P
        )
        return ok.reshape(a.shape)

    if not exists(np.array([[0.0]]))[0, 0]:
        return 0.0, 0.0
    hi = 0.25 if P == 2 else P / math.factorial(P)  # Delta = 1
    while exists(np.array([[hi]]))[0, 0]:
        hi *= 2.0
        if hi > 1e6:
            raise RuntimeError("retrieval solution found at every load; no critical load.")
    lo, _ = bisect_last_true(exists, np.array([0.0]), np.array([hi]))
    alpha_c = float(lo[0])
    a_m = alpha_c * (1.0 - 1e-9)
    _, m = retrieval_exists(np.array([beta]), np.array([a_m * factor]), np.array([rho]), P=P)
    return alpha_c, float(m[0])


def critical_load(
    P: int,
    *,
    rho: float = 0.0,
    protocol: str = "supervised",
    T: float = 0.0,
    level: str = "RS",
    r: float | None = None,
    M: float | None = None,
) -> float:
    """The largest load alpha (K = alpha N^(P-1)) at which the retrieval solution exists.

    Parameters
    ----------
    P : int
        Even interaction order >= 2.
    rho : float
        Dataset entropy (0 for hebbian storage).
    protocol : {"supervised", "hebbian", "unsupervised"}
        Unsupervised needs ``r`` and ``M`` (and P >= 4).
    T : float
        Temperature (0: exact T = 0 equations).
    level : {"RS", "1RSB"}
        1RSB dispatches to theory.rsb.critical_load_1rsb.
    r, M : float, optional
        Example quality and number, instead of ``rho``.

    Returns
    -------
    float
        alpha_c (0.0 if no retrieval exists even at alpha = 0). Multiply by P!/P for the
        convention-free Delta_c.

    Examples
    --------
    >>> import theory
    >>> round(theory.critical_load(2, protocol="hebbian"), 3)
    0.138
    """
    level = _validate.choice("level", level, _validate.LEVELS)
    if level == "1RSB":
        try:
            from theory.rsb import critical_load_1rsb
        except ImportError as exc:
            raise NotImplementedError(
                "level='1RSB' needs theory.rsb (one-step RSB), which is not available."
            ) from exc
        return float(critical_load_1rsb(P, rho=rho, protocol=protocol, T=T))
    return critical_point(P, rho=rho, protocol=protocol, T=T, r=r, M=M)[0]
