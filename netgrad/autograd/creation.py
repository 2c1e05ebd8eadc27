"""Tensor factories with PyTorch's names and arguments: ``tensor as_tensor zeros ones empty full
arange linspace logspace eye from_numpy frombuffer`` and their ``*_like`` forms; the random ones
(``rand randn randint randperm ...``) are in ``random_creation.py``.

Sizes come as ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])``, ``zeros(Size)`` or
``zeros(size=(2, 3))``; ``device`` may be 'cpu' (anything else raises), ``layout`` strided,
``pin_memory`` False, and ``out=`` receives the result as in PyTorch.

>>> import netgrad as ng
>>> ng.zeros(2, 3).shape
(2, 3)
>>> ng.arange(4)
tensor([0, 1, 2, 3])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .device import check_device
from . import dtypes
from .errors import DTypeError, ShapeError
from .grad_mode import _state
from .size import Size
from .tensor import Tensor, as_array

__all__ = ["tensor", "as_tensor", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
           "empty_like", "full_like", "arange", "linspace", "logspace", "eye", "from_numpy",
           "frombuffer", "layout", "strided", "sparse_coo", "Size", "memory_format",
           "contiguous_format", "preserve_format", "channels_last", "channels_last_3d"]


class layout:  # noqa: N801 - PyTorch's name
    """A memory layout; netgrad tensors are all ``strided`` (dense)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"netgrad.{self.name}"


strided, sparse_coo, sparse_csr = layout("strided"), layout("sparse_coo"), layout("sparse_csr")


class memory_format(layout):  # noqa: N801 - PyTorch's name
    """A memory format; accepted where PyTorch takes one. netgrad keeps C order (values are the
    same in every format; only ``stride()`` would differ from PyTorch's channels_last)."""


contiguous_format, preserve_format = memory_format("contiguous_format"), memory_format("preserve_format")
channels_last, channels_last_3d = memory_format("channels_last"), memory_format("channels_last_3d")


class RequiresGradDTypeError(DTypeError, RuntimeError):
    """requires_grad=True on a non-floating dtype (RuntimeError in PyTorch, DTypeError here)."""


class NegativeSizeError(ShapeError, RuntimeError):
    """A negative dimension (RuntimeError in PyTorch, ShapeError here)."""


class ArgumentValueError(ValueError, RuntimeError):
    """A bad argument value (RuntimeError in PyTorch, ValueError in netgrad before)."""


FactoryArgumentError = ArgumentValueError


def size_arg(size: tuple, op: str, kw: Any = None) -> tuple[int, ...]:
    """Normalise ``*size`` (ints, one tuple/list/Size, or ``size=``) to a tuple of ints."""
    if kw is not None:
        if size:
            raise TypeError(f"{op}(): size given both by position and as size=")
        size = (kw,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor) and s.ndim == 0 and s.dtype.kind in "iu":
            s = int(s)
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{op}(): argument 'size' must be a tuple of ints, got "
                            f"{type(s).__name__} in {size}")
        if s < 0:
            raise NegativeSizeError(f"{op}: dimension sizes must be non-negative, got {tuple(size)}")
        out.append(int(s))
    return tuple(out)


def tuple_size_arg(size: Any, op: str) -> tuple[int, ...]:
    """``full``/``randint``'s size: a tuple or list only, as in PyTorch (an int is refused)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{op}(): argument 'size' must be a tuple of ints, not {type(size).__name__}")
    return size_arg((tuple(size),), op)


def _float_dtype(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)


def check_creation_options(op: str, device: Any = None, layout: Any = None,
                           pin_memory: bool = False) -> None:
    """Refuse, naming ``op``, a factory's ``device``, ``layout`` or ``pin_memory`` that netgrad
    cannot honour (an unavailable device, a non-strided layout, pinned memory)."""
    check_device(device, op)
    if layout is not None and layout is not strided:
        raise NotImplementedError(f"{op}: layout {layout!r} is not supported; netgrad tensors are "
                                  "strided (dense)")
    if pin_memory:
        raise RuntimeError(f"{op}: pin_memory=True requires a CUDA or other accelerator backend; "
                           "netgrad has none")


def finish_creation(arr: np.ndarray, requires_grad: bool = False, out: Tensor | None = None,
                    op: str = "factory", dtype_given: bool = False) -> Tensor:
    """Wrap ``arr``; with ``out=`` write it there instead (resized if its shape differs)."""
    if requires_grad and arr.dtype.kind != "f":
        raise RequiresGradDTypeError(f"{op}: only tensors of floating point dtype can require "
                                     f"gradients, got {arr.dtype}")
    if out is not None:
        return write_out(arr, out, op, dtype_given, requires_grad)
    t = Tensor._make(arr)
    if requires_grad:
        t._requires_grad = True
    return t


def write_out(arr: np.ndarray, out: Any, op: str, dtype_given: bool = True,
              requires_grad: bool = False) -> Tensor:
    """PyTorch's ``out=``: the result goes into ``out`` (same dtype; resized if needed)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    if (out.requires_grad or requires_grad) and _state.enabled:
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if dtype_given and arr.dtype != out.dtype:
        raise RuntimeError(f"{op}: dtype {arr.dtype} does not match dtype of out parameter "
                           f"({out.dtype})")
    if out.shape == arr.shape:
        out._data[...] = arr
    else:
        if out.numel():
            warnings.warn(f"{op}: an output with one or more elements was resized since it had "
                          f"shape {tuple(out.shape)}, which does not match the required output "
                          f"shape {tuple(arr.shape)}.", UserWarning, stacklevel=3)
        out._data = np.ascontiguousarray(arr, dtype=out.dtype).copy()
    return out


