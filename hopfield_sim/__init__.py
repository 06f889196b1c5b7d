"""hopfield-sim: replica theory and Monte Carlo of Hebbian associative memories.

The package ties together three import packages installed side by side:

- :mod:`theory` -- replica-symmetric and 1RSB self-consistency solvers;
- :mod:`montecarlo` -- Numba Monte Carlo engines for dense and multitasking networks;
- :mod:`hopfield_sim` -- sweeps, storage, plots, the command line and JAX Hopfield layers.
"""

from __future__ import annotations

from hopfield_sim._version import __version__ as __version__

__all__ = ["__version__"]
