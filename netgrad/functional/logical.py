"""Logical, bitwise and closeness tests: logical_and/or/xor/not, bitwise_and/or/xor/not (integers
and bools), signbit, isclose, allclose and equal. None of them has a gradient (PyTorch's
results are bool tensors, integer tensors or Python bools).

>>> import netgrad as ng
>>> ng.bitwise_and(ng.tensor([12, 10]), 6), ng.logical_and(ng.tensor([12, 0]), 6)
(tensor([4, 2]), tensor([ True, False]...))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from .core import data, register_xp
from ._pointwise_core import arr, check_out, result_type, write_out
from .elementwise import as_tensor_arg
from .methods import bind_methods

__all__ = ["logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
           "bitwise_xor", "bitwise_not", "signbit", "isclose", "allclose", "equal"]


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(a))


def _logical(op: str, fn: Any, input: Any, other: Any, out: Tensor | None) -> Tensor:
    check_out(op, out, input, other)
    return write_out(op, out, _const(fn(np.asarray(data(as_tensor_arg(input, op))), data(other))))


def logical_and(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """True where both are nonzero.

    >>> import netgrad as ng
    >>> ng.logical_and(ng.tensor([1, 0]), ng.tensor([2, 2]))
    tensor([ True, False]...)
    """
    return _logical("logical_and", np.logical_and, input, other, out)


def logical_or(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """True where either is nonzero.

    >>> import netgrad as ng
    >>> ng.logical_or(ng.tensor([0.0, 0.0]), ng.tensor([0.0, 3.0]))
    tensor([False,  True]...)
    """
    return _logical("logical_or", np.logical_or, input, other, out)


def logical_xor(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """True where exactly one is nonzero.

    >>> import netgrad as ng
    >>> ng.logical_xor(ng.tensor([1, 1]), ng.tensor([0, 2]))
    tensor([ True, False]...)
    """
    return _logical("logical_xor", np.logical_xor, input, other, out)


def logical_not(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """True where input is zero.

    >>> import netgrad as ng
    >>> ng.logical_not(ng.tensor([0, 3]))
    tensor([ True, False]...)
    """
    check_out("logical_not", out, input)
    return write_out("logical_not", out, _const(np.logical_not(data(as_tensor_arg(input, "logical_not")))))


def _bitwise(op: str, fn: Any, input: Any, other: Any, out: Tensor | None) -> Tensor:
    check_out(op, out, input, other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = as_tensor_arg(input, op)
    dt = result_type(input, other, op=op)
    if dt.kind not in "biu":
        raise TypeError(f"{op}: only integer and bool tensors are supported, got {dt} (as in PyTorch)")
    return write_out(op, out, _const(fn(arr(input, dt), arr(other, dt))))


def bitwise_and(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Bitwise AND of integers (logical AND of bools); PyTorch's ``a & b``.

    >>> import netgrad as ng
    >>> ng.bitwise_and(ng.tensor([6]), ng.tensor([3])), ng.tensor([6]) & 3
    (tensor([2]), tensor([2]))
    """
    return _bitwise("bitwise_and", np.bitwise_and, input, other, out)


def bitwise_or(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Bitwise OR of integers (logical OR of bools); PyTorch's ``a | b``.

    >>> import netgrad as ng
    >>> ng.bitwise_or(ng.tensor([4, 1]), 2)
    tensor([6, 3])
    """
    return _bitwise("bitwise_or", np.bitwise_or, input, other, out)


def bitwise_xor(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Bitwise XOR of integers (logical XOR of bools); PyTorch's ``a ^ b``.

    >>> import netgrad as ng
    >>> ng.bitwise_xor(ng.tensor([6]), 3)
    tensor([5])
    """
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other, out)


