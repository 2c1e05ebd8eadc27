"""Distances and similarities between vectors, and the bilinear map, as in ``torch.nn.functional``:
compositions of netgrad's differentiable ops (their backward, and double backward, come from those).

>>> import netgrad as ng
>>> cosine_similarity(ng.tensor([[1.0, 0.0]]), ng.tensor([[1.0, 1.0]]))
tensor([0.7071])
>>> pairwise_distance(ng.tensor([[0.0, 0.0]]), ng.tensor([[3.0, 4.0]]), eps=0.0)
tensor([5.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg, normalize_dim
from .einsum import einsum
from .elementwise import clamp
from .reduction import norm

__all__ = ["cosine_similarity", "pairwise_distance", "pdist", "bilinear"]


def _t(x: Any, op: str) -> Tensor:
    return as_tensor_arg(x, op)


def _broadcast(a: Tensor, b: Tensor, op: str) -> tuple[Tensor, Tensor]:
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None
    return a.expand(*shape) if a.shape != shape else a, b.expand(*shape) if b.shape != shape else b


def _norm_clamped(x: Tensor, dim: int, eps: float) -> Tensor:
    """||x|| along ``dim`` (kept), its value raised to at least eps while its gradient stays that
    of ||x|| (PyTorch clamps under no_grad)."""
    n = norm(x, 2, dim, True)
    return n + (clamp(n, min=eps) - n).detach()


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos = sum_d (x1 / max(||x1||, eps)) (x2 / max(||x2||, eps)) along ``dim`` (broadcast)."""
    a, b = _broadcast(_t(x1, "cosine_similarity"), _t(x2, "cosine_similarity"), "cosine_similarity")
    d = normalize_dim(dim, a.ndim, "cosine_similarity")
    return ((a / _norm_clamped(a, d, eps)) * (b / _norm_clamped(b, d, eps))).sum(d)


def _pnorm(x: Tensor, p: float, dim: int, keepdim: bool) -> Tensor:
    if p == 0:  # a count: zero gradient, but on the graph as PyTorch's
        return (x * 0).sum(dim, keepdim=keepdim) + (x._data != 0).sum(dim, keepdims=keepdim).astype(x.dtype)
    return norm(x, p, dim, keepdim)


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """d = ||x1 - x2 + eps||_p along the last dim."""
    a, b = _t(x1, "pairwise_distance"), _t(x2, "pairwise_distance")
    if p < 0:
        raise ValueError(f"pairwise_distance: p must be non-negative, got {p}")
    ndim = max(a.ndim, b.ndim)
    if ndim == 0:
        raise RuntimeError("pairwise_distance: expected at least 1-D inputs, got two 0-D tensors")
    return _pnorm(a - b + eps, p, ndim - 1, keepdim)


def pdist(input: Any, p: float = 2) -> Tensor:  # noqa: A002
    """The p-norm distances ||x_i - x_j||_p between the rows of an (N, M) input, i < j (row-major
    order of the upper triangle), N (N - 1) / 2 of them.

    >>> import netgrad as ng
    >>> pdist(ng.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    tensor([5., 10., 5.])
    """
    x = _t(input, "pdist")
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(x.shape[0], 1)
    if not len(i):
        return x.sum(1)[:0]
    return _pnorm(x[i] - x[j], p, 1, False)


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Tensor:
    """y_o = x1^T A_o x2 + b_o, weight A of shape (out, in1, in2); x1 (..., in1), x2 (..., in2).

    >>> import netgrad as ng
    >>> bilinear(ng.ones(1, 2), ng.ones(1, 3), ng.ones(4, 2, 3)).tolist()
    [[6.0, 6.0, 6.0, 6.0]]
    """
    a, b, w = _t(input1, "bilinear"), _t(input2, "bilinear"), _t(weight, "bilinear")
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, got {w.ndim}D")
    if a.shape[:-1] != b.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {a.shape[:-1]} "
                           f"and {b.shape[:-1]}")
    if a.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {a.shape[-1]} "
                           f"but expected {w.shape[1]}")
    if b.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {b.shape[-1]} "
                           f"but expected {w.shape[2]}")
    lead = a.shape[:-1]
    a2, b2 = a.reshape(-1, a.shape[-1]), b.reshape(-1, b.shape[-1])
    y = einsum("ni,oij,nj->no", a2, w, b2)
    if bias is not None:
        y = y + _t(bias, "bilinear")
    return y.reshape(*lead, w.shape[0])
