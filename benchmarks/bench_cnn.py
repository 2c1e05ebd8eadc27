"""Benchmark 2: the notes' CNN (pytorch/examples mnist ``Net``), Adadelta lr 1.0, batch 64:
milliseconds per training step (each step timed alone, after warm-up steps) and seconds per epoch,
extrapolated as median step x steps per epoch (20,000 / 64 -> 313)."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from . import mnist
from .common import load_lib, load_params

BATCH = 64
NEED = ("nn.Module", "nn.Conv2d", "nn.Linear", "nn.Dropout", "F.relu", "F.max_pool2d", "F.log_softmax",
        "F.nll_loss", "T.flatten", "optim.Adadelta")


def build_cnn(L: Any) -> Any:
    T, nn, F = L.T, L.nn, L.F

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = T.flatten(x, 1)
            x = self.fc1(x)
            x = F.relu(x)
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    model = Net()
    load_params(L, model)
    return model


def run(lib: str, steps: int, warmup: int, **_: Any) -> dict:
    L = load_lib(lib, need=NEED)
    T, F = L.T, L.F
    X, y = mnist.load("train", flat=False)
    T.manual_seed(0)
    model = build_cnn(L)
    model.train()
    opt = L.optim.Adadelta(model.parameters(), lr=1.0)
    rng = np.random.default_rng(1)
    perm = rng.permutation(len(X))[: (warmup + steps) * BATCH]
    Xs, ys = X[perm], y[perm]
    times = []
    for k in range(warmup + steps):
        xb = T.from_numpy(Xs[k * BATCH:(k + 1) * BATCH])
        yb = T.from_numpy(ys[k * BATCH:(k + 1) * BATCH])
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.nll_loss(model(xb), yb)
        loss.backward()
        opt.step()
        dt = time.perf_counter() - t0
        if k >= warmup:
            times.append(dt)
    per_epoch = math.ceil(len(X) / BATCH)
    return {
        "metrics": {
            "step_ms": {"samples": [t * 1e3 for t in times], "unit": "ms"},
            "epoch_s": {"samples": [t * per_epoch for t in times], "unit": "s", "extrapolated": True},
        },
        "info": {"steps": steps, "warmup": warmup, "batch": BATCH, "steps_per_epoch": per_epoch,
                 "final_loss": float(loss.item())},
    }
