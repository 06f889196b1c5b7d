"""Teacher-student phase diagram of the p = 3 dense network on the Nishimori line
(Theriault & Tantari, SciPost Phys. 17, 040 (2024), their Figs. 2 and 4 region), in the
paper's units alpha' = 3! alpha in [0, 8] and T' = 2 T in (0, 4] (docs/teacher-student.md).

Left panel: the RS phase of the student (theory.teacher_student: eR, gR, lR, P), the
Nishimori lines T = kappa sqrt(alpha) (thermodynamic and spinodal, theory.lines) and the
teacher's own transition T'* = 2 T_c(teacher). Right panel: the teacher overlap q* against
T' at alpha' = 6: the RS line and Monte Carlo (montecarlo.teacher_examples + protocol
"teacher") at two sizes, with the extrapolation q*(N) = q* + b / sqrt(N) to N = infinity.

Writes ``<out>/data/teacher_student_phase_diagram.nc`` and
``<out>/docs/figures/teacher_student_phase_diagram.png``.

Usage: python scripts/teacher_student_phase_diagram.py [--out .] [--grid 41] [--quick]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

import montecarlo  # noqa: E402
import theory  # noqa: E402
from hopfield_sim._version import __version__  # noqa: E402
from theory.lines import nishimori_line  # noqa: E402
from theory.rs import teacher as rs_teacher  # noqa: E402

P = 3
FACT = math.factorial(P)


def monte_carlo(T_prime, sizes, samples, seed=0):
    """q* per (size, T') from ``samples`` data sets (mean and error of the mean)."""
    q = np.zeros((len(sizes), len(T_prime)))
    err = np.zeros_like(q)
    for i, N in enumerate(sizes):
        M = N ** (P - 1)  # alpha = 1, alpha' = 6
        for j, Tp in enumerate(T_prime):
            T = Tp / 2.0
            vals = []
            for s in range(samples):
                ss = np.random.SeedSequence([seed, N, j, s])
                a, b, c = ss.spawn(3)
                xi = montecarlo.archetypes(1, N, seed=a)
                eta = montecarlo.teacher_examples(xi, M, P_star=P, T_star=T, seed=b, sweeps=30)
                net = montecarlo.DenseHebbianNetwork(P, patterns=xi, examples=eta,
                                                     protocol="teacher")  # fmt: skip
                res = net.sample(T=T, sweeps=300, burn_in=100, chains=2, seed=c)
                vals.append(float(res.m.mean()))
            q[i, j] = np.mean(vals)
            err[i, j] = np.std(vals, ddof=1) / math.sqrt(samples)
            print(f"  MC N={N} T'={Tp:.2f}: q* = {q[i, j]:.4f} +- {err[i, j]:.4f}", flush=True)
    return q, err


def compute(grid: int, quick: bool) -> xr.Dataset:
    Tp = np.linspace(4.0 / grid, 4.0, grid)
    ap = np.linspace(0.0, 8.0, grid + 1)
    t0 = time.time()
    ds = theory.teacher_student(P, T=Tp / 2, alpha=ap / FACT)
    print(f"theory grid {grid} x {grid + 1}: {time.time() - t0:.0f} s", flush=True)
    a_line = np.linspace(0.0, 8.0, 161)
    T_th = 2 * nishimori_line(P, a_line / FACT)
    T_sp = 2 * nishimori_line(P, a_line / FACT, kind="spinodal")
    T_teacher = 2 * float(theory.temperature_line(P, 0.0, kind="thermodynamic"))
    T_curve = np.linspace(1.0, 3.0, 201)
    th = rs_teacher.solve_flat(2 / T_curve, 2 / T_curve, 1.0, P=P, branch="teacher")
    q_curve = np.where(th["converged"] & th["stable"] & (th["q_star"] > 1e-6), th["q_star"], 0)
    sizes = (30, 60) if quick else (45, 90)
    T_mc = np.array([1.6, 1.8, 2.0, 2.2]) if quick else np.array([1.6, 1.8, 2.0, 2.2, 2.3])
    q_mc, e_mc = monte_carlo(T_mc, sizes, 2 if quick else 3)
    x1, x2 = sizes[0] ** -0.5, sizes[1] ** -0.5
    q_inf = (q_mc[1] * x1 - q_mc[0] * x2) / (x1 - x2)
    e_inf = np.hypot(e_mc[1] * x1, e_mc[0] * x2) / (x1 - x2)
    out = xr.Dataset(
        {
            "phase": (("T_prime", "alpha_prime"), ds.phase.values, ds.phase.attrs),
            "q_star": (("T_prime", "alpha_prime"), ds.q_star.values,
                       {"long_name": "teacher overlap of the lowest-f RS state"}),
            "T_prime_thermodynamic": ("alpha_line", T_th,
                                      {"long_name": "Nishimori line, gR below (T' = 2T)"}),
            "T_prime_spinodal": ("alpha_line", T_sp,
                                 {"long_name": "Nishimori line, lR below (T' = 2T)"}),
            "q_star_rs": ("T_curve", q_curve, {"long_name": "RS q* at alpha' = 6"}),
            "q_star_mc": (("N", "T_mc"), q_mc, {"long_name": "Monte Carlo q*, alpha' = 6"}),
            "q_star_mc_err": (("N", "T_mc"), e_mc),
            "q_star_mc_extrapolated": ("T_mc", q_inf,
                                       {"long_name": "q* + b/sqrt(N) fit to the two sizes"}),
            "q_star_mc_extrapolated_err": ("T_mc", e_inf),
        },  # fmt: skip
        coords={"T_prime": Tp, "alpha_prime": ap, "alpha_line": a_line, "T_curve": T_curve,
                "T_mc": T_mc, "N": np.array(sizes)},  # fmt: skip
    )
    out.attrs.update(
        title="p = 3 teacher-student dense network on the Nishimori line (RS and MC)",
        units="peer units: T' = 2 T, alpha' = P! alpha (docs/models.md §2)",
        P=P, T_prime_teacher_transition=T_teacher, hopfield_sim_version=__version__,
        Conventions="CF-1.8",
    )  # fmt: skip
    return out


def plot(ds: xr.Dataset, path: Path) -> None:
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.3))
    cmap = ListedColormap(["#f4a460", "#66cdaa", "#dda0dd", "#9370db", "#6495ed"])
    ap, Tp = ds.alpha_prime.values, ds.T_prime.values
    im = ax.pcolormesh(ap, Tp, ds.phase.values, cmap=cmap, vmin=-0.5, vmax=4.5, shading="auto")
    cb = fig.colorbar(im, ax=ax, ticks=range(5))
    cb.ax.set_yticklabels(ds.phase.attrs["flag_meanings"].split())
    al = ds.alpha_line.values
    ax.plot(al, ds.T_prime_thermodynamic, "k-", lw=1.2, label="gR line (thermodynamic)")
    ax.plot(al, ds.T_prime_spinodal, "k--", lw=1.2, label="lR line (spinodal)")
    ax.axhline(ds.attrs["T_prime_teacher_transition"], color="w", ls=":", lw=1.5,
               label="teacher's own transition")  # fmt: skip
    ax.set(xlabel=r"$\alpha' = 3!\,\alpha$", ylabel=r"$T' = T^* {}' = 2T$", xlim=(0, 8),
           ylim=(0, 4), title="p = 3, Nishimori line: RS phases")  # fmt: skip
    ax.legend(loc="upper left", fontsize=8)
    Tt = ds.attrs["T_prime_teacher_transition"]
    hot = ds.T_curve.values >= Tt
    bx.axvspan(ds.T_curve.values[0], Tt, color="0.85", label="teacher ferromagnetic (eR)")
    bx.plot(ds.T_curve[hot], ds.q_star_rs[hot], "k-", label="RS theory (teacher branch)")
    bx.axvline(float(np.interp(6.0, al := ds.alpha_line.values, ds.T_prime_thermodynamic)),
               color="k", ls=":", lw=1, label="gR | lR")  # fmt: skip
    for k, N in enumerate(ds.N.values):
        bx.errorbar(ds.T_mc, ds.q_star_mc[k], ds.q_star_mc_err[k], fmt="o", ms=4, capsize=2,
                    label=f"MC N = {N} (M = N²)")  # fmt: skip
    bx.errorbar(ds.T_mc, ds.q_star_mc_extrapolated, ds.q_star_mc_extrapolated_err, fmt="s",
                color="C3", ms=5, capsize=2, label=r"MC, $N\to\infty$ ($1/\sqrt{N}$)")  # fmt: skip
    bx.set(xlabel=r"$T' = 2T$", ylabel=r"teacher overlap $q^*$", ylim=(-0.05, 1.05),
           title=r"$\alpha' = 6$ on the Nishimori line")  # fmt: skip
    bx.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--grid", type=int, default=41)
    ap.add_argument("--quick", action="store_true", help="small MC sizes (a smoke run)")
    ap.add_argument("--replot", action="store_true", help="plot the stored data only")
    args = ap.parse_args()
    data = args.out / "data" / "teacher_student_phase_diagram.nc"
    if args.replot:
        ds = xr.load_dataset(data)
    else:
        ds = compute(args.grid, args.quick)
        data.parent.mkdir(parents=True, exist_ok=True)
        ds.to_netcdf(data)
    plot(ds, args.out / "docs" / "figures" / "teacher_student_phase_diagram.png")
    print(f"wrote {data}")


if __name__ == "__main__":
    main()
