"""Helpers shared by the op families: unwrapping, dtype promotion and the ``xp`` namespace.

A backward formula is written once with ``xp = xp_of(ctx)``: ``xp`` is NumPy when the engine runs
it on raw arrays, and netgrad's own functions (same names) when it builds a differentiable graph.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from ..autograd import GraphError, Tensor, dtypes, is_grad_enabled
from ..autograd.tensor import _as_array

_f64 = np.dtype(np.float64)

# netgrad functions named as NumPy's, filled in by each op module via `register_xp`.
ng_xp = types.SimpleNamespace()


def register_xp(**fns: Any) -> None:
    """Make netgrad functions available to backward formulas as ``xp.<name>`` (NumPy's names)."""
    for name, fn in fns.items():
        setattr(ng_xp, name, fn)


def xp_of(ctx: Any) -> Any:
    """NumPy while backward runs on arrays, netgrad under ``create_graph=True``."""
    return np if ctx._arrays else ng_xp


def data(v: Any) -> Any:
    """The ndarray behind a Tensor; anything else unchanged."""
    return v._data if isinstance(v, Tensor) else v


def as_tensor_arg(v: Any, name: str = "op") -> Tensor:
    """Accept a Tensor, ndarray, or number where a tensor is expected."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, (int, float, bool, np.ndarray, np.generic, list, tuple)):
        return Tensor._make(_as_array(v))
    raise TypeError(f"{name}: expected a tensor, got {type(v).__name__}")


def inplace_target(x: Tensor, op: str) -> np.ndarray | None:
    """Where an ``inplace=True`` result goes (PyTorch's flag on activations and dropout).

    Where no graph is recorded through x, this is x's own memory, and the op changes x and
    returns it, as PyTorch does. Where a graph is recorded, it is None, and the op returns a new
    tensor with x unchanged. Some backward may have saved x's value, and netgrad keeps no version
    counters to catch that value being overwritten, so it does not overwrite it. Use the return
    value, as ``nn.ReLU(inplace=True)`` does. A leaf that requires grad is refused, as in PyTorch.
    """
    if x.requires_grad and is_grad_enabled():
        if x.grad_fn is None:
            raise GraphError(f"{op}(inplace=True): in-place change of a leaf tensor that requires "
                             "grad; pass inplace=False or wrap it in `with ng.no_grad():`")
        return None
    if not x._data.flags.writeable:
        raise ValueError(f"{op}(inplace=True): the memory of the tensor of shape {x.shape} is "
                         "read-only (a broadcast view or a read-only array); pass inplace=False")
    return x._data


def write_inplace(x: Tensor, result: Tensor, inplace: bool, op: str) -> Tensor:
    """Finish an op that takes ``inplace``: ``result``, or, with ``inplace=True`` where
    ``inplace_target`` gives x's memory, result copied into x and x returned."""
    target = inplace_target(x, op) if inplace else None
    if target is None:
        return result
    np.copyto(target, result._data)
    return x


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
