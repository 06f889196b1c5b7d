"""The public API guards itself: every public module imports on its own, and the public names
of each package face (``__all__``) are the ones docs/api.md states.

A public module is one whose dotted path has no component starting with ``_``. Each imports
in a fresh interpreter (no help from modules an earlier import loaded: an import cycle or a
missing dependency shows up here); that is one process per module, so the full set is in the
slow tier and the default tier imports the three package faces in one fresh process.
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "montecarlo", "hopfield_sim")
#: package faces whose ``__all__`` docs/api.md pins ("### `name.__all__`" + one line)
FACES = ("theory", "theory.rsb", "montecarlo", "hopfield_sim", "hopfield_sim.layers",
         "hopfield_sim.tabular")


def _public_modules() -> list[str]:
    """Dotted names of the public modules, from the source tree (nothing imported)."""
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not any(p.startswith("_") for p in parts):
                out.append(".".join(parts))
    return out


def _fresh(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip


def _documented() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "api.md").read_text()
    found = re.findall(r"^### `([\w.]+)\.__all__`\n\n(.+)$", text, flags=re.M)
    return {face: set(re.findall(r"`([^`]+)`", line)) for face, line in found}


def test_public_modules_are_found():
    mods = _public_modules()
    assert {"theory", "montecarlo", "hopfield_sim", "hopfield_sim.layers"} <= set(mods)
    assert len(mods) >= 60 and not any("._" in m for m in mods)


def test_package_faces_import_in_a_fresh_process():
    res = _fresh(
        "import sys, theory, montecarlo, hopfield_sim\n"
        "assert 'hopfield_sim.layers' not in sys.modules, 'layers must load lazily'\n"
        "assert 'flax' not in sys.modules and 'matplotlib' not in sys.modules\n"
    )
    assert res.returncode == 0, res.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("module", _public_modules())
def test_public_module_imports_in_a_fresh_process(module):
    res = _fresh(f"import {module}")
    assert res.returncode == 0, res.stderr[-3000:]


def test_docs_pin_every_face():
    assert set(_documented()) == set(FACES)


@pytest.mark.parametrize("face", FACES)
def test_public_names_are_the_documented_ones(face):
    module = importlib.import_module(face)
    names = set(module.__all__)
    assert len(names) == len(module.__all__), f"{face}.__all__ repeats a name"
    assert names == _documented()[face], (
        f"{face}: undocumented {sorted(names - _documented()[face])}, "
        f"documented but missing {sorted(_documented()[face] - names)}"
    )
    for name in names:
        assert getattr(module, name) is not None, f"{face}.{name}"
