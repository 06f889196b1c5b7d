"""Deprecated module names of the flat layout before theory/rs, theory/rsb and
theory/multitasking: ``import theory.at`` (and the others below) still works, gives the
module at its new place and warns once with a ``DeprecationWarning``."""

from __future__ import annotations

from _hopfield_base.deprecation import alias_attribute, install_module_aliases

ALIASES = {
    "theory.ags": "theory.rs.ags",
    "theory.dense": "theory.rs.dense",
    "theory.lowstorage": "theory.rs.lowstorage",
    "theory.stability": "theory.rs.stability",
    "theory.at": "theory.rs.at",
    "theory.ground_state": "theory.rsb.ground_state",
    "theory.rsb_ags": "theory.rsb.ags",
    "theory.multitasking_lines": "theory.multitasking.lines",
    "theory.snr": "theory.multitasking.snr",
}


def install() -> None:
    """Put the alias finder on ``sys.meta_path`` (once)."""
    install_module_aliases(ALIASES)


def attribute(name: str):
    """``theory.<name>`` for a deprecated short name (module ``__getattr__``)."""
    return alias_attribute("theory", name, ALIASES)
