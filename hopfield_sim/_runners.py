"""The only place where sweeps call :mod:`theory` and :mod:`montecarlo`.

``theory_grid(spec, grid)`` solves the replica theory over the whole grid at once and
``montecarlo_point(spec, params, seed)`` simulates one grid point; ``transition_lines``
feeds the phase-diagram plot. Everything else in :mod:`hopfield_sim` sees only their
plain outputs (dicts of arrays), which is also what the tests' fake runners return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from _hopfield_base.vocabulary import LINE_PROTOCOLS

if TYPE_CHECKING:
    import xarray as xr

#: theory output variables copied into the sweep (as ``<name>_theory``)
THEORY_VARIABLES = ("m", "n", "q", "free_energy", "converged", "stable", "q0", "q1", "theta")
#: parameters :func:`theory.solve` takes (others, such as N, only matter to Monte Carlo)
_THEORY_PARAMS = ("alpha", "beta", "T", "rho", "r", "M")


def is_sweep_variable(ds: xr.Dataset, name: str) -> bool:
    """Whether theory result ``ds`` has a variable ``name`` that sweeps store: one of
    :data:`THEORY_VARIABLES` that the solver computed (not a ``computed = 0`` placeholder)."""
    return name in THEORY_VARIABLES and name in ds and ds[name].attrs.get("computed", 1) != 0


def theory_grid(spec, grid) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """Solve the theory at every grid point.

    Returns
    -------
    dict
        name -> (extra dims, array of shape ``grid.shape + extra``).
    """
    import xarray as xr

    if spec.points is None and "P" in spec.axes:
        return _theory_over_P(spec, grid)
    if spec.points is not None:
        # explicit points are not an outer product: solve them one by one
        per_point = [_solve(spec, grid.params(i)) for i in range(grid.size)]
        out = {}
        for name in per_point[0].data_vars:
            if not is_sweep_variable(per_point[0], name):
                continue
            vals = np.stack([np.asarray(p[name].values) for p in per_point])
            extra = tuple(per_point[0][name].dims)
            out[name] = (extra, vals.reshape(grid.shape + vals.shape[1:]))
        return out
    params: dict[str, Any] = dict(spec.fixed)
    params.update({k: np.asarray(v, dtype=float) for k, v in spec.axes.items()})
    ds = _solve(spec, params)
    template = xr.DataArray(np.zeros(grid.shape), dims=grid.dims)
    out = {}
    for name in ds.data_vars:
        if not is_sweep_variable(ds, name):
            continue
        da = xr.DataArray(np.asarray(ds[name].values), dims=ds[name].dims)
        unknown = [d for d in da.dims if d not in grid.dims and d != "pattern"]
        if unknown:
            raise RuntimeError(f"theory returned unexpected dims {unknown} for {name!r}")
        da, _ = xr.broadcast(da, template)
        extra = tuple(d for d in da.dims if d not in grid.dims)
        out[name] = (extra, np.asarray(da.transpose(*grid.dims, *extra).values))
    return out


def _theory_over_P(spec, grid) -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """A ``P`` axis: one vectorised solve per interaction order, stacked on that axis."""
    from hopfield_sim._grid import Grid
    from hopfield_sim.spec import spec_from_dict

    where = grid.dims.index("P")
    parts = []
    for P in spec.axes["P"]:
        plain = spec.to_dict()
        axes = {k: v for k, v in plain["axes"].items() if k != "P"}
        if not axes:  # P was the only axis: a fixed parameter becomes a one-value axis
            key = next(iter(plain["fixed"]))
            axes = {key: [plain["fixed"].pop(key)]}
        plain["axes"] = axes
        plain["model"]["P"] = int(P)
        sub = spec_from_dict(plain)
        parts.append(theory_grid(sub, Grid(sub)))
    out = {}
    for name in parts[0]:
        extra = parts[0][name][0]
        rest = tuple(s for i, s in enumerate(grid.shape) if i != where)
        arrays = []
        for part in parts:
            arr = np.asarray(part[name][1])
            arrays.append(arr.reshape(rest + arr.shape[arr.ndim - len(extra) :]))
        out[name] = (extra, np.stack(arrays, axis=where))
    return out


def _solve(spec, params: dict[str, Any]):
    import theory
    import theory.multitasking  # noqa: F401  (submodule, not imported by theory)

    temp = {"T": params["T"]} if "T" in params else {"beta": params["beta"]}
    data: dict[str, Any] = {}
    if "rho" in params:
        data["rho"] = params["rho"]
    elif "r" in params:
        data.update(r=params["r"], M=params["M"])
    opts = spec.theory
    if spec.multitasking:
        K = params.get("K", spec.montecarlo.K if spec.montecarlo is not None else None)
        K = np.asarray(K)
        if K.ndim:
            raise ValueError("a K axis is not supported by the multitasking theory; fix K.")
        if "r" in data:
            r, M = np.asarray(data.pop("r")), np.asarray(data.pop("M"))
            data["rho"] = (1 - r**2) / (M * r**2)
        return theory.multitasking.solve(int(K), params["d"], **temp, **data)
    return theory.solve(
        spec.protocol,
        P=int(params.get("P", spec.P)),
        alpha=params.get("alpha", 0.0),
        level=opts.level,
        branch=opts.branch,
        finite_M=opts.finite_M,
        **temp,
        **data,
    )


def montecarlo_point(spec: dict, params: dict[str, float], seed: int) -> dict[str, Any]:
    """Simulate one grid point: ``samples`` disorder samples x ``chains`` chains.

    Seeds: ``SeedSequence(seed)`` spawns one child per disorder sample, which spawns the
    archetype, example and chain seeds. ``m`` is the overlap with archetype 1 (the initial
    condition) for ``init="archetype"`` and the largest ``|m_mu|`` for ``init="random"``;
    multitasking keeps all K overlaps, as ``|m|`` sorted from largest (dim ``pattern`` =
    rank in the hierarchy, as in the theory).

    Error bar of a mean over n = samples x chains estimates v_i with thermal errors e_i:
    ``sqrt(max(var(v), mean(e**2)) / n)`` (sample variance when n >= 2; it includes the
    disorder and thermal spread, and is never below the thermal error alone).
    """
    model, mc = spec["model"], spec["montecarlo"]
    P, N, K = _point_size(model, mc, params)
    init = mc.get("init", "archetype")
    multitasking = bool(model.get("multitasking", False))
    per_sample = bool(mc.get("per_sample", True)) and not multitasking
    values: dict[str, list] = {}
    for child in np.random.SeedSequence(int(seed)).spawn(int(mc.get("samples", 1))):
        s_xi, s_eta, s_run = child.spawn(3)
        net = _network(model, params, P, N, K, s_xi, s_eta)
        res = _simulate(net, mc, params, s_run)
        _collect(res, values, init, multitasking)
        if per_sample:
            _per_sample(res, init, values)
    out: dict[str, Any] = {"K_mc": np.int64(K), "N_mc": np.int64(N)}
    for name in ("m", "n", "energy", "q"):
        if name in values:
            mean, err = _combine(
                np.concatenate(values[name]), np.concatenate(values[f"{name}_err"])
            )
            out[f"{name}_mc"], out[f"{name}_mc_err"] = mean, err
    if "reliable" in values:
        out["reliable_mc"] = np.bool_(np.concatenate(values["reliable"]).all())
    if per_sample:
        out.update(_sample_outputs(values))
    return out


def _point_size(model: dict, mc: dict, params: dict[str, float]) -> tuple[int, int, int]:
    """``(P, N, K)`` of one point; in high storage ``K = max(1, round(alpha N^(P-1)))``."""
    P = int(params.get("P", model.get("P", 2)))
    N = int(params.get("N", mc.get("N", 0)))
    if N < P:
        raise ValueError(f"N must be >= P={P}; got N={N}.")
    alpha = params.get("alpha", 0.0)
    if alpha > 0:
        return P, N, max(1, int(round(alpha * N ** (P - 1))))
    return P, N, int(params.get("K", mc.get("K", 1)))


def _network(model: dict, params: dict[str, float], P: int, N: int, K: int, s_xi, s_eta):
    """One disorder sample's network: fresh archetypes (and examples) from the seeds."""
    import montecarlo

    protocol = model["protocol"]
    xi = montecarlo.archetypes(K, N, d=float(params.get("d", 0.0)), seed=s_xi)
    kw: dict[str, Any] = {"patterns": xi, "protocol": protocol}
    if protocol != "hebbian":
        kw["examples"] = montecarlo.examples(xi, int(params["M"]), params["r"], seed=s_eta)
        kw["r"] = params["r"]
    if model.get("multitasking", False):
        return montecarlo.MultitaskingNetwork(**kw)
    return montecarlo.DenseHebbianNetwork(P, **kw)


