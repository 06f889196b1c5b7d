"""Re-export of the load conventions (now in ``theory._conventions``)."""

from __future__ import annotations

from theory._conventions import crosstalk, delta_per_alpha, factorial

__all__ = ["crosstalk", "delta_per_alpha", "factorial"]
