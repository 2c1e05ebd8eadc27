"""PyTorch's legacy tensor types: ``FloatTensor DoubleTensor HalfTensor LongTensor IntTensor
ShortTensor CharTensor ByteTensor BoolTensor``, as constructors and for ``isinstance``.

``FloatTensor([1, 2])`` copies data, ``FloatTensor(2, 3)`` or ``FloatTensor(Size)`` makes a
tensor of that size (zeros here; PyTorch leaves it uninitialised), ``FloatTensor()`` is empty.

>>> import netgrad as ng
>>> ng.LongTensor([1.7, 2.0]), isinstance(ng.zeros(2), ng.FloatTensor)
(tensor([1, 2]), True)
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd import creation as C
from ..autograd.dtypes import as_dtype, set_default_dtype
from ..autograd.size import Size

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor", "set_default_tensor_type"]


class LegacyTensorType(type):
    """The metaclass: ``isinstance(t, FloatTensor)`` is a float32 Tensor; calling constructs one."""

    dtype: np.dtype

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, device: Any = None) -> Tensor:
        C.check_device(device, cls.__name__)
        if not args:
            return Tensor._make(np.empty((0,), cls.dtype))
        if isinstance(args[0], Size) or all(
                isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return Tensor._make(np.zeros(C.size_arg(args, cls.__name__), cls.dtype))
        if len(args) > 1:
            raise TypeError(f"{cls.__name__}(): expected sizes (ints) or one sequence of data")
        data = args[0]
        if isinstance(data, Tensor) and data.dtype != cls.dtype:
            raise TypeError(f"{cls.__name__}(): expected a tensor of dtype {cls.dtype}, got "
                            f"{data.dtype} (use .to({cls.dtype}) to convert)")
        return C.tensor(data, cls.dtype)

    def __repr__(cls) -> str:
        return f"<class 'netgrad.{cls.__name__}'>"


def _legacy(name: str, dtype: str) -> LegacyTensorType:
    return LegacyTensorType(name, (), {"dtype": as_dtype(dtype), "__module__": __name__})


FloatTensor = _legacy("FloatTensor", "float32")
DoubleTensor = _legacy("DoubleTensor", "float64")
HalfTensor = _legacy("HalfTensor", "float16")
LongTensor = _legacy("LongTensor", "int64")
IntTensor = _legacy("IntTensor", "int32")
ShortTensor = _legacy("ShortTensor", "int16")
CharTensor = _legacy("CharTensor", "int8")
ByteTensor = _legacy("ByteTensor", "uint8")
BoolTensor = _legacy("BoolTensor", "bool")

_ALL = (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor,
        ByteTensor, BoolTensor)
TYPE_NAMES = {f"torch.{t.__name__}": t.dtype for t in _ALL}
_BY_DTYPE = {t.dtype: t for t in _ALL}


def legacy_type(dtype: Any) -> LegacyTensorType:
    """The legacy type of a dtype (``float32 -> FloatTensor``)."""
    d = as_dtype(dtype)
    if d not in _BY_DTYPE:
        raise TypeError(f"no legacy tensor type for dtype {d}")
    return _BY_DTYPE[d]


def set_default_tensor_type(t: Any) -> None:
    """Deprecated in PyTorch 2.1 (as there): ``set_default_dtype`` of a floating legacy type."""
    warnings.warn("set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "set_default_dtype() instead", UserWarning, stacklevel=2)
    if isinstance(t, str):
        if t not in TYPE_NAMES:
            raise TypeError(f"invalid type: {t!r}")
        d = TYPE_NAMES[t]
    else:
        d = t.dtype if isinstance(t, LegacyTensorType) else as_dtype(t)
    if d.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    set_default_dtype(d)