def _simulate(net, mc: dict, params: dict[str, float], seed) -> xr.Dataset:
    """``net.sample`` with the point's options; with tempering, the lowest rung."""
    temp = {"T": params["T"]} if "T" in params else {"beta": params["beta"]}
    res = net.sample(
        **_ladder(temp, mc.get("tempering")),
        tempering=mc.get("tempering") is not None,
        sweeps=int(mc.get("sweeps", 200)),
        burn_in=int(mc.get("burn_in", 50)),
        chains=int(mc.get("chains", 1)),
        init=mc.get("init", "archetype"),
        dynamics=mc.get("dynamics", "glauber"),
        seed=seed,
        engine=mc.get("engine", "numba"),
        thin=int(mc.get("thin", 1)),
    )
    if "beta" in res.dims:  # tempering: the lowest rung is the point's temperature
        res = res.isel(beta=0)
    return res


def _collect(res, values: dict, init: str, multitasking: bool) -> None:
    """Append one disorder sample's chain averages and errors to ``values``."""
    for name in ("m", "n"):
        if name in res:
            v, e = _order_parameter(res, name, init, multitasking)
            values.setdefault(name, []).append(v)
            values.setdefault(f"{name}_err", []).append(e)
    for name in ("energy", "q"):
        if name in res:
            values.setdefault(name, []).append(np.asarray(res[name].values))
            values.setdefault(f"{name}_err", []).append(np.asarray(res[f"{name}_err"].values))
    if "reliable" in res:
        values.setdefault("reliable", []).append(np.asarray(res["reliable"].values))


