"""The two phases of a sweep: theory in batches of grid slabs, Monte Carlo in batches of
points. Each finished batch goes through a :class:`Saver` (in-memory Dataset + store)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from hopfield_sim import _execution, _layout

if TYPE_CHECKING:
    from hopfield_sim._grid import Grid
    from hopfield_sim.spec import SweepSpec


class Saver:
    """Applies finished batches to the in-memory Dataset and stores them."""

    def __init__(self, ds, writer, grid: Grid, spec_json: str, needs_main: bool) -> None:
        self.ds, self.writer, self.grid = ds, writer, grid
        self.spec_json, self.needs_main = spec_json, needs_main

    def __call__(self, indices: np.ndarray, values: dict) -> None:
        """``values``: name -> (extra dims, array of shape ``(len(indices), *extra)``)."""
        for name, (extra_dims, arr) in values.items():
            target = _layout.ensure_var(self.ds, name, extra_dims, arr.shape[1:], arr.dtype)
            target.reshape((self.grid.size, *arr.shape[1:]))[indices] = arr
        if self.writer is None:
            return
        if self.needs_main:  # first batch: the main file (with any older batches folded in)
            self.writer.consolidate(self.ds)
            self.needs_main = False
        else:
            self.writer.append(self.spec_json, indices, values)


def theory_batches(spec: SweepSpec, grid: Grid, points: int) -> list[tuple[SweepSpec, np.ndarray]]:
    """Split the grid into theory batches of about ``points`` points.

    Axes grids are cut into slabs of the first axis (each a grid of its own, solved
    vectorised); explicit points into consecutive runs. Returns ``(sub-spec, flat
    indices)`` pairs in grid order.
    """
    out = []
    if spec.points is not None:
        for a in range(0, grid.size, points):
            idx = np.arange(a, min(a + points, grid.size))
            sub = {k: np.asarray(v)[idx].tolist() for k, v in spec.points.items()}
            out.append((spec.replace_grid(points=sub), idx))
        return out
    first = grid.dims[0]
    rest = grid.size // grid.shape[0]
    rows = max(1, points // max(rest, 1))
    for a in range(0, grid.shape[0], rows):
        b = min(a + rows, grid.shape[0])
        axes = {k: (np.asarray(v)[a:b].tolist() if k == first else v) for k, v in spec.axes.items()}
        out.append((spec.replace_grid(axes=axes), np.arange(a * rest, b * rest)))
    return out


def run_theory(spec, grid, ds, save, runner, progress, batch_points) -> None:
    if runner is None:
        from hopfield_sim._runners import theory_grid as runner
    done = ds["done_theory"].values.reshape(grid.size)
    work = [
        (sub, idx) for sub, idx in theory_batches(spec, grid, batch_points) if not done[idx].all()
    ]
    if not work:
        return
    from tqdm.auto import tqdm

    total = sum(len(idx) for _, idx in work)
    with tqdm(total=total, unit="pt", desc="theory", disable=not progress) as bar:
        for sub, idx in work:
            out = runner(sub, type(grid)(sub))
            values = {}
            for name, (extra_dims, arr) in out.items():
                arr = np.asarray(arr)
                extra = arr.shape[arr.ndim - len(extra_dims) :] if extra_dims else ()
                values[f"{name}_theory"] = (tuple(extra_dims), arr.reshape((len(idx), *extra)))
            values["done_theory"] = ((), np.ones(len(idx), bool))
            save(idx, values)
            bar.update(len(idx))


def run_montecarlo(spec, grid, ds, save, runner, client, workers, batch_size, progress):
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
        indices = np.array([index for index, _ in results], dtype=np.int64)
        names: dict[str, None] = {}
        for _, result in results:
            names.update(dict.fromkeys(result))
        values = {}
        for name in names:
            rows = [np.asarray(result.get(name, np.nan)) for _, result in results]
            arr = np.stack(rows)
            if arr.dtype.kind not in "fbi":
                arr = arr.astype(np.float64)
            values[name] = (_layout.extra_dims(name, arr.ndim - 1), arr)
        values["done_mc"] = ((), np.ones(len(results), bool))
        save(indices, values)
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
