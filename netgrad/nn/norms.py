"""Normalisation layers with PyTorch's API: ``LayerNorm``, ``RMSNorm``, ``GroupNorm``,
``InstanceNorm1d/2d/3d`` and ``BatchNorm3d`` (the functional forms are in
``netgrad/functional/normalization.py``; BatchNorm1d/2d in ``normalization.py``).

>>> import netgrad as ng
>>> ln = ng.nn.LayerNorm(4)
>>> ln
LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
>>> y = ln(ng.randn(2, 3, 4) * 3 + 1)
>>> bool((y.mean(-1).abs() < 1e-5).all())
True
>>> ng.nn.GroupNorm(2, 6)
GroupNorm(2, 6, eps=1e-05, affine=True, bias=True)
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from ..functional.core import as_tensor_arg
from ..functional.normalization import group_norm, instance_norm, layer_norm, rms_norm
from . import init
from .linear import _empty
from .module import Module
from .normalization import _affine_params, _BatchNorm

__all__ = ["LayerNorm", "RMSNorm", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "BatchNorm3d"]


def _as_shape(normalized_shape: Any) -> tuple:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


class LayerNorm(Module):
    """y = gamma (x - mu) / sqrt(sigma^2 + eps) + beta over the trailing ``normalized_shape``
    dims; gamma = 1, beta = 0 at initialisation (shape ``normalized_shape``)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _affine_params(self, self.normalized_shape, elementwise_affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine="
                f"{self.elementwise_affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """y = gamma x / sqrt(mean(x^2) + eps) over the trailing ``normalized_shape`` dims (eps None:
    the input dtype's machine epsilon); gamma = 1 at initialisation."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = _empty(*self.normalized_shape, dtype=dtype)
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x: Any) -> Tensor:
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalise each sample over groups of ``num_channels / num_groups`` channels (and all
    positions), then a per-channel affine gamma_c, beta_c (ones and zeros at initialisation)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("GroupNorm: num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels = int(num_groups), int(num_channels)
        self.eps, self.affine = eps, affine
        _affine_params(self, (self.num_channels,), affine, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    _no_batch_dim = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        x = as_tensor_arg(input, type(self).__name__)
        nb = self._no_batch_dim
        if x.ndim not in (nb, nb + 1):
            raise ShapeError(f"{type(self).__name__}: expected {nb}-D or {nb + 1}-D input, got "
                             f"{x.ndim}-D input of shape {x.shape}")
        fdim = x.ndim - nb
        if x.shape[fdim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={fdim} to match num_features "
                                 f"({self.num_features}), but got: {x.shape[fdim]}.")
            warnings.warn(f"input's size at dim={fdim} does not match num_features. You can "
                          "silence this warning by not passing in num_features, which is not "
                          "used because affine=False", stacklevel=2)
        unbatched = x.ndim == nb
        if unbatched:
            x = x.unsqueeze(0)
        y = instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          self.training or not self.track_running_stats,
                          self.momentum if self.momentum is not None else 0.0, self.eps)
        return y.squeeze(0) if unbatched else y


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or unbatched (C, L) input, per sample and channel."""

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or unbatched (C, H, W) input."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or unbatched (C, D, H, W) input."""

    _no_batch_dim = 4


class BatchNorm3d(_BatchNorm):
    """Batch normalisation over (N, C, D, H, W) input, per channel."""

    _expected_dims = (5,)
