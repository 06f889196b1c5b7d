"""The code blocks of the simulation user-guide pages run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ["simulating.md", "multitasking-simulation.md"]


def _blocks(page):
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


@pytest.mark.parametrize(
    "page, k", [(p, k) for p in PAGES for k in range(len(_blocks(p)))], ids=str
)
def test_doc_example_runs(page, k, capsys):
    exec(compile(_blocks(page)[k], f"{page}[{k}]", "exec"), {})
    capsys.readouterr()
