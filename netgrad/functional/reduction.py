"""Reductions: sum, mean, var, std, max, min (with indices), logsumexp, argmax/argmin.

``dim`` may be an int, a tuple or None (everything); ``keepdim`` keeps reduced axes as size 1.

>>> import netgrad as ng
>>> x = ng.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> x.mean(dim=0)
tensor([2., 3.], grad_fn=<MeanBackward0>)
>>> ng.logsumexp(ng.tensor([0.0, 0.0]), dim=0).item() == float(ng.log(ng.tensor(2.0)))
True
"""

from __future__ import annotations

import builtins
import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.dtypes import get_default_dtype
from .core import as_tensor_arg, normalize_dim, register_xp, xp_of

__all__ = ["sum", "mean", "var", "std", "max", "min", "amax", "amin", "logsumexp", "argmax",
           "argmin", "all", "any", "prod", "norm"]

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def _kept_shape(shape: tuple, axis: Any) -> tuple:
    if axis is None:
        return (1,) * len(shape)
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _count(shape: tuple, axis: Any) -> int:
    if axis is None:
        return int(np.prod(shape))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return int(np.prod([shape[a] for a in axes]))


def _expand(xp, g, in_shape, axis):
    """Broadcast a reduced gradient back over the reduced axes."""
    return xp.broadcast_to(g.reshape(_kept_shape(in_shape, axis)), in_shape)


