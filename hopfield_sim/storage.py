"""Crash-safe, lock-protected storage of sweep results (netCDF4/HDF5, h5netcdf, no pickle).

Layout
------
A sweep stored at ``result.h5`` is

- ``result.h5``: a complete netCDF4/HDF5 Dataset (grid, coordinates, attributes and every
  point consolidated so far), only ever replaced atomically (temporary file in the same
  folder, ``fsync``, :func:`os.replace`);
- ``result.h5.parts/``: while a sweep runs, one small HDF5 file per finished batch (the
  flat indices of its points and their values), each written atomically the same way.
  Writing a batch costs O(batch), independent of the size of the result file;
- ``.result.h5.lock``: an advisory lock (``flock``) held by the one process writing the
  store, released by the kernel even when that process is killed.

:func:`read` returns the consolidated view: the main file with every part applied in
order. A sweep folds the parts into the main file (one rewrite) when it finishes and when it
resumes, then deletes them. Applying a part twice writes the same values again, so a
process killed between the rewrite and the deletion loses nothing either.

Why not update the HDF5 file in place? HDF5 is not crash-safe: a writer killed while it
modifies a file can leave the whole file unreadable (B-trees, heaps and the superblock are
rewritten lazily). Files that are only ever renamed into place are either the old or the new
complete version. A file damaged anyway (truncated copy, full disk) raises
:class:`DamagedStoreError` with the recovery path instead of an h5py traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hopfield_sim._layout import FORMAT_ATTR, FORMAT_VERSION, SPEC_ATTR, ensure_var, grid_dims

if TYPE_CHECKING:
    import xarray as xr

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FORMAT_ATTR",
    "FORMAT_VERSION",
    "SPEC_ATTR",
    "DamagedStoreError",
    "StoreLockedError",
    "Store",
    "check_writable",
    "parts_dir",
    "read",
    "stored_spec",
    "write",
]

#: HDF5 signature: the first 8 bytes of every HDF5 (netCDF4) file
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


class DamagedStoreError(OSError):
    """A sweep file exists but cannot be read as netCDF4/HDF5."""


class StoreLockedError(OSError):
    """Another live process is writing the same sweep store."""


def parts_dir(path: str | Path) -> Path:
    """Folder of the per-batch files of the store ``path`` (``<path>.parts``)."""
    path = Path(path)
    return path.with_name(path.name + ".parts")


def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


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
    _remove_stale_temporaries(path.parent, f".{path.name}.tmp-")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        ds.to_netcdf(tmp, engine="h5netcdf")
        _fsync_file(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _raise_if_disk_full(exc, path)
        raise
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)
    return path


def _raise_if_disk_full(exc: BaseException, path: Path) -> None:
    """A one-line ``OSError`` (errno ENOSPC) instead of HDF5's raw message on a full disk."""
    import errno

    text = str(exc)
    if (
        getattr(exc, "errno", None) == errno.ENOSPC
        or "errno = 28" in text
        or ("No space left" in text)
    ):
        raise OSError(
            errno.ENOSPC,
            f"no space left on the device of {path}; every batch stored before is kept. Free "
            "space and rerun the same command to continue.",
        ) from None


def check_writable(path: str | Path) -> None:
    """Raise ``OSError`` naming ``path`` if a sweep could not write it (checked up front).

    The folder is created if missing (as :func:`write` does); an existing read-only file or
    a folder without write permission is refused before any computation.
    """
    path = Path(path)
    if path.exists() and path.is_dir():
        raise IsADirectoryError(f"store {path} is a folder; give a file name such as x.h5.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(f"cannot create the folder of store {path}: {exc.strerror or exc}.") from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write store {path}: its folder is not writable.")
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"cannot write store {path}: the file is read-only.")


