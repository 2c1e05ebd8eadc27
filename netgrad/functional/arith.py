"""Fused and convenience arithmetic from the torch namespace: lerp, addcmul, addcdiv,
float_power, clamp_min, clamp_max, nan_to_num and positive, with PyTorch's gradients and ``out=``.

>>> import netgrad as ng
>>> ng.lerp(ng.tensor([0.0, 10.0]), ng.tensor([10.0, 20.0]), 0.25)
tensor([ 2.5000, 12.5000])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import register_xp, xp_of
from ._pointwise_core import arr, as_tensors, check_out, promote, torch_name, write_out
from .elementwise import as_tensor_arg, cast, pow
from .methods import bind_methods

__all__ = ["lerp", "addcmul", "addcdiv", "float_power", "clamp_min", "clamp_max", "nan_to_num",
           "positive"]


class Lerp(Function):
    """y = a + w (b - a); dJ/da = dJ/dy (1 - w), dJ/db = dJ/dy w, dJ/dw = dJ/dy (b - a)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, a, b, w, dt):
        ctx.save_for_backward(a, b, w)
        ad, bd, wd = arr(a, dt), arr(b, dt), arr(w, dt)
        # PyTorch's two-sided form: exact at w = 0 and at w = 1.
        return np.where(np.abs(wd) < 0.5, ad + wd * (bd - ad), bd - (bd - ad) * (1 - wd))

    @staticmethod
    def backward(ctx, g):
        a, b, w = ctx.saved_tensors
        na, nb, nw = ctx.needs_input_grad[:3]
        return ((g * (1 - w) if na else None), (g * w if nb else None),
                (g * (b - a) if nw else None), None)


class AddCMul(Function):
    """y = x + v t1 t2; dJ/dx = dJ/dy, dJ/dt1 = dJ/dy v t2, dJ/dt2 = dJ/dy v t1."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, t1, t2, value, dt):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return arr(x, dt) + value * (arr(t1, dt) * arr(t2, dt))

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        n0, n1, n2 = ctx.needs_input_grad[:3]
        gv = g * ctx.value
        return (g if n0 else None), (gv * t2 if n1 else None), (gv * t1 if n2 else None), None, None


class AddCDiv(Function):
    """y = x + v t1 / t2; dJ/dx = dJ/dy, dJ/dt1 = dJ/dy v / t2, dJ/dt2 = -dJ/dy v t1 / t2^2."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, t1, t2, value, dt):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        with np.errstate(divide="ignore", invalid="ignore"):
            return arr(x, dt) + value * (arr(t1, dt) / arr(t2, dt))

    @staticmethod
    def backward(ctx, g):
        t1, t2 = ctx.saved_tensors
        n0, n1, n2 = ctx.needs_input_grad[:3]
        with np.errstate(divide="ignore", invalid="ignore"):
            gq = g * ctx.value / t2
            return (g if n0 else None), (gq if n1 else None), (-gq * t1 / t2 if n2 else None), None, None


