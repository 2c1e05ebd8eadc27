"""Dtypes: netgrad uses NumPy's dtype objects directly, under PyTorch's names.

>>> import netgrad as ng
>>> ng.zeros(2).dtype == ng.float32
True
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
int16 = np.dtype(np.int16)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)  # noqa: A001 - PyTorch's name, deliberately shadowed in this module
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
char = int8  # PyTorch's CharTensor is int8

_default_float = float32

_ALIASES = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int64": int64, "long": int64,
    "int32": int32, "int": int32, "int16": int16, "short": int16, "int8": int8, "char": int8,
    "uint8": uint8, "byte": uint8, "bool": bool,
}


_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def torch_name(dtype: Any) -> str:
    """PyTorch's scalar-type name of a dtype, as its messages print it (``float32 -> 'Float'``)."""
    name = np.dtype(dtype).name
    return _TORCH_NAMES.get(name, name)


def get_default_dtype() -> np.dtype:
    """The floating dtype new tensors get from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype: Any) -> None:
    """Set the default floating dtype, e.g. ``ng.set_default_dtype(ng.float64)`` for gradchecks."""
    global _default_float
    d = as_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are allowed, got {d}")
    _default_float = d


def as_dtype(dtype: Any) -> np.dtype:
    """Normalise a dtype given as an ng/NumPy dtype, a Python type or a name."""
    if isinstance(dtype, str) and dtype in _ALIASES:
        return _ALIASES[dtype]
    try:
        return np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"unknown dtype {dtype!r}") from e



class finfo:
    """Limits of a floating dtype as Python floats (``torch.finfo``); the default dtype if none.

    >>> finfo(float32).eps
    1.1920928955078125e-07
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        d = get_default_dtype() if type is None else as_dtype(type)
        if d.kind != "f":
            raise TypeError(f"finfo() requires a floating point input type, got {d}; use iinfo")
        i = np.finfo(d)
        self.bits = i.bits
        self.eps, self.max, self.min = builtins.float(i.eps), builtins.float(i.max), builtins.float(i.min)
        self.tiny = self.smallest_normal = builtins.float(i.smallest_normal)
        self.resolution = 10.0 ** -i.precision  # PyTorch's value (NumPy's is rounded to the dtype)
        self.dtype = d.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype as Python ints (``torch.iinfo``).

    >>> iinfo(uint8).max
    255
    """

    def __init__(self, type: Any) -> None:  # noqa: A002
        d = as_dtype(type)
        if d.kind not in "iu":
            raise TypeError(f"iinfo() requires an integer input type, got {d}; use finfo")
        i = np.iinfo(d)
        self.bits, self.min, self.max, self.dtype = i.bits, builtins.int(i.min), builtins.int(i.max), d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
