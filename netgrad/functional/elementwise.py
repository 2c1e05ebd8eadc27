"""Elementwise ops: arithmetic, exp/log/sqrt/abs, clamp, maximum/minimum, where and casts (the
comparisons, which carry no gradient, are in ``compare.py``). Broadcasting follows NumPy; the
engine undoes it in backward.

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
from ..autograd.creation import ArgumentValueError, write_result
from ..autograd.dtypes import as_dtype
from .core import as_tensor_arg, data, fix_float, register_xp, xp_of
from .compare import eq, ge, gt, isfinite, isinf, isnan, le, lt, ne, sign  # noqa: F401  (re-exported)

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



class RoundedDiv(Function):
    """y = trunc(a / b) or floor(a / b): piecewise constant, so dJ/da = dJ/db = 0 (as PyTorch's
    ``div(..., rounding_mode=)``); integers stay integers.

    >>> import netgrad as ng
    >>> ng.div(ng.tensor([-7, 7]), 2, rounding_mode='floor').tolist()
    [-4, 3]
    """

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b, mode):
        ad, bd = data(a), data(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.floor_divide(ad, bd)
            if q.dtype.kind in "iu":
                if np.any(np.asarray(bd) == 0):
                    raise ArgumentValueError("ZeroDivisionError: div: integer division by zero "
                                             f"(rounding_mode={mode!r})")
                if mode == "trunc":  # floor rounds away from zero for negative quotients
                    q = q + ((np.remainder(ad, bd) != 0) & ((np.asarray(ad) < 0) != (np.asarray(bd) < 0)))
            elif mode == "trunc":
                q = np.trunc(np.true_divide(ad, bd))
        return fix_float(np.asarray(q), a, b)

    @staticmethod
    def backward(ctx, g):
        zero = g * 0.0  # the engine sums it to each input's shape
        return (zero if ctx.needs_input_grad[0] else None), (zero if ctx.needs_input_grad[1] else None), None


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
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x._data)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


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
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x._data)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (2 * y)


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
    _torch_name = "ClampBackward1"

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
    _torch_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, dtype):
        return x._data.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g, None


def _t(x: Any, op: str) -> Tensor:
    return as_tensor_arg(x, op)


def _out(result: Tensor, out: Any, op: str) -> Tensor:
    """PyTorch's ``out=``: the result written into ``out`` (see ``creation.write_result``)."""
    return result if out is None else write_result(result, out, op)


def _scaled(other: Any, alpha: float) -> Any:
    return mul(other, alpha) if isinstance(other, (Tensor, np.ndarray)) else other * alpha


def add(input: Any, other: Any, *, alpha: float = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input + alpha other."""
    return _out(Add.apply(input, other if alpha == 1 else _scaled(other, alpha)), out, "add")


def sub(input: Any, other: Any, *, alpha: float = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input - alpha other, elementwise (broadcasting)."""
    return _out(Sub.apply(input, other if alpha == 1 else _scaled(other, alpha)), out, "sub")


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input * other, elementwise (broadcasting)."""
    return _out(Mul.apply(input, other), out, "mul")


def div(input: Any, other: Any, *, rounding_mode: str | None = None,  # noqa: A002
        out: Tensor | None = None) -> Tensor:
    """input / other, elementwise (true division: integers give floats); ``rounding_mode``
    'trunc' or 'floor' rounds the quotient (integers stay integers; zero gradient, as torch)."""
    if rounding_mode is None:
        return _out(Div.apply(input, other), out, "div")
    if rounding_mode not in ("trunc", "floor"):
        raise ArgumentValueError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found {rounding_mode!r}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _t(input, "div")
    return _out(RoundedDiv.apply(input, other, rounding_mode), out, "div")


def true_divide(dividend: Any, divisor: Any, *, out: Tensor | None = None) -> Tensor:
    return div(dividend, divisor, out=out)


def neg(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """-input."""
    return _out(Neg.apply(_t(input, "neg")), out, "neg")


def pow(input: Any, exponent: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A001,A002
    """input^exponent, elementwise; either may be a number."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        input = _t(input, "pow")
    return _out(Pow.apply(input, exponent), out, "pow")


def square(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input^2."""
    return _out(Pow.apply(_t(input, "square"), 2), out, "square")


def reciprocal(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """1 / input."""
    return _out(Div.apply(1.0, _t(input, "reciprocal")), out, "reciprocal")


def exp(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """e^input."""
    return _out(Exp.apply(_t(input, "exp")), out, "exp")


def log(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """ln input (the natural logarithm; -inf at 0, NaN below)."""
    return _out(Log.apply(_t(input, "log")), out, "log")


def sqrt(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """sqrt(input)."""
    return _out(Sqrt.apply(_t(input, "sqrt")), out, "sqrt")


def abs(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A001,A002
    """|input| (gradient sign(input), 0 at 0)."""
    return _out(Abs.apply(_t(input, "abs")), out, "abs")


def clamp(input: Any, min: Any = None, max: Any = None, *,  # noqa: A002
          out: Tensor | None = None) -> Tensor:
    """Limit input to [min, max]; the gradient is zero where input was cut off. Tensor bounds
    broadcast and receive the gradient where they win (min > max gives max, as torch)."""
    if min is None and max is None:
        raise ArgumentValueError("clamp: at least one of min and max must be given")
    x = _t(input, "clamp")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        y = x if min is None else where(lt(x, min), min, x)
        return _out(y if max is None else where(gt(y, max), max, y), out, "clamp")
    return _out(Clamp.apply(x, data(min), data(max)), out, "clamp")


def clip(input: Any, min: Any = None, max: Any = None, *,  # noqa: A002
         out: Tensor | None = None) -> Tensor:
    return clamp(input, min, max, out=out)


def maximum(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """max(input, other) elementwise; ties share the gradient."""
    return _out(Maximum.apply(input, other), out, "maximum")


def minimum(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """min(input, other) elementwise; ties share the gradient."""
    return _out(Minimum.apply(input, other), out, "minimum")


def where(condition: Any, input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (differentiable in both); the
    one-argument form is ``indexing.where``."""
    c = np.asarray(data(condition), dtype=bool)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _t(input, "where")
    return _out(Where.apply(c, input, other), out, "where")


def cast(x: Tensor, dtype: Any) -> Tensor:
    """x converted to ``dtype``; differentiable between floating dtypes."""
    d = as_dtype(dtype)
    if x.dtype == d:
        return x
    if d.kind != "f":
        return Tensor._make(x._data.astype(d))
    return Cast.apply(x, d)


register_xp(exp=exp, log=log, sqrt=sqrt, abs=abs, where=where, maximum=maximum, minimum=minimum,
            sign=sign, clip=clamp)
