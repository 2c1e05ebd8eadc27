"""Trigonometric functions, their inverses, atan2, hypot, sinc and the degree/radian
conversions, with PyTorch's names, aliases (``arcsin``, ...) and ``out=``. Integer inputs give
the default float dtype, as in PyTorch. (Hyperbolic functions: hyperbolic.py.)

>>> import netgrad as ng
>>> x = ng.tensor([0.0, 0.5], requires_grad=True)
>>> ng.sin(x).sum().backward()   # d sin(x)/dx = cos(x)
>>> x.grad
tensor([1.0000, 0.8776])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import register_xp, xp_of
from ._pointwise_core import arr, check_out, float_tensor, promote, quiet, unary_float, write_out
from .methods import bind_methods

__all__ = ["sin", "cos", "tan", "asin", "acos", "atan", "atan2", "hypot", "deg2rad", "rad2deg",
           "sinc", "arcsin", "arccos", "arctan", "arctan2"]


class Sin(Function):
    """y = sin x; dJ/dx = dJ/dy cos x."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * xp_of(ctx).cos(x)


class Cos(Function):
    """y = cos x; dJ/dx = -dJ/dy sin x."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * xp_of(ctx).sin(x)


class Tan(Function):
    """y = tan x; dJ/dx = dJ/dy (1 + y^2)."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        y = np.tan(x._data)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 + y * y)


class Asin(Function):
    """y = asin x; dJ/dx = dJ/dy / sqrt(1 - x^2)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.arcsin(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / xp_of(ctx).sqrt(1 - x * x)


class Acos(Function):
    """y = acos x; dJ/dx = -dJ/dy / sqrt(1 - x^2)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.arccos(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return -g / xp_of(ctx).sqrt(1 - x * x)


class Atan(Function):
    """y = atan x; dJ/dx = dJ/dy / (1 + x^2)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (1 + x * x)


class Atan2(Function):
    """theta = atan2(y, x), the angle of the point (x, y); dJ/dy = dJ/dtheta x / (x^2 + y^2),
    dJ/dx = -dJ/dtheta y / (x^2 + y^2)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, y, x, dt):
        ctx.save_for_backward(y, x)
        return np.arctan2(arr(y, dt), arr(x, dt))

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved_tensors
        ny, nx = ctx.needs_input_grad[:2]
        with quiet():
            gr = g / (x * x + y * y)
            return (gr * x if ny else None), (-gr * y if nx else None), None


class Hypot(Function):
    """r = sqrt(a^2 + b^2); dJ/da = dJ/dr a / r, dJ/db = dJ/dr b / r."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, a, b, dt):
        r = np.hypot(arr(a, dt), arr(b, dt))
        ctx.save_for_backward(a, b, r)
        return r

    @staticmethod
    def backward(ctx, g):
        a, b, r = ctx.saved_tensors
        na, nb = ctx.needs_input_grad[:2]
        with quiet():
            gr = g / r
            return (gr * a if na else None), (gr * b if nb else None), None


class Scale(Function):
    """y = c x for a constant c (degrees <-> radians); dJ/dx = c dJ/dy."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        return (x._data * c).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.c, None


class Sinc(Function):
    """y = sin(pi x) / (pi x), 1 at 0; dJ/dx = dJ/dy (cos(pi x) pi x - sin(pi x)) / (pi x^2),
    0 at x = 0 (PyTorch's convention)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.sinc(x._data).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(ctx)
        zero = x == 0
        with quiet():
            xs = xp.where(zero, 1.0, x) * math.pi
            d = (xp.cos(xs) * xs - xp.sin(xs)) / (xs * xs) * math.pi
            return g * xp.where(zero, 0.0, d)


def sin(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """sin(x), elementwise.

    >>> import netgrad as ng
    >>> ng.sin(ng.tensor([0.0]))
    tensor([0.])
    """
    return unary_float(Sin, input, out, "sin")


def cos(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """cos(x), elementwise.

    >>> import netgrad as ng
    >>> ng.cos(ng.tensor([0.0]))
    tensor([1.])
    """
    return unary_float(Cos, input, out, "cos")


def tan(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """tan(x), elementwise.

    >>> import netgrad as ng
    >>> ng.tan(ng.tensor([0.0]))
    tensor([0.])
    """
    return unary_float(Tan, input, out, "tan")


def asin(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """asin(x) in [-pi/2, pi/2]; NaN outside [-1, 1].

    >>> import netgrad as ng
    >>> ng.asin(ng.tensor([1.0]))
    tensor([1.5708])
    """
    return unary_float(Asin, input, out, "asin")


def acos(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """acos(x) in [0, pi]; NaN outside [-1, 1].

    >>> import netgrad as ng
    >>> ng.acos(ng.tensor([1.0]))
    tensor([0.])
    """
    return unary_float(Acos, input, out, "acos")


def atan(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """atan(x) in (-pi/2, pi/2).

    >>> import netgrad as ng
    >>> ng.atan(ng.tensor([0.0]))
    tensor([0.])
    """
    return unary_float(Atan, input, out, "atan")


def atan2(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """atan2(input, other): the angle of the point (other, input), in (-pi, pi].

    >>> import netgrad as ng
    >>> ng.atan2(ng.tensor([1.0]), ng.tensor([-1.0]))
    tensor([2.3562])
    """
    check_out("atan2", out, input, other)
    dt, y, x = promote("atan2", input, other, to_float=True)
    return write_out("atan2", out, Atan2.apply(y, x, dt))


def hypot(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """sqrt(input^2 + other^2), without overflow for large operands.

    >>> import netgrad as ng
    >>> ng.hypot(ng.tensor([3.0]), ng.tensor([4.0]))
    tensor([5.])
    """
    check_out("hypot", out, input, other)
    dt, a, b = promote("hypot", input, other, to_float=True)
    return write_out("hypot", out, Hypot.apply(a, b, dt))


def deg2rad(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """x pi / 180.

    >>> import netgrad as ng
    >>> ng.deg2rad(ng.tensor([180.0]))
    tensor([3.1416])
    """
    check_out("deg2rad", out, input)
    return write_out("deg2rad", out, Scale.apply(float_tensor(input, "deg2rad"), math.pi / 180))


def rad2deg(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """x 180 / pi.

    >>> import netgrad as ng
    >>> ng.rad2deg(ng.tensor([math.pi]))
    tensor([180.])
    """
    check_out("rad2deg", out, input)
    return write_out("rad2deg", out, Scale.apply(float_tensor(input, "rad2deg"), 180 / math.pi))


def sinc(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The normalised sinc, sin(pi x) / (pi x), 1 at 0.

    >>> import netgrad as ng
    >>> ng.sinc(ng.tensor([0.0, 0.5]))
    tensor([1.0000, 0.6366])
    """
    return unary_float(Sinc, input, out, "sinc")


arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

register_xp(sin=sin, cos=cos, tan=tan, arcsin=asin, arccos=acos, arctan=atan, arctan2=atan2,
            hypot=hypot, deg2rad=deg2rad, rad2deg=rad2deg, sinc=sinc)
bind_methods(sin=sin, cos=cos, tan=tan, asin=asin, acos=acos, atan=atan, atan2=atan2, hypot=hypot,
             deg2rad=deg2rad, rad2deg=rad2deg, sinc=sinc, arcsin=asin, arccos=acos, arctan=atan,
             arctan2=atan2)
