"""Up-front checks of a whole sweep request: memory of the grid and of every Monte Carlo point.

A sweep spec is validated when it is built (:mod:`hopfield_sim.spec`: names, ranges,
combinations). What depends on the machine is checked here, before anything is computed
or written: the peak memory of the largest Monte Carlo point, estimated with
:func:`montecarlo.sample_memory` and refused with :func:`montecarlo.check_memory`
(``ValueError`` naming the parameters and the estimate; override with the environment
variable ``HOPFIELD_SIM_MAX_MEMORY``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from hopfield_sim.spec import SweepSpec


def mc_sizes(spec: SweepSpec) -> list[dict[str, float]]:
    """The distinct Monte Carlo sizes of a spec: dicts with ``N``, ``K``, ``M``, ``P``, ``d``.

    In high storage ``K = max(1, round(alpha N^(P-1)))`` (computed in floating point, so an
    absurd request gives a huge K rather than an overflow).
    """
    if spec.montecarlo is None:
        return []
    mc = spec.montecarlo
    from hopfield_sim._grid import Grid

    grid = Grid(spec)
    cols = {k: np.asarray(v, dtype=float) for k, v in grid.columns.items()}
    n = grid.size

    def column(name: str, default: float | None) -> np.ndarray:
        if name in cols:
            return cols[name]
        if name in spec.fixed:
            return np.full(n, float(spec.fixed[name]))
        return np.full(n, np.nan if default is None else float(default))

    N = column("N", mc.N)
    P = column("P", spec.P)
    alpha = column("alpha", 0.0)
    K_given = column("K", mc.K if mc.K is not None else 1)
    M = column("M", -1.0)  # -1: no examples (hebbian); NaN would defeat np.unique
    d = column("d", 0.0)
    with np.errstate(over="ignore"):
        K_high = np.maximum(1.0, np.round(alpha * N ** (P - 1)))
    K = np.where(alpha > 0, K_high, K_given)
    table = np.unique(np.stack([N, K, M, P, d], axis=1), axis=0)
    return [dict(zip(("N", "K", "M", "P", "d"), row)) for row in table]


def check_resources(spec: SweepSpec, workers: int = 1) -> None:
    """Refuse a spec whose largest Monte Carlo point would not fit in memory.

    With ``workers`` > 1 local processes, each holds its own point and an interpreter
    (:data:`hopfield_sim._execution.WORKER_BYTES`), so the estimate is ``workers`` times that.

    Raises
    ------
    ValueError
        Naming the point's parameters (N, K, and alpha/P where they set K), the estimate in
        GiB and the override ``HOPFIELD_SIM_MAX_MEMORY``; raised before any allocation.
    """
    import montecarlo

    grid = spec.points if spec.points is not None else spec.axes
    lengths = [len(v) for v in grid.values()]
    points = lengths[0] if spec.points is not None else math.prod(lengths)
    # the Dataset holds ~20 float64 variables per point, plus one column per grid name
    montecarlo.check_memory(
        int(points) * 8 * (20 + len(lengths)),
        f"the sweep's grid of {points:.4g} points ({' x '.join(map(str, lengths))})",
    )
    sizes = mc_sizes(spec)
    if not sizes:
        return

    mc = spec.montecarlo
    worst, worst_bytes = None, -1.0
    for s in sizes:
        if s["K"] > 2**62 or not math.isfinite(s["K"]):
            worst, worst_bytes = s, math.inf
            break
        nbytes = montecarlo.sample_memory(
            N=int(s["N"]),
            K=int(s["K"]),
            M=None if s["M"] < 0 else int(s["M"]),
            chains=int(mc.chains),
            sweeps=int(mc.sweeps),
            protocol=spec.protocol,
            P=int(s["P"]),
            d=float(s["d"]),
        )
        if nbytes > worst_bytes:
            worst, worst_bytes = s, float(nbytes)
    assert worst is not None
    what = (
        f"the sweep's Monte Carlo point N={int(worst['N'])}, K={worst['K']:.4g} "
        f"(P={int(worst['P'])}, chains={mc.chains}, sweeps={mc.sweeps})"
    )
    if spec.given("alpha"):
        what += " with K = alpha N^(P-1)"
    if math.isinf(worst_bytes):
        worst_bytes = 2.0**80
    if workers > 1:
        from hopfield_sim._execution import WORKER_BYTES

        worst_bytes = workers * (worst_bytes + WORKER_BYTES)
        what += f" on {workers} local worker processes (each ~{WORKER_BYTES >> 20} MiB + a point)"
    montecarlo.check_memory(int(min(worst_bytes, 2**80)), what)
