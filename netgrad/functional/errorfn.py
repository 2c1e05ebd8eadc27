"""The error function, its complement and its inverse: erf, erfc, erfinv, with PyTorch's
names and ``out=``, computed in NumPy alone (``_special``: Cody's rational approximations and
Halley steps, float64-accurate). Integer inputs give the default float dtype, as in PyTorch.

>>> import netgrad as ng
>>> x = ng.tensor([0.0], requires_grad=True)
>>> ng.erf(x).sum().backward()   # d erf(x)/dx = 2/sqrt(pi) e^-x^2
>>> x.grad
tensor([1.1284])
"""

from __future__ import annotations

import math
from typing import Any

from ..autograd import Function, Tensor
from . import _special
from .core import xp_of
from ._pointwise_core import quiet, unary_float
from .methods import bind_methods

__all__ = ["erf", "erfc", "erfinv"]

_TWO_RSQRTPI = 2.0 / math.sqrt(math.pi)


class Erf(Function):
    """y = erf x = 2/sqrt(pi) int_0^x e^-t^2 dt; dJ/dx = dJ/dy 2/sqrt(pi) e^-x^2."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _special.erf(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * _TWO_RSQRTPI * xp_of(ctx).exp(-(x * x))


class Erfc(Function):
    """y = erfc x = 1 - erf x; dJ/dx = -dJ/dy 2/sqrt(pi) e^-x^2."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _special.erfc(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return -g * _TWO_RSQRTPI * xp_of(ctx).exp(-(x * x))


class Erfinv(Function):
    """y = erfinv x (erf y = x); dJ/dx = dJ/dy sqrt(pi)/2 e^(y^2).

    As PyTorch, backward recomputes y from the saved x (the output is not saved): an in-place
    change of y before backward is allowed, as in PyTorch."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _special.erfinv(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        y = erfinv(x) if ctx.create_graph else _special.erfinv(x)
        with quiet():
            return g / _TWO_RSQRTPI * xp_of(ctx).exp(y * y)


def erf(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The error function, 2/sqrt(pi) int_0^x e^-t^2 dt.

    >>> import netgrad as ng
    >>> ng.erf(ng.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8427])
    """
    return unary_float(Erf, input, out, "erf")


def erfc(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """1 - erf(x), accurate where erf(x) is close to 1.

    >>> import netgrad as ng
    >>> ng.erfc(ng.tensor([0.0]))
    tensor([1.])
    """
    return unary_float(Erfc, input, out, "erfc")


def erfinv(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The inverse error function on [-1, 1] (+-inf at +-1, NaN outside).

    >>> import netgrad as ng
    >>> ng.erfinv(ng.tensor([0.0, 0.5]))
    tensor([0.0000, 0.4769])
    """
    return unary_float(Erfinv, input, out, "erfinv")


bind_methods(erf=erf, erfc=erfc, erfinv=erfinv)
