"""Log-sum-exp memory with M = e^{alpha N} patterns (beta_net = 1, spherical patterns): the
(alpha, T) phase diagram of theory.lse with Monte Carlo points (heating protocol), the
T = 0 capacity alpha_c(beta_net) of every pattern law, and the layer's measured T = 0
capacity with its finite-size extrapolation (docs/exponential.md).

Writes <out>/data/exponential_phase_diagram.nc and
<out>/docs/figures/exponential_phase_diagram.png; ~8 minutes on 2 cores (``--quick``: ~1).

    python scripts/exponential_phase_diagram.py --out .
"""

from __future__ import annotations

import argparse
import pathlib
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

import theory  # noqa: E402
from hopfield_sim.exponential import layer_capacity  # noqa: E402
from montecarlo.lse import sample_lse  # noqa: E402
from theory.lse import rem, thermal  # noqa: E402

B = 1.0


def theory_part() -> xr.Dataset:
    T = np.linspace(0.0, 0.6, 241)
    alpha = np.linspace(0.0, 0.7, 281)
    ds = theory.solve("lse", T=T, alpha=alpha, beta_net=B)
    keep = ds[["phase", "m", "free_energy", "f_retrieval", "f_nonretrieval", "f_basins"]]
    lines = xr.Dataset(coords={"T_line": ("T_line", T, {"long_name": "temperature T",
                                                         "units": "1"})})
    for name, law, crit in [("alpha_spinodal", "spherical", "spinodal"),
                            ("alpha_equal_depth", "spherical", "equal_depth"),
                            ("alpha_gaussian_pps26", "gaussian", "equal_depth")]:
        lines[name] = ("T_line", thermal.critical_alpha(B, T, law, crit),
                       {"long_name": f"{crit} load, {law} alignment law", "units": "1"})
    b = np.linspace(0.05, 4.0, 80)
    caps = xr.Dataset(coords={"beta_net": ("beta_net", b, {"long_name": "kernel sharpness",
                                                            "units": "1"})})
    for law in rem.LAWS:
        caps[f"alpha_c_{law}"] = ("beta_net", rem.capacity(b, 1.0, law),
                                  {"long_name": f"T = 0 capacity, {law} patterns",
                                   "units": "1"})
    caps["alpha_c_ramsauer"] = ("beta_net", rem.ramsauer_capacity(b),
                                {"long_name": "Ramsauer et al. bound", "units": "1"})
    return xr.merge([keep, lines, caps])


def mc_part(N: int, alphas, Ts, chains: int, sweeps: int) -> xr.Dataset:
    phi = np.empty((len(alphas), len(Ts)))
    err = np.empty_like(phi)
    for i, a in enumerate(alphas):  # heating: from the pattern, T ascending
        ds = sample_lse(N, T=Ts, alpha=a, beta_net=B, samples=chains // 2, replicas=2,
                        burn=sweeps, sweeps=sweeps, init="pattern", seed=11)
        v = ds.phi.values.reshape(len(Ts), -1)
        phi[i], err[i] = v.mean(1), v.std(1, ddof=1) / np.sqrt(v.shape[1])
    dims = ("alpha_mc", "T_mc")
    return xr.Dataset(
        {"phi_mc": (dims, phi, {"long_name": f"MC target alignment, N = {N}, heating",
                                "units": "1"}),
         "phi_mc_err": (dims, err, {"long_name": "standard error over chains", "units": "1"})},
        coords={"alpha_mc": ("alpha_mc", np.asarray(alphas), {"units": "1"}),
                "T_mc": ("T_mc", np.asarray(Ts), {"units": "1"})},
        attrs={"N_mc": N, "chains": chains, "sweeps": sweeps})


def layer_part(Ns, samples: int) -> tuple[xr.Dataset, dict]:
    r = layer_capacity(Ns, beta_net=B, samples=samples, points=9, width=0.1)
    rows = r["sizes"]
    ds = xr.Dataset(
        {"alpha_layer": ("N_layer", [x["alpha_c"] for x in rows],
                         {"long_name": "layer T = 0 capacity (target weight > 1/2 in half "
                                       "the pattern sets), one update step", "units": "1"}),
         "alpha_layer_err": ("N_layer", [x["alpha_c_err"] for x in rows], {"units": "1"}),
         "alpha_finite_N": ("N_layer", [x["theory"] for x in rows],
                            {"long_name": "finite-N theory (lognormal median)", "units": "1"})},
        coords={"N_layer": ("N_layer", np.asarray(Ns), {"units": "1"})})
    m = r["measured"]
    ds.attrs.update(alpha_layer_inf=m["x_inf"], alpha_layer_inf_err=m["x_inf_err"],
                    alpha_layer_slope=m["a"], alpha_inf_theory=r["alpha_inf"])
    return ds, m


