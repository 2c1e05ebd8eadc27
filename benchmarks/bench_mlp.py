"""Benchmark 1: the MLP 784-256-128-10 (ReLU, cross-entropy, SGD lr 0.1 momentum 0.9, batch 128,
float32) on the 20,000 MNIST training images: seconds per epoch and test accuracy.
Every epoch after the first is one timing sample (the first is warm-up).

The netgrad and torch sides are one piece of code over the namespace ``L`` (see ``common.load_lib``);
scikit-learn's ``MLPClassifier`` runs one epoch per ``partial_fit`` call.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import mnist
from .common import load_lib, load_params

BATCH = 128
NEED = ("nn.Module", "nn.Linear", "F.relu", "F.cross_entropy", "optim.SGD", "T.no_grad", "T.from_numpy")


def build_mlp(L: Any) -> Any:
    nn, F = L.nn, L.F

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 256)
            self.fc2 = nn.Linear(256, 128)
            self.fc3 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    model = MLP()
    load_params(L, model)
    return model


def train_epoch(L: Any, model: Any, opt: Any, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> None:
    T, F = L.T, L.F
    perm = rng.permutation(len(X))
    Xs, ys = X[perm], y[perm]  # shuffling is part of an epoch (scikit-learn's includes it too)
    for i in range(0, len(Xs), BATCH):
        xb, yb = T.from_numpy(Xs[i:i + BATCH]), T.from_numpy(ys[i:i + BATCH])
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()


def accuracy(L: Any, model: Any, X: np.ndarray, y: np.ndarray) -> float:
    with L.T.no_grad():
        logits = model(L.T.from_numpy(X))
    return float((np.asarray(logits.numpy()).argmax(1) == y).mean())


def run(lib: str, epochs: int, **_: Any) -> dict:
    Xtr, ytr = mnist.load("train")
    Xte, yte = mnist.load("test")
    if lib == "sklearn":
        return _run_sklearn(Xtr, ytr, Xte, yte, epochs)
    L = load_lib(lib, need=NEED)
    L.T.manual_seed(0)
    model = build_mlp(L)
    opt = L.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(1)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        train_epoch(L, model, opt, Xtr, ytr, rng)
        times.append(time.perf_counter() - t0)
    return _result(times, len(Xtr), accuracy(L, model, Xte, yte))


def _run_sklearn(Xtr, ytr, Xte, yte, epochs: int) -> dict:
    import warnings

    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(256, 128), activation="relu", solver="sgd", momentum=0.9,
                        nesterovs_momentum=False, learning_rate="constant", learning_rate_init=0.1,
                        batch_size=BATCH, alpha=0.0, shuffle=True, random_state=0)
    classes = np.arange(10)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            t0 = time.perf_counter()
            clf.partial_fit(Xtr, ytr, classes=classes)  # one epoch of mini-batch SGD
            times.append(time.perf_counter() - t0)
    res = _result(times, len(Xtr), float((clf.predict(Xte) == yte).mean()))
    res["info"]["weights_dtype"] = str(clf.coefs_[0].dtype)
    return res


def _result(times: list[float], n: int, acc: float) -> dict:
    # The first epoch pays one-time costs (allocator, BLAS and oneDNN warm-up): it is kept in
    # ``info`` and left out of the timing samples whenever there are later epochs.
    epochs, first = len(times), times[0]
    times = times[1:] if epochs > 1 else times
    return {
        "metrics": {
            "epoch_s": {"samples": times, "unit": "s"},
            "samples_per_s": {"samples": [n / t for t in times], "unit": "1/s", "higher_is_better": True},
            "test_acc": {"samples": [acc], "unit": ""},
        },
        "info": {"epochs": epochs, "first_epoch_s": first, "train_n": n,
                 "batch": BATCH},
    }
