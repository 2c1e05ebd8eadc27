"""Rounding and integer-division ops: floor, ceil, round (``decimals=``), trunc/fix, frac,
remainder, fmod, floor_divide, copysign and heaviside, with PyTorch's dtypes and gradients.

Rounding is piecewise constant, so floor/ceil/round/trunc pass a zero gradient (PyTorch's
convention); remainder and fmod pass 1 to the dividend and -floor(a/b) or -trunc(a/b) to the
divisor. Integer tensors stay integer where PyTorch keeps them so (floor, remainder, ...).

>>> import netgrad as ng
>>> ng.remainder(ng.tensor([-3, 3]), 2), ng.fmod(ng.tensor([-3, 3]), 2)
(tensor([1, 1]), tensor([-1,  1]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import register_xp, xp_of
from ._pointwise_core import arr, check_out, promote, write_out
from .elementwise import as_tensor_arg
from .methods import bind_methods

__all__ = ["floor", "ceil", "round", "trunc", "fix", "frac", "remainder", "fmod", "floor_divide",
           "copysign", "heaviside"]


def _zeros(ctx: Any, g: Any) -> Any:
    """A zero gradient shaped like g (a constant, as PyTorch's zeros_like(grad))."""
    z = np.zeros_like(g._data if ctx.create_graph else g)
    return Tensor._make(z) if ctx.create_graph else z


class Rounding(Function):
    """y = floor x, ceil x, round x (to ``decimals`` places, ties to even) or trunc x;
    dJ/dx = 0 (piecewise constant). One subclass per kind, for PyTorch's grad_fn names."""

    _array_backward = True
    _fresh_grads = True  # zeros of its own
    ufunc = np.rint

    @staticmethod
    def forward(ctx, x, decimals):
        xd = x._data
        if decimals == 0:
            return type(ctx).ufunc(xd)
        # PyTorch's formula, in x's dtype: scale by 10^|d|, round, scale back.
        f = np.asarray(10.0 ** abs(decimals), dtype=xd.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            return np.rint(xd / f) * f if decimals < 0 else np.rint(xd * f) / f

    @staticmethod
    def backward(ctx, g):
        return _zeros(ctx, g), None


class Floor(Rounding):
    """y = floor x; dJ/dx = 0."""

    ufunc = np.floor


class Ceil(Rounding):
    """y = ceil x; dJ/dx = 0."""

    ufunc = np.ceil


class Round(Rounding):
    """y = round x (halves to even); dJ/dx = 0."""

    ufunc = np.rint


class Trunc(Rounding):
    """y = trunc x (towards zero); dJ/dx = 0."""

    ufunc = np.trunc


class Frac(Function):
    """y = x - trunc x; dJ/dx = dJ/dy."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        xd = x._data
        return xd - np.trunc(xd)

    @staticmethod
    def backward(ctx, g):
        return g


class Remainder(Function):
    """r = a - b floor(a/b) (``mode='floor'``, the sign of b) or a - b trunc(a/b) (``'trunc'``,
    fmod, the sign of a); dJ/da = dJ/dr, dJ/db = -dJ/dr floor(a/b) (trunc(a/b) for fmod)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b, dt, mode):
        ctx.save_for_backward(a, b)
        ctx.mode = mode
        ad, bd = arr(a, dt), arr(b, dt)
        if dt.kind in "iu" and np.any(bd == 0):
            raise RuntimeError(f"{'remainder' if mode == 'floor' else 'fmod'}: ZeroDivisionError "
                               "(integer division by zero)")
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.remainder if mode == "floor" else np.fmod)(ad, bd)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = xp_of(ctx)
        na, nb = ctx.needs_input_grad[:2]
        gb = None
        if nb:
            with np.errstate(invalid="ignore", divide="ignore"):
                q = a / b
                gb = -g * (xp.floor(q) if ctx.mode == "floor" else xp.trunc(q))
        return (g if na else None), gb, None, None


class FloorDivide(Function):
    """q = floor(a / b); PyTorch defines no derivative for it."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b, dt):
        ad, bd = arr(a, dt), arr(b, dt)
        if dt.kind in "iu" and np.any(bd == 0):
            raise RuntimeError("floor_divide: ZeroDivisionError (integer division by zero)")
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.floor_divide(ad, bd)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative for 'floor_divide' is not implemented (as in PyTorch)")


class Copysign(Function):
    """y = |a| with the sign of b; dJ/da = dJ/dy y/a (0 where a = 0), dJ/db = 0."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b, dt):
        ad = arr(a, dt)
        out = np.copysign(ad, arr(b, dt))
        with np.errstate(invalid="ignore", divide="ignore"):
            ctx.ratio = np.where(ad == 0, 0, out / np.where(ad == 0, 1, ad)).astype(dt, copy=False)
        return out

    @staticmethod
    def backward(ctx, g):
        na, nb = ctx.needs_input_grad[:2]
        return (g * ctx.ratio if na else None), (_zeros(ctx, g) if nb else None), None


