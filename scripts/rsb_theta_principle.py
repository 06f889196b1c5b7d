"""The extremum principle for the Parisi block size at T = 0 (mu = beta theta), shown on the
1RSB retrieval state at its spinodal (docs/rsb.md; figure docs/figures/rsb_theta_principle.png).

At fixed overlap n and load alpha, the other order parameters (q0; and C, r0, r1 for P = 2)
are put at their stationary values for each mu (Newton on route B's gradient,
theory.rsb.variational0) and the energy E(mu) is plotted. Guerra's bound (pressure minimal
over the RSB parameters) means E maximal over mu at the physical solution; mu -> 0 is RS.
Needs data/rsb_capacities.json for the P >= 4 folds (scripts/rsb_capacities.py); the P = 2
fold comes from theory.rsb.capacity. Writes data/rsb_theta_principle.json.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from theory.critical import critical_point  # noqa: E402
from theory.rsb import capacity  # noqa: E402
from theory.rsb import variational0 as route_b  # noqa: E402


def stationary_others(P, y, alpha, fixed=(0, None)):
    """Newton on the gradient components other than n and mu, at fixed n, mu."""
    y = np.array(y, float)
    mu_i = 3 if P == 2 else 2
    free = [i for i in range(y.size) if i not in (0, mu_i)]
    for _ in range(30):
        _, g, H = route_b.evaluate(P, y, alpha)
        d = np.linalg.solve(H[np.ix_(free, free)], g[free])
        y[free] -= d
        if np.max(np.abs(g[free])) < 1e-12:
            break
    return y


def curve(P, y_c, alpha, mus):
    mu_i = 3 if P == 2 else 2
    out, y = [], np.array(y_c, float)
    order = np.argsort(np.abs(mus - y_c[mu_i]))
    E = np.full(mus.size, np.nan)
    for k in order:  # continuation outwards from the solution
        y0 = np.array(y_c, float)
        y0[mu_i] = mus[k]
        y = stationary_others(P, y0, alpha)
        E[k] = route_b.energy(P, y, alpha)
        out.append(y)
    return E


def main():
    data = json.loads(Path("data/rsb_capacities.json").read_text())
    cases = []
    a_rs2 = critical_point(2, protocol="hebbian", T=0.0)[0]
    a2, x2 = capacity.capacity(2, math.inf, 0.0, a_rs2, n_y=1)
    lam1, lam2 = 1 - x2[2], 1 - x2[2] - x2[3] * (1 - x2[1])
    r0 = x2[1] / lam2**2
    cases.append((2, a2, np.r_[x2, r0, (1 - x2[1]) / (lam1 * lam2) + r0]))
    for row in data["rows"]:
        if row["T"] == 0 and row["P"] == 4:
            cases.append((4, row["alpha_1RSB_B"], np.array(row["x_1RSB_B"])))
    res = []
    for P, alpha, y in cases:
        mu_i = 3 if P == 2 else 2
        mu_c = y[mu_i]
        for frac in (1.0, 0.97):
            a = alpha * frac
            yc = np.array(y)
            if frac != 1.0:  # the stationary point at the lower load, from the fold point
                for _ in range(30):
                    _, g, H = route_b.evaluate(P, yc, a)
                    free = [i for i in range(yc.size) if i != 0]
                    yc[free] -= np.linalg.solve(H[np.ix_(free, free)], g[free])
            mus = mu_c * np.geomspace(0.3, 3.0, 25)
            E = curve(P, yc, a, mus)
            res.append(dict(P=P, alpha=a, mu=list(mus), E=list(E), mu_star=float(yc[mu_i])))
    Path("data/rsb_theta_principle.json").write_text(json.dumps(dict(
        description="T = 0 energy of the 1RSB retrieval state vs mu = beta theta at fixed n, "
        "other order parameters stationary (route B)", script="scripts/rsb_theta_principle.py",
        curves=res), indent=1))
    plot(res)


def plot(res):
    """The figure from the stored curves (curves whose solve failed are NaN and skipped)."""
    Ps = sorted({c["P"] for c in res})
    fig, axes = plt.subplots(1, len(Ps), figsize=(5.2 * len(Ps), 3.9))
    for ax, P in zip(np.atleast_1d(axes), Ps):
        for c in res:
            E = np.asarray(c["E"], float)
            if c["P"] != P or not np.isfinite(E).any():
                continue
            ax.plot(c["mu"], E, "o-", ms=3, label=f"alpha = {c['alpha']:.6f}")
            ax.axvline(c["mu_star"], color="0.6", lw=0.8, ls="--")
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.set_xlabel("mu = beta theta  (n fixed, other parameters stationary)")
        ax.set_ylabel("E, energy per neuron")
        ax.set_title(f"P = {P}, T = 0: maximum at the stationary mu* (dashed)", fontsize=10)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig("docs/figures/rsb_theta_principle.png", dpi=120)


if __name__ == "__main__":
    import sys

    if "--plot-only" in sys.argv:  # redraw from data/rsb_theta_principle.json
        plot(json.loads(Path("data/rsb_theta_principle.json").read_text())["curves"])
    else:
        main()
