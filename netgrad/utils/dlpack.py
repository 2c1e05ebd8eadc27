"""``netgrad.utils.dlpack``: PyTorch's ``torch.utils.dlpack`` (tensors in and out through DLPack).

>>> import numpy as np, netgrad as ng
>>> from_dlpack(np.arange(3)).tolist()
[0, 1, 2]
>>> np.from_dlpack(ng.ones(2))
array([1., 1.], dtype=float32)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..functional.conversion import from_dlpack as _from_exporter

__all__ = ["from_dlpack", "to_dlpack"]


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing memory with a DLPack exporter or a capsule from ``to_dlpack``."""
    if type(ext_tensor).__name__ == "PyCapsule":
        ext_tensor = _Capsule(ext_tensor)
    return _from_exporter(ext_tensor)


def to_dlpack(tensor: Any) -> Any:
    """A DLPack capsule of the tensor's memory (``from_dlpack`` in any library reads it back)."""
    return tensor.__dlpack__(max_version=(1, 0))  # versioned: NumPy reads it as writable


class _Capsule:
    """A bare DLPack capsule (from ``to_dlpack``) dressed as an exporter for ``np.from_dlpack``."""

    def __init__(self, capsule: Any) -> None:
        self.capsule = capsule

    def __dlpack__(self, **_: Any) -> Any:
        return self.capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)  # kDLCPU: the only device a capsule made here (or by CPU torch) can be on
