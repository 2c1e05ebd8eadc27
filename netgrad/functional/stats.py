"""Statistics over a dimension: quantile, nanquantile, nansum, nanmean, var_mean, std_mean,
aminmax. Built from sort, gather, where and the reductions, so they are differentiable (with
second derivatives) wherever those are.

>>> import netgrad as ng
>>> ng.quantile(ng.tensor([1.0, 2.0, 3.0, 4.0]), 0.5).item()
2.5
>>> ng.nansum(ng.tensor([1.0, float("nan"), 2.0])).item()
3.0
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..autograd import Tensor
from . import elementwise as E
from . import reduction as R
from . import shape as S
from .core import as_tensor_arg, normalize_dim
from .methods import bind_methods
from .sorting import sort

__all__ = ["quantile", "nanquantile", "nansum", "nanmean", "var_mean", "std_mean", "aminmax"]

AminmaxResult = namedtuple("aminmax", ["min", "max"])

_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _const(value: Any, dtype: np.dtype) -> Tensor:
    return Tensor._make(np.asarray(value, dtype=dtype))


def _quantile(input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str, skip_nan: bool,  # noqa: A002
              op: str) -> Tensor:
    x = as_tensor_arg(input, op)
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got {x.dtype}")
    if interpolation not in _MODES:
        raise ValueError(f"{op}() interpolation must be one of {', '.join(_MODES)}, got {interpolation!r}")
    scalar_q = not isinstance(q, Tensor) and np.ndim(q) == 0
    qa = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64).reshape(-1)
    if isinstance(q, Tensor) and q.ndim > 1:
        raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape {q.shape}")
    if ((qa < 0) | (qa > 1)).any():
        raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
    if x._data.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    in_shape = x.shape
    if dim is None:
        x, d = S.reshape(x, (-1,)), 0
    else:
        d = normalize_dim(dim, x.ndim, op)
        if x.ndim == 0:
            x = S.reshape(x, (1,))
    xs = S.moveaxis(sort(x, d).values, d, -1)  # NaN sort last
    n = xs.shape[-1]
    nans = np.isnan(xs._data).sum(axis=-1, keepdims=True)
    valid = n - nans if skip_nan else np.full_like(nans, n)
    pos = qa * np.maximum(valid - 1, 0)  # (..., k)
    lo = np.floor(pos).astype(np.int64)
    hi = np.ceil(pos).astype(np.int64)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = np.round(pos).astype(np.int64)  # half to even, as torch.round
    frac = pos - lo
    if interpolation == "midpoint":
        frac = np.where(hi > lo, 0.5, 0.0)
    v_lo, v_hi = S.gather(xs, -1, lo), S.gather(xs, -1, hi)
    out = v_lo + (v_hi - v_lo) * _const(frac, xs.dtype) if (hi != lo).any() else v_lo
    bad = (valid == 0) if skip_nan else (nans > 0)
    if bad.any():
        out = E.where(_const(np.broadcast_to(bad, out.shape), np.bool_), _const(np.nan, xs.dtype), out)
    out = S.moveaxis(out, -1, 0)  # (k, ...)
    if keepdim:
        kept = (1,) * len(in_shape) if dim is None else tuple(
            1 if i == d else s for i, s in enumerate(in_shape))
        out = S.reshape(out, (len(qa),) + kept)
    return S.reshape(out, out.shape[1:]) if scalar_q else out


def quantile(input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles (q a number or a 1-D tensor in [0, 1]) of all elements or along ``dim``;
    NaN where a slice has NaN. With a tensor q the quantiles make a new first dim."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
                interpolation: str = "linear") -> Tensor:
    """``quantile`` ignoring NaN (NaN only where a slice is all NaN)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def _nan_free(x: Tensor) -> tuple[Tensor, np.ndarray]:
    isnan = np.isnan(x._data) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    if not isnan.any():
        return x, isnan
    return E.where(_const(isnan, np.bool_), _const(0, x.dtype), x), isnan


def nansum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """sum_i x_i over ``dim``, NaN counted as 0 (their gradient is 0)."""
    x = as_tensor_arg(input, "nansum")
    return R.sum(_nan_free(x)[0], dim, keepdim, dtype=dtype)


def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """The mean over ``dim`` of the elements that are not NaN."""
    x = as_tensor_arg(input, "nanmean")
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got {x.dtype}")
    clean, isnan = _nan_free(x)
    axis = normalize_dim(dim, x.ndim, "nanmean") if x.ndim else None
    count = (~isnan).sum(axis=axis, keepdims=keepdim)
    return R.sum(clean, dim, keepdim) / _const(count, x.dtype)


def _stat_mean(stat, input: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any, op: str) -> tuple:  # noqa: A002
    x = as_tensor_arg(input, op)
    if isinstance(dim, bool) and unbiased is None:  # var_mean(x, False): the old unbiased form
        dim, unbiased = None, dim
    s = stat(x, dim, unbiased, keepdim, correction=correction)
    return s, R.mean(x, dim, keepdim)


def var_mean(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,  # noqa: A002
             correction: int | None = None) -> tuple:
    """(var, mean) over ``dim``, with Bessel's correction by default."""
    return _stat_mean(R.var, input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(input: Any, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,  # noqa: A002
             correction: int | None = None) -> tuple:
    """(std, mean) over ``dim``, with Bessel's correction by default."""
    return _stat_mean(R.std, input, dim, unbiased, keepdim, correction, "std_mean")


def aminmax(input: Any, *, dim: int | None = None, keepdim: bool = False) -> AminmaxResult:  # noqa: A002
    """(min, max) over all elements or ``dim``; tied extremes share the gradient."""
    x = as_tensor_arg(input, "aminmax")
    if x._data.size == 0:
        raise RuntimeError(f"aminmax(): cannot compute aminmax over an empty tensor of shape {x.shape}")
    if x.dtype.kind != "f":
        axis = normalize_dim(dim, x.ndim, "aminmax") if x.ndim and dim is not None else None
        return AminmaxResult(Tensor._make(np.asarray(x._data.min(axis=axis, keepdims=keepdim))),
                             Tensor._make(np.asarray(x._data.max(axis=axis, keepdims=keepdim))))
    if dim is None and keepdim:
        kept = (1,) * x.ndim
        return AminmaxResult(S.reshape(R.amin(x), kept), S.reshape(R.amax(x), kept))
    return AminmaxResult(R.amin(x, dim, keepdim), R.amax(x, dim, keepdim))


bind_methods(quantile=quantile, nanquantile=nanquantile, nansum=nansum, nanmean=nanmean,
             aminmax=aminmax)
