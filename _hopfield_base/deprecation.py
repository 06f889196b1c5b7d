"""Deprecated names that keep working: module aliases and one warning text.

A package that moved modules registers ``{old dotted name: new dotted name}`` with
:func:`install_module_aliases`; ``import old`` then gives the new module and warns once with a
``DeprecationWarning``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Mapping


def warn_moved(old: str, new: str, *, stacklevel: int = 2) -> None:
    """``DeprecationWarning``: ``old`` is deprecated, use ``new``."""
    warnings.warn(
        f"{old} is deprecated; import {new} instead.", DeprecationWarning, stacklevel=stacklevel + 1
    )


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):
        warn_moved(spec.name, self.target, stacklevel=2)
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass


class _AliasFinder(importlib.abc.MetaPathFinder):
    def __init__(self, aliases: Mapping[str, str]) -> None:
        self.aliases = aliases

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.aliases:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(self.aliases[fullname]))


def install_module_aliases(aliases: Mapping[str, str]) -> None:
    """Put a finder for ``aliases`` on ``sys.meta_path`` (once per mapping object)."""
    if not any(isinstance(f, _AliasFinder) and f.aliases is aliases for f in sys.meta_path):
        sys.meta_path.append(_AliasFinder(aliases))


def alias_attribute(package: str, name: str, aliases: Mapping[str, str]):
    """``package.<name>`` for a deprecated module name (for a package ``__getattr__``)."""
    full = f"{package}.{name}"
    if full not in aliases:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return importlib.import_module(full)


__all__ = ["alias_attribute", "install_module_aliases", "warn_moved"]