def _ladder(temp: dict, tempering: dict | None) -> dict:
    """``{"T": ...}`` of one point, or a geometric ladder from it to ``T_max``."""
    if tempering is None:
        return temp
    T = float(temp["T"]) if "T" in temp else 1.0 / float(temp["beta"])
    rungs = int(tempering.get("rungs", 8))
    return {"T": T * (float(tempering["T_max"]) / T) ** (np.arange(rungs) / (rungs - 1))}


#: bins of the stored P(m) and P(q) histograms: HIST_BINS equal bins on [-1, 1]
HIST_BINS = 50


def _per_sample(res, init: str, values: dict) -> None:
    """One disorder sample's chains: overlap, energy, two-chain overlaps, histograms of
    the recorded overlap and q, and the fluctuation observables of the compared overlap."""
    name = "m" if "m" in res else "n"
    v, _ = _order_parameter(res, name, init, False)
    values.setdefault(f"{name}_sample", []).append(v)
    values.setdefault("energy_sample", []).append(np.asarray(res["energy"].values))
    if "q" in res:
        values.setdefault("q_sample", []).append(np.asarray(res["q"].values))
    trace = np.asarray(res[f"{name}_trace"].values)  # (chain, sweep, pattern)
    rows = np.arange(trace.shape[0])
    which = _compared_pattern(res, name, init)
    series = trace[rows, :, which]  # (chain, sweep)
    if init != "archetype":  # the retrieved pattern's sign is the chain's choice
        series = series * np.where(series.mean(axis=1, keepdims=True) < 0, -1.0, 1.0)
    edges = np.linspace(-1.0, 1.0, HIST_BINS + 1)
    values.setdefault(f"{name}_hist", []).append(np.histogram(series, edges)[0])
    if "q_trace" in res:
        q_counts = np.histogram(np.asarray(res["q_trace"].values), edges)[0]
        values.setdefault("q_hist", []).append(q_counts)
    for key, short in ((f"{name}_susceptibility", "chi"), (f"{name}_binder", "binder")):
        values.setdefault(short, []).append(np.asarray(res[key].values)[rows, which])
    values.setdefault("specific_heat", []).append(np.asarray(res["specific_heat"].values))
    if "rhat" in res:
        values.setdefault("rhat", []).append(float(res["rhat"]))


