"""RS theory of the teacher-student dense network and its phase classification
(docs/teacher-student.md; equations in theory/rs/teacher.py, for P = 2 in
theory/rs/teacher_p2.py).

Phases (Theriault & Tantari, SciPost Phys. 17, 040 (2024)), at each (T, alpha) with the
teacher at T*:

====  =====  ==============================================================================
code  name   meaning
====  =====  ==============================================================================
0     eR     example retrieval: single-example retrieval (m > 0) has lower f than the
             paramagnet and teacher retrieval, or the teacher itself is ferromagnetic (its
             examples condense on xi*; the paramagnetic-teacher theory does not apply there)
1     gR     generalisation (teacher) retrieval (q* > 0) has lower f than the paramagnet
2     lR     teacher retrieval exists and is locally stable (metastable)
3     SG     a spin-glass solution (q > 0, m = q* = 0) exists, no retrieval
4     P      paramagnet only
====  =====  ==============================================================================
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from theory import _schema, _validate
from theory._conventions import N_EXISTS
from theory.rs import teacher as rs_teacher
from theory.rs import teacher_p2 as rs_teacher_p2

PHASES = ("eR", "gR", "lR", "SG", "P")
Q_SG = 1e-6  # q above which a converged spin-glass solution is not the paramagnet


def _dense_order(P) -> int:
    """P >= 3: the equations without a reaction term (P = 2 is theory.rs.teacher_p2)."""
    P = _validate.interaction_order(P)
    if P < 3:
        raise ValueError(
            f"this teacher-student route needs P >= 3; got P={P} (P = 2: the AGS student, "
            "theory.teacher_student(2, ...))."
        )
    return P


def teacher_ferromagnetic(P: int, T_star) -> np.ndarray:
    """True where the single-pattern teacher of order P is in its retrieval phase at T*
    (its low-storage retrieval free energy below the paramagnet's, docs/models.md §3)."""
    from theory.solve import solve

    T_star = np.atleast_1d(np.asarray(T_star, dtype=float))
    ds = solve("hebbian", P=P, T=T_star, alpha=0.0)
    f_para = np.where(T_star > 0, -T_star * np.log(2.0), 0.0)
    ok = ds.converged.values & ds.stable.values & (ds.m.values > 1e-6)
    return ok & (ds.free_energy.values < f_para)


def effective_beta_star(P: int, T_star, N) -> np.ndarray:
    """The matched-teacher beta* that a p* = 2 teacher at T* > 1 presents to an even-P student
    of size N (the finite scaling regime of the paper's Fig. 6-7).

    The p* = 2 teacher correlates its examples in pairs, kappa = beta*/(1 - beta*); its P-point
    correlation (P even, Wick) is (P-1)!! (kappa/N)^(P/2), against beta* P!/(2 N^(P-1)) for a
    teacher of order P, so beta*_eff = 2 (kappa/2)^(P/2) N^(P/2-1) / (P/2)!. It is finite for
    kappa ~ N^(-(P-2)/P), i.e. T* ~ N^((P-2)/P) (P = 4: T* = sqrt(N T_eff)/2, the paper's
    T_s' = sqrt(N T'/2)).
    """
    T_star = np.asarray(T_star, dtype=float)
    kappa = 1.0 / (T_star - 1.0)
    h = P // 2
    return 2.0 * (kappa / 2.0) ** h * float(N) ** (h - 1) / math.factorial(h)


def teacher_student(P: int, *, T, alpha, T_star=None, P_star=None, N=None) -> xr.Dataset:
    """Solve the student's RS equations on a (T, alpha) grid and classify its phase.

    Parameters
    ----------
    P : int
        Order of the student, >= 2. P = 2 (p* = 2 only): the AGS student of the
        Curie-Weiss teacher (theory/rs/teacher_p2.py); it adds ``replicon_b``,
        ``rs_stable_b`` per branch and the global ``replicon``, ``rs_stable`` (AT).
    T : float or 1-d array_like
        Student temperature (package units; T' = 2T in the peer paper's), >= 0.
    alpha : float or 1-d array_like
        Load M / N^(P-1) of examples (alpha' = P! alpha), >= 0.
    T_star : float, optional
        Teacher temperature (> 0). ``None``: the Nishimori line, T* = T at every point (for
        p* = 2 and even P: the effective teacher of :func:`effective_beta_star` at beta*_eff =
        beta, the paper's "large-noise" regime; refused for p* = 2 and odd P).
    P_star : int, optional
        Order of the teacher: ``None`` or P (matched), or 2 (for P = 2 the same). p* = 2 with
        odd P: the pair
        theory of theory/rs/teacher.py (T* > 1 fixed as N grows; the student learns from the
        examples' pair correlations, and +xi* and -xi* are equivalent, so q* is |q*|). p* = 2
        with even P: the matched equations at the effective beta* (needs ``N`` when
        ``T_star`` is given).
    N : int, optional
        System size, only for p* = 2, even P and a given ``T_star``.

    Returns
    -------
    xarray.Dataset
        Dims (T, alpha). Per branch ``b`` in (teacher, example, spinglass): ``q_star_b``,
        ``m_b``, ``q_b``, ``free_energy_b``, ``converged_b``, ``stable_b``; the paramagnet's
        ``free_energy_paramagnet``; ``teacher_ferromagnetic``; the global state's
        ``q_star``, ``m``, ``q``; and ``phase`` (int8 codes, ``flag_meanings`` eR gR lR SG P).

    Examples
    --------
    >>> import theory
    >>> ds = theory.teacher_student(3, T=0.9, alpha=1.0)  # Nishimori line
    >>> ds.phase.attrs["flag_meanings"].split()[ds.phase.item()]
    'gR'
    >>> ds = theory.teacher_student(3, T=1.0, alpha=0.5, T_star=1.5, P_star=2)
    >>> round(ds.q_star.item(), 4)
    0.6236
    >>> ds = theory.teacher_student(2, T=1.5, alpha=1.0)  # P = 2, Nishimori line
    >>> round(ds.q_star.item(), 4), bool(ds.rs_stable.item())
    (0.5707, True)
    """
    P, P_star, pair = _orders(P, P_star)
    grid = _grid(T, alpha)
    nishimori = T_star is None
    T_star, N = _teacher_settings(P, P_star, pair, T_star, N)
    TT, AA = grid.full("T"), grid.full("alpha")
    with np.errstate(divide="ignore"):
        beta = np.where(TT > 0, 1.0 / np.where(TT > 0, TT, 1.0), np.inf)
    Ts = TT if nishimori else np.full_like(TT, T_star)
    if nishimori and np.any(grid.axes["T"] == 0):
        raise ValueError("on the Nishimori line T = T* must be > 0; got T = 0.")
    ferro, beta_star, kappa = _teacher(P, P_star, pair, nishimori, Ts, beta, N)
    data, sols = _branches(beta, beta_star, AA, P, kappa)
    data["teacher_ferromagnetic"] = (("T", "alpha"), ferro)
    phase, glob = _classify(sols, P)
    phase = np.where(ferro, 0, phase).astype(np.int8)
    for k in ("q_star", "m", "q", "free_energy") + (("replicon",) if P == 2 else ()):
        data[k] = (("T", "alpha"), glob[k])
    if P == 2:
        data["rs_stable"] = (("T", "alpha"), glob["replicon"] > 0, {
            "long_name": "replica symmetry locally (AT) stable", "units": "1"})  # fmt: skip
    data["phase"] = (("T", "alpha"), phase, {
        "long_name": "RS phase of the student", "flag_values": np.arange(5, dtype=np.int8),
        "flag_meanings": " ".join(PHASES)})  # fmt: skip
    # not _schema.as_dataset: each branch has its own converged/stable flags and no single
    # ``converged`` masks the grid (as_dataset would add one and NaN the other branches)
    ds = xr.Dataset(data, coords={k: (k, v) for k, v in grid.coords.items()})
    regime = "matched" if P_star == P else ("pair" if pair else "scaled (beta*_eff)")
    regime = "AGS (P = p* = 2)" if P == 2 else regime
    ds.attrs.update(model="teacher-student dense Hebbian network (docs/teacher-student.md)",
                    P=P, P_star=P_star, teacher_regime=regime,
                    T_star="T (Nishimori line)" if nishimori else T_star,
                    level="RS")  # fmt: skip
    if N is not None and not pair and P_star != P:
        ds.attrs["N"] = N
    return ds


def _orders(P, P_star) -> tuple[int, int, bool]:
    """Validated (P, P_star) and whether the pair theory (p* = 2, odd P) applies."""
    P = _validate.interaction_order(P)
    P_star = P if P_star is None else _validate.interaction_order(P_star)
    if P_star not in (P, 2):
        raise ValueError(
            f"P_star must be P (= {P}) or 2; got P_star={P_star} (a teacher of another order "
            "p* >= 3 gives the student no signal at leading order)."
        )
    return P, P_star, P_star != P and P % 2 == 1


def _grid(T, alpha) -> _schema.OuterGrid:
    """The (T, alpha) grid, both always dimensions (scalars become length-1 axes)."""
    T = np.atleast_1d(_validate.real_array("T", T, low=0.0, high=np.inf, high_open=True))
    alpha = np.atleast_1d(_validate.real_array("alpha", alpha, low=0.0, high=np.inf,
                                               high_open=True))  # fmt: skip
    if T.ndim != 1 or alpha.ndim != 1:
        raise ValueError("T and alpha must be scalars or 1-d arrays.")
    return _schema.outer_grid({"T": T, "alpha": alpha})


def _teacher_settings(P: int, P_star: int, pair: bool, T_star, N):
    """Validated (T_star, N): T_star None (Nishimori line) or > 0; N only where needed."""
    nishimori = T_star is None
    if nishimori and pair:
        raise ValueError("p* = 2 with odd P has no Nishimori line: give T_star (> 1).")
    if not nishimori:
        T_star = float(_validate.real_array("T_star", T_star, low=0.0, high=np.inf,
                                            high_open=True))  # fmt: skip
        if T_star == 0.0:
            raise ValueError("T_star must be > 0 (a T* = 0 teacher emits its archetype).")
    if P_star != P and P % 2 == 0 and not nishimori:
        if N is None:
            raise ValueError("p* = 2 with even P and a given T_star needs N (beta*_eff ~ N).")
        N = _validate.integer("N", N, low=2)
    return T_star, N


def _teacher(P, P_star, pair, nishimori, Ts, beta, N):
    """(teacher_ferromagnetic, beta*, kappa) at every grid point: the teacher the student
    sees (kappa: the pair theory's pair coupling, else None)."""
    if P == 2:  # Curie-Weiss teacher: ferromagnetic for T* <= 1, else kappa = beta*/(1-beta*)
        ferro = Ts <= 1.0
        return ferro, np.zeros_like(Ts), np.where(ferro, 0.0, 1.0 / np.where(ferro, 2.0, Ts - 1.0))
    ferro_T = teacher_ferromagnetic(P_star, np.unique(Ts))
    ferro = ferro_T[np.searchsorted(np.unique(Ts), Ts)]
    if P_star != P and not pair and nishimori:
        ferro = np.zeros_like(ferro)  # the scaled teacher is at T* ~ sqrt(N): paramagnetic
    if P_star == P:
        return ferro, 1.0 / Ts, None
    if pair:
        return ferro, np.zeros_like(Ts), np.where(ferro, 0.0, 1.0 / np.where(ferro, 2.0, Ts - 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        bs_eff = effective_beta_star(P, np.where(ferro, 2.0, Ts), N) if N else beta
    return ferro, beta if nishimori else np.where(ferro, 0.0, bs_eff), None


def _branches(beta, beta_star, AA, P, kappa):
    """Each branch solved at every grid point: the Dataset variables ``{k}_{branch}`` (and
    the paramagnet's free energy) and the solutions by branch, in grid shape."""
    data, sols = {}, {}
    for branch in ("teacher", "example", "spinglass", "paramagnet"):
        if P == 2:
            o = rs_teacher_p2.solve_flat(beta, kappa, AA, branch=branch)
        else:
            o = rs_teacher.solve_flat(beta, beta_star, AA, P=P, branch=branch, kappa=kappa)
        sols[branch] = {k: np.asarray(v).reshape(AA.shape) for k, v in o.items()}
        if branch == "paramagnet":
            data["free_energy_paramagnet"] = (("T", "alpha"), sols[branch]["free_energy"])
            continue
        for k, v in sols[branch].items():
            data[f"{k}_{branch}"] = (("T", "alpha"), v)
        if P == 2:
            data[f"rs_stable_{branch}"] = (("T", "alpha"), sols[branch]["replicon"] > 0)
    return data, sols


def _classify(sols, P):
    """Phase codes (the paper's rule) and the lowest-f state's overlaps from the branches.

    eR: the example branch exists and has lower f than the paramagnet and the teacher
    branch; gR: the teacher branch has lower f than the paramagnet; lR: the teacher branch
    exists; SG: the spin-glass branch exists; P otherwise (each "exists" = converged, linearly
    stable, order parameter above numerical zero). The spin glass enters the phase as a
    local solution, as in the paper (its RS free energy lies above the paramagnet's wherever
    the latter has positive entropy). P = 2: the q* = m = 0 state that retrieval must beat
    is the spin glass where it exists (AGS), else the paramagnet; the paramagnet is a
    candidate only where it is linearly stable (T > 1 + sqrt(alpha), 1 + alpha kappa).
    """

    def valid(b, key, cut):
        s = sols[b]
        return s["converged"].astype(bool) & s["stable"].astype(bool) & (s[key] > cut)

    cands = {
        "teacher": valid("teacher", "q_star", N_EXISTS),
        "example": valid("example", "m", N_EXISTS),
        "spinglass": valid("spinglass", "q", Q_SG),
        "paramagnet": sols["paramagnet"]["converged"].astype(bool)
        & sols["paramagnet"]["stable"].astype(bool)
        & np.isfinite(sols["paramagnet"]["free_energy"]),
    }
    names = list(cands)
    F = {b: np.where(cands[b], sols[b]["free_energy"], np.inf) for b in names}
    stack = np.stack([F[b] for b in names])
    best = np.argmin(stack, axis=0)
    keys = ("q_star", "m", "q", "free_energy") + (("replicon",) if P == 2 else ())
    glob = {k: np.choose(best, [sols[b][k] for b in names]) for k in keys}
    glob["free_energy"] = np.where(np.isfinite(stack.min(axis=0)), glob["free_energy"], np.nan)
    f_para = sols["paramagnet"]["free_energy"]
    F_ref = np.where(np.isfinite(f_para), f_para, np.inf)
    if P == 2:
        F_ref = np.where(cands["spinglass"], F["spinglass"], F_ref)
    eR = cands["example"] & (F["example"] < np.minimum(F_ref, F["teacher"]))
    gR = cands["teacher"] & (F["teacher"] < F_ref)
    phase = np.select([eR, gR, cands["teacher"], cands["spinglass"]], [0, 1, 2, 3], default=4)
    return phase, glob
