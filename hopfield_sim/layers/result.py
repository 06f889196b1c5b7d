"""``HopfieldResult``: the one result type of everything that returns more than the output.

``retrieve(..., return_info=True)`` and the modules' ``retrieve`` methods return it. The old
names ``Retrieval`` (functional core) and ``HopfieldOutput`` (modules) are deprecated aliases.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import jax

__all__ = ["HopfieldResult", "deprecated_alias"]


class HopfieldResult(NamedTuple):
    """Output of a retrieval together with what produced it.

    Shapes below are for the functional core (``...`` = batch axes, ``H`` heads, ``L``
    state patterns, ``S`` stored patterns); the modules use ``(B, ...)`` and their
    ``output`` is the layer output ``(B, L, out)`` after the output projection.

    Attributes
    ----------
    output : array, shape (..., L, H, dv)
        Retrieved values (``heads=False``: (..., L, dv)), in the computation dtype.
    weights : array, shape (..., H, L, S)
        Association (retrieval) weights of the last update (modules: ``S`` includes
        bias / zero rows).
    state : array, shape (..., L, H, d)
        Final state in the association space, ``weights @ keys``.
    steps : int32 array, shape (..., H)
        Updates performed after the first association (0 = one step, i.e. attention).
    converged : bool array, shape (..., H), or None
        True where the iteration stopped because the weights changed by at most
        ``update_steps_eps`` (False where it stopped at ``update_steps_max``). None where
        no convergence test ran: ``update_steps_max=0`` (one association step, i.e. plain
        attention) or a fixed schedule (``update_steps_eps=0``, every entry does exactly
        ``update_steps_max`` updates).
    values : array, shape (..., H, S, dv)
        The values the weights multiply (modules: the projected pattern matrix).
    patterns : array, shape (..., L, H, dv)
        Per-head retrieved patterns ``weights @ values`` before any output projection
        (the functional core: the same array as ``output`` with the heads axis).
    """

    output: jax.Array
    weights: jax.Array
    state: jax.Array
    steps: jax.Array
    converged: jax.Array
    values: jax.Array
    patterns: jax.Array


def deprecated_alias(name: str, module: str):
    """Return ``HopfieldResult`` for a removed result-type name, with a DeprecationWarning."""
    warnings.warn(
        f"{module}.{name} is deprecated; use hopfield_sim.layers.HopfieldResult (one result "
        "type for the functional core and the modules).",
        DeprecationWarning,
        stacklevel=3,
    )
    return HopfieldResult
