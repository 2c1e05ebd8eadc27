"""Sorting and counting: sort argsort msort topk kthvalue median nanmedian mode unique
unique_consecutive bincount histc histogram searchsorted bucketize, against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import assert_close, compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck


@pytest.fixture
def a(rng):
    return rng.permutation(60).reshape(3, 4, 5).astype(np.float64) / 7 - 3  # distinct values


PICKS = [
    ("sort", lambda x, d: ng.sort(x, dim=d), lambda x, d: torch.sort(x, dim=d)),
    ("sort_desc", lambda x, d: x.sort(d, descending=True), lambda x, d: x.sort(d, descending=True)),
    ("argsort", lambda x, d: ng.argsort(x, d), lambda x, d: torch.argsort(x, d)),
    ("topk", lambda x, d: ng.topk(x, 2, dim=d), lambda x, d: torch.topk(x, 2, dim=d)),
    ("topk_small", lambda x, d: x.topk(3, d, largest=False), lambda x, d: x.topk(3, d, largest=False)),
    ("kthvalue", lambda x, d: ng.kthvalue(x, 2, d), lambda x, d: torch.kthvalue(x, 2, d)),
    ("kthvalue_keep", lambda x, d: x.kthvalue(1, d, True), lambda x, d: x.kthvalue(1, d, True)),
    ("median", lambda x, d: ng.median(x, d), lambda x, d: torch.median(x, d)),
    ("median_keep", lambda x, d: x.median(d, keepdim=True), lambda x, d: x.median(d, keepdim=True)),
    ("nanmedian", lambda x, d: ng.nanmedian(x, d), lambda x, d: torch.nanmedian(x, d)),
]


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name,ngf,thf", PICKS, ids=[p[0] for p in PICKS])
def test_order_statistics_match_torch(name, ngf, thf, dim, a):
    compare_with_torch(lambda x: ngf(x, dim), lambda x: thf(x, dim), [a], double_backward=True)
    got = ngf(ng.tensor(a.astype(np.float32)), dim)
    if isinstance(got, tuple):
        assert got[0].dtype == ng.float32 and got[1].dtype == ng.int64
    else:
        assert got.dtype == ng.int64


def test_order_statistics_gradcheck(a):
    x = ng.tensor(a, requires_grad=True)
    for f in (lambda t: ng.sort(t, 1).values, lambda t: ng.topk(t, 2).values,
              lambda t: ng.median(t, 0).values, lambda t: ng.median(t), lambda t: ng.msort(t)):
        assert gradcheck(f, [x])
        assert gradgradcheck(f, [x])


def test_median_without_dim_is_the_lower_median(a):
    compare_with_torch(ng.median, torch.median, [a[0, 0, :4]])  # even count: the lower of the two
    compare_with_torch(ng.median, torch.median, [a])
    compare_with_torch(ng.msort, torch.msort, [a])
    i = np.array([[1, 5, 2], [3, 3, 1]])
    assert ng.median(ng.tensor(i)).item() == torch.median(torch.tensor(i)).item()
    assert ng.median(ng.tensor(i)).dtype == ng.int64


def test_median_and_nanmedian_with_nan():
    a = np.array([[1.0, np.nan, 3.0, 0.5], [2.0, 1.0, 4.0, 3.0], [np.nan] * 4])
    for fn in ("median", "nanmedian"):
        got, want = getattr(ng, fn)(ng.tensor(a), 1), getattr(torch, fn)(torch.tensor(a), 1)
        assert_close(got.values, want.values)
        assert_close(getattr(ng, fn)(ng.tensor(a)), getattr(torch, fn)(torch.tensor(a)))
    got = ng.median(ng.tensor(a), 1).indices.tolist()
    assert got[:2] == torch.median(torch.tensor(a), 1).indices.tolist()[:2]


def test_stable_sort_ties_and_integers():
    data = [2, 1, 2, 0, 1, 2]
    for desc in (False, True):
        got = ng.sort(ng.tensor(data), descending=desc, stable=True)
        want = torch.sort(torch.tensor(data), descending=desc, stable=True)
        assert got.values.tolist() == want.values.tolist()
        assert got.indices.tolist() == want.indices.tolist()
    assert ng.sort(ng.tensor([True, False])).values.tolist() == [False, True]
    v = ng.sort(ng.tensor([np.nan, 1.0, -1.0]), descending=True).values.numpy()
    np.testing.assert_array_equal(v, torch.sort(torch.tensor([np.nan, 1.0, -1.0]), descending=True).values)


def test_sort_scalar_and_errors():
    s = ng.sort(ng.tensor(3.0))
    assert s.values.shape == () and s.indices.item() == 0
    with pytest.raises(RuntimeError, match="topk"):
        ng.topk(ng.ones(3), 4)
    with pytest.raises(RuntimeError):
        torch.topk(torch.ones(3), 4)
    with pytest.raises(RuntimeError, match="kthvalue"):
        ng.kthvalue(ng.ones(3), 0)
    with pytest.raises(IndexError, match="sort"):
        ng.sort(ng.ones(3), dim=1)
    with pytest.raises(IndexError):
        torch.sort(torch.ones(3), dim=1)


def test_mode_matches_torch():
    a = np.array([[1, 2, 2, 3, 3, 0], [5, 5, 4, 4, 4, 5]])
    for dim in (0, 1):
        got, want = ng.mode(ng.tensor(a), dim), torch.mode(torch.tensor(a), dim)
        assert got.values.tolist() == want.values.tolist()
        assert got.indices.tolist() == want.indices.tolist()
    f = np.array([[1.0, 2.0, 2.0, 0.5], [3.0, 1.0, 3.0, 3.0]])
    compare_with_torch(lambda x: ng.mode(x, 1, keepdim=True), lambda x: torch.mode(x, 1, keepdim=True), [f])


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_matches_torch(dim):
    a = np.array([[3, 1, 3], [2, 1, 2], [3, 1, 3]])
    for inv in (False, True):
        for cnt in (False, True):
            got = ng.unique(ng.tensor(a), return_inverse=inv, return_counts=cnt, dim=dim)
            want = torch.unique(torch.tensor(a), return_inverse=inv, return_counts=cnt, dim=dim)
            got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert g.tolist() == w.tolist() and g.dtype == ng.int64
    assert ng.tensor([2.0, 1.0, 2.0]).unique().tolist() == [1.0, 2.0]


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_consecutive_matches_torch(dim):
    a = np.array([[1, 1, 2], [1, 1, 2], [3, 1, 1], [3, 1, 1]])
    got = ng.unique_consecutive(ng.tensor(a), return_inverse=True, return_counts=True, dim=dim)
    want = torch.unique_consecutive(torch.tensor(a), return_inverse=True, return_counts=True, dim=dim)
    for g, w in zip(got, want):
        assert g.tolist() == w.tolist()
    assert ng.unique_consecutive(ng.tensor([1, 1, 2, 1])).tolist() == [1, 2, 1]


def test_bincount_matches_torch(rng):
    x = rng.integers(0, 6, 20)
    assert ng.bincount(ng.tensor(x)).tolist() == torch.bincount(torch.tensor(x)).tolist()
    assert ng.tensor(x).bincount(minlength=10).tolist() == torch.tensor(x).bincount(minlength=10).tolist()
    for wd in (np.float32, np.float64):
        w = rng.standard_normal(20).astype(wd)
        compare_with_torch(lambda i, v: ng.bincount(i, v), lambda i, v: torch.bincount(i, v), [x, w],
                           grad=False, atol=1e-5)
    assert ng.bincount(ng.tensor(np.zeros(0, np.int64))).tolist() == []
    with pytest.raises(RuntimeError, match="non-negative"):
        ng.bincount(ng.tensor([-1, 2]))
    with pytest.raises(RuntimeError):
        torch.bincount(torch.tensor([-1, 2]))
    with pytest.raises(NotImplementedError):
        ng.bincount(ng.tensor([1.0]))
    with pytest.raises(NotImplementedError):
        torch.bincount(torch.tensor([1.0]))


def test_histc_and_histogram_match_torch(rng):
    a = rng.standard_normal(50).astype(np.float32)
    for kw in ({}, {"bins": 7}, {"bins": 5, "min": -1, "max": 1}, {"bins": 4, "min": 0, "max": 0}):
        compare_with_torch(lambda x: ng.histc(x, **kw), lambda x: torch.histc(x, **kw), [a], grad=False)
    compare_with_torch(lambda x: ng.histc(x, 3), lambda x: torch.histc(x, 3),
                       [np.array([2.0, 2.0, 2.0])], grad=False)
    w = rng.random(50).astype(np.float32)
    compare_with_torch(lambda x, v: ng.histogram(x, 6, range=(-2.0, 2.0), weight=v),
                       lambda x, v: torch.histogram(x, 6, range=(-2.0, 2.0), weight=v), [a, w],
                       grad=False, atol=1e-5)
    edges = np.array([-3.0, -1.0, 0.0, 0.5, 3.0], np.float32)
    compare_with_torch(lambda x, e: ng.histogram(x, e, density=True),
                       lambda x, e: torch.histogram(x, e, density=True), [a, edges], grad=False, atol=1e-5)
    with pytest.raises(NotImplementedError):
        ng.histc(ng.tensor([1, 2]))
    with pytest.raises(NotImplementedError):
        torch.histc(torch.tensor([1, 2]))


def test_searchsorted_and_bucketize_match_torch():
    seq, vals = np.array([1, 3, 5, 7]), np.array([[0, 3, 6], [7, 8, 1]])
    for right in (False, True):
        for s, v in ((seq, vals), (np.array([[1, 3, 5], [2, 4, 6]]), np.array([[3, 0], [4, 7]]))):
            got = ng.searchsorted(ng.tensor(s), ng.tensor(v), right=right)
            want = torch.searchsorted(torch.tensor(s), torch.tensor(v), right=right)
            assert got.tolist() == want.tolist() and got.dtype == ng.int64
        got = ng.bucketize(ng.tensor(vals), ng.tensor(seq), right=right)
        assert got.tolist() == torch.bucketize(torch.tensor(vals), torch.tensor(seq), right=right).tolist()
    assert ng.searchsorted(ng.tensor(seq), 3, side="right").item() == 2
    assert ng.searchsorted(ng.tensor(seq), ng.tensor([3]), out_int32=True).dtype == ng.int32
    perm = np.array([2, 0, 3, 1])
    unsorted = seq[np.argsort(perm)]
    order = np.argsort(unsorted)
    assert ng.searchsorted(ng.tensor(unsorted), ng.tensor([4]), sorter=ng.tensor(order)).tolist() \
        == torch.searchsorted(torch.tensor(unsorted), torch.tensor([4]),
                              sorter=torch.tensor(np.argsort(unsorted))).tolist()


def test_median_of_an_empty_tensor_is_nan_as_in_torch():
    got, want = ng.median(ng.zeros(0, 3)), torch.median(torch.zeros(0, 3))
    assert np.isnan(got.item()) and np.isnan(want.item()) and got.dtype == ng.float32


@pytest.mark.parametrize("k", [1, 3, 20])
@pytest.mark.parametrize("largest", [True, False])
def test_topk_small_k_path_matches_torch(k, largest, rng):
    a = rng.standard_normal((30, 41))
    for dim in (0, 1):
        compare_with_torch(lambda x: ng.topk(x, k, dim, largest), lambda x: torch.topk(x, k, dim, largest),
                           [a])
    ties = np.round(rng.standard_normal((5, 40)), 1)  # many ties: the values still agree
    got = ng.topk(ng.tensor(ties), k, largest=largest)
    want = torch.topk(torch.tensor(ties), k, largest=largest)
    np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
    np.testing.assert_array_equal(np.take_along_axis(ties, got.indices.numpy(), 1), want.values.numpy())
