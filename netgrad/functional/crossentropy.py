"""Cross-entropy and negative log-likelihood over classes, each one fused op.

``cross_entropy`` is log-softmax and the pick of the target's log-probability in one ``Function``
whose backward is the closed form softmax(z) - t: it runs on every training step.

>>> import netgrad as ng
>>> z = ng.tensor([[2.0, 0.0, -1.0]], requires_grad=True)
>>> ng.cross_entropy(z, ng.tensor([0])).backward(); z.grad       # softmax(z) - t
tensor([[-0.1562,  0.1142,  0.0420]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg, data
from .lossutil import check_reduction, legacy_reduction
from .activation import softmax
from .shape import index_put_zeros, moveaxis

__all__ = ["cross_entropy", "nll_loss"]

_sum = np.add.reduce


class CrossEntropy(Function):
    """Fused log-softmax + cross-entropy over rows of logits z (M, C):
    J_n = -sum_k T_nk log softmax(z_n)_k, with T_nk = w_{y_n} [k = y_n] for class indices
    (``wy`` None means w = 1) or a dense target matrix T (probabilities, label
    smoothing, class weights); dJ_n/dz_n = (sum_k T_nk) softmax(z_n) - T_n, i.e. the output
    sensitivity z - t for one-hot t."""

    _array_backward = True
    _torch_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, y, wy, T, reduction, denom):
        xd = x._data
        ctx.save_for_backward(x)
        ctx.y, ctx.wy, ctx.T, ctx.reduction, ctx.denom = y, wy, T, reduction, denom
        sh = xd - xd.max(axis=1, keepdims=True)
        e = np.exp(sh)
        se = e.sum(axis=1, keepdims=True)
        e /= se
        ctx.p = e
        if T is None:
            ctx.rows = rows = np.arange(xd.shape[0])
            per = np.log(se[:, 0])
            per -= sh[rows, y]
            if wy is not None:
                per *= wy
        else:
            logp = sh - np.log(se)
            ctx.a = T.sum(axis=1, keepdims=True)
            per = -(T * logp).sum(axis=1)
        if reduction == "none":
            return per
        total = _sum(per)
        if reduction == "mean":
            if denom:
                total = total / denom
            else:
                with np.errstate(invalid="ignore", divide="ignore"):  # all ignored: NaN, as PyTorch
                    total = total / denom
        return np.asarray(total, dtype=xd.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.reduction == "none":
            s = g.reshape((-1, 1))
        else:
            s = g / ctx.denom if ctx.reduction == "mean" else g
        p = softmax(x, 1) if ctx.create_graph else ctx.p
        if ctx.T is not None:
            return s * (ctx.a * p - ctx.T), None, None, None, None, None
        rows = ctx.rows
        coef = s if ctx.wy is None else s * ctx.wy.reshape((-1, 1))
        if not ctx.create_graph:
            out = p * coef
            out[rows, ctx.y] -= coef[:, 0] if coef.ndim == 2 else coef
            return out, None, None, None, None, None
        onehot = np.zeros(p.shape, dtype=p.dtype)
        onehot[rows, ctx.y] = 1
        return (p - onehot) * coef, None, None, None, None, None


class NLLLossOp(Function):
    """J_n = -w_{y_n} a_{n, y_n} for log-probabilities a (M, C); dJ_n/da_{n,k} = -w_{y_n} [k = y_n]."""

    _array_backward = True
    _torch_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, x, y, wy, reduction, denom):
        xd = x._data
        rows = np.arange(xd.shape[0])
        per = -xd[rows, y] * wy
        ctx.shape, ctx.y, ctx.wy, ctx.reduction, ctx.denom = xd.shape, y, wy, reduction, denom
        if reduction == "none":
            return per
        total = per.sum()
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                total = total / denom
        return np.asarray(total, dtype=xd.dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.reduction == "mean":
            g = g / ctx.denom
        vals = -g * ctx.wy
        rows = np.arange(ctx.shape[0])
        if not ctx.create_graph:
            out = np.zeros(ctx.shape, dtype=vals.dtype)
            out[rows, ctx.y] = vals
            return out, None, None, None, None
        return index_put_zeros(vals, ctx.shape, (rows, ctx.y)), None, None, None, None


def _class_rows(x: Tensor, target: Any, op: str) -> tuple:
    """Flatten (N, C, d1, ...) input to rows (M, C) and class-index targets to (M,)."""
    if x.ndim == 0:
        raise ShapeError(f"{op}: input must have a class dimension, got a 0-d tensor")
    tgt = np.asarray(data(target))
    unbatched = x.ndim == 1
    if unbatched:
        x = x.reshape(1, -1)
        tgt = tgt.reshape(1, *tgt.shape)
    C = x.shape[1]
    if x.ndim > 2:
        x2 = moveaxis(x, 1, -1).reshape(-1, C)
    else:
        x2 = x
    return x2, tgt, C, unbatched, (x.shape[:1] + x.shape[2:])


def _index_targets(tgt: np.ndarray, C: int, want: tuple, weight: Any, ignore_index: int,
                   dtype: np.dtype, op: str) -> tuple:
    if tgt.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {tgt.dtype} (for "
                        "probability targets give a float tensor of the input's shape)")
    if tgt.shape != want:
        raise ShapeError(f"{op}: expected target of shape {want} for input with batch shape {want} "
                         f"and {C} classes, got target of shape {tgt.shape}")
    y = tgt.reshape(-1).astype(np.int64)
    keep = y != ignore_index
    bad = keep & ((y < 0) | (y >= C))
    if bad.any():
        raise IndexError(f"{op}: target {int(y[bad][0])} is out of bounds for {C} classes")
    y = np.where(keep, y, 0)
    if weight is None:
        w = None
        wy = keep.astype(dtype)
    else:
        w = np.asarray(data(weight), dtype=dtype)
        if w.shape != (C,):
            raise ShapeError(f"{op}: weight must have shape ({C},) (one per class), got {w.shape}")
        wy = np.where(keep, w[y], 0).astype(dtype)
    return y, keep, w, wy


def cross_entropy(input: Any, target: Any, weight: Any = None, size_average: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy on logits z: J_n = -sum_k t_nk log softmax(z_n)_k.

    ``target`` holds class indices (shape (N,) or (N, d1, ...)) or class probabilities (the
    input's shape, e.g. one-hot). ``weight`` w_c rescales class c; with class indices and
    'mean' the sum is divided by sum_n w_{y_n} (PyTorch's convention). ``ignore_index`` rows
    contribute nothing. ``label_smoothing`` eps mixes the target with the uniform distribution:
    t = (1 - eps) t + eps / C. The backward pass is the closed form softmax(z) - t.

    >>> import netgrad as ng
    >>> z = ng.tensor([[0.0, 0.0]])
    >>> round(ng.cross_entropy(z, ng.tensor([1])).item(), 4)   # log 2
    0.6931
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction, "cross_entropy")
    op = "cross_entropy"
    check_reduction(reduction, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = as_tensor_arg(input, op)
    x2, tgt, C, unbatched, batch_shape = _class_rows(x, target, op)
    dtype = x.dtype
    eps = float(label_smoothing)
    if tgt.dtype.kind == "f":  # probabilities / one-hot
        if np.shape(data(target)) != x.shape:
            raise ShapeError(f"{op}: probability targets must have the input's shape {x.shape}, got "
                             f"{np.asarray(data(target)).shape}")
        if isinstance(target, Tensor) and target.requires_grad:
            raise NotImplementedError(f"{op}: gradients with respect to probability targets are "
                                      "not supported")
        T = np.asarray(tgt, dtype=dtype)
        if T.ndim > 2:
            T = np.moveaxis(T, 1, -1)
        T = T.reshape(-1, C)
        if eps:
            T = T * (1 - eps) + eps / C
        if weight is not None:
            T = T * np.asarray(data(weight), dtype=dtype)
        out = CrossEntropy.apply(x2, None, None, np.ascontiguousarray(T, dtype=dtype), reduction,
                                 float(T.shape[0]))
    else:
        y, keep, w, wy = _index_targets(tgt, C, batch_shape, weight, ignore_index, dtype, op)
        denom = float(wy.sum())
        if eps:
            wrow = np.ones(C, dtype) if w is None else w
            T = np.empty((y.shape[0], C), dtype=dtype)
            T[:] = (eps / C) * wrow
            T[np.arange(y.shape[0]), y] += (1 - eps) * wrow[y]
            T[~keep] = 0
            out = CrossEntropy.apply(x2, None, None, T, reduction, denom)
        else:
            out = CrossEntropy.apply(x2, y, wy, None, reduction, denom)
    if reduction == "none":
        out = out.reshape(batch_shape[1:] if unbatched else batch_shape)
    return out


def nll_loss(input: Any, target: Any, weight: Any = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood on log-probabilities a (e.g. log_softmax output):
    J_n = -w_{y_n} a_{n, y_n}; 'mean' divides by sum_n w_{y_n} (ignored targets excluded).

    >>> import netgrad as ng
    >>> a = ng.log(ng.tensor([[0.25, 0.75]]))
    >>> round(ng.nll_loss(a, ng.tensor([1])).item(), 4)
    0.2877
    """
    op = "nll_loss"
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op)
    x = as_tensor_arg(input, op)
    x2, tgt, C, unbatched, batch_shape = _class_rows(x, target, op)
    y, _, _, wy = _index_targets(tgt, C, batch_shape, weight, ignore_index, x.dtype, op)
    out = NLLLossOp.apply(x2, y, wy, reduction, float(wy.sum()))
    if reduction == "none":
        out = out.reshape(batch_shape[1:] if unbatched else batch_shape)
    return out
