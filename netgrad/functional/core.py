"""Helpers shared by the op families and the nn layers: unwrapping, dtype promotion and the ``xp``
namespace.

A backward formula is written once with ``xp = xp_of(ctx)``: ``xp`` is NumPy when the engine runs
it on raw arrays, and netgrad's own functions (same names) when it builds a differentiable graph.
"""

from __future__ import annotations

import functools
import inspect
import types
from typing import Any, Callable

import numpy as np

from ..autograd import Tensor, dtypes, is_grad_enabled
from ..autograd.tensor import as_array

_f64 = np.dtype(np.float64)

# netgrad functions named as NumPy's, filled in by each op module via `register_xp`.
ng_xp = types.SimpleNamespace()


def register_xp(**fns: Any) -> None:
    """Make netgrad functions available to backward formulas as ``xp.<name>`` (NumPy's names)."""
    for name, fn in fns.items():
        setattr(ng_xp, name, fn)


def xp_of(ctx: Any) -> Any:
    """NumPy while backward runs on arrays, netgrad under ``create_graph=True``."""
    return ng_xp if ctx.create_graph else np


def numpy_aliases(fn: Callable) -> Callable:
    """``fn`` accepting NumPy's ``axis=`` and ``keepdims=`` for its ``dim`` and ``keepdim``, as
    PyTorch's functions do (``x.sum(axis=0)``, ``torch.cumsum(x, axis=0)``); fn itself where it has
    neither parameter."""
    if not isinstance(fn, types.FunctionType):
        return fn
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return fn
    dim, keep = "dim" in params and "axis" not in params, "keepdim" in params and "keepdims" not in params
    if not (dim or keep) or getattr(fn, "__wrapped__", None) is not None:
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            if dim and "axis" in kwargs:
                kwargs["dim"] = kwargs.pop("axis")
            if keep and "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)

    return wrapper


def data(v: Any) -> Any:
    """The ndarray behind a Tensor; anything else unchanged."""
    return v._data if isinstance(v, Tensor) else v


def as_tensor_arg(v: Any, name: str = "op") -> Tensor:
    """Accept a Tensor, ndarray, or number where a tensor is expected."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, (int, float, bool, np.ndarray, np.generic, list, tuple)):
        return Tensor._make(as_array(v))
    raise TypeError(f"{name}: expected a tensor, got {type(v).__name__}")


def inplace_target(x: Tensor, op: str) -> np.ndarray | None:
    """x's memory, for an op with PyTorch's ``inplace=True`` to write its result straight into, where
    no graph is recorded through x; None where one is (then ``write_inplace`` records it). A leaf
    that requires grad, and memory that cannot be written, are refused as in PyTorch."""
    from .inplace import check_inplace_target

    check_inplace_target(x, f"{op}(inplace=True)")
    return None if x.requires_grad and is_grad_enabled() else x._data


def write_inplace(x: Tensor, fn: Any, inplace: bool, op: str) -> Tensor:
    """``fn(x)``, or with ``inplace=True`` its value written into x and x returned, by PyTorch's
    in-place rules (``netgrad.functional.inplace``): inside a recorded graph x takes the result's
    place, so later backward sees the change; a leaf that requires grad is refused."""
    if not inplace:
        return fn(x)
    from .inplace import inplace as run_inplace

    return run_inplace(x, f"{op}(inplace=True)", fn)


def fix_float(out: np.ndarray, a: Any, b: Any = None) -> np.ndarray:
    """NumPy turns int tensors combined with Python floats into float64; PyTorch gives the
    default dtype. Keep float64 only when an operand really was float64."""
    if out.dtype is not _f64 and out.dtype != _f64:
        return out
    wide_0d = False
    for v in (a, b):
        if isinstance(v, (Tensor, np.ndarray)) and v.dtype == _f64:
            if v.ndim:
                return out
            wide_0d = True
    if wide_0d:
        # PyTorch's rule: a 0-d float64 operand does not widen a float tensor that has dims.
        for v in (a, b):
            if isinstance(v, (Tensor, np.ndarray)) and v.ndim and v.dtype.kind == "f":
                return out.astype(v.dtype)
        return out
    default = dtypes.get_default_dtype()
    return out if default == _f64 else out.astype(default)


def normalize_dim(dim: Any, ndim: int, op: str) -> Any:
    """Validate ``dim`` (int, tuple or None) for a tensor of ``ndim`` dims; negatives allowed."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return tuple(normalize_dim(d, ndim, op) for d in dim)
    d = int(dim)
    n = max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims")
    return d % n
