"""Index ops: index_select masked_select take take_along_dim scatter scatter_add scatter_reduce
index_add index_copy index_fill nonzero argwhere count_nonzero where(cond), against torch."""

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


def test_index_select(a):
    idx = np.array([2, 0, 2])
    for dim in (0, 1, -1):
        i = idx % a.shape[dim]
        _both(lambda x, k: ng.index_select(x, dim, k), lambda x, k: torch.index_select(x, dim, k), [a, i])
    _both(lambda x, k: x.index_select(0, k), lambda x, k: x.index_select(0, k), [a, np.array(1)])
    with pytest.raises(IndexError, match="index_select"):
        ng.index_select(ng.tensor(a), 0, ng.tensor([3]))
    with pytest.raises(IndexError):
        torch.index_select(torch.tensor(a), 0, torch.tensor([3]))
    with pytest.raises(RuntimeError, match="index_select"):
        ng.index_select(ng.tensor(a), 0, ng.tensor([1.0]))
    with pytest.raises(RuntimeError):
        torch.index_select(torch.tensor(a), 0, torch.tensor([1.0]))


def test_masked_select_take_take_along_dim(a, rng):
    m = rng.random((3, 4)) > 0.5
    _both(ng.masked_select, torch.masked_select, [a, m])
    _both(ng.masked_select, torch.masked_select, [a, m[0]])  # the mask broadcasts
    k = np.array([[0, 11, 5], [5, -1, 3]])
    _both(ng.take, torch.take, [a, k])
    ti = np.array([[0, 3], [1, 1], [2, 0]])
    _both(lambda x, i: ng.take_along_dim(x, i, 1), lambda x, i: torch.take_along_dim(x, i, 1), [a, ti])
    _both(lambda x, i: x.take_along_dim(i, dim=0), lambda x, i: x.take_along_dim(i, dim=0),
          [a, np.array([[2, 0, 1, 1]])])
    _both(lambda x, i: ng.take_along_dim(x, i), lambda x, i: torch.take_along_dim(x, i),
          [a, np.array([7, 0])])
    order = np.argsort(a, axis=1)
    _both(lambda x, i: ng.take_along_dim(x, i, 1), lambda x, i: torch.take_along_dim(x, i, 1), [a, order])
    with pytest.raises(RuntimeError, match="masked_select"):
        ng.masked_select(ng.tensor(a), ng.tensor(m.astype(np.int64)))
    with pytest.raises(IndexError, match="take"):
        ng.take(ng.tensor(a), ng.tensor([12]))


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("dim", [0, 1])
def test_scatter_and_scatter_add(dim, a, rng):
    src = rng.standard_normal((2, 3))
    idx = np.array([[1, 2, 0], [2, 0, 1]]) if dim == 0 else np.array([[3, 0, 1], [2, 1, 0]])
    _both(lambda x, i, s: ng.scatter(x, dim, i, s), lambda x, i, s: torch.scatter(x, dim, i, s),
          [a, idx, src])
    _both(lambda x, i: x.scatter(dim, i, 2.5), lambda x, i: x.scatter(dim, i, 2.5), [a, idx])
    _both(lambda x, i: ng.scatter(x, dim, i, value=-1.0), lambda x, i: torch.scatter(x, dim, i, value=-1.0),
          [a, idx])
    dup = np.zeros_like(idx)  # repeated targets: scatter_add accumulates
    for i in (idx, dup):
        _both(lambda x, k, s: ng.scatter_add(x, dim, k, s), lambda x, k, s: torch.scatter_add(x, dim, k, s),
              [a, i, src])
        _both(lambda x, k, s: x.scatter(dim, k, s, reduce="add"),
              lambda x, k, s: x.scatter(dim, k, s, reduce="add"), [a, i, src], grad=False)
    _both(lambda x, k, s: x.scatter(dim, k, s, reduce="multiply"),
          lambda x, k, s: x.scatter(dim, k, s, reduce="multiply"), [a, dup, src], grad=False)


def test_scatter_gradcheck_and_one_hot(a, rng):
    x, s = ng.tensor(a, requires_grad=True), ng.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    idx = ng.tensor([[0, 3], [1, 2], [3, 3]])  # repeats: scatter_add only (scatter's gradient
    uniq = ng.tensor([[0, 3], [1, 2], [3, 0]])  # for overwritten values is torch's g, not 0)
    for f in (lambda t, u: ng.scatter(t, 1, uniq, u), lambda t, u: ng.scatter_add(t, 1, idx, u)):
        assert gradcheck(f, [x, s])
        assert gradgradcheck(f, [x, s])
    labels = ng.tensor([2, 0, 1])
    one_hot = ng.zeros(3, 4).scatter(1, labels.unsqueeze(1), 1.0)
    assert one_hot.tolist() == torch.zeros(3, 4).scatter(1, torch.tensor([[2], [0], [1]]), 1.0).tolist()
    assert ng.scatter(ng.tensor([1, 2, 3]), 0, ng.tensor([0]), ng.tensor([9])).tolist() == [9, 2, 3]


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce_matches_torch(reduce, include_self, rng):
    x = rng.standard_normal((4, 3))
    src = rng.standard_normal((5, 3))
    src[1, 0] = x[2, 0] = 0.0  # zeros for prod
    src[3, 1] = src[0, 1]  # ties for amax/amin
    idx = np.array([[0, 1, 2], [2, 1, 0], [2, 0, 0], [0, 1, 3], [2, 2, 2]])

    def f_ng(t, i, s):
        return ng.scatter_reduce(t, 0, i, s, reduce, include_self=include_self)

    def f_th(t, i, s):
        return torch.scatter_reduce(t, 0, i, s, reduce, include_self=include_self)

    compare_with_torch(f_ng, f_th, [x, idx, src], atol=1e-10, rtol=1e-9, double_backward=reduce != "prod")
    if reduce == "prod":  # its first derivative only: a graph of its backward is refused by name
        t = ng.tensor(x, requires_grad=True)
        with pytest.raises(NotImplementedError, match="scatter_reduce.*double backward"):
            ng.autograd.grad(f_ng(t, ng.tensor(idx), ng.tensor(src)).sum(), t, create_graph=True)
    xi, si = (rng.integers(-5, 5, (4, 3)), rng.integers(-5, 5, (5, 3)))
    compare_with_torch(f_ng, f_th, [xi, idx, si])
    if reduce not in ("amax", "amin"):
        assert gradcheck(f_ng, [ng.tensor(x, requires_grad=True), ng.tensor(idx),
                                ng.tensor(src, requires_grad=True)])


