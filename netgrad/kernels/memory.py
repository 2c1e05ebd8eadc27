"""Cache-line aligned, reused arrays for the data that every training step streams through.

Two costs of NumPy's plain allocation show up in a training step:
- ``malloc`` aligns to 16 bytes only (a fresh large block sits 16 bytes past a page boundary), so
  NumPy's AVX2/AVX-512 loops read vectors that straddle cache lines: the momentum-SGD update of a
  784 x 256 weight takes 74 us with 16-byte offsets against 64 us with 64-byte alignment.
- a big block is returned to the kernel when freed and page-faulted in again on the next step
  (whether depends on glibc's adaptive thresholds, i.e. on the history of the process): the CNN's
  ReLU on a 9.4 MB map took 2.6 ms with fresh pages against 2.1 ms with reused ones.
So mid-sized arrays are 64-byte aligned, and big ones come from a pool of page-aligned anonymous
mappings. A mapping goes back to the pool when the last array on it is gone: every view of an
array made here refers to that array (NumPy collapses a view's base only through arrays that own
their data, and this one does not), so a weak reference to it fires exactly then. No reference
count is read: a late callback costs a fresh mapping (speed), never a buffer shared by two live
arrays (values). ``empty_cache()`` gives the cached mappings back, as ``torch.cuda.empty_cache``.

>>> import numpy as np
>>> from netgrad.kernels.memory import empty
>>> a = empty((256, 784), np.float32, order="F")   # aligned unless NETGRAD_REFERENCE=1
>>> a.shape, a.flags.f_contiguous
((256, 784), True)
"""

from __future__ import annotations

import mmap
import weakref
from typing import Any

import numpy as np

from . import on as _on

ALIGN = 64
_MIN_BYTES = 4096  # smaller arrays fit in a few cache lines: plain NumPy allocation
_POOL_FROM = 1 << 16  # bytes; smaller blocks come from malloc's heap, which reuses them anyway
_MAX_FREE_BYTES = 256 << 20  # free mappings kept for reuse beyond this are given back
_free: dict[int, list[mmap.mmap]] = {}  # mapping size -> free mappings (list append/pop: atomic)
_free_bytes = 0
_leases: dict[int, weakref.ref] = {}  # id -> weak reference to each array handed out on a mapping
_ndarray = np.ndarray


def _give_back(size: int, raw: mmap.mmap) -> Any:
    def done(ref: weakref.ref) -> None:
        global _free_bytes
        _leases.pop(id(ref), None)
        if _free_bytes + size <= _MAX_FREE_BYTES:
            _free.setdefault(size, []).append(raw)
            _free_bytes += size

    return done


def _pooled(shape: tuple[int, ...], dtype: np.dtype, nbytes: int, order: str) -> np.ndarray:
    """An array on a page-aligned mapping of its own, reused once no array is left on it."""
    global _free_bytes
    size = -(-nbytes // mmap.PAGESIZE) * mmap.PAGESIZE
    try:
        raw = _free.get(size, []).pop()
        _free_bytes -= size
    except IndexError:
        try:
            raw = mmap.mmap(-1, size)
        except OSError:  # no room for it: NumPy's own allocation raises its MemoryError
            return np.empty(shape, dtype, order=order)
    arr = _ndarray(shape, dtype, raw, 0, None, order)
    ref = weakref.ref(arr, _give_back(size, raw))
    _leases[id(ref)] = ref
    return arr


def _aligned(shape: tuple[int, ...], dtype: np.dtype, nbytes: int, order: str) -> np.ndarray:
    buf = np.empty(nbytes + ALIGN, np.uint8)
    return _ndarray(shape, dtype, buf, -buf.ctypes.data % ALIGN, None, order)


def empty_cache() -> None:
    """Give back the cached mappings that no array uses (as ``torch.cuda.empty_cache``)."""
    global _free_bytes
    _free.clear()
    _free_bytes = 0


def empty(shape: tuple[int, ...] | int, dtype: Any, order: str = "C") -> np.ndarray:
    """An uninitialised array like ``np.empty``, its data 64-byte aligned when it is big."""
    if type(shape) is not tuple:
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for s in shape:
        nbytes *= s
    if nbytes < _MIN_BYTES or not _on["pool"]:
        return np.empty(shape, dtype, order=order)
    # one constructor call rather than slice, view and reshape: it runs ~10 times per step
    if nbytes > _MAX_FREE_BYTES:  # bigger than the whole cache: nothing to reuse it for
        return np.empty(shape, dtype, order=order)
    return (_aligned if nbytes < _POOL_FROM else _pooled)(shape, dtype, nbytes, order)


def empty_like(a: np.ndarray, dtype: Any = None) -> np.ndarray:
    """``np.empty_like(a)`` aligned, with ``a``'s memory order (row- or column-major, or the
    channel-major N x C x H x W maps that a convolution produces)."""
    dt = a.dtype if dtype is None else dtype
    if a.ndim < 2 or a.flags.c_contiguous:
        return empty(a.shape, dt)
    if a.flags.f_contiguous:
        return empty(a.shape, dt, "F")
    outer_first = sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))
    out = empty(tuple(a.shape[i] for i in outer_first), dt)
    return out.transpose(np.argsort(outer_first))


_CONSTANTS: dict = {}  # (value, dtype) -> flat read-only buffer
_CONSTANT_VIEWS: dict = {}  # (value, shape, dtype) -> a view of it with that shape


def constant(value: float, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A read-only array filled with ``value``, cached: an operand that kernels read and never
    write (ReLU's zeros, a batch sum's ones). Zeros come from ``np.zeros``, which the kernel backs
    with its shared zero page, so a big buffer of them costs no memory."""
    key = (value, shape, dtype)
    view = _CONSTANT_VIEWS.get(key)
    if view is not None:
        return view
    n = 1
    for s in shape:
        n *= s
    flat = _CONSTANTS.get((value, dtype))
    if flat is None or flat.size < n:
        flat = np.zeros(max(n, 1 << 16), dtype) if value == 0 else np.full(n, value, dtype)
        flat.flags.writeable = False
        _CONSTANTS[(value, dtype)] = flat
        _CONSTANT_VIEWS.clear()  # views of the smaller buffer: let it go
    if len(_CONSTANT_VIEWS) >= 64:  # many shapes (a growing batch?): start over
        _CONSTANT_VIEWS.clear()
    view = _CONSTANT_VIEWS[key] = flat[:n].reshape(shape)
    return view


def zeros(shape: tuple[int, ...] | int, dtype: Any, order: str = "C") -> np.ndarray:
    out = empty(shape, dtype, order)
    out.fill(0)
    return out


def full_like(a: np.ndarray, fill: float, dtype: Any = None) -> np.ndarray:
    out = empty_like(a, dtype)
    out.fill(fill)
    return out


def copy(a: np.ndarray) -> np.ndarray:
    """A copy of ``a`` in its own layout (row- or column-major), aligned."""
    out = empty_like(a)
    np.copyto(out, a)
    return out
