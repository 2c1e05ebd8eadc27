"""Rearranging and building ops: flip fliplr flipud roll rot90 repeat_interleave tile tril triu
tril_indices triu_indices diag diagonal diag_embed trace block_diag meshgrid cartesian_prod kron
cross, against torch (values, gradients, second derivatives) and float64 gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch_ref import compare_with_torch

import netgrad as ng
from netgrad.testing import gradcheck, gradgradcheck


@pytest.fixture
def a(rng):
    return rng.standard_normal((3, 4, 2))


def _both(fn_ng, fn_th, inputs, **kw):
    compare_with_torch(fn_ng, fn_th, inputs, atol=1e-10, rtol=1e-9, double_backward=True, **kw)


SAME = [  # (name, call) where netgrad and torch spell the call the same way
    ("flip", lambda m, x: m.flip(x, [0, 2])),
    ("flip_method", lambda m, x: x.flip(-1)),
    ("fliplr", lambda m, x: m.fliplr(x)),
    ("flipud", lambda m, x: m.flipud(x)),
    ("roll", lambda m, x: m.roll(x, 2, 1)),
    ("roll_multi", lambda m, x: m.roll(x, (1, -1), (0, 2))),
    ("roll_flat", lambda m, x: x.roll(5)),
    ("rot90", lambda m, x: m.rot90(x)),
    ("rot90_k", lambda m, x: m.rot90(x, -3, [2, 0])),
    ("rot90_2", lambda m, x: x.rot90(2, [1, 2])),
    ("repeat_interleave", lambda m, x: m.repeat_interleave(x, 2, dim=1)),
    ("repeat_interleave_flat", lambda m, x: x.repeat_interleave(3)),
    ("repeat_interleave_counts", lambda m, x: m.repeat_interleave(x, m.tensor([1, 0, 2]), dim=0)),
    ("tile", lambda m, x: m.tile(x, (2, 1, 3))),
    ("tile_short", lambda m, x: x.tile((2,))),
    ("tile_long", lambda m, x: m.tile(x, (2, 1, 1, 2))),
    ("tril", lambda m, x: m.tril(x)),
    ("triu_k", lambda m, x: m.triu(x, 1)),
    ("tril_neg", lambda m, x: x.tril(-1)),
    ("diagonal", lambda m, x: m.diagonal(x)),
    ("diagonal_off", lambda m, x: m.diagonal(x, 1, 0, 2)),
    ("diagonal_neg", lambda m, x: x.diagonal(-1, -1, 1)),
    ("diag_embed", lambda m, x: m.diag_embed(x)),
    ("diag_embed_off", lambda m, x: m.diag_embed(x, -1, 0, 2)),
    ("kron", lambda m, x: m.kron(x, x[0])),
]


@pytest.mark.parametrize("name,call", SAME, ids=[s[0] for s in SAME])
def test_rearrange_matches_torch(name, call, a):
    _both(lambda x: call(ng, x), lambda x: call(torch, x), [a])
    assert call(ng, ng.tensor(a.astype(np.float32))).dtype == ng.float32
    ai = (a * 10).astype(np.int64)
    assert call(ng, ng.tensor(ai)).tolist() == call(torch, torch.tensor(ai)).tolist()


def test_rearrange_gradcheck(a):
    x = ng.tensor(a, requires_grad=True)
    for _, call in SAME:
        assert gradcheck(lambda t: call(ng, t), [x])
    assert gradgradcheck(lambda t: ng.tril(ng.roll(t, 1, 0)) * t, [x])


def test_diag_trace_and_matrices(rng):
    v, m = rng.standard_normal(4), rng.standard_normal((4, 5))
    for k in (0, 2, -1):
        _both(lambda x: ng.diag(x, k), lambda x: torch.diag(x, k), [v])
        _both(lambda x: x.diag(k), lambda x: x.diag(k), [m])
    _both(ng.trace, torch.trace, [m])
    assert ng.trace(ng.tensor([[1, 2], [3, 4]])).dtype == ng.int64
    x = ng.tensor(v, requires_grad=True)
    assert gradcheck(lambda t: ng.diag(t, 1), [x]) and gradgradcheck(lambda t: ng.diag(t) @ ng.diag(t), [x])
    with pytest.raises(RuntimeError, match="diag"):
        ng.diag(ng.ones(2, 2, 2))
    with pytest.raises(RuntimeError):
        torch.diag(torch.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="trace"):
        ng.trace(ng.ones(3))
    with pytest.raises(RuntimeError):
        torch.trace(torch.ones(3))


@pytest.mark.parametrize("row,col,off", [(3, 3, 0), (4, 3, 1), (3, 5, -2), (0, 2, 0)])
def test_tri_indices(row, col, off):
    for fn in ("tril_indices", "triu_indices"):
        got, want = getattr(ng, fn)(row, col, off), getattr(torch, fn)(row, col, off)
        assert got.tolist() == want.tolist() and got.dtype == ng.int64 and got.shape == tuple(want.shape)


def test_block_diag_meshgrid_cartesian_prod(rng):
    p, q, r = rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal((1, 1))
    _both(lambda x, y, z: ng.block_diag(x, y, z), lambda x, y, z: torch.block_diag(x, y, z), [p, q, r])
    got = ng.block_diag(ng.tensor([[1, 2]]), ng.tensor(3.0))
    assert got.dtype == torch.block_diag(torch.tensor([[1, 2]]), torch.tensor(3.0)).numpy().dtype
    u, v = rng.standard_normal(3), rng.standard_normal(2)
    for ix in ("ij", "xy"):
        _both(lambda x, y: ng.meshgrid(x, y, indexing=ix),
              lambda x, y: torch.meshgrid(x, y, indexing=ix), [u, v])
        _both(lambda x, y: ng.meshgrid([x, y, x], indexing=ix),
              lambda x, y: torch.meshgrid([x, y, x], indexing=ix), [u, v])
    with pytest.warns(UserWarning, match="indexing"):
        ng.meshgrid(ng.ones(2), ng.ones(3))
    _both(lambda x, y: ng.cartesian_prod(x, y), lambda x, y: torch.cartesian_prod(x, y), [u, v])
    _both(ng.cartesian_prod, torch.cartesian_prod, [u])


def test_cross(rng):
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    _both(lambda s, t: ng.cross(s, t, dim=1), lambda s, t: torch.cross(s, t, dim=1), [x, y])
    _both(lambda s, t: s.cross(t, dim=-1), lambda s, t: torch.linalg.cross(s, t), [x, y[:1]])
    z = rng.standard_normal((3, 2))
    _both(lambda s, t: ng.cross(s, t, 0), lambda s, t: torch.cross(s, t, 0), [z, z[::-1].copy()])
    with pytest.raises(RuntimeError, match="cross"):
        ng.cross(ng.ones(4, 3), ng.ones(4, 3), dim=0)
    with pytest.raises(RuntimeError):
        torch.cross(torch.ones(4, 3), torch.ones(4, 3), dim=0)


def test_repeat_interleave_counts_alone_and_errors():
    got = ng.repeat_interleave(ng.tensor([2, 0, 1]))
    assert got.tolist() == torch.repeat_interleave(torch.tensor([2, 0, 1])).tolist() and got.dtype == ng.int64
    with pytest.raises(RuntimeError, match="fliplr"):
        ng.fliplr(ng.ones(3))
    with pytest.raises(RuntimeError):
        torch.fliplr(torch.ones(3))
    with pytest.raises(RuntimeError, match="rot90"):
        ng.rot90(ng.ones(2, 2), 1, [0, 0])
    with pytest.raises(RuntimeError):
        torch.rot90(torch.ones(2, 2), 1, [0, 0])
    with pytest.raises(RuntimeError, match="tril"):
        ng.tril(ng.ones(3))
    with pytest.raises(RuntimeError):
        torch.tril(torch.ones(3))
    with pytest.raises(RuntimeError, match="roll"):
        ng.roll(ng.ones(3, 2), (1, 2), 0)
    with pytest.raises(RuntimeError):
        torch.roll(torch.ones(3, 2), (1, 2), 0)


def test_tril_keeps_inf_above_the_diagonal_out():
    x = ng.tensor([[1.0, float("inf")], [2.0, 3.0]])
    assert ng.tril(x).tolist() == [[1.0, 0.0], [2.0, 3.0]]


def test_zero_d_rearrangements_keep_the_shape():
    for call in (lambda m, t: m.roll(t, 1), lambda m, t: m.flip(t, [0]), lambda m, t: m.tile(t, (2,))):
        got, want = call(ng, ng.tensor(2.5)), call(torch, torch.tensor(2.5))
        assert got.shape == tuple(want.shape) and got.tolist() == want.tolist()
