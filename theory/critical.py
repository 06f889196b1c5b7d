"""Critical load: the largest alpha at which the RS retrieval solution exists.

Existence is decided on the retrieval branch (solver started from m = 1): a converged,
linearly stable solution with n > ``M_EXISTS``. Past the spinodal the iteration from m = 1
falls to the spin-glass solution (m = 0), so existence is a clean yes/no. The threshold is
located by bracketed bisection, many candidates per round (one vectorised solve per round),
to a relative width of ``XTOL``; no grid scan.

RS branch following (``bisect_branch_end``, ``retrieval_exists``) lives in
:mod:`theory.rs.branch` (re-exported here).
"""

from __future__ import annotations

import math

import numpy as np

from theory import _validate
from theory._conventions import N_EXISTS as M_EXISTS
from theory._conventions import N_WARM, beta_of_T, factorial
from theory.rs.branch import XTOL, bisect_branch_end, retrieval_exists

__all__ = [
    "M_EXISTS",
    "N_WARM",
    "XTOL",
    "bisect_branch_end",
    "critical_load",
    "critical_point",
    "retrieval_exists",
]


def _alpha_factor(P: int, protocol: str, rho: float, r, M) -> float:
    if protocol != "unsupervised":
        return 1.0
    if r is None or M is None:
        raise ValueError(
            "protocol='unsupervised' needs r and M (the cross-talk depends on "
            "rho_P = (1 - r^(2P))/(M r^(2P))), not rho alone."
        )
    if P == 2:  # the example modes enter the equations instead (docs/models.md §4.3)
        return 1.0
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
        r = _scalar("r", r, low=0.0, high=1.0, low_open=True)
        M = _scalar("M", M, low=1.0, high=math.inf, high_open=True)
        rho = (1.0 - r * r) / (M * r * r)
    rho = _scalar("rho", rho, low=0.0, high=math.inf, high_open=True)
    if protocol == "hebbian" and rho != 0.0:
        raise ValueError(f"protocol='hebbian' has no dataset, so rho must be 0; got rho={rho!r}.")
    T = _validate.scalar_T(T)
    factor = _alpha_factor(P, protocol, rho, r, M)
    modes = M if (protocol == "unsupervised" and P == 2) else None
    if math.isinf(T):  # infinite temperature: only the paramagnet
        return 0.0, 0.0
    beta = float(beta_of_T(T))

    def exists(alpha):  # alpha: (1, 1) array of true loads
        ok, _ = retrieval_exists(
            np.array([beta]), alpha.ravel() * factor, np.array([rho]), P=P, modes=modes
        )
        return bool(ok[0])

    def points(alpha, rows):
        flat = np.asarray(alpha, dtype=float).ravel()
        return np.full(flat.size, beta), flat * factor, np.full(flat.size, rho)

    if not exists(np.array([[0.0]])):
        return 0.0, 0.0
    hi = 0.25 if P == 2 else P / factorial(P)  # Delta = 1
    while exists(np.array([[hi]])):
        hi *= 2.0
        if hi > 1e6:
            raise RuntimeError("retrieval solution found at every load; no critical load.")
    lo, _, _ = bisect_branch_end(points, np.array([0.0]), np.array([hi]), P=P, modes=modes)
    alpha_c = float(lo[0])
    a_m = alpha_c * (1.0 - 1e-9)
    _, m = retrieval_exists(
        np.array([beta]), np.array([a_m * factor]), np.array([rho]), P=P, modes=modes
    )
    return alpha_c, float(m[0])


def _scalar(name: str, value, **bounds) -> float:
    """A validated real number (a list or array is refused naming ``name``)."""
    a = _validate.real_array(name, value, **bounds)
    if np.ndim(a):
        raise ValueError(f"{name} must be a scalar here; got an array of shape {np.shape(a)}.")
    return float(a)


def critical_load(
    P: int,
    *,
    rho: float = 0.0,
    protocol: str = "supervised",
    T: float = 0.0,
    level: str = "RS",
    r: float | None = None,
    M: float | None = None,
    progress: bool | None = None,
    **lse_options,
) -> float:
    """The largest load alpha (K = alpha N^(P-1)) at which the retrieval solution exists.

    Parameters
    ----------
    P : int
        Even interaction order >= 2.
    rho : float
        Dataset entropy (0 for hebbian storage).
    protocol : {"supervised", "hebbian", "unsupervised"}
        Unsupervised needs ``r`` and ``M`` (P = 2: docs/models.md §4.3).
    T : float
        Temperature (0: exact T = 0 equations).
    level : {"RS", "1RSB"}
        1RSB dispatches to theory.rsb.critical_load_1rsb.
    r, M : float, optional
        Example quality and number, instead of ``rho``.
    progress : bool or None
        Show the steps of the 1RSB search (tqdm, stderr); None: only if it takes over 1 s.

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
    if isinstance(P, str) and P == "lse":  # log-sum-exp memory: docs/exponential.md
        from theory.lse import critical_load_lse

        return critical_load_lse(T=T, hebbian=locals(), **lse_options)
    if lse_options:
        raise TypeError(f"unexpected arguments {sorted(lse_options)} (only for P='lse').")
    level = _validate.choice("level", level, _validate.LEVELS)
    if progress is not None:
        _validate.flag("progress", progress)
    if level == "1RSB":
        from theory.rsb import critical_load_1rsb

        if protocol == "unsupervised" and r is not None and M is not None:  # docs/rsb.md
            from theory.rsb import unsupervised

            r = _scalar("r", r, low=0.0, high=1.0, low_open=True)
            M = _scalar("M", M, low=1.0, high=math.inf, high_open=True)
            return float(unsupervised.critical_load(_validate.interaction_order(P), r=r, M=M,
                                                    T=_validate.scalar_T(T), progress=progress))
        if r is not None or M is not None:
            raise ValueError("level='1RSB' takes rho, not r and M.")
        protocol = _validate.choice("protocol", protocol, ("hebbian", "supervised"))
        return float(
            critical_load_1rsb(P, rho=rho, protocol=protocol, T=T, progress=progress)
        )
    return critical_point(P, rho=rho, protocol=protocol, T=T, r=r, M=M)[0]
