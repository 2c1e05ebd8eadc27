"""Attach the differentiable ops to ``Tensor`` as operators and methods (PyTorch's names).

``Tensor`` lives in the autograd layer, which may not import this one; the binding happens here,
once, when ``netgrad.functional`` is imported. Op modules above (activations, losses) call
``bind_methods`` to add their own.
"""

from __future__ import annotations

import types
from typing import Any, Callable

import numpy as np

from ..autograd import Tensor
from ..autograd.dtypes import as_dtype
from . import elementwise as E
from . import linalg as L
from . import reduction as R
from . import shape as S
from . import views as V
from .core import numpy_aliases


def bind_methods(**methods: Callable) -> None:
    """Make each function a method of ``Tensor`` (its first argument becomes ``self``)."""
    for name, fn in methods.items():
        setattr(Tensor, name, numpy_aliases(fn) if isinstance(fn, types.FunctionType) else fn)
    if "inplace_methods" in globals():  # in-place variants of the new methods
        inplace_methods.bind_available()


def _rsub(a: Any, b: Any) -> Tensor:
    return E.Sub.apply(b, a)


def _rdiv(a: Any, b: Any) -> Tensor:
    return E.Div.apply(b, a)


def _rpow(a: Any, b: Any) -> Tensor:
    return E.Pow.apply(b, a)


def _rmatmul(a: Any, b: Any) -> Tensor:
    return L.matmul(b, a)


def _to(x: Tensor, *args: Any, dtype=None, **kwargs: Any) -> Tensor:
    """``x.to(dtype)``; device strings ('cpu') are accepted and ignored."""
    for a in args:
        if isinstance(a, str) and a.startswith(("cpu", "cuda", "mps")):
            if not a.startswith("cpu"):
                raise RuntimeError(f"to: netgrad runs on the CPU only, cannot move to {a!r}")
        elif a is not None:
            dtype = a.dtype if isinstance(a, Tensor) else a
    return x if dtype is None else E.cast(x, as_dtype(dtype))


def _clone(x: Tensor) -> Tensor:
    return E.Cast.apply(x, x.dtype) if x.requires_grad else Tensor._make(x._data.copy())


def _where(x: Tensor, condition: Any, other: Any) -> Tensor:
    """``x.where(cond, other)``: x where cond holds, else other (PyTorch's method form)."""
    return E.where(condition, x, other)


def _masked_fill(x: Tensor, mask: Any, value: float) -> Tensor:
    return E.where(mask, value, x)


def _expand_as(x: Tensor, other: Tensor) -> Tensor:
    return S.expand(x, other.shape)


def _view_as(x: Tensor, other: Tensor) -> Tensor:
    return S.view(x, other.shape)


def _reshape_as(x: Tensor, other: Tensor) -> Tensor:
    return S.reshape(x, other.shape)


def _T(x: Tensor) -> Tensor:
    return S.permute(x, tuple(range(x.ndim - 1, -1, -1))) if x.ndim > 1 else x


def _t(x: Tensor) -> Tensor:
    """``x.t()``: a matrix's transpose; vectors and scalars come back unchanged (PyTorch's rule)."""
    if x.ndim > 2:
        raise ValueError(f"t: expects a tensor with at most 2 dims, got shape {x.shape}; use transpose")
    return S.transpose(x, 0, 1) if x.ndim == 2 else x


def _type_cast(dtype):
    return lambda x: E.cast(x, dtype)


def _same(x: Tensor) -> Tensor:
    """``cpu()``: netgrad tensors already live there."""
    return x


def _bool_op(np_fn):
    def op(a, b):
        return Tensor._make(np_fn(np.asarray(a._data), b._data if isinstance(b, Tensor) else b))
    return op


bind_methods(
    __add__=E.add, __radd__=E.add, __sub__=E.sub, __rsub__=_rsub, __mul__=E.mul, __rmul__=E.mul,
    __truediv__=E.div, __rtruediv__=_rdiv, __neg__=E.neg, __pow__=E.pow, __rpow__=_rpow,
    __matmul__=L.matmul, __rmatmul__=_rmatmul, __getitem__=S.index, __abs__=E.abs,
    __eq__=E.eq, __ne__=E.ne, __lt__=E.lt, __le__=E.le, __gt__=E.gt, __ge__=E.ge,
    __and__=_bool_op(np.logical_and), __or__=_bool_op(np.logical_or),
    __xor__=_bool_op(np.logical_xor), __invert__=lambda x: Tensor._make(np.logical_not(x._data)),
    add=E.add, sub=E.sub, mul=E.mul, div=E.div, neg=E.neg, pow=E.pow, exp=E.exp, log=E.log,
    sqrt=E.sqrt, abs=E.abs, clamp=E.clamp, clip=E.clamp, maximum=E.maximum, minimum=E.minimum,
    sign=E.sign, square=E.square, reciprocal=E.reciprocal, eq=E.eq, ne=E.ne, lt=E.lt, le=E.le,
    gt=E.gt, ge=E.ge, isnan=E.isnan, isinf=E.isinf, isfinite=E.isfinite, masked_fill=_masked_fill,
    where=_where,
    sum=R.sum, mean=R.mean, var=R.var, std=R.std, max=R.max, min=R.min, amax=R.amax,
    amin=R.amin, logsumexp=R.logsumexp, argmax=R.argmax, argmin=R.argmin, all=R.all, any=R.any,
    prod=R.prod, norm=R.norm,
    reshape=S.reshape, view=S.view, flatten=S.flatten, squeeze=S.squeeze, unsqueeze=S.unsqueeze,
    expand=S.expand, broadcast_to=S.broadcast_to, expand_as=_expand_as, view_as=_view_as,
    reshape_as=_reshape_as, t=_t, transpose=S.transpose, swapaxes=S.swapaxes, permute=S.permute,
    moveaxis=S.moveaxis, split=S.split, chunk=S.chunk, unbind=S.unbind, gather=S.gather,
    matmul=L.matmul, mm=L.mm, bmm=L.bmm, dot=L.dot,
    to=_to, clone=_clone, cpu=_same, contiguous=V.contiguous, type_as=lambda x, o: _to(x, o.dtype),
    float=_type_cast("float32"), double=_type_cast("float64"), long=_type_cast("int64"),
    int=_type_cast("int32"), bool=_type_cast("bool"),
)
Tensor.T = property(_T)
Tensor.mT = property(lambda x: S.transpose(x, -2, -1))

from . import inplace, inplace_methods  # noqa: E402,F401  (x[i] = v, add_, x += y...: need bind_methods)