def bitwise_not(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Bitwise NOT of integers (-x - 1), logical NOT of bools; PyTorch's ``~a``.

    >>> import netgrad as ng
    >>> ng.bitwise_not(ng.tensor([0, 5])), ~ng.tensor([True, False])
    (tensor([-1, -6]), tensor([False,  True]...))
    """
    check_out("bitwise_not", out, input)
    x = as_tensor_arg(input, "bitwise_not")
    if x.dtype.kind not in "biu":
        raise TypeError(f"bitwise_not: only integer and bool tensors are supported, got {x.dtype}")
    return write_out("bitwise_not", out, _const(np.invert(x._data)), exact=True)


def signbit(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """True where the sign bit is set (negative numbers and -0.0).

    >>> import netgrad as ng
    >>> ng.signbit(ng.tensor([-0.0, 0.0, -2.0]))
    tensor([ True, False,  True]...)
    """
    check_out("signbit", out, input)
    if out is not None and out.dtype.kind != "b":
        raise RuntimeError("signbit: signbit does not support non-boolean outputs.")
    return write_out("signbit", out, _const(np.signbit(data(as_tensor_arg(input, "signbit")))))


def _pair(op: str, input: Any, other: Any) -> tuple:
    a, b = as_tensor_arg(input, op), as_tensor_arg(other, op)
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: {a.dtype} did not match {b.dtype} (PyTorch wants one dtype)")
    return a._data, b._data


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """True where |input - other| <= atol + rtol |other| (infinities only close to themselves).

    >>> import netgrad as ng
    >>> ng.isclose(ng.tensor([1.0, float('nan')]), ng.tensor([1.0 + 1e-9, float('nan')]))
    tensor([ True, False]...)
    """
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol and atol must be non-negative, got rtol={rtol}, atol={atol}")
    a, b = _pair("isclose", input, other)
    if a.dtype.kind == "b":
        return _const(a == b)
    with np.errstate(invalid="ignore", over="ignore"):
        return _const(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """True if ``isclose`` holds everywhere (a Python bool).

    >>> import netgrad as ng
    >>> ng.allclose(ng.tensor([1.0, 2.0]), ng.tensor([1.0, 2.0 + 1e-7]))
    True
    """
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan)._data))


def equal(input: Any, other: Any) -> bool:  # noqa: A002
    """True if both have the same shape and the same elements (NaN equals nothing).

    >>> import netgrad as ng
    >>> ng.equal(ng.tensor([1, 2]), ng.tensor([1, 2])), ng.equal(ng.tensor([1]), ng.tensor([1, 1]))
    (True, False)
    """
    a, b = as_tensor_arg(input, "equal")._data, as_tensor_arg(other, "equal")._data
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _and(a: Tensor, b: Any) -> Tensor:
    """``a & b``: bitwise on integers and bools, as in PyTorch (logical on floats, as before)."""
    return bitwise_and(a, b) if a.dtype.kind in "biu" else _logical("and", np.logical_and, a, b, None)


def _or(a: Tensor, b: Any) -> Tensor:
    return bitwise_or(a, b) if a.dtype.kind in "biu" else _logical("or", np.logical_or, a, b, None)


def _xor(a: Tensor, b: Any) -> Tensor:
    return bitwise_xor(a, b) if a.dtype.kind in "biu" else _logical("xor", np.logical_xor, a, b, None)


def _invert(a: Tensor) -> Tensor:
    return bitwise_not(a) if a.dtype.kind in "biu" else logical_not(a)


register_xp(logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor,
            logical_not=logical_not, bitwise_and=bitwise_and, bitwise_or=bitwise_or,
            bitwise_xor=bitwise_xor, bitwise_not=bitwise_not, invert=bitwise_not, signbit=signbit,
            isclose=isclose)
bind_methods(logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor,
             logical_not=logical_not, bitwise_and=bitwise_and, bitwise_or=bitwise_or,
             bitwise_xor=bitwise_xor, bitwise_not=bitwise_not, signbit=signbit, isclose=isclose,
             allclose=allclose, equal=equal, __and__=_and, __rand__=_and, __or__=_or, __ror__=_or,
             __xor__=_xor, __rxor__=_xor, __invert__=_invert)
