"""One-step replica symmetry breaking (docs/models.md §5, docs/rsb.md).

The user's tools (``__all__``):

* :func:`solve`: 1RSB order parameters and free energies on a grid, as the result schema of
  ``theory.solve`` (it is ``theory.solve(level="1RSB")``);
* :func:`critical_load_1rsb` (:mod:`theory.rsb.capacity`): the 1RSB retrieval capacity;
* :func:`at_line` (:mod:`theory.rsb.at`, a re-export of :mod:`theory.rs.at`): the
  de Almeida-Thouless line of RS solutions;
* :func:`ground_state_energies`, :func:`retrieval_ground_state_load`
  (:mod:`theory.rsb.ground_state`): T = 0 retrieval vs spin-glass energies.

The engine and its models live in :mod:`theory.rsb.engine`, :mod:`theory.rsb.dense`
(P >= 4) and :mod:`theory.rsb.ags` (P = 2); the capacity routes in
:mod:`theory.rsb.capacity`, :mod:`theory.rsb.spinodal` and :mod:`theory.rsb.variational0`.
Engine constants (``KEYS``, ``Q_GAP``, ``THETA_MIN``, ``TOL``, ``quadrature``), the P >= 4
functional (``pressure``, ``averages``, ``dA_dtheta``, ``residual``, ``energy0``,
``energy0_rs``) and the array-level ``solve_1rsb`` / ``model_of`` still import from here, as
before, but are not part of the face: import them from their modules.
"""

from __future__ import annotations

# the face: at_line, critical_load_1rsb, ground_state_energies, retrieval_ground_state_load,
# solve; the other names (engine constants, functional, array-level solver) stay importable
# from here for existing code but are not part of the face (not in __all__)
from theory.rs.at import at_line  # the AT line of RS solutions (theory.rs.at)
from theory.rsb._solve1rsb import model_of, solve, solve_1rsb  # noqa: F401
from theory.rsb.capacity import critical_load_1rsb
from theory.rsb.dense import (  # noqa: F401
    averages,
    dA_dtheta,
    energy0,
    energy0_rs,
    pressure,
    residual,
)
from theory.rsb.engine import KEYS, Q_GAP, THETA_MIN, TOL, quadrature  # noqa: F401
from theory.rsb.ground_state import ground_state_energies, retrieval_ground_state_load

__all__ = [
    "at_line",
    "critical_load_1rsb",
    "ground_state_energies",
    "retrieval_ground_state_load",
    "solve",
]

