"""Every ```python block in README.md runs (in order, in one namespace), so the README stays true."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.filterwarnings("error")  # a user copying the README should see no warning
def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 4
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    printed = capsys.readouterr().out
    assert "tensor([-0.2439, -0.2196])" in printed
    assert "dJ/dW" in printed and "largest |difference|" in printed
