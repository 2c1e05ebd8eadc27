"""index_put, put, masked_scatter (out of place) against torch: values, gradients, second
derivatives, repeated positions, broadcasting and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck


@pytest.fixture
def a(rng):
    return rng.standard_normal((3, 4))


def _both(fn_ng, fn_th, inputs, **kw):
    compare_with_torch(fn_ng, fn_th, inputs, atol=1e-10, rtol=1e-9, double_backward=True, **kw)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(accumulate, a, rng):
    r, c = np.array([0, 2, 1]), np.array([3, 0, 1])
    v = rng.standard_normal(3)
    _both(lambda x, i, j, w: ng.index_put(x, (i, j), w, accumulate),
          lambda x, i, j, w: torch.index_put(x, (i, j), w, accumulate), [a, r, c, v])
    rows = rng.standard_normal((2, 4))
    _both(lambda x, i, w: x.index_put((i,), w, accumulate=accumulate),
          lambda x, i, w: x.index_put((i,), w, accumulate=accumulate), [a, np.array([2, 0]), rows])
    _both(lambda x, w: ng.index_put(x, (ng.tensor(a > 0),), w, accumulate),
          lambda x, w: torch.index_put(x, (torch.tensor(a > 0),), w, accumulate), [a, np.array(1.5)])
    if accumulate:  # repeated positions add up
        _both(lambda x, i, j, w: ng.index_put(x, (i, j), w, True),
              lambda x, i, j, w: torch.index_put(x, (i, j), w, True), [a, np.array([1, 1, 1]), c, v])


def test_put_and_masked_scatter(a, rng):
    idx, src = np.array([0, 11, -1, 5]), rng.standard_normal(4)
    for acc in (False, True):
        _both(lambda x, i, s: ng.put(x, i, s, acc), lambda x, i, s: torch.put(x, i, s, acc), [a, idx, src])
    m = rng.random((3, 4)) > 0.5
    s = rng.standard_normal(20)
    _both(ng.masked_scatter, torch.masked_scatter, [a, m, s])
    _both(lambda x, k, t: x.masked_scatter(k, t), lambda x, k, t: x.masked_scatter(k, t), [a, m[1], s])
    x, t = ng.tensor(a, requires_grad=True), ng.tensor(s, requires_grad=True)
    f = lambda u, v: ng.masked_scatter(u, ng.tensor(m), v) ** 2  # noqa: E731
    assert gradcheck(f, [x, t]) and gradgradcheck(f, [x, t])


def test_placing_errors_and_integers(a):
    got = ng.index_put(ng.zeros(3, dtype=ng.int64), (ng.tensor([0, 0]),), ng.tensor([1, 2]), True)
    assert got.tolist() == [3, 0, 0] and got.dtype == ng.int64
    with pytest.raises(IndexError, match="put"):
        ng.put(ng.tensor(a), ng.tensor([0, 1]), ng.tensor([1.0], dtype=ng.float64))
    with pytest.raises(IndexError):
        torch.put(torch.tensor(a), torch.tensor([0, 1]), torch.tensor([1.0], dtype=torch.float64))
    with pytest.raises(IndexError, match="put"):
        ng.put(ng.tensor(a), ng.tensor([12]), ng.tensor([1.0], dtype=ng.float64))
    with pytest.raises(RuntimeError, match="masked_scatter"):
        ng.masked_scatter(ng.tensor(a), ng.ones(3, 4, dtype=ng.bool), ng.ones(3, dtype=ng.float64))
    with pytest.raises(RuntimeError, match="masked_scatter"):
        ng.masked_scatter(ng.tensor(a), ng.ones(3, 4), ng.ones(12, dtype=ng.float64))
    with pytest.raises(RuntimeError):
        torch.masked_scatter(torch.tensor(a), torch.ones(3, 4), torch.ones(12, dtype=torch.float64))
