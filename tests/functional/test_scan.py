"""Scans: cumsum cumprod cummax cummin logcumsumexp diff, against torch (values, gradients, second
derivatives), float64 gradcheck, dtypes and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck


@pytest.fixture
def a(rng):
    return rng.standard_normal((3, 4, 5))


def _with_zeros(a):
    b = a.copy()
    b[0, 1, 2] = 0.0
    b[1, 2, 0] = 0.0
    b[1, 2, 3] = 0.0  # two zeros in one scanned row
    b[2, 0, :] = 0.0
    return b


SCANS = [
    ("cumsum", lambda x, d: ng.cumsum(x, dim=d), lambda x, d: torch.cumsum(x, dim=d)),
    ("cumprod", lambda x, d: x.cumprod(d), lambda x, d: x.cumprod(d)),
    ("logcumsumexp", lambda x, d: ng.logcumsumexp(x, d), lambda x, d: torch.logcumsumexp(x, d)),
    ("cummax", lambda x, d: ng.cummax(x, d), lambda x, d: torch.cummax(x, d)),
    ("cummin", lambda x, d: x.cummin(dim=d), lambda x, d: x.cummin(dim=d)),
    ("diff", lambda x, d: ng.diff(x, dim=d), lambda x, d: torch.diff(x, dim=d)),
]


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name,ngf,thf", SCANS, ids=[s[0] for s in SCANS])
def test_scan_matches_torch_with_double_backward(name, ngf, thf, dim, a):
    compare_with_torch(lambda x: ngf(x, dim), lambda x: thf(x, dim), [a], atol=1e-10, rtol=1e-8,
                       double_backward=True)
    out32 = ngf(ng.tensor(a.astype(np.float32)), dim)
    out32 = out32[0] if isinstance(out32, tuple) else out32
    assert out32.dtype == ng.float32


@pytest.mark.parametrize("name,ngf,thf", SCANS[:2], ids=["cumsum", "cumprod"])
def test_scan_gradcheck_with_zeros(name, ngf, thf, a):
    b = _with_zeros(a)
    x = ng.tensor(b, requires_grad=True)
    assert gradcheck(lambda t: ngf(t, 2), [x])
    assert gradgradcheck(lambda t: ngf(t, 2), [x])
    compare_with_torch(lambda t: ngf(t, 2), lambda t: thf(t, 2), [b], atol=1e-10, rtol=1e-8,
                       double_backward=name == "cumsum")


def test_cumprod_zero_gradient_vs_torch_first_order(a):
    b = _with_zeros(a)
    compare_with_torch(lambda t: t.cumprod(-1), lambda t: t.cumprod(-1), [b], atol=1e-10, rtol=1e-8)


def test_logcumsumexp_large_values_and_gradcheck(rng):
    a = rng.standard_normal((2, 6)) * 300  # e^x overflows: the log-space backward must not
    compare_with_torch(lambda t: ng.logcumsumexp(t, 1), lambda t: torch.logcumsumexp(t, 1), [a],
                       atol=1e-8, rtol=1e-8)
    x = ng.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda t: ng.logcumsumexp(t, 0), [x])
    assert gradgradcheck(lambda t: ng.logcumsumexp(t, 0), [x])


@pytest.mark.parametrize("fn", ["cumsum", "cumprod"])
def test_integer_and_bool_scans_give_int64(fn):
    for data in ([1, 2, 3], [True, False, True]):
        got = getattr(ng, fn)(ng.tensor(data), 0)
        want = getattr(torch, fn)(torch.tensor(data), 0)
        assert got.dtype == ng.int64 and want.dtype == torch.int64
        assert got.tolist() == want.tolist()
    got = ng.cumsum(ng.tensor([1, 2]), 0, dtype=ng.float64)
    assert got.dtype == ng.float64 and got.tolist() == [1.0, 3.0]


def test_cummax_ties_and_integers_match_torch():
    data = [3, 1, 3, 2, 5, 5, 0]
    for fn in ("cummax", "cummin"):
        got, want = getattr(ng, fn)(ng.tensor(data), 0), getattr(torch, fn)(torch.tensor(data), 0)
        assert got.values.tolist() == want.values.tolist()
        assert got.indices.tolist() == want.indices.tolist()
        assert got.indices.dtype == ng.int64


def test_cummax_gradient_with_ties_matches_torch():
    a = np.array([[1.0, 3.0, 3.0, 2.0, 4.0, 4.0]])
    compare_with_torch(lambda t: t.cummax(1).values, lambda t: t.cummax(1).values, [a])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_diff_n_prepend_append(n, rng):
    a, p, q = rng.standard_normal((3, 4)), rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
    compare_with_torch(lambda x, y, z: ng.diff(x, n=n, dim=1, prepend=y, append=z),
                       lambda x, y, z: torch.diff(x, n=n, dim=1, prepend=y, append=z), [a, p, q],
                       atol=1e-10, rtol=1e-9)
    assert ng.diff(ng.tensor([True, True, False]), 1).tolist() == [False, True]
    assert ng.diff(ng.tensor([1, 4, 9]), 2).tolist() == [2]


def test_scan_errors_match_torch():
    x = ng.ones(2, 3)
    with pytest.raises(IndexError, match="cumsum"):
        ng.cumsum(x, 2)
    with pytest.raises(IndexError):
        torch.cumsum(torch.ones(2, 3), 2)
    with pytest.raises(TypeError):
        ng.cumsum(x)
    with pytest.raises(TypeError):
        torch.cumsum(torch.ones(2, 3))
    with pytest.raises(RuntimeError, match="diff"):
        ng.diff(ng.tensor(1.0))
    with pytest.raises(RuntimeError):
        torch.diff(torch.tensor(1.0))


def test_scalar_scans():
    x = ng.tensor(2.0, requires_grad=True)
    y = ng.cumsum(x, 0) * ng.cumprod(x, 0)
    y.backward()
    assert y.item() == 4.0 and x.grad.item() == 4.0


def test_logcumsumexp_of_integers_is_not_implemented_as_in_torch():
    with pytest.raises(NotImplementedError, match="logcumsumexp"):
        ng.logcumsumexp(ng.tensor([1, 2]), 0)
    with pytest.raises(NotImplementedError):
        torch.logcumsumexp(torch.tensor([1, 2]), 0)
