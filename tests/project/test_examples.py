"""Every worked example of the teaching aids runs and its own assertions (the notes' numbers) hold."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (script, extra arguments, a line its output must contain)
EXAMPLES = [
    ("worked_linear_221.py", [], "net_h = [0.755, 0.68], y_hat = 0.8385"),
    ("worked_linear_221.py", ["--format", "latex"], "\\begin{align*}"),
    ("logistic_loglik.py", [], "dl/dtheta = (y - y_hat) h = [0.21069, 0.205571]"),
    ("softmax_xent.py", [], "dJ/dnet_o = z - t"),
    ("universal_approximation.py", ["--plot", "{tmp}/ua.png"], "80 bins"),
    ("vanishing_gradients.py", ["--depth", "6", "--steps", "8"], "input layer / output layer"),
    ("xor_perceptron_vs_mlp.py", ["--plot", "{tmp}/xor.png"], "2-2-1 sigmoid MLP"),
]


@pytest.mark.parametrize("script,args,expect", EXAMPLES, ids=[f"{s}{' ' + a[0] if a else ''}"
                                                              for s, a, _ in EXAMPLES])
def test_example_runs(tmp_path, script, args, expect):
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = subprocess.run([sys.executable, str(ROOT / "examples" / script), *argv], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert expect in r.stdout
    for a in argv:
        if a.endswith(".png"):
            assert Path(a).stat().st_size > 2000
