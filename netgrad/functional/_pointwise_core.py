"""Helpers for the pointwise families (trig, pointwise, rounding, logical): PyTorch's dtype
promotion for mixed operands and the ``out=`` argument.

PyTorch's promotion (``torch.result_type``): operands are ranked as tensors with dims, 0-d
tensors, then Python numbers; a lower rank only changes the result when it is of a higher
category (bool < integer < floating). A Python float counts as the default dtype, an int as int64.

>>> import netgrad as ng
>>> result_type(ng.tensor([1, 2]), 2.5), result_type(ng.tensor([1.0]), ng.tensor(1.0, dtype=ng.float64))
(dtype('float32'), dtype('float32'))
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd import Tensor, dtypes, is_grad_enabled
from .elementwise import cast

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    ka, kb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ka != kb:  # PyTorch: int with float gives the float's dtype (NumPy widens int64 + float32)
        return a if ka > kb else b
    return np.promote_types(a, b)


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    if higher is None:
        return lower
    if lower is None or higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return _promote(higher, lower)
    return higher


def _number_dtype(v: Any, op: str) -> np.dtype:
    if isinstance(v, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(v, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(v, (float, np.floating)):
        return dtypes.get_default_dtype()
    raise TypeError(f"{op}: expected a tensor or a number, got {type(v).__name__}")


def result_type(*args: Any, op: str = "op") -> np.dtype:
    """The dtype PyTorch gives an elementwise op on ``args`` (None entries are skipped)."""
    ranks: list[np.dtype | None] = [None, None, None]
    for v in args:
        if v is None:
            continue
        if isinstance(v, (Tensor, np.ndarray)):
            r, d = (0 if v.ndim else 1), v.dtype
        elif isinstance(v, (list, tuple)):
            r, d = 0, np.asarray(v).dtype
        else:
            r, d = 2, _number_dtype(v, op)
        ranks[r] = d if ranks[r] is None else _promote(ranks[r], d)
    out = _combine(ranks[0], _combine(ranks[1], ranks[2]))
    if out is None:
        raise TypeError(f"{op}: expected at least one tensor or number")
    return out


def floating(dt: np.dtype) -> np.dtype:
    """``dt`` if floating, else the default float dtype (PyTorch's rule for sin, exp2, ...)."""
    return dt if dt.kind == "f" else dtypes.get_default_dtype()


def to_dtype(v: Any, dt: np.dtype, op: str) -> Any:
    """A Tensor operand converted to ``dt`` (differentiably between floats); arrays and lists
    become tensors; Python numbers stay numbers (the ops convert them in their forward)."""
    if isinstance(v, Tensor):
        return v if v.dtype == dt else cast(v, dt)
    if isinstance(v, (np.ndarray, list, tuple)):
        return Tensor._make(np.asarray(v, dtype=dt))
    if isinstance(v, (bool, int, float, np.number, np.bool_)):
        return v
    raise TypeError(f"{op}: expected a tensor or a number, got {type(v).__name__}")


def promote(op: str, *args: Any, to_float: bool = False) -> tuple:
    """(dtype, *args converted to it): PyTorch's result dtype, floating if ``to_float``."""
    dt = result_type(*args, op=op)
    if to_float:
        dt = floating(dt)
    return (dt, *[None if a is None else to_dtype(a, dt, op) for a in args])


def arr(v: Any, dt: np.dtype) -> np.ndarray:
    """An operand's data as an array of dtype ``dt`` (no copy when it already is one)."""
    return np.asarray(v._data if isinstance(v, Tensor) else v, dtype=dt)


torch_name = dtypes.torch_name  # PyTorch's scalar-type names, for messages


def check_out(op: str, out: Any, *args: Any) -> None:
    """Refuse ``out=`` where autograd would have to record the op, as PyTorch does."""
    if out is None:
        return
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in (out, *args)):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")


def _can_cast(src: np.dtype, dst: np.dtype) -> bool:
    """PyTorch's canCast: no floating to integral, no non-bool to bool."""
    if src.kind == "f" and dst.kind in "biu":
        return False
    return not (src.kind != "b" and dst.kind == "b")


def write_out(op: str, out: Tensor | None, result: Tensor, exact: bool = False) -> Tensor:
    """``result``, or, with ``out=``, result written into out's memory and out returned.

    As in PyTorch, out keeps its dtype (the result is cast when PyTorch's casting rule allows;
    ``exact``: ops such as floor that PyTorch gives no cast) and is resized when its shape
    differs (with a warning unless it was empty).
    """
    if out is None:
        return result
    r = result._data
    if exact and r.dtype != out.dtype:
        raise RuntimeError(f"{op}(): Found dtype {torch_name(out.dtype)} but expected "
                           f"{torch_name(r.dtype)} (out= must have the result's dtype)")
    if not _can_cast(r.dtype, out.dtype):
        raise RuntimeError(f"{op}(): result type {torch_name(r.dtype)} can't be cast to the "
                           f"desired output type {torch_name(out.dtype)}")
    if out.shape != r.shape:
        if out._data.size:
            warnings.warn(f"{op}(): an output with one or more elements was resized since it had "
                          f"shape {list(out.shape)}, which does not match the required output "
                          f"shape {list(r.shape)}.", UserWarning, stacklevel=3)
        out._data = np.empty(r.shape, dtype=out.dtype)
    elif not out._data.flags.writeable:
        raise ValueError(f"{op}(): out= refers to read-only memory (shape {out.shape}), e.g. a "
                         "broadcast view; pass a tensor of its own")
    np.copyto(out._data, r, casting="unsafe")
    return out


def quiet() -> Any:
    """A context in which values outside an op's domain, its poles and overflow give inf/NaN
    silently, as in PyTorch (no NumPy RuntimeWarning)."""
    return np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore")


def float_tensor(input: Any, op: str) -> Tensor:
    """``input`` as a Tensor, integers and bools converted to the default float dtype."""
    if isinstance(input, Tensor):
        x = input
    elif type(input) is float:  # as a Python float becomes a tensor: the default dtype
        x = Tensor._make(np.asarray(input, dtype=dtypes.get_default_dtype()))
    elif isinstance(input, (bool, int, float, np.number, np.bool_, np.ndarray, list, tuple)):
        x = Tensor._make(np.asarray(input))
    else:
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return x if x.dtype.kind == "f" else Tensor._make(x._data.astype(dtypes.get_default_dtype()))


def unary_float(fn: Any, input: Any, out: Tensor | None, op: str) -> Tensor:
    """Run the Function ``fn`` on ``input`` promoted to floating, honouring ``out=``."""
    check_out(op, out, input)
    return write_out(op, out, fn.apply(float_tensor(input, op)))


def as_tensors(dt: np.dtype, *args: Any) -> tuple:
    """Python numbers among already promoted operands as 0-d constant tensors of dtype ``dt``
    (for backward formulas that apply functions to them)."""
    return tuple(a if a is None or isinstance(a, Tensor) else Tensor._make(np.asarray(a, dtype=dt))
                 for a in args)
