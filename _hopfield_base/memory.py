"""The memory guard: refuse a request whose estimated peak bytes exceed the memory available.

The limit is the environment variable ``HOPFIELD_SIM_MAX_MEMORY`` when it is set (a size such
as ``64GiB``, ``500MB``, a plain byte count, or ``unlimited``), else Linux ``MemAvailable``
(``/proc/meminfo``), else the physical memory. The estimates themselves belong to the packages
that allocate (``theory._memory``, ``montecarlo._memory``, ``hopfield_sim.tabular``); they are
upper bounds of the right order, not measurements.
"""

from __future__ import annotations

import math
import os
import re

ENV = "HOPFIELD_SIM_MAX_MEMORY"
FLOAT = 8  # bytes of a float64
OVERHEAD = 64 * 2**20  # fixed allowance for compiled code and small temporaries
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*$")
_UNITS = {"": 1, "b": 1}
for _i, _p in enumerate("kmgt", start=1):  # kB/MB/... are powers of 1000, KiB/MiB/... of 1024
    _UNITS[_p] = _UNITS[_p + "b"] = 1000**_i
    _UNITS[_p + "ib"] = 1024**_i


def parse_size(text: str) -> float:
    """Bytes from a size string: ``"64GiB"``, ``"500MB"``, ``"123456"``, ``"unlimited"``.

    Returns ``math.inf`` for ``unlimited`` (also ``inf``, ``none``). Decimal units (kB, MB, GB,
    TB) are powers of 1000, binary ones (KiB, MiB, GiB, TiB) powers of 1024; case is ignored.

    Raises
    ------
    ValueError
        Naming the environment variable, for anything else.
    """
    s = str(text).strip()
    if s.lower() in ("unlimited", "inf", "none"):
        return math.inf
    match = _SIZE.match(s)
    if match is None or match.group(2).lower() not in _UNITS:
        raise ValueError(
            f"{ENV} must be a size such as '64GiB', '500MB', a byte count or 'unlimited'; "
            f"got {text!r}."
        )
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def available_bytes() -> tuple[float, str]:
    """The memory limit in bytes and where it comes from (for messages)."""
    env = os.environ.get(ENV, "").strip()
    if env:
        return parse_size(env), f"{ENV}={env}"
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0, "MemAvailable"
    except OSError:  # pragma: no cover - not Linux
        pass
    try:  # pragma: no cover - not Linux
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")), "physical memory"
    except (ValueError, OSError, AttributeError):  # pragma: no cover
        return math.inf, "unknown"


def gib(nbytes: float) -> str:
    """``nbytes`` as a short GiB string."""
    return f"{nbytes / 2**30:.3g} GiB"


def check_memory(nbytes: float, what: str) -> None:
    """Raise ``ValueError`` if ``nbytes`` exceeds the memory available.

    Parameters
    ----------
    nbytes : float
        Estimated peak bytes of the request.
    what : str
        The request with its parameters, e.g. ``"archetypes(K=200000, N=200000)"``; it starts
        the message.

    Raises
    ------
    ValueError
        Naming ``what``, the estimate and the limit in GiB, and the override.
    """
    cap, source = available_bytes()
    if nbytes > cap:
        raise ValueError(
            f"{what} needs an estimated {gib(nbytes)}, more than the {gib(cap)} available "
            f"({source}). Reduce the request, or set the environment variable {ENV} "
            "(e.g. '64GiB', or 'unlimited') to override."
        )


__all__ = ["ENV", "FLOAT", "OVERHEAD", "available_bytes", "check_memory", "gib", "parse_size"]
