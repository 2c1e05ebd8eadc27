"""Benchmark 4: engine overhead. Per-op cost of elementwise ops on 16-element float32 tensors and
of a 32x32 matmul, forward only (with and without recording) and forward+backward, in microseconds
per call. At these sizes the arithmetic is nothing: this is the framework's own cost per op."""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import calibrate, load_lib, time_calls


def _cases(L: Any) -> dict:
    T = L.T
    rng = np.random.default_rng(0)

    def t(shape, grad=False):
        x = T.from_numpy(rng.standard_normal(shape).astype(np.float32))
        return x.requires_grad_(True) if grad else x

    a, b = t(16), t(16)
    ag, bg = t(16, True), t(16, True)
    g16 = t(16)
    m1, m2 = t((32, 32)), t((32, 32))
    m1g, m2g = t((32, 32), True), t((32, 32), True)
    g32 = t((32, 32))

    def fwd_bwd(op, x, y, g):
        def f():
            x.grad = None
            y.grad = None
            op(x, y).backward(g)
        return f

    return {
        "add16_fwd": lambda: a + b,
        "mul16_fwd": lambda: a * b,
        "add16_fwd_record": lambda: ag + bg,
        "add16_fwd_bwd": fwd_bwd(lambda x, y: x + y, ag, bg, g16),
        "mul16_fwd_bwd": fwd_bwd(lambda x, y: x * y, ag, bg, g16),
        "matmul32_fwd": lambda: m1 @ m2,
        "matmul32_fwd_bwd": fwd_bwd(lambda x, y: x @ y, m1g, m2g, g32),
    }


def run(lib: str, repeat: int, **_: Any) -> dict:
    L = load_lib(lib)
    metrics = {}
    for name, fn in _cases(L).items():
        number = calibrate(fn, target_s=0.01)
        secs = time_calls(fn, number, repeat, warmup=10)
        metrics[name + "_us"] = {"samples": [s * 1e6 for s in secs], "unit": "us", "calls_per_sample": number}
    return {"metrics": metrics, "info": {"repeat": repeat}}
