"""Devices: netgrad runs on the CPU only; these stand-ins let PyTorch scripts run unchanged.

>>> import netgrad as ng
>>> ng.cuda.is_available(), ng.backends.mps.is_available()
(False, False)
>>> d = ng.device("cpu")
>>> d, ng.ones(2).to(d).shape
(device(type='cpu'), (2,))
"""

from __future__ import annotations

import types

__all__ = ["device", "cuda", "backends"]


class device(str):  # noqa: N801 - PyTorch's name
    """``ng.device('cpu')``: a string subclass, so ``x.to(device)`` and ``model.to(device)`` work.
    Other device types can be named but not used (``.to`` raises)."""

    def __new__(cls, type: str = "cpu", index: int | None = None) -> device:  # noqa: A002
        if isinstance(type, device):
            return type
        kind = str(type).split(":")[0]
        if ":" in str(type) and index is None:
            index = int(str(type).split(":")[1])
        obj = super().__new__(cls, kind if index is None else f"{kind}:{index}")
        obj.type, obj.index = kind, index
        return obj

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


def _false() -> bool:
    return False


cuda = types.SimpleNamespace(is_available=_false, device_count=lambda: 0,
                             manual_seed=lambda seed: None, manual_seed_all=lambda seed: None)
backends = types.SimpleNamespace(mps=types.SimpleNamespace(is_available=_false, is_built=_false),
                                 cudnn=types.SimpleNamespace(deterministic=True, benchmark=False))
