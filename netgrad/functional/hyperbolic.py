"""Hyperbolic functions and their inverses: sinh, cosh, asinh, acosh, atanh (and the
``arcsinh`` ... aliases), with PyTorch's names and ``out=``. Integer inputs give the default float
dtype, as in PyTorch. (``tanh`` lives in activation.)

>>> import netgrad as ng
>>> x = ng.tensor([0.0, 1.0], requires_grad=True)
>>> ng.asinh(x).sum().backward()   # d asinh(x)/dx = 1 / sqrt(x^2 + 1)
>>> x.grad
tensor([1.0000, 0.7071])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import register_xp, xp_of
from ._pointwise_core import quiet, unary_float
from .methods import bind_methods

__all__ = ["sinh", "cosh", "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh"]


class Sinh(Function):
    """y = sinh x; dJ/dx = dJ/dy cosh x."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.sinh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * xp_of(ctx).cosh(x)


class Cosh(Function):
    """y = cosh x; dJ/dx = dJ/dy sinh x."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.cosh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g * xp_of(ctx).sinh(x)


class Asinh(Function):
    """y = asinh x; dJ/dx = dJ/dy / sqrt(x^2 + 1)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / xp_of(ctx).sqrt(x * x + 1)


class Acosh(Function):
    """y = acosh x (x >= 1); dJ/dx = dJ/dy / sqrt(x^2 - 1)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.arccosh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / xp_of(ctx).sqrt(x * x - 1)


class Atanh(Function):
    """y = atanh x (|x| < 1); dJ/dx = dJ/dy / (1 - x^2)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return np.arctanh(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        with quiet():
            return g / (1 - x * x)


def sinh(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """sinh(x) = (e^x - e^-x) / 2.

    >>> import netgrad as ng
    >>> ng.sinh(ng.tensor([0.0]))
    tensor([0.])
    """
    return unary_float(Sinh, input, out, "sinh")


def cosh(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """cosh(x) = (e^x + e^-x) / 2.

    >>> import netgrad as ng
    >>> ng.cosh(ng.tensor([0.0]))
    tensor([1.])
    """
    return unary_float(Cosh, input, out, "cosh")


def asinh(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """asinh(x) = ln(x + sqrt(x^2 + 1)).

    >>> import netgrad as ng
    >>> ng.asinh(ng.tensor([0.0]))
    tensor([0.])
    """
    return unary_float(Asinh, input, out, "asinh")


def acosh(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """acosh(x) = ln(x + sqrt(x^2 - 1)); NaN below 1.

    >>> import netgrad as ng
    >>> ng.acosh(ng.tensor([1.0]))
    tensor([0.])
    """
    return unary_float(Acosh, input, out, "acosh")


def atanh(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """atanh(x) = ln((1 + x) / (1 - x)) / 2; +-inf at +-1, NaN beyond.

    >>> import netgrad as ng
    >>> ng.atanh(ng.tensor([0.0, 0.5]))
    tensor([0.0000, 0.5493])
    """
    return unary_float(Atanh, input, out, "atanh")


arcsinh, arccosh, arctanh = asinh, acosh, atanh

register_xp(sinh=sinh, cosh=cosh, arcsinh=asinh, arccosh=acosh, arctanh=atanh)
bind_methods(sinh=sinh, cosh=cosh, asinh=asinh, acosh=acosh, atanh=atanh, arcsinh=asinh,
             arccosh=acosh, arctanh=atanh)
