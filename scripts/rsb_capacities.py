"""1RSB retrieval capacities of the dense network, two routes, and the RS-branch evidence
(docs/rsb.md, "Settling P >= 4"). Writes data/rsb_capacities.json. ~15 min on 2 busy cores.

For P in (4, 6) and T in (0, 0.1, 0.2): the RS spinodal, the route-A 1RSB fold
(theory.rsb.capacity: engine start + Newton continuation, theta/mu by stationarity), route B
at T = 0 (theory.rsb.variational0, started 2 % off the route-A fold), the replicon of the RS
retrieval solution just below its spinodal, and the 1RSB retrieval solutions of the engine
on a load grid below the RS spinodal (theta < 1 where the broken solution has the lower
pressure A = -beta f, Guerra's min principle).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from theory.critical import critical_point
from theory.rsb import at, capacity, solve_1rsb
from theory.rsb import variational0 as route_b


def main(out: Path) -> None:
    rows = []
    for P in (4, 6):
        for T in (0.0, 0.1, 0.2):
            t0 = time.time()
            beta = math.inf if T == 0 else 1.0 / T
            a_rs = critical_point(P, protocol="hebbian", T=T)[0]
            a_1, x_1 = capacity.capacity(P, beta, 0.0, a_rs, n_y=1)
            row = dict(P=P, T=T, alpha_RS=a_rs, alpha_1RSB_A=a_1,
                       x_1RSB_A=None if x_1 is None else list(map(float, x_1)))
            if T == 0 and x_1 is not None:
                y0 = np.asarray(x_1) * np.array([1.0, 0.98, 1.03])
                a_b, y_b, res = route_b.fold(P, y0, 0.99 * a_1)
                row.update(alpha_1RSB_B=a_b, x_1RSB_B=list(map(float, y_b)), residual_B=res)
            if T > 0:
                alphas = a_rs * np.array([0.7, 0.8, 0.9, 0.95, 0.99, 0.9999])
                rs = at.rs_solution(P=P, beta=np.full(6, beta), alpha=alphas)
                lam = at.replicon(P=P, beta=beta, alpha=alphas, q=rs["q"], n=rs["n"])
                rsb = solve_1rsb(protocol="hebbian", P=P, beta=np.full(6, beta), alpha=alphas,
                                 rho=np.zeros(6), branch="retrieval")
                row.update(
                    grid_alpha=list(alphas), replicon_RS=list(map(float, lam)),
                    f_RS=list(map(float, rs["free_energy"])), m_RS=list(map(float, rs["m"])),
                    f_1RSB=list(map(float, rsb["free_energy"])),
                    theta_1RSB=list(map(float, rsb["theta"])),
                    q0_1RSB=list(map(float, rsb["q0"])), q1_1RSB=list(map(float, rsb["q1"])),
                    m_1RSB=list(map(float, rsb["m"])),
                )
            row["seconds"] = time.time() - t0
            print(json.dumps(row), flush=True)
            rows.append(row)
    doc = dict(
        description="1RSB retrieval capacities alpha_c (K = alpha N^(P-1)), hebbian, two "
        "routes (A: engine + Newton continuation in n; B: T = 0 variational functional, "
        "grad E = 0 and det Hess E = 0), with the RS spinodal and RS-branch diagnostics",
        script="scripts/rsb_capacities.py",
        rows=rows,
    )
    out.write_text(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("data/rsb_capacities.json"))
