"""Phase-diagram lines of the RS theory.

Two kinds of retrieval line, for every P, protocol and load (alpha = 0 is low storage):

* ``"spinodal"``: the retrieval solution exists (converged, linearly stable, n > 0 on the
  branch started from m = 1). For P = 2 this is AGS's T_M(alpha); for P >= 4 it is the
  capacity line.
* ``"thermodynamic"``: the retrieval solution exists *and* has a lower free energy than the
  other RS solutions (spin glass and paramagnet). For P = 2 this is AGS's T_c(alpha).

``temperature_line`` gives T*(alpha, rho) (the largest T on the retrieval side),
``load_line`` alpha*(T) (the largest alpha), each by vectorised bracketed bisection that
follows the retrieval branch (theory.rs.branch.bisect_branch_end: all lines at once, one
solver call per round, each candidate started from the solution at its bracket's lower
end). ``T_g`` is the closed-form spin-glass onset for P = 2 and ``learning_threshold``
the smallest number of examples M*(r) for which the network retrieves with m >= m_star.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from theory import _bracket, _memory, _validate
from theory._conventions import N_EXISTS as M_EXISTS
from theory._conventions import beta_of_T, factorial
from theory.rs.branch import bisect_branch_end
from theory.rs.grid import solve_rs_flat

KINDS = ("spinodal", "thermodynamic")
XTOL_LINES = 1e-9  # relative bracket width of the lines


def T_g(alpha) -> np.ndarray:
    """P = 2 spin-glass transition T_g = 1 + sqrt(alpha) (AGS; independent of rho)."""
    a = _validate.real_array("alpha", alpha, low=0.0, high=math.inf, high_open=True)
    return 1.0 + np.sqrt(a)


def retrieval_state(P: int, beta, alpha_eff, rho, kind: str, m_star: float = 0.0) -> np.ndarray:
    """Bool per flat point: retrieval exists (``kind='spinodal'``) or is the RS ground state
    (``'thermodynamic'``), with m >= m_star."""
    beta, alpha_eff, rho = (np.asarray(a, dtype=float).ravel() for a in (beta, alpha_eff, rho))
    one = np.ones(beta.size)
    R = solve_rs_flat(beta, alpha_eff, rho, one, one, P=P, branch="retrieval")
    ok = R["converged"] & R["stable"] & (R["n"] > M_EXISTS) & (R["m"] >= m_star)
    if kind == "spinodal":
        return ok
    others = []
    for branch in ("spinglass", "paramagnet"):
        o = solve_rs_flat(beta, alpha_eff, rho, one, one, P=P, branch=branch)
        others.append(np.where(o["converged"], o["free_energy"], np.inf))
    return ok & (R["free_energy"] < np.minimum(*others))


def _extra(P: int, kind: str):
    """The thermodynamic condition for bisect_branch_end: retrieval below the other RS
    solutions (spin glass, paramagnet) in free energy; None for the spinodal."""
    if kind == "spinodal":
        return None

    def lower_free_energy(R, pts):
        beta, alpha_eff, rho = pts
        one = np.ones(beta.size)
        others = []
        for branch in ("spinglass", "paramagnet"):
            o = solve_rs_flat(beta, alpha_eff, rho, one, one, P=P, branch=branch)
            others.append(np.where(o["converged"], o["free_energy"], np.inf))
        return R["free_energy"] < np.minimum(*others)

    return lower_free_energy


def _check_lines(P: int, lines: int, name: str) -> None:
    """Refuse (ValueError) more lines than memory allows: each round solves up to 16
    candidates per line at once."""
    _memory.check(_memory.rs_grid_bytes(16 * lines), f"theory.{name}(P={P}) with {lines} lines")


def _common(P, kind, protocol, rho):
    P = _validate.interaction_order(P)
    kind = _validate.choice("kind", kind, KINDS)
    protocol = _validate.choice("protocol", protocol, _validate.PROTOCOLS)
    rho = _validate.real_array("rho", rho, low=0.0, high=math.inf, high_open=True)
    if protocol == "hebbian" and np.any(rho != 0.0):
        raise ValueError(f"protocol='hebbian' has no dataset, so rho must be 0; got rho={rho!r}.")
    if protocol == "unsupervised":
        raise NotImplementedError(
            "lines for protocol='unsupervised' at high storage need r and M; use "
            "theory.critical_load(P, r=..., M=..., protocol='unsupervised') for the capacity."
        )
    return P, kind, rho


def temperature_line(
    P: int, alpha=0.0, *, kind: str = "spinodal", rho=0.0, protocol: str = "supervised"
) -> np.ndarray:
    """T*(alpha, rho): the largest temperature on the retrieval side of the ``kind`` line.

    ``alpha`` and ``rho`` broadcast together. NaN where there is no retrieval even at T = 0.
    For P = 2, ``kind='spinodal'`` is T_M(alpha) and ``'thermodynamic'`` is T_c(alpha).

    Examples
    --------
    >>> import theory.lines as L
    >>> print(L.temperature_line(2, [0.0, 0.05]).round(2))
    [1.   0.54]
    """
    P, kind, rho = _common(P, kind, protocol, rho)
    alpha = _validate.real_array("alpha", alpha, low=0.0, high=math.inf, high_open=True)
    a, r = np.broadcast_arrays(alpha, rho)
    _check_lines(P, a.size, "temperature_line")
    shape = a.shape
    a, r = a.ravel().astype(float), r.ravel().astype(float)

    def points(T, rows):
        beta = beta_of_T(T).ravel()
        rep = T.shape[1]
        return beta, np.repeat(a[rows], rep), np.repeat(r[rows], rep)

    hi = np.full(a.size, 1.5) * (1.0 + r) ** max(P / 2 - 1, 0)
    lo, at_zero = _branch_end(points, hi, P=P, kind=kind, doublings=20)
    return np.where(at_zero, lo, np.nan).reshape(shape)


def load_line(
    P: int, T, *, kind: str = "spinodal", rho=0.0, protocol: str = "supervised"
) -> np.ndarray:
    """alpha*(T, rho): the largest load on the retrieval side of the ``kind`` line.

    Multiply by P!/P for Delta*. 0 where there is no retrieval even without load.
    """
    P, kind, rho = _common(P, kind, protocol, rho)
    T = _validate.real_array("T", T, low=0.0, meaning="T = inf (no retrieval) gives 0.")
    t, r = np.broadcast_arrays(T, rho)
    _check_lines(P, t.size, "load_line")
    shape = t.shape
    t, r = t.ravel().astype(float), r.ravel().astype(float)
    hot = np.isinf(t)  # infinite temperature: no retrieval at any load
    beta = beta_of_T(np.where(hot, 1e3, t))

    def points(alpha, rows):
        rep = alpha.shape[1]
        return np.repeat(beta[rows], rep), alpha.ravel(), np.repeat(r[rows], rep)

    hi = np.full(t.size, 0.25 if P == 2 else P / factorial(P))
    lo, at_zero = _branch_end(points, hi, P=P, kind=kind, doublings=30)
    return np.where(at_zero & ~hot, lo, 0.0).reshape(shape)


def _branch_end(points, hi, *, P: int, kind: str, doublings: int):
    """Where the retrieval branch ends along each line, starting from 0: double ``hi`` until
    no line retrieves there, then bisect. ``points(x, rows)`` maps candidates ``x`` (n, k) of
    lines ``rows`` to flat solver inputs (beta, alpha, rho). Returns (lo, at_zero)."""
    rows = np.arange(hi.size)
    for _ in range(doublings):
        still = retrieval_state(P, *points(hi[:, None], rows), kind)
        if not still.any():
            break
        hi = np.where(still, 2.0 * hi, hi)
    lo, _, at_zero = bisect_branch_end(
        points, np.zeros(hi.size), hi, P=P, extra=_extra(P, kind), xtol=XTOL_LINES
    )
    return lo, at_zero


def learning_threshold(
    P: int,
    r,
    *,
    beta=None,
    T=None,
    alpha: float = 0.0,
    m_star: float = 0.5,
    protocol: str = "supervised",
) -> np.ndarray:
    """Smallest number of examples M*(r) for which the network has learned the archetype.

    Criterion: the retrieval solution exists (converged, stable) with Mattis overlap
    m >= ``m_star`` at the given P, beta and load. In the large-M (Gaussian) theory m depends
    on (r, M) only through rho = (1 - r^2)/(M r^2) and decreases with rho, so the threshold
    is rho*(P, beta, alpha) found by bisection and M* = (1 - r^2)/(rho* r^2). At T = 0 and
    alpha = 0, m = erf(1/sqrt(2 rho)) for every P, so rho* solves erf(1/sqrt(2 rho*)) = m_star.

    Returns
    -------
    ndarray
        M*(r), same shape as ``r`` (inf if even rho = 0 does not reach m_star; M* < 1 means
        a single example suffices).
    """
    P = _validate.interaction_order(P)
    protocol = _validate.choice("protocol", protocol, ("supervised", "unsupervised"))
    if protocol == "unsupervised" and alpha > 0:
        raise NotImplementedError("unsupervised learning threshold implemented at alpha = 0.")
    r = _validate.real_array("r", r, low=0.0, high=1.0, low_open=True)
    b = float(_validate.beta_or_T(beta, T))
    if not 0.0 < m_star < 1.0:
        raise ValueError(f"m_star must lie in (0, 1); got m_star={m_star!r}.")
    alpha = float(_validate.real_array("alpha", alpha, low=0.0, high=math.inf, high_open=True))

    def pred(rho):
        n = rho.size
        ok = retrieval_state(
            P, np.full(n, b), np.full(n, alpha), rho.ravel(), "spinodal", m_star=m_star
        )
        return ok.reshape(rho.shape)

    def points(rho, rows):
        n = rho.size
        return np.full(n, b), np.full(n, alpha), rho.ravel()

    if not pred(np.zeros((1, 1)))[0, 0]:
        return np.full(r.shape, np.inf)
    hi = np.array([1.0])
    while pred(hi[:, None])[0, 0]:
        hi *= 2.0
        if hi[0] > 1e8:
            return np.zeros(r.shape)
    lo, _, _ = bisect_branch_end(
        points, np.zeros(1), hi, P=P, extra=lambda R, pts: R["m"] >= m_star, xtol=1e-10
    )
    rho_star = float(lo[0])
    return (1.0 - r**2) / (rho_star * r**2)


def nishimori_line(P: int, alpha, *, kind: str = "thermodynamic") -> np.ndarray:
    """Teacher-student retrieval line on the Nishimori line T = T* (docs/teacher-student.md).

    The largest student temperature T = T* at which the student of order P, trained on
    ``alpha N^(P-1)`` examples of a paramagnetic teacher of the same order, retrieves the
    teacher's archetype: ``kind="spinodal"`` where the teacher-retrieval branch exists
    (converged, linearly stable, q* > 0), ``"thermodynamic"`` where it also has a lower free
    energy than the paramagnet. On the Nishimori line the branch depends on beta^2 alpha
    only, so the line is T = kappa_P sqrt(alpha), with kappa_P found once by bisection. The
    thermodynamic line coincides with the paramagnet -> spin-glass transition of the direct
    model with random patterns (Theriault & Tantari 2024; tested). Where it lies below the
    teacher's own transition (the teacher is then ferromagnetic) it is not physical.
    P = 2 (the AGS student of the Curie-Weiss teacher): the transition is continuous and both
    lines are T = 1 + sqrt(alpha), the direct model's spin-glass temperature (closed form,
    docs/teacher-student.md; tested against the solver).
    """
    from theory.teacher_student import _dense_order

    P = _validate.interaction_order(P)
    _validate.choice("kind", kind, KINDS)
    a = _validate.real_array("alpha", alpha, low=0.0, high=math.inf, high_open=True)
    if P == 2:
        return 1.0 + np.sqrt(a)
    return _nishimori_kappa(_dense_order(P), kind) * np.sqrt(a)


@functools.cache
def _nishimori_kappa(P: int, kind: str) -> float:
    """kappa_P of :func:`nishimori_line` (T = kappa_P sqrt(alpha)), computed once per
    (P, kind) and process."""
    from theory.rs.teacher import solve_flat

    def retrieves(T: np.ndarray) -> np.ndarray:
        o = solve_flat(1.0 / T, 1.0 / T, 1.0, P=P, branch="teacher")
        ok = o["converged"] & o["stable"] & (o["q_star"] > 1e-6)
        if kind == "thermodynamic":
            ok &= o["free_energy"] < -T * math.log(2.0) - factorial(P) / (8.0 * T)
        return ok

    # kappa_P = the line's T at alpha = 1, 8 temperatures per batched solve (solve_flat's
    # smallest compiled size): a geometric bracket 0.05 * 2^k, then relative width 1e-12
    T = 0.05 * 2.0 ** np.arange(8)
    ok = retrieves(T)
    while ok[-1]:
        if T[-1] > 1e6:  # pragma: no cover - no finite line
            return math.inf
        T = T[-1] * 2.0 ** np.arange(1, 9)
        ok = retrieves(T)
    if not ok[0]:  # pragma: no cover - retrieval at every T below 0.05 is assumed
        raise RuntimeError("nishimori_line: no teacher retrieval at T = 0.05, alpha = 1")
    i = int(np.max(np.nonzero(ok)[0]))
    kappa = _bracket.grid_bisect(retrieves, T[i], T[i + 1], rtol=1e-12, points=8)
    return kappa
