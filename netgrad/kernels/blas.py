"""Direct calls into NumPy's own BLAS, for what NumPy's API cannot ask of it.

NumPy's ``matmul`` always overwrites its output (BLAS's beta = 0) and has no axpy, so a layer's
bias is a second pass over the output and an SGD update is four passes over the weight. Two BLAS
routines do those in one pass:
- ``gemm``:  C = A B + beta C, each of A and B row- or column-major (a transpose is a flag, not a
  copy); with C pre-filled with the bias, net = a W^T + b in one product, as ``torch.addmm`` on
  nn.Linear's (out, in) weight (OpenBLAS clears C before a beta = 0 product, so the fill mostly
  replaces that);
- ``axpby``: y = alpha x + beta y, the optimisers' updates (axpy is left out on purpose: OpenBLAS
  runs it on its threads from 10,000 elements, and alternating that with single-threaded work
  bounces the arrays between the cores' caches: a 784 x 256 momentum step took 65-230 us as
  axpby + axpy, 36 us as two axpby, 64 us in NumPy).

The library is the one NumPy is linked against (OpenBLAS in NumPy's wheels, with 64-bit integers:
symbols ending in ``64_``, whose signatures the CBLAS standard fixes), found on first use and
checked against NumPy on small products. Anywhere else (another BLAS, an unknown integer width, a
failed check) or with ``NETGRAD_BLAS=0`` in the environment, every function returns False and the
caller uses its NumPy path, so results never depend on this module being active beyond rounding
(BLAS may fuse a multiply-add).

>>> import numpy as np
>>> from netgrad.kernels import blas
>>> a, b = np.ones((2, 3), np.float32), np.ones((3, 4), np.float32)
>>> out = np.full((2, 4), 0.5, np.float32)
>>> done = blas.gemm(a, b, out, beta=1.0)
>>> bool(np.all(out == (3.5 if done else 0.5)))
True
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import os
import sys
import threading
from typing import Any, Iterator

import numpy as np

from . import on as _switch

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_KINDS = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}  # index into each routine's (s, d) pair

library: str | None = None  # path of the BLAS in use, None when inactive
reason = "not loaded yet"  # why it is inactive (or "active")
_fns: dict[str, tuple[Any, Any]] | None = None  # routine -> (float32 fn, float64 fn)
_on: bool | None = None  # None until first use: finding and checking the library takes ~10 ms
_load_lock = threading.Lock()
_local = threading.local()  # .off: numpy_only() is active in this thread
_REALS = (float, int)


def _address_slow(a: np.ndarray) -> int:
    return a.ctypes.data


def _fast_address() -> Any:
    """``a.ctypes.data`` builds a ctypes object per call (~0.9 us, several per update). In CPython
    an object's id is its address, and NumPy's array struct (``PyArrayObject_fields``, part of its
    C ABI: ``PyArray_DATA`` reads it) starts with the data pointer right after the object header,
    so the pointer can be read there (~0.15 us). Used only where a check on views, offsets and
    transposes agrees with ``ctypes.data``; ``_address_slow`` otherwise."""
    if sys.implementation.name != "cpython":
        return _address_slow
    read, offset = ctypes.c_void_p.from_address, object.__basicsize__

    def address(a: np.ndarray) -> int:
        return read(id(a) + offset).value  # type: ignore[return-value]

    base = np.arange(64, dtype=np.float32).reshape(8, 8)
    for a in (base, base[3:], base.T, base[1:, 2:], np.ones(5), np.empty((3, 4), order="F")):
        if address(a) != a.ctypes.data:
            return _address_slow
    return address


_address = _address_slow  # set to _fast_address() when the library loads


def _candidates() -> list[str]:
    """The OpenBLAS bundled next to NumPy (its wheels for Linux, Windows and older macOS), and only
    when NumPy's build record, where it has one, names OpenBLAS with 64-bit integers: never a BLAS
    that merely happens to be loaded, and none for NumPy built on MKL, Accelerate or a system BLAS."""
    blas = getattr(np, "__config__", None) and getattr(np.__config__, "CONFIG", {})
    blas = (blas or {}).get("Build Dependencies", {}).get("blas", {})
    if blas and ("openblas" not in str(blas.get("name", "")).lower()
                 or "USE64BITINT" not in str(blas.get("openblas configuration", "USE64BITINT"))):
        return []
    root = os.path.dirname(np.__file__)
    paths: list[str] = []
    for folder in (os.path.join(os.path.dirname(root), "numpy.libs"), os.path.join(root, ".dylibs")):
        paths += sorted(glob.glob(os.path.join(folder, "*openblas*")))
    return paths


def _bind(lib: ctypes.CDLL) -> dict[str, tuple[Any, Any]] | None:
    """The routines with their C signatures, for the ILP64 symbol names NumPy's wheels use."""
    i64, enum, ptr = ctypes.c_int64, ctypes.c_int, ctypes.c_void_p
    signatures = {  # R: the precision's real type
        "gemm": lambda R: [enum, enum, enum, i64, i64, i64, R, ptr, i64, ptr, i64, R, ptr, i64],
        "axpby": lambda R: [i64, R, ptr, i64, R, ptr, i64],
    }
    for prefix in ("scipy_", ""):
        try:
            fns = {name: tuple(getattr(lib, f"{prefix}cblas_{t}{name}64_") for t in "sd")
                   for name in signatures}
        except AttributeError:
            continue
        for name, args in signatures.items():
            for fn, real in zip(fns[name], (ctypes.c_float, ctypes.c_double)):
                fn.argtypes, fn.restype = args(real), None
        return fns
    return None


