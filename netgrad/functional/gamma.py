"""The log-gamma function and its derivatives: lgamma, digamma, polygamma and mvlgamma, with
PyTorch's names, gradients (d lgamma = digamma, d digamma = polygamma(1, .), ...) and ``out=``.

lgamma calls the C library's lgamma (``math.lgamma``) element by element, exact to the last
bit or so; digamma and polygamma are computed in NumPy: the recurrence psi(x) = psi(x + 1) - 1/x
(or the Hurwitz zeta sum) carries x to >= 10, where the asymptotic series in 1/x^2 is good to
~1e-16; digamma uses the reflection psi(1 - x) - pi / tan(pi x) below 1/2. Poles as PyTorch:
lgamma = inf at 0, -1, -2, ...; digamma(0) = -inf, NaN at negative integers.

>>> import netgrad as ng
>>> x = ng.tensor([1.0, 2.0], requires_grad=True)
>>> ng.lgamma(x).sum().backward()   # d lgamma(x)/dx = digamma(x)
>>> x.grad
tensor([-0.5772,  0.4228])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import register_xp
from ._pointwise_core import check_out, float_tensor, unary_float, write_out
from .methods import bind_methods

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma"]

_lgamma_scalar = np.frompyfunc(math.lgamma, 1, 1)
# Bernoulli numbers B_2, B_4, ..., B_16 for the asymptotic series
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _poles(x: np.ndarray) -> np.ndarray:
    return (x <= 0) & (x == np.floor(x))


def _lgamma(x: np.ndarray) -> np.ndarray:
    xd = np.asarray(x, dtype=np.float64)
    pole = _poles(xd)
    out = np.asarray(_lgamma_scalar(np.where(pole, 1.0, xd)), dtype=np.float64)  # 0-d: an object scalar
    out[pole] = np.inf
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


def _digamma(x: np.ndarray) -> np.ndarray:
    xd = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        refl = xd < 0.5
        y = np.where(refl, 1.0 - xd, xd)
        acc = np.zeros_like(y)
        for _ in range(10):  # psi(y) = psi(y + 1) - 1/y until y >= 10
            small = y < 10
            acc -= np.where(small, 1.0 / y, 0.0)
            y = np.where(small, y + 1.0, y)
        z = 1.0 / (y * y)
        series = np.zeros_like(y)
        for k in range(len(_B2K) - 1, -1, -1):
            series = series * z + _B2K[k] / (2 * (k + 1))
        psi = acc + np.log(y) - 0.5 / y - series * z
        frac = xd - np.round(xd)  # exact; tan(pi x) = tan(pi frac) keeps pi x's rounding out
        psi = np.where(refl, psi - np.pi / np.tan(np.pi * frac), psi)
        psi = np.where(_poles(xd), np.where(xd == 0, np.copysign(np.inf, -xd), np.nan), psi)
        psi = np.where(np.isposinf(xd), np.inf, psi)
    return psi.astype(x.dtype) if x.dtype.kind == "f" else psi


def _hurwitz_zeta(s: int, q: np.ndarray) -> np.ndarray:
    """zeta(s, q) = sum_k (q + k)^-s for an integer s >= 2 (q may be negative, not an integer)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        far = q < -10_000  # would need more direct terms than is reasonable: NaN
        a = np.where(far | np.isneginf(q), np.nan, q)
        total = np.zeros_like(q)
        steps = int(np.ceil(12.0 - np.nanmin(a, initial=12.0)))
        for _ in range(steps):  # direct terms until a >= 12
            small = a < 12
            total += np.where(small, a ** -s, 0.0)
            a = np.where(small, a + 1.0, a)
        # Euler-Maclaurin tail from a: a^(1-s)/(s-1) + a^-s/2 + sum B_2k/(2k)! s..(s+2k-2) a^-(s+2k-1)
        tail = a ** (1 - s) / (s - 1) + 0.5 * a ** -s
        fact, rising = 1.0, float(s)
        for k, b in enumerate(_B2K, start=1):
            fact *= (2 * k - 1) * (2 * k)
            tail += b / fact * rising * a ** -(s + 2 * k - 1)
            rising *= (s + 2 * k - 1) * (s + 2 * k)
        out = total + tail
        return np.where(_poles(q) & ~np.isneginf(q), np.inf, out)


