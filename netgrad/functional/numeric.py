"""More of the torch namespace's elementwise maths: the NumPy-style aliases (negative, absolute,
multiply, subtract, divide, sgn, rsub), NaN-ignoring fmax/fmin, ldexp, frexp, nextafter, the
integer ops gcd, lcm and bit shifts (with ``<<`` and ``>>``), and isposinf/isneginf/isreal.

>>> import netgrad as ng
>>> ng.fmax(ng.tensor([1.0, float('nan')]), ng.tensor([float('nan'), 2.0]))
tensor([1., 2.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import register_xp, xp_of
from ._pointwise_core import arr, check_out, float_tensor, promote, result_type, write_out
from .elementwise import abs, as_tensor_arg, div, mul, neg, pow, sign, sub
from .methods import bind_methods

__all__ = ["negative", "absolute", "multiply", "subtract", "divide", "sgn", "rsub", "fmax", "fmin",
           "ldexp", "frexp", "nextafter", "gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift",
           "isposinf", "isneginf", "isreal"]

negative, absolute, multiply, subtract, divide, sgn = neg, abs, mul, sub, div, sign


def rsub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:  # noqa: A002
    """other - alpha input (``sub`` with the operands swapped).

    >>> import netgrad as ng
    >>> ng.rsub(ng.tensor([1.0]), 5.0, alpha=2)
    tensor([3.])
    """
    return sub(other, input, alpha=alpha)


class FMax(Function):
    """y = max(a, b) where both are numbers, the number where one is NaN (``lower``: min);
    dJ/da = dJ/dy where a wins (a >= b, or b is NaN; a <= b for fmin), dJ/db = dJ/dy elsewhere."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b, dt, lower):
        ad, bd = arr(a, dt), arr(b, dt)
        with np.errstate(invalid="ignore"):
            ctx.wins = ((ad <= bd) if lower else (ad >= bd)) | np.isnan(bd)
        return (np.fmin if lower else np.fmax)(ad, bd)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(ctx)
        na, nb = ctx.needs_input_grad[:2]
        return ((xp.where(ctx.wins, g, 0.0) if na else None),
                (xp.where(ctx.wins, 0.0, g) if nb else None), None, None)


def _fmax(op: str, input: Any, other: Any, out: Tensor | None, lower: bool) -> Tensor:
    check_out(op, out, input, other)
    dt, a, b = promote(op, input, other)
    return write_out(op, out, FMax.apply(a, b, dt, lower))


