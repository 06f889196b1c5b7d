"""Persistent compilation caches of the command line: JAX (theory) and Numba (Monte Carlo).

A fresh process otherwise spends most of a short ``hopfield-sim theory`` call compiling the
solver with XLA. :func:`enable` points JAX's persistent compilation cache and Numba's cache at
a user cache folder, before either is imported:

- folder: ``$HOPFIELD_SIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/hopfield-sim``, else
  ``~/.cache/hopfield-sim`` (subfolders ``jax`` and ``numba``);
- ``HOPFIELD_SIM_CACHE_DIR=off`` turns both off; ``JAX_COMPILATION_CACHE_DIR`` and
  ``NUMBA_CACHE_DIR``, when set, win over this folder.

Only the command line calls it (``import theory`` in a user's script keeps JAX's defaults;
``JAX_COMPILATION_CACHE_DIR=<dir>`` does the same there).
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping
from pathlib import Path

#: environment variable naming the cache folder (``off`` disables the caches)
ENV = "HOPFIELD_SIM_CACHE_DIR"


def folder(env: MutableMapping[str, str] = os.environ) -> Path | None:
    """The cache folder, or ``None`` when turned off."""
    value = env.get(ENV, "").strip()
    if value.lower() in ("off", "0", "none", "false"):
        return None
    if value:
        return Path(value).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hopfield-sim"


def enable(env: MutableMapping[str, str] = os.environ) -> Path | None:
    """Turn the persistent JAX and Numba caches on (in ``env``); returns the folder used."""
    root = folder(env)
    if root is None:
        return None
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(root / "jax"))
    # cache every compiled program, however quick to compile or small
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
    env.setdefault("NUMBA_CACHE_DIR", str(root / "numba"))
    if "jax" in sys.modules and env is os.environ:  # already imported: its config is read
        import jax

        jax.config.update("jax_compilation_cache_dir", env["JAX_COMPILATION_CACHE_DIR"])
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    return root
