"""The in-place methods made from out-of-place ones: ``add_``, ``sin_``, ``x += y``, ``t_``...

Each is "compute out of place, write back" (``netgrad.functional.inplace.inplace``). They are bound
as each op family binds its methods (``bind_available``); ``Tensor.__getattr__`` builds any other on
first use (``make_inplace``). With no graph to record, ``add_``/``sub_``/``mul_`` go straight through
NumPy's ufunc into the tensor's memory.

>>> import netgrad as ng
>>> x = ng.tensor([0.0, 1.0])
>>> x.exp_(), x._version
(tensor([1.0000, 2.7183]), 1)
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd import DTypeError, GraphError, ShapeError, Tensor, is_grad_enabled, no_grad
from ..autograd.dtypes import torch_name
from ..autograd.tensor import version_box
from .core import data
from .inplace import broadcast_shape, check_inplace_target, inplace
from .methods import bind_methods

__all__: list[str] = []


_UFUNCS = {"add_": np.add, "sub_": np.subtract, "mul_": np.multiply}


def _arith(name: str, method: str) -> Callable:
    """``add_``, ``sub_``, ``mul_``, ``div_``...: the out-of-place method, written into x. With no
    graph to record, add/sub/mul go straight through NumPy's ufunc into x (no temporary)."""
    ufunc = _UFUNCS.get(name)

    def op(x: Tensor, other: Any, *args: Any, **kwargs: Any) -> Tensor:
        if ufunc is not None and not args and _plain(x, other, kwargs):
            alpha = kwargs.get("alpha", 1)
            o = data(other)
            _ufunc_into(x, ufunc, o if alpha == 1 else alpha * np.asarray(o), name)
            return x
        fn = getattr(Tensor, method)
        return inplace(x, name, lambda s: fn(s, other, *args, **kwargs), (other,))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place ``{method}``: x <- x.{method}(other), returns x (see netgrad.functional.inplace)."
    return op


def _plain(x: Tensor, other: Any, kwargs: dict) -> bool:
    if set(kwargs) - {"alpha"}:
        return False
    if is_grad_enabled() and (x._requires_grad or (isinstance(other, Tensor) and other._requires_grad)):
        return False
    return isinstance(other, (Tensor, int, float, np.ndarray)) and x._data.dtype.kind in "fiu"


def _ufunc_into(x: Tensor, ufunc: np.ufunc, other: Any, op: str) -> None:
    check_inplace_target(x, op)
    arr = x._data
    o = np.asarray(other)
    if o.dtype.kind == "f" and arr.dtype.kind != "f":
        raise DTypeError(f"{op}: result type Float can't be cast to the desired output type "
                           f"{torch_name(arr.dtype)}")
    try:
        ufunc(arr, o.astype(arr.dtype, copy=False) if o.ndim else o, out=arr, casting="unsafe")
    except ValueError:
        raise ShapeError(f"{op}: output with shape {list(arr.shape)} doesn't match the broadcast "
                           f"shape {broadcast_shape(o.shape, arr.shape)}") from None
    version_box(x)[0] += 1


