"""2-D max and average pooling on NCHW tensors: the maths (Functions with their backward and
double backward), the argument checks and the geometry. The arrays are computed by
``netgrad.kernels.pool``. Max pooling routes each window's gradient to its FIRST maximum, as
PyTorch does.

>>> import netgrad as ng
>>> ng.max_pool2d(ng.arange(16.0).reshape(1, 1, 4, 4), 2)
tensor([[[[5., 7.],
          [13., 15.]]]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import ShapeError
from ..kernels.conv import tap_slices
from ..kernels.pool import (max_pool2d_argmax, max_pool2d_backward, max_pool2d_forward,
                            window_scatter, window_sum)
from .core import as_tensor_arg
from .conv import Geometry, conv_geometry, int_pair
from .shape import index_put_zeros

__all__ = ["max_pool2d", "avg_pool2d"]


class MaxPool2dOp(Function):
    """y[n,c,i,j] = max over the window; dJ/dx gets dJ/dy at ONE element per window, the first
    maximum in row-major window order (as PyTorch), however many elements tie."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, g):
        out, ctx.state = max_pool2d_forward(x._data, g)
        ctx.g = g
        return out

    @staticmethod
    def backward(ctx, gy):
        g = ctx.g
        if not ctx.create_graph:
            return max_pool2d_backward(gy, ctx.state, g), None
        # recorded for double backward: dJ/dy placed at the chosen elements is linear in dJ/dy
        idx = _flat_indices(g, max_pool2d_argmax(ctx.state, g))
        return index_put_zeros(gy.reshape(-1), (int(np.prod(g.in_shape)),), idx).reshape(g.in_shape), None


def _flat_indices(g: Geometry, idx: np.ndarray) -> np.ndarray:
    """Flat index into the unpadded input of each window's chosen element (for double backward)."""
    N, C, H, W = g.in_shape
    a, c = np.divmod(idx.astype(np.int64), g.kw)
    rows = np.arange(g.oh).reshape(1, 1, -1, 1) * g.sh + a * g.dh - g.pads[0]
    cols = np.arange(g.ow).reshape(1, 1, 1, -1) * g.sw + c * g.dw - g.pads[2]
    base = (np.arange(N).reshape(-1, 1, 1, 1) * C + np.arange(C).reshape(1, -1, 1, 1)) * H * W
    return (base + rows * W + cols).reshape(-1)


class AvgPool2dOp(Function):
    """y[n,c,i,j] = (1/|window|) sum over the window; dJ/dx = dJ/dy / |window| at every tap."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, g, count_include_pad, divisor_override):
        xd = x._data
        out = window_sum(xd, g)
        if divisor_override:
            div: Any = float(divisor_override)
        elif count_include_pad or not any(g.pads):
            div = float(g.kh * g.kw)
        else:  # the number of real (unpadded) elements in each window
            div = window_sum(np.ones((1, 1) + xd.shape[2:], dtype=xd.dtype), g)
        ctx.g, ctx.inv = g, (1.0 / div if isinstance(div, float) else (1.0 / div).astype(xd.dtype))
        out *= ctx.inv
        return out

    @staticmethod
    def backward(ctx, gy):
        g = ctx.g
        if ctx.create_graph:
            return AvgPoolAdjoint.apply(gy, g, ctx.inv), None, None, None
        return window_scatter(gy * ctx.inv, g), None, None, None


class AvgPoolAdjoint(Function):
    """z = the adjoint of average pooling applied to g (its backward); linear, and its own
    adjoint is average pooling with the same divisor."""

    _array_backward = True

    @staticmethod
    def forward(ctx, gy, g, inv):
        ctx.g, ctx.inv = g, inv
        return window_scatter(gy._data * inv, g)

    @staticmethod
    def backward(ctx, dz):
        g = ctx.g
        if not ctx.create_graph:
            return window_sum(dz, g) * ctx.inv, None, None
        from .shape import pad as _pad

        t, b, l, r = g.pads
        dzp = _pad(dz, (l, r, t, b)) if any(g.pads) else dz
        out = None
        for i, j in tap_slices(g):
            v = dzp[:, :, i, j]
            out = v if out is None else out + v
        return out * ctx.inv, None, None


def _pool_args(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               ceil_mode: bool) -> Geometry:
    if ceil_mode:
        raise NotImplementedError(f"{op}: ceil_mode=True is not supported")
    if x.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 4-D (N, C, H, W) or 3-D input, got shape {x.shape}")
    k = int_pair(kernel_size, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else stride
    ph, pw = int_pair(padding, "padding", op)
    if ph > k[0] // 2 or pw > k[1] // 2:
        raise ValueError(f"{op}: padding should be at most half of the kernel size, got padding "
                         f"{(ph, pw)} for kernel {k}")
    return conv_geometry(op, x.shape if x.ndim == 4 else (1,) + x.shape, k, s, (ph, pw), dilation)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    """y[n,c,i,j] = max of x over the (kh, kw) window at (i s, j s); stride defaults to the kernel.

    The gradient goes to the first maximum of each window (row-major), as in PyTorch.
    """
    x = as_tensor_arg(input, "max_pool2d")
    if return_indices:
        raise NotImplementedError("max_pool2d: return_indices=True is not supported")
    g = _pool_args("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    if x.ndim == 3:
        return MaxPool2dOp.apply(x.unsqueeze(0), g).squeeze(0)
    return MaxPool2dOp.apply(x, g)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """y[n,c,i,j] = mean of x over the (kh, kw) window at (i s, j s) (zero padding counted in the
    mean unless ``count_include_pad=False``)."""
    x = as_tensor_arg(input, "avg_pool2d")
    g = _pool_args("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    if x.ndim == 3:
        return AvgPool2dOp.apply(x.unsqueeze(0), g, count_include_pad, divisor_override).squeeze(0)
    return AvgPool2dOp.apply(x, g, count_include_pad, divisor_override)
