"""The points of a sweep specification (:class:`Grid`), in a module of its own so that the
sweep's phases, runners and checks can use it without importing ``hopfield_sim.sweep``
(which imports them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from hopfield_sim.spec import SweepSpec


class Grid:
    """The points of a spec: dims, shape and one flat column per varying parameter."""

    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec
        if spec.points is not None:
            self.dims: tuple[str, ...] = ("point",)
            self.columns = {k: np.asarray(v, dtype=float) for k, v in spec.points.items()}
            self.shape: tuple[int, ...] = (len(next(iter(self.columns.values()))),)
        else:
            self.dims = tuple(spec.axes)
            self.shape = tuple(len(v) for v in spec.axes.values())
            mesh = np.meshgrid(*spec.axes.values(), indexing="ij")
            self.columns = {k: m.ravel() for k, m in zip(self.dims, mesh)}
        self.size = int(np.prod(self.shape))

    def params(self, index: int) -> dict[str, float]:
        """All parameters (grid and fixed) of flat point ``index``."""
        out = {k: float(v[index]) for k, v in self.columns.items()}
        out.update(self.spec.fixed)
        return out

    def key(self, index: int) -> tuple[str, ...]:
        """Canonical key of a point (its grid values, 12 significant digits)."""
        return tuple(f"{self.columns[k][index]:.12g}" for k in sorted(self.columns))