class ClampBound(Function):
    """y = max(x, m) (``upper=False``) or min(x, m); dJ/dx = dJ/dy where x is kept (x >= m,
    resp. x <= m), dJ/dm = dJ/dy where m is taken (NaN x passes no gradient, as in PyTorch)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, m, dt, upper):
        xd, md = arr(x, dt), arr(m, dt)
        ctx.keep = (xd <= md) if upper else (xd >= md)
        ctx.take = (xd > md) if upper else (xd < md)
        return (np.minimum if upper else np.maximum)(xd, md)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(ctx)
        nx, nm = ctx.needs_input_grad[:2]
        return ((xp.where(ctx.keep, g, 0.0) if nx else None),
                (xp.where(ctx.take, g, 0.0) if nm else None), None, None)


class NanToNum(Function):
    """y = x with NaN, +inf, -inf replaced by numbers; dJ/dx = dJ/dy where x is finite, else 0."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xd = x._data
        ctx.finite = np.isfinite(xd)
        return np.nan_to_num(xd, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        return xp_of(ctx).where(ctx.finite, g, 0.0), None, None, None


def lerp(input: Any, end: Any, weight: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input + weight (end - input), elementwise; weight a number or a tensor.

    >>> import netgrad as ng
    >>> ng.lerp(ng.tensor([1.0]), ng.tensor([3.0]), ng.tensor([0.5]))
    tensor([2.])
    """
    check_out("lerp", out, input, end, weight)
    dt, a, b, w = promote("lerp", input, end, weight)
    if dt.kind != "f":
        raise RuntimeError(f"lerp: expected floating tensors, got {dt} (as in PyTorch)")
    # PyTorch casts into out= for a number weight, not for a tensor weight
    return write_out("lerp", out, Lerp.apply(*as_tensors(dt, a, b, w), dt),
                     exact=isinstance(weight, Tensor))


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1,  # noqa: A002
            out: Tensor | None = None) -> Tensor:
    """input + value tensor1 tensor2.

    >>> import netgrad as ng
    >>> ng.addcmul(ng.tensor([1.0]), ng.tensor([2.0]), ng.tensor([3.0]), value=0.5)
    tensor([4.])
    """
    check_out("addcmul", out, input, tensor1, tensor2)
    dt, x, t1, t2 = promote("addcmul", input, tensor1, tensor2)
    return write_out("addcmul", out, AddCMul.apply(x, *as_tensors(dt, t1, t2), value, dt))


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1,  # noqa: A002
            out: Tensor | None = None) -> Tensor:
    """input + value tensor1 / tensor2 (floating tensors only, as in PyTorch).

    >>> import netgrad as ng
    >>> ng.addcdiv(ng.tensor([1.0]), ng.tensor([3.0]), ng.tensor([2.0]), value=2)
    tensor([4.])
    """
    check_out("addcdiv", out, input, tensor1, tensor2)
    dt, x, t1, t2 = promote("addcdiv", input, tensor1, tensor2)
    if dt.kind != "f":
        raise RuntimeError("addcdiv: integer division with addcdiv is not supported (as in "
                           "PyTorch); use floating tensors")
    return write_out("addcdiv", out, AddCDiv.apply(x, *as_tensors(dt, t1, t2), value, dt))


def float_power(input: Any, exponent: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """input^exponent computed in float64, whatever the operands' dtypes.

    >>> import netgrad as ng
    >>> y = ng.float_power(ng.tensor([2, 3]), 2)
    >>> y.dtype == ng.float64, y.numpy().tolist()
    (True, [4.0, 9.0])
    """
    check_out("float_power", out, input, exponent)
    if out is not None and out.dtype != np.float64:
        raise RuntimeError(f"float_power: the output given to float_power has dtype "
                           f"{torch_name(out.dtype)} but the operation's result requires dtype Double")

    def wide(v: Any) -> Any:
        if isinstance(v, Tensor):
            return cast(v, np.float64)
        if isinstance(v, (np.ndarray, list, tuple)):
            return Tensor._make(np.asarray(v, dtype=np.float64))
        return float(v)

    base, exp = wide(input), wide(exponent)
    if not isinstance(base, Tensor) and not isinstance(exp, Tensor):
        raise TypeError("float_power: expected a tensor as input or exponent")
    return write_out("float_power", out, pow(base, exp))


def _clamp_bound(op: str, input: Any, bound: Any, out: Tensor | None, upper: bool) -> Tensor:
    check_out(op, out, input, bound)
    dt, x, m = promote(op, as_tensor_arg(input, op), bound)
    return write_out(op, out, ClampBound.apply(x, m, dt, upper))


def clamp_min(input: Any, min: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """max(input, min) elementwise; min a number or a tensor (then it gets a gradient too).

    >>> import netgrad as ng
    >>> ng.clamp_min(ng.tensor([-1.0, 2.0]), 0.0)
    tensor([0., 2.])
    """
    return _clamp_bound("clamp_min", input, min, out, False)


def clamp_max(input: Any, max: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """min(input, max) elementwise.

    >>> import netgrad as ng
    >>> ng.clamp_max(ng.tensor([-1.0, 2.0]), 0.0)
    tensor([-1., 0.])
    """
    return _clamp_bound("clamp_max", input, max, out, True)


def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None,  # noqa: A002
               neginf: float | None = None, *, out: Tensor | None = None) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (default: the dtype's largest and
    smallest finite values).

    >>> import netgrad as ng
    >>> ng.nan_to_num(ng.tensor([float('nan'), float('inf'), 1.0]), posinf=9.0)
    tensor([0., 9., 1.])
    """
    check_out("nan_to_num", out, input)
    x = as_tensor_arg(input, "nan_to_num")
    if out is not None and out.dtype != x.dtype:
        raise RuntimeError(f"nan_to_num: dtype of out: {torch_name(out.dtype)} should be same as "
                           f"input: {torch_name(x.dtype)}")
    if x.dtype.kind != "f":
        return write_out("nan_to_num", out, Tensor._make(x._data.copy()))
    return write_out("nan_to_num", out, NanToNum.apply(x, nan, posinf, neginf))


def positive(input: Tensor) -> Tensor:  # noqa: A002
    """input itself (unary plus); bool tensors are refused, as in PyTorch.

    >>> import netgrad as ng
    >>> x = ng.tensor([-1.0])
    >>> ng.positive(x) is x, +x is x
    (True, True)
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"positive(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dtype.kind == "b":
        raise RuntimeError("positive: the `+` operator, on a bool tensor is not supported.")
    return input


register_xp(float_power=float_power)
bind_methods(lerp=lerp, addcmul=addcmul, addcdiv=addcdiv, float_power=float_power,
             clamp_min=clamp_min, clamp_max=clamp_max, nan_to_num=nan_to_num, positive=positive,
             __pos__=positive)
