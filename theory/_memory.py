"""Memory guard of the theory solvers: estimate the bytes of a request before allocating,
and refuse it when the estimate exceeds the memory available.

The limit and the check are the shared guard of ``_hopfield_base.memory`` (re-exported here
as ``limit`` and ``check``); this module holds the theory's estimates. Estimates count the
dominant arrays (grids, binomial supports, quadrature tensors, Jacobians) times a small
factor for temporaries; they are upper bounds of the right order, not measurements.
"""

from __future__ import annotations

from _hopfield_base.memory import ENV, FLOAT, OVERHEAD, parse_size
from _hopfield_base.memory import available_bytes as limit
from _hopfield_base.memory import check_memory as check

__all__ = [
    "ENV",
    "FLOAT",
    "OVERHEAD",
    "check",
    "limit",
    "multitasking_bytes",
    "parse_size",
    "rs_grid_bytes",
    "rsb_grid_bytes",
]


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
