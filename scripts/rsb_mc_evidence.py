"""Can Monte Carlo tell the RS and 1RSB capacities of the dense network apart? (issue 28).

At T = 0.1 the replica theory gives, for P = 4 (K = alpha N^3 patterns), a retrieval
spinodal alpha_c = 0.03478 at replica symmetry and 0.03829 at one-step RSB. This script
starts Glauber chains in a stored pattern (``montecarlo.DenseHebbianNetwork`` through
:func:`hopfield_sim.finite_size.retrieval_overlap`) on a fixed grid of loads across both
values, at the largest sizes a shared 2-core machine runs in minutes, and for P = 3 (odd P,
K = alpha N^2; RS spinodal 0.1354). For each retrieval criterion ``m >= m_cut``
(0.6, 0.75, 0.9) it fits a smooth step per N (:func:`hopfield_sim.finite_size.fit_step`)
and extrapolates ``alpha_c(N) = alpha_c + a N^(-1/2)``
(:func:`hopfield_sim.finite_size.extrapolate`; ``N^(-1)`` as a systematic check).

Writes ``OUT/rsb_mc_evidence.nc`` (NetCDF, CF-style attributes, seeds and versions) and the
figure ``OUT/rsb_mc_evidence.png``; ``--out`` defaults to a fresh folder in the working
directory. The shipped results:

    nice -n 10 python scripts/rsb_mc_evidence.py --data data/rsb_mc_evidence.nc \
        --figure docs/figures/rsb_mc_evidence.png        # ~15 min on 2 cores
    python scripts/rsb_mc_evidence.py --quick           # tiny sizes (seconds; tests)
    python scripts/rsb_mc_evidence.py --replot --data data/rsb_mc_evidence.nc \
        --figure docs/figures/rsb_mc_evidence.png
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _rsb_mc import M_CUTS, analyse, dataset, measure, theory_curves  # noqa: E402

T = 0.1
#: the 1RSB capacity at P = 4, T = 0.1 (docs/rsb.md, `theory.critical_load(4, T=0.1,
#: level="1RSB")`, route A, Newton-polished); fixed here because its first computation
#: compiles for minutes. P = 3 has no 1RSB value.
ALPHA_1RSB = {4: 0.0382930}
#: per P: sizes, loads (dense around the theory values) and samples per load; (full, quick)
CASES = {
    4: {"sizes": ([80, 120, 170], [12, 16]),
        "alphas": ([0.020, 0.026, 0.032, 0.035, 0.038, 0.042, 0.048, 0.056, 0.066, 0.08],
                   [0.01, 0.03, 0.06, 0.12, 0.25]),
        "samples": (6, 2)},
    3: {"sizes": ([150, 250, 400], [24, 32]),
        "alphas": ([0.08, 0.10, 0.12, 0.13, 0.14, 0.15, 0.165, 0.185, 0.21, 0.25, 0.30],
                   [0.02, 0.1, 0.3, 0.6, 1.2]),
        "samples": (6, 2)},
}  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes, no theory (seconds)")
    p.add_argument("--P", type=int, nargs="+", default=[4, 3], choices=sorted(CASES))
    p.add_argument("--sweeps", type=int, default=20, help="recorded sweeps per sample")
    p.add_argument("--burn-in", type=int, default=20, help="discarded sweeps per sample")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--m-cut", type=float, default=0.75, choices=M_CUTS,
                   help="retrieval criterion shown in the figure's step panel")  # fmt: skip
    p.add_argument("--data", type=Path, default=None, help="NetCDF output")
    p.add_argument("--figure", type=Path, default=None, help="PNG output")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for both (default: fresh rsb_mc_evidence-<UTC time>)",
    )
    p.add_argument("--replot", action="store_true",
                   help="analyse the stored overlaps again, rewrite --data, redraw")  # fmt: skip
    args = p.parse_args(argv)
    if args.out is None and (args.data is None or args.figure is None):
        from _sweep_script import fresh_folder

        args.out = fresh_folder("rsb_mc_evidence")
    args.data = args.data or args.out / "rsb_mc_evidence.nc"
    args.figure = args.figure or args.out / "rsb_mc_evidence.png"
    return args


def run_case(P: int, args: argparse.Namespace) -> dict:
    """Measure and analyse one P; the theory only in full runs (it compiles for a minute)."""
    k = 1 if args.quick else 0
    cfg = CASES[P]
    sizes, alphas, samples = cfg["sizes"][k], cfg["alphas"][k], cfg["samples"][k]
    t0 = time.perf_counter()
    m, cpu = measure(P, sizes, alphas, samples, T=T, sweeps=args.sweeps,
                     burn_in=args.burn_in, seed=args.seed, workers=args.workers)  # fmt: skip
    wall = time.perf_counter() - t0
    ana = [analyse(sizes, alphas, m, m_cut=c, seed=args.seed) for c in M_CUTS]
    if args.quick:
        th, m_rs = {}, np.full(len(alphas), np.nan)
    else:
        fixed = {"1RSB": ALPHA_1RSB[P]} if P in ALPHA_1RSB else {}
        th, m_rs = theory_curves(P, T, alphas, fixed)
    return {"P": P, "sizes": np.array(sizes), "alphas": np.array(alphas), "m": m,
            "cpu_s": cpu, "wall_s": wall, "analysis": ana, "theory": th, "m_RS": m_rs}  # fmt: skip


def metadata(args: argparse.Namespace, wall: float) -> dict:
    import platform

    import hopfield_sim

    return {
        "title": "Monte Carlo retrieval stability of the dense Hebbian network across the RS "
        "and 1RSB capacities (issue 28)",
        "Conventions": "CF-1.8",
        "source": "scripts/rsb_mc_evidence.py (hopfield_sim.finite_size.retrieval_overlap: "
        "montecarlo.DenseHebbianNetwork, protocol hebbian, init at pattern 1, Glauber)",
        "history": f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} "
        f"{' '.join(sys.argv)}",
        "T": T, "sweeps": args.sweeps, "burn_in": args.burn_in, "seed": args.seed,
        "seed_rule": "per sample: finite_size.point_seed(case_seed(seed, P), "
        "{N, alpha, sample})",
        "quick": int(args.quick), "workers": args.workers, "wall_time_s": wall,
        "m_cut_shown": args.m_cut, "extrapolation": "alpha_c(N) = alpha_inf + a N^(-1/2)",
        "hopfield_sim_version": hopfield_sim.__version__, "numpy_version": np.__version__,
        "python_version": platform.python_version(),
    }  # fmt: skip


def figure(ds, path: Path, m_cut: float) -> None:
    """Per P a row: <m> vs alpha per N with the RS curve; the retrieval fraction and the
    fitted steps; alpha_c(N) vs N^(-1/2) for each cut with the extrapolation."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hopfield_sim.finite_size import step

    cases = list(ds.case.values)
    fig, axes = plt.subplots(len(cases), 3, figsize=(15, 4.6 * len(cases)),
                             layout="constrained", squeeze=False)  # fmt: skip
    colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, ds.sizes["size"]))
    j_cut = int(np.argmin(np.abs(ds.m_cut.values - m_cut)))
    for row, case in zip(axes, cases):
        d = ds.sel(case=case)
        a = d.alpha.values[np.isfinite(d.alpha.values)]
        lines = {k: float(d[f"alpha_c_{k}"]) for k in ("RS", "1RSB")}
        for ax in row[:2]:
            for (k, v), ls in zip(lines.items(), ("--", ":")):
                if np.isfinite(v):
                    ax.axvline(v, color="k", ls=ls, lw=1.2, label=f"{k} theory {v:.4f}")
            if all(np.isfinite(v) for v in lines.values()):
                ax.axvspan(*sorted(lines.values()), color="0.85", zorder=0)
        ax0, ax1, ax2 = row
        for i, N in enumerate(d.N.values):
            if N < 0:
                continue
            m = d.m.isel(size=i).values[: a.size]
            ax0.errorbar(
                a,
                np.nanmean(m, -1),
                np.nanstd(m, -1) / np.sqrt(m.shape[-1]),
                fmt="o-",
                color=colors[i],
                ms=4,
                capsize=2,
                label=f"N = {N}",
            )
            ax0.plot(np.repeat(a, m.shape[-1]), m.ravel(), ".", color=colors[i], alpha=0.3)
            fr = d.retrieval_fraction.isel(m_cut=j_cut, size=i).values[: a.size]
            ax1.plot(a, fr, "o", color=colors[i], label=f"N = {N}")
            xc, w = (float(d[k].isel(m_cut=j_cut, size=i)) for k in ("alpha_c", "width"))
            if np.isfinite(xc):
                xx = np.linspace(a.min(), a.max(), 200)
                ax1.plot(xx, step(xx, xc, w), color=colors[i])
        if np.isfinite(d.m_RS.values).any():
            ax0.plot(a, d.m_RS.values[: a.size], "k-", lw=2, label="RS theory m")
        ax0.axhline(float(ds.m_cut[j_cut]), color="0.5", lw=0.8)
        ax0.set(xlabel="load alpha", ylabel="overlap m (mean over sweeps)",
                title=f"{case}, T = {ds.attrs['T']}: overlap after start in pattern")  # fmt: skip
        ax1.set(xlabel="load alpha", ylabel=f"fraction with m >= {float(ds.m_cut[j_cut])}",
                title=f"{case}: retrieval probability and step fits")  # fmt: skip
        _extrapolation_panel(ax2, d, lines, j_cut)
        for ax in row:
            ax.legend(fontsize=7)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _extrapolation_panel(ax, d, lines: dict, j_cut: int) -> None:
    """alpha_c(N) against N^(-1/2) per cut, the nu = 1/2 line and alpha_inf +- error."""
    ok = d.N.values > 0
    s = d.N.values[ok] ** -0.5
    for j, (cut, mk) in enumerate(zip(d.m_cut.values, "sod")):
        y = d.alpha_c.isel(m_cut=j).values[ok]
        e = d.alpha_c_err.isel(m_cut=j).values[ok]
        x_inf, err = float(d.alpha_inf.isel(m_cut=j)), float(d.alpha_inf_err.isel(m_cut=j))
        c = f"C{j}"
        lab = (f"m_cut {cut}: alpha_c = {x_inf:.4f} +- {err:.4f}" if np.isfinite(x_inf)
               else f"m_cut {cut}: no extrapolation (too few sizes with a step)")  # fmt: skip
        ax.errorbar(s, y, e, fmt=mk, color=c, capsize=3, mfc=c if j == j_cut else "none",
                    label=lab)  # fmt: skip
        if np.isfinite(x_inf):
            ss = np.linspace(0, s.max() * 1.05, 50)
            ax.plot(ss, x_inf + float(d.correction_a.isel(m_cut=j)) * ss, color=c, lw=0.8)
            ax.errorbar([-0.003 * j], [x_inf], [err], fmt=mk, color=c, capsize=4, mfc="w")
    for (k, v), ls in zip(lines.items(), ("--", ":")):
        if np.isfinite(v):
            ax.axhline(v, color="k", ls=ls, lw=1.2, label=f"{k} theory {v:.4f}")
    if all(np.isfinite(v) for v in lines.values()):
        ax.axhspan(*sorted(lines.values()), color="0.85", zorder=0)
    ax.set(xlabel="N^(-1/2)", ylabel="alpha_c(N)", xlim=(-0.01, None),
           title=f"{d.case.item()}: finite-size extrapolation (nu = 1/2)")  # fmt: skip


