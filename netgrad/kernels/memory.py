"""Freed memory kept for reuse (fast path ``heap``).

glibc hands a freed block of 128 KiB or more back to the system (``munmap``, or a trim of the
heap's top), so the next training step's arrays, of the same sizes, arrive as fresh pages: a page
fault on the first write of each 4 KiB. The CNN benchmark's step took 3,750-4,250 of them (about
16 MB, 10-12 ms of system time) and lost 11% of its speed to them on an Intel Xeon
(benchmarks/README.md). ``keep_freed_memory()`` raises
glibc's two thresholds (``mallopt``): blocks up to ``MMAP_THRESHOLD`` come from the heap, and up
to ``TRIM_THRESHOLD`` of free memory at the heap's top stays mapped, so the next step reuses the
pages. The price: a process keeps up to that much freed memory instead of returning it.

Applied once, when ``netgrad.kernels`` is imported, on Linux with glibc only, and never where the
user tuned glibc's allocator already (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``,
``GLIBC_TUNABLES``). Off (``NETGRAD_REFERENCE=1``, ``NETGRAD_KERNELS_OFF=heap``): glibc's defaults.
Values are never affected: only where the allocator finds memory.

>>> MMAP_THRESHOLD >> 20, TRIM_THRESHOLD >> 20  # MiB
(64, 256)
"""

from __future__ import annotations

import ctypes
import os
import sys

MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 256 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
_USER_TUNING = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def keep_freed_memory() -> bool:
    """Set glibc's thresholds as above; True if they were set."""
    if not sys.platform.startswith("linux") or any(v in os.environ for v in _USER_TUNING):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries: nothing to tune
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]
