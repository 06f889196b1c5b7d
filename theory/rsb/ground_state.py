"""Ground states at T = 0: energies per neuron of the retrieval and spin-glass states, RS and
1RSB, and the load below which retrieval is the global minimum.

RS energies are the ``q0 = 1`` (P >= 4) / closed-form AGS (P = 2) limits used as the RS
candidate inside the 1RSB solvers; 1RSB energies are ``theory.rsb.solve_1rsb`` at
``beta = inf``. By Guerra's bound the 1RSB energy of a state is never below its RS energy.
For P = 2 (RS) retrieval stops being the ground state at alpha ~ 0.051 [PUB, AGS].
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from theory import _validate, _x64, rsb, rsb_ags


def _rs0(P: int, alpha: np.ndarray, rho: np.ndarray, protocol: str, branch: str):
    model = rsb_ags._AGSModel if P == 2 else rsb._DenseModel
    static = dict(branch=branch, n_y=16 if protocol == "supervised" else 1, nodes=64)
    if P != 2:
        static["P"] = P
    f = rsb.compiled(model.raw_0, **static)
    with _x64.enabled():
        x, g, res, m = (
            np.asarray(v)[:, 0]
            for v in f(jnp.zeros((alpha.size, 0)), jnp.asarray(alpha), jnp.asarray(rho))
        )
    return -g, m, res < 1e-8


def ground_state_energies(
    P: int, alpha, *, rho: float = 0.0, protocol: str = "hebbian"
) -> dict[str, np.ndarray]:
    """T = 0 energies per neuron of the retrieval and spin-glass states, RS and 1RSB.

    Returns
    -------
    dict of ndarray, shape of ``alpha``
        ``E_retrieval_RS``, ``E_spinglass_RS``, ``E_retrieval_1RSB``, ``E_spinglass_1RSB`` and
        ``m_retrieval_RS``, ``m_retrieval_1RSB``; NaN where the retrieval state does not exist
        (m < 0.5) or a solver did not converge.
    """
    P = _validate.interaction_order(P)
    _validate.choice("protocol", protocol, ("hebbian", "supervised"))
    alpha = np.atleast_1d(
        _validate.real_array("alpha", alpha, low=0.0, meaning="alpha is the load.")
    )
    rho_a = np.full(alpha.shape, rho if protocol == "supervised" else 0.0)
    out = {}
    for branch in ("retrieval", "spinglass"):
        E, m, ok = _rs0(P, alpha, rho_a, protocol, branch)
        good = ok & ((m > 0.5) if branch == "retrieval" else True)
        out[f"E_{branch}_RS"] = np.where(good, E, np.nan)
        res = rsb.solve_1rsb(
            protocol=protocol,
            P=P,
            beta=np.full(alpha.shape, np.inf),
            alpha=alpha,
            rho=rho_a,
            branch=branch,
        )
        good = res["converged"] & ((res["m"] > 0.5) if branch == "retrieval" else True)
        out[f"E_{branch}_1RSB"] = np.where(good, res["free_energy"], np.nan)
        if branch == "retrieval":
            out["m_retrieval_RS"] = np.where(ok, m, np.nan)
            out["m_retrieval_1RSB"] = np.where(res["converged"], res["m"], np.nan)
    return out


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
    while hi - lo > rtol * lo:
        a = np.linspace(lo, hi, 8)
        E = ground_state_energies(P, a, rho=rho, protocol=protocol)
        below = E[f"E_retrieval_{level}"] < E[f"E_spinglass_{level}"]
        if not below[0]:
            return float("nan")
        i = int(np.max(np.nonzero(below)[0]))
        if i == 7:
            return float("nan")
        lo, hi = a[i], a[i + 1]
    return float(0.5 * (lo + hi))
