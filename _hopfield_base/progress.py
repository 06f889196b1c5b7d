"""Progress bars of long computations (tqdm on stderr, off by default)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from _hopfield_base.validate import flag

STEPS = 100  # pieces a stepped run with a progress bar is split into (at most)


class Silent:
    """Stand-in for a tqdm bar when progress is off."""

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass


def check_flag(progress: object) -> bool:
    """``progress`` must be True or False (NumPy bools accepted); TypeError naming it else."""
    return flag("progress", progress)


def bar(
    progress: object, desc: str, total: int | None = None, unit: str = "it", *, leave: bool = False
) -> Any:
    """A tqdm bar writing to stderr if ``progress`` is True, else a silent stand-in.

    ``progress`` must be a bool (TypeError otherwise, before any work).
    """
    if not check_flag(progress):
        return Silent()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=leave)


def run_in_steps(
    run: Callable, args: tuple, total: int, progress: bool, *, unit: str = "sweep",
    desc: str = "sample",
) -> None:
    """Call ``run(*args, t_start, t_stop)`` over ``0 .. total - 1``: once without a progress
    bar, in about ``STEPS`` consecutive pieces with one (same result as one call)."""
    if not progress:
        run(*args, 0, total)
        return
    step = max(1, -(-total // STEPS))
    progress_bar = bar(True, desc, total=total, unit=unit, leave=True)
    try:
        t0 = 0
        while t0 < total:
            t1 = min(total, t0 + step)
            run(*args, t0, t1)
            progress_bar.update(t1 - t0)
            t0 = t1
    finally:
        progress_bar.close()


__all__ = ["STEPS", "Silent", "bar", "check_flag", "run_in_steps"]