def _compared_pattern(res, name: str, init: str) -> np.ndarray:
    """Per chain, the pattern whose overlap is compared (pattern 0 or the largest |m|)."""
    v = np.asarray(res[name].values)
    if init == "archetype":
        return np.zeros(v.shape[0], dtype=int)
    return np.argmax(np.abs(v), axis=1)


def _sample_outputs(values: dict) -> dict[str, Any]:
    """Per-sample arrays (dims sample, chain / chain_pair / bin) and their point means."""
    out: dict[str, Any] = {}
    for key in ("m_sample", "n_sample", "energy_sample", "q_sample", "m_hist", "n_hist",
                "q_hist"):  # fmt: skip
        if key in values:
            base, _, kind = key.rpartition("_")
            out[f"{base}_mc_{kind}"] = np.stack(values[key])
    for key in ("chi", "binder", "specific_heat"):
        if key in values:
            arr = np.concatenate(values[key])
            out[f"{key}_mc"] = float(np.mean(arr)) if np.all(np.isfinite(arr)) else np.nan
    if "rhat" in values:
        out["rhat_mc"] = float(np.max(values["rhat"]))
    return out


def _order_parameter(res, name: str, init: str, multitasking: bool):
    """Per-chain values (chains, ...) and errors of overlap ``name``."""
    v = np.asarray(res[name].values)  # (chain, pattern)
    e = np.asarray(res[f"{name}_err"].values)
    if multitasking:
        # every pattern matters; which pattern takes which rank of the hierarchy, and the
        # signs of the secondary overlaps, are each chain's choice: sort |m| per chain
        order = np.argsort(-np.abs(v), axis=1, kind="stable")
        rows = np.arange(v.shape[0])[:, None]
        return np.abs(v)[rows, order], e[rows, order]
    if init == "archetype":
        return v[:, 0], e[:, 0]
    if int(res.attrs.get("P", 2)) % 2:  # odd P: no +-m symmetry, the signed overlap counts
        best = np.argmax(v, axis=1)
        rows = np.arange(v.shape[0])
        return v[rows, best], e[rows, best]
    best = np.argmax(np.abs(v), axis=1)
    rows = np.arange(v.shape[0])
    return np.abs(v[rows, best]), e[rows, best]


def _combine(v: np.ndarray, e: np.ndarray) -> tuple[Any, Any]:
    n = v.shape[0]
    mean = v.mean(axis=0)
    thermal = np.mean(e**2, axis=0)
    spread = v.var(axis=0, ddof=1) if n >= 2 else np.zeros_like(mean)
    err = np.sqrt(np.maximum(spread, thermal) / n)
    if np.ndim(mean) == 0:
        return float(mean), float(err)
    return mean, err


def transition_lines(
    attrs: dict, x: str, y: str, xs: np.ndarray, rho: float = 0.0, *, solved: bool = False
) -> dict:
    """Named theory lines ``{label: (xs, ys)}`` for a phase diagram in the (alpha, T) plane.

    From :mod:`theory.lines`: for P = 2 the spin-glass line T_g = 1 + sqrt(alpha); with
    ``solved=True`` also the retrieval spinodal T_M(alpha) and the thermodynamic retrieval
    line T_c(alpha) (``temperature_line``, vectorised bisection, < 1 s compiled) for the
    sweep's P, protocol and rho. Other planes or protocols give ``{}``.
    """
    protocol = attrs.get("protocol")
    if (x, y) != ("alpha", "T") or protocol not in LINE_PROTOCOLS:
        return {}
    import theory.lines as lines

    P = int(attrs["P"])
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    kinds = (("spinodal", "retrieval spinodal"), ("thermodynamic", "retrieval T_c"))
    for kind, text in kinds if solved else ():
        ys = np.asarray(lines.temperature_line(P, xs, kind=kind, rho=rho, protocol=protocol))
        ok = np.isfinite(ys) & (ys > 0)
        if ok.any():
            label = "T_M (retrieval spinodal)" if P == 2 and kind == "spinodal" else text
            out[label] = (xs[ok], ys[ok])
    if P == 2:
        out["T_g (spin glass)"] = (xs, np.asarray(lines.T_g(xs)))
    return out
