"""2-D convolution on NCHW tensors: the maths (forward and both gradients as Functions, with
double backward), the geometry and the argument checks. The arrays are computed by
``netgrad.kernels.conv`` (im2col + GEMM over blocks of images, or its plain NumPy reference form).

>>> import netgrad as ng
>>> x = ng.ones(1, 1, 4, 4)
>>> w = ng.ones(2, 1, 3, 3)
>>> ng.conv2d(x, w, padding=1)[0, 0]
tensor([[4., 6., 6., 4.],
        [6., 9., 9., 6.],
        [6., 9., 9., 6.],
        [4., 6., 6., 4.]])
"""

from __future__ import annotations

from typing import Any

from ..autograd import Function, Tensor
from ..autograd.errors import DTypeError, ShapeError
from ..kernels.conv import Geometry, conv2d_forward, conv2d_input_grad, conv2d_weight_grad
from .core import as_tensor_arg

__all__ = ["conv2d"]


def int_pair(v: Any, name: str, op: str) -> tuple[int, int]:
    """A 2-D layer argument (``stride=2`` or ``(2, 1)``) as a pair of ints; ValueError naming
    ``op`` and ``name`` for a sequence of another length.

    >>> int_pair(2, "stride", "conv2d"), int_pair([3, 1], "stride", "conv2d")
    ((2, 2), (3, 1))
    """
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{op}: {name} must be an int or a pair, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def conv_geometry(op: str, in_shape: tuple, kernel: tuple, stride: Any, padding: Any,
                  dilation: Any) -> Geometry:
    """The output size and padding of a 2-D convolution or pooling window over ``in_shape``
    (N, C, H, W) with ``kernel`` (kh, kw): checks and normalises stride, padding (ints, pairs,
    ``'valid'`` or ``'same'``) and dilation, raising ValueError naming ``op``."""
    N, C, H, W = in_shape
    kh, kw = kernel
    sh, sw = int_pair(stride, "stride", op)
    dh, dw = int_pair(dilation, "dilation", op)
    if min(sh, sw, dh, dw, kh, kw) < 1:
        raise ValueError(f"{op}: kernel size, stride and dilation must be positive, got kernel "
                         f"{kernel}, stride {(sh, sw)}, dilation {(dh, dw)}")
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if (sh, sw) != (1, 1):
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
            th, tw = dh * (kh - 1), dw * (kw - 1)
            pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)  # the extra one goes last, as torch
        else:
            raise ValueError(f"{op}: padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    else:
        ph, pw = int_pair(padding, "padding", op)
        if ph < 0 or pw < 0:
            raise ValueError(f"{op}: padding must be non-negative, got {(ph, pw)}")
        pads = (ph, ph, pw, pw)
    Hp, Wp = H + pads[0] + pads[1], W + pads[2] + pads[3]
    oh = (Hp - dh * (kh - 1) - 1) // sh + 1
    ow = (Wp - dw * (kw - 1) - 1) // sw + 1
    if oh < 1 or ow < 1:
        raise ShapeError(f"{op}: input of spatial size {(H, W)} (padded {(Hp, Wp)}) is smaller than "
                         f"the kernel {(kh, kw)} with dilation {(dh, dw)}")
    return Geometry(tuple(in_shape), kh, kw, sh, sw, pads, dh, dw, oh, ow)


class Conv2dOp(Function):
    """y[n,o,i,j] = b_o + sum_{c,a,b} W[o,c,a,b] x_pad[n, c, i s + a d, j s + b d];
    dJ/dW = dJ/dy (as O x NHW) times im2col(x)^T, dJ/dx = col2im(W^T dJ/dy), dJ/db = sum dJ/dy."""

    _array_backward = True
    _fresh_grads = True  # products and a sum: arrays of their own

    @staticmethod
    def forward(ctx, x, w, b, g):
        ctx.save_for_backward(x, w)
        ctx.g = g
        return conv2d_forward(x._data, w._data, None if b is None else b._data, g)

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        g = ctx.g
        if not ctx.create_graph:
            gx = conv2d_input_grad(gy, w, g) if nx else None
            gw = conv2d_weight_grad(x, gy, g) if nw else None
        else:
            gx = ConvTransposeInput.apply(gy, w, g) if nx else None
            gw = ConvWeightGrad.apply(x, gy, g) if nw else None
        gb = gy.sum(axis=(0, 2, 3)) if nb else None
        return gx, gw, gb, None


class ConvTransposeInput(Function):
    """z = col2im(W^T g), the adjoint of the convolution in x (dJ/dx of ``Conv2d``);
    dJ/dg = conv(dJ/dz, W), dJ/dW = im2col(dJ/dz) correlated with g."""

    _array_backward = True

    @staticmethod
    def forward(ctx, gy, w, g):
        ctx.save_for_backward(gy, w)
        ctx.g = g
        return conv2d_input_grad(gy._data, w._data, g)

    @staticmethod
    def backward(ctx, dz):
        gy, w = ctx.saved_tensors
        g = ctx.g
        ng_, nw = ctx.needs_input_grad[:2]
        if not ctx.create_graph:
            dg = conv2d_forward(dz, w, None, g) if ng_ else None
            dw = conv2d_weight_grad(dz, gy, g) if nw else None
        else:
            dg = Conv2dOp.apply(dz, w, None, g) if ng_ else None
            dw = ConvWeightGrad.apply(dz, gy, g) if nw else None
        return dg, dw, None


class ConvWeightGrad(Function):
    """v = dJ/dW of ``Conv2d`` as a function of (x, g); it is bilinear, so
    dJ/dx = col2im(m^T g) and dJ/dg = conv(x, m) for m = dJ/dv."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, gy, g):
        ctx.save_for_backward(x, gy)
        ctx.g = g
        return conv2d_weight_grad(x._data, gy._data, g)

    @staticmethod
    def backward(ctx, m):
        x, gy = ctx.saved_tensors
        g = ctx.g
        nx, ng_ = ctx.needs_input_grad[:2]
        if not ctx.create_graph:
            dx = conv2d_input_grad(gy, m, g) if nx else None
            dg = conv2d_forward(x, m, None, g) if ng_ else None
        else:
            dx = ConvTransposeInput.apply(gy, m, g) if nx else None
            dg = Conv2dOp.apply(x, m, None, g) if ng_ else None
        return dx, dg, None


def conv2d(input: Any, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation (PyTorch's conv2d) of NCHW ``input`` with (O, C, kh, kw) ``weight``:
    y[n,o,i,j] = b_o + sum_{c,a,b} W[o,c,a,b] x[n, c, i s + a d - p, j s + b d - p].

    ``padding`` is an int, a pair, 'valid' (none) or 'same' (output size = input size, stride 1).
    """
    x = as_tensor_arg(input, "conv2d")
    if groups != 1:
        raise NotImplementedError("conv2d: only groups=1 is supported")
    if weight.ndim != 4:
        raise ShapeError(f"conv2d: weight must be 4-D (out_channels, in_channels, kh, kw), got "
                         f"shape {weight.shape}")
    if x.ndim == 3:
        return conv2d(x.unsqueeze(0), weight, bias, stride, padding, dilation).squeeze(0)
    if x.ndim != 4:
        raise ShapeError(f"conv2d: expected a 4-D (N, C, H, W) or 3-D input, got shape {x.shape}")
    if x.shape[1] != weight.shape[1]:
        raise ShapeError(f"conv2d: input has {x.shape[1]} channels (shape {x.shape}) but the weight "
                         f"{weight.shape} expects {weight.shape[1]}")
    if x.dtype != weight.dtype:
        raise DTypeError(f"conv2d: input dtype {x.dtype} differs from weight dtype {weight.dtype}")
    g = conv_geometry("conv2d", x.shape, weight.shape[2:], stride, padding, dilation)
    return Conv2dOp.apply(x, weight, bias, g)
