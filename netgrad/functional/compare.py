"""Comparisons and predicates: ``eq ne lt le gt ge``, ``isnan isinf isfinite`` and ``sign``.
Each is piecewise constant, so each gives a tensor outside the graph (no gradient), as PyTorch's.

>>> import netgrad as ng
>>> ng.gt(ng.tensor([1.0, 3.0]), 2.0), ng.sign(ng.tensor([-2.0, 0.0]))
(tensor([False,  True], dtype=bool), tensor([-1., 0.]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.creation import write_result
from .core import data

__all__ = ["sign", "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite"]


def _out(result: Tensor, out: Any, op: str) -> Tensor:
    """PyTorch's ``out=``: the result written into ``out`` (see ``creation.write_result``)."""
    return result if out is None else write_result(result, out, op)


def _const(arr: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(arr))


def sign(x: Any) -> Tensor:
    """sign(x) in {-1, 0, 1}; piecewise constant, so it carries no gradient."""
    return _const(np.sign(data(x)))


def eq(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """a == b elementwise, a bool tensor (no gradient)."""
    return _out(_const(np.equal(data(input), data(other))), out, "eq")


def ne(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """a != b elementwise, a bool tensor (no gradient)."""
    return _out(_const(np.not_equal(data(input), data(other))), out, "ne")


def lt(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """a < b elementwise, a bool tensor (no gradient)."""
    return _out(_const(np.less(data(input), data(other))), out, "lt")


def le(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """a <= b elementwise, a bool tensor (no gradient)."""
    return _out(_const(np.less_equal(data(input), data(other))), out, "le")


def gt(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """a > b elementwise, a bool tensor (no gradient)."""
    return _out(_const(np.greater(data(input), data(other))), out, "gt")


def ge(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """a >= b elementwise, a bool tensor (no gradient)."""
    return _out(_const(np.greater_equal(data(input), data(other))), out, "ge")


def isnan(x: Any) -> Tensor:
    """True where x is NaN."""
    return _const(np.isnan(data(x)))


def isinf(x: Any) -> Tensor:
    """True where x is +inf or -inf."""
    return _const(np.isinf(data(x)))


def isfinite(x: Any) -> Tensor:
    """True where x is neither NaN nor infinite."""
    return _const(np.isfinite(data(x)))
