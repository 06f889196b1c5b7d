"""hopfield-sim: replica theory and Monte Carlo of Hebbian associative memories.

The package ties together three import packages installed side by side:

- :mod:`theory` -- replica-symmetric and 1RSB self-consistency solvers;
- :mod:`montecarlo` -- Numba Monte Carlo engines for dense and multitasking networks;
- :mod:`hopfield_sim` -- sweeps, storage, plots, the command line and JAX Hopfield layers.

The sweep modules import xarray, matplotlib and Dask only when called, so ``import
hopfield_sim`` and the command line start fast; ``hopfield_sim.layers`` (JAX/Flax) is
imported on first access (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hopfield_sim._version import __version__ as __version__
from hopfield_sim.compare import compare as compare
from hopfield_sim.compare import comparison_table as comparison_table
from hopfield_sim.plot import plot_curves as plot_curves
from hopfield_sim.plot import plot_phase_diagram as plot_phase_diagram
from hopfield_sim.spec import AdaptiveOptions as AdaptiveOptions
from hopfield_sim.spec import MonteCarloOptions as MonteCarloOptions
from hopfield_sim.spec import SweepSpec as SweepSpec
from hopfield_sim.spec import TheoryOptions as TheoryOptions
from hopfield_sim.spec import load_spec as load_spec
from hopfield_sim.storage import DamagedStoreError as DamagedStoreError
from hopfield_sim.storage import StoreLockedError as StoreLockedError
from hopfield_sim.sweep import open_sweep as open_sweep
from hopfield_sim.sweep import sweep as sweep

if TYPE_CHECKING:
    from hopfield_sim import layers as layers

__all__ = [
    "__version__",
    "AdaptiveOptions",
    "DamagedStoreError",
    "StoreLockedError",
    "MonteCarloOptions",
    "SweepSpec",
    "TheoryOptions",
    "compare",
    "comparison_table",
    "layers",
    "load_spec",
    "open_sweep",
    "plot_curves",
    "plot_phase_diagram",
    "sweep",
]


def __getattr__(name: str) -> Any:  # lazy: hopfield_sim.layers imports flax
    if name == "layers":
        module = importlib.import_module("hopfield_sim.layers")
        globals()["layers"] = module
        return module
    raise AttributeError(f"module 'hopfield_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"layers"})
