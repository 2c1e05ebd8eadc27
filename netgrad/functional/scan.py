"""Scans along one dimension: cumsum, cumprod, cummax, cummin, logcumsumexp, and diff.

>>> import netgrad as ng
>>> ng.cumsum(ng.tensor([1.0, 2.0, 3.0]), dim=0)
tensor([1., 3., 6.])
>>> ng.tensor([3, 1, 2]).cummax(0).indices.tolist()
[0, 0, 0]
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.dtypes import as_dtype
from . import shape as S
from .core import as_tensor_arg, normalize_dim, register_xp, xp_of
from .methods import bind_methods

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]

CumResult = namedtuple("CumResult", ["values", "indices"])


def _dim(x: Tensor, dim: Any, op: str) -> int:
    if dim is None:
        raise TypeError(f"{op}: missing required argument 'dim'")
    return normalize_dim(dim, x.ndim, op)


def _scan_input(x: Any, dim: Any, dtype: Any, op: str) -> tuple[Tensor, int]:
    x = as_tensor_arg(x, op)
    d = _dim(x, dim, op)
    if dtype is not None:
        x = x.to(as_dtype(dtype))
    elif x.dtype.kind in "biu":
        x = Tensor._make(x._data.astype(np.int64))  # PyTorch: integer scans accumulate in int64
    return x, d


def _rev_cumsum(xp, g, axis):
    """sum_{k >= i} g_k along ``axis``, as total - cumsum + g (no flip needed)."""
    return g.sum(axis=axis, keepdims=True) - xp.cumsum(g, axis=axis) + g


class Cumsum(Function):
    """y_i = sum_{j <= i} x_j along ``dim``; dJ/dx_i = sum_{k >= i} dJ/dy_k.

    >>> import netgrad as ng
    >>> x = ng.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> x.cumsum(0).sum().backward(); x.grad.tolist()
    [3.0, 2.0, 1.0]
    """

    _array_backward = True
    _torch_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return np.cumsum(x._data, axis=axis) if x.ndim else x._data.copy()

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g, None
        return _rev_cumsum(xp_of(ctx), g, ctx.axis), None


class Cumprod(Function):
    """y_i = prod_{j <= i} x_j; dJ/dx_i = (prod_{j < i} x_j) S_i with S_i = sum_{k >= i} dJ/dy_k
    prod_{i < j <= k} x_j, from the reverse recurrence S_i = dJ/dy_i + x_{i+1} S_{i+1} (exact
    where x has zeros; no division).

    >>> import netgrad as ng
    >>> x = ng.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> x.cumprod(0).sum().backward(); x.grad.tolist()   # y = [2, 0, 0]
    [1.0, 8.0, 0.0]
    """

    _array_backward = True
    _torch_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, axis):
        ctx.save_for_backward(x)
        ctx.axis = axis
        return np.cumprod(x._data, axis=axis) if x.ndim else x._data.copy()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if g.ndim == 0:
            return g, None
        move = S.moveaxis if ctx.create_graph else np.moveaxis
        stack = S.stack if ctx.create_graph else np.stack
        xm, gm = move(x, ctx.axis, -1), move(g, ctx.axis, -1)
        n = xm.shape[-1]
        if n == 0:
            return g, None
        s = [None] * n
        s[n - 1] = gm[..., n - 1]
        for i in range(n - 2, -1, -1):
            s[i] = gm[..., i] + xm[..., i + 1] * s[i + 1]
        left = [None] * n
        left[0] = xm[..., 0] * 0 + 1
        for i in range(1, n):
            left[i] = left[i - 1] * xm[..., i - 1]
        out = stack([left[i] * s[i] for i in range(n)], -1)
        return move(out, -1, ctx.axis), None


class Logcumsumexp(Function):
    """y_i = log sum_{j <= i} e^{x_j}; dJ/dx_i = sum_{k >= i} dJ/dy_k e^{x_i - y_k}.

    >>> import netgrad as ng
    >>> x = ng.tensor([0.0, 0.0], requires_grad=True)
    >>> y = ng.logcumsumexp(x, 0); y[1].backward(); x.grad.tolist()
    [0.5, 0.5]
    """

    _array_backward = True

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        y = np.logaddexp.accumulate(x._data, axis=axis) if x.ndim else x._data.copy()
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if g.ndim == 0:
            return g, None
        if ctx.create_graph:  # differentiable form (e^{-y_k} may overflow where the arrays' form does not)
            xp = xp_of(ctx)
            return xp.exp(x) * _rev_cumsum(xp, g * xp.exp(-y), ctx.axis), None
        # Positive and negative parts of g in log space: no overflow of e^{-y_k}.
        with np.errstate(divide="ignore"):
            pos, neg = (np.exp(x + _rev_logcumsumexp(np.log(part) - y, ctx.axis))
                        for part in (np.maximum(g, 0), np.maximum(-g, 0)))
        return pos - neg, None


def _rev_logcumsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(np.logaddexp.accumulate(np.flip(a, axis), axis=axis), axis)


def cumsum(input: Any, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """y_i = sum_{j <= i} x_j along ``dim``; integer and bool inputs give int64."""
    x, d = _scan_input(input, dim, dtype, "cumsum")
    if x.dtype.kind != "f":
        return Tensor._make(np.cumsum(x._data, axis=d) if x.ndim else x._data.copy())
    return Cumsum.apply(x, d)


def cumprod(input: Any, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """y_i = prod_{j <= i} x_j along ``dim``; integer and bool inputs give int64."""
    x, d = _scan_input(input, dim, dtype, "cumprod")
    if x.dtype.kind != "f":
        return Tensor._make(np.cumprod(x._data, axis=d) if x.ndim else x._data.copy())
    return Cumprod.apply(x, d)


def _cum_extreme(input: Any, dim: int, largest: bool, op: str) -> CumResult:
    x = as_tensor_arg(input, op)
    d = _dim(x, dim, op)
    if x.ndim == 0:
        return CumResult(S.index(x, ()), Tensor._make(np.zeros((), np.int64)))
    xd = x._data
    acc = np.maximum.accumulate if largest else np.minimum.accumulate
    run = acc(xd, axis=d)
    shape = [1] * xd.ndim
    shape[d] = xd.shape[d]
    pos = np.arange(xd.shape[d], dtype=np.int64).reshape(shape)
    # PyTorch takes the latest position among ties (and NaN, once seen, stays).
    hit = (xd == run) | (np.isnan(xd) if xd.dtype.kind == "f" else False)
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d)
    if xd.dtype.kind == "f":
        nan_seen = np.maximum.accumulate(np.where(np.isnan(xd), pos, -1), axis=d)
        idx = np.where(nan_seen >= 0, nan_seen, idx)
    values = S.gather(x, d, idx) if x.requires_grad else Tensor._make(np.take_along_axis(xd, idx, d))
    return CumResult(values, Tensor._make(idx))


def cummax(input: Any, dim: int) -> CumResult:  # noqa: A002
    """(values, indices) of the running maximum along ``dim``; the gradient goes to the index."""
    return _cum_extreme(input, dim, True, "cummax")


def cummin(input: Any, dim: int) -> CumResult:  # noqa: A002
    """(values, indices) of the running minimum along ``dim``; the gradient goes to the index."""
    return _cum_extreme(input, dim, False, "cummin")


def logcumsumexp(input: Any, dim: int) -> Tensor:  # noqa: A002
    """y_i = log sum_{j <= i} e^{x_j} along ``dim``, without overflow."""
    x = as_tensor_arg(input, "logcumsumexp")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"logcumsumexp: not implemented for {x.dtype} (floating dtypes only)")
    return Logcumsumexp.apply(x, _dim(x, dim, "logcumsumexp"))


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:  # noqa: A002
    """y_i = x_{i+1} - x_i along ``dim``, ``n`` times (bool inputs: x_{i+1} != x_i)."""
    x = as_tensor_arg(input, "diff")
    if x.ndim == 0:
        raise RuntimeError("diff: expects input to be at least one-dimensional")
    d = normalize_dim(dim, x.ndim, "diff")
    if prepend is not None or append is not None:
        parts = [as_tensor_arg(p, "diff") for p in (prepend, x, append) if p is not None]
        parts = [p if p.ndim else S.expand(S.reshape(p, (1,) * x.ndim), x.shape[:d] + (1,) + x.shape[d + 1:])
                 for p in parts]
        x = S.cat(parts, d)
    pre = (slice(None),) * d
    for _ in range(int(n)):
        hi, lo = S.index(x, pre + (slice(1, None),)), S.index(x, pre + (slice(None, -1),))
        x = Tensor._make(hi._data != lo._data) if x.dtype.kind == "b" else hi - lo
    return x


def _xp_cumsum(a, axis):
    return cumsum(a, axis)


register_xp(cumsum=_xp_cumsum)
bind_methods(cumsum=cumsum, cumprod=cumprod, cummax=cummax, cummin=cummin,
             logcumsumexp=logcumsumexp, diff=diff)