def _self_check() -> bool:
    """Small products and updates in both precisions and all operand layouts against NumPy."""
    rng = np.random.default_rng(0)
    for dt in _KINDS:
        a, b = rng.standard_normal((5, 3)).astype(dt), rng.standard_normal((3, 4)).astype(dt)
        for aa in (a, np.asfortranarray(a)):
            for bb in (b, np.asfortranarray(b)):
                out = np.ones((5, 4), dt)
                plan = _gemm_plan(aa, bb, out)
                if plan is None:
                    return False
                _run(plan, 1.0, out)
                if not np.allclose(out, a @ b + 1, rtol=1e-4):
                    return False
        x, y = rng.standard_normal(7).astype(dt), rng.standard_normal(7).astype(dt)
        y2 = y.copy()
        if not _axpby(2.0, x, 0.25, y2) or not np.allclose(y2, 2 * x + 0.25 * y):
            return False
    return True


def _load() -> None:
    """Find, bind and check the library (under ``_load_lock``). ``_on`` stays None, so that other
    threads wait on the lock, until it is settled; True only after the check has passed."""
    global library, reason, _fns, _on, _address
    if os.environ.get("NETGRAD_BLAS", "1").strip().lower() in ("0", "false", "no", "off"):
        reason, _on = "disabled by NETGRAD_BLAS", False
        return
    reason = "NumPy's BLAS is not a bundled OpenBLAS with 64-bit integer CBLAS symbols"
    for path in _candidates():
        try:
            _fns = _bind(ctypes.CDLL(path))
        except OSError:
            continue
        if _fns is None:
            continue
        try:
            ok = _self_check()
        except (ctypes.ArgumentError, ValueError, TypeError):
            ok = False
        if ok:
            _address = _fast_address()
            library, reason, _on = path, "active", True
            return
        _fns, reason = None, f"{path} failed the check against NumPy"
    _on = False


def available() -> bool:
    """Whether the BLAS calls are in use (False: every function here returns False)."""
    if _on is None:
        with _load_lock:
            if _on is None:
                _load()
    return bool(_on)


@contextlib.contextmanager
def numpy_only() -> Iterator[None]:
    """Within the block, and in this thread only, callers take their NumPy paths (for tests and
    A/B timings); other threads keep their BLAS calls."""
    before = getattr(_local, "off", False)
    _local.off = True
    try:
        yield
    finally:
        _local.off = before


def _ready() -> bool:
    if not _switch["blas"]:
        return False
    return (bool(_on) if _on is not None else available()) and not getattr(_local, "off", False)


def _contiguous_t(a: np.ndarray) -> tuple[int, int] | None:
    """(transpose flag, leading dimension) of a 2-D operand for a row-major GEMM."""
    if type(a) is not np.ndarray or not a.flags.aligned:
        return None
    if a.flags.c_contiguous:
        return _NO_TRANS, max(a.shape[1], 1)
    if a.flags.f_contiguous:
        return _TRANS, max(a.shape[0], 1)
    return None