def _polygamma(n: int, x: np.ndarray) -> np.ndarray:
    if n == 0:
        return _digamma(x)
    xd = np.asarray(x, dtype=np.float64)
    out = (-1.0) ** (n + 1) * math.factorial(n) * _hurwitz_zeta(n + 1, xd)
    return out.astype(x.dtype) if x.dtype.kind == "f" else out


class Lgamma(Function):
    """y = ln |Gamma(x)|; dJ/dx = dJ/dy psi(x)."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _lgamma(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (digamma(x) if ctx.create_graph else _digamma(x))


class Polygamma(Function):
    """y = psi^(n)(x), the n-th derivative of digamma (n = 0: digamma);
    dJ/dx = dJ/dy psi^(n+1)(x)."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _polygamma(n, x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        d = polygamma(ctx.n + 1, x) if ctx.create_graph else _polygamma(ctx.n + 1, x)
        return g * d, None


class Digamma(Polygamma):
    """y = psi(x) = d ln Gamma(x)/dx; dJ/dx = dJ/dy psi'(x)."""

    @staticmethod
    def forward(ctx, x):
        return Polygamma.forward(ctx, x, 0)

    @staticmethod
    def backward(ctx, g):
        return Polygamma.backward(ctx, g)[0]


def lgamma(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """ln |Gamma(x)|; inf at 0 and the negative integers.

    >>> import netgrad as ng
    >>> ng.lgamma(ng.tensor([0.5, 3.0]))
    tensor([0.5724, 0.6931])
    """
    return unary_float(Lgamma, input, out, "lgamma")


def digamma(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """psi(x) = Gamma'(x) / Gamma(x); -inf at 0, NaN at the negative integers.

    >>> import netgrad as ng
    >>> ng.digamma(ng.tensor([1.0, 0.5]))
    tensor([-0.5772, -1.9635])
    """
    return unary_float(Digamma, input, out, "digamma")


def polygamma(n: int, input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """psi^(n)(x), the n-th derivative of digamma (PyTorch's argument order: n first).

    >>> import netgrad as ng
    >>> ng.polygamma(1, ng.tensor([1.0]))   # pi^2 / 6
    tensor([1.6449])
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative or non-integer n, got {n!r}")
    check_out("polygamma", out, input)
    return write_out("polygamma", out, Polygamma.apply(float_tensor(input, "polygamma"), int(n)))


def mvlgamma(input: Any, p: int) -> Tensor:  # noqa: A002
    """The multivariate log-gamma: p(p-1)/4 ln pi + sum_{i<p} lgamma(x - i/2), for x > (p-1)/2.

    >>> import netgrad as ng
    >>> ng.mvlgamma(ng.tensor([2.5]), p=1)
    tensor([0.2847])
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise RuntimeError(f"mvlgamma: p has to be greater than or equal to 1, got {p!r}")
    x = float_tensor(input, "mvlgamma")
    if np.any(x._data <= (p - 1) / 2):
        raise RuntimeError(f"mvlgamma: all elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    total = lgamma(x)
    for i in range(1, p):
        total = total + lgamma(x - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def _polygamma_method(x: Tensor, n: int) -> Tensor:
    """``x.polygamma(n)``: PyTorch's method takes n after the tensor."""
    return polygamma(n, x)


register_xp(lgamma=lgamma, digamma=digamma)
bind_methods(lgamma=lgamma, digamma=digamma, polygamma=_polygamma_method, mvlgamma=mvlgamma)
