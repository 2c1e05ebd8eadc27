"""Random tensor factories with PyTorch's arguments: ``rand randn randint randperm rand_like
randn_like randint_like``; every draw comes from a ``Generator`` (the default one unless given).

>>> import netgrad as ng
>>> _ = ng.manual_seed(0)
>>> ng.randint(3, 10, (4,)).dtype, ng.randint(10, (2, 2)).shape
(dtype('int64'), (2, 2))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes
from .creation import (
    NegativeSizeError, _float_dtype, _like, check_creation_options, finish_creation, size_arg, size_kwarg,
    tuple_size_arg,
)
from . import random_kernels as K
from .random import Generator, generator_of
from .tensor import Tensor

__all__ = ["rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like"]


def _float_or_raise(dtype: Any, out: Tensor | None, op: str, kernel: str) -> np.dtype:
    d = _float_dtype(dtype) if dtype is not None or out is None else out.dtype
    if d.kind != "f":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for {d} (floating dtypes only)")
    return d


def rand(*size: Any, generator: Generator | None = None, out: Tensor | None = None,
         dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
         pin_memory: bool = False, **kwargs: Any) -> Tensor:
    """Uniform samples on [0, 1)."""
    check_creation_options("rand", device, layout, pin_memory)
    shape = size_arg(size, "rand", size_kwarg(kwargs, "rand"))
    d = _float_or_raise(dtype, out, "rand", "check_uniform_bounds")
    arr = K.uniform(generator_of(generator, "rand"), shape, d)
    return finish_creation(arr, requires_grad, out, "rand", dtype is not None)


def randn(*size: Any, generator: Generator | None = None, out: Tensor | None = None,
          dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
          pin_memory: bool = False, **kwargs: Any) -> Tensor:
    """Standard normal samples."""
    check_creation_options("randn", device, layout, pin_memory)
    shape = size_arg(size, "randn", size_kwarg(kwargs, "randn"))
    d = _float_or_raise(dtype, out, "randn", "normal_kernel_cpu")
    arr = K.normal(generator_of(generator, "randn"), shape, d)
    return finish_creation(arr, requires_grad, out, "randn", dtype is not None)


def _integers(low: Any, high: Any, shape: tuple, d: np.dtype, generator: Any, op: str) -> np.ndarray:
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"{op}: expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if d.kind == "b" and high > 2 or d.kind in "iu" and not (
            np.iinfo(d).min <= low and high - 1 <= np.iinfo(d).max):
        raise RuntimeError(f"{op}: [{low}, {high}) is out of bounds for {d}")
    return K.randint(generator_of(generator, op), low, high, shape, d)


def randint(low: Any = 0, high: Any = None, size: Any = None, *, generator: Generator | None = None,
            out: Tensor | None = None, dtype: Any = None, layout: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``;
    int64 unless ``dtype`` says otherwise."""
    check_creation_options("randint", device, layout)
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:  # randint(high, size=...) / randint(high=..., size=...)
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size' (a tuple of ints)")
    shape = tuple_size_arg(size, "randint")
    d = dtypes.as_dtype(dtype) if dtype is not None else (
        out.dtype if out is not None else np.dtype(np.int64))
    arr = _integers(low, high, shape, d, generator, "randint")
    return finish_creation(arr, requires_grad, out, "randint", dtype is not None)


def randperm(n: int, *, generator: Generator | None = None, out: Tensor | None = None,
             dtype: Any = None, layout: Any = None, device: Any = None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless ``dtype`` says otherwise)."""
    check_creation_options("randperm", device, layout, pin_memory)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise NegativeSizeError(f"randperm: n must be non-negative, got {n}")
    d = dtypes.as_dtype(dtype) if dtype is not None else (
        out.dtype if out is not None else np.dtype(np.int64))
    arr = K.randperm(generator_of(generator, "randperm"), int(n)).astype(d)
    return finish_creation(arr, requires_grad, out, "randperm", dtype is not None)


def rand_like(input: Any, *, generator: Generator | None = None, dtype: Any = None,  # noqa: A002
              layout: Any = None, device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    shape, d = _like(input, dtype, "rand_like", layout, device)
    return rand(shape, generator=generator, dtype=d, requires_grad=requires_grad)


def randn_like(input: Any, *, generator: Generator | None = None, dtype: Any = None,  # noqa: A002
               layout: Any = None, device: Any = None, requires_grad: bool = False,
               memory_format: Any = None) -> Tensor:
    shape, d = _like(input, dtype, "randn_like", layout, device)
    return randn(shape, generator=generator, dtype=d, requires_grad=requires_grad)


def randint_like(input: Any, low: Any = 0, high: Any = None, *,  # noqa: A002
                 generator: Generator | None = None, dtype: Any = None, layout: Any = None,
                 device: Any = None, requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    """``randint_like(input, high)`` or ``randint_like(input, low, high)``: input's shape and dtype."""
    shape, d = _like(input, dtype, "randint_like", layout, device)
    if high is None:
        low, high = 0, low
    return finish_creation(_integers(low, high, shape, d, generator, "randint_like"), requires_grad,
                           op="randint_like")
