"""netgrad.kernels: the fast code, behind one boundary, with a switch back to plain NumPy.

Ops in ``netgrad.functional`` express the maths; this package expresses speed: the restructured
kernels of the layers that dominate a training step (``conv``, ``pool``) and the allocator
setting that lets a step reuse the previous step's memory (``memory``). Each fast path has a
name in ``PATHS`` and can be turned off:

- ``NETGRAD_REFERENCE=1`` turns every fast path off: every kernel runs its plain NumPy form (CI
  runs the whole test suite both ways, so the two must agree);
- ``NETGRAD_KERNELS_OFF=im2col,maxpool_tiles`` turns the named paths off (``benchmarks/fastpaths.py``
  measures each path's gain this way: a path stays only if it earns 3% on a benchmark row);
- ``with kernels.reference():`` does the same inside a process (tests).

A kernel reads ``kernels.on[name]`` at call time, so the switch takes effect at once; ``heap``,
an allocator setting for the whole process, is read once, when this package is imported.

>>> from netgrad import kernels
>>> with kernels.reference():
...     kernels.on["im2col"]
False
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterator

# name -> what the fast path does (benchmarks/README.md records what each one earns)
PATHS: dict[str, str] = {
    "im2col": "convolutions as im2col + one GEMM per cache-sized block of images (kernels.conv)",
    "maxpool_tiles": "max pooling over tiling windows (2x2 stride 2) as contiguous tap rows (kernels.pool)",
    "heap": "freed blocks up to 64 MiB kept by glibc for the next step, no page faults (kernels.memory)",
}


def _initial() -> dict[str, bool]:
    if os.environ.get("NETGRAD_REFERENCE", "").strip().lower() in ("1", "true", "yes", "on"):
        return dict.fromkeys(PATHS, False)
    off = {s.strip() for s in os.environ.get("NETGRAD_KERNELS_OFF", "").split(",") if s.strip()}
    unknown = off - set(PATHS)
    if unknown:
        raise ValueError(f"NETGRAD_KERNELS_OFF: unknown fast path(s) {sorted(unknown)}; "
                         f"known: {sorted(PATHS)}")
    return {name: name not in off for name in PATHS}


on: dict[str, bool] = _initial()
if on["heap"]:
    from .memory import keep_freed_memory

    keep_freed_memory()


def reference_mode() -> bool:
    """True when every fast path is off (plain NumPy everywhere)."""
    return not any(on.values())


@contextlib.contextmanager
def reference(*names: str) -> Iterator[None]:
    """Turn the named fast paths (all of them when none is named) off inside the block."""
    for n in names:
        if n not in PATHS:
            raise ValueError(f"kernels.reference: unknown fast path {n!r}; known: {sorted(PATHS)}")
    saved = dict(on)
    for n in names or PATHS:
        on[n] = False
    try:
        yield
    finally:
        on.update(saved)


__all__ = ["PATHS", "on", "reference", "reference_mode"]
