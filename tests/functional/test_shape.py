"""Shape ops and indexing: forward vs NumPy, gradients vs gradcheck and torch.autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck

# name, netgrad fn, torch fn, numpy fn; all applied to an input of shape (2, 3, 4)
SHAPE_OPS = [
    ("reshape", lambda x: x.reshape(4, 6), lambda x: x.reshape(4, 6), lambda a: a.reshape(4, 6)),
    ("reshape_tuple", lambda x: ng.reshape(x, (2, -1)), lambda x: torch.reshape(x, (2, -1)),
     lambda a: a.reshape(2, -1)),
    ("view", lambda x: x.view(-1), lambda x: x.view(-1), lambda a: a.reshape(-1)),
    ("view_as", lambda x: x.view(6, 4).view_as(ng.zeros(24)), lambda x: x.view(6, 4).view_as(torch.zeros(24)),
     lambda a: a.reshape(-1)),
    ("flatten", lambda x: x.flatten(), lambda x: x.flatten(), lambda a: a.reshape(-1)),
    ("flatten_1", lambda x: ng.flatten(x, 1), lambda x: torch.flatten(x, 1), lambda a: a.reshape(2, 12)),
    ("flatten_0_1", lambda x: x.flatten(0, 1), lambda x: x.flatten(0, 1), lambda a: a.reshape(6, 4)),
    ("unsqueeze", lambda x: x.unsqueeze(1), lambda x: x.unsqueeze(1), lambda a: a[:, None]),
    ("unsqueeze_neg", lambda x: ng.unsqueeze(x, -1), lambda x: torch.unsqueeze(x, -1),
     lambda a: a[..., None]),
    ("squeeze", lambda x: x.unsqueeze(0).unsqueeze(2).squeeze(),
     lambda x: x.unsqueeze(0).unsqueeze(2).squeeze(), lambda a: a),
    ("squeeze_dim", lambda x: x.unsqueeze(1).squeeze(1), lambda x: x.unsqueeze(1).squeeze(1), lambda a: a),
    ("squeeze_noop", lambda x: x.squeeze(0), lambda x: x.squeeze(0), lambda a: a),
    ("transpose", lambda x: x.transpose(0, 2), lambda x: x.transpose(0, 2), lambda a: a.transpose(2, 1, 0)),
    ("transpose_fn", lambda x: ng.transpose(x, -1, -2), lambda x: torch.transpose(x, -1, -2),
     lambda a: a.swapaxes(-1, -2)),
    ("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    ("permute_tuple", lambda x: ng.permute(x, (1, 2, 0)), lambda x: torch.permute(x, (1, 2, 0)),
     lambda a: a.transpose(1, 2, 0)),
    ("T", lambda x: x.T, lambda x: x.permute(2, 1, 0), lambda a: a.T),
    ("mT", lambda x: x.mT, lambda x: x.mT, lambda a: a.swapaxes(-1, -2)),
    ("expand", lambda x: x[:, :1].expand(2, 5, 4), lambda x: x[:, :1].expand(2, 5, 4),
     lambda a: np.broadcast_to(a[:, :1], (2, 5, 4))),
    ("expand_lead", lambda x: x.expand(3, -1, -1, -1), lambda x: x.expand(3, -1, -1, -1),
     lambda a: np.broadcast_to(a, (3, 2, 3, 4))),
    ("broadcast_to", lambda x: ng.broadcast_to(x[0, 0], (5, 4)),
     lambda x: torch.broadcast_to(x[0, 0], (5, 4)), lambda a: np.broadcast_to(a[0, 0], (5, 4))),
    ("expand_as", lambda x: x[:1].expand_as(x), lambda x: x[:1].expand_as(x),
     lambda a: np.broadcast_to(a[:1], a.shape)),
    ("moveaxis", lambda x: ng.moveaxis(x, 0, -1), lambda x: torch.moveaxis(x, 0, -1),
     lambda a: np.moveaxis(a, 0, -1)),
    ("pad", lambda x: ng.pad(x, (1, 2)), lambda x: TF.pad(x, (1, 2)),
     lambda a: np.pad(a, ((0, 0), (0, 0), (1, 2)))),
    ("pad_2d_value", lambda x: ng.pad(x, (1, 0, 0, 2), value=-1.5),
     lambda x: TF.pad(x, (1, 0, 0, 2), value=-1.5),
     lambda a: np.pad(a, ((0, 0), (0, 2), (1, 0)), constant_values=-1.5)),
]
IDS = [s[0] for s in SHAPE_OPS]


@pytest.mark.parametrize("name,ngf,thf,npf", SHAPE_OPS, ids=IDS)
def test_shape_op_forward_torch_and_gradcheck(name, ngf, thf, npf, rng):
    a = rng.standard_normal((2, 3, 4))
    out32 = ngf(ng.tensor(a.astype(np.float32)))
    assert out32.dtype == ng.float32
    np.testing.assert_array_equal(out32.numpy(), npf(a.astype(np.float32)))
    compare_with_torch(ngf, thf, [a], atol=1e-12, rtol=1e-12, double_backward=True)
    assert gradcheck(ngf, [ng.tensor(a, requires_grad=True)])


def test_T_on_2d_and_1d():
    a = np.arange(6.0).reshape(2, 3)
    x = ng.tensor(a, requires_grad=True)
    np.testing.assert_array_equal(x.T.numpy(), a.T)
    (x.T * ng.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(6.0).reshape(3, 2).T)
    v = ng.tensor([1.0, 2.0])
    assert v.T.shape == (2,)


def test_shape_errors_are_clear():
    x = ng.zeros(2, 3)
    with pytest.raises(ng.ShapeError, match=r"reshape.*\(2, 3\).*\(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(ng.ShapeError, match="expand"):
        x.expand(4, 4)
    with pytest.raises(ng.ShapeError, match="leading"):
        ng.zeros(3).expand(-1, 3)
    with pytest.raises(ValueError, match="permute"):
        x.permute(0, 0)
    with pytest.raises(IndexError, match="dim"):
        x.transpose(0, 5)
    with pytest.raises(ValueError, match="flatten"):
        ng.zeros(2, 3, 4).flatten(2, 1)


def test_reshape_to_same_shape_and_views_share_gradient_path(rng):
    a = rng.standard_normal((2, 3))
    x = ng.tensor(a, requires_grad=True)
    y = x.reshape(2, 3)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 2.0))


# ------------------------------------------------------------------ indexing
INDEXES = [
    ("int", lambda x: x[1]),
    ("neg_int", lambda x: x[-1, 2]),
    ("slice", lambda x: x[1:, ::2]),
    ("neg_step", lambda x: x[::-1, 1:3]),
    ("ellipsis", lambda x: x[..., 1]),
    ("none", lambda x: x[None, :, 0]),
    ("int_array", lambda x: x[[0, 2, 2]]),
    ("int_array_repeat", lambda x: x[[1, 1, 1, 0]]),
    ("int_array_2d", lambda x: x[[0, 2, 0], [1, 1, 1]]),
    ("mixed", lambda x: x[1:, [3, 0, 3]]),
    ("bool_row", lambda x: x[np.array([True, False, True])]),
]


def _torchify(f):
    """Apply the indexing lambda f to a torch tensor, turning NumPy index arrays into tensors."""
    def g(t):
        class Proxy:
            def __getitem__(self, idx):
                if isinstance(idx, tuple):
                    idx = tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i for i in idx)
                elif isinstance(idx, np.ndarray):
                    idx = torch.from_numpy(idx)
                return t[idx]
        return f(Proxy())
    return g


@pytest.mark.parametrize("name,f", INDEXES, ids=[i[0] for i in INDEXES])
def test_indexing_forward_and_gradients(name, f, rng):
    a = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(f(ng.tensor(a.astype(np.float32))).numpy(), f(a.astype(np.float32)))
    assert gradcheck(f, [ng.tensor(a, requires_grad=True)])
    assert gradgradcheck(lambda t: f(t * t), [ng.tensor(a, requires_grad=True)])
    if name != "neg_step":  # torch has no negative-step slicing
        compare_with_torch(f, _torchify(f), [a], atol=1e-12, rtol=1e-12, double_backward=True)


def test_repeated_indices_accumulate_gradients():
    x = ng.tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = ng.tensor([0, 2, 0, 0])
    x[idx].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    compare_with_torch(lambda t, i: t[i] * 2, lambda t, i: t[i] * 2,
                       [np.array([1.0, 2.0, 3.0]), np.array([0, 2, 0, 0])])


def test_boolean_mask_indexing_and_tensor_mask(rng):
    a = rng.standard_normal((3, 4))
    x = ng.tensor(a, requires_grad=True)
    m = x > 0
    y = x[m]
    np.testing.assert_array_equal(y.numpy(), a[a > 0])
    (y * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 3.0 * (a > 0))
    compare_with_torch(lambda t, k: t[k], lambda t, k: t[k], [a, a > 0])


def test_indexing_with_int_tensor_inside_tuple(rng):
    a = rng.standard_normal((4, 3))
    rows, cols = np.array([0, 3, 3]), np.array([2, 2, 0])
    compare_with_torch(lambda t, r, c: t[r, c], lambda t, r, c: t[r, c], [a, rows, cols])
    compare_with_torch(lambda t, r: t[r, 1:], lambda t, r: t[r, 1:], [a, rows])


def test_index_errors():
    x = ng.zeros(2, 3)
    with pytest.raises(IndexError, match=r"\(2, 3\)"):
        x[5]
    with pytest.raises(IndexError, match="integer or bool"):
        x[ng.tensor([0.5])]


# ------------------------------------------------------------------ cat / stack / split ...
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat(dim, rng):
    shapes = {0: [(2, 3), (1, 3), (4, 3)], 1: [(2, 1), (2, 3), (2, 2)], -1: [(2, 2), (2, 2), (2, 1)]}[dim]
    arrs = [rng.standard_normal(s) for s in shapes]
    out, _ = compare_with_torch(lambda *ts: ng.cat(list(ts), dim=dim), lambda *ts: torch.cat(ts, dim=dim),
                                arrs, double_backward=True)
    np.testing.assert_array_equal(out.numpy(), np.concatenate(arrs, axis=dim))
    assert gradcheck(lambda *ts: ng.cat(ts, dim), [ng.tensor(a, requires_grad=True) for a in arrs])


def test_cat_partial_requires_grad_and_errors(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((1, 3))
    compare_with_torch(lambda x, y: ng.concatenate([x, y]), lambda x, y: torch.cat([x, y]), [a, b],
                       requires_grad=[False, True])
    with pytest.raises(ng.ShapeError, match="cat"):
        ng.cat([ng.zeros(2, 3), ng.zeros(2, 4)])
    with pytest.raises(TypeError, match="cat"):
        ng.cat(ng.zeros(2, 3))


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack(dim, rng):
    arrs = [rng.standard_normal((2, 3)) for _ in range(3)]
    out, _ = compare_with_torch(lambda *ts: ng.stack(list(ts), dim), lambda *ts: torch.stack(ts, dim), arrs,
                                double_backward=True)
    np.testing.assert_array_equal(out.numpy(), np.stack(arrs, axis=dim))
    assert gradcheck(lambda *ts: ng.stack(ts, dim), [ng.tensor(a, requires_grad=True) for a in arrs])
    with pytest.raises(ng.ShapeError, match="stack"):
        ng.stack([ng.zeros(2), ng.zeros(3)])


@pytest.mark.parametrize("sections,dim", [(2, 0), (3, 1), ([1, 4], 1), ([2, 2, 1], -1)])
def test_split(sections, dim, rng):
    a = rng.standard_normal((5, 5))
    outs, refs = compare_with_torch(lambda t: ng.split(t, sections, dim),
                                    lambda t: torch.split(t, sections, dim), [a])
    assert len(outs) == len(refs)
    x = ng.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: t.split(sections, dim), [x])


def test_split_uses_only_some_pieces(rng):
    a = rng.standard_normal((6, 2))
    compare_with_torch(lambda t: ng.split(t, 2)[1] * 3, lambda t: torch.split(t, 2)[1] * 3, [a])
    with pytest.raises(ng.ShapeError, match="split"):
        ng.split(ng.zeros(5), [2, 2])


@pytest.mark.parametrize("chunks,dim", [(2, 0), (3, 1), (5, 1)])
def test_chunk(chunks, dim, rng):
    a = rng.standard_normal((4, 5))
    outs, refs = compare_with_torch(lambda t: t.chunk(chunks, dim), lambda t: t.chunk(chunks, dim), [a])
    assert [o.shape for o in outs] == [tuple(r.shape) for r in refs]


def test_chunk_count_must_be_positive():
    with pytest.raises(ValueError, match="chunk: chunks must be a positive integer, got 0"):
        ng.zeros(4).chunk(0)  # was a ZeroDivisionError


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind(dim, rng):
    a = rng.standard_normal((3, 2, 4))
    outs, _ = compare_with_torch(lambda t: ng.unbind(t, dim), lambda t: torch.unbind(t, dim), [a],
                                 double_backward=True)
    assert len(outs) == a.shape[dim]
    assert gradcheck(lambda t: t.unbind(dim), [ng.tensor(a, requires_grad=True)])


@pytest.mark.parametrize("pad", [(1, 1), (0, 2, 1, 0), (1, 2, 3, 4, 0, 1)])
def test_pad(pad, rng):
    a = rng.standard_normal((2, 3, 4))
    out, _ = compare_with_torch(lambda t: ng.pad(t, pad, value=0.5), lambda t: TF.pad(t, pad, value=0.5), [a])
    assert gradcheck(lambda t: ng.pad(t, pad), [ng.tensor(a, requires_grad=True)])
    with pytest.raises(ValueError, match="pad"):
        ng.pad(ng.tensor(a), (1,))
    for mode in ("reflect", "replicate", "circular"):
        compare_with_torch(lambda t: ng.pad(t, (1, 1), mode=mode), lambda t: TF.pad(t, (1, 1), mode=mode),
                           [a])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather(dim, rng):
    a = rng.standard_normal((3, 4))
    shape = (5, 4) if dim == 0 else (3, 6)
    idx = rng.integers(0, a.shape[dim], shape)  # repeated indices: gradients accumulate
    out, _ = compare_with_torch(lambda t, i: ng.gather(t, dim, i), lambda t, i: torch.gather(t, dim, i),
                                [a, idx], double_backward=True)
    np.testing.assert_array_equal(out.numpy(), np.take_along_axis(a, idx, axis=dim))
    assert gradcheck(lambda t: t.gather(dim, ng.tensor(idx)), [ng.tensor(a, requires_grad=True)])


def test_gather_picks_class_scores_like_cross_entropy():
    logits = ng.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    labels = ng.tensor([[2], [0]])
    picked = logits.gather(1, labels)
    assert picked.tolist() == [[3.0], [4.0]]
    picked.sum().backward()
    assert logits.grad.tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(TypeError, match="gather"):
        logits.gather(1, ng.tensor([[0.5]]))
    with pytest.raises(ng.ShapeError, match="gather"):
        logits.gather(1, ng.tensor([0]))
