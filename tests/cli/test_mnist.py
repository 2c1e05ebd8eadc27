"""``netgrad train/evaluate/predict`` on a slice of the real MNIST files (../shared/data/mnist)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from netgrad.cli import main

MNIST = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"
pytestmark = pytest.mark.skipif(not (MNIST / "t10k-labels-idx1-ubyte.gz").is_file(),
                                reason=f"MNIST not found in {MNIST}")


def test_mnist_subset_train_evaluate_predict(capsys, tmp_path):
    run = tmp_path / "mnist"
    rc = main(["train", "--data", "mnist", "--mnist-root", str(MNIST), "--limit", "3000", "--epochs", "3",
               "--hidden", "64", "--batch-size", "64", "--out", str(run), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    m = json.loads((run / "metrics.json").read_text())
    assert m["test_split"] == "MNIST test set" and m["test"]["n"] == 1500
    assert m["test"]["accuracy"] > 0.8
    assert json.loads((run / "model.json").read_text())["n_features"] == 784
    capsys.readouterr()
    # evaluate finds the run's own test slice again (the MNIST root comes from the saved config)
    assert main(["evaluate", str(run), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["n"] == 1500 and got["accuracy"] == pytest.approx(m["test"]["accuracy"])
    assert main(["evaluate", str(run), "--split", "test", "--limit", "200"]) == 0
    assert "mnist (test, 200 samples)" in capsys.readouterr().out

    from netgrad.data import load_mnist

    X, y = load_mnist(MNIST, split="test", flatten=True, return_X_y=True)
    rows = tmp_path / "rows.csv"
    np.savetxt(rows, X[:50], delimiter=",", fmt="%.5g")
    assert main(["predict", str(run), str(rows), "--no-proba"]) == 0
    pred = np.array([int(v) for v in capsys.readouterr().out.split()[1:]])
    assert len(pred) == 50 and np.mean(pred == y[:50]) > 0.8