def _unary(name: str, method: str) -> Callable:
    def op(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        fn = getattr(Tensor, method)
        others = args + tuple(kwargs.values())
        return inplace(x, name, lambda s: fn(s, *args, **kwargs), others)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"In-place ``{method}``: x <- x.{method}(...), returns x (see netgrad.functional.inplace)."
    return op


# PyTorch's in-place variants that are simply "compute out of place, write back": generated from
# the out-of-place method of the same name wherever netgrad has it.
_ARITH = {"add_": "add", "sub_": "sub", "mul_": "mul", "div_": "div", "true_divide_": "true_divide",
          "floor_divide_": "floor_divide", "remainder_": "remainder", "fmod_": "fmod", "pow_": "pow",
          "subtract_": "sub", "multiply_": "mul", "divide_": "div", "atan2_": "atan2",
          "hypot_": "hypot", "lerp_": "lerp",
          "logical_and_": "logical_and", "logical_or_": "logical_or", "logical_xor_": "logical_xor",
          "bitwise_and_": "bitwise_and", "bitwise_or_": "bitwise_or", "bitwise_xor_": "bitwise_xor",
          "copysign_": "copysign", "xlogy_": "xlogy", "float_power_": "float_power",
          "eq_": "eq", "ne_": "ne", "lt_": "lt", "le_": "le", "gt_": "gt", "ge_": "ge"}
_UNARY = {"neg", "negative", "abs", "absolute", "exp", "exp2", "expm1", "log", "log2", "log10",
          "log1p", "sqrt", "rsqrt", "square", "reciprocal", "sign", "sgn", "sin", "cos", "tan",
          "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "asinh",
          "acosh", "atanh", "sigmoid", "relu", "erf", "erfc", "erfinv", "floor", "ceil", "round",
          "trunc", "fix", "frac", "clamp", "clip", "clamp_min", "clamp_max", "addcmul", "addcdiv",
          "masked_fill", "masked_scatter", "index_add", "index_copy", "index_fill", "scatter",
          "scatter_add", "scatter_reduce", "index_put", "put", "logit", "nan_to_num", "deg2rad",
          "rad2deg", "sinc", "heaviside", "tril", "triu", "cumsum", "cumprod", "logical_not",
          "bitwise_not", "digamma", "lgamma", "polygamma", "mvlgamma", "i0", "nextafter",
          "renorm", "baddbmm", "addmm", "addmv", "addbmm", "addr", "leaky_relu",
          "hardtanh", "elu", "celu", "selu", "silu", "mish", "hardsigmoid", "hardswish", "softplus",
          "threshold", "ldexp", "xlogy", "t", "transpose", "squeeze", "unsqueeze"}
_SHAPE_CHANGING = {"t", "transpose", "squeeze", "unsqueeze"}


def _shape_inplace(name: str, method: str) -> Callable:
    """``t_``, ``squeeze_``...: change x's shape (metadata only) to that of the out-of-place op."""
    def op(x: Tensor, *args: Any) -> Tensor:
        with no_grad():
            shape = getattr(Tensor, method)(x, *args).shape
        if is_grad_enabled() and x._requires_grad:
            raise GraphError(f"{name}: in-place shape changes of tensors that require grad are not "
                               f"supported; use the out-of-place {method}()")
        if method in ("t", "transpose"):
            x._data = getattr(Tensor, method)(Tensor._make(x._data), *args)._data
        else:
            x._data = x._data.reshape(shape)
        return x

    op.__name__ = op.__qualname__ = name
    return op


def make_inplace(name: str) -> Callable | None:
    """The in-place variant ``name`` (e.g. ``sin_``) built from its out-of-place method, or None
    where PyTorch has no such variant or netgrad lacks the method (``Tensor.__getattr__`` calls
    this on first use)."""
    method = _ARITH.get(name) or name[:-1]
    if not hasattr(Tensor, method):
        return None
    if name in _ARITH:
        return _arith(name, method)
    if method in _SHAPE_CHANGING:
        return _shape_inplace(name, method)
    return _unary(name, method) if method in _UNARY else None


_DUNDERS = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_",
            "__ifloordiv__": "floor_divide_", "__imod__": "remainder_", "__ipow__": "pow_",
            "__iand__": "bitwise_and_", "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_"}


def _dunder(name: str) -> Callable:
    # Python looks special methods up on the type, never through __getattr__: bind them now, and
    # resolve the variant on each call (its out-of-place op may come from a family loaded later).
    def op(x: Tensor, other: Any) -> Tensor:
        return getattr(x, name)(other)

    op.__name__ = op.__qualname__ = name
    return op


def bind_available() -> None:
    """Bind every in-place variant whose out-of-place method exists now (``bind_methods`` calls
    this after each family binds its methods, so ``hasattr(Tensor, "sin_")`` and ``dir`` see them;
    ``Tensor.__getattr__`` covers methods set any other way)."""
    for name in (*_ARITH, *(m + "_" for m in _UNARY)):
        if name not in Tensor.__dict__:
            fn = make_inplace(name)
            if fn is not None:
                setattr(Tensor, name, fn)


Tensor._inplace_maker = staticmethod(make_inplace)
bind_methods(**{d: _dunder(n) for d, n in _DUNDERS.items()})
bind_available()