class Store:
    """The writer of one sweep store: holds its lock, appends batches, consolidates.

    Use as a context manager; entering takes the lock (or raises
    :class:`StoreLockedError` at once), leaving releases it.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.parts = parts_dir(self.path)
        self._fd: int | None = None
        self._next = 0

    # -- lock --------------------------------------------------------------------------------
    def __enter__(self) -> Store:
        check_writable(self.path)
        if fcntl is not None:
            self._fd = _acquire(_lock_path(self.path), self.path)
        existing = _part_files(self.parts)
        self._next = (int(existing[-1].stem) + 1) if existing else 0
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                _lock_path(self.path).unlink()  # others re-check the inode after locking
            os.close(self._fd)
            self._fd = None

    # -- writing -----------------------------------------------------------------------------
    def append(
        self,
        spec_json: str,
        indices: np.ndarray,
        values: Mapping[str, tuple[tuple[str, ...], np.ndarray]],
    ) -> Path:
        """Store one finished batch as its own part file (atomic, O(batch) bytes).

        Parameters
        ----------
        spec_json : str
            The sweep's spec (a part is applied only to a store holding the same spec).
        indices : array of int
            Flat (C-order) grid indices of the batch's points.
        values : mapping
            Variable name -> (extra dims, array of shape ``(len(indices), *extra)``).
        """
        import h5py

        self.parts.mkdir(exist_ok=True)
        name = f"{self._next:08d}.h5"
        self._next += 1
        final = self.parts / name
        tmp = self.parts / f".{name}.tmp-{os.getpid()}"
        try:
            with h5py.File(tmp, "w") as fh:
                fh.attrs[SPEC_ATTR] = spec_json
                fh.create_dataset("index", data=np.asarray(indices, dtype=np.int64))
                for var, (extra_dims, arr) in values.items():
                    d = fh.create_dataset(f"values/{var}", data=np.asarray(arr))
                    d.attrs["dims"] = json.dumps(list(extra_dims))
            _fsync_file(tmp)
            os.replace(tmp, final)
        except OSError as exc:
            _raise_if_disk_full(exc, final)
            raise
        finally:
            if tmp.exists():
                tmp.unlink()
        _fsync_dir(self.parts)
        return final

    def consolidate(self, ds: xr.Dataset) -> None:
        """Write ``ds`` (which holds every part) as the main file, then drop the parts."""
        write(ds, self.path)
        for part in _part_files(self.parts):
            part.unlink()
        if self.parts.exists():
            _remove_stale_temporaries(self.parts, ".")
            with contextlib.suppress(OSError):
                self.parts.rmdir()
        self._next = 0

    def has_parts(self) -> bool:
        """Whether batches are stored outside the main file."""
        return bool(_part_files(self.parts))


def _acquire(lock: Path, store: Path, what: str = "store") -> int:
    """Take the exclusive lock file of ``store``; raise at once if another process has it.

    ``what`` names the file in the message (also used for tabular checkpoints)."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            finally:
                os.close(fd)
            raise StoreLockedError(
                f"{what} {store} is being written by another process (pid {holder}); wait "
                f"for it to finish, or give another {what}. Two writers would corrupt it."
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a lock file the previous holder unlinked after we opened it
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        os.close(fd)


def read(path: str | Path) -> xr.Dataset:
    """Load a sweep (main file and any stored batches) fully into memory.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    DamagedStoreError
        The file exists but is not a readable netCDF4/HDF5 file, or it is not a file of this
        kind at all (text, empty file), or a batch file is damaged.
    ValueError
        The file is readable netCDF but was not written by :func:`hopfield_sim.sweep`.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no sweep file at {path}")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, not a sweep file")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head[:4] != _HDF5_MAGIC[:4]:
        what = "an empty file" if not head else "not an HDF5/netCDF4 file"
        raise DamagedStoreError(
            f"{path} is not an HDF5/netCDF sweep file ({what}); give a file written by "
            "`hopfield-sim sweep` / hopfield_sim.sweep."
        )
    import xarray as xr

    try:
        with xr.open_dataset(path, engine="h5netcdf", phony_dims="sort") as ds:
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
    for part in _part_files(parts_dir(path)):
        _apply_part(ds, part)
    return ds


def _apply_part(ds: xr.Dataset, part: Path) -> None:
    import h5py

    try:
        with h5py.File(part, "r") as fh:
            spec = fh.attrs[SPEC_ATTR]
            index = fh["index"][()]
            values = {
                name: (tuple(json.loads(d.attrs["dims"])), d[()])
                for name, d in fh["values"].items()
            }
    except Exception as exc:
        raise DamagedStoreError(
            f"batch file {part} is damaged ({type(exc).__name__}: {exc}). Recovery: delete "
            "it; rerunning the same spec recomputes its points."
        ) from None
    if isinstance(spec, bytes):
        spec = spec.decode()
    if spec != ds.attrs[SPEC_ATTR]:
        raise DamagedStoreError(
            f"batch file {part} belongs to another sweep spec than {part.parent}'s main "
            "file. Recovery: delete the folder to recompute those points."
        )
    dims = grid_dims(ds)
    size = int(np.prod([ds.sizes[d] for d in dims]))
    index = np.asarray(index)
    bad = (
        index.ndim != 1
        or index.dtype.kind not in "iu"
        or (index.size and (index.min() < 0 or index.max() >= size))
        or np.unique(index).size != index.size
        or any(np.shape(arr)[:1] != index.shape for _, arr in values.values())
    )
    if bad:
        raise DamagedStoreError(
            f"batch file {part} is damaged: its 'index' is not a list of distinct grid "
            f"indices in 0..{size - 1} matching its values. Recovery: delete it; rerunning "
            "the same spec recomputes its points."
        )
    for name, (extra_dims, arr) in values.items():
        target = ensure_var(ds, name, extra_dims, arr.shape[1:], arr.dtype)
        target.reshape((size, *arr.shape[1:]))[index] = arr


def stored_spec(ds: xr.Dataset) -> dict[str, Any]:
    """The spec (plain dict form) a stored sweep was run with."""
    return json.loads(ds.attrs[SPEC_ATTR])


def _part_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".h5" and p.stem.isdigit())


def _remove_stale_temporaries(folder: Path, prefix: str) -> None:
    if not folder.exists():
        return
    for tmp in folder.iterdir():
        if not (tmp.name.startswith(prefix) and ".tmp-" in tmp.name):
            continue
        pid = tmp.name.rsplit(".tmp-", 1)[1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another live writer; not ours to remove
        with contextlib.suppress(OSError):
            tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def iter_parts(path: str | Path) -> Iterator[Path]:
    """The batch files of a store, in the order they are applied (for diagnostics)."""
    yield from _part_files(parts_dir(path))
