"""Progress bars of the long theory computations (tqdm on stderr, off by default). The one
implementation is ``_hopfield_base.progress`` (re-exported here)."""

from __future__ import annotations

from _hopfield_base.progress import bar
from _hopfield_base.progress import check_flag as flag_checked

__all__ = ["bar", "flag_checked"]
