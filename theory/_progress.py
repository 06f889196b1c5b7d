"""Progress bars of the long theory computations (tqdm on stderr, off by default)."""

from __future__ import annotations

import sys
from typing import Any

from theory import _validate


class _Silent:
    """Stand-in for a tqdm bar when progress is off."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def bar(progress: object, desc: str, total: int | None = None, unit: str = "it") -> Any:
    """A tqdm bar writing to stderr if ``progress`` is True, else a silent stand-in.

    ``progress`` must be a bool (TypeError otherwise, before any work).
    """
    if not _validate.flag("progress", progress):
        return _Silent()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)


def flag_checked(progress: object) -> bool:
    """Check ``progress`` up front (TypeError naming it unless it is a bool)."""
    return _validate.flag("progress", progress)
