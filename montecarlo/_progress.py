"""Optional progress bar for long ``sample`` runs: the driver is called over consecutive
ranges of sweeps (same result as one call) and a tqdm bar on stderr advances between them."""

from __future__ import annotations

import sys
from collections.abc import Callable

STEPS = 100  # kernel calls a run with a progress bar is split into (at most)


def check_flag(progress: object) -> bool:
    """``progress`` must be True or False."""
    if not isinstance(progress, bool) and type(progress).__name__ != "bool_":
        raise TypeError(f"progress must be True or False; got {progress!r}.")
    return bool(progress)


def run_in_steps(run: Callable, args: tuple, total: int, progress: bool) -> None:
    """Call ``run(*args, t_start, t_stop)`` over sweeps ``0 .. total - 1``: once without a
    progress bar, in about ``STEPS`` pieces with one."""
    if not progress:
        run(*args, 0, total)
        return
    from tqdm.auto import tqdm

    step = max(1, -(-total // STEPS))
    with tqdm(total=total, unit="sweep", file=sys.stderr, desc="sample") as bar:
        t0 = 0
        while t0 < total:
            t1 = min(total, t0 + step)
            run(*args, t0, t1)
            bar.update(t1 - t0)
            t0 = t1
