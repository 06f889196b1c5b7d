"""Memory guard of the theory solvers: estimate the bytes of a request before allocating,
and refuse it when the estimate exceeds the memory available.

The limit is the environment variable ``HOPFIELD_SIM_MAX_MEMORY`` when it is set (a size
such as ``64GiB``, ``500MB``, a plain byte count, or ``unlimited``), else Linux
``MemAvailable`` (``/proc/meminfo``), else the physical memory. Same semantics as
``montecarlo``'s guard (the two packages do not import each other). Estimates count the
dominant arrays (grids, binomial supports, quadrature tensors, Jacobians) times a small
factor for temporaries; they are upper bounds of the right order, not measurements.
"""

from __future__ import annotations

import math
import os
import re

ENV = "HOPFIELD_SIM_MAX_MEMORY"
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*$")
_SCALE = {"": 1, "b": 1}
for _i, _p in enumerate("kmgt", start=1):
    _SCALE[_p] = _SCALE[_p + "b"] = 1000**_i
    _SCALE[_p + "ib"] = 1024**_i
FLOAT = 8  # bytes of a float64
OVERHEAD = 64 * 2**20  # fixed allowance for compiled code and small temporaries


def parse_size(text: str) -> float:
    """Bytes from ``"64GiB"``, ``"500MB"``, ``"123456"`` or ``"unlimited"`` (-> inf).

    kB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024; case is ignored.
    """
    s = str(text).strip()
    if s.lower() in ("unlimited", "inf", "none"):
        return math.inf
    match = _SIZE.match(s)
    if match is None or match.group(2).lower() not in _SCALE:
        raise ValueError(
            f"{ENV} must be a size such as '64GiB', '500MB', a byte count or 'unlimited'; "
            f"got {text!r}."
        )
    return float(match.group(1)) * _SCALE[match.group(2).lower()]


def limit() -> tuple[float, str]:
    """The memory limit in bytes and where it comes from (for the message)."""
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


def check(nbytes: float, what: str) -> None:
    """Raise ``ValueError`` naming ``what`` (the request and its parameters), the estimate
    and the limit in GiB, and the override, if ``nbytes`` exceeds the limit."""
    cap, source = limit()
    if nbytes > cap:
        raise ValueError(
            f"{what} needs an estimated {nbytes / 2**30:.3g} GiB, more than the "
            f"{cap / 2**30:.3g} GiB available ({source}). Reduce the sizes, or set the "
            f"environment variable {ENV} (e.g. '64GiB', or 'unlimited') to override."
        )


def rs_grid_bytes(points: int, support: int = 1) -> float:
    """Peak bytes of ``theory.solve`` at RS: the flat grid (about 40 float64 arrays of
    inputs, results and labels) plus one solver chunk of at most 4096 points, each with a
    ``support`` x 64-node quadrature tensor (``support = M_max + 1`` for the exact binomial
    law) held about 16 times (both quadrature rules, forward-mode Jacobian). Chunks are
    padded to 128 or 4096 points (theory's RS kernel)."""
    chunk = 128 if points <= 128 else 4096
    return OVERHEAD + 40.0 * FLOAT * points + 16.0 * FLOAT * chunk * support * 64


def rsb_grid_bytes(points: int, n_y: int, nodes: int, n_scan: int) -> float:
    """Peak bytes of the 1RSB candidate solver: every grid point and candidate holds an
    (n_y, nodes, nodes) tensor of fields for each of the 2d + 1 = 9 finite-difference
    evaluations, about 4 times (weights, tilt, tanh)."""
    per_point = (1 + n_scan) * 9 * 4.0 * n_y * nodes * nodes * FLOAT
    return OVERHEAD + per_point * points


def multitasking_bytes(*, points: int, K: int, configs: int, nodes: int) -> float:
    """Peak bytes of ``theory.multitasking.solve``: the configuration table (configs x K,
    three copies), per grid point the K x K Jacobian and Hessian and the per-configuration
    field averages (configs x nodes) for the six trial steps, about 4 times."""
    table = 3.0 * configs * K * FLOAT
    per_point = 4.0 * FLOAT * (3 * K * K + 7.0 * configs * max(nodes, 1) + 7.0 * configs * K)
    batch = max(8, 1 << max(int(points) - 1, 0).bit_length())
    return OVERHEAD + table + per_point * batch
