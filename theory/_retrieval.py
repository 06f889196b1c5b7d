"""Re-export of what counts as a retrieval state (now in ``theory._conventions``)."""

from __future__ import annotations

from theory._conventions import M_AT, M_RETRIEVAL, N_BRANCH, N_EXISTS, N_WARM, is_retrieval

__all__ = ["M_AT", "M_RETRIEVAL", "N_BRANCH", "N_EXISTS", "N_WARM", "is_retrieval"]
