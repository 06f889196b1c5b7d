"""Ground states at T = 0: energies per neuron of the retrieval and spin-glass states, RS and
1RSB, and the load below which retrieval is the global minimum.

RS energies are the ``q0 = 1`` (P >= 4) / closed-form AGS (P = 2) limits used as the RS
candidate inside the 1RSB solvers; 1RSB energies are those of ``theory.rsb.solve`` at
``T = 0``. By Guerra's bound the 1RSB energy of a state is never below its RS energy.
For P = 2 (RS) retrieval stops being the ground state at alpha ~ 0.051 [PUB, AGS].
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from theory import _schema, _validate
from theory._bracket import grid_bisect
from theory._conventions import is_retrieval
from theory.rsb import engine
from theory.rsb._solve1rsb import model_of, solve_1rsb


def _rs0(P: int, alpha: np.ndarray, rho: np.ndarray, protocol: str, branch: str):
    model, static = model_of(P, protocol)
    _, g, res, m = engine.rs_candidate(model, "0", (alpha, rho), branch=branch, **static)
    return -g, m, res < engine.RS_TOL


def ground_state_energies(
    P: int, alpha, *, rho: float = 0.0, protocol: str = "hebbian"
) -> xr.Dataset:
    """T = 0 energies per neuron of the retrieval and spin-glass states, RS and 1RSB.

    Parameters
    ----------
    P : int
        Interaction order (2 = AGS).
    alpha : float or 1-D array_like
        Loads, ``K = alpha N^(P-1)``.
    rho : float
        Dataset entropy (``protocol="supervised"``; ignored for "hebbian").
    protocol : {"hebbian", "supervised"}

    Returns
    -------
    xarray.Dataset
        Dimension ``alpha`` (a scalar gives one point); variables ``E_retrieval_RS``,
        ``E_spinglass_RS``, ``E_retrieval_1RSB``, ``E_spinglass_1RSB`` (energy per neuron,
        the T = 0 free energy) and ``m_retrieval_RS``, ``m_retrieval_1RSB``; NaN where the
        retrieval state does not exist (m < 0.5) or a solver did not converge. CF
        ``long_name`` / ``units`` from the vocabulary; attributes ``P``, ``protocol``,
        ``rho``, ``T = 0``.

    Examples
    --------
    >>> E = ground_state_energies(4, [0.01, 0.02])  # doctest: +SKIP
    >>> bool((E.E_spinglass_1RSB >= E.E_spinglass_RS).all())  # Guerra's bound  # doctest: +SKIP
    True
    """
    P = _validate.interaction_order(P)
    _validate.choice("protocol", protocol, ("hebbian", "supervised"))
    alpha = np.atleast_1d(
        _validate.real_array("alpha", alpha, low=0.0, meaning="alpha is the load.")
    )
    if alpha.ndim > 1:
        raise ValueError(f"alpha must be a scalar or a 1-D array; got shape {alpha.shape}.")
    rho = float(rho) if protocol == "supervised" else 0.0
    rho_a = np.full(alpha.shape, rho)
    out = {}
    for branch in ("retrieval", "spinglass"):
        E, m, ok = _rs0(P, alpha, rho_a, protocol, branch)
        good = ok & (is_retrieval(m=m) if branch == "retrieval" else True)
        out[f"E_{branch}_RS"] = np.where(good, E, np.nan)
        res = solve_1rsb(
            protocol=protocol,
            P=P,
            beta=np.full(alpha.shape, np.inf),
            alpha=alpha,
            rho=rho_a,
            branch=branch,
        )
        good = res["converged"] & (is_retrieval(m=res["m"]) if branch == "retrieval" else True)
        out[f"E_{branch}_1RSB"] = np.where(good, res["free_energy"], np.nan)
        if branch == "retrieval":
            out["m_retrieval_RS"] = np.where(ok, m, np.nan)
            out["m_retrieval_1RSB"] = np.where(res["converged"], res["m"], np.nan)
    ds = xr.Dataset(
        {k: ("alpha", np.asarray(v, dtype=np.float64)) for k, v in out.items()},
        coords={"alpha": ("alpha", alpha)},
        attrs={"P": P, "protocol": protocol, "rho": rho, "T": 0.0},
    )
    return _schema.label(ds)


def retrieval_ground_state_load(
    P: int,
    *,
    level: str = "RS",
    rho: float = 0.0,
    protocol: str = "hebbian",
    bracket: tuple[float, float] | None = None,
    rtol: float = 1e-4,
) -> float:
    """Largest load at which retrieval is the T = 0 ground state (E_retrieval < E_spinglass).

    Grid bisection (8 loads per round) on the sign of ``E_retrieval - E_spinglass``.

    Examples
    --------
    >>> 0.049 < retrieval_ground_state_load(2) < 0.053  # doctest: +SKIP
    True
    """
    if level not in ("RS", "1RSB"):
        raise ValueError(f"level must be one of 'RS', '1RSB'; got {level!r}.")
    lo, hi = bracket or ((0.01, 0.137) if P == 2 else (0.002, 0.033))

    def below(a):
        E = ground_state_energies(P, a, rho=rho, protocol=protocol)
        return (E[f"E_retrieval_{level}"] < E[f"E_spinglass_{level}"]).values

    return grid_bisect(below, lo, hi, rtol=rtol)

