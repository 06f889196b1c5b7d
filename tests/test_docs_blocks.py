"""Every ```python block of docs/*.md runs as written.

The blocks of one page run in order in one namespace (a page reads as one session: later
blocks use names the earlier ones defined), in a fresh temporary folder, with warnings as
errors for our own DeprecationWarnings (the docs use current names). Pages whose blocks
compile solvers or run simulations and training are in the slow tier; docs/layers.md,
docs/simulating.md and docs/multitasking-simulation.md have their own tests (named in
:data:`ELSEWHERE`), which this file checks exist.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FENCE = re.compile(r"```python\n(.*?)```", flags=re.S)

#: pages whose blocks another test runs (page -> that test file)
ELSEWHERE = {
    "layers.md": "tests/layers/test_docs.py",
    "simulating.md": "tests/montecarlo/test_mc_docs.py",
    "multitasking-simulation.md": "tests/montecarlo/test_mc_docs.py",
}
#: pages that compile solvers, simulate or train (seconds to minutes): slow tier
SLOW = {
    "finite-size.md": "locates transitions at N up to 4000",
    "rsb.md": "compiles the 1RSB engine",
    "sweeps.md": "runs a Monte Carlo sweep at N = 1000",
    "tabular.md": "trains Hopular",
    "teacher-student.md": "samples 10 000 teacher examples",
    "theory.md": "compiles a dozen solver variants",
    "multitasking.md": "compiles the multitasking solver three times",
    "contrastive.md": "compiles the CLOOB losses and a training step",
}
#: names a page uses without defining them (data a reader brings), set before its blocks
SETUP = {
    "tabular.md": (
        "from sklearn.datasets import load_breast_cancer\n"
        "_X, _y = load_breast_cancer(return_X_y=True)\n"
        "X_train, y_train, X_test, y_test = _X[:400], _y[:400], _X[400:], _y[400:]\n"
        "X, y = _X[:200, :8], _X[:200, 8]\n"
    ),
}


def _pages() -> list[str]:
    return sorted(p.name for p in DOCS.glob("*.md") if FENCE.search(p.read_text()))


def _params():
    return [
        pytest.param(page, id=page, marks=pytest.mark.slow if page in SLOW else ())
        for page in _pages()
        if page not in ELSEWHERE
    ]


def test_every_page_with_python_blocks_is_run_somewhere():
    pages = _pages()
    assert len(pages) >= 10
    for page, test in ELSEWHERE.items():
        assert page in pages, page
        assert page in (ROOT / test).read_text(), (page, test)


@pytest.mark.parametrize("page", _params())
def test_page_blocks_run(page, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(ROOT))
    (tmp_path / "data").symlink_to(ROOT / "data")  # pages read data/... relative paths
    blocks = FENCE.findall((DOCS / page).read_text())
    namespace: dict = {"__name__": "__main__"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="flax|jax|optax")
        if page in SETUP:
            exec(compile(SETUP[page], f"{page}[setup]", "exec"), namespace)
        for k, block in enumerate(blocks):
            exec(compile(block, f"{page}[{k}]", "exec"), namespace)
    capsys.readouterr()
