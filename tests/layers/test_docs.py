"""Every ```python block of docs/layers.md runs (the training examples in the slow tier).

The quick blocks run in the default tier; the two training loops (regression, bfloat16
classification: ~20 s idle each) in the slow tier, where the bfloat16 one is also checked to
learn.
"""

from __future__ import annotations

import re
import runpy
import warnings
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "layers.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
HEAVY = ("class SetClassifier", "class SetRegressor")


def _run(block: str, tmp_path: Path) -> dict:
    script = tmp_path / "doc_block.py"
    script.write_text(block)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # the docs use current names
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="flax|jax|optax")
        return runpy.run_path(str(script), run_name="__main__")


def _params():
    out = []
    for i, b in enumerate(BLOCKS):
        heavy = any(h in b for h in HEAVY)
        out.append(pytest.param(b, id=f"block{i}", marks=pytest.mark.slow if heavy else ()))
    return out


def test_the_doc_has_runnable_blocks():
    assert len(BLOCKS) >= 6 and sum(not any(h in b for h in HEAVY) for b in BLOCKS) >= 4


@pytest.mark.parametrize("block", _params())
def test_python_block_runs(block, tmp_path, capsys):
    ns = _run(block, tmp_path)
    if "class SetClassifier" in block:
        # always predicting the base rate P(max of 16 normals > 1.5) = 0.67 costs 0.63 nats
        assert float(ns["loss"]) < 0.4
        kernel = ns["model"].block.association.q_proj.kernel[...]
        assert str(kernel.dtype) == "float32"
    if "class SetRegressor" in block:
        assert float(ns["loss"]) < 0.007  # the variance of the max of 10 uniforms
    if "from_reference(" in block:
        assert [float(b) for b in ns["layer"].beta] == pytest.approx([0.6, 0.6])