class Heaviside(Function):
    """H(x) = 0 for x < 0, ``values`` at 0, 1 for x > 0; PyTorch defines no derivative for it."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, values):
        xd, vd = x._data, values._data
        return np.where(xd == 0, vd, (xd > 0).astype(xd.dtype))

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative for 'heaviside' is not implemented (as in PyTorch)")


_KINDS = {"floor": Floor, "ceil": Ceil, "round": Round, "trunc": Trunc}


def _round_op(input: Any, out: Tensor | None, kind: str, decimals: int = 0) -> Tensor:
    check_out(kind, out, input)
    x = as_tensor_arg(input, kind)
    if x.dtype.kind == "f":
        return write_out(kind, out, _KINDS[kind].apply(x, int(decimals)), exact=True)
    if decimals:
        raise RuntimeError(f"round: decimals={decimals} is not implemented for integer tensors "
                           f"({x.dtype}), as in PyTorch")
    return write_out(kind, out, Tensor._make(x._data.copy()), exact=True)


def floor(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The largest integer <= x (integer tensors unchanged).

    >>> import netgrad as ng
    >>> ng.floor(ng.tensor([-0.5]))
    tensor([-1.])
    """
    return _round_op(input, out, "floor")


def ceil(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The smallest integer >= x.

    >>> import netgrad as ng
    >>> ng.ceil(ng.tensor([-0.5, 0.2]))
    tensor([-0., 1.])
    """
    return _round_op(input, out, "ceil")


def round(input: Any, *, decimals: int = 0, out: Tensor | None = None) -> Tensor:  # noqa: A001,A002
    """x rounded to ``decimals`` places, halves to even (PyTorch's rule).

    >>> import netgrad as ng
    >>> ng.round(ng.tensor([0.5, 1.5, 2.5])), ng.round(ng.tensor([1.2345]), decimals=2)
    (tensor([0., 2., 2.]), tensor([1.2300]))
    """
    return _round_op(input, out, "round", decimals)


def trunc(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """x rounded towards zero.

    >>> import netgrad as ng
    >>> ng.trunc(ng.tensor([-1.7]))
    tensor([-1.])
    """
    return _round_op(input, out, "trunc")


fix = trunc


def frac(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """x - trunc(x), with x's sign.

    >>> import netgrad as ng
    >>> ng.frac(ng.tensor([1.25, -1.25]))
    tensor([ 0.2500, -0.2500])
    """
    check_out("frac", out, input)
    x = as_tensor_arg(input, "frac")
    if x.dtype.kind != "f":
        raise RuntimeError(f"frac: not implemented for {x.dtype} tensors (as in PyTorch); "
                           "convert to a floating dtype first")
    return write_out("frac", out, Frac.apply(x), exact=True)


def _divmod_op(op: str, fn: Any, input: Any, other: Any, out: Tensor | None, *extra: Any) -> Tensor:
    check_out(op, out, input, other)
    dt, a, b = promote(op, input, other)
    if dt.kind == "b":
        dt, a, b = promote(op, *(as_tensor_arg(v, op).long() if isinstance(v, Tensor) else int(v)
                                 for v in (input, other)))
    return write_out(op, out, fn.apply(a, b, dt, *extra))


def remainder(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input - other floor(input / other): Python's %, with the sign of other.

    >>> import netgrad as ng
    >>> ng.remainder(ng.tensor([-3.0, 3.0]), -2), ng.tensor([5, -5]) % 3
    (tensor([-1., -1.]), tensor([2, 1]))
    """
    return _divmod_op("remainder", Remainder, input, other, out, "floor")


def fmod(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input - other trunc(input / other): C's fmod, with the sign of input.

    >>> import netgrad as ng
    >>> ng.fmod(ng.tensor([-3.0]), 2)
    tensor([-1.])
    """
    return _divmod_op("fmod", Remainder, input, other, out, "trunc")


def floor_divide(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """floor(input / other) (Python's //); not differentiable, as in PyTorch.

    >>> import netgrad as ng
    >>> ng.floor_divide(ng.tensor([-7, 7]), 2), ng.tensor([7.5]) // 2
    (tensor([-4,  3]), tensor([3.]))
    """
    return _divmod_op("floor_divide", FloorDivide, input, other, out)


def copysign(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """|input| with the sign of other (-0.0 counts as negative); always floating.

    >>> import netgrad as ng
    >>> ng.copysign(ng.tensor([1.0, -2.0]), -0.0)
    tensor([-1., -2.])
    """
    check_out("copysign", out, input, other)
    dt, a, b = promote("copysign", input, other, to_float=True)
    return write_out("copysign", out, Copysign.apply(a, b, dt))


def heaviside(input: Any, values: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The step function: 0 below 0, ``values`` at 0, 1 above (PyTorch wants one dtype).

    >>> import netgrad as ng
    >>> ng.heaviside(ng.tensor([-1.0, 0.0, 2.0]), ng.tensor([0.5]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    check_out("heaviside", out, input, values)
    x, v = as_tensor_arg(input, "heaviside"), as_tensor_arg(values, "heaviside")
    if x.dtype != v.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes "
                           f"({x.dtype} and {v.dtype}), as in PyTorch")
    return write_out("heaviside", out, Heaviside.apply(x, v))


def _rmod(a: Tensor, b: Any) -> Tensor:
    return remainder(b, a)


def _rfloordiv(a: Tensor, b: Any) -> Tensor:
    return floor_divide(b, a)


register_xp(floor=floor, ceil=ceil, trunc=trunc, rint=round, copysign=copysign, remainder=remainder,
            fmod=fmod, floor_divide=floor_divide)
bind_methods(floor=floor, ceil=ceil, round=round, trunc=trunc, fix=fix, frac=frac,
             remainder=remainder, fmod=fmod, floor_divide=floor_divide, copysign=copysign,
             heaviside=heaviside, __mod__=remainder, __rmod__=_rmod, __floordiv__=floor_divide,
             __rfloordiv__=_rfloordiv)
