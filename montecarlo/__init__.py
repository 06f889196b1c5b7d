"""Numba Monte Carlo engines for dense and multitasking Hebbian networks."""

from __future__ import annotations

__all__: list[str] = []
