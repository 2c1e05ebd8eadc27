"""``nn.Upsample`` (and ``UpsamplingNearest2d``/``UpsamplingBilinear2d``), ``PixelShuffle``,
``PixelUnshuffle``, ``ChannelShuffle`` and the padding layers (zero, constant, reflection,
replication, circular), PyTorch's names, defaults and reprs.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> nn.ReflectionPad2d(1)
ReflectionPad2d((1, 1, 1, 1))
>>> nn.Upsample(scale_factor=2)(ng.ones(1, 1, 2, 2)).shape
(1, 1, 4, 4)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..functional import resample as R
from ..functional.shape import pad as _pad_constant
from .module import Module

__all__ = [
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
    "ChannelShuffle", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
    "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
]


class Upsample(Module):
    """Resize by ``size`` or ``scale_factor`` with ``mode`` ('nearest', 'linear', 'bilinear', ...)."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return R.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample(mode='nearest') on (N, C, H, W)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample(mode='bilinear', align_corners=True) on (N, C, H, W)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return R.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return R.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Regroup channels: (N, g k, *) viewed as (g, k) and transposed."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return R.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class _PadNd(Module):
    _nd = 1
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        if isinstance(padding, (tuple, list)):
            if len(padding) != 2 * self._nd:
                raise ValueError(f"{type(self).__name__}: padding must be an int or a "
                                 f"{2 * self._nd}-tuple, got {padding!r}")
            self.padding = tuple(int(p) for p in padding)
        else:
            self.padding = (int(padding),) * (2 * self._nd)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return R.pad_modes(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return _pad_constant(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: ``padding`` int or (left, right)."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``: int or (left, right, top, bottom)."""

    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``."""

    _nd = 3


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pad the last 2 dims with zeros: int or (left, right, top, bottom)."""

    _nd = 2


class ZeroPad3d(ZeroPad1d):
    """Pad the last 3 dims with zeros."""

    _nd = 3


def _mode_pad(name: str, mode: str, nd: int, doc: str) -> type:
    return type(name, (_PadNd,), {"_nd": nd, "_mode": mode, "__doc__": doc, "__module__": __name__})


ReflectionPad1d = _mode_pad("ReflectionPad1d", "reflect", 1, "Pad the last dim with its reflection.")
ReflectionPad2d = _mode_pad("ReflectionPad2d", "reflect", 2, "Pad the last 2 dims with their reflection.")
ReflectionPad3d = _mode_pad("ReflectionPad3d", "reflect", 3, "Pad the last 3 dims with their reflection.")
ReplicationPad1d = _mode_pad("ReplicationPad1d", "replicate", 1, "Pad the last dim with its edge values.")
ReplicationPad2d = _mode_pad("ReplicationPad2d", "replicate", 2, "Pad the last 2 dims with their edges.")
ReplicationPad3d = _mode_pad("ReplicationPad3d", "replicate", 3, "Pad the last 3 dims with their edges.")
CircularPad1d = _mode_pad("CircularPad1d", "circular", 1, "Pad the last dim periodically.")
CircularPad2d = _mode_pad("CircularPad2d", "circular", 2, "Pad the last 2 dims periodically.")
CircularPad3d = _mode_pad("CircularPad3d", "circular", 3, "Pad the last 3 dims periodically.")
