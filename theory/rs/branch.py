"""Following the RS retrieval branch to its end (the spinodal), many lines at once.

``bisect_branch_end`` locates the end of the retrieval branch on many lines at once: each
round's candidates start the solver from the retrieval solution at the bracket's lower end
(known to exist), with a short iteration budget. Below the threshold that start converges
in a few Newton steps; above it, points that do not converge are resolved by the full
criterion (start m = 1, long budget) while the bracket is wide (relative width >
``COARSE``) and count as "no retrieval" once it is narrow, where the only points that do not
converge quickly are those crossing the ghost of the vanished saddle-node pair. This avoids
the critical slowing down that makes a plain bisection cost thousands of iterations per
point near a spinodal.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from theory import _x64
from theory._conventions import N_EXISTS, N_WARM
from theory.rs.grid import CHUNKS, PASSES, solve_chunked, solve_rs_flat

XTOL = 1e-10
_CANDIDATES = 15  # per bracket and round; 16 points per call with the bracket end
COARSE = 1e-2  # relative bracket width below which slow points count as "no retrieval"
# solver budget from a warm start: (damped, Newton, Newton below residual), as in PASSES
_WARM = (np.int32(12), np.int32(12), np.float64(0.05))
_WARM_FINE = (np.int32(20), np.int32(30), np.float64(0.05))


def _solve_from(x0, beta, alpha_eff, rho, *, P: int, passes, modes: float | None = None) -> dict:
    """Retrieval-branch RS solve at flat points from the starts ``x0`` (n, d), running the
    solver passes ``passes`` (a slice of theory.rs.grid.PASSES) on the points still
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
        out = solve_chunked(x0, arrays, passes[0], size=CHUNKS[0], **static)
        for limits in passes[1:]:
            redo = np.flatnonzero(~out["converged"])
            if not redo.size:
                break
            again = solve_chunked(
                out["x"][redo], [a[redo] for a in arrays], limits, size=CHUNKS[0], **static
            )
            for k in out:
                out[k][redo] = again[k]
    return out


def _exists(out: dict) -> np.ndarray:
    return out["converged"] & out["stable"] & (out["n"] > N_EXISTS)


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
    start = _solve_from(np.tile([1.0, 0.0], (n, 1)), *pts, P=P, passes=PASSES, modes=modes)
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
                passes=PASSES,
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
    exists = out["converged"] & out["stable"] & (out["n"] > N_EXISTS)
    return exists, out["m"]
