"""Reusable scratch arrays for the convolution and pooling kernels.

Big per-call temporaries (im2col matrices are tens of MB for an MNIST CNN) cost more in page
faults than in arithmetic when they are freshly allocated on every training step. A buffer is
handed out again only when nothing else refers to it any more (the graph node that kept it for
backward has been freed), which CPython's reference count tells us exactly.
"""

from __future__ import annotations

import sys

import numpy as np

_POOL: dict[tuple, list[np.ndarray]] = {}
_MAX_PER_KEY = 4
_MAX_BYTES = 256 << 20  # beyond this, free buffers of other shapes are dropped before caching more
# References held while we look at a buffer: the pool's list, the loop variable, getrefcount's argument.
_FREE_REFS = 3


def scratch(shape: tuple, dtype: np.dtype, tag: str = "") -> np.ndarray:
    """An uninitialised array of ``shape`` and ``dtype`` (reused when one is free)."""
    key = (tag, shape, np.dtype(dtype).str)
    lst = _POOL.get(key)
    if lst is None:
        lst = _POOL[key] = []
    for a in lst:
        if sys.getrefcount(a) == _FREE_REFS:
            return a
    a = np.empty(shape, dtype=dtype)
    if len(lst) < _MAX_PER_KEY:
        if sum(b.nbytes for bufs in _POOL.values() for b in bufs) + a.nbytes > _MAX_BYTES:
            _drop_free()
        lst.append(a)
    return a


def _drop_free() -> None:
    for lst in _POOL.values():
        # refs while filtering: the list, the comprehension variable, getrefcount's argument
        lst[:] = [b for b in lst if sys.getrefcount(b) > _FREE_REFS]


def clear() -> None:
    """Drop every cached buffer (e.g. after a run with different shapes)."""
    _POOL.clear()


# ------------------------------------------------------------------ threads for memory-bound passes
# NumPy's elementwise loops run on one core (only BLAS is multi-threaded), while the im2col copy
# and the col2im adds of a convolution are pure memory traffic. They release the GIL, so splitting
# them over channel blocks on a few threads runs them in parallel.
_EXECUTOR = None
_MIN_PARALLEL = 1 << 20  # elements; below this the hand-off costs more than it saves


def num_threads() -> int:
    """Threads for the parallel passes: NETGRAD_NUM_THREADS, else OMP_NUM_THREADS, else
    OPENBLAS_NUM_THREADS, else the CPUs this process may use (at most 8)."""
    import os

    for var in ("NETGRAD_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        v = os.environ.get(var, "")
        if v.isdigit() and int(v) > 0:
            return min(int(v), 8)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def parallel_for(fn, n: int, size: int) -> None:
    """Run ``fn(lo, hi)`` over ``range(n)`` split into blocks, on threads when ``size`` (the
    elements touched) is large enough to be worth it."""
    global _EXECUTOR
    t = min(num_threads(), n)
    if t <= 1 or size < _MIN_PARALLEL:
        fn(0, n)
        return
    if _EXECUTOR is None or _EXECUTOR._max_workers < t:
        from concurrent.futures import ThreadPoolExecutor

        _EXECUTOR = ThreadPoolExecutor(max_workers=t, thread_name_prefix="netgrad")
    bounds = [n * k // t for k in range(t + 1)]
    futures = [_EXECUTOR.submit(fn, bounds[k], bounds[k + 1]) for k in range(1, t)]
    fn(bounds[0], bounds[1])
    for f in futures:
        f.result()
