"""Benchmark 3: MLP inference under ``no_grad`` at batch 1 and batch 1000, microseconds per call
(samples are means over back-to-back calls, about 20 ms each; the table shows their median)."""

from __future__ import annotations

from typing import Any

from . import mnist
from .bench_mlp import build_mlp
from .common import calibrate, load_lib, time_calls

NEED = ("nn.Module", "nn.Linear", "F.relu", "T.no_grad", "T.from_numpy")


def run(lib: str, repeat: int, **_: Any) -> dict:
    L = load_lib(lib, need=NEED)
    T = L.T
    X, _y = mnist.load("test")
    model = build_mlp(L)
    model.eval()
    metrics = {}
    with T.no_grad():
        for batch in (1, 1000):
            xb = T.from_numpy(X[:batch])

            def call(xb=xb):
                return model(xb)

            number = calibrate(call)
            secs = time_calls(call, number, repeat, warmup=3)
            metrics[f"batch{batch}_us"] = {"samples": [s * 1e6 for s in secs], "unit": "us",
                                           "calls_per_sample": number}
    return {"metrics": metrics, "info": {"repeat": repeat}}