class Sum(Function):
    """y = sum_i x_i over ``dim``; dJ/dx_i = dJ/dy (broadcast back)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.in_shape, ctx.axis = x.shape, axis
        return x._data.sum(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand(xp_of(ctx), g, ctx.in_shape, ctx.axis), None, None


class Mean(Function):
    """y = (1/n) sum_i x_i over ``dim``; dJ/dx_i = dJ/dy / n."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.in_shape, ctx.axis = x.shape, axis
        ctx.n = _count(x.shape, axis)
        return x._data.mean(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand(xp_of(ctx), g / ctx.n, ctx.in_shape, ctx.axis), None, None


class Var(Function):
    """y = sum_i (x_i - mean)^2 / (n - correction); dJ/dx_i = dJ/dy * 2 (x_i - mean) / (n - correction)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, axis, correction, keepdim):
        ctx.save_for_backward(x)
        ctx.in_shape, ctx.axis = x.shape, axis
        ctx.denom = builtins.max(_count(x.shape, axis) - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return x._data.var(axis=axis, ddof=correction, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(ctx)
        centred = x - x.mean(axis=ctx.axis, keepdims=True)
        scale = 2.0 / ctx.denom if ctx.denom else math.inf  # n <= correction: NaN, as in PyTorch
        return _expand(xp, g, ctx.in_shape, ctx.axis) * centred * scale, None, None, None


class Std(Function):
    """y = sqrt(var(x)); dJ/dx_i = dJ/dy (x_i - mean) / ((n - correction) y), taken as 0 where y = 0
    (a constant slice), as PyTorch does, instead of the 0/0 that sqrt(var(x)) would give."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, axis, correction, keepdim):
        ctx.in_shape, ctx.axis = x.shape, axis
        ctx.denom = builtins.max(_count(x.shape, axis) - correction, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            # np.asarray: a 0-d x gives a NumPy scalar, and the saved output must be the array returned
            y = np.asarray(np.sqrt(x._data.var(axis=axis, ddof=correction, keepdims=True)))
        if not keepdim:
            y = y.reshape(_reduced_shape(x.shape, axis))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(ctx)
        y = y.reshape(_kept_shape(ctx.in_shape, ctx.axis))
        zero = y == 0  # a mask: it carries no gradient
        safe = xp.where(zero, 1.0, y)  # no 0 in a denominator, so no NaN from the unused branch
        centred = x - x.mean(axis=ctx.axis, keepdims=True)
        scale = 1.0 / ctx.denom if ctx.denom else math.inf
        g_over = xp.where(zero, 0.0, _expand(xp, g, ctx.in_shape, ctx.axis) / safe)
        return g_over * centred * scale, None, None, None


class Amax(Function):
    """y = max_i x_i over ``dim``; the gradient is shared evenly by tied maxima (PyTorch's amax)."""

    _array_backward = True
    _torch_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, axis, keepdim, largest):
        xd = x._data
        out = xd.max(axis=axis, keepdims=True) if largest else xd.min(axis=axis, keepdims=True)
        mask = xd == out
        ctx.w = mask / mask.sum(axis=axis, keepdims=True)
        ctx.in_shape, ctx.axis = x.shape, axis
        return out if keepdim else out.reshape(_reduced_shape(xd.shape, axis))

    @staticmethod
    def backward(ctx, g):
        return _expand(xp_of(ctx), g, ctx.in_shape, ctx.axis) * ctx.w, None, None, None


class MaxDim(Function):
    """y = max over one ``dim``; the gradient goes to the index returned (the first maximum)."""

    _array_backward = True
    _torch_name = "MaxBackward0"

    @staticmethod
    def forward(ctx, x, axis, keepdim, largest):
        xd = x._data
        idx = np.argmax(xd, axis=axis, keepdims=True) if largest else np.argmin(xd, axis=axis, keepdims=True)
        vals = np.take_along_axis(xd, idx, axis=axis)
        mask = np.zeros(xd.shape, dtype=xd.dtype)
        np.put_along_axis(mask, idx, 1, axis=axis)
        ctx.mask, ctx.in_shape, ctx.axis = mask, x.shape, axis
        ctx.indices = idx if keepdim else np.squeeze(idx, axis)
        return vals if keepdim else np.squeeze(vals, axis)

    @staticmethod
    def backward(ctx, g):
        return _expand(xp_of(ctx), g, ctx.in_shape, ctx.axis) * ctx.mask, None, None, None


class LogSumExp(Function):
    """y = log sum_i e^{x_i}, computed as m + log sum e^{x_i - m}; dJ/dx_i = dJ/dy * softmax(x)_i."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        xd = x._data
        m = xd.max(axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf rows give -inf, not NaN
        with np.errstate(divide="ignore"):
            y = np.asarray(np.log(np.exp(xd - m).sum(axis=axis, keepdims=True)) + m)
        if not keepdim:
            y = y.reshape(_reduced_shape(xd.shape, axis))
        ctx.save_for_backward(x, y)
        ctx.in_shape, ctx.axis = x.shape, axis
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(ctx)
        y = y.reshape(_kept_shape(ctx.in_shape, ctx.axis))
        return _expand(xp, g, ctx.in_shape, ctx.axis) * xp.exp(x - y), None, None


def _reduced_shape(shape: tuple, axis: Any) -> tuple:
    if axis is None:
        return ()
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _axis(x: Tensor, dim: Any, axis: Any, op: str) -> Any:
    if axis is not None:
        dim = axis
    return normalize_dim(dim, x.ndim, op) if x.ndim else None


def sum(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A001,A002
        keepdims: bool | None = None, dtype=None) -> Tensor:
    """sum_i x_i over ``dim`` (all elements by default)."""
    x = as_tensor_arg(input, "sum")
    if dtype is not None:
        x = x.to(dtype)
    elif x.dtype.kind in "biu":
        return Tensor._make(np.asarray(x._data.sum(axis=_axis(x, dim, axis, "sum"),
                                                    keepdims=bool(keepdim or keepdims), dtype=np.int64)))
    return Sum.apply(x, _axis(x, dim, axis, "sum"), bool(keepdim or keepdims))


def mean(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None,  # noqa: A002
         keepdims: bool | None = None, dtype=None) -> Tensor:
    """(1/n) sum_i x_i over ``dim``."""
    x = as_tensor_arg(input, "mean")
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise TypeError(f"mean: expected a floating tensor, got {x.dtype}; convert with .float()")
    if x.size == 0:
        raise ValueError(f"mean: empty tensor of shape {x.shape}")
    return Mean.apply(x, _axis(x, dim, axis, "mean"), bool(keepdim or keepdims))


def var(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,  # noqa: A002
        correction: int | None = None, axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """Variance with Bessel's correction by default (``correction=1``), as in PyTorch."""
    x = as_tensor_arg(input, "var")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return Var.apply(x, _axis(x, dim, axis, "var"), correction, bool(keepdim or keepdims))


def std(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,  # noqa: A002
        correction: int | None = None, axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """sqrt(var(x)), with Bessel's correction by default."""
    x = as_tensor_arg(input, "std")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return Std.apply(x, _axis(x, dim, axis, "std"), correction, bool(keepdim or keepdims))


def _extreme(x: Any, dim: Any, keepdim: bool, largest: bool, op: str):
    x = as_tensor_arg(x, op)
    if x.size == 0:
        raise ValueError(f"{op}: empty tensor of shape {x.shape} has no {op}imum")
    if dim is None:
        if x.dtype.kind != "f":
            return Tensor._make(np.asarray(x._data.max() if largest else x._data.min()))
        return Amax.apply(x, None, False, largest)
    d = normalize_dim(dim, x.ndim, op)
    if x.dtype.kind != "f":
        vals = x._data.max(axis=d, keepdims=keepdim) if largest else x._data.min(axis=d, keepdims=keepdim)
        idx = (np.argmax if largest else np.argmin)(x._data, axis=d, keepdims=keepdim)
        return MaxResult(Tensor._make(vals), Tensor._make(idx))
    ctx_out = MaxDim.apply(x, d, keepdim, largest)
    return MaxResult(ctx_out, Tensor._make(ctx_out.grad_fn.indices if ctx_out.grad_fn is not None
                                           else _indices(x._data, d, keepdim, largest)))


def _indices(xd: np.ndarray, d: int, keepdim: bool, largest: bool) -> np.ndarray:
    return (np.argmax if largest else np.argmin)(xd, axis=d, keepdims=keepdim).astype(np.int64)


def max(input: Any, dim: Any = None, keepdim: bool = False, *, other: Any = None):  # noqa: A001,A002
    """The largest element; with ``dim``, a (values, indices) pair as in PyTorch.
    A tensor as second argument means ``maximum(x, other)``."""
    x, dim = input, (dim if other is None else other)  # max(input, other=t) is maximum
    if isinstance(dim, Tensor):
        from .elementwise import maximum

        return maximum(x, dim)
    return _extreme(x, dim, keepdim, True, "max")


def min(input: Any, dim: Any = None, keepdim: bool = False, *, other: Any = None):  # noqa: A001,A002
    """The smallest element; with ``dim``, a (values, indices) pair as in PyTorch."""
    x, dim = input, (dim if other is None else other)  # max(input, other=t) is maximum
    if isinstance(dim, Tensor):
        from .elementwise import minimum

        return minimum(x, dim)
    return _extreme(x, dim, keepdim, False, "min")


def amax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """max_i x_i over ``dim`` (values only); tied maxima share the gradient."""
    x = as_tensor_arg(input, "amax")
    return Amax.apply(x, normalize_dim(dim, x.ndim, "amax"), keepdim, True)


def amin(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """min_i x_i over ``dim`` (values only); tied minima share the gradient."""
    x = as_tensor_arg(input, "amin")
    return Amax.apply(x, normalize_dim(dim, x.ndim, "amin"), keepdim, False)


def logsumexp(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """log sum_i e^{x_i}, overflow-free (the log-sum-exp trick); integers give the default float."""
    x = as_tensor_arg(input, "logsumexp")
    if x.dtype.kind != "f":
        x = Tensor._make(x._data.astype(get_default_dtype()))
    return LogSumExp.apply(x, normalize_dim(dim, x.ndim, "logsumexp"), keepdim)


def argmax(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The index of the largest element (of the flattened tensor, or along ``dim``), int64."""
    x = as_tensor_arg(input, "argmax")
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(x._data), dtype=np.int64))
    return Tensor._make(_indices(x._data, normalize_dim(dim, x.ndim, "argmax"), keepdim, True))


def argmin(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """The index of the smallest element (of the flattened tensor, or along ``dim``), int64."""
    x = as_tensor_arg(input, "argmin")
    if dim is None:
        return Tensor._make(np.asarray(np.argmin(x._data), dtype=np.int64))
    return Tensor._make(_indices(x._data, normalize_dim(dim, x.ndim, "argmin"), keepdim, False))


def all(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001,A002
    """True if every element (along ``dim``) is nonzero."""
    x = input
    return Tensor._make(np.asarray(np.all(as_tensor_arg(x, "all")._data, axis=dim, keepdims=keepdim)))


def any(input: Any, dim: int | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001,A002
    """True if some element (along ``dim``) is nonzero."""
    x = input
    return Tensor._make(np.asarray(np.any(as_tensor_arg(x, "any")._data, axis=dim, keepdims=keepdim)))


class Prod(Function):
    """y = prod_i x_i over ``dim``; dJ/dx_i = dJ/dy * prod_{j != i} x_j (exact where x has zeros)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.save_for_backward(x)
        ctx.in_shape, ctx.axis = x.shape, axis
        return np.prod(x._data, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(ctx)
        g = _expand(xp, g, ctx.in_shape, ctx.axis)
        if not ctx.create_graph:
            return g * _prod_of_others(x, ctx.axis), None, None
        # The differentiable form divides by x: second derivatives are NaN where x has zeros.
        return g * prod(x, ctx.axis, keepdim=True) / x, None, None


def _prod_of_others(x: np.ndarray, axis: int | None) -> np.ndarray:
    """prod_{j != i} x_j along ``axis`` for every i, by exclusive products from both ends."""
    shape = x.shape
    if axis is None:
        x, axis = x.reshape(-1), 0
    n = x.shape[axis]
    if n == 0:
        return np.ones(shape, x.dtype)
    head = np.ones_like(np.take(x, [0], axis=axis))
    left = np.concatenate([head, np.cumprod(np.take(x, range(n - 1), axis=axis), axis=axis)], axis=axis)
    xr = np.flip(x, axis)
    right = np.concatenate([head, np.cumprod(np.take(xr, range(n - 1), axis=axis), axis=axis)], axis=axis)
    return (left * np.flip(right, axis)).reshape(shape)


class Norm2(Function):
    """y = ||x||_2 = sqrt(sum_i x_i^2) over ``dim``; dJ/dx_i = dJ/dy * x_i / y (0 where y = 0)."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        xd = x._data
        y = np.asarray(np.sqrt((xd * xd).sum(axis=axis, keepdims=True)))
        if not keepdim:
            y = y.reshape(_reduced_shape(xd.shape, axis))
        ctx.save_for_backward(x, y)
        ctx.in_shape, ctx.axis = x.shape, axis
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(ctx)
        y = y.reshape(_kept_shape(ctx.in_shape, ctx.axis))
        safe = xp.where(y == 0, 1.0, y)
        return _expand(xp, g, ctx.in_shape, ctx.axis) * x / safe, None, None


def prod(input: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """prod_i x_i over ``dim`` (all elements by default), computed in ``dtype`` if given."""
    x = as_tensor_arg(input, "prod")
    if dtype is not None:
        x = x.to(dtype)
    d = normalize_dim(dim, x.ndim, "prod") if x.ndim else None
    if x.dtype.kind != "f":
        return Tensor._make(np.asarray(np.prod(x._data, axis=d, keepdims=keepdim)))
    return Prod.apply(x, d, keepdim)


def norm(input: Any, p: float | str = 2, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """||x||_p over ``dim`` (p = 2 by default: the Euclidean/Frobenius norm; also 1 and inf).

    >>> import netgrad as ng
    >>> ng.tensor([3.0, 4.0]).norm().item()
    5.0
    """
    x = input
    from .elementwise import abs as _abs

    x = as_tensor_arg(x, "norm")
    d = normalize_dim(dim, x.ndim, "norm") if x.ndim else None
    if p in (2, "fro"):
        return Norm2.apply(x, d, keepdim)
    if p == 1:
        return sum(_abs(x), d, keepdim)
    if p in (float("inf"), "inf"):
        return amax(_abs(x), d, keepdim)
    if isinstance(p, (int, float)) and p > 0:
        return sum(_abs(x) ** p, d, keepdim) ** (1.0 / p)
    from .linalg_extra import matrix_norm, vector_norm  # p = 0, negative, -inf, 'nuc'

    if p == "nuc":
        return matrix_norm(x, "nuc", tuple(range(x.ndim)) if d is None else d, keepdim)
    if isinstance(p, (int, float)):
        return vector_norm(x, p, d, keepdim)
    raise ValueError(f"norm: unsupported p={p!r} (use a number, inf, -inf, 'fro' or 'nuc')")


def _xp_sum(a, axis=None, keepdims=False):
    return sum(a, axis=axis, keepdims=keepdims)


register_xp(sum=_xp_sum, logsumexp=logsumexp)
