"""Every ```python block of docs/guide.md runs, in order, in one namespace (as a reader would)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", GUIDE.read_text(), flags=re.S | re.M)


def test_guide_has_the_sections():
    text = GUIDE.read_text()
    for title in ("The neuron", "Forward propagation", "chain rule", "Backpropagation", "Training",
                  "Activations and their problems"):
        assert title in text
    assert len(BLOCKS) >= 10


def test_guide_snippets_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    import netgrad as ng

    ns: dict = {"__name__": "guide"}
    try:
        for i, block in enumerate(BLOCKS, 1):
            try:
                exec(compile(block, f"docs/guide.md block {i}", "exec"), ns)
            except Exception as e:
                raise AssertionError(f"guide block {i} failed: {type(e).__name__}: {e}\n{block}") from e
    finally:
        plt.close("all")
        ng.set_default_dtype(ng.float32)
    for png in ("activations.png", "vanishing.png", "bumps.png"):
        assert os.path.getsize(tmp_path / png) > 2000
    assert (tmp_path / "graph.svg").read_text().startswith("<svg")
