"""``nn.Conv1d``, ``nn.ConvTranspose1d``/``2d``, ``nn.Fold``/``nn.Unfold``, PyTorch's API (weight
layouts, default initialisation, reprs), on ``netgrad.functional.conv_more``.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1)
ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
>>> nn.Conv1d(2, 5, 3)(ng.zeros(4, 2, 10)).shape
(4, 5, 8)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from ..functional import conv_more as C
from ..functional.core import as_tensor_arg
from ..functional.conv import int_pair
from ..functional.resample import pad_modes
from . import init
from .linear import _weight_and_bias
from .module import Module

__all__ = ["Conv1d", "ConvTranspose1d", "ConvTranspose2d", "Fold", "Unfold"]

_MODES = ("zeros", "reflect", "replicate", "circular")


def _single(v: Any, name: str, op: str) -> tuple[int]:
    return (C.int_single(v, name, op),)


class _ConvNd(Module):
    _nd = 1
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, groups: int, bias: bool, padding_mode: str, dtype: Any,
                 output_padding: Any = 0) -> None:
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in _MODES:
            raise ValueError(f"padding_mode must be one of {list(_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        tup = _single if self._nd == 1 else (lambda v, n, o: int_pair(v, n, o))
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = tup(kernel_size, "kernel_size", name)
        self.stride = tup(stride, "stride", name)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = tup(padding, "padding", name)
        self.dilation = tup(dilation, "dilation", name)
        self.output_padding = tup(output_padding, "output_padding", name)
        self.groups, self.padding_mode = groups, padding_mode
        shape = ((self.in_channels, self.out_channels // groups) if self._transposed
                 else (self.out_channels, self.in_channels // groups)) + self.kernel_size
        _weight_and_bias(self, shape, self.out_channels, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def _check(self, x: Tensor) -> Tensor:
        x = as_tensor_arg(x, type(self).__name__)
        if x.ndim not in (self._nd + 1, self._nd + 2) or x.shape[-self._nd - 1] != self.in_channels:
            raise ShapeError(f"{self!r}: expected input with {self.in_channels} channels and "
                             f"{self._nd} spatial dims, got shape {x.shape}")
        return x

    def extra_repr(self) -> str:
        nd = self._nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """y = b + W * x (1-D cross-correlation), W of shape (out_channels, in_channels, k); W and b ~
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels k."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        x = self._check(input)
        if self.padding_mode != "zeros" and self.padding != "valid":
            if self.padding == "same":
                t = self.dilation[0] * (self.kernel_size[0] - 1)
                pads = (t // 2, t - t // 2)
            else:
                pads = (self.padding[0], self.padding[0])
            return C.conv1d(pad_modes(x, pads, self.padding_mode), self.weight, self.bias, self.stride,
                            0, self.dilation, self.groups)
        return C.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class ConvTranspose1d(_ConvNd):
    """The adjoint of Conv1d in its input, weight (in_channels, out_channels, k)."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype, output_padding)

    def forward(self, input: Any, output_size: Any = None) -> Tensor:  # noqa: A002
        return C.conv_transpose1d(self._check(input), self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation, output_size)


class ConvTranspose2d(ConvTranspose1d):
    """The adjoint of Conv2d in its input, weight (in_channels, out_channels, kh, kw);
    H_out = (H - 1) s - 2 p + d (k - 1) + output_padding + 1."""

    _nd = 2

    def forward(self, input: Any, output_size: Any = None) -> Tensor:  # noqa: A002
        return C.conv_transpose2d(self._check(input), self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation, output_size)


class Unfold(Module):
    """im2col: (N, C, H, W) -> (N, C kh kw, L)."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return C.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """col2im: (N, C kh kw, L) -> (N, C, H, W), overlapping values summed."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return C.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