def figure(ds: xr.Dataset, path: pathlib.Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(15, 5.6))
    ax = axes[0]
    cmap = ListedColormap(["#f4cccc", "#cfe2f3", "#fff2cc", "#d9ead3"])
    ax.pcolormesh(ds["alpha"], ds["T"], ds["phase"].transpose("T", "alpha").values,
                  cmap=cmap, vmin=-0.5, vmax=3.5, shading="auto")
    ax.plot(ds.alpha_spinodal, ds.T_line, "k-", label="spinodal (retrieval basin ends)")
    ax.plot(ds.alpha_equal_depth, ds.T_line, "r:", label="equal depth $f_{ret}=f_{nr}$")
    ax.plot(ds.alpha_gaussian_pps26, ds.T_line, "-.", color="grey",
            label="Gaussian approx. (PPS26)")
    A, TT = np.meshgrid(ds.alpha_mc, ds.T_mc, indexing="ij")
    sc = ax.scatter(A, TT, c=ds.phi_mc, cmap="viridis", vmin=0, vmax=1, edgecolor="k",
                    s=28, zorder=3, label=f"MC $\\langle\\phi\\rangle$, N = {ds.attrs['N_mc']}")
    fig.colorbar(sc, ax=ax, label=r"MC target alignment $\langle\phi\rangle$")
    ax.errorbar([ds.attrs["alpha_layer_inf"]], [0.0], xerr=[ds.attrs["alpha_layer_inf_err"]],
                fmt="D", color="m", ms=7, zorder=4, clip_on=False,
                label="layer T = 0 capacity, N→∞")
    ax.set(xlabel=r"load $\alpha=\ln M/N$", ylabel="temperature T", xlim=(0, 0.7),
           ylim=(0, 0.6), title=r"$\beta_{net}=1$, spherical patterns")
    patches = [Patch(color=c, label=thermal.PHASES[k]) for k, c in enumerate(cmap.colors)]
    handles = ax.get_legend_handles_labels()[0] + patches
    ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=2)
    ax = axes[1]
    for law, style in [("spherical", "k-"), ("gaussian", "b--"), ("binary", "g-.")]:
        ax.plot(ds.beta_net, ds[f"alpha_c_{law}"], style, label=f"{law} patterns")
    ax.plot(ds.beta_net, ds.alpha_c_ramsauer, ":", color="grey", label="Ramsauer et al. bound")
    ax.errorbar([B], [ds.attrs["alpha_layer_inf"]], yerr=[ds.attrs["alpha_layer_inf_err"]],
                fmt="D", color="m", label="layer (spherical), N→∞")
    ax.set(xlabel=r"kernel sharpness $\beta_{net}$", ylabel=r"$\alpha_c$ at T = 0",
           title="T = 0 capacity")
    ax.legend(fontsize=7)
    ax = axes[2]
    N = ds.N_layer.values
    ax.errorbar(1 / N, ds.alpha_layer, yerr=ds.alpha_layer_err, fmt="o", color="m",
                label="layers.retrieve, one step")
    ax.plot(1 / N, ds.alpha_finite_N, "ks--", mfc="none", label="finite-N theory")
    x = np.linspace(0, 1 / N.min(), 50)
    ax.plot(x, ds.attrs["alpha_layer_inf"] + ds.attrs["alpha_layer_slope"] * x, "m:",
            label=r"fit $\alpha_\infty + a/N$")
    ax.axhline(ds.attrs["alpha_inf_theory"], color="k", lw=0.8,
               label=rf"$\beta-g_{{max}}(\beta)$ = {ds.attrs['alpha_inf_theory']:.4f}")
    ax.set(xlabel="1/N", ylabel=r"$\alpha_c(N)$", title="layer capacity, finite-size scaling")
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path(__file__).parents[1])
    p.add_argument("--quick", action="store_true", help="small N and few chains (~1 min)")
    args = p.parse_args()
    t0 = time.time()
    th = theory_part()
    if args.quick:
        mc = mc_part(12, [0.2, 0.4, 0.6], [0.05, 0.2, 0.4], chains=4, sweeps=40)
        layer, _ = layer_part([8, 10, 12], samples=8)
    else:
        mc = mc_part(20, [0.2, 0.3, 0.4, 0.5, 0.6], np.arange(0.05, 0.5, 0.05), chains=8,
                     sweeps=100)
        layer, _ = layer_part([8, 10, 12, 14, 16, 18], samples=24)
    ds = xr.merge([th, mc, layer])
    ds.attrs.update(th.attrs | mc.attrs | layer.attrs, beta_net=B, patterns="spherical",
                    script="scripts/exponential_phase_diagram.py",
                    quick=int(args.quick), seconds=round(time.time() - t0, 1))
    (args.out / "data").mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(args.out / "data" / "exponential_phase_diagram.nc", engine="h5netcdf",
                 encoding={v: {"compression": "gzip"} for v in ds.data_vars})
    figure(ds, args.out / "docs" / "figures" / "exponential_phase_diagram.png")
    print(f"layer alpha_c(N -> inf) = {ds.attrs['alpha_layer_inf']:.4f} "
          f"+- {ds.attrs['alpha_layer_inf_err']:.4f}; theory {ds.attrs['alpha_inf_theory']:.4f};"
          f" {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
