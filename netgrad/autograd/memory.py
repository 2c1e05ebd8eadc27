"""Cache-line aligned arrays for the data that every training step streams through.

NumPy takes its memory from ``malloc``, which aligns to 16 bytes only (a fresh large block sits 16
bytes past a page boundary). NumPy's AVX2/AVX-512 loops then read vectors that straddle cache lines:
on the benchmark machine the momentum-SGD update of a 784 x 256 weight takes 74 us with 16-byte
offsets against 64 us with 64-byte alignment (benchmarks/README.md). PyTorch aligns to 64 bytes
too. Layer parameters, their gradients and the optimisers' state and scratch use these helpers.

>>> import numpy as np
>>> from netgrad.autograd.memory import empty
>>> a = empty((256, 784), np.float32, order="F")
>>> a.ctypes.data % 64, a.flags.f_contiguous
(0, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

ALIGN = 64
_MIN_BYTES = 4096  # smaller arrays fit in a few cache lines: plain NumPy allocation


def empty(shape: tuple[int, ...] | int, dtype: Any, order: str = "C") -> np.ndarray:
    """An uninitialised array like ``np.empty``, its data 64-byte aligned when it is big."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for s in shape:
        nbytes *= s
    if nbytes < _MIN_BYTES:
        return np.empty(shape, dtype, order=order)
    buf = np.empty(nbytes + ALIGN, np.uint8)
    start = -buf.ctypes.data % ALIGN
    flat = buf[start:start + nbytes].view(dtype)
    if order == "F":
        return flat.reshape(shape[::-1]).T
    return flat.reshape(shape)


def empty_like(a: np.ndarray, dtype: Any = None) -> np.ndarray:
    """``np.empty_like(a)`` aligned: same shape and, for a column-major ``a``, same layout."""
    order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
    return empty(a.shape, a.dtype if dtype is None else dtype, order)


def full_like(a: np.ndarray, fill: float, dtype: Any = None) -> np.ndarray:
    out = empty_like(a, dtype)
    out.fill(fill)
    return out


def copy(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` in its own layout (row- or column-major), aligned."""
    out = empty_like(a)
    np.copyto(out, a)
    return out


def owns_memory(a: np.ndarray) -> bool:
    """True for an array that owns its data, counting one made here (a view of a private byte
    buffer that nothing else can see)."""
    if a.flags.owndata:
        return True
    b = a.base
    return (type(b) is np.ndarray and b.base is None and b.dtype == np.uint8 and b.ndim == 1
            and 0 <= b.nbytes - a.nbytes <= ALIGN)
