"""Deprecated keyword names of the layers: one warning text, one renaming helper."""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable, Mapping

__all__ = ["renamed", "take_renamed", "warn_renamed", "warn"]

_INTERNAL = ("hopfield_sim.layers", "flax.", "jax.")


def user_stacklevel() -> int:
    """``stacklevel`` for ``warnings.warn`` called from the caller of this function that
    points at the first frame outside this package's layers, flax and jax: the user's line."""
    level, frame = 2, sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_INTERNAL):
        level, frame = level + 1, frame.f_back
    return level


def warn(message: str) -> None:
    """A DeprecationWarning attributed to the user's line."""
    warnings.warn(message, DeprecationWarning, stacklevel=user_stacklevel())


def warn_renamed(where: str, old: str, new: str) -> None:
    """DeprecationWarning ``where(old=...)`` -> ``new``, attributed to the user's line."""
    warnings.warn(
        f"{where}({old}=...) is deprecated; use {new} (see docs/layers.md, 'Names').",
        DeprecationWarning,
        stacklevel=user_stacklevel(),
    )


def take_renamed(where: str, kwargs: dict, renames: Mapping[str, str]) -> dict:
    """Move deprecated keywords of ``kwargs`` to their new names (in place), warning once each.

    TypeError (one line) when both the old and the new name are given.
    """
    for old, new in renames.items():
        if old not in kwargs:
            continue
        if new in kwargs:
            raise TypeError(f"{where}: give {new}= only ({old}= is its deprecated name).")
        warn_renamed(where, old, f"{new}=")
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