def test_scatter_errors_match_torch(a):
    x, i = ng.tensor(a), ng.tensor([[0, 1]])
    with pytest.raises(RuntimeError, match="scatter"):
        ng.scatter(x, 0, i, ng.ones(1, 2, dtype=ng.float32))
    with pytest.raises(RuntimeError):
        torch.scatter(torch.tensor(a), 0, torch.tensor([[0, 1]]), torch.ones(1, 2))
    with pytest.raises(IndexError, match="scatter_add"):
        ng.scatter_add(x, 0, ng.tensor([[5]]), ng.ones(1, 1, dtype=ng.float64))
    with pytest.raises(RuntimeError, match="scatter_reduce"):
        ng.scatter_reduce(x, 0, i, x, "median")
    with pytest.raises(RuntimeError):
        torch.scatter_reduce(torch.tensor(a), 0, torch.tensor([[0, 1]]), torch.tensor(a), "median")


def test_index_add_copy_fill(a, rng):
    src = rng.standard_normal((3, 2))
    idx = np.array([3, 0])
    dup = np.array([1, 1])
    _both(lambda x, i, s: ng.index_add(x, 1, i, s), lambda x, i, s: torch.index_add(x, 1, i, s),
          [a, idx, src])
    _both(lambda x, i, s: x.index_add(1, i, s, alpha=-2.0), lambda x, i, s: x.index_add(1, i, s, alpha=-2.0),
          [a, dup, src])
    _both(lambda x, i, s: ng.index_copy(x, 1, i, s), lambda x, i, s: torch.index_copy(x, 1, i, s),
          [a, idx, src])
    _both(lambda x, i: ng.index_fill(x, 0, i, 7.0), lambda x, i: torch.index_fill(x, 0, i, 7.0),
          [a, np.array([2, 0])])
    _both(lambda x, i, v: x.index_fill(1, i, v), lambda x, i, v: x.index_fill(1, i, v),
          [a, idx, np.array(3.0)])
    got = ng.index_add(ng.zeros(3, dtype=ng.int64), 0, ng.tensor([0, 0, 2]), ng.tensor([1, 2, 3]))
    assert got.tolist() == [3, 0, 3] and got.dtype == ng.int64
    with pytest.raises(RuntimeError, match="index_add"):
        ng.index_add(ng.tensor(a), 1, ng.tensor(idx), ng.tensor(src[:, :1]))


def test_nonzero_argwhere_where_count_nonzero(rng):
    a = rng.integers(0, 3, (3, 4, 2))
    for got, want in ((ng.nonzero(ng.tensor(a)), torch.nonzero(torch.tensor(a))),
                      (ng.argwhere(ng.tensor(a)), torch.argwhere(torch.tensor(a))),
                      (ng.tensor(a).nonzero(), torch.tensor(a).nonzero())):
        assert got.tolist() == want.tolist() and got.dtype == ng.int64 and got.shape == tuple(want.shape)
    th = torch.nonzero(torch.tensor(a), as_tuple=True)
    for got, want in zip(ng.nonzero(ng.tensor(a), as_tuple=True), th):
        assert got.tolist() == want.tolist() and got.dtype == ng.int64
    cond = ng.tensor(a) > 1
    for got, want in zip(ng.where(cond), torch.where(torch.tensor(a) > 1)):
        assert got.tolist() == want.tolist()
    assert len(ng.where(cond)) == 3
    assert ng.nonzero(ng.zeros(2, 3)).shape == (0, 2)
    for dim in (None, 0, (1, 2), -1):
        got, want = ng.count_nonzero(ng.tensor(a), dim), torch.count_nonzero(torch.tensor(a), dim)
        assert got.tolist() == want.tolist() and got.dtype == ng.int64
    x = np.array([1.0, -2.0, 3.0])
    compare_with_torch(lambda t: ng.where(t > 0, t, 0.0), lambda t: torch.where(t > 0, t, 0.0), [x])
    with pytest.raises(TypeError, match="where"):
        ng.where(cond, ng.tensor(a))


def test_scatter_with_repeated_targets_matches_torch(a, rng):
    # The last write wins (torch's CPU loop); every source value gets dJ/dy at its target.
    src = rng.standard_normal((3, 3))
    idx = np.array([[1, 1, 0], [2, 2, 2], [0, 1, 1]])
    _both(lambda x, i, s: ng.scatter(x, 1, i, s), lambda x, i, s: torch.scatter(x, 1, i, s), [a, idx, src])