def report(ds) -> None:
    """Print alpha_c(N) per cut and the extrapolations beside the theory values."""
    for case in ds.case.values:
        d = ds.sel(case=case)
        print(f"\n{case}, T = {ds.attrs['T']}: RS {float(d.alpha_c_RS):.5f}, "
              f"1RSB {float(d.alpha_c_1RSB):.5f}; CPU s per N: "
              f"{np.round(d.cpu_time.values, 1).tolist()}")  # fmt: skip
        for j, cut in enumerate(ds.m_cut.values):
            e = d.isel(m_cut=j)
            rows = ", ".join(f"N={N}: {x:.4f}+-{s:.4f} ({f:.0f} failed)"
                             for N, x, s, f in zip(d.N.values, e.alpha_c.values,
                                                   e.alpha_c_err.values, e.n_failed.values)
                             if N > 0)  # fmt: skip
            print(f"  m_cut {cut}: {rows}")
            print(f"    extrapolated nu=1/2: {float(e.alpha_inf):.4f} +- "
                  f"{float(e.alpha_inf_err):.4f} (chi2 {float(e.chi2):.1f}); nu=1: "
                  f"{float(e.alpha_inf_nu1):.4f} +- {float(e.alpha_inf_err_nu1):.4f}")  # fmt: skip


