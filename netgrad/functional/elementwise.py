"""Elementwise ops: arithmetic, exp/log/sqrt/abs, clamp, maximum/minimum, where, casts and
comparisons. Broadcasting follows NumPy; the engine undoes it in backward.

>>> import netgrad as ng
>>> x = ng.tensor([1.0, 4.0], requires_grad=True)
>>> ng.sqrt(x).sum().backward()   # d sqrt(x)/dx = 1 / (2 sqrt(x))
>>> x.grad
tensor([0.5000, 0.2500])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.dtypes import as_dtype
from ._core import as_tensor_arg, data, fix_float, register_xp, xp_of

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "clamp", "clip",
    "maximum", "minimum", "where", "sign", "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf",
    "isfinite", "cast", "true_divide", "square", "reciprocal",
]


class Add(Function):
    """y = a + b; dJ/da = dJ/dy, dJ/db = dJ/dy."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return fix_float(data(a) + data(b), a, b)

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """y = a - b; dJ/da = dJ/dy, dJ/db = -dJ/dy."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        return fix_float(data(a) - data(b), a, b)

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """y = a * b; dJ/da = dJ/dy * b, dJ/db = dJ/dy * a."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return fix_float(data(a) * data(b), a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g * b if na else None), (g * a if nb else None)


class Div(Function):
    """y = a / b; dJ/da = dJ/dy / b, dJ/db = -dJ/dy * a / b^2."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return fix_float(np.true_divide(data(a), data(b)), a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g / b
        return (ga if ctx.needs_input_grad[0] else None), (-ga * a / b if ctx.needs_input_grad[1] else None)


class Neg(Function):
    """y = -x; dJ/dx = -dJ/dy."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        return np.negative(x._data)

    @staticmethod
    def backward(ctx, g):
        return -g


class Pow(Function):
    """y = a^b; dJ/da = dJ/dy * b a^(b-1), dJ/db = dJ/dy * a^b ln a (0 where a = 0)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ad, bd = data(a), data(b)
        if isinstance(bd, (int, float)) and not isinstance(bd, bool) and isinstance(ad, np.ndarray):
            if bd == 2:
                return ad * ad  # exact and faster than the generic power
            if ad.dtype.kind in "iu" and bd < 0:
                ad = ad.astype(np.float64)
        return fix_float(np.power(ad, bd), a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = xp_of(ctx)
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = g * b * a ** (b - 1) if not isinstance(b, (int, float)) or b != 2 else g * 2 * a
        if ctx.needs_input_grad[1]:
            if isinstance(a, (int, float)):  # scalar base: a Python log, not a default-dtype tensor
                gb = g * a**b * (math.log(a) if a > 0 else 0.0)
            else:
                gb = g * a**b * xp.log(xp.where(a > 0, a, 1.0))
        return ga, gb


class Exp(Function):
    """y = e^x; dJ/dx = dJ/dy * y."""

    _array_backward = True
    _saves_output = True  # backward reads ctx.out: its version is checked

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x._data)
        ctx.save_for_backward(x)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (ctx.out if ctx._arrays else exp(x))


class Log(Function):
    """y = ln x; dJ/dx = dJ/dy / x."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    """y = sqrt(x); dJ/dx = dJ/dy / (2 y)."""

    _array_backward = True
    _saves_output = True  # backward reads ctx.out: its version is checked

    @staticmethod
    def forward(ctx, x):
        out = np.sqrt(x._data)
        ctx.save_for_backward(x)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (2 * (ctx.out if ctx._arrays else sqrt(x)))


class Abs(Function):
    """y = |x|; dJ/dx = dJ/dy * sign(x) (0 at x = 0, as in PyTorch)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.sign = np.sign(x._data)
        return np.abs(x._data)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.sign


class Clamp(Function):
    """y = min(max(x, lo), hi); dJ/dx = dJ/dy where lo <= x <= hi, else 0."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        xd = x._data
        mask = np.ones(xd.shape, dtype=bool)
        if lo is not None:
            mask &= xd >= lo
        if hi is not None:
            mask &= xd <= hi
        ctx.mask = mask
        out = np.clip(xd, lo, hi)
        # NumPy scalars (np.float64 bounds) would promote float32 to float64; torch keeps x's dtype.
        return out.astype(xd.dtype, copy=False) if xd.dtype.kind == "f" else out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None, None


def _tie_weights(wins: np.ndarray, ties: np.ndarray, a: Any, b: Any) -> np.ndarray:
    """1 where a wins, 1/2 on ties, 0 elsewhere, in the operands' floating dtype."""
    dt = np.result_type(a, b)
    w = wins.astype(dt if dt.kind == "f" else np.float64)
    w += 0.5 * ties
    return w


