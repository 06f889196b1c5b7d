"""Regimes of the multitasking network (docs/models.md §6; Agliari et al., arXiv 2308.04106).

Reproduces two pictures and writes them (PNG and netCDF) to ``--out`` (default: a fresh
folder in the working directory; ``--shipped``: docs/figures/ and data/ of the checkout):

1. amplitudes m_k versus dilution d at T -> 0 for K = 3: the T = 0 RS solution reached from
   the hierarchical branch (lines), the closed-form cascade (1-d) d^(k-1) (dashed), the
   critical dilution d_c(3), and Monte Carlo points from ``montecarlo.MultitaskingNetwork``
   (skip with ``--no-simulation``);
2. the K = 2 (d, T) diagram: at each point the locally stable RS state of lowest free energy
   among the hierarchical, symmetric, pure and paramagnetic branches, classified as
   paramagnet / single pattern / parallel (equal amplitudes) / hierarchical, with the lines
   T_c = 1 - d, T_2(d) (second signal appears), T_split(d) (symmetric state splits) and
   d_par = 2/3.

Usage: python scripts/multitasking_regimes.py [--no-simulation] [--N 20000] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

import theory.multitasking as mt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
DATA = ROOT / "data"
SEED = 20231108


def amplitudes_theory(K: int, d: np.ndarray) -> xr.Dataset:
    return mt.solve(K, d, T=0.0)


def amplitudes_simulation(K: int, d: np.ndarray, N: int, beta: float) -> xr.Dataset:
    """|m_k| at low temperature from Glauber dynamics started on pattern 1, sorted by size."""
    import montecarlo

    seeds = np.random.SeedSequence(SEED).spawn(2 * d.size)
    m, err = [], []
    for i, x in enumerate(d):
        xi = montecarlo.archetypes(K, N, d=float(x), seed=seeds[2 * i])
        net = montecarlo.MultitaskingNetwork(patterns=xi)
        res = net.sample(beta=beta, sweeps=40, burn_in=40, chains=4, seed=seeds[2 * i + 1])
        a = np.abs(res.m.values)  # (chain, pattern)
        a = -np.sort(-a, axis=1)  # strongest first: the hierarchy's order is the chain's choice
        m.append(a.mean(0))
        err.append(a.std(0, ddof=1) / np.sqrt(a.shape[0]))
    return xr.Dataset(
        {"m_mc": (("d", "rank"), np.array(m)), "m_mc_err": (("d", "rank"), np.array(err))},
        coords={"d": d, "rank": np.arange(K)},
        attrs={"N": N, "beta": beta, "sweeps": 40, "burn_in": 40, "chains": 4, "seed": SEED},
    )


def k2_diagram(d: np.ndarray, T: np.ndarray) -> xr.Dataset:
    """Stable state of lowest free energy on the (d, T) grid, K = 2, rho = 0."""
    branches = ("hierarchical", "symmetric", "pure", "paramagnet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mt.ConvergenceWarning)  # counted below
        sols = [mt.solve(2, d, T=T, branch=b) for b in branches]
    f = np.stack([s.free_energy.values for s in sols])  # (branch, d, T)
    ok = np.stack([(s.stable & s.converged).values for s in sols])
    f = np.where(ok, f, np.inf)
    best = np.argmin(f, axis=0)
    m = np.stack([s.m.values for s in sols])  # (branch, d, T, pattern)
    m = np.take_along_axis(m, best[None, ..., None], axis=0)[0]
    a = -np.sort(-np.abs(m), axis=-1)
    tiny = 1e-6
    phase = np.full(best.shape, 3)  # hierarchical
    phase[np.abs(a[..., 0] - a[..., 1]) < tiny] = 2  # parallel (equal amplitudes)
    phase[a[..., 1] < tiny] = 1  # single pattern
    phase[a[..., 0] < tiny] = 0  # paramagnet
    phase[~np.isfinite(f.min(axis=0))] = -1  # no stable converged branch
    return xr.Dataset(
        {
            "phase": (("d", "T"), phase),
            "m": (("d", "T", "pattern"), m),
            "free_energy": (("d", "T"), f.min(axis=0)),
        },
        coords={"d": d, "T": T, "pattern": [0, 1]},
        attrs={
            "phase_codes": "-1 none stable, 0 paramagnet, 1 single pattern, 2 parallel "
            "(m1 = m2), 3 hierarchical (m1 > m2 > 0)",
            "branches": ", ".join(branches),
            "K": 2,
            "rho": 0.0,
        },
    )


def plot_amplitudes(K, th: xr.Dataset, mc: xr.Dataset | None, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.2, 3.6), dpi=110)
    d = th.d.values
    dc = mt.critical_dilution(K)
    colors = ["C0", "C1", "C2", "C3"]
    for k in range(K):
        ax.plot(d, th.m.values[:, k], color=colors[k], label=f"$m_{k + 1}$ (RS, T=0)")
        inside = d < dc
        ax.plot(d[inside], (1 - d[inside]) * d[inside] ** k, "--", color=colors[k], lw=0.9)
        if mc is not None:
            ax.errorbar(
                mc.d,
                mc.m_mc.values[:, k],
                yerr=mc.m_mc_err.values[:, k],
                fmt="o",
                ms=3.5,
                color=colors[k],
                mfc="white",
            )
    ax.axvline(dc, color="gray", lw=0.8, ls=":")
    ax.text(dc + 0.01, 0.9, f"$d_c({K})$", color="gray")
    ax.set(xlabel="dilution d", ylabel="amplitude $m_k$", xlim=(0, 1), ylim=(0, 1))
    title = f"K={K}, T→0: lines RS theory, dashed cascade $(1-d)d^{{k-1}}$"
    if mc is not None:
        title += f"\npoints: Monte Carlo N={mc.attrs['N']}, β={mc.attrs['beta']:g}"
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_diagram(ds: xr.Dataset, lines: dict, path: Path) -> None:
    from matplotlib.colors import ListedColormap

    fig, ax = plt.subplots(figsize=(5.2, 3.8), dpi=110)
    cmap = ListedColormap(["#eeeeee", "#fde0c5", "#c6dbef", "#c7e9c0"])
    ax.pcolormesh(
        ds.d, ds["T"], ds.phase.T.clip(0), cmap=cmap, vmin=-0.5, vmax=3.5, shading="nearest"
    )
    ax.plot(lines["d"], lines["Tc"], "k-", lw=1.2, label="$T_c = 1-d$")
    ax.plot(lines["d_low"], lines["T2"], "C3-", lw=1.2, label="$T_2$: second signal appears")
    ax.plot(lines["d_high"], lines["Ts"], "C0-", lw=1.2, label="$T_{split}$: symmetric splits")
    ax.axvline(2 / 3, color="gray", lw=0.8, ls=":")
    for x, y, s in [
        (0.12, 0.85, "paramagnet"),
        (0.3, 0.5, "single pattern"),
        (0.28, 0.08, "hierarchical"),
        (0.7, 0.22, "parallel"),
    ]:
        ax.text(x, y, s, fontsize=8)
    ax.set(xlabel="dilution d", ylabel="temperature T", xlim=(0, 1), ylim=(0, 1))
    ax.set_title("K = 2, ρ = 0: stable RS state of lowest free energy", fontsize=8)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _out_dirs(args) -> tuple[Path, Path]:
    """(data folder, figure folder): ``--out`` (default a fresh folder
    ``<script>-<UTC time>`` in the working directory), or ``--shipped``: the checkout's
    ``data/`` and ``docs/figures/``."""
    if args.shipped:
        return DATA, FIGURES
    if args.out is None:
        from _sweep_script import fresh_folder

        args.out = fresh_folder(Path(__file__).stem)
    return args.out, args.out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--no-simulation", action="store_true", help="theory only")
    p.add_argument("--N", type=int, default=20_000, help="neurons in the simulation")
    p.add_argument("--quick", action="store_true", help="coarse grids (a smoke run)")
    p.add_argument("--out", type=Path, default=None,
                    help="folder for the data and figures (default: a fresh folder "
                    "<script>-<UTC time> in the working directory)")  # fmt: skip
    p.add_argument("--shipped", action="store_true",
                    help="write the shipped results (data/, docs/figures/)")  # fmt: skip
    args = p.parse_args(argv)
    DATA_OUT, FIGURES_OUT = _out_dirs(args)
    FIGURES_OUT.mkdir(parents=True, exist_ok=True)
    DATA_OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    K = 3
    d = np.linspace(0.0, 0.95, 20 if args.quick else 96)
    th = amplitudes_theory(K, d)
    mc = None
    if not args.no_simulation:
        d_mc = np.array([0.1, 0.3, 0.5, 0.7, 0.9] if args.quick else np.arange(0.05, 0.95, 0.1))
        mc = amplitudes_simulation(K, d_mc, args.N, beta=50.0)
    amps = th[["m", "free_energy", "stable", "converged"]]
    if mc is not None:
        amps = xr.merge([amps, mc.rename(d="d_mc")], combine_attrs="drop_conflicts")
    amps.to_netcdf(DATA_OUT / "multitasking_amplitudes.nc", engine="h5netcdf")
    plot_amplitudes(K, th, mc, FIGURES_OUT / "multitasking_amplitudes.png")
    print(f"amplitudes: {time.perf_counter() - t0:.1f} s")

    nd, nT = (24, 24) if args.quick else (64, 64)
    grid_d = np.linspace(0.0, 0.98, nd)
    grid_T = np.linspace(0.005, 1.0, nT)
    diag = k2_diagram(grid_d, grid_T)
    d_low = np.linspace(0.02, 2 / 3 - 1e-3, 12 if args.quick else 40)
    d_high = np.linspace(2 / 3 + 2e-3, 0.98, 8 if args.quick else 30)
    lines = {
        "d": grid_d, "Tc": mt.critical_temperature(grid_d),
        "d_low": d_low, "T2": mt.second_signal_temperature(d_low),
        "d_high": d_high, "Ts": mt.split_temperature(d_high),
    }  # fmt: skip
    diag["T2"] = ("d_low", lines["T2"])
    diag["T_split"] = ("d_high", lines["Ts"])
    diag = diag.assign_coords(d_low=d_low, d_high=d_high)
    diag.to_netcdf(DATA_OUT / "multitasking_k2_diagram.nc", engine="h5netcdf")
    plot_diagram(diag, lines, FIGURES_OUT / "multitasking_k2_diagram.png")
    counts = {c: int((diag.phase == c).sum()) for c in (-1, 0, 1, 2, 3)}
    print(f"diagram: {time.perf_counter() - t0:.1f} s; phase counts {counts}")


if __name__ == "__main__":
    main()
