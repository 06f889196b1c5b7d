"""The installed package version, read from the distribution metadata."""

from __future__ import annotations

from importlib import metadata

try:
    __version__: str = metadata.version("hopfield-sim")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