def write_result(result: Tensor, out: Any, op: str) -> Tensor:
    """An op's ``out=``: ``result`` (already computed) is cast into ``out`` where PyTorch allows
    it (same kind or wider: int into float, not float into int) and ``out`` is returned."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be a Tensor, not {type(out).__name__}")
    arr = result._data
    if arr.dtype != out.dtype:
        if not np.can_cast(arr.dtype, out.dtype, "same_kind") or (
                arr.dtype.kind == "f" and out.dtype.kind != "f"):
            raise RuntimeError(f"{op}: result type {arr.dtype} can't be cast to the desired output "
                               f"type {out.dtype}")
        arr = arr.astype(out.dtype)
    return write_out(arr, out, op, False, result.requires_grad)


def _filled(fn, size: tuple, op: str, out, dtype, layout, device, requires_grad, pin_memory=False):
    check_creation_options(op, device, layout, pin_memory)
    if dtype is None and out is not None:
        d = out.dtype
    else:
        d = _float_dtype(dtype)
    return finish_creation(fn(size, d), requires_grad, out, op, dtype is not None)


def tensor(data: Any, dtype: Any = None, *, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats give the default dtype, float32)."""
    check_creation_options("tensor", device, None, pin_memory)
    return finish_creation(as_array(data, dtype), requires_grad, op="tensor")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a Tensor or ndarray of the right dtype."""
    check_device(device, "as_tensor")
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return Tensor._make(data)
    if isinstance(data, Tensor):
        return data.to(dtypes.as_dtype(dtype))
    if dtype is None and not isinstance(data, np.ndarray) and hasattr(data, "__dlpack__"):
        return Tensor._make(np.from_dlpack(data))
    return tensor(data, dtype)


def zeros(*size: Any, out: Tensor | None = None, dtype: Any = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False,
          **kwargs: Any) -> Tensor:
    """A tensor of zeros; ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``."""
    return _filled(np.zeros, size_arg(size, "zeros", size_kwarg(kwargs, "zeros")), "zeros", out, dtype,
                   layout, device, requires_grad)


def ones(*size: Any, out: Tensor | None = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """A tensor of ones."""
    return _filled(np.ones, size_arg(size, "ones", size_kwarg(kwargs, "ones")), "ones", out, dtype,
                   layout, device, requires_grad)


def empty(*size: Any, out: Tensor | None = None, dtype: Any = None, layout: Any = None,
          device: Any = None, requires_grad: bool = False, pin_memory: bool = False,
          **kwargs: Any) -> Tensor:
    """An uninitialised tensor."""
    return _filled(np.empty, size_arg(size, "empty", size_kwarg(kwargs, "empty")), "empty", out, dtype,
                   layout, device, requires_grad, pin_memory)


def size_kwarg(kwargs: dict, op: str) -> Any:
    """``size=`` and ``memory_format=`` (accepted, meaningless for dense CPU arrays)."""
    size = kwargs.pop("size", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"{op}() got an unexpected keyword argument {next(iter(kwargs))!r}")
    return size


def _fill_dtype(fill_value: Any) -> np.dtype:
    if isinstance(fill_value, (bool, np.bool_)):
        return np.dtype(np.bool_)
    if isinstance(fill_value, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(fill_value, Tensor):
        return fill_value.dtype if fill_value.dtype.kind != "f" else dtypes.get_default_dtype()
    return dtypes.get_default_dtype()


def full(size: Any, fill_value: Any, *, out: Tensor | None = None, dtype: Any = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (bool -> bool, int -> int64, float -> float32)."""
    check_creation_options("full", device, layout)
    shape = size_arg((size,), "full")  # an int size too (PyTorch wants a tuple)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    d = dtypes.as_dtype(dtype) if dtype is not None else (
        out.dtype if out is not None else _fill_dtype(fill_value))
    return finish_creation(np.full(shape, fill_value, d), requires_grad, out, "full", dtype is not None)


