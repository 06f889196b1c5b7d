"""Crash-safe storage of sweep results as netCDF4/HDF5 files (h5netcdf engine, no pickle).

Design
------
HDF5 is not crash-safe: a writer killed while it updates a file in place can leave the
whole file unreadable (its B-trees and superblock are rewritten lazily). So a sweep never
updates its result file in place. Every time a batch of points finishes, the complete
Dataset is written to a temporary file *in the same folder*, flushed to disk (``fsync``) and
then renamed over the result file with :func:`os.replace`, which is atomic on POSIX and
Windows. A process killed at any moment therefore leaves either the previous complete file
or the new complete file (plus, at worst, a stray ``.<name>.tmp-<pid>`` file, removed by the
next write). Finished points are never lost, because a batch is reported finished only
after its file has been renamed into place.

The cost is rewriting the file once per finished batch (O(batches x file size)); batches are
sized so that a sweep has at most a few hundred of them, which keeps this small next to the
computation.

A file that is damaged anyway (truncated copy, full disk, bit rot) raises
:class:`DamagedStoreError` with the recovery path instead of an h5py traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xarray as xr


#: attribute holding the canonical JSON of the :class:`~hopfield_sim.spec.SweepSpec`
SPEC_ATTR = "sweep_spec"
#: attribute marking a hopfield-sim sweep file (value: format version)
FORMAT_ATTR = "hopfield_sim_sweep_format"
FORMAT_VERSION = 1


class DamagedStoreError(OSError):
    """A sweep file exists but cannot be read as netCDF4/HDF5."""


def write(ds: xr.Dataset, path: str | Path) -> Path:
    """Write ``ds`` to ``path`` atomically (temporary file + fsync + :func:`os.replace`).

    Parameters
    ----------
    ds : xarray.Dataset
        Sweep result; attributes must be netCDF-compatible (str, numbers, lists).
    path : str or Path
        Destination ``.h5``/``.nc`` file; its folder is created if missing.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        ds.to_netcdf(tmp, engine="h5netcdf")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)
    return path


def read(path: str | Path) -> xr.Dataset:
    """Load a sweep file fully into memory (the file is closed on return).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    DamagedStoreError
        The file exists but is not a readable netCDF4/HDF5 file.
    ValueError
        The file is readable but was not written by :func:`hopfield_sim.sweep`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no sweep file at {path}")
    import xarray as xr

    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            ds = ds.load()
    except Exception as exc:  # h5py/h5netcdf raise OSError, ValueError, KeyError, ...
        raise DamagedStoreError(
            f"{path} is damaged: it is not a readable netCDF4/HDF5 file "
            f"({type(exc).__name__}: {exc}). The sweep writes atomically, so this file was "
            "damaged after it was written (truncated copy, full disk). Recovery: move it "
            "aside and rerun the same spec with the same store to recompute it, or restore "
            "a copy."
        ) from None
    if FORMAT_ATTR not in ds.attrs or SPEC_ATTR not in ds.attrs:
        raise ValueError(
            f"{path} is a netCDF file but not a hopfield-sim sweep (attribute "
            f"{FORMAT_ATTR!r} missing); give another store path."
        )
    return ds


def stored_spec(ds: xr.Dataset) -> dict:
    """The spec (plain dict form) a stored sweep was run with."""
    return json.loads(ds.attrs[SPEC_ATTR])


def _remove_stale_temporaries(path: Path) -> None:
    prefix = f".{path.name}.tmp-"
    if not path.parent.exists():
        return
    for tmp in path.parent.iterdir():
        if tmp.name.startswith(prefix):
            pid = tmp.name[len(prefix) :]
            if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                continue  # another live writer; not ours to remove
            try:
                tmp.unlink()
            except OSError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not supported on this platform
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
