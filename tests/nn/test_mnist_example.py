"""examples/mnist_cnn.py (the notes' MNIST CNN on netgrad's PyTorch-style API): the network has the
notes' shapes, a few dozen Adadelta steps on a slice of ../shared/data/mnist make J fall, and the
command line (--epochs, --limit, --dry-run, --save-model) runs."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import netgrad as ng

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST = os.path.join(ROOT, "..", "shared", "data", "mnist")
EXAMPLE = os.path.join(ROOT, "examples", "mnist_cnn.py")
needs_mnist = pytest.mark.skipif(not os.path.isdir(MNIST), reason="../shared/data/mnist is not available")


def _load_example():
    spec = importlib.util.spec_from_file_location("mnist_cnn_example", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
@needs_mnist
def test_mnist_cnn_example_trains(capsys):
    ex = _load_example()
    from netgrad.data import load_mnist
    from netgrad.utils.data import DataLoader, Subset

    ng.manual_seed(1)
    train_set = Subset(load_mnist(MNIST, "train"), range(64 * 24))
    test_set = Subset(load_mnist(MNIST, "test"), range(300))
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=150)
    model = ex.Net()
    optimizer = ex.optim.Adadelta(model.parameters(), lr=1.0)
    schedule = ex.StepLR(optimizer, step_size=1, gamma=0.7)

    before, _ = ex.evaluate(model, test_loader)
    mean_train_J = ex.train_epoch(model, train_loader, optimizer, 1, log_every=10)
    schedule.step()
    after, accuracy = ex.evaluate(model, test_loader)
    assert after < 0.6 * before, (before, after)
    assert accuracy > 0.6, accuracy
    assert 0 < mean_train_J < before
    out = capsys.readouterr().out
    assert "epoch 1  step 1/24  images 64/1536" in out and "epoch 1  step 24/24  images 1536/1536" in out
    assert f"accuracy {round(accuracy * 300)}/300" in out
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.7)


@pytest.mark.slow
@needs_mnist
def test_mnist_cnn_command_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT, "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, EXAMPLE, "--data", MNIST, "--epochs", "2", "--limit", "256",
                        "--batch-size", "32", "--test-batch-size", "128", "--log-interval", "4",
                        "--save-model"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout
    assert "epoch 1: eta = 1\n" in out and "epoch 2: eta = 0.7\n" in out
    assert "epoch 2  step 8/8  images 256/256" in out and out.count("/256 = ") == 2
    state = ng.load(tmp_path / "mnist_cnn.pt")
    assert state["fc1.weight"].shape == (128, 9216)

    r = subprocess.run([sys.executable, EXAMPLE, "--data", MNIST, "--epochs", "1", "--limit", "200",
                        "--dry-run"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    steps = [line for line in r.stdout.splitlines() if "  step " in line]
    assert steps == [line for line in steps if "step 1/4  images 64/200" in line] and len(steps) == 1
    assert "accuracy " in r.stdout and "/200 = " in r.stdout


def test_mnist_cnn_net_shapes_and_parameter_count():
    ex = _load_example()
    model = ex.Net()
    out = model(ng.zeros(2, 1, 28, 28))
    assert out.shape == (2, 10)
    np.testing.assert_allclose(np.exp(out.numpy()).sum(1), 1, rtol=1e-5)
    assert sum(p.numel() for p in model.parameters()) == 1_199_882
    assert list(model.state_dict()) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                        "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    with open(EXAMPLE) as f:
        src = f.read()
    assert "import torch" not in src and "torchvision" not in src


def test_mnist_cnn_dropout_only_in_training():
    ex = _load_example()
    ng.manual_seed(0)
    model = ex.Net()
    x = ng.randn(3, 1, 28, 28)
    model.eval()
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())
    model.train()
    assert not np.allclose(model(x).numpy(), model(x).numpy())
