"""Checks shared by the pointwise op tests (trig, pointwise, rounding, logical): one table row
per op, run against torch in float32 and float64 (values, dtypes, gradients, second
derivatives) and through ``out=``.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pytest
import torch
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck

# Inputs per domain: random draws (for gradients, away from kinks and singular points) and edge
# values (forward only).
EDGES = {
    "any": [0.0, -0.0, 1.0, -1.0, 1e-8, -3.5, 30.0, -30.0, 1e3, 1e30, -1e30, np.inf, -np.inf, np.nan],
    "pos": [1e-30, 1e-8, 1.0, 2.0, 1e3, 1e30, np.inf, 0.0, -1.0, np.nan],
    "unit": [0.0, -0.0, 1.0, -1.0, 0.999, -0.999, 1e-8, 2.0, -2.0, np.nan],
    "ge1": [1.0, 1.0001, 2.0, 1e3, 1e30, np.inf, 0.5, -1.0, np.nan],
    "prob": [0.0, 1.0, 0.5, 1e-7, 1 - 1e-7, -0.5, 1.5, np.nan],
}


def sample(rng: np.random.Generator, shape: tuple, domain: str) -> np.ndarray:
    x = rng.standard_normal(shape)
    if domain == "pos":
        return np.abs(x) + 0.3
    if domain == "unit":
        return np.tanh(x) * 0.9
    if domain == "ge1":
        return np.abs(x) + 1.2
    if domain == "prob":
        return 0.1 + 0.8 / (1 + np.exp(-x))
    if domain == "nonint":  # away from integers and half-integers (kinks of floor, round, ...)
        x = x * 3
        return np.where(np.abs(x * 2 - np.round(x * 2)) < 0.1, x + 0.17, x)
    if domain == "nonzero":
        return np.where(np.abs(x) < 0.2, np.sign(x + 1e-12) * 0.5, x)
    return x


def edges(domain: str, dtype: Any) -> np.ndarray:
    return np.array(EDGES.get(domain, EDGES["any"]), dtype=dtype)


def check_unary(ngf: Callable, thf: Callable, domain: str, rng: np.random.Generator,
                rtol32: float = 2e-6, atol32: float = 1e-6, double_backward: bool = True) -> None:
    """Forward on random and edge values in float32 and float64, gradcheck in float64, first and
    second derivatives vs torch in float64, gradients vs torch in float32."""
    for dt, rtol, atol in ((np.float32, rtol32, atol32), (np.float64, 1e-12, 1e-300)):
        a = np.concatenate([sample(rng, (12,), domain), edges(domain, np.float64)]).astype(dt)
        with np.errstate(all="ignore"):
            assert_close(ngf(ng.tensor(a)), thf(torch.from_numpy(a)), atol, rtol, f"{dt.__name__} value")
    x64 = sample(rng, (2, 3), domain)
    assert gradcheck(ngf, [ng.tensor(x64, requires_grad=True)])
    compare_with_torch(ngf, thf, [x64], atol=1e-10, rtol=1e-9, double_backward=double_backward)
    compare_with_torch(ngf, thf, [x64.astype(np.float32)], atol=1e-5, rtol=1e-5)


def check_binary(ngf: Callable, thf: Callable, doms: tuple, rng: np.random.Generator,
                 double_backward: bool = True, rtol32: float = 2e-6) -> None:
    """As check_unary for two broadcasting operands, plus a Python number as either one."""
    a, b = sample(rng, (2, 3), doms[0]), sample(rng, (3,), doms[1])
    for dt, rtol in ((np.float32, rtol32), (np.float64, 1e-12)):
        compare_with_torch(ngf, thf, [a.astype(dt), b.astype(dt)], atol=1e-6 if dt is np.float32 else 1e-10,
                           rtol=rtol if dt is np.float64 else 1e-5, double_backward=dt is np.float64
                           and double_backward)
    assert gradcheck(ngf, [ng.tensor(a, requires_grad=True), ng.tensor(b, requires_grad=True)])
    s = float(sample(rng, (1,), doms[1])[0])
    compare_with_torch(lambda x: ngf(x, s), lambda x: thf(x, torch.tensor(s, dtype=x.dtype)), [a],
                       atol=1e-10, rtol=1e-9)
    s = float(sample(rng, (1,), doms[0])[0])
    compare_with_torch(lambda y: ngf(s, y), lambda y: thf(torch.tensor(s, dtype=y.dtype), y), [b],
                       atol=1e-10, rtol=1e-9)


def check_int_dtype(ngf: Callable, thf: Callable, values: list) -> None:
    """Integer (and bool) inputs give torch's dtype, also with float64 as the default dtype."""
    for default in (torch.float32, torch.float64):
        torch.set_default_dtype(default)
        ng.set_default_dtype(str(default).split(".")[1])
        try:
            for v in (np.array(values, dtype=np.int64), np.array(values, dtype=np.int32),
                      np.array([True, False])):
                try:
                    expected = thf(torch.from_numpy(v))
                except (RuntimeError, TypeError):
                    continue  # torch has no kernel for this dtype
                with np.errstate(all="ignore"):
                    assert_close(ngf(ng.tensor(v, dtype=v.dtype)), expected, 1e-6, 1e-5, f"{v.dtype} input")
                assert ngf(ng.tensor(v, dtype=v.dtype)).dtype == np.dtype(str(expected.dtype).split(".")[1])
        finally:
            torch.set_default_dtype(torch.float32)
            ng.set_default_dtype("float32")


