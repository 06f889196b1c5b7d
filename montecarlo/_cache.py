"""Numba's on-disk cache, keyed by every source a cached function compiles in.

Numba keys a function cached with ``cache=True`` by the stamp (modification time and size)
of its own file and by its own bytecode. A jitted function that calls another jitted
function, or reads a global constant, from a different module carries that code and those
values in its cached machine code, so after an edit of the other module only, a warm cache
loads the function built with the old code. Each such function is therefore compiled under a
name that contains a digest of the other modules' sources (:func:`keyed_njit`): every version
of those sources gets its own cache files. Used by ``montecarlo/_kernels.py``,
``montecarlo/tempering.py`` and the drivers of ``montecarlo/_chains.py``.
"""

from __future__ import annotations

import hashlib
import types
from pathlib import Path

import numba

__all__ = ["keyed_njit", "renamed", "source_digest"]


def source_digest(*modules: types.ModuleType) -> str:
    """First 12 hex digits of the SHA-256 of the given modules' source files, in order."""
    h = hashlib.sha256()
    for module in modules:
        h.update(Path(module.__file__).read_bytes())
    return h.hexdigest()[:12]


def renamed(fn: types.FunctionType, qualname: str) -> types.FunctionType:
    """A copy of the plain function ``fn`` (same code, globals, defaults and docstring) whose
    ``__qualname__``, hence Numba cache file name, is ``qualname``. Numba names a function's
    cache files after its qualified name and keys the entries by signature only, not by
    compile options or callees: a distinct name gives a distinct set of cache files."""
    f = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                           fn.__closure__)  # fmt: skip
    f.__qualname__ = qualname
    f.__doc__ = fn.__doc__
    f.__kwdefaults__ = fn.__kwdefaults__
    f.__annotations__ = dict(fn.__annotations__)
    return f


def keyed_njit(digest: str, **options):
    """``numba.njit(cache=True, **options)`` for a function whose machine code inlines, or
    links in, code or constants from modules other than its own: its cache files are named
    ``<name>__<digest>``, with ``digest`` from :func:`source_digest` of those modules."""

    def wrap(fn: types.FunctionType):
        return numba.njit(cache=True, **options)(renamed(fn, f"{fn.__name__}__{digest}"))

    return wrap