class Maximum(Function):
    """y = max(a, b) elementwise; dJ/da = dJ/dy * w, dJ/db = dJ/dy * (1 - w), with w = 1 where a
    wins, 0 where b wins, 1/2 on ties."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = data(a), data(b)
        ctx.wa = _tie_weights(ad > bd, ad == bd, ad, bd)
        return fix_float(np.maximum(ad, bd), a, b)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.wa, g * (1.0 - ctx.wa)


class Minimum(Maximum):
    """y = min(a, b) elementwise; the gradient goes to the smaller, split evenly on ties."""

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = data(a), data(b)
        ctx.wa = _tie_weights(ad < bd, ad == bd, ad, bd)
        return fix_float(np.minimum(ad, bd), a, b)


class Where(Function):
    """y = a where cond else b; dJ/da = dJ/dy masked by cond, dJ/db by not cond."""

    _array_backward = True

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond = cond
        return fix_float(np.where(cond, data(a), data(b)), a, b)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(ctx)
        na, nb = ctx.needs_input_grad[1:]
        return (None, xp.where(ctx.cond, g, 0.0) if na else None,
                xp.where(ctx.cond, 0.0, g) if nb else None)


class Cast(Function):
    """y = x converted to another dtype; dJ/dx = dJ/dy converted back (by the engine)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, dtype):
        return x._data.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None


def _t(x: Any, op: str) -> Tensor:
    return as_tensor_arg(x, op)


def add(a: Any, b: Any, alpha: float = 1) -> Tensor:
    """a + alpha b."""
    return Add.apply(a, b if alpha == 1 else mul(b, alpha))


def sub(a: Any, b: Any, alpha: float = 1) -> Tensor:
    """a - alpha b, elementwise (broadcasting)."""
    return Sub.apply(a, b if alpha == 1 else mul(b, alpha))


def mul(a: Any, b: Any) -> Tensor:
    """a * b, elementwise (broadcasting)."""
    return Mul.apply(a, b)


def div(a: Any, b: Any) -> Tensor:
    """a / b, elementwise (true division: integers give floats)."""
    return Div.apply(a, b)


true_divide = div


def neg(x: Any) -> Tensor:
    """-x."""
    return Neg.apply(_t(x, "neg"))


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001
    """a^b, elementwise; either may be a number."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _t(a, "pow")
    return Pow.apply(a, b)


def square(x: Any) -> Tensor:
    """x^2."""
    return Pow.apply(_t(x, "square"), 2)


def reciprocal(x: Any) -> Tensor:
    """1 / x."""
    return Div.apply(1.0, _t(x, "reciprocal"))


def exp(x: Any) -> Tensor:
    """e^x."""
    return Exp.apply(_t(x, "exp"))


def log(x: Any) -> Tensor:
    """ln x (the natural logarithm; -inf at 0, NaN below)."""
    return Log.apply(_t(x, "log"))


def sqrt(x: Any) -> Tensor:
    """sqrt(x)."""
    return Sqrt.apply(_t(x, "sqrt"))


def abs(x: Any) -> Tensor:  # noqa: A001
    """|x| (gradient sign(x), 0 at 0)."""
    return Abs.apply(_t(x, "abs"))


def clamp(x: Any, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """Limit x to [min, max]; the gradient is zero where x was cut off."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clamp.apply(_t(x, "clamp"), data(min), data(max))


clip = clamp


def maximum(a: Any, b: Any) -> Tensor:
    """max(a, b) elementwise; ties share the gradient."""
    return Maximum.apply(a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """min(a, b) elementwise; ties share the gradient."""
    return Minimum.apply(a, b)


def where(cond: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``cond`` holds, else ``b`` (differentiable in a and b)."""
    c = np.asarray(data(cond), dtype=bool)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = _t(a, "where")
    return Where.apply(c, a, b)


def cast(x: Tensor, dtype: Any) -> Tensor:
    """x converted to ``dtype``; differentiable between floating dtypes."""
    d = as_dtype(dtype)
    if x.dtype == d:
        return x
    if d.kind != "f":
        return Tensor._make(x._data.astype(d))
    return Cast.apply(x, d)


def _const(arr: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(arr))


def sign(x: Any) -> Tensor:
    """sign(x) in {-1, 0, 1}; piecewise constant, so it carries no gradient."""
    return _const(np.sign(data(x)))


def eq(a: Any, b: Any) -> Tensor:
    """a == b elementwise, a bool tensor (no gradient)."""
    return _const(np.equal(data(a), data(b)))


def ne(a: Any, b: Any) -> Tensor:
    """a != b elementwise, a bool tensor (no gradient)."""
    return _const(np.not_equal(data(a), data(b)))


def lt(a: Any, b: Any) -> Tensor:
    """a < b elementwise, a bool tensor (no gradient)."""
    return _const(np.less(data(a), data(b)))


def le(a: Any, b: Any) -> Tensor:
    """a <= b elementwise, a bool tensor (no gradient)."""
    return _const(np.less_equal(data(a), data(b)))


def gt(a: Any, b: Any) -> Tensor:
    """a > b elementwise, a bool tensor (no gradient)."""
    return _const(np.greater(data(a), data(b)))


def ge(a: Any, b: Any) -> Tensor:
    """a >= b elementwise, a bool tensor (no gradient)."""
    return _const(np.greater_equal(data(a), data(b)))


def isnan(x: Any) -> Tensor:
    """True where x is NaN."""
    return _const(np.isnan(data(x)))


def isinf(x: Any) -> Tensor:
    """True where x is +inf or -inf."""
    return _const(np.isinf(data(x)))


def isfinite(x: Any) -> Tensor:
    """True where x is neither NaN nor infinite."""
    return _const(np.isfinite(data(x)))


register_xp(exp=exp, log=log, sqrt=sqrt, abs=abs, where=where, maximum=maximum, minimum=minimum,
            sign=sign, clip=clamp)
