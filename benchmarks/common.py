"""Helpers shared by the benchmark workers: loading a library as one namespace, timing loops,
identical initial weights for every library, and the "not available" signal.

Workers import only the library they measure (never torch next to netgrad), so that one
process holds one set of BLAS/OpenMP thread pools.
"""

from __future__ import annotations

import time
import types
from typing import Any, Callable

import numpy as np


class NotAvailable(Exception):
    """A piece of the library that the benchmark needs is not importable yet."""


def load_lib(lib: str, need: tuple[str, ...] = ()) -> types.SimpleNamespace:
    """The library as ``L.T`` (top-level: torch / netgrad), ``L.nn``, ``L.F``, ``L.optim``.

    ``need`` names attributes (e.g. ``"nn.Linear"``, ``"optim.SGD"``) that must exist, else
    ``NotAvailable`` is raised naming the first missing one.
    """
    ns = types.SimpleNamespace(name=lib)
    if lib == "torch":
        import torch

        torch.set_num_threads(2)
        ns.T = torch
        ns.nn, ns.F, ns.optim = torch.nn, torch.nn.functional, torch.optim
    elif lib == "netgrad":
        import netgrad as ng

        ns.T = ng
        for sub, mod in (("nn", "netgrad.nn"), ("F", "netgrad.nn.functional"), ("optim", "netgrad.optim")):
            try:
                setattr(ns, sub, __import__(mod, fromlist=["_"]))
            except ImportError as e:
                setattr(ns, sub, _Missing(mod, str(e)))
    else:
        raise ValueError(f"unknown library {lib!r}")
    for path in need:
        obj: Any = ns
        for part in path.split("."):
            if isinstance(obj, _Missing) or not hasattr(obj, part):
                where = obj.module if isinstance(obj, _Missing) else f"{lib}.{path.rsplit('.', 1)[0]}"
                raise NotAvailable(f"{where} has no {part}" if not isinstance(obj, _Missing)
                                   else f"{where} not importable")
            obj = getattr(obj, part)
    return ns


class _Missing:
    def __init__(self, module: str, err: str):
        self.module, self.err = module, err


def init_params(params: list, seed: int = 0) -> list[np.ndarray]:
    """The same initial weights for every library: PyTorch's default uniform(+-1/sqrt(fan_in)),
    drawn from NumPy in parameter order (weight then bias, layer by layer)."""
    rng = np.random.default_rng(seed)
    arrays, fan_in = [], 1
    for p in params:
        shape = tuple(p.shape)
        if len(shape) > 1:
            fan_in = int(np.prod(shape[1:]))
        bound = 1.0 / np.sqrt(fan_in)
        arrays.append(rng.uniform(-bound, bound, size=shape).astype(np.float32))
    return arrays


def load_params(L: types.SimpleNamespace, model: Any, seed: int = 0) -> None:
    params = list(model.parameters())
    with L.T.no_grad():
        for p, a in zip(params, init_params(params, seed)):
            p.copy_(L.T.from_numpy(a))


def time_calls(fn: Callable[[], Any], number: int, repeat: int, warmup: int = 1) -> list[float]:
    """Seconds per call: ``repeat`` samples, each the mean over ``number`` back-to-back calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        out.append((time.perf_counter() - t0) / number)
    return out


def calibrate(fn: Callable[[], Any], target_s: float = 0.02) -> int:
    """Calls per sample so that one sample takes about ``target_s`` seconds."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= target_s / 4 or n >= 1 << 20:
            return max(1, int(n * target_s / max(dt, 1e-9)))
        n *= 4
