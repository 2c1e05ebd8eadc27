"""Cache-line aligned, reused arrays for the data that every training step streams through.

Two costs of NumPy's plain allocation show up in a training step:
- ``malloc`` aligns to 16 bytes only (a fresh large block sits 16 bytes past a page boundary), so
  NumPy's AVX2/AVX-512 loops read vectors that straddle cache lines: the momentum-SGD update of a
  784 x 256 weight takes 74 us with 16-byte offsets against 64 us with 64-byte alignment.
- a big block is returned to the kernel when freed and page-faulted in again on the next step
  (whether depends on glibc's adaptive thresholds, i.e. on the history of the process): the CNN's
  ReLU on a 9.4 MB map took 2.6 ms with fresh pages against 2.1 ms with reused ones.
So big arrays come from a pool of 64-byte aligned byte buffers. A buffer is handed out again only
when nothing refers to it any more (no tensor, view or caller holds it), which CPython's reference
count tells exactly, as for PyTorch's caching allocator on the GPU. PyTorch aligns to 64 bytes too.
``empty_cache()`` gives the cached buffers back.

>>> import numpy as np
>>> from netgrad.kernels.memory import empty
>>> a = empty((256, 784), np.float32, order="F")
>>> a.ctypes.data % 64, a.flags.f_contiguous
(0, True)
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import numpy as np

from . import on as _on

ALIGN = 64
_MIN_BYTES = 4096  # smaller arrays fit in a few cache lines: plain NumPy allocation
_POOL_FROM = 1 << 16  # bytes; smaller blocks come from malloc's heap, which reuses them anyway
_MAX_PER_SIZE = 16  # parameters, gradients and optimiser state of same-sized layers hold slots too
_MAX_POOL_BYTES = 512 << 20  # beyond this, free buffers are dropped before caching a new one
_pool: dict[int, list[list]] = {}  # buffer size -> [[buffer, aligned start], ...]
_pool_bytes = 0
_lock = threading.Lock()
_ndarray = np.ndarray
_UINT8 = np.dtype(np.uint8)


def _refs_when_free() -> int:
    """The reference count that ``_buffer``'s loop sees for a buffer nobody else holds (its pool
    entry, the loop's name, getrefcount's argument): measured with the same code shape, so that it
    holds on any CPython version; 0 (never free: no reuse) where there is no getrefcount."""
    if not hasattr(sys, "getrefcount"):
        return 0
    for entry in [[np.empty(1, np.uint8), 0]]:
        buf = entry[0]
        return sys.getrefcount(buf)
    return 0


_FREE_REFS = _refs_when_free()


def _buffer(nbytes: int) -> tuple[np.ndarray, int]:
    """A byte buffer with room for ``nbytes`` from a 64-byte boundary, and that boundary's offset."""
    global _pool_bytes
    size = nbytes + ALIGN
    if nbytes < _POOL_FROM:
        buf = np.empty(size, np.uint8)
        return buf, -buf.ctypes.data % ALIGN
    with _lock:  # the check and the hand-out must not interleave with another thread's
        entries = _pool.get(size)
        if entries is None:
            entries = _pool[size] = []
        for entry in entries:
            buf = entry[0]
            if sys.getrefcount(buf) == _FREE_REFS:
                return buf, entry[1]
        buf = np.empty(size, np.uint8)
        start = -buf.ctypes.data % ALIGN
        if len(entries) < _MAX_PER_SIZE:
            if _pool_bytes + size > _MAX_POOL_BYTES:
                _drop_free()
            if _pool_bytes + size <= _MAX_POOL_BYTES:
                entries.append([buf, start])
                _pool_bytes += size
        return buf, start


def _drop_free() -> None:
    global _pool_bytes
    for size, entries in _pool.items():
        kept = []
        for entry in entries:
            buf = entry[0]
            if sys.getrefcount(buf) > _FREE_REFS:  # in use: stays known to the pool
                kept.append(entry)
        _pool_bytes -= size * (len(entries) - len(kept))
        entries[:] = kept


def empty_cache() -> None:
    """Give back the cached buffers that no array uses (as ``torch.cuda.empty_cache``)."""
    with _lock:
        _drop_free()


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
    buf, start = _buffer(nbytes)
    # one constructor call rather than slice, view and reshape: it runs ~10 times per step
    return _ndarray(shape, dtype, buf, start, None, order)


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


def _buffer_refs(a: np.ndarray) -> int:
    b = a.base
    return sys.getrefcount(b)  # a's base, this name, getrefcount's argument (+ a pool entry)


def _on_own_buffer(a: np.ndarray) -> bool:
    b = a.base
    return (type(b) is np.ndarray and b.base is None and b.dtype == _UINT8 and b.ndim == 1
            and 0 <= b.nbytes - a.nbytes <= ALIGN)


def _in_pool(a: np.ndarray) -> bool:
    b = a.base
    for entry in _pool.get(b.nbytes, ()):  # a loop, not any(...): this runs per gradient
        if entry[0] is b:
            return True
    return False


def owns_memory(a: np.ndarray) -> bool:
    """True for an array that owns its data, counting one made here when it is the only array on
    its byte buffer (a transpose or reshape of an array that is still alive is not)."""
    if a.flags.owndata:
        return True
    if not _on_own_buffer(a):
        return False
    # no local name for the buffer here: _buffer_refs counts exactly as when _OWNED_REFS was set
    return _buffer_refs(a) == _OWNED_REFS + _in_pool(a)


def _measure_owned_refs() -> int:
    """``_buffer_refs`` of an unpooled aligned array that nothing else shares (same code path)."""
    if not hasattr(sys, "getrefcount"):
        return -1  # never "owned": the engine copies, which is always safe
    a = np.empty(_MIN_BYTES + ALIGN, np.uint8)[:_MIN_BYTES].view(np.float32)
    return _buffer_refs(a)


_OWNED_REFS = _measure_owned_refs()
