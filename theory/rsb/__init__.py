"""One-step replica symmetry breaking (docs/models.md §5).

* :mod:`theory.rsb.engine`: the one 1RSB engine and its model protocol;
* :mod:`theory.rsb.dense` (P >= 4) and :mod:`theory.rsb.ags` (P = 2): the two models;
* :mod:`theory.rsb.solve`: ``solve_1rsb`` and ``critical_load_1rsb``;
* :mod:`theory.rsb.at`: re-export of :mod:`theory.rs.at` (de Almeida-Thouless stability of
  RS solutions and the AT line; ``at_line`` is re-exported here);
* :mod:`theory.rsb.ground_state`: T = 0 retrieval vs spin-glass energies.

The P >= 4 functional (``pressure``, ``averages``, ``dA_dtheta``, ``residual``, ``energy0``,
``energy0_rs``) and ``quadrature`` stay importable from here, as before the package split.
"""

from __future__ import annotations

from theory.rs.at import at_line  # the AT line of RS solutions (theory.rs.at)
from theory.rsb.dense import (
    averages,
    dA_dtheta,
    energy0,
    energy0_rs,
    pressure,
    residual,
)
from theory.rsb.engine import KEYS, Q_GAP, THETA_MIN, TOL, quadrature
from theory.rsb.solve import critical_load_1rsb, model_of, solve_1rsb

__all__ = [
    "KEYS",
    "Q_GAP",
    "THETA_MIN",
    "TOL",
    "at_line",
    "averages",
    "critical_load_1rsb",
    "dA_dtheta",
    "energy0",
    "energy0_rs",
    "model_of",
    "pressure",
    "quadrature",
    "residual",
    "solve_1rsb",
]
