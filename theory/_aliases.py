"""Deprecated module names of the flat layout before theory/rs, theory/rsb and
theory/multitasking: ``import theory.at`` (and the others below) still works, gives the
module at its new place and warns once with a ``DeprecationWarning``."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings

ALIASES = {
    "theory.ags": "theory.rs.ags",
    "theory.dense": "theory.rs.dense",
    "theory.lowstorage": "theory.rs.lowstorage",
    "theory.stability": "theory.rs.stability",
    "theory.at": "theory.rsb.at",
    "theory.ground_state": "theory.rsb.ground_state",
    "theory.rsb_ags": "theory.rsb.ags",
    "theory.multitasking_lines": "theory.multitasking.lines",
    "theory.snr": "theory.multitasking.snr",
}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):
        warnings.warn(
            f"{spec.name} is deprecated; import {self.target} instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass


class _AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname not in ALIASES:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(ALIASES[fullname]))


def install() -> None:
    """Put the alias finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.append(_AliasFinder())


def attribute(name: str):
    """``theory.<name>`` for a deprecated short name (module ``__getattr__``)."""
    full = f"theory.{name}"
    if full not in ALIASES:
        raise AttributeError(f"module 'theory' has no attribute {name!r}")
    return importlib.import_module(full)
