"""quantile nanquantile nansum nanmean var_mean std_mean aminmax against torch (values,
gradients, second derivatives), gradcheck, NaN rules and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck


@pytest.fixture
def a(rng):
    return rng.permutation(60).reshape(3, 4, 5).astype(np.float64) / 7 - 3


@pytest.mark.parametrize("interp", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("q", [0.3, 0.5, [0.0, 0.25, 0.9, 1.0]], ids=["0.3", "0.5", "vec"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (1, False), (-1, True)])
def test_quantile_matches_torch(q, interp, dim, keepdim, a):
    def f(m, x):
        qq = m.tensor(q, dtype=m.float64) if isinstance(q, list) else q
        return m.quantile(x, qq, dim, keepdim, interpolation=interp)

    compare_with_torch(lambda x: f(ng, x), lambda x: f(torch, x), [a], atol=1e-10, rtol=1e-9,
                       double_backward=True)


def test_quantile_gradcheck_nan_and_errors(a):
    x = ng.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: ng.quantile(t, 0.37, 2), [x])
    assert gradgradcheck(lambda t: t.quantile(0.37, 0) ** 2, [x])
    b = a.copy()
    b[0, 1, 2] = b[1, 0, :] = np.nan
    for fn in ("quantile", "nanquantile"):
        for dim in (None, 2):
            got = getattr(ng, fn)(ng.tensor(b), 0.4, dim)
            assert_close(got, getattr(torch, fn)(torch.tensor(b), 0.4, dim))
    compare_with_torch(lambda t: ng.nanquantile(t, 0.6, 1), lambda t: torch.nanquantile(t, 0.6, 1), [b],
                       atol=1e-10)
    with pytest.raises(RuntimeError, match="quantile"):
        ng.quantile(ng.tensor([1, 2]), 0.5)
    with pytest.raises(RuntimeError):
        torch.quantile(torch.tensor([1, 2]), 0.5)
    with pytest.raises(RuntimeError, match="range"):
        ng.quantile(ng.tensor([1.0]), 1.5)
    with pytest.raises(RuntimeError):
        torch.quantile(torch.tensor([1.0]), 1.5)
    assert ng.quantile(ng.tensor([1.0, 2.0], dtype=ng.float32), 0.5).dtype == ng.float32


def test_nansum_nanmean(a):
    b = a.copy()
    b[0, 1, 2] = b[2, :, 0] = np.nan
    for dim in (None, 0, (1, 2)):
        for fn in ("nansum", "nanmean"):
            kw = {} if dim is None else {"dim": dim, "keepdim": True}
            compare_with_torch(lambda t: getattr(ng, fn)(t, **kw), lambda t: getattr(torch, fn)(t, **kw), [b],
                               atol=1e-10, rtol=1e-9, double_backward=True)
    assert ng.nansum(ng.tensor([1, 2])).dtype == ng.int64
    assert ng.tensor(b).nanmean().shape == ()


@pytest.mark.parametrize("fn", ["var_mean", "std_mean"])
def test_var_mean_std_mean(fn, a):
    for args, kw in (((), {}), ((1,), {}), ((0,), {"keepdim": True}), (((0, 2),), {"correction": 0}),
                     ((1, False), {})):
        compare_with_torch(lambda t: getattr(ng, fn)(t, *args, **kw),
                           lambda t: getattr(torch, fn)(t, *args, **kw), [a], atol=1e-10, rtol=1e-9,
                           double_backward=True)


def test_aminmax(a):
    for kw in ({}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"keepdim": True}):
        compare_with_torch(lambda t: ng.aminmax(t, **kw), lambda t: torch.aminmax(t, **kw), [a], atol=1e-12)
    r = ng.tensor([[3, 1], [2, 5]]).aminmax(dim=0)
    assert r.min.tolist() == [2, 1] and r.max.tolist() == [3, 5]
    with pytest.raises(RuntimeError, match="aminmax"):
        ng.aminmax(ng.zeros(0))
    with pytest.raises(RuntimeError):
        torch.aminmax(torch.zeros(0))


def test_quantile_of_an_empty_tensor_raises_as_torch():
    with pytest.raises(RuntimeError, match="non-empty"):
        ng.quantile(ng.zeros(0), 0.5)
    with pytest.raises(RuntimeError):
        torch.quantile(torch.zeros(0), 0.5)


def test_prod_dtype_and_logsumexp_of_integers_as_torch():
    i = np.array([[3, 1, 2], [0, 5, 4]], dtype=np.int32)
    got = ng.prod(ng.tensor(i), 1, dtype=ng.float64)
    want = torch.prod(torch.tensor(i), 1, dtype=torch.float64)
    assert got.dtype == ng.float64 and got.tolist() == want.tolist()
    x = ng.tensor(i.astype(np.float64), requires_grad=True)
    ng.prod(x, 1, dtype=ng.float64).sum().backward()
    assert x.grad.tolist() == [[2.0, 6.0, 3.0], [20.0, 0.0, 0.0]]
    got, want = ng.logsumexp(ng.tensor(i), 1), torch.logsumexp(torch.tensor(i), 1)
    assert got.dtype == ng.float32
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
