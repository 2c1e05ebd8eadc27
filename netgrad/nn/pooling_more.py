"""1-D and adaptive pooling layers, ``Dropout1d``/``AlphaDropout``/``FeatureAlphaDropout``,
PyTorch's names, defaults and reprs.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> nn.AdaptiveAvgPool2d((1, 1))(ng.ones(2, 3, 5, 7)).shape
(2, 3, 1, 1)
>>> nn.MaxPool1d(2)
MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..functional import dropout_more as D
from ..functional import pooling_more as P
from .dropout import _DropoutNd
from .module import Module
from .pooling import _MaxPoolNd

__all__ = [
    "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d", "Dropout1d", "AlphaDropout", "FeatureAlphaDropout", "LPPool1d", "LPPool2d",
]


def _one(v: Any) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class MaxPool1d(_MaxPoolNd):
    """y = max over each window of ``kernel_size``."""

    _fn = staticmethod(P.max_pool1d)


class AvgPool1d(Module):
    """y = mean over each window of ``kernel_size``."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _one(kernel_size)
        self.stride = _one(stride if stride is not None else kernel_size)
        self.padding = _one(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return P.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _Adaptive(Module):
    _fn: Any = None

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_Adaptive):
    """Mean over PyTorch's adaptive windows [floor(i L / O), ceil((i + 1) L / O))."""

    _fn = staticmethod(P.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_Adaptive):
    """Mean over PyTorch's adaptive windows in H and W."""

    _fn = staticmethod(P.adaptive_avg_pool2d)


class _AdaptiveMax(_Adaptive):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMax):
    """Max over PyTorch's adaptive windows."""

    _fn = staticmethod(P.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMax):
    """Max over PyTorch's adaptive windows in H and W."""

    _fn = staticmethod(P.adaptive_max_pool2d)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) input with probability p in training, scale by 1/(1 - p)."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return D.dropout1d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """SELU's dropout: keeps zero mean and unit variance (identity in eval)."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return D.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """alpha dropout of whole channels."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return D.feature_alpha_dropout(input, self.p, self.training)


class LPPool1d(Module):
    """y = (sum over each window of x^p)^(1/p), p = ``norm_type``."""

    _fn = staticmethod(P.lp_pool1d)

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool2d(LPPool1d):
    """y = (sum over each (kh, kw) window of x^p)^(1/p)."""

    _fn = staticmethod(P.lp_pool2d)
