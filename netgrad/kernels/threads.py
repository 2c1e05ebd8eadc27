"""Threads for the memory-bound passes of the convolution, pooling and activation kernels.

(Their big scratch arrays come from ``netgrad.kernels.memory``'s buffer pool.)
"""

from __future__ import annotations

from . import on as _on

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
    t = min(num_threads(), n) if _on["threads"] else 1
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
