"""Checkpoints of a training run without pickle: one ``.npz`` of flat arrays + JSON metadata.

``save(path, trees, meta)`` writes ``path`` (an ``.npz``; arrays named ``<tree>/<leaf index>``)
and ``path.with_suffix(".json")`` (``meta``), each atomically (temporary file + rename), the
arrays first, so a crash never leaves metadata pointing to missing arrays. ``load`` restores
the trees into the structure of templates (freshly initialised trees of the same run).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import jax
import numpy as np

__all__ = ["save", "load", "exists"]


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def exists(path: str | Path) -> bool:
    """True when both files of a checkpoint exist."""
    path = Path(path)
    return path.is_file() and _meta_path(path).is_file()


def save(path: str | Path, trees: dict, meta: dict) -> None:
    """Write pytrees ``trees`` (name -> pytree of arrays) and JSON-able ``meta``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for name, tree in trees.items():
        for i, leaf in enumerate(jax.tree.leaves(tree)):
            arrays[f"{name}/{i}"] = np.asarray(leaf)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, path)
    tmp_meta = path.with_name(path.name + ".json.tmp")
    tmp_meta.write_text(json.dumps(meta, indent=1))
    os.replace(tmp_meta, _meta_path(path))


def load(path: str | Path, templates: dict) -> tuple[dict, dict]:
    """Read a checkpoint; ``templates`` (name -> pytree) give structure, shapes and dtypes.

    Raises ValueError when the stored arrays do not match the templates.
    """
    path = Path(path)
    meta = json.loads(_meta_path(path).read_text())
    out = {}
    with np.load(path, allow_pickle=False) as data:
        for name, tmpl in templates.items():
            leaves, treedef = jax.tree.flatten(tmpl)
            new = []
            for i, leaf in enumerate(leaves):
                key = f"{name}/{i}"
                if key not in data:
                    raise ValueError(f"checkpoint {path} has no array {key!r}.")
                arr = data[key]
                if arr.shape != np.shape(leaf):
                    raise ValueError(
                        f"checkpoint {path}: {key!r} has shape {arr.shape}, expected "
                        f"{np.shape(leaf)} (different model or data set?)."
                    )
                new.append(jax.numpy.asarray(arr, dtype=np.asarray(leaf).dtype))
            out[name] = jax.tree.unflatten(treedef, new)
    return out, meta
