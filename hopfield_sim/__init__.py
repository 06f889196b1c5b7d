"""hopfield-sim: replica theory and Monte Carlo of Hebbian associative memories.

The package ties together three import packages installed side by side:

- :mod:`theory` -- replica-symmetric and 1RSB self-consistency solvers;
- :mod:`montecarlo` -- Numba Monte Carlo engines for dense and multitasking networks;
- :mod:`hopfield_sim` -- sweeps, storage, plots, the command line and JAX Hopfield layers.

The sweep modules import xarray, matplotlib and Dask only when called, so ``import
hopfield_sim`` and the command line start fast; the submodules :data:`SUBMODULES`
(``layers`` and ``tabular`` with JAX/Flax; ``samples``, ``scaling``, ``basins`` and
``finite_size``, the analysis tools of sweeps) are imported on first access (PEP 562).
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
    from hopfield_sim import basins as basins
    from hopfield_sim import finite_size as finite_size
    from hopfield_sim import layers as layers
    from hopfield_sim import samples as samples
    from hopfield_sim import scaling as scaling
    from hopfield_sim import tabular as tabular

#: public submodules loaded on first attribute access
SUBMODULES = ("basins", "finite_size", "layers", "samples", "scaling", "tabular")

__all__ = [
    "__version__",
    "AdaptiveOptions",
    "basins",
    "finite_size",
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
    "samples",
    "scaling",
    "sweep",
    "tabular",
]


def __getattr__(name: str) -> Any:  # lazy: layers and tabular import flax, the rest xarray
    if name in SUBMODULES:
        module = importlib.import_module(f"hopfield_sim.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'hopfield_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES))
