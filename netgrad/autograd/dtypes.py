"""Dtypes: netgrad uses NumPy's dtype objects directly, under PyTorch's names.

>>> import netgrad as ng
>>> ng.zeros(2).dtype == ng.float32
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)  # noqa: A001 - PyTorch's name, deliberately shadowed in this module
float = float32  # noqa: A001
double = float64
long = int64

_default_float = float32

_ALIASES = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int64": int64, "long": int64,
    "int32": int32, "int": int32, "uint8": uint8, "bool": bool,
}


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