def fmax(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """max(input, other) ignoring NaN (NaN only where both are); ties pass the gradient to input."""
    return _fmax("fmax", input, other, out, False)


def fmin(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """min(input, other) ignoring NaN.

    >>> import netgrad as ng
    >>> ng.fmin(ng.tensor([1.0, float('nan')]), 0.5)
    tensor([0.5000, 0.5000])
    """
    return _fmax("fmin", input, other, out, True)


def ldexp(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input 2^other, always floating (PyTorch composes it the same way, so gradients follow).

    >>> import netgrad as ng
    >>> ng.ldexp(ng.tensor([1.0, 3.0]), ng.tensor([3, -1]))
    tensor([8.0000, 1.5000])
    """
    check_out("ldexp", out, input, other)
    x = float_tensor(input, "ldexp")
    return write_out("ldexp", out, mul(x, pow(2.0, other if isinstance(other, Tensor) else
                                                  Tensor._make(np.asarray(other)))))


def frexp(input: Any) -> tuple:  # noqa: A002
    """(mantissa, exponent) with input = mantissa 2^exponent, |mantissa| in [0.5, 1).

    >>> import netgrad as ng
    >>> ng.frexp(ng.tensor([8.0, -3.0]))
    (tensor([ 0.5000, -0.7500]), tensor([4, 2]...))
    """
    x = as_tensor_arg(input, "frexp")
    if x.dtype.kind != "f":
        raise RuntimeError(f"frexp: only floating tensors are supported, got {x.dtype} (as in PyTorch)")
    m, e = np.frexp(x._data)
    return Tensor._make(m), Tensor._make(e.astype(np.int32))


def nextafter(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The next floating value after input towards other (no gradient, as in PyTorch).

    >>> import netgrad as ng
    >>> ng.nextafter(ng.tensor([1.0], dtype=ng.float64), 2.0).item() - 1.0 == 2.0 ** -52
    True
    """
    check_out("nextafter", out, input, other)
    dt = result_type(input, other, op="nextafter")
    return write_out("nextafter", out, Tensor._make(np.nextafter(arr(input, dt), arr(other, dt))))


def _integer_op(op: str, fn: Any, input: Any, other: Any, out: Tensor | None) -> Tensor:
    check_out(op, out, input, other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = as_tensor_arg(input, op)
    dt = result_type(input, other, op=op)
    if dt.kind not in "iu" and not (dt.kind == "b" and op.startswith("bitwise")):
        raise TypeError(f"{op}: only integer tensors are supported, got {dt} (as in PyTorch)")
    if dt.kind == "b":
        dt = np.dtype(np.int64)
    return write_out(op, out, Tensor._make(np.asarray(fn(arr(input, dt), arr(other, dt)))))


def gcd(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The greatest common divisor (non-negative), of integers.

    >>> import netgrad as ng
    >>> ng.gcd(ng.tensor([12, -18, 0]), ng.tensor([8, 12, 5]))
    tensor([4, 6, 5])
    """
    return _integer_op("gcd", np.gcd, input, other, out)


def lcm(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The least common multiple (non-negative), of integers.

    >>> import netgrad as ng
    >>> ng.lcm(ng.tensor([4, -6]), 6)
    tensor([12,  6])
    """
    return _integer_op("lcm", np.lcm, input, other, out)


def _shift(np_fn: Any, left: bool) -> Any:
    def shift(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        bits = a.dtype.itemsize * 8
        big = (b >= bits) | (b < 0)
        safe = np_fn(a, np.where(big, 0, b))
        # PyTorch: shifting past the width gives 0 (left) or the sign fill (right)
        fill = np.zeros_like(a) if left else np.where(a < 0, -1, 0).astype(a.dtype)
        return np.where(big, fill, safe)
    return shift


def bitwise_left_shift(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input shifted left by other bits (input 2^other, wrapping); PyTorch's ``a << b``.

    >>> import netgrad as ng
    >>> ng.bitwise_left_shift(ng.tensor([1, -3]), 2)
    tensor([  4, -12])
    """
    return _integer_op("bitwise_left_shift", _shift(np.left_shift, True), input, other, out)


def bitwise_right_shift(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input shifted right by other bits, keeping the sign; PyTorch's ``a >> b``.

    >>> import netgrad as ng
    >>> ng.tensor([-8, 8]) >> 1
    tensor([-4,  4])
    """
    return _integer_op("bitwise_right_shift", _shift(np.right_shift, False), input, other, out)


def isposinf(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """True where input is +inf.

    >>> import netgrad as ng
    >>> ng.isposinf(ng.tensor([float('inf'), -float('inf'), 1.0]))
    tensor([ True, False, False]...)
    """
    check_out("isposinf", out, input)
    return write_out("isposinf", out, Tensor._make(np.isposinf(as_tensor_arg(input, "isposinf")._data)))


def isneginf(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """True where input is -inf."""
    check_out("isneginf", out, input)
    return write_out("isneginf", out, Tensor._make(np.isneginf(as_tensor_arg(input, "isneginf")._data)))


def isreal(input: Any) -> Tensor:  # noqa: A002
    """True everywhere: netgrad has no complex dtypes."""
    return Tensor._make(np.ones(as_tensor_arg(input, "isreal").shape, dtype=bool))


def _lshift(a: Tensor, b: Any) -> Tensor:
    return bitwise_left_shift(a, b)


def _rshift(a: Tensor, b: Any) -> Tensor:
    return bitwise_right_shift(a, b)


register_xp(fmax=fmax, fmin=fmin, ldexp=ldexp, gcd=gcd, lcm=lcm, isposinf=isposinf, isneginf=isneginf,
            negative=neg, absolute=abs, multiply=mul, subtract=sub, divide=div, left_shift=_lshift,
            right_shift=_rshift, nextafter=nextafter)
bind_methods(negative=neg, absolute=abs, multiply=mul, subtract=sub, divide=div, sgn=sign, fmax=fmax,
             fmin=fmin, ldexp=ldexp, frexp=frexp, nextafter=nextafter, gcd=gcd, lcm=lcm,
             bitwise_left_shift=bitwise_left_shift, bitwise_right_shift=bitwise_right_shift,
             isposinf=isposinf, isneginf=isneginf, isreal=isreal, __lshift__=_lshift,
             __rshift__=_rshift, __rlshift__=lambda a, b: bitwise_left_shift(b, a),
             __rrshift__=lambda a, b: bitwise_right_shift(b, a))
