"""More of PyTorch's losses: margin, embedding, ranking, Poisson and Gaussian likelihoods, as
compositions of netgrad's differentiable ops (backward and double backward come from those).
``reduction`` is 'mean' | 'sum' | 'none'; ``size_average``/``reduce`` are PyTorch's deprecated
spelling of it.

>>> import netgrad as ng
>>> margin_ranking_loss(ng.tensor([1.0, 0.0]), ng.tensor([0.0, 1.0]), ng.tensor([1.0, 1.0])).item()
0.5
>>> round(soft_margin_loss(ng.tensor([0.0]), ng.tensor([1.0])).item(), 4)  # log 2
0.6931
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg
from .lossutil import _reduce, legacy_reduction
from .activation_more import logsigmoid
from .distance import pairwise_distance
from .elementwise import clamp, exp, log, minimum, where
from .smooth import softplus

__all__ = [
    "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
    "triplet_margin_with_distance_loss", "poisson_nll_loss", "gaussian_nll_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss",
]

_EPSILON = 1e-12  # PyTorch's cosine_embedding_loss guard


def _t(x: Any, op: str) -> Tensor:
    return as_tensor_arg(x, op)


def _float_like(t: Any, x: Tensor, op: str) -> Tensor:
    t = _t(t, op)
    return t.to(x.dtype) if t.dtype != x.dtype and x.dtype.kind == "f" else t


def cosine_embedding_loss(input1: Any, input2: Any, target: Any, margin: float = 0,
                          size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """J_n = 1 - cos(x1_n, x2_n) if y_n = 1, max(0, cos(x1_n, x2_n) - margin) if y_n = -1."""
    op = "cosine_embedding_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    a, b, y = _t(input1, op), _t(input2, op), _t(target, op)
    if y.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if y.ndim == 1 and (a.ndim != 2 or b.ndim != 2):
        raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(a.shape)} and {list(b.shape)}.")
    if y.ndim == 0 and (a.ndim != 1 or b.ndim != 1):
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(a.shape)} and {list(b.shape)}.")
    d = y.ndim
    prod = (a * b).sum(d)
    m1, m2 = (a * a).sum(d) + _EPSILON, (b * b).sum(d) + _EPSILON
    cos = prod / (m1 * m2).sqrt()
    yd = y._data
    loss = where(yd == 1, 1 - cos, 0.0) + where(yd == -1, clamp(cos - margin, min=0), 0.0)
    return _reduce(loss, reduction, op)


def margin_ranking_loss(input1: Any, input2: Any, target: Any, margin: float = 0,
                        size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """J_n = max(0, -y_n (x1_n - x2_n) + margin)."""
    op = "margin_ranking_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    a, b = _t(input1, op), _t(input2, op)
    y = _float_like(target, a, op)
    if not (a.ndim == b.ndim == y.ndim):
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension but got "
                           f"sizes: input1: {a.shape}, input2: {b.shape}, target: {y.shape} ")
    return _reduce(clamp(-y * (a - b) + margin, min=0), reduction, op)


def hinge_embedding_loss(input: Any, target: Any, margin: float = 1.0, size_average: Any = None,  # noqa: A002
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """J_n = x_n if y_n = 1, max(0, margin - x_n) if y_n = -1."""
    op = "hinge_embedding_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    x, y = _t(input, op), _t(target, op)
    yd = y._data
    loss = where(yd != 1, clamp(margin - x, min=0), 0.0) + where(yd != -1, x, 0.0)
    return _reduce(loss, reduction, op)


def _check_triplet(a: Tensor, p: Tensor, n: Tensor, op: str) -> None:
    if not (a.ndim == p.ndim == n.ndim):
        raise RuntimeError(f"{op}: The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a.ndim}D, positive "
                           f"{p.ndim}D, and negative {n.ndim}D inputs")


def triplet_margin_loss(anchor: Any, positive: Any, negative: Any, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average: Any = None,
                        reduce: Any = None, reduction: str = "mean") -> Tensor:
    """J_n = max(0, d(a_n, p_n) - d(a_n, n_n) + margin), d = pairwise_distance (p, eps); with
    ``swap`` d(a, n) is replaced by min(d(a, n), d(p, n))."""
    op = "triplet_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    a, pos, neg = _t(anchor, op), _t(positive, op), _t(negative, op)
    _check_triplet(a, pos, neg, op)
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(pos, neg, p, eps))
    return _reduce(clamp(margin + d_pos - d_neg, min=0), reduction, op)


def triplet_margin_with_distance_loss(anchor: Any, positive: Any, negative: Any, *,
                                      distance_function: Callable | None = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """J_n = max(0, d(a_n, p_n) - d(a_n, n_n) + margin) for any distance d (pairwise_distance by
    default)."""
    op = "triplet_margin_with_distance_loss"
    if margin <= 0:
        raise ValueError(f"{op}: expected margin to be greater than 0, got {margin} instead")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    a, pos, neg = _t(anchor, op), _t(positive, op), _t(negative, op)
    _check_triplet(a, pos, neg, op)
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = dist(a, pos), dist(a, neg)
    if swap:
        d_neg = minimum(d_neg, dist(pos, neg))
    return _reduce(clamp(margin + d_pos - d_neg, min=0), reduction, op)


def poisson_nll_loss(input: Any, target: Any, log_input: bool = True, full: bool = False,  # noqa: A002
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """J_n = e^{x_n} - y_n x_n (``log_input``) or x_n - y_n log(x_n + eps); ``full`` adds the
    Stirling term y log y - y + log(2 pi y) / 2 where y > 1."""
    op = "poisson_nll_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    x = _t(input, op)
    y = _float_like(target, x, op)
    loss = exp(x) - y * x if log_input else x - y * log(x + eps)
    if full:
        yd = y._data
        safe = np.where(yd > 1, yd, 2.0)
        stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * np.pi * safe)
        loss = loss + np.where(yd > 1, stirling, 0.0).astype(x.dtype)
    return _reduce(loss, reduction, op)


def gaussian_nll_loss(input: Any, target: Any, var: Any, full: bool = False, eps: float = 1e-6,  # noqa: A002
                      reduction: str = "mean") -> Tensor:
    """J_n = (log max(var_n, eps) + (x_n - y_n)^2 / max(var_n, eps)) / 2 (+ log(2 pi) / 2 if
    ``full``); the clamp carries no gradient (as PyTorch's)."""
    op = "gaussian_nll_loss"
    x = _t(input, op)
    y = _float_like(target, x, op)
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        v = Tensor._make(np.full(x.shape, var, dtype=x.dtype))
    else:
        v = _float_like(var, x, op)
        if np.any(v._data < 0):
            raise ValueError("var has negative entry/entries")
    if v.shape != x.shape:
        if x.shape[:-1] == v.shape:
            v = v.unsqueeze(-1)
        elif x.ndim == v.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1:
            pass  # heteroscedastic: one variance shared along a size-1 dim
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not valid")
    v = v + (clamp(v, min=eps) - v).detach()
    loss = 0.5 * (log(v) + (x - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, op)


def soft_margin_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                     reduction: str = "mean") -> Tensor:
    """J_n = log(1 + e^{-y_n x_n})."""
    op = "soft_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    x = _t(input, op)
    y = _float_like(target, x, op)
    return _reduce(softplus(-y * x), reduction, op)


def multilabel_soft_margin_loss(input: Any, target: Any, weight: Any = None, size_average: Any = None,  # noqa: A002
                                reduce: Any = None, reduction: str = "mean") -> Tensor:
    """J_n = -(1/C) sum_c w_c (y_nc log sigma(x_nc) + (1 - y_nc) log sigma(-x_nc))."""
    op = "multilabel_soft_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    x = _t(input, op)
    y = _float_like(target, x, op)
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        loss = loss * _float_like(weight, x, op)
    cdim = x.ndim - 1
    loss = loss.sum(cdim) / x.shape[cdim]
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not valid")
    return _reduce(loss, reduction, op)


def _class_input(x: Tensor, target: Any, op: str) -> tuple[Tensor, np.ndarray, bool]:
    if x.ndim > 2:
        raise RuntimeError(f"{op}: Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(x.shape)}")
    y = np.asarray(target._data if isinstance(target, Tensor) else target)
    if y.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected target of an integer dtype (long), got {y.dtype}")
    unbatched = x.ndim <= 1
    return (x.reshape(1, -1) if unbatched else x), y, unbatched


def multi_margin_loss(input: Any, target: Any, p: int = 1, margin: float = 1.0, weight: Any = None,  # noqa: A002
                      size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """J_n = (1/C) sum_{i != y_n} w_{y_n} max(0, margin - x_{n,y_n} + x_{n,i})^p, p in {1, 2}."""
    op = "multi_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = _t(input, op)
    x2, y, unbatched = _class_input(x, target, op)
    n, c = x2.shape
    y = y.reshape(-1)
    if y.shape[0] != n:
        raise RuntimeError(f"{op}: inconsistent target size: {list(y.shape)} for input of size: "
                           f"{list(x.shape)}")
    if np.any((y < 0) | (y >= c)):
        raise IndexError(f"{op}: target out of range: classes are 0..{c - 1}")
    xy = x2[np.arange(n), y].reshape(n, 1)
    z = clamp(margin - xy + x2, min=0)
    if p == 2:
        z = z * z
    if weight is not None:
        w = _float_like(weight, x, op)
        if w.ndim != 1 or w.shape[0] != c:
            raise ShapeError(f"{op}: weight must be a 1-D tensor of {c} elements, got {w.shape}")
        z = z * w[y].reshape(n, 1)
    notself = np.ones((n, c), dtype=x.dtype)
    notself[np.arange(n), y] = 0
    loss = (z * notself).sum(1) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction, op)


def multilabel_margin_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                           reduction: str = "mean") -> Tensor:
    """J_n = (1/C) sum_{j in T_n} sum_{i not in T_n} max(0, 1 - (x_{n,j} - x_{n,i})), T_n the class
    indices at the front of y_n before its first -1."""
    op = "multilabel_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    x = _t(input, op)
    x2, y, unbatched = _class_input(x, target, op)
    n, c = x2.shape
    y = y.reshape(n, -1) if y.ndim <= 1 else y
    if y.shape != (n, c):
        raise RuntimeError(f"{op}: inconsistent target size: {list(y.shape)} for input of size: "
                           f"{list(x.shape)}")
    count = np.zeros((n, c), dtype=x.dtype)  # how often each class is listed (before the first -1)
    for r in range(n):
        for k in y[r]:
            if k < 0:
                break
            if k >= c:
                raise IndexError(f"{op}: target index {k} out of range for {c} classes")
            count[r, k] += 1
    is_target = count > 0
    pairs = count[:, :, None] * (~is_target)[:, None, :]
    z = clamp(1 - x2.reshape(n, c, 1) + x2.reshape(n, 1, c), min=0)
    loss = (z * pairs).sum((1, 2)) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction, op)