def reanalysed(ds, seed: int):
    """The stored overlaps analysed again with the current :func:`_rsb_mc.analyse`."""
    cases = []
    for c in ds.case.values:
        d = ds.sel(case=c)
        ns, al = d.N.values[d.N.values > 0], d.alpha.values[np.isfinite(d.alpha.values)]
        m = d.m.values[: ns.size, : al.size]
        th = {k: float(d[f"alpha_c_{k}"]) for k in ("RS", "1RSB")}
        cases.append(
            {
                "P": int(d.P),
                "sizes": ns,
                "alphas": al,
                "m": m,
                "cpu_s": d.cpu_time.values[: ns.size],
                "m_RS": d.m_RS.values[: al.size],
                "theory": {k: v for k, v in th.items() if np.isfinite(v)},
                "analysis": [analyse(ns, al, m, m_cut=x, seed=seed) for x in M_CUTS],
            }
        )
    return dataset(cases, dict(ds.attrs))


def main(argv=None) -> None:
    args = parse_args(argv)
    import xarray as xr

    if args.replot:
        ds = xr.load_dataset(args.data, engine="h5netcdf")
        ds = reanalysed(ds, args.seed)
        ds.to_netcdf(args.data, engine="h5netcdf")
    else:
        t0 = time.perf_counter()
        cases = [run_case(P, args) for P in args.P]
        ds = dataset(cases, metadata(args, time.perf_counter() - t0))
        args.data.parent.mkdir(parents=True, exist_ok=True)
        ds.to_netcdf(args.data, engine="h5netcdf")
    report(ds)
    figure(ds, args.figure, args.m_cut)
    print(f"written: {args.data}, {args.figure}")


if __name__ == "__main__":
    main()
