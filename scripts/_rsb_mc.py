"""Monte Carlo retrieval-stability runs and their finite-size analysis for
``scripts/rsb_mc_evidence.py`` (issue 28): measuring, fitting, the NetCDF dataset.

Every sample is :func:`hopfield_sim.finite_size.retrieval_overlap` (fresh patterns from the
package's ``montecarlo.archetypes``, one ``DenseHebbianNetwork`` chain started in pattern 1,
Glauber dynamics at temperature T); its seed derives from the root seed, P, N, the load and
the sample number, so results do not depend on the order or the number of workers.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

#: retrieval criteria analysed (a sample retrieves when its mean overlap is >= the cut)
M_CUTS = (0.6, 0.75, 0.9)


def case_seed(seed: int, P: int) -> int:
    """Root seed of one P (independent patterns for P = 3 and P = 4 at equal N, alpha)."""
    return int(np.random.SeedSequence([int(seed), int(P)]).generate_state(1)[0])


def one_sample(task: tuple) -> tuple[float, float]:
    """``(overlap, cpu seconds)`` of one disorder sample (runs in a worker process)."""
    from hopfield_sim.finite_size import retrieval_overlap

    P, N, alpha, k, T, sweeps, burn_in, seed = task
    c0 = time.process_time()
    m = retrieval_overlap(int(N), float(alpha), fixed=float(T), P=int(P), sweeps=int(sweeps),
                          burn_in=int(burn_in), seed=case_seed(seed, P), sample=int(k))  # fmt: skip
    return m, time.process_time() - c0


def measure(P, sizes, alphas, samples, *, T, sweeps, burn_in, seed, workers=1):
    """Overlaps ``m[size, load, sample]`` and CPU seconds per size for one P.

    The largest (slowest) tasks are submitted first, for load balance across ``workers``.
    """
    tasks = [(P, N, a, k, T, sweeps, burn_in, seed)
             for N in sizes for a in alphas for k in range(samples)]  # fmt: skip
    order = sorted(range(len(tasks)), key=lambda i: -tasks[i][2] * tasks[i][1] ** P)
    if workers > 1:
        with ProcessPoolExecutor(int(workers), mp_context=get_context("spawn")) as pool:
            done = list(pool.map(one_sample, [tasks[i] for i in order]))
    else:
        done = [one_sample(tasks[i]) for i in order]
    out = np.empty((len(tasks), 2))
    out[order] = np.array(done)
    shape = (len(sizes), len(alphas), samples)
    return out[:, 0].reshape(shape), out[:, 1].reshape(shape).sum(axis=(1, 2))


def analyse(sizes, alphas, m, *, m_cut, bootstrap=200, seed=0) -> dict:
    """Step fit of the retrieval outcome ``m >= m_cut`` at every size, then
    ``alpha_c(N) = alpha_inf + a N^(-1/2)`` (and ``N^(-1)``, a systematic check).

    Returns a dict of arrays per size (``alpha_c``, ``alpha_c_err``, ``width``,
    ``n_failed``, ``fraction`` per load) and the two extrapolations (NaN where fewer than
    two sizes give a transition inside the sampled loads; sizes where more than half of
    the bootstrap refits fail to bracket it are left out of the extrapolations).
    """
    from hopfield_sim.finite_size import extrapolate, fit_step

    alphas = np.asarray(alphas, dtype=float)
    n = len(sizes)
    res = {k: np.full(n, np.nan) for k in ("alpha_c", "alpha_c_err", "width")}
    res["n_failed"] = np.zeros(n, dtype=int)
    res["fraction"] = (np.asarray(m) >= m_cut).mean(axis=-1)
    reps = []
    for i in range(n):
        y = (np.asarray(m[i]) >= m_cut).astype(float).ravel()
        x = np.repeat(alphas, m.shape[-1])
        try:
            f = fit_step(x, y, bootstrap=bootstrap, seed=seed)
        except ValueError:  # every sample retrieves (or none does): no transition inside
            reps.append(None)
            continue
        res["alpha_c"][i], res["alpha_c_err"][i], res["width"][i] = f.x_c, f.x_c_err, f.width
        res["n_failed"][i] = f.n_failed
        reps.append(f.replicates)
    # a size where most refits fail to bracket the transition has no located alpha_c(N)
    ok = (np.isfinite(res["alpha_c"]) & np.isfinite(res["alpha_c_err"])
          & (res["n_failed"] <= bootstrap / 2))  # fmt: skip
    for nu, key in ((0.5, "fit"), (1.0, "fit_nu1")):
        res[key] = {"x_inf": np.nan, "x_inf_err": np.nan, "a": np.nan, "chi2": np.nan}
        if np.unique(np.asarray(sizes)[ok]).size >= 2:
            res[key] = extrapolate(np.asarray(sizes, float)[ok], res["alpha_c"][ok],
                                   res["alpha_c_err"][ok], nu=nu, seed=seed,
                                   replicates=[r for r, g in zip(reps, ok) if g])  # fmt: skip
    return res


def theory_curves(P: int, T: float, alphas, levels: dict) -> tuple[dict, np.ndarray]:
    """RS capacity (``theory.critical_load``) and RS retrieval overlap at ``alphas``
    (NaN beyond the spinodal); ``levels`` adds fixed values (e.g. the 1RSB capacity)."""
    import theory

    out = {"RS": float(theory.critical_load(P, protocol="hebbian", T=T)), **levels}
    ds = theory.solve(P=P, T=T, alpha=np.asarray(alphas, dtype=float))
    m = np.where(np.asarray(ds.converged) & (np.asarray(alphas) <= out["RS"]),
                 np.asarray(ds.m, dtype=float), np.nan)  # fmt: skip
    return out, m


def dataset(cases: list[dict], meta: dict):
    """One xarray Dataset with CF-style attributes from the per-P results of the script.

    Dimensions: ``case`` (one per P), ``size``, ``load``, ``sample`` and ``m_cut``; sizes and
    loads differ per P, so ``N`` and ``alpha`` are 2-d coordinates.
    """
    import xarray as xr

    n_size = max(len(c["sizes"]) for c in cases)
    n_load = max(len(c["alphas"]) for c in cases)
    n_samp = max(c["m"].shape[-1] for c in cases)

    def pad(a, shape, fill=np.nan):
        out = np.full(shape, fill, dtype=float)
        out[tuple(slice(0, s) for s in np.shape(a))] = a
        return out

    C, K = len(cases), len(M_CUTS)
    v = {
        "m": (("case", "size", "load", "sample"),
              np.stack([pad(c["m"], (n_size, n_load, n_samp)) for c in cases]),
              {"long_name": "overlap with the initial pattern, mean over recorded sweeps",
               "units": "1"}),
        "cpu_time": (("case", "size"), np.stack([pad(c["cpu_s"], (n_size,)) for c in cases]),
                     {"long_name": "CPU time of all samples at this size", "units": "s"}),
        "m_RS": (("case", "load"), np.stack([pad(c["m_RS"], (n_load,)) for c in cases]),
                 {"long_name": "RS retrieval overlap (theory.solve; NaN beyond the spinodal)",
                  "units": "1"}),
        "alpha_c_RS": (("case",), [c["theory"].get("RS", np.nan) for c in cases],
                       {"long_name": "RS retrieval spinodal (theory.critical_load)",
                        "units": "1"}),
        "alpha_c_1RSB": (("case",), [c["theory"].get("1RSB", np.nan) for c in cases],
                         {"long_name": "1RSB retrieval capacity (docs/rsb.md)", "units": "1"}),
    }  # fmt: skip
    per_size = {
        "alpha_c": "transition load alpha_c(N), smooth-step fit",
        "alpha_c_err": "bootstrap error of alpha_c(N) (robust spread)",
        "width": "width of the fitted step",
        "n_failed": "bootstrap refits dropped (step outside the sampled loads)",
    }
    for key, text in per_size.items():
        arr = np.full((C, K, n_size), np.nan)
        for i, c in enumerate(cases):
            for j, a in enumerate(c["analysis"]):
                arr[i, j, : len(c["sizes"])] = a[key]
        v[key] = (("case", "m_cut", "size"), arr, {"long_name": text, "units": "1"})
    frac = np.full((C, K, n_size, n_load), np.nan)
    for i, c in enumerate(cases):
        for j, a in enumerate(c["analysis"]):
            frac[i, j, : len(c["sizes"]), : len(c["alphas"])] = a["fraction"]
    v["retrieval_fraction"] = (("case", "m_cut", "size", "load"), frac,
                               {"long_name": "fraction of samples with m >= m_cut",
                                "units": "1"})  # fmt: skip
    for fit, law in (("fit", "N^(-1/2)"), ("fit_nu1", "N^(-1)")):
        sfx = "" if fit == "fit" else "_nu1"
        for key, text in (("x_inf", "extrapolated capacity"), ("x_inf_err", "its error"),
                          ("chi2", "chi-square of the extrapolation"),
                          ("a", "amplitude a of the finite-size correction")):  # fmt: skip
            arr = np.array([[a[fit][key] for a in c["analysis"]] for c in cases], float)
            name = {
                "x_inf": "alpha_inf",
                "x_inf_err": "alpha_inf_err",
                "chi2": "chi2",
                "a": "correction_a",
            }[key]
            v[name + sfx] = (("case", "m_cut"), arr,
                             {"long_name": f"{text}, alpha_c(N) = alpha_inf + a {law}",
                              "units": "1"})  # fmt: skip
    coords = {
        "case": [f"P={c['P']}" for c in cases],
        "P": (("case",), [c["P"] for c in cases], {"long_name": "interaction order"}),
        "N": (("case", "size"), np.stack([pad(c["sizes"], (n_size,), -1) for c in cases])
              .astype(int), {"long_name": "neurons (-1: padding)", "units": "1"}),
        "alpha": (("case", "load"), np.stack([pad(c["alphas"], (n_load,)) for c in cases]),
                  {"long_name": "load, K = alpha N^(P-1) patterns", "units": "1"}),
        "m_cut": (("m_cut",), list(M_CUTS), {"long_name": "retrieval criterion m >= m_cut"}),
        "sample": np.arange(n_samp),
    }  # fmt: skip
    return xr.Dataset(v, coords=coords, attrs=meta)
