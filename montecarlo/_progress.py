"""Optional progress bar for long ``sample`` runs: the driver is called over consecutive
ranges of sweeps (same result as one call) and a tqdm bar on stderr advances between them.
The one implementation is ``_hopfield_base.progress`` (re-exported here)."""

from __future__ import annotations

from _hopfield_base.progress import STEPS, check_flag, run_in_steps

__all__ = ["STEPS", "check_flag", "run_in_steps"]
