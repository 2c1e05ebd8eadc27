"""Tensor factories with PyTorch's names: ``tensor zeros ones full empty arange linspace eye rand
randn randint zeros_like ones_like full_like rand_like randn_like``.

>>> import netgrad as ng
>>> ng.zeros(2, 3).shape
(2, 3)
>>> ng.arange(4)
tensor([0, 1, 2, 3])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .random import Generator, rng
from .tensor import Tensor, _as_array


def _size(size: tuple) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool) or s < 0:
            raise ValueError(f"size must be non-negative integers, got {size}")
        out.append(int(s))
    return tuple(out)


def _float_dtype(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.as_dtype(dtype)


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats give the default dtype, float32)."""
    return _finish(_as_array(data, dtype), requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a Tensor or ndarray of the right dtype."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtypes.as_dtype(dtype)):
        return Tensor._make(data)
    return tensor(data, dtype)


def zeros(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(_size(size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(_size(size), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.empty(_size(size), _float_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = np.bool_ if isinstance(fill_value, bool) else (
            np.int64 if isinstance(fill_value, int) else dtypes.get_default_dtype())
    return _finish(np.full(_size((size,)), fill_value, dtypes.as_dtype(dtype)), requires_grad)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.zeros(np.shape(t), dtype or _dtype_of(t)), requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.ones(np.shape(t), dtype or _dtype_of(t)), requires_grad)


def full_like(t: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.full(np.shape(t), fill_value, dtype or _dtype_of(t)), requires_grad)


def _dtype_of(t: Any) -> np.dtype:
    return t.dtype if isinstance(t, (Tensor, np.ndarray)) else dtypes.get_default_dtype()


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        all_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if all_int else dtypes.get_default_dtype()
    return _finish(np.arange(start, end, step, dtype=dtypes.as_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*size, generator: Generator | None = None, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    d = _float_dtype(dtype)
    return _finish(rng(generator).random(_size(size), dtype=np.float64).astype(d, copy=False), requires_grad)


def randn(*size, generator: Generator | None = None, dtype: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    d = _float_dtype(dtype)
    return _finish(rng(generator).standard_normal(_size(size)).astype(d, copy=False), requires_grad)


def randint(low: int, high: int | None = None, size: tuple = (), generator: Generator | None = None,
            dtype: Any = None) -> Tensor:
    """Integers uniform on [low, high) (``randint(high, size)`` as in PyTorch too)."""
    if high is None:
        low, high = 0, low
    return Tensor._make(rng(generator).integers(low, high, _size((size,)), dtype=dtype or np.int64))


def rand_like(t: Any, generator: Generator | None = None) -> Tensor:
    return rand(*np.shape(t), generator=generator, dtype=_dtype_of(t))


def randn_like(t: Any, generator: Generator | None = None) -> Tensor:
    return randn(*np.shape(t), generator=generator, dtype=_dtype_of(t))


def randperm(n: int, generator: Generator | None = None) -> Tensor:
    return Tensor._make(rng(generator).permutation(n).astype(np.int64))


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``arr`` (as ``torch.from_numpy``)."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(arr).__name__}")
    return Tensor._make(arr)
