"""``nn.Conv2d``: 2-D convolution layer on NCHW input with PyTorch's default initialisation.

>>> import netgrad as ng
>>> conv = ng.nn.Conv2d(1, 32, 3)
>>> conv
Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))
>>> conv(ng.zeros(64, 1, 28, 28)).shape
(64, 32, 26, 26)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..autograd.errors import DTypeError, ShapeError
from ..functional.core import as_tensor_arg
from ..functional.conv import Conv2dOp as _ConvFn
from ..functional.conv import conv_geometry, int_pair
from . import init
from .linear import _weight_and_bias
from .module import Module


class Conv2d(Module):
    """y = b + W * x (cross-correlation) with W of shape (out_channels, in_channels, kh, kw).

    ``padding`` is an int, a pair, 'valid' or 'same'. Initialised as PyTorch: W ~
    kaiming_uniform(a = sqrt 5) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)) and b ~ U(-1/sqrt(fan_in),
    1/sqrt(fan_in)), fan_in = in_channels * kh * kw.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups != 1:
            raise NotImplementedError("Conv2d: only groups=1 is supported")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: only padding_mode='zeros' is supported, got {padding_mode!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = int_pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = int_pair(stride, "stride", "Conv2d")
        self.padding = padding if isinstance(padding, str) else int_pair(padding, "padding", "Conv2d")
        self.dilation = int_pair(dilation, "dilation", "Conv2d")
        if isinstance(padding, str):
            conv_geometry("Conv2d", (1, 1, 10**6, 10**6), self.kernel_size, self.stride, padding,
                          self.dilation)
        self.groups, self.padding_mode = groups, padding_mode
        _weight_and_bias(self, (self.out_channels, self.in_channels, *self.kernel_size),
                         self.out_channels, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        x = as_tensor_arg(input, "Conv2d")
        if x.ndim not in (3, 4) or x.shape[-3] != self.in_channels:
            raise ShapeError(f"{self!r}: expected input of shape (N, {self.in_channels}, H, W), got "
                             f"shape {x.shape}")
        squeeze = x.ndim == 3
        if squeeze:
            x = x.unsqueeze(0)
        try:
            g = conv_geometry("Conv2d", x.shape, self.kernel_size, self.stride, self.padding, self.dilation)
        except ShapeError as e:
            raise ShapeError(f"{self!r}: {e} (input shape {x.shape})") from None
        if x.dtype != self.weight.dtype:
            raise DTypeError(f"{self!r}: input dtype {x.dtype} differs from the layer's "
                             f"{self.weight.dtype}; convert one with .to(dtype)")
        out = _ConvFn.apply(x, self.weight, self.bias, g)
        return out.squeeze(0) if squeeze else out

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.bias is None:
            s += ", bias=False"
        return s
