"""Re-export of the temperature conventions (now in ``theory._conventions``)."""

from __future__ import annotations

from theory._conventions import T_of_beta, beta_of_T, temperature

__all__ = ["T_of_beta", "beta_of_T", "temperature"]
