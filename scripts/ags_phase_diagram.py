"""Replica-symmetric (alpha, T) phase diagram of the P = 2 Hopfield model (Amit, Gutfreund,
Sompolinsky 1985/1987; docs/models.md §4.1), from ``theory``.

Draws and stores:

* T_g(alpha) = 1 + sqrt(alpha): paramagnet -> spin glass;
* T_M(alpha): retrieval states appear (spinodal of the retrieval branch), ending at the
  capacity alpha_c = 0.1379 at T = 0;
* T_c(alpha): retrieval states become the global minimum of the RS free energy, ending at
  alpha ~ 0.051 at T = 0;
* as background, m on the retrieval branch over the (alpha, T) grid (white where only the
  spin-glass or paramagnetic solution exists).

Writes ags_phase_diagram.nc (netCDF4/HDF5) and ags_phase_diagram.png into ``--out``
(default: a fresh folder in the working directory); ``--shipped`` writes the checkout's
data/ags_phase_diagram.nc and docs/figures/ags_phase_diagram.png.

Usage: python scripts/ags_phase_diagram.py [--points 41] [--grid 120] [--replot]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

import theory  # noqa: E402
from hopfield_sim._version import __version__  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
DATA = ROOT / "data"


def compute(points: int, grid: int) -> xr.Dataset:
    alpha_c, m_c = theory.critical_point(2, protocol="hebbian")
    alpha = np.linspace(0.0, alpha_c, points)
    alpha[-1] = alpha_c * (1 - 1e-9)
    T_M = theory.temperature_line(2, alpha, kind="spinodal")
    T_c = theory.temperature_line(2, alpha, kind="thermodynamic")
    # near T = 0 the T_c line is steep (slightly re-entrant): also trace it as alpha(T)
    T_low = np.linspace(0.0, 0.3, 16)
    alpha_c_low = theory.load_line(2, T_low, kind="thermodynamic")
    ag = np.linspace(0.0, 0.16, grid)
    Tg = np.linspace(0.0, 1.45, grid)
    ret = theory.solve(P=2, alpha=ag, T=Tg, branch="retrieval")
    m_ret = ret.m.where(ret.stable & (ret.n > 1e-6))
    ds = xr.Dataset(
        {
            "T_g": ("alpha", theory.T_g(alpha)),
            "T_M": ("alpha", T_M),
            "T_c": ("alpha", np.nan_to_num(T_c, nan=0.0)),
            "alpha_thermodynamic": ("T_low", alpha_c_low),
            "m_retrieval": (("T_grid", "alpha_grid"), m_ret.values),
        },
        coords={"alpha": alpha, "alpha_grid": ag, "T_grid": Tg, "T_low": T_low},
    )
    ds["T_g"].attrs.update(long_name="spin-glass transition T_g = 1 + sqrt(alpha)", units="1")
    ds["T_M"].attrs.update(long_name="retrieval states appear (spinodal) T_M", units="1")
    ds["T_c"].attrs.update(long_name="retrieval states are the global minimum T_c", units="1")
    ds["alpha_thermodynamic"].attrs.update(
        long_name="largest alpha with retrieval the global minimum, at low T", units="1"
    )
    ds["m_retrieval"].attrs.update(long_name="Mattis overlap m on the retrieval branch", units="1")
    ds.attrs.update(
        P=2,
        protocol="hebbian",
        level="RS",
        alpha_c=alpha_c,
        m_c=m_c,
        hopfield_sim_version=__version__,
        source="scripts/ags_phase_diagram.py",
    )
    return ds


def plot(ds: xr.Dataset, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.0, 4.5), constrained_layout=True)
    mesh = ax.pcolormesh(
        ds.alpha_grid, ds.T_grid, ds.m_retrieval, cmap="Blues", vmin=0, vmax=1, shading="auto"
    )
    fig.colorbar(mesh, ax=ax, label="m (retrieval branch)")
    a = ds.alpha.values
    ag = ds.alpha_grid.values
    ax.plot(ag, 1 + np.sqrt(ag), "k-", label=r"$T_g = 1+\sqrt{\alpha}$")
    ax.plot(a, ds.T_M, "C3-", label=r"$T_M$: retrieval appears")
    ok = ds.T_c.values > 0.3
    ax.plot(a[ok], ds.T_c.values[ok], "C1--", label=r"$T_c$: retrieval is global minimum")
    ax.plot(ds.alpha_thermodynamic, ds.T_low, "C1--")
    ax.axvline(ds.attrs["alpha_c"], color="0.5", lw=0.8, ls=":")
    ax.text(ds.attrs["alpha_c"], 0.9, rf" $\alpha_c={ds.attrs['alpha_c']:.4f}$", fontsize=8)
    ax.text(0.085, 0.95, "spin glass", fontsize=9)
    ax.text(0.005, 1.3, "paramagnet", fontsize=9)
    ax.set(xlabel=r"load $\alpha = K/N$", ylabel="temperature T", xlim=(0, 0.16), ylim=(0, 1.45))
    ax.set_title("P = 2 Hopfield model, replica symmetric (AGS)", fontsize=10)
    ax.legend(loc="center right", fontsize=8, framealpha=0.9)
    fig.savefig(path, dpi=130)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=41, help="alpha points on the lines")
    ap.add_argument("--grid", type=int, default=120, help="background grid per axis")
    ap.add_argument("--replot", action="store_true", help="redraw from the stored data only")
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for the data and figures (default: a fresh folder "
                    "<script>-<UTC time> in the working directory)")  # fmt: skip
    ap.add_argument("--shipped", action="store_true",
                    help="write the shipped results (data/, docs/figures/)")  # fmt: skip
    args = ap.parse_args()
    t0 = time.perf_counter()
    data, figures = _out_dirs(args)
    figures.mkdir(parents=True, exist_ok=True)
    if args.replot:
        ds = xr.load_dataset(data / "ags_phase_diagram.nc", engine="h5netcdf")
    else:
        ds = compute(args.points, args.grid)
        data.mkdir(parents=True, exist_ok=True)
        ds.to_netcdf(data / "ags_phase_diagram.nc", engine="h5netcdf")
    plot(ds, figures / "ags_phase_diagram.png")
    print(
        f"alpha_c = {ds.attrs['alpha_c']:.6f}, m_c = {ds.attrs['m_c']:.4f}; "
        f"T_c reaches T = 0 at alpha = {float(ds.alpha_thermodynamic[0]):.4f}"
    )
    print(f"wrote {data / 'ags_phase_diagram.nc'} and {figures / 'ags_phase_diagram.png'}")
    print(f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
