"""Numba's on-disk cache never runs stale physics (issue 29).

Numba keys a ``cache=True`` function by its own file only, while its machine code carries the
code and constants of the functions it calls from other modules. Each test works on a
temporary copy of the ``montecarlo`` package with its own ``NUMBA_CACHE_DIR``, in
subprocesses, edits the copy of a module the kernels compile in, and checks that the edit
reaches the cache keys (default tier, no compiling) or the sampled physics (slow tier).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import montecarlo

PACKAGE = Path(montecarlo.__file__).parent


def _copy_package(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    shutil.copytree(PACKAGE, root / "montecarlo", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _run(root: Path, cache: Path, code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(root), NUMBA_CACHE_DIR=str(cache))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=root, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} not found once in {path.name}"
    path.write_text(text.replace(old, new))


# For every cached dispatcher of the package: its cache index file name, and the modules
# whose code or constants it compiles in (names it reads that are bound to another module's
# objects, followed through the jitted functions it calls).
_SURVEY = """
import importlib, json, pkgutil, types
import montecarlo
from numba.core.registry import CPUDispatcher

mods = {m.name: importlib.import_module(m.name)
        for m in pkgutil.iter_modules(montecarlo.__path__, "montecarlo.")}

def names(code):
    out = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out |= names(c)
    return out

def home(obj):
    if isinstance(obj, CPUDispatcher):
        return obj.py_func.__module__
    if isinstance(obj, (types.FunctionType, type)):
        return obj.__module__
    return None  # a constant: attributed to the module that defines the name

def defining(mod_name, name):
    # the module that binds ``name`` first, in the import order of the kernels
    for m in ("montecarlo._rng", "montecarlo._deltas", "montecarlo._kernels",
              "montecarlo.tempering", "montecarlo._chains"):
        if name in vars(mods[m]):
            return m
    return mod_name

disp = {}
for mod_name, mod in mods.items():
    for attr, obj in vars(mod).items():
        if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == mod_name \\
                and obj._cache.__class__.__name__ == "FunctionCache":
            disp[f"{mod_name}.{attr}"] = obj

def deps(obj, seen):
    # modules other than obj's own whose code or constants obj compiles in, transitively
    seen.add(id(obj))
    own = obj.py_func.__module__
    g = obj.py_func.__globals__
    out = set()
    for n in names(obj.py_func.__code__):
        if n not in g or isinstance(g[n], types.ModuleType):
            continue
        src = home(g[n]) or defining(own, n)
        if src and src.startswith("montecarlo") and src != own:
            out.add(src)
        if isinstance(g[n], CPUDispatcher) and id(g[n]) not in seen:
            out |= deps(g[n], seen) - {own}
    return out

print(json.dumps({k: [d._cache._cache_file._index_name, sorted(deps(d, set()))]
                  for k, d in disp.items()}))
"""


def test_cache_keys_change_with_every_inlined_source(tmp_path):
    """Edit the leaf modules the kernels compile in (energy changes, random numbers): every
    cached function that compiles in code or constants from them gets new cache files."""
    root = _copy_package(tmp_path)
    before = json.loads(_run(root, tmp_path / "cache", _SURVEY))
    leaves = {"montecarlo._deltas", "montecarlo._rng"}
    for leaf in leaves:
        path = root / "montecarlo" / (leaf.split(".")[1] + ".py")
        path.write_text(path.read_text() + "\n# edited\n")
    after = json.loads(_run(root, tmp_path / "cache", _SURVEY))
    assert before.keys() == after.keys()
    dependent = {k for k, (_, deps) in before.items() if set(deps) & leaves}
    # the analysis finds the functions of the report (it cannot pass vacuously)
    for k in ("montecarlo._kernels.sweep", "montecarlo._kernels._attempts",
              "montecarlo._kernels.energy", "montecarlo._kernels.energies",
              "montecarlo._chains.run_serial", "montecarlo._chains.run_parallel",
              "montecarlo.tempering.exchange"):  # fmt: skip
        assert k in dependent, k
    stale = sorted(k for k in dependent if before[k][0] == after[k][0])
    assert not stale, f"cached with the old code of {sorted(leaves)}: {stale}"
    # functions of the edited modules themselves are keyed by Numba (file stamp): unchanged
    own = [k for k in before if k.rsplit(".", 1)[0] in leaves]
    assert own and all(before[k][0] == after[k][0] for k in own)


_SAMPLE = """
import numpy as np
import montecarlo
xi = montecarlo.archetypes(K=3, N=300, d=0.4, seed=0)  # diluted, P = 4: power mode
net = montecarlo.DenseHebbianNetwork(P=4, patterns=xi, sparse=True)
assert net._terms.mode == 1
res = net.sample(beta=0.2, sweeps=3, chains=1, seed=1)  # hot: starts at pattern 0, melts
print(" ".join(f"{v:.4f}" for v in res.m_trace.isel(chain=0, pattern=0).values))
"""


@pytest.mark.slow
def test_warm_cache_runs_the_edited_energy_change(tmp_path):
    """The report's reproduction: sample with a warm cache, replace the P = 4 power-mode
    energy change by +inf (no flip is ever accepted), sample again: m stays at its initial
    value (the overlap of the diluted pattern with its own sign pattern, about 1 - d)."""
    root = _copy_package(tmp_path)
    cache = tmp_path / "cache"
    m_before = [float(v) for v in _run(root, cache, _SAMPLE).split()]
    _edit(root / "montecarlo" / "_deltas.py", "    return -2.0 * c * acc / 6.0\n",
          "    return np.inf\n")  # fmt: skip
    m_after = [float(v) for v in _run(root, cache, _SAMPLE).split()]
    assert m_after == [m_after[0]] * len(m_after)  # frozen at the initial overlap
    assert m_before[-1] < m_after[0] - 0.1  # before the edit the hot chain melted