def check_out(ngf: Callable, thf: Callable, x: np.ndarray, name: str, float_result: bool = True,
              exact: bool = False) -> None:
    """out=: written in place and returned, cast to out's dtype (``exact``: refused unless it is
    the result's dtype), resized with a warning, refused for integer out of a float result and
    under autograd, as in torch."""
    other = np.float64 if x.dtype == np.float32 else np.float32
    if exact:
        with pytest.raises(RuntimeError):
            thf(torch.from_numpy(x), out=torch.zeros(x.shape, dtype=getattr(torch, other.__name__)))
        with pytest.raises(RuntimeError, match="Found dtype"):
            ngf(ng.tensor(x), out=ng.zeros(x.shape, dtype=other))
    for odt in ((x.dtype.type,) if exact else (np.float32, np.float64)):
        o_ng, o_th = ng.zeros(x.shape, dtype=odt), torch.zeros(x.shape, dtype=getattr(torch, odt.__name__))
        mem = o_ng.numpy()
        r_ng = ngf(ng.tensor(x), out=o_ng)
        assert thf(torch.from_numpy(x), out=o_th) is o_th
        assert r_ng is o_ng and o_ng.numpy() is mem
        assert_close(o_ng, o_th, 1e-6, 1e-6, "out")
    big_ng, big_th = ng.zeros((7,), dtype=x.dtype), torch.zeros(7, dtype=torch.from_numpy(x).dtype)
    with pytest.warns(UserWarning, match="resized"):
        ngf(ng.tensor(x), out=big_ng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        thf(torch.from_numpy(x), out=big_th)
    assert_close(big_ng, big_th, 1e-6, 1e-6, "resized out")
    if float_result:
        with pytest.raises(RuntimeError, match="can't be cast|Found dtype"):
            ngf(ng.tensor(x), out=ng.zeros(x.shape, dtype=ng.int64))
    with pytest.raises(RuntimeError, match=f"{name}\\(\\): functions with out="):
        ngf(ng.tensor(x, requires_grad=True), out=ng.zeros(x.shape, dtype=x.dtype))
    with ng.no_grad():
        assert ngf(ng.tensor(x, requires_grad=True), out=ng.zeros(x.shape, dtype=x.dtype)) is not None