def _gemm_plan(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> tuple | None:
    """The routine and its arguments but beta for out = a b + beta out, or None where it does not
    apply (other dtypes or layouts, empty, overlapping memory, not plain ndarrays)."""
    kind = _KINDS.get(getattr(out, "dtype", None))
    if (kind is None or type(out) is not np.ndarray or a.dtype != out.dtype or b.dtype != out.dtype
            or a.ndim != 2 or b.ndim != 2 or out.ndim != 2
            or not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned)):
        return None
    (m, k), (k2, n) = a.shape, b.shape
    if k != k2 or out.shape != (m, n) or m == 0 or n == 0 or k == 0:
        return None
    ta, tb = _contiguous_t(a), _contiguous_t(b)
    if ta is None or tb is None or np.may_share_memory(out, a) or np.may_share_memory(out, b):
        return None
    return _fns["gemm"][kind], (_ROW_MAJOR, ta[0], tb[0], m, n, k, 1.0, _address(a), ta[1],  # type: ignore[index]
                                _address(b), tb[1])


def _run(plan: tuple, beta: float, out: np.ndarray) -> None:
    fn, args = plan
    fn(*args, float(beta), _address(out), out.shape[1])


def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray, beta: float = 0.0) -> bool:
    """out = a b + beta out for 2-D float32 or float64 arrays, a and b each C- or F-contiguous and
    out C-contiguous. False, with nothing written, when this module is inactive or the operands
    do not fit (other dtypes or layouts, empty, overlapping memory): use NumPy then."""
    plan = _gemm_plan(a, b, out) if _ready() else None
    if plan is None:
        return False
    _run(plan, beta, out)
    return True


def gemm_bias(a: np.ndarray, b: np.ndarray, bias: np.ndarray, out: np.ndarray) -> bool:
    """out = a b + bias, the bias (a row or a column that broadcasts against out) added inside the
    product: out is filled with it and the GEMM accumulates (``torch.addmm``'s form). OpenBLAS
    clears out before a plain product anyway, so the fill mostly replaces that pass rather than
    adding one (batch 1000, 784 -> 256: 2029 us as product + add, 1983 us fused). False, with
    nothing written, where ``gemm`` does not apply: compute it with NumPy then."""
    plan = _gemm_plan(a, b, out) if _ready() and getattr(bias, "ndim", 3) <= 2 else None
    if plan is None:
        return False
    try:
        np.copyto(out, bias)
    except (ValueError, TypeError):  # does not broadcast or cast: the caller reports it
        return False
    _run(plan, 1.0, out)
    return True


def axpby(alpha: float, x: np.ndarray, beta: float, y: np.ndarray) -> bool:
    """y = alpha x + beta y in place, for same-shaped float32/float64 arrays in the same memory
    order. False, with nothing written, where it does not apply, including alpha or beta 0 in the
    arrays' precision (BLAS would then skip x or y, NaNs and all)."""
    return _ready() and _axpby(alpha, x, beta, y)


def _axpby(alpha: Any, x: np.ndarray, beta: Any, y: np.ndarray) -> bool:
    kind = _KINDS.get(getattr(y, "dtype", None))
    if (kind is None or type(x) is not np.ndarray or type(y) is not np.ndarray or x.dtype != y.dtype
            or x.shape != y.shape or y.size == 0 or not y.flags.writeable):
        return False
    # e.g. an array-valued learning rate: NumPy broadcasts it (np.ndim is slow: skip it for floats)
    if (type(alpha) not in _REALS and np.ndim(alpha)) or (type(beta) not in _REALS and np.ndim(beta)):
        return False
    try:  # the coefficients as the routine will see them (float32 rounds tiny values to 0)
        real = np.float32 if kind == 0 else np.float64
        alpha, beta = float(real(alpha)), float(real(beta))
    except (TypeError, ValueError, OverflowError):
        return False
    if alpha == 0 or beta == 0:
        return False
    xf, yf = x.flags, y.flags
    same_order = (xf.c_contiguous and yf.c_contiguous) or (xf.f_contiguous and yf.f_contiguous)
    if not same_order or not (xf.aligned and yf.aligned) or np.may_share_memory(x, y):
        return False
    _fns["axpby"][kind](y.size, alpha, _address(x), 1, beta, _address(y), 1)  # type: ignore[index]
    return True
