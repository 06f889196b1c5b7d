"""Checkpoints of a training run without pickle: one ``.npz`` holding arrays and metadata.

Guarantees (the sweep store's, for one file):

- **Atomic.** ``save(path, trees, meta)`` writes one ``.npz`` (arrays named
  ``<tree>/<leaf index>``, the JSON metadata as the byte array ``__meta__``) to a temporary
  file in the same folder, flushes it to disk and renames it over ``path``. A crash leaves
  the previous checkpoint or the new one, never weights of one epoch with metadata of another.
- **Locked.** :func:`locked` holds an advisory lock (``.<name>.lock``, the sweep store's lock)
  for a whole run; a second run on the same file gets :class:`CheckpointLockedError` at once.
- **Checked names.** :func:`check_paths` refuses, before any training, a checkpoint that does
  not end in ``.npz``, a result file that does not end in ``.json``, the two being one file,
  and folders that cannot be written.
- **Damage named.** A file that is not a checkpoint of this format gives a one-line
  ``ValueError`` naming it; it is never overwritten by a run that could not read it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

__all__ = ["CheckpointLockedError", "check_paths", "exists", "load", "locked", "resume", "save"]

_META = "__meta__"


class CheckpointLockedError(OSError):
    """Another live process is training with the same checkpoint or result file."""


def exists(path: str | Path) -> bool:
    """True when the checkpoint file exists."""
    return Path(path).is_file()


def save(path: str | Path, trees: dict, meta: dict) -> None:
    """Write pytrees ``trees`` (name -> pytree of arrays) and JSON-able ``meta`` atomically.

    Raises ``OSError`` naming the file (and saying the previous checkpoint is intact) when the
    disk is full or the folder cannot be written.
    """
    import jax

    path = Path(path)
    arrays = {_META: np.frombuffer(json.dumps(meta).encode(), np.uint8)}
    for name, tree in trees.items():
        for i, leaf in enumerate(jax.tree.leaves(tree)):
            arrays[f"{name}/{i}"] = np.asarray(leaf)
    from hopfield_sim.storage import _remove_stale_temporaries

    _remove_stale_temporaries(path.parent, f".{path.name}.tmp-")  # of killed runs
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        why = "no space left on device" if exc.errno == errno.ENOSPC else exc.strerror or exc
        raise OSError(
            f"could not write checkpoint {path}: {why}; the previous checkpoint is intact."
        ) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()  # only still there when the rename did not happen
    with contextlib.suppress(OSError):  # make the rename durable
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def load(path: str | Path, templates: dict) -> tuple[dict, dict]:
    """Read a checkpoint; ``templates`` (name -> pytree) give structure, shapes and dtypes.

    Raises ValueError (naming the file) when it is not a readable checkpoint of this format
    or its arrays do not match the templates.
    """
    import jax

    path = Path(path)
    out = {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if _META not in data.files:
                raise ValueError(
                    f"checkpoint {path} is not a hopfield-sim tabular checkpoint (no metadata; "
                    "written by another program or an older version); remove it or choose "
                    "another path."
                )
            meta = json.loads(data[_META].tobytes().decode())
            for name, tmpl in templates.items():
                leaves, treedef = jax.tree.flatten(tmpl)
                new = []
                for i, leaf in enumerate(leaves):
                    key = f"{name}/{i}"
                    if key not in data.files:
                        raise ValueError(f"checkpoint {path} has no array {key!r}.")
                    arr = data[key]
                    if arr.shape != np.shape(leaf):
                        raise ValueError(
                            f"checkpoint {path}: {key!r} has shape {arr.shape}, expected "
                            f"{np.shape(leaf)} (different model or data set?)."
                        )
                    new.append(jax.numpy.asarray(arr, dtype=np.asarray(leaf).dtype))
                out[name] = jax.tree.unflatten(treedef, new)
    except (OSError, EOFError, zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(
            f"checkpoint {path} is damaged or not a checkpoint ({type(e).__name__}); remove "
            "it or choose another path."
        ) from None
    except ValueError as exc:
        if str(exc).startswith("checkpoint "):
            raise
        raise ValueError(
            f"checkpoint {path} is damaged or not a checkpoint (unreadable arrays); remove it "
            "or choose another path."
        ) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("epoch"), int):
        raise ValueError(f"checkpoint {path} has damaged metadata (no epoch).")
    return out, meta


@contextlib.contextmanager
def locked(path: str | Path, what: str = "checkpoint") -> Iterator[None]:
    """Hold the advisory lock of ``path`` (``what`` names it in the message) while inside."""
    from hopfield_sim import storage

    path = Path(path)
    if storage.fcntl is None:  # pragma: no cover - not POSIX
        yield
        return
    try:
        fd = storage._acquire(storage._lock_path(path), path, what=what)
    except storage.StoreLockedError as exc:
        raise CheckpointLockedError(str(exc)) from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            storage._lock_path(path).unlink()
        os.close(fd)


def check_paths(checkpoint: str | Path | None, out: str | Path | None) -> None:
    """Refuse, before training, names and folders that would lose the run.

    ``checkpoint`` must end in ``.npz`` and ``out`` in ``.json``; they must be two different
    files; neither may be a folder; each folder must exist or be creatable and be writable
    (tried by creating and removing a temporary file). Raises ``ValueError`` or ``OSError``
    naming the argument.
    """
    named = [(p, arg, sfx) for p, arg, sfx in ((checkpoint, "--checkpoint", ".npz"),
             (out, "--out", ".json")) if p is not None]  # fmt: skip
    for p, arg, suffix in named:
        p = Path(p)
        if p.suffix.lower() != suffix:
            raise ValueError(f"{arg} must be a file name ending in {suffix}; got {str(p)!r}.")
        if p.is_dir():
            raise IsADirectoryError(f"{arg} {p} is a folder; give a file name.")
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=p.parent):
                pass
        except OSError as exc:
            raise OSError(
                f"{arg} {p} cannot be written: its folder {p.parent} is not writable "
                f"({exc.strerror or exc})."
            ) from None
    if len(named) == 2 and Path(checkpoint).resolve() == Path(out).resolve():
        raise ValueError(f"--checkpoint and --out name one file ({out}); give two names.")


def _mismatch(stored: dict, info: dict) -> str:
    """Why a checkpoint's run description differs from this run's (for the message)."""
    reasons = {
        "run": "the data set, split or indices differ",
        "recipe": "the recipe differs",
        "seed": f"the seed differs ({stored.get('seed')!r} there, {info['seed']} here)",
        "data_digest": "the data or split file changed (the digest of the encoded data and "
        "split indices differs)",
    }
    why = [text for key, text in reasons.items() if stored.get(key) != info.get(key)]
    return "; ".join(why) or "its description differs"


def resume(checkpoint, info: dict, trees: dict) -> tuple[dict, dict]:
    """Trees and metadata of an existing checkpoint of this run (refused when it differs)."""
    _, meta = load(checkpoint, {})  # the run description first, then the arrays
    stored = meta.get("info")
    if stored != info:
        why = _mismatch(stored if isinstance(stored, dict) else {}, info)
        raise ValueError(
            f"checkpoint {checkpoint} belongs to another run ({why}); remove it or choose "
            "another path."
        )
    missing = {"best_val", "best_epoch", "history", "seconds"} - set(meta)
    if missing:
        raise ValueError(f"checkpoint {checkpoint} has damaged metadata (no {min(missing)}).")
    return load(checkpoint, trees)
