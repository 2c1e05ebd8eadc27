"""Reductions: sum mean var std max min amax amin logsumexp prod argmax, with and without dim."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck

DIMS = [None, 0, 1, -1, (0, 2)]


def _kw(dim, keepdim):
    return {} if dim is None else {"dim": dim, "keepdim": keepdim}


REDUCE = [
    ("sum", lambda x, **k: x.sum(**k), lambda x, **k: x.sum(**k),
     lambda a, dim=None, keepdim=False: a.sum(axis=dim, keepdims=keepdim)),
    ("mean", lambda x, **k: ng.mean(x, **k), lambda x, **k: torch.mean(x, **k),
     lambda a, dim=None, keepdim=False: a.mean(axis=dim, keepdims=keepdim)),
    ("var", lambda x, **k: x.var(**k), lambda x, **k: x.var(**k),
     lambda a, dim=None, keepdim=False: a.var(axis=dim, ddof=1, keepdims=keepdim)),
    ("std", lambda x, **k: ng.std(x, **k), lambda x, **k: torch.std(x, **k),
     lambda a, dim=None, keepdim=False: a.std(axis=dim, ddof=1, keepdims=keepdim)),
    ("amax", lambda x, **k: ng.amax(x, **k), lambda x, **k: torch.amax(x, **k),
     lambda a, dim=None, keepdim=False: a.max(axis=dim, keepdims=keepdim)),
    ("amin", lambda x, **k: x.amin(**k), lambda x, **k: x.amin(**k),
     lambda a, dim=None, keepdim=False: a.min(axis=dim, keepdims=keepdim)),
    ("logsumexp", lambda x, **k: ng.logsumexp(x, **k),
     lambda x, dim=None, keepdim=False: torch.logsumexp(
         x, dim=tuple(range(x.ndim)) if dim is None else dim, keepdim=keepdim),
     lambda a, dim=None, keepdim=False: np.log(np.exp(a).sum(axis=dim, keepdims=keepdim))),
]
IDS = [r[0] for r in REDUCE]


DIM_KEEP = [(d, k) for d in DIMS for k in (False, True) if d is not None or not k]


@pytest.mark.parametrize("dim,keepdim", DIM_KEEP, ids=str)
@pytest.mark.parametrize("name,ngf,thf,npf", REDUCE, ids=IDS)
def test_reduction_forward_numpy_and_torch(name, ngf, thf, npf, dim, keepdim, rng):
    a = rng.standard_normal((3, 4, 5))
    out32 = ngf(ng.tensor(a.astype(np.float32)), **_kw(dim, keepdim))
    assert out32.dtype == ng.float32
    np.testing.assert_allclose(out32.numpy(), npf(a.astype(np.float32), dim, keepdim), rtol=2e-5, atol=1e-6)
    compare_with_torch(lambda x: ngf(x, **_kw(dim, keepdim)), lambda x: thf(x, **_kw(dim, keepdim)),
                       [a], atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("dim", [None, 1, (0, 2)], ids=str)
@pytest.mark.parametrize("name,ngf,thf,npf", REDUCE, ids=IDS)
def test_reduction_gradcheck_and_double_backward(name, ngf, thf, npf, dim, rng):
    a = rng.standard_normal((2, 3, 4))
    x = ng.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: ngf(t, **_kw(dim, False)), [x])
    if name not in ("amax", "amin"):
        assert gradgradcheck(lambda t: ngf(t, **_kw(dim, True)), [x])
    compare_with_torch(lambda t: ngf(t, **_kw(dim, True)), lambda t: thf(t, **_kw(dim, True)), [a],
                       atol=1e-10, rtol=1e-8, double_backward=True)


def test_sum_and_mean_call_forms(rng):
    a = rng.standard_normal((2, 3))
    x = ng.tensor(a)
    np.testing.assert_allclose(x.sum(0).numpy(), a.sum(0).astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(ng.sum(x, dim=1, keepdim=True).numpy(), a.sum(1, keepdims=True),
                               rtol=1e-6)
    np.testing.assert_allclose(x.mean(axis=1, keepdims=True).numpy(), a.mean(1, keepdims=True), rtol=1e-6)
    assert x.sum().shape == () and x.mean((0, 1)).shape == ()
    i = ng.tensor([[1, 2], [3, 4]])
    assert i.sum().dtype == ng.int64 and i.sum().item() == 10
    assert i.sum(dim=0).tolist() == [4, 6]
    with pytest.raises(TypeError, match="mean"):
        i.mean()
    assert i.float().mean().item() == 2.5
    with pytest.raises(IndexError, match="dim 2"):
        x.sum(dim=2)


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_std_correction_and_unbiased(correction, rng):
    a = rng.standard_normal((4, 5))
    compare_with_torch(lambda t: t.var(dim=1, correction=correction),
                       lambda t: t.var(dim=1, correction=correction), [a], atol=1e-10, rtol=1e-9)
    compare_with_torch(lambda t: t.std(dim=0, correction=correction),
                       lambda t: t.std(dim=0, correction=correction), [a], atol=1e-10, rtol=1e-9)
    compare_with_torch(lambda t: t.var(0, unbiased=False), lambda t: t.var(0, unbiased=False), [a])


# ------------------------------------------------------------------ max / min
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_dim_returns_values_and_indices(op, dim, keepdim, rng):
    a = rng.standard_normal((3, 4))
    x = ng.tensor(a, requires_grad=True)
    res = getattr(x, op)(dim, keepdim)
    vals, idx = res
    assert res.values is vals and res.indices is idx
    npf, argf = (np.max, np.argmax) if op == "max" else (np.min, np.argmin)
    np.testing.assert_array_equal(vals.numpy(), npf(a, axis=dim, keepdims=keepdim))
    np.testing.assert_array_equal(idx.numpy(), argf(a, axis=dim, keepdims=keepdim))
    assert idx.dtype == ng.int64 and not idx.requires_grad
    compare_with_torch(lambda t: getattr(ng, op)(t, dim, keepdim),
                       lambda t: getattr(torch, op)(t, dim, keepdim), [a], double_backward=True)
    assert gradcheck(lambda t: getattr(t, op)(dim=dim, keepdim=keepdim)[0], [x])


def test_max_dim_gradient_goes_to_first_maximum_like_torch():
    a = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
    x = ng.tensor(a, requires_grad=True)
    vals, idx = x.max(dim=1)
    assert idx.tolist() == [1, 0]
    vals.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0]]
    compare_with_torch(lambda t: ng.max(t, 1), lambda t: torch.max(t, 1), [a])
    compare_with_torch(lambda t: ng.min(t, 0), lambda t: torch.min(t, 0), [a])


def test_full_max_min_split_gradient_evenly_like_torch():
    a = np.array([[1.0, 3.0, 3.0], [0.0, 3.0, -1.0]])
    x = ng.tensor(a, requires_grad=True)
    x.max().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 1 / 3, 1 / 3], [0, 1 / 3, 0]])
    compare_with_torch(lambda t: t.max(), lambda t: t.max(), [a])
    compare_with_torch(lambda t: t.min(), lambda t: t.min(), [-a])
    compare_with_torch(lambda t: ng.amax(t, 1), lambda t: torch.amax(t, 1), [a])
    compare_with_torch(lambda t: ng.amax(t, (0, 1)), lambda t: torch.amax(t, (0, 1)), [a])


def test_max_of_int_tensor_and_empty_errors():
    i = ng.tensor([[3, 1], [2, 5]])
    assert i.max().item() == 5 and i.min().item() == 1
    v, k = i.max(dim=0)
    assert v.tolist() == [3, 5] and k.tolist() == [0, 1]
    with pytest.raises(ValueError, match="max"):
        ng.zeros(0).max()


def test_max_under_no_grad_still_returns_indices(rng):
    x = ng.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    with ng.no_grad():
        v, i = x.max(1)
    assert not v.requires_grad
    np.testing.assert_array_equal(i.numpy(), np.argmax(x.numpy(), 1))


def test_argmax_argmin(rng):
    a = rng.standard_normal((3, 4))
    x = ng.tensor(a)
    assert x.argmax().item() == np.argmax(a)
    assert ng.argmin(x).item() == np.argmin(a)
    np.testing.assert_array_equal(x.argmax(1).numpy(), torch.from_numpy(a).argmax(1).numpy())
    np.testing.assert_array_equal(x.argmin(0, keepdim=True).numpy(), np.argmin(a, 0, keepdims=True))


# ------------------------------------------------------------------ logsumexp
def test_logsumexp_large_values_do_not_overflow():
    a = np.array([[1000.0, 1000.0], [-1000.0, 0.0], [3.0, 1e4]], dtype=np.float32)
    x = ng.tensor(a, requires_grad=True)
    y = ng.logsumexp(x, dim=1)
    assert np.all(np.isfinite(y.numpy()))
    np.testing.assert_allclose(y.numpy(), [1000 + np.log(2), 0.0, 1e4], rtol=1e-6)
    y.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    compare_with_torch(lambda t: ng.logsumexp(t, 1), lambda t: torch.logsumexp(t, 1), [a], atol=1e-6)
    compare_with_torch(lambda t: t.logsumexp(0, keepdim=True), lambda t: t.logsumexp(0, keepdim=True),
                       [a.astype(np.float64)], atol=1e-10)


def test_logsumexp_with_minus_inf_entries_and_rows():
    ninf = -np.inf
    a = np.array([[ninf, 0.0, 1.0], [ninf, ninf, ninf]])
    y = ng.logsumexp(ng.tensor(a), dim=1)
    ref = torch.logsumexp(torch.from_numpy(a), dim=1)
    np.testing.assert_allclose(y.numpy(), ref.numpy())
    assert y.numpy()[1] == ninf
    # A row with some -inf entries: those get zero gradient, the rest softmax weights.
    compare_with_torch(lambda t: ng.logsumexp(t, 1), lambda t: torch.logsumexp(t, 1), [a[:1]])


def test_prod_matches_torch(rng):
    a = rng.standard_normal((3, 4))
    compare_with_torch(lambda t: t.prod(dim=1), lambda t: t.prod(dim=1), [a], atol=1e-10)
    compare_with_torch(lambda t: ng.prod(t), lambda t: torch.prod(t), [a], atol=1e-10)


def test_all_any():
    b = ng.tensor([[True, False], [True, True]])
    assert not b.all().item() and b.any().item()
    assert ng.all(b, dim=1).tolist() == [False, True]
    assert ng.any(b, dim=0).tolist() == [True, True]


def test_std_of_constant_slice_has_zero_gradient_like_torch():
    a = np.array([[1.0, 1.0, 1.0], [0.3, -0.2, 0.9]])
    out, _ = compare_with_torch(lambda t: t.std(1), lambda t: t.std(1), [a])
    assert out.numpy()[0] == 0.0
    compare_with_torch(lambda t: (t * 0).std(), lambda t: (t * 0).std(), [a])
    compare_with_torch(lambda t: t.std(0, keepdim=True) * t, lambda t: t.std(0, keepdim=True) * t, [a],
                       double_backward=True)


def test_var_std_of_one_element_give_nan_like_torch():
    x = ng.tensor([2.0], requires_grad=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy (like torch) warns: dof <= 0
        v = x.var()
        assert np.isnan(v.item())
        v.backward()
        assert np.isnan(ng.tensor([2.0]).std().item())
    assert np.isnan(x.grad.numpy()).all()
    assert x.var(correction=0).item() == 0.0
