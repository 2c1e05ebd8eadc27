"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode;
counting: unique, unique_consecutive, bincount, histc, histogram; searchsorted and bucketize.

Values that pick elements of the input (sort, topk, kthvalue, median, mode) are gathered from it,
so the gradient goes to the element chosen, as in PyTorch. Indices and counts are int64.

>>> import netgrad as ng
>>> ng.sort(ng.tensor([3.0, 1.0, 2.0])).indices.tolist()
[1, 2, 0]
>>> ng.topk(ng.tensor([3.0, 1.0, 2.0]), 2).values.tolist()
[3.0, 2.0]
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from . import shape as S
from .core import as_tensor_arg, normalize_dim
from .methods import bind_methods
from .shape import index_put_zeros

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
           "unique_consecutive", "bincount", "histc", "histogram", "searchsorted", "bucketize"]

SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])
HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])


def _i64(a: Any) -> Tensor:
    return Tensor._make(np.asarray(a, dtype=np.int64))


class TakeDistinct(Function):
    """y = x at ``idx`` along ``dim``, where no index repeats within a slice (a sort's order, the
    top k); dJ/dx = dJ/dy put back at ``idx`` (plain writes: no accumulation needed).

    >>> import netgrad as ng
    >>> x = ng.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> (ng.sort(x).values * ng.tensor([1.0, 10.0, 100.0])).sum().backward(); x.grad.tolist()
    [100.0, 1.0, 10.0]
    """

    _array_backward = True
    _fresh_grads = True  # zeros of its own with the gradient put in

    @staticmethod
    def forward(ctx, x, idx, d):
        ctx.idx, ctx.d, ctx.in_shape = idx, d, x.shape
        return np.take_along_axis(x._data, idx, axis=d)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:  # differentiable form for double backward
            full = np.indices(ctx.idx.shape, sparse=True)
            key = tuple(ctx.idx if k == ctx.d else full[k] for k in range(len(full)))
            return index_put_zeros(g, ctx.in_shape, key), None, None
        out = np.zeros(ctx.in_shape, dtype=g.dtype)
        np.put_along_axis(out, ctx.idx, g, axis=ctx.d)
        return out, None, None


def _take(x: Tensor, idx: np.ndarray, d: int) -> Tensor:
    """x's elements at ``idx`` along ``d`` (same ndim, distinct within each slice)."""
    if x.requires_grad:
        return TakeDistinct.apply(x, idx, d)
    return Tensor._make(np.take_along_axis(x._data, idx, axis=d))


def _argsort(xd: np.ndarray, d: int, descending: bool) -> np.ndarray:
    """Stable order along ``d``; descending keeps equal elements in their original order, and NaN
    counts as the largest value (PyTorch's rule)."""
    if not descending:
        return np.argsort(xd, axis=d, kind="stable").astype(np.int64, copy=False)
    n = xd.shape[d]
    rev = np.argsort(np.flip(xd, d), axis=d, kind="stable")
    return (n - 1 - np.flip(rev, d)).astype(np.int64, copy=False)


def _top_indices(xd: np.ndarray, k: int, d: int, largest: bool) -> np.ndarray:
    """The positions of the k largest (smallest) along ``d``, in order; ties in index order."""
    n = xd.shape[d]
    if xd.dtype.kind != "f" or not 0 < k <= n // 2 or np.isnan(xd).any():
        return np.take(_argsort(xd, d, largest), np.arange(k), axis=d)
    key = -xd if largest else xd
    part = np.sort(np.take(np.argpartition(key, k - 1, axis=d), np.arange(k), axis=d), axis=d)
    order = np.argsort(np.take_along_axis(key, part, axis=d), axis=d, kind="stable")
    return np.take_along_axis(part, order, axis=d).astype(np.int64, copy=False)


def _prep(input: Any, dim: Any, op: str) -> tuple[Tensor, int]:
    x = as_tensor_arg(input, op)
    if x.ndim == 0:
        x = S.reshape(x, (1,))
    return x, normalize_dim(dim, x.ndim, op)


def _finish(t: Tensor, shape0: bool) -> Tensor:
    return S.reshape(t, ()) if shape0 else t


def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> SortResult:  # noqa: A002
    """(values, indices) sorted along ``dim``; ties keep their order (a stable sort)."""
    zero_d = as_tensor_arg(input, "sort").ndim == 0
    x, d = _prep(input, dim, "sort")
    idx = _argsort(x._data, d, descending)
    return SortResult(_finish(_take(x, idx, d), zero_d), _finish(_i64(idx), zero_d))


def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:  # noqa: A002
    """The int64 indices that sort ``input`` along ``dim``."""
    return sort(input, dim, descending, stable).indices


