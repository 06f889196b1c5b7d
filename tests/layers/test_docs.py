"""The bfloat16 training example of docs/layers.md runs and learns (slow tier: ~20 s idle)."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "layers.md"


@pytest.mark.slow
def test_bfloat16_training_example_runs_and_learns(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    (block,) = [b for b in blocks if "class SetClassifier" in b]
    script = tmp_path / "bf16_example.py"
    script.write_text(block)
    ns = runpy.run_path(str(script), run_name="__main__")
    # always predicting the base rate P(max of 16 normals > 1.5) = 0.67 costs 0.63 nats
    assert float(ns["loss"]) < 0.4
    assert str(ns["model"].block.association.q_proj.kernel[...].dtype) == "float32"
