"""Exponentials and logarithms: log2, log10, log1p, expm1, exp2, rsqrt, logit, xlogy, logaddexp,
logaddexp2, with PyTorch's names and ``out=``. Integer inputs give the default float dtype, as in
PyTorch. (erf, erfc, erfinv: errorfn.py.)

>>> import netgrad as ng
>>> x = ng.tensor([0.0, 1.0], requires_grad=True)
>>> ng.log1p(x).sum().backward()   # d log(1 + x)/dx = 1 / (1 + x)
>>> x.grad
tensor([1.0000, 0.5000])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import register_xp, xp_of
from ._pointwise_core import as_tensors, check_out, float_tensor, promote, quiet, unary_float, write_out
from .methods import bind_methods

__all__ = ["log2", "log10", "log1p", "expm1", "exp2", "rsqrt", "logit", "xlogy", "logaddexp",
           "logaddexp2"]

_LN2, _LN10 = math.log(2.0), math.log(10.0)


class Log2(Function):
    """y = log2 x; dJ/dx = dJ/dy / (x ln 2)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.log2(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (x * _LN2)


class Log10(Function):
    """y = log10 x; dJ/dx = dJ/dy / (x ln 10)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = x._data
        with quiet():  # NumPy's float32 log10 is 1 ulp off at powers of ten; PyTorch's is not
            return np.log10(xd.astype(np.float64)).astype(xd.dtype) if xd.itemsize < 8 else np.log10(xd)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (x * _LN10)


class Log1p(Function):
    """y = ln(1 + x), accurate for small x; dJ/dx = dJ/dy / (1 + x)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.log1p(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (1 + x)


class Expm1(Function):
    """y = e^x - 1, accurate for small x; dJ/dx = dJ/dy e^x."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.expm1(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * xp_of(ctx).exp(x)


class Exp2(Function):
    """y = 2^x; dJ/dx = dJ/dy y ln 2."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = np.exp2(x._data)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():
            return g * y * _LN2


class Rsqrt(Function):
    """y = 1 / sqrt(x); dJ/dx = -dJ/dy y^3 / 2."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = np.asarray(1 / np.sqrt(x._data), dtype=x.dtype)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        with quiet():
            return g * -0.5 * y * y * y


class Logit(Function):
    """y = ln(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given;
    dJ/dx = dJ/dy / (x (1 - x)) inside, 0 where eps clamped x, NaN outside [0, 1] without eps."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, eps):
        xd = x._data
        ctx.save_for_backward(x)
        if eps is None:
            ctx.mask = None
        else:
            ctx.mask = (xd >= eps) & (xd <= 1 - eps)
            xd = np.clip(xd, eps, 1 - eps).astype(xd.dtype, copy=False)
        with quiet():
            return np.log(xd / (1 - xd))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(ctx)
        with quiet():
            d = g / (x * (1 - x))
            if ctx.mask is None:
                return xp.where((x < 0) | (x > 1), math.nan, d), None
            return xp.where(ctx.mask, d, 0.0), None


class Xlogy(Function):
    """z = x ln y, 0 where x = 0 (unless y is NaN); dJ/dx = dJ/dz ln y (0 where x = 0 and
    y <= 0), dJ/dy = dJ/dz x / y."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, y):
        xd, yd = x._data, y._data
        ctx.save_for_backward(x, y)
        with quiet():
            return np.where((xd == 0) & ~np.isnan(yd), 0, xd * np.log(yd)).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(ctx)
        nx, ny = ctx.needs_input_grad
        with quiet():
            gx = xp.where((x == 0) & (y <= 0), 0.0, g * xp.log(y)) if nx else None
            return gx, (g * x / y if ny else None)


class LogAddExp(Function):
    """z = ln(e^a + e^b) (base 2 with ``base2``); dJ/da = dJ/dz / (1 + e^(b - a)),
    dJ/db = dJ/dz / (1 + e^(a - b)) (2^(b - a), 2^(a - b) in base 2), PyTorch's form: it needs
    the inputs only, so an in-place change of z before backward is allowed, as in PyTorch."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, a, b, base2):
        ctx.save_for_backward(a, b)
        ctx.base2 = base2
        with quiet():
            return (np.logaddexp2 if base2 else np.logaddexp)(a._data, b._data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = xp_of(ctx)
        c = _LN2 if ctx.base2 else 1.0
        na, nb = ctx.needs_input_grad[:2]
        with quiet():
            return ((g / (1 + xp.exp((b - a) * c)) if na else None),
                    (g / (1 + xp.exp((a - b) * c)) if nb else None), None)


def log2(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """log2(x).

    >>> import netgrad as ng
    >>> ng.log2(ng.tensor([8.0]))
    tensor([3.])
    """
    return unary_float(Log2, input, out, "log2")


def log10(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """log10(x).

    >>> import netgrad as ng
    >>> ng.log10(ng.tensor([100.0]))
    tensor([2.])
    """
    return unary_float(Log10, input, out, "log10")


def log1p(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """ln(1 + x), accurate for small x.

    >>> import netgrad as ng
    >>> ng.log1p(ng.tensor([0.0]))
    tensor([0.])
    """
    return unary_float(Log1p, input, out, "log1p")


def expm1(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """e^x - 1, accurate for small x.

    >>> import netgrad as ng
    >>> ng.expm1(ng.tensor([1e-10], dtype=ng.float64)).item()
    1.00000000005e-10
    """
    return unary_float(Expm1, input, out, "expm1")


def exp2(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """2^x.

    >>> import netgrad as ng
    >>> ng.exp2(ng.tensor([3.0]))
    tensor([8.])
    """
    return unary_float(Exp2, input, out, "exp2")


def rsqrt(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """1 / sqrt(x).

    >>> import netgrad as ng
    >>> ng.rsqrt(ng.tensor([4.0]))
    tensor([0.5000])
    """
    return unary_float(Rsqrt, input, out, "rsqrt")


def logit(input: Any, eps: float | None = None, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """ln(x / (1 - x)), the inverse of sigmoid; with ``eps``, x is first clamped to
    [eps, 1 - eps].

    >>> import netgrad as ng
    >>> ng.logit(ng.tensor([0.5, 0.0]), eps=1e-6)
    tensor([  0.0000, -13.8155])
    """
    check_out("logit", out, input)
    return write_out("logit", out, Logit.apply(float_tensor(input, "logit"), eps))


def xlogy(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input * ln(other), 0 where input is 0 (the convention of entropy terms).

    >>> import netgrad as ng
    >>> ng.xlogy(ng.tensor([0.0, 2.0]), ng.tensor([0.0, 1.0]))
    tensor([0., 0.])
    """
    check_out("xlogy", out, input, other)
    dt, x, y = promote("xlogy", input, other, to_float=True)
    return write_out("xlogy", out, Xlogy.apply(*as_tensors(dt, x, y)))


def logaddexp(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """ln(e^input + e^other) without overflow.

    >>> import netgrad as ng
    >>> ng.logaddexp(ng.tensor([1000.0]), ng.tensor([1000.0]))
    tensor([1000.6932])
    """
    check_out("logaddexp", out, input, other)
    dt, a, b = promote("logaddexp", input, other, to_float=True)
    return write_out("logaddexp", out, LogAddExp.apply(*as_tensors(dt, a, b), False))


def logaddexp2(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """log2(2^input + 2^other) without overflow.

    >>> import netgrad as ng
    >>> ng.logaddexp2(ng.tensor([3.0]), ng.tensor([3.0]))
    tensor([4.])
    """
    check_out("logaddexp2", out, input, other)
    dt, a, b = promote("logaddexp2", input, other, to_float=True)
    return write_out("logaddexp2", out, LogAddExp.apply(*as_tensors(dt, a, b), True))


register_xp(log2=log2, log10=log10, log1p=log1p, expm1=expm1, exp2=exp2, logaddexp=logaddexp,
            logaddexp2=logaddexp2)
bind_methods(log2=log2, log10=log10, log1p=log1p, expm1=expm1, exp2=exp2, rsqrt=rsqrt, logit=logit,
             xlogy=xlogy, logaddexp=logaddexp, logaddexp2=logaddexp2)
