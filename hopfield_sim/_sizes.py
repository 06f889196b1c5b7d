"""Sizes a sweep spec asks for, checked by the package's memory guard before anything of that
size is built: a 1-d axis (``num`` or ``step``), the points of an adaptive diagram, and the
local worker processes of a Monte Carlo sweep.

The guard is :func:`montecarlo.check_memory` (limit: ``HOPFIELD_SIM_MAX_MEMORY``, else the
memory available); estimates are upper bounds of the right order, not measurements.
"""

from __future__ import annotations

#: bytes per grid point of a sweep's Dataset (about 20 float64 variables plus coordinates),
#: the count :func:`hopfield_sim.checks.check_resources` uses for the whole grid
GRID_POINT_BYTES = 8 * 21
#: bytes per point held by the adaptive learner (triangulation, values, interpolator)
ADAPTIVE_POINT_BYTES = 2048
#: estimates below this are not checked here (the whole grid is checked before the sweep)
SMALL_BYTES = 64 * 2**20

__all__ = ["check_adaptive_points", "check_axis_size", "check_size"]


def check_size(nbytes: float, what: str) -> None:
    """Refuse ``nbytes`` (``ValueError`` naming ``what``) when it exceeds the memory limit;
    estimates up to :data:`SMALL_BYTES` skip the check (and the import of ``montecarlo``)."""
    if nbytes <= SMALL_BYTES:
        return
    import montecarlo

    montecarlo.check_memory(int(min(nbytes, 2.0**80)), what)


def check_axis_size(key: str, given: str, count: float) -> None:
    """A 1-d axis of ``count`` values makes at least ``count`` grid points: refuse it before
    ``linspace``/``arange`` builds it when those points would not fit in memory."""
    check_size(
        float(count) * GRID_POINT_BYTES,
        f"{key} (from its {given!r}: {float(count):.4g} values, each a grid point)",
    )


def check_adaptive_points(points: int) -> None:
    """The adaptive learner keeps every point it places, and they become a points sweep."""
    check_size(
        float(points) * (ADAPTIVE_POINT_BYTES + GRID_POINT_BYTES),
        f"adaptive.points={points} (the learner's points and the resulting sweep)",
    )