def _like(input: Any, dtype: Any, op: str, layout: Any, device: Any) -> tuple:  # noqa: A002
    check_creation_options(op, device, layout)
    if dtype is not None:
        d = dtypes.as_dtype(dtype)
    elif isinstance(input, (Tensor, np.ndarray)):
        d = input.dtype
    else:
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return tuple(np.shape(input)), d


def zeros_like(input: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, d = _like(input, dtype, "zeros_like", layout, device)
    return finish_creation(np.zeros(shape, d), requires_grad, op="zeros_like")


def ones_like(input: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, d = _like(input, dtype, "ones_like", layout, device)
    return finish_creation(np.ones(shape, d), requires_grad, op="ones_like")


def empty_like(input: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, d = _like(input, dtype, "empty_like", layout, device)
    return finish_creation(np.empty(shape, d), requires_grad, op="empty_like")


def full_like(input: Any, fill_value: Any, *, dtype: Any = None, layout: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, d = _like(input, dtype, "full_like", layout, device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    with np.errstate(invalid="ignore"):
        return finish_creation(np.full(shape, fill_value).astype(d), requires_grad, op="full_like")


def _num(v: Any) -> Any:
    return v.item() if isinstance(v, Tensor) else v


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, out: Tensor | None = None,
           dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """[start, end) by step; ints give int64, any float gives the default float dtype."""
    check_creation_options("arange", device, layout)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise FactoryArgumentError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise FactoryArgumentError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        d = out.dtype if out is not None else (
            np.dtype(np.int64) if all_int else dtypes.get_default_dtype())
    else:
        d = dtypes.as_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    # start + i * step in double precision, then cast (PyTorch's values for float32 too)
    arr = (start + np.arange(n, dtype=np.float64) * step) if d.kind == "f" or not all(
        isinstance(v, (int, np.integer)) for v in (start, end, step)) else np.arange(start, end, step)
    return finish_creation(arr.astype(d), requires_grad, out, "arange", dtype is not None)


def linspace(start: Any, end: Any, steps: int, *, out: Tensor | None = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from start to end inclusive."""
    check_creation_options("linspace", device, layout)
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise FactoryArgumentError(f"linspace: number of steps must be non-negative, got {steps}")
    d = _float_dtype(dtype) if dtype is not None or out is None else out.dtype
    arr = np.linspace(_num(start), _num(end), steps, dtype=np.float64)
    return finish_creation(arr.astype(d), requires_grad, out, "linspace", dtype is not None)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, out: Tensor | None = None,
             dtype: Any = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps)."""
    check_creation_options("logspace", device, layout)
    d = _float_dtype(dtype) if dtype is not None or out is None else out.dtype
    arr = np.power(float(base), np.linspace(_num(start), _num(end), steps, dtype=np.float64))
    return finish_creation(arr.astype(d), requires_grad, out, "logspace", dtype is not None)


def eye(n: int, m: int | None = None, *, out: Tensor | None = None, dtype: Any = None,
        layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m = n by default)."""
    check_creation_options("eye", device, layout)
    for v, name in ((n, "n"), (m, "m")):
        if v is not None and (not isinstance(v, (int, np.integer)) or isinstance(v, bool)):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(v).__name__}")
        if v is not None and v < 0:
            raise FactoryArgumentError(f"eye: {name} must be greater or equal to 0, got {v}")
    d = _float_dtype(dtype) if dtype is not None or out is None else out.dtype
    return finish_creation(np.eye(n, m, dtype=d), requires_grad, out, "eye", dtype is not None)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (as ``torch.from_numpy``)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype.kind not in "fiub":
        raise TypeError(f"from_numpy: can't convert np.ndarray of type {ndarray.dtype}; netgrad "
                        "supports floating, integer and bool arrays")
    return Tensor._make(ndarray)


def frombuffer(buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor sharing memory with a Python buffer (bytes, bytearray, memoryview, array)."""
    arr = np.frombuffer(buffer, dtype=dtypes.as_dtype(dtype), count=count, offset=offset)
    if not arr.flags.writeable:
        warnings.warn("frombuffer: the given buffer is not writable; the tensor is read-only",
                      UserWarning, stacklevel=2)
    return finish_creation(arr, requires_grad, op="frombuffer")