def msort(input: Any) -> Tensor:  # noqa: A002
    """``input`` sorted along its first dimension."""
    return sort(input, 0).values


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim``, as (values, indices), in order."""
    zero_d = as_tensor_arg(input, "topk").ndim == 0
    x, d = _prep(input, dim, "topk")
    if not 0 <= k <= x.shape[d]:
        raise RuntimeError(f"topk: selected index k={k} out of range for a dimension of size {x.shape[d]}")
    idx = _top_indices(x._data, k, d, largest)
    return TopkResult(_finish(_take(x, idx, d), zero_d), _finish(_i64(idx), zero_d))


def _pick(x: Tensor, d: int, pos: np.ndarray, keepdim: bool, zero_d: bool, result: type) -> Any:
    """Values and indices at sorted position ``pos`` (an array with d kept as size 1)."""
    order = _argsort(x._data, d, False)
    idx = np.take_along_axis(order, pos, axis=d)
    vals = _take(x, idx, d)
    if not keepdim or zero_d:
        vals, idx = S.squeeze(vals, d), np.squeeze(idx, d)
    return result(vals, _i64(idx))


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> KthvalueResult:  # noqa: A002
    """The k-th smallest element (k from 1) along ``dim``, as (values, indices)."""
    zero_d = as_tensor_arg(input, "kthvalue").ndim == 0
    x, d = _prep(input, dim, "kthvalue")
    if not 1 <= k <= x.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k={k} out of range for dimension {dim} "
                           f"of size {x.shape[d]}")
    shape = list(x.shape)
    shape[d] = 1
    return _pick(x, d, np.full(shape, k - 1, dtype=np.int64), keepdim, zero_d, KthvalueResult)


def _median(input: Any, dim: Any, keepdim: bool, skip_nan: bool, op: str) -> Any:
    x0 = as_tensor_arg(input, op)
    if dim is None and x0._data.size == 0 and x0.dtype.kind == "f":
        return Tensor._make(np.asarray(np.nan, dtype=x0.dtype))  # PyTorch: NaN, not an error
    if x0._data.size == 0:
        raise IndexError(f"{op}(): expected a non-empty tensor, got shape {x0.shape}")
    if dim is None:
        flat = S.reshape(x0, (-1,))
        return _median(flat, 0, False, skip_nan, op).values
    x, d = _prep(x0, dim, op)
    xd = x._data
    n = x.shape[d]
    if xd.dtype.kind == "f":
        nans = np.isnan(xd).sum(axis=d, keepdims=True)
        if skip_nan:  # NaN sort last: the lower median of the rest; all NaN gives NaN
            pos = np.maximum(n - nans - 1, 0) // 2
        else:  # any NaN makes the median NaN: point at the first NaN (sorted to position n - nans)
            pos = np.where(nans > 0, n - nans, (n - 1) // 2)
    else:
        shape = list(x.shape)
        shape[d] = 1
        pos = np.full(shape, (n - 1) // 2)
    return _pick(x, d, pos.astype(np.int64), keepdim, x0.ndim == 0, MedianResult)


def median(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The lower median (of all elements, or along ``dim`` as (values, indices)); NaN if any NaN."""
    return _median(input, dim, keepdim, False, "median")


def nanmedian(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """``median`` ignoring NaN (NaN only where a slice is all NaN)."""
    return _median(input, dim, keepdim, True, "nanmedian")


def mode(input: Any, dim: int = -1, keepdim: bool = False) -> ModeResult:  # noqa: A002
    """The most frequent value along ``dim`` (the smallest such), with its last index."""
    zero_d = as_tensor_arg(input, "mode").ndim == 0
    x, d = _prep(input, dim, "mode")
    rows = np.moveaxis(x._data, d, -1).reshape(-1, x.shape[d])
    best = np.empty(rows.shape[0], dtype=np.int64)
    for r, row in enumerate(rows):
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]
        best[r] = np.flatnonzero(row == v)[-1]
    shape = list(x.shape)
    shape[d] = 1
    idx = np.moveaxis(best.reshape(tuple(np.delete(shape, d)) + (1,)), -1, d)
    vals = _take(x, idx, d)
    if not keepdim or zero_d:
        vals, idx = S.squeeze(vals, d), np.squeeze(idx, d)
    return ModeResult(vals, _i64(idx))


