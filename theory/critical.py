"""Critical load: the largest alpha at which the RS retrieval solution exists.

Existence is decided on the retrieval branch (solver started from m = 1): a converged,
linearly stable solution with n > ``M_EXISTS``. Past the spinodal the iteration from m = 1
falls to the spin-glass solution (m = 0), so existence is a clean yes/no. The threshold is
located by bracketed bisection, many candidates per round (one vectorised solve per round),
to a relative width of ``XTOL``; no grid scan.

``bisect_branch_end`` is the same search for many lines at once that follows the branch: each
round's candidates start the solver from the retrieval solution at the bracket's lower end
(known to exist), with a short iteration budget. Below the threshold that start converges
in a few Newton steps; above it, points that do not converge are resolved by the full
criterion (start m = 1, long budget) while the bracket is wide (relative width >
``COARSE``) and count as "no retrieval" once it is narrow, where the only points that do not
converge quickly are those crossing the ghost of the vanished saddle-node pair. This avoids
the critical slowing down that makes the plain search cost thousands of iterations per
point near a spinodal.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from theory import _validate, _x64
from theory._conventions import beta_of_T, factorial
from theory.rs.grid import _PASSES, CHUNKS, _chunked, solve_rs_flat

M_EXISTS = 1e-6  # n above this counts as a retrieval state
XTOL = 1e-10
_CANDIDATES = 15  # per bracket and round; 16 points per call with the bracket end
COARSE = 1e-2  # relative bracket width below which slow points count as "no retrieval"
# n above which a warm-started solution counts as retrieval: started close to m = 0 (just
# below a continuous transition, e.g. P = 2 at T = 1), the iteration meets the absolute
# residual tolerance at a spurious n ~ tol / |1 - dF/dn|; with this floor the spurious band
# and the true-but-dropped band are both ~1e-7 wide in the control parameter
N_WARM = 1e-3
# solver budget from a warm start: (damped, Newton, Newton below residual), as in _PASSES
_WARM = (np.int32(12), np.int32(12), np.float64(0.05))
_WARM_FINE = (np.int32(20), np.int32(30), np.float64(0.05))


def _solve_from(x0, beta, alpha_eff, rho, *, P: int, passes, modes: float | None = None) -> dict:
    """Retrieval-branch RS solve at flat points from the starts ``x0`` (n, d), running the
    solver passes ``passes`` (a slice of theory.rs.grid._PASSES) on the points still
    unconverged; keeps the solution ``x``."""
    arrays = [np.asarray(a, dtype=np.float64).ravel() for a in (beta, alpha_eff, rho)]
    if {a.size for a in arrays} != {len(x0)}:
        raise ValueError(
            f"x0 and the points differ in size: {[len(x0)] + [a.size for a in arrays]}"
        )
    one = np.ones(arrays[0].size)
    arrays += [one, one if modes is None else np.full(one.size, float(modes))]
    static = {"P": P, "branch": "retrieval", "M_max": 0}
    if modes is not None:  # unsupervised P = 2: M examples per class (models.md §4.3)
        static["spectrum"] = True
    with _x64.enabled():
        x0 = np.asarray(x0, dtype=np.float64)
        out = _chunked(x0, arrays, passes[0], size=CHUNKS[0], **static)
        for limits in passes[1:]:
            redo = np.flatnonzero(~out["converged"])
            if not redo.size:
                break
            again = _chunked(
                out["x"][redo], [a[redo] for a in arrays], limits, size=CHUNKS[0], **static
            )
            for k in out:
                out[k][redo] = again[k]
    return out


def _exists(out: dict) -> np.ndarray:
    return out["converged"] & out["stable"] & (out["n"] > M_EXISTS)


def bisect_branch_end(
    points: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]],
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    P: int,
    extra: Callable[[dict, tuple], np.ndarray] | None = None,
    xtol: float = XTOL,
    candidates: int | None = None,
    max_rounds: int = 60,
    modes: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Largest parameter value on each line at which the retrieval solution exists.

    Parameters
    ----------
    points : callable
        ``points(v, rows)`` maps parameter values ``v`` of shape (len(rows), k) (row j: line
        ``rows[j]``) to the flat RS points ``(beta, alpha_eff, rho)``, each of size v.size in
        row-major order.
    lo, hi : ndarray, shape (n,)
        Bracket per line: retrieval must hold at ``lo`` (rows where it does not are
        returned as ``exists_at_lo = False``) and fail at ``hi``.
    extra : callable, optional
        ``extra(out, (beta, alpha_eff, rho))`` -> bool per flat point, and-ed into the
        existence criterion (e.g. "lower free energy than the spin glass").
    xtol : float
        Stop when hi - lo <= xtol * max(1, |hi|) on every line.
    candidates : int, optional
        Candidates per line and round (default: as many as fill one solver chunk, 3 to 15).

    Returns
    -------
    lo, hi, exists_at_lo : ndarray, shape (n,)
        The final bracket and whether retrieval holds at the initial ``lo``.
    """
    lo = np.asarray(lo, dtype=float).copy()
    hi = np.asarray(hi, dtype=float).copy()
    n = lo.size
    if hi.shape != (n,):
        raise ValueError(f"lo and hi must be 1-D of the same size; got {lo.shape}, {hi.shape}.")

    def criterion(out, pts):
        ok = _exists(out) & (out["n"] > N_WARM)
        return ok if extra is None else ok & extra(out, pts)

    pts = points(lo[:, None], np.arange(n))
    start = _solve_from(np.tile([1.0, 0.0], (n, 1)), *pts, P=P, passes=_PASSES, modes=modes)
    at_lo = criterion(start, pts)
    x_lo = start["x"]
    hi = np.where(at_lo, hi, lo)
    for _ in range(max_rounds):
        width = hi - lo
        active = np.flatnonzero(width > xtol * np.maximum(1.0, np.abs(hi)))
        if not active.size:
            break
        k = candidates or int(np.clip(CHUNKS[0] // active.size, 3, _CANDIDATES))
        frac = np.arange(1, k + 1) / (k + 1)
        wide = width[active] > COARSE * np.maximum(1.0, np.abs(hi[active]))
        cand = lo[active, None] + width[active, None] * frac[None, :]
        pts = points(cand, active)
        x0 = np.repeat(x_lo[active], k, axis=0)
        out = _solve_from(x0, *pts, P=P, passes=(_WARM, _WARM_FINE), modes=modes)
        slow = np.flatnonzero(~out["converged"])
        redo = slow[np.repeat(wide, k)[slow]]
        if redo.size:  # wide bracket: decide the slow points by the full criterion
            full = _solve_from(
                np.tile([1.0, 0.0], (redo.size, 1)),
                *(a[redo] for a in pts),
                P=P,
                passes=_PASSES,
                modes=modes,
            )
            for key in out:
                out[key][redo] = full[key]
        ok = criterion(out, pts).reshape(cand.shape)
        lead = np.where(ok.all(axis=1), k, np.argmin(ok, axis=1))  # leading Trues
        rows = np.arange(active.size)
        moved = lead > 0
        new_lo = np.where(moved, cand[rows, np.maximum(lead - 1, 0)], lo[active])
        new_hi = np.where(lead < k, cand[rows, np.minimum(lead, k - 1)], hi[active])
        x_new = out["x"].reshape(active.size, k, -1)[rows, np.maximum(lead - 1, 0)]
        x_lo[active] = np.where(moved[:, None], x_new, x_lo[active])
        lo[active], hi[active] = new_lo, new_hi
    return lo, hi, at_lo


def retrieval_exists(
    beta, alpha_eff, rho, *, P: int, modes: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(exists, m) on the retrieval branch at flat points (``modes``: M of the unsupervised
    P = 2 network, docs/models.md §4.3)."""
    one = np.ones(np.size(beta))
    Ms = one if modes is None else np.full(one.size, float(modes))
    out = solve_rs_flat(beta, alpha_eff, rho, one, Ms, P=P, branch="retrieval",
                        spectrum=modes is not None)
    exists = out["converged"] & out["stable"] & (out["n"] > M_EXISTS)
    return exists, out["m"]


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

        if r is not None or M is not None:
            raise ValueError("level='1RSB' takes rho, not r and M.")
        protocol = _validate.choice("protocol", protocol, ("hebbian", "supervised"))
        return float(
            critical_load_1rsb(P, rho=rho, protocol=protocol, T=T, progress=progress)
        )
    return critical_point(P, rho=rho, protocol=protocol, T=T, r=r, M=M)[0]
