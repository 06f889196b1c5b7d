"""Deprecated keyword names of the layers: one warning text, one renaming helper."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping

__all__ = ["renamed", "take_renamed", "warn_renamed"]


def warn_renamed(where: str, old: str, new: str, *, stacklevel: int = 3) -> None:
    """DeprecationWarning ``where(old=...)`` -> ``new``."""
    warnings.warn(
        f"{where}({old}=...) is deprecated; use {new} (see docs/layers.md, 'Names').",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def take_renamed(
    where: str, kwargs: dict, renames: Mapping[str, str], *, stacklevel: int = 4
) -> dict:
    """Move deprecated keywords of ``kwargs`` to their new names (in place), warning once each.

    TypeError (one line) when both the old and the new name are given.
    """
    for old, new in renames.items():
        if old not in kwargs:
            continue
        if new in kwargs:
            raise TypeError(f"{where}: give {new}= only ({old}= is its deprecated name).")
        warn_renamed(where, old, f"{new}=", stacklevel=stacklevel)
        kwargs[new] = kwargs.pop(old)
    return kwargs


def renamed(**renames: str) -> Callable:
    """Decorator: accept the keywords ``old=new`` pairs' old names with a DeprecationWarning."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if renames.keys() & kwargs.keys():
                take_renamed(fn.__qualname__, kwargs, renames)
            return fn(*args, **kwargs)

        return wrapper

    return decorate
