"""examples/xor.py and examples/gd_modes.py (in a reduced form) run and show what they claim."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_xor_example(capsys):
    model, history = _load("xor").main()
    out = capsys.readouterr().out
    assert "solved: True" in out and history.stop_reason in ("target_loss", "grad_tol")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    import netgrad as ng

    with ng.no_grad():
        pred = model(ng.tensor(X)).numpy().ravel()
    assert (np.round(pred) == [0, 1, 1, 0]).all()


def test_gd_modes_example_reduced(capsys):
    results = _load("gd_modes").main(n_samples=60, grad_tol=2e-2, max_epochs=2000)
    assert "one-example SGD" in capsys.readouterr().out
    batch, sgd, mini = (results[k] for k in ("batch GD", "one-example SGD", "mini-batch SGD (n=20)"))
    assert all(r["stop_reason"] == "grad_tol" and r["grad_norm"] < 2e-2 for r in (batch, sgd, mini))
    assert batch["updates"] == batch["epochs"] and sgd["updates"] == 60 * sgd["epochs"]
    assert mini["updates"] == 3 * mini["epochs"]
    assert sgd["epochs"] < mini["epochs"] < batch["epochs"]
    assert batch["updates"] < sgd["updates"]
