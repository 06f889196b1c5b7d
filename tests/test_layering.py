"""The layering rules of the packages, read from the source with ``ast`` (no imports run).

* ``theory``, ``montecarlo`` and ``hopfield_sim.tabular`` never import each other;
* ``_hopfield_base`` (the private foundation they share) imports none of the public packages.

Every ``import`` / ``from ... import`` statement counts, also inside functions (lazy imports)
and under ``TYPE_CHECKING``; relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package (dotted) -> the packages it must not import
FORBIDDEN = {
    "theory": ("montecarlo", "hopfield_sim"),
    "montecarlo": ("theory", "hopfield_sim"),
    "hopfield_sim.tabular": ("theory", "montecarlo"),
    "_hopfield_base": ("theory", "montecarlo", "hopfield_sim"),
}


def imported_modules(source: str, module: str, is_package: bool) -> set[str]:
    """Dotted names of every module ``source`` (module ``module``) imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}".lstrip(".") for alias in node.names)
    return found


def violations(package: str, root: Path = ROOT) -> list[str]:
    """``"file: imports name"`` for every forbidden import of ``package`` under ``root``."""
    folder = root.joinpath(*package.split("."))
    bad = []
    for path in sorted(folder.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        is_package = rel.name == "__init__"
        module = ".".join(rel.parts[:-1] if is_package else rel.parts)
        for name in imported_modules(path.read_text(encoding="utf-8"), module, is_package):
            for target in FORBIDDEN[package]:
                if name == target or name.startswith(target + "."):
                    bad.append(f"{path.relative_to(root)}: imports {name}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_keeps_to_its_layer(package):
    assert ROOT.joinpath(*package.split(".")).is_dir()
    assert violations(package) == []


def test_every_package_module_is_read():
    """The scan sees the modules (a wrong root would pass vacuously)."""
    for package in FORBIDDEN:
        files = list(ROOT.joinpath(*package.split(".")).rglob("*.py"))
        assert files, package
    assert len(list(ROOT.joinpath("theory").rglob("*.py"))) > 20


@pytest.mark.parametrize(
    ("package", "path", "line"),
    [
        ("theory", "theory/x.py", "import montecarlo\n"),
        ("theory", "theory/sub/y.py", "def f():\n    from hopfield_sim.tabular import api\n"),
        ("montecarlo", "montecarlo/z.py", "from theory._conventions import factorial\n"),
        ("hopfield_sim.tabular", "hopfield_sim/tabular/w.py", "import montecarlo as mc\n"),
        ("hopfield_sim.tabular", "hopfield_sim/tabular/v.py", "from ... import theory\n"),
        ("_hopfield_base", "_hopfield_base/u.py", "from theory import _x64\n"),
    ],
)
def test_a_planted_violation_is_found(tmp_path, package, path, line):
    for pkg in FORBIDDEN:  # an empty tree with every package
        folder = tmp_path.joinpath(*pkg.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        init = "import numpy\nfrom _hopfield_base import memory\n"
        folder.joinpath("__init__.py").write_text(init)
    assert violations(package, tmp_path) == []
    tmp_path.joinpath(path).parent.mkdir(parents=True, exist_ok=True)
    tmp_path.joinpath(path).write_text(line)
    found = violations(package, tmp_path)
    assert found and all(v.startswith(path + ":") for v in found)


def test_relative_imports_are_resolved():
    found = imported_modules("from ..rs import grid\n", "theory.rsb.at", is_package=False)
    assert "theory.rs.grid" in found
