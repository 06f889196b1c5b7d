"""``sweep``: theory and Monte Carlo on one labelled grid, stored as it goes, resumable.

The theory runs vectorised over the whole grid at once; Monte Carlo points run as
independent tasks (batched) on a local process pool or a Dask cluster. Each point's seed
derives from the root seed and the point's parameter values (:func:`point_seed`), so the
result is the same whatever runs it and however it is batched, and extending a grid keeps
the seeds of the points already there.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hopfield_sim import _execution, _layout, _phases, storage
from hopfield_sim._grid import Grid
from hopfield_sim._version import __version__
from hopfield_sim.spec import PARAMETERS, SweepSpec, load_spec, spec_from_dict

if TYPE_CHECKING:
    import xarray as xr

#: parameters stored as integer coordinates
_INTEGER = ("N", "M", "K", "P")
#: long names and units of the data variables a sweep may produce
VARIABLES = _layout.VARIABLES
#: points per theory batch (rounded to whole slabs of the first axis): large enough that the
#: solver's per-call overhead is small, small enough for progress and O(batch) stores
THEORY_BATCH_POINTS = 20_000


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
    theory_batch_size: int | None = None,
    _theory: Callable | None = None,
    _montecarlo: Callable | None = None,
) -> xr.Dataset:
    """Run a sweep: theory over the whole grid (in batches), Monte Carlo point by point.

    The whole request is checked before anything is computed or written: the spec, the
    execution options, the memory every Monte Carlo point needs
    (:func:`hopfield_sim.checks.check_resources`), and that ``store`` can be written and is
    not being written by another process.

    Parameters
    ----------
    spec : SweepSpec, dict or path to a TOML file
        What to compute (see :class:`~hopfield_sim.spec.SweepSpec`).
    store : str or Path, optional
        netCDF4/HDF5 file; every finished batch is stored at once (see
        :mod:`hopfield_sim.storage`). If it exists and holds the same spec, only missing
        points are computed (resume); if it holds every point, nothing is computed or
        rewritten. A second process writing the same store gets
        :class:`~hopfield_sim.storage.StoreLockedError`.
    client : distributed.Client or str, optional
        Run Monte Carlo on this Dask cluster (a Client or a scheduler address such as
        ``"tcp://10.0.0.5:8786"``). Default: local processes.
    progress : bool
        Show progress bars on stderr (theory points, Monte Carlo points, rate, ETA).
    workers : int, optional
        Local worker processes (default: number of cores). Ignored with ``client``.
    batch_size : int, optional
        Monte Carlo points per task (default: about 8 tasks per worker).
    extend : bool
        Allow a store holding a different grid of the same sweep: points present in both
        are kept (same seeds), new ones computed. Anything else differing is refused.
    theory_batch_size : int, optional
        Theory points per batch (rounded to whole slabs of the first axis; default
        :data:`THEORY_BATCH_POINTS`).

    Returns
    -------
    xarray.Dataset
        Dims = grid axes (or ``point``), coordinates with ``long_name``/``units``, both
        ``beta`` and ``T``; ``m_theory``, ``q_theory``, ``free_energy_theory``,
        ``converged_theory``, ``done_theory``, ... and ``m_mc``, ``m_mc_err``,
        ``done_mc``, ``seed_mc``, ...; attributes ``sweep_spec`` (JSON), ``seed``,
        ``versions`` (JSON) and the CF attributes ``Conventions``, ``title``, ``history``,
        ``date_created``.

    Raises
    ------
    KeyboardInterrupt
        Ctrl-C stops the workers at once; every batch finished before it is kept in
        ``store``, and rerunning the same spec continues from there.
    """
    spec = _as_spec(spec)
    _check_options(progress, workers=workers, batch_size=batch_size,
                   theory_batch_size=theory_batch_size)  # fmt: skip
    from hopfield_sim.checks import check_resources

    local_mc = client is None and spec.montecarlo is not None
    if local_mc:
        workers = _execution.local_workers(workers)  # capped at the cores (with a warning)
    check_resources(spec, workers=workers if local_mc else 1)
    with contextlib.ExitStack() as stack:
        writer = stack.enter_context(storage.Store(store)) if store is not None else None
        if client is not None:
            client, owned = _execution.connect(client)  # unreachable scheduler: fail now
            if owned:
                stack.callback(client.close)
        spec, _theory, source = _resolve_adaptive(spec, _theory, progress)
        grid = Grid(spec)
        ds, on_disk = _initial_dataset(spec, grid, store, extend)
        if source is not None:
            from hopfield_sim.adaptive_sweep import ADAPTIVE_ATTR

            ds.attrs.setdefault(ADAPTIVE_ATTR, source)
        if on_disk and writer is not None and not writer.has_parts() and _complete(ds):
            if progress:
                print(f"sweep: {store} already holds every point; nothing to do "
                      "(file not rewritten).", file=sys.stderr)  # fmt: skip
            return ds
        # fold old batches in (or create the file) with the first batch
        pending = writer is not None and (writer.has_parts() or not on_disk)
        saver = _phases.Saver(ds, writer, grid, spec.to_json(), pending)
        if spec.theory is not None:
            batch = theory_batch_size or THEORY_BATCH_POINTS
            _phases.run_theory(spec, grid, ds, saver, _theory, progress, batch)
        if spec.montecarlo is not None:
            _phases.run_montecarlo(
                spec, grid, ds, saver, _montecarlo, client, workers, batch_size, progress
            )
        ds.attrs["complete"] = 1
        if writer is not None:
            writer.consolidate(ds)
    return ds


def open_sweep(path: str | Path) -> xr.Dataset:
    """Open a stored sweep (complete or interrupted) as an in-memory Dataset.

    Raises :class:`~hopfield_sim.storage.DamagedStoreError` (an ``OSError``) with a
    recovery path if the file cannot be read.
    """
    return storage.read(path)


# -- building blocks -------------------------------------------------------------------------
def _check_options(progress: Any, **sizes: Any) -> None:
    """Execution options: the sizes integers >= 1 (or None), ``progress`` a boolean."""
    for key, value in sizes.items():
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1
        ):
            raise ValueError(f"{key} must be an integer >= 1 or None; got {value!r}.")
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False; got {progress!r}.")


def _resolve_adaptive(spec: SweepSpec, theory: Callable | None, progress: bool):
    """``(spec, theory runner, adaptive source JSON or None)``: an adaptive spec becomes the
    explicit points its learner placed, with their theory values cached."""
    if spec.adaptive is None:
        return spec, theory, None
    from hopfield_sim import adaptive_sweep

    source = adaptive_sweep.source_json(spec)
    spec, cached = adaptive_sweep.resolve(spec, progress=progress)
    return spec, theory or cached, source


def _as_spec(spec: Any) -> SweepSpec:
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, Mapping):
        return spec_from_dict(spec)
    if isinstance(spec, (str, Path)):
        return load_spec(spec)
    raise TypeError(f"spec must be a SweepSpec, a dict or a TOML path; got {type(spec).__name__}.")


def _initial_dataset(spec: SweepSpec, grid: Grid, store, extend: bool):
    """``(dataset, same_as_on_disk)``: the stored sweep when ``store`` holds this spec
    (resume), the old points moved onto the new grid (``extend``), or a new skeleton."""
    ds = _skeleton(spec, grid)
    if store is None or not Path(store).exists():
        return ds, False
    old = storage.read(store)
    old_spec = storage.stored_spec(old)
    new_spec = json.loads(spec.to_json())
    if old_spec == new_spec and list(old_spec.get("axes", {})) == list(new_spec.get("axes", {})):
        if spec.theory is not None and "done_theory" not in old:  # format 1
            done = bool(old.attrs.get("complete_theory", 0))
            _layout.ensure_var(old, "done_theory", (), (), bool)[...] = done
        return old, True
    if not extend:
        raise ValueError(
            f"store {store} holds a sweep with a different spec ({_spec_diff(old_spec, spec)}); "
            "use another store, or extend=True (CLI: --extend) to add grid points."
        )
    _check_extendable(old_spec, spec, store)
    _move_finished(old, Grid(spec_from_dict(old_spec)), ds, grid, store)
    return ds, False


def _move_finished(old: xr.Dataset, old_grid: Grid, ds: xr.Dataset, grid: Grid, store) -> None:
    """Copy the finished points of each phase of ``old`` onto the new grid of ``ds``; a
    finished point missing from the new grid is an error."""
    where = {grid.key(i): i for i in range(grid.size)}
    done = np.asarray(old["done_mc"]).ravel() if "done_mc" in old else np.zeros(0, bool)
    finished = {"_mc": done}  # finished points of each phase are kept, the rest computed
    if "done_theory" in old and old["done_theory"].ndim:
        finished["_theory"] = np.asarray(old["done_theory"]).ravel()
    any_done = np.zeros(old_grid.size, bool)
    for flags in finished.values():
        any_done[: flags.size] |= flags
    lost = [old_grid.params(j) for j in np.flatnonzero(any_done) if old_grid.key(j) not in where]
    if lost:
        raise ValueError(
            f"store {store} cannot be extended to this grid: {len(lost)} finished point(s) "
            f"would be dropped, e.g. {lost[0]}; an extended grid must contain the old one."
        )
    for name in old.data_vars:
        phase = next((p for p in finished if p in name), None)
        if phase is None:
            continue
        arr = np.asarray(old[name])
        extra = arr.shape[len(old_grid.shape) :]
        flat = arr.reshape((old_grid.size, *extra))
        dims = tuple(d for d in old[name].dims if d not in old_grid.dims)
        new = _layout.ensure_var(ds, name, dims, extra, old[name].dtype)
        for j in np.flatnonzero(finished[phase]):
            i = where.get(old_grid.key(j))
            if i is not None:
                new.reshape((grid.size, *extra))[i] = flat[j]


def _complete(ds: xr.Dataset) -> bool:
    flags = [n for n in ("done_theory", "done_mc") if n in ds]
    return bool(flags) and all(bool(np.all(ds[n].values)) for n in flags)


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


def _coords(spec: SweepSpec, grid: Grid) -> dict[str, Any]:
    """Grid and fixed coordinates (N, M, K, P integers; the rest float64)."""
    coords: dict[str, Any] = {}
    if spec.points is not None:
        coords["point"] = ("point", np.arange(grid.size))
        for k, v in grid.columns.items():
            coords[k] = ("point", np.asarray(v, dtype=np.int64) if k in _INTEGER else v)
    else:
        for k, v in spec.axes.items():
            coords[k] = (k, np.asarray(v, dtype=np.int64 if k in _INTEGER else float))
    for k, v in spec.fixed.items():
        coords[k] = int(v) if k in _INTEGER else v
    return coords


def _add_derived_coords(ds: xr.Dataset) -> None:
    """Both ``beta`` and ``T``, ``rho`` from ``r`` and ``M``; long names and units on all."""
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


def _skeleton(spec: SweepSpec, grid: Grid) -> xr.Dataset:
    import xarray as xr

    ds = xr.Dataset(coords=_coords(spec, grid))
    _add_derived_coords(ds)
    from hopfield_sim import info

    ds.attrs.update(
        {
            storage.FORMAT_ATTR: storage.FORMAT_VERSION,
            storage.SPEC_ATTR: spec.to_json(),
            "name": spec.name,
            "protocol": spec.protocol,
            "seed": int(spec.seed),
            "seed_derivation": "point seed = SeedSequence(seed, spawn_key=sha256(point params))",
            "versions": json.dumps(info.versions(), sort_keys=True),
            "complete": 0,
        }
    )
    if spec.P is not None:
        ds.attrs["P"] = int(spec.P)
    title = spec.name or f"hopfield-sim sweep: {spec.protocol}, P = {_p_text(spec)}"
    ds.attrs.update(_layout.cf_attributes(title, __version__))
    if spec.theory is not None:
        _layout.ensure_var(ds, "done_theory", (), (), bool)[...] = False
    if spec.montecarlo is not None:
        _layout.ensure_var(ds, "done_mc", (), (), bool)[...] = False
        seeds = np.array([point_seed(spec.seed, grid.params(i)) for i in range(grid.size)])
        _layout.ensure_var(ds, "seed_mc", (), (), np.int64)[...] = seeds.reshape(grid.shape)
    return ds


def _p_text(spec: SweepSpec) -> str:
    return str(int(spec.P)) if spec.P is not None else "axis"