def unique(input: Any, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted), and optionally the inverse indices and the counts."""
    x = as_tensor_arg(input, "unique")
    axis = None if dim is None else normalize_dim(dim, x.ndim, "unique")
    vals, inv, counts = np.unique(x._data, return_inverse=True, return_counts=True, axis=axis)
    out = Tensor._make(vals)
    if not (return_inverse or return_counts):
        return out
    res = [out]
    if return_inverse:
        res.append(_i64(inv.reshape(x.shape) if axis is None else inv.reshape(-1)))
    if return_counts:
        res.append(_i64(counts))
    return tuple(res)


def unique_consecutive(input: Any, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
                       dim: int | None = None) -> Any:
    """Collapse runs of equal consecutive values (or slices along ``dim``) into one."""
    x = as_tensor_arg(input, "unique_consecutive")
    if dim is None:
        a = x._data.reshape(-1)
        axis = 0
        change = a[1:] != a[:-1]
    else:
        axis = normalize_dim(dim, x.ndim, "unique_consecutive")
        a = np.moveaxis(x._data, axis, 0)
        change = (a[1:] != a[:-1]).reshape(max(a.shape[0] - 1, 0), -1).any(axis=1)
    starts = np.concatenate([[True], change]) if a.shape[0] else np.zeros(0, bool)
    keep = np.flatnonzero(starts)
    out = Tensor._make(np.moveaxis(a[keep], 0, axis) if dim is not None else a[keep])
    if not (return_inverse or return_counts):
        return out
    res = [out]
    if return_inverse:
        inv = np.cumsum(starts) - 1
        res.append(_i64(inv.reshape(x.shape) if dim is None else inv))
    if return_counts:
        res.append(_i64(np.diff(np.append(keep, a.shape[0]))))
    return tuple(res)


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Tensor:  # noqa: A002
    """Counts of each value 0..max of a 1-D non-negative integer tensor (weighted sums with
    ``weights``: float64 unless the weights are float32)."""
    x = as_tensor_arg(input, "bincount")
    if x.dtype.kind not in "iub":
        raise NotImplementedError(f"bincount: not implemented for dtype {x.dtype}; expected integers")
    if x.ndim != 1 or (x._data.size and x._data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return _i64(np.bincount(x._data, minlength=minlength))
    w = as_tensor_arg(weights, "bincount")
    if w.shape != x.shape:
        raise RuntimeError(f"bincount: weights of shape {w.shape} must have the input's shape {x.shape}")
    out = np.bincount(x._data, weights=w._data.astype(np.float64), minlength=minlength)
    return Tensor._make(out.astype(np.float32) if w.dtype == np.float32 else out)


def _check_float(x: Tensor, op: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{op}: not implemented for dtype {x.dtype}; expected a floating tensor")


def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A001,A002
    """Counts in ``bins`` equal bins over [min, max] (the data's range when both are 0); values
    outside are ignored, the maximum falls in the last bin. Same dtype as the input."""
    x = as_tensor_arg(input, "histc")
    _check_float(x, "histc")
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, got {bins}")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError(f"histc: max must be larger than min, got min={min}, max={max}")
    if lo == hi and x._data.size:
        lo, hi = float(x._data.min()), float(x._data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(x._data, bins=bins, range=(lo, hi))
    return Tensor._make(counts.astype(x.dtype))


def histogram(input: Any, bins: Any = 100, *, range: Any = None, weight: Any = None,  # noqa: A002
              density: bool = False) -> HistogramResult:
    """(hist, bin_edges): counts (or weighted sums, or a density) in ``bins`` bins (a count or
    the edges as a tensor); same dtype as the input."""
    x = as_tensor_arg(input, "histogram")
    _check_float(x, "histogram")
    b = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else as_tensor_arg(weight, "histogram")._data
    hist, edges = np.histogram(x._data, bins=b, range=range, weights=w, density=density)
    return HistogramResult(Tensor._make(hist.astype(x.dtype)), Tensor._make(edges.astype(x.dtype)))


def searchsorted(sorted_sequence: Any, input: Any, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Any = None) -> Tensor:
    """Where each value of ``input`` would go in the innermost sorted dim of ``sorted_sequence``
    (the first such place, the last with ``right=True`` or ``side='right'``)."""
    seq = as_tensor_arg(sorted_sequence, "searchsorted")._data
    scalar = not isinstance(input, Tensor) and np.ndim(input) == 0
    vals = np.asarray(input._data if isinstance(input, Tensor) else input)
    if side is not None:
        if side not in ("left", "right") or (right and side == "left"):
            raise RuntimeError("searchsorted: side must be 'left' or 'right' (and agree with "
                               f"right=), got {side!r}")
        right = side == "right"
    how = "right" if right else "left"
    srt = None if sorter is None else as_tensor_arg(sorter, "searchsorted")._data
    if seq.ndim == 1:
        out = np.searchsorted(seq, vals, side=how, sorter=srt)
    else:
        if scalar or seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError(f"searchsorted: boundaries of shape {seq.shape} and input of shape "
                               f"{vals.shape} must agree in all but the last dim")
        s2, v2 = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        o2 = np.stack([np.searchsorted(s2[i], v2[i], side=how,
                                       sorter=None if srt is None else srt.reshape(s2.shape)[i])
                       for i in range(s2.shape[0])]) if s2.shape[0] else np.zeros(v2.shape)
        out = o2.reshape(vals.shape)
    return Tensor._make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False, right: bool = False) -> Tensor:  # noqa: A002
    """The bucket of each value: i with boundaries[i-1] < x <= boundaries[i] (``right=True``:
    boundaries[i-1] <= x < boundaries[i])."""
    b = as_tensor_arg(boundaries, "bucketize")
    if b.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries must be 1-D, got shape {b.shape}")
    return searchsorted(b, input, out_int32=out_int32, right=right)


bind_methods(sort=sort, argsort=argsort, msort=msort, topk=topk, kthvalue=kthvalue, median=median,
             nanmedian=nanmedian, mode=mode, unique=unique, unique_consecutive=unique_consecutive,
             bincount=bincount, histc=histc, histogram=histogram)
