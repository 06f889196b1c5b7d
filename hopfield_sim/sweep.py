"""``sweep``: theory and Monte Carlo on one labelled grid, stored as it goes, resumable.

The theory runs vectorised over the whole grid at once; Monte Carlo points run as
independent tasks (batched) on a local process pool or a Dask cluster. Each point's seed
derives from the root seed and the point's parameter values (:func:`point_seed`), so the
result is the same whatever runs it and however it is batched, and extending a grid keeps
the seeds of the points already there.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hopfield_sim import _execution, storage
from hopfield_sim.spec import PARAMETERS, SweepSpec, load_spec, spec_from_dict

if TYPE_CHECKING:
    import xarray as xr

#: long names and units of the data variables a sweep may produce
VARIABLES: dict[str, tuple[str, str]] = {
    "m_theory": ("Mattis overlap m (theory)", "1"),
    "n_theory": ("class-mean overlap n (theory)", "1"),
    "q_theory": ("two-replica overlap q (theory)", "1"),
    "free_energy_theory": ("free energy per neuron f (theory)", "J"),
    "converged_theory": ("theory solver converged", "1"),
    "stable_theory": ("theory solution locally stable", "1"),
    "m_mc": ("Mattis overlap m (Monte Carlo)", "1"),
    "m_mc_err": ("error of m (Monte Carlo)", "1"),
    "n_mc": ("class-mean overlap n (Monte Carlo)", "1"),
    "n_mc_err": ("error of n (Monte Carlo)", "1"),
    "q_mc": ("two-replica overlap q (Monte Carlo)", "1"),
    "q_mc_err": ("error of q (Monte Carlo)", "1"),
    "energy_mc": ("energy per neuron (Monte Carlo)", "J"),
    "energy_mc_err": ("error of the energy per neuron (Monte Carlo)", "J"),
    "K_mc": ("archetypes K simulated", "1"),
    "N_mc": ("neurons N simulated", "1"),
    "done_mc": ("Monte Carlo point finished", "1"),
    "seed_mc": ("Monte Carlo seed of the point (from the root seed)", "1"),
}


class Grid:
    """The points of a spec: dims, shape and one flat column per varying parameter."""

    def __init__(self, spec: SweepSpec) -> None:
        self.spec = spec
        if spec.points is not None:
            self.dims: tuple[str, ...] = ("point",)
            self.columns = {k: np.asarray(v, dtype=float) for k, v in spec.points.items()}
            self.shape: tuple[int, ...] = (len(next(iter(self.columns.values()))),)
        else:
            self.dims = tuple(spec.axes)
            self.shape = tuple(len(v) for v in spec.axes.values())
            mesh = np.meshgrid(*spec.axes.values(), indexing="ij")
            self.columns = {k: m.ravel() for k, m in zip(self.dims, mesh)}
        self.size = int(np.prod(self.shape))

    def params(self, index: int) -> dict[str, float]:
        """All parameters (grid and fixed) of flat point ``index``."""
        out = {k: float(v[index]) for k, v in self.columns.items()}
        out.update(self.spec.fixed)
        return out

    def key(self, index: int) -> tuple[str, ...]:
        """Canonical key of a point (its grid values, 12 significant digits)."""
        return tuple(f"{self.columns[k][index]:.12g}" for k in sorted(self.columns))


def point_seed(root: int, params: Mapping[str, float]) -> int:
    """The 63-bit seed of one point, from the root seed and the point's parameter values.

    ``SeedSequence(root, spawn_key=hash(params))``: independent streams for different
    points, the same stream for the same point in any grid, order or batch.
    """
    text = ";".join(f"{k}={float(params[k]):.12g}" for k in sorted(params))
    words = np.frombuffer(hashlib.sha256(text.encode()).digest()[:16], dtype="<u4")
    ss = np.random.SeedSequence(int(root), spawn_key=tuple(int(w) for w in words))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def sweep(
    spec: SweepSpec | Mapping | str | Path,
    *,
    store: str | Path | None = None,
    client: Any = None,
    progress: bool = True,
    workers: int | None = None,
    batch_size: int | None = None,
    extend: bool = False,
    _theory: Callable | None = None,
    _montecarlo: Callable | None = None,
) -> xr.Dataset:
    """Run a sweep: theory over the whole grid, Monte Carlo point by point.

    Parameters
    ----------
    spec : SweepSpec, dict or path to a TOML file
        What to compute (see :class:`~hopfield_sim.spec.SweepSpec`).
    store : str or Path, optional
        netCDF4/HDF5 file written atomically after every finished batch. If it exists and
        holds the same spec, only missing points are computed (resume).
    client : distributed.Client or str, optional
        Run Monte Carlo on this Dask cluster (a Client or a scheduler address such as
        ``"tcp://10.0.0.5:8786"``). Default: local processes.
    progress : bool
        Show a progress bar (points done, rate, ETA).
    workers : int, optional
        Local worker processes (default: number of cores). Ignored with ``client``.
    batch_size : int, optional
        Monte Carlo points per task (default: about 8 tasks per worker).
    extend : bool
        Allow a store holding a different grid of the same sweep: points present in both
        are kept (same seeds), new ones computed. Anything else differing is refused.

    Returns
    -------
    xarray.Dataset
        Dims = grid axes (or ``point``), coordinates with ``long_name``/``units``, both
        ``beta`` and ``T``; ``m_theory``, ``q_theory``, ``free_energy_theory``,
        ``converged_theory``, ... and ``m_mc``, ``m_mc_err``, ``done_mc``, ``seed_mc``, ...;
        attributes ``sweep_spec`` (JSON), ``seed``, ``versions`` (JSON).
    """
    spec = _as_spec(spec)
    for key, value in (("workers", workers), ("batch_size", batch_size)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1
        ):
            raise ValueError(f"{key} must be an integer >= 1 or None; got {value!r}.")
    grid = Grid(spec)
    owned = False
    if client is not None:
        client, owned = _execution.connect(client)  # unreachable scheduler: fail now
    try:
        ds = _initial_dataset(spec, grid, store, extend)
        if spec.theory is not None and not ds.attrs.get("complete_theory", 0):
            _run_theory(spec, grid, ds, _theory, progress)
            ds.attrs["complete_theory"] = 1
            _save(ds, store)
        if spec.montecarlo is not None:
            _run_montecarlo(
                spec, grid, ds, store, _montecarlo, client, workers, batch_size, progress
            )
        ds.attrs["complete"] = 1
        _save(ds, store)
    finally:
        if owned:
            client.close()
    return ds


def open_sweep(path: str | Path) -> xr.Dataset:
    """Open a stored sweep (complete or interrupted) as an in-memory Dataset.

    Raises :class:`~hopfield_sim.storage.DamagedStoreError` (an ``OSError``) with a
    recovery path if the file cannot be read.
    """
    return storage.read(path)


# -- building blocks -------------------------------------------------------------------------
def _as_spec(spec: Any) -> SweepSpec:
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return spec_from_dict(spec)
    if isinstance(spec, (str, Path)):
        return load_spec(spec)
    raise TypeError(f"spec must be a SweepSpec, a dict or a TOML path; got {type(spec).__name__}.")


def _initial_dataset(spec: SweepSpec, grid: Grid, store, extend: bool) -> xr.Dataset:
    ds = _skeleton(spec, grid)
    if store is None or not Path(store).exists():
        return ds
    old = storage.read(store)
    old_spec = storage.stored_spec(old)
    new_spec = json.loads(spec.to_json())
    if old_spec == new_spec and list(old_spec.get("axes", {})) == list(new_spec.get("axes", {})):
        return old
    if not extend:
        raise ValueError(
            f"store {store} holds a sweep with a different spec ({_spec_diff(old_spec, spec)}); "
            "use another store, or extend=True (CLI: --extend) to add grid points."
        )
    _check_extendable(old_spec, spec, store)
    old_grid = Grid(spec_from_dict(old_spec))
    where = {grid.key(i): i for i in range(grid.size)}
    done = np.asarray(old["done_mc"]).ravel() if "done_mc" in old else np.zeros(0, bool)
    lost = [old_grid.params(j) for j in np.flatnonzero(done) if old_grid.key(j) not in where]
    if lost:
        raise ValueError(
            f"store {store} cannot be extended to this grid: {len(lost)} finished point(s) "
            f"would be dropped, e.g. {lost[0]}; an extended grid must contain the old one."
        )
    for name in old.data_vars:
        if "_mc" not in name:
            continue
        arr = np.asarray(old[name])
        extra = arr.shape[len(old_grid.shape) :]
        flat = arr.reshape((old_grid.size, *extra))
        dims = tuple(d for d in old[name].dims if d not in old_grid.dims)
        new = _ensure_var(ds, name, dims, extra, old[name].dtype)
        for j in np.flatnonzero(done):
            i = where.get(old_grid.key(j))
            if i is not None:
                new.reshape((grid.size, *extra))[i] = flat[j]
    return ds


def _check_extendable(old_spec: dict, spec: SweepSpec, store) -> None:
    new = json.loads(spec.to_json())
    strip = {k: v for k, v in old_spec.items() if k not in ("axes", "points")}
    same_rest = strip == {k: v for k, v in new.items() if k not in ("axes", "points")}
    same_names = list(old_spec.get("axes", old_spec.get("points", {}))) == list(
        new.get("axes", new.get("points", {}))
    )
    if not same_rest or not same_names or ("points" in old_spec) != ("points" in new):
        raise ValueError(
            f"store {store} cannot be extended to this spec: only grid values may change "
            f"({_spec_diff(old_spec, spec)}); use another store."
        )


def _spec_diff(old: dict, spec: SweepSpec) -> str:
    new = json.loads(spec.to_json())
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return "differs in: " + ", ".join(keys) if keys else "same content"


def _skeleton(spec: SweepSpec, grid: Grid) -> xr.Dataset:
    coords: dict[str, Any] = {}
    if spec.points is not None:
        coords["point"] = ("point", np.arange(grid.size))
        for k, v in grid.columns.items():
            coords[k] = ("point", v)
    else:
        for k, v in spec.axes.items():
            coords[k] = (k, np.asarray(v, dtype=float))
    for k, v in spec.fixed.items():
        coords[k] = v
    import xarray as xr

    ds = xr.Dataset(coords=coords)
    with np.errstate(divide="ignore"):
        if "T" in ds.coords and "beta" not in ds.coords:
            ds.coords["beta"] = 1.0 / ds.coords["T"]
        elif "beta" in ds.coords and "T" not in ds.coords:
            ds.coords["T"] = 1.0 / ds.coords["beta"]
    if "r" in ds.coords and "M" in ds.coords and "rho" not in ds.coords:
        r, M = ds.coords["r"], ds.coords["M"]
        ds.coords["rho"] = (1 - r**2) / (M * r**2)
    for name in ds.coords:
        if name in PARAMETERS:
            long_name, units = PARAMETERS[name]
            ds.coords[name].attrs.update(long_name=long_name, units=units)
    from hopfield_sim import info

    ds.attrs.update(
        {
            storage.FORMAT_ATTR: storage.FORMAT_VERSION,
            storage.SPEC_ATTR: spec.to_json(),
            "name": spec.name,
            "protocol": spec.protocol,
            "P": int(spec.P),
            "seed": int(spec.seed),
            "seed_derivation": "point seed = SeedSequence(seed, spawn_key=sha256(point params))",
            "versions": json.dumps(info.versions(), sort_keys=True),
            "complete": 0,
            "complete_theory": 0,
        }
    )
    if spec.montecarlo is not None:
        _ensure_var(ds, "done_mc", (), (), bool)[...] = False
        seeds = np.array([point_seed(spec.seed, grid.params(i)) for i in range(grid.size)])
        _ensure_var(ds, "seed_mc", (), (), np.int64)[...] = seeds.reshape(grid.shape)
    return ds


def _ensure_var(ds: xr.Dataset, name: str, extra_dims, extra_shape, dtype) -> np.ndarray:
    """The writable array of ``name``, created (NaN / False) on first use."""
    if name not in ds:
        dims = _grid_dims(ds) + tuple(extra_dims)
        shape = tuple(ds.sizes[d] for d in dims[: len(dims) - len(extra_dims)]) + tuple(extra_shape)
        dtype = np.dtype(dtype)
        fill = False if dtype.kind == "b" else (0 if dtype.kind in "iu" else np.nan)
        ds[name] = (dims, np.full(shape, fill, dtype=dtype))
        if name in VARIABLES:
            long_name, units = VARIABLES[name]
            ds[name].attrs.update(long_name=long_name, units=units)
    return ds[name].values


def _grid_dims(ds: xr.Dataset) -> tuple[str, ...]:
    spec = json.loads(ds.attrs[storage.SPEC_ATTR])
    return ("point",) if "points" in spec else tuple(spec["axes"])


def _run_theory(spec, grid, ds, runner, progress) -> None:
    if runner is None:
        from hopfield_sim._runners import theory_grid as runner
    t0 = time.perf_counter()
    out = runner(spec, grid)
    for name, (extra_dims, values) in out.items():
        values = np.asarray(values)
        arr = _ensure_var(
            ds, f"{name}_theory", extra_dims, values.shape[len(grid.shape) :], values.dtype
        )
        arr[...] = values
    if progress:
        print(f"theory: {grid.size} points in {time.perf_counter() - t0:.2f} s", flush=True)


def _run_montecarlo(spec, grid, ds, store, runner, client, workers, batch_size, progress):
    if runner is None:
        from hopfield_sim._runners import montecarlo_point as runner
    done = ds["done_mc"].values.reshape(grid.size)
    seeds = ds["seed_mc"].values.reshape(grid.size)
    todo = [(int(i), grid.params(int(i)), int(seeds[i])) for i in np.flatnonzero(~done)]
    if not todo:
        return
    workers = workers or _execution.default_workers()
    n_workers = workers if client is None else _dask_workers(client)
    size = batch_size or _execution.default_batch_size(len(todo), n_workers)
    from tqdm.auto import tqdm

    bar = tqdm(total=len(todo), unit="pt", desc="monte carlo", disable=not progress, smoothing=0.1)

    def on_done(results: list) -> None:
        for index, result in results:
            pos = np.unravel_index(index, grid.shape)
            for name, value in result.items():
                value = np.asarray(value)
                dims = ("pattern",) * value.ndim
                dtype = value.dtype if value.dtype.kind in "fb" else np.float64
                arr = _ensure_var(ds, name, dims, value.shape, dtype)
                arr[pos] = value
            ds["done_mc"].values[pos] = True
        _save(ds, store)
        bar.update(len(results))

    try:
        _execution.execute(
            runner,
            spec.to_dict(),
            _execution.batches(todo, size),
            on_done=on_done,
            client=client,
            workers=workers,
        )
    finally:
        bar.close()


def _dask_workers(client) -> int:
    try:
        workers = client.scheduler_info()["workers"].values()
        return max(1, sum(w.get("nthreads", 1) for w in workers))
    except Exception:  # pragma: no cover - informational only
        return 1


def _save(ds: xr.Dataset, store) -> None:
    if store is not None:
        storage.write(ds, store)
