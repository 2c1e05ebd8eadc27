"""conv1d, transposed convolutions, unfold (im2col) and fold (col2im), reusing ``conv.py``'s
machinery: a transposed convolution is ``ConvTransposeInput`` (the convolution's input-gradient,
with double backward), the 1-D forms are the 2-D ones on a height-1 input, and unfold/fold are a
convolution/transposed convolution with a one-hot kernel per tap.

>>> import netgrad as ng
>>> conv1d(ng.ones(1, 1, 5), ng.ones(1, 1, 3)).tolist()
[[[3.0, 3.0, 3.0]]]
>>> conv_transpose2d(ng.ones(1, 1, 2, 2), ng.ones(1, 1, 2, 2), stride=2).shape
(1, 1, 4, 4)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import DTypeError, ShapeError
from .core import as_tensor_arg
from .conv import Conv2dOp, ConvTransposeInput, Geometry, conv_geometry, int_pair, conv2d
from .shape import cat

__all__ = ["conv1d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"]


def int_single(v: Any, name: str, op: str) -> int:
    """A 1-D layer argument (``stride=2`` or ``(2,)``) as one int; ValueError naming ``op`` and
    ``name`` for a sequence of another length.

    >>> int_single(2, "stride", "conv1d"), int_single((3,), "stride", "conv1d")
    (2, 3)
    """
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise ValueError(f"{op}: {name} must be an int or a 1-tuple, got {v!r}")
        return int(v[0])
    return int(v)


def _grouped(fn: Any, x: Tensor, w: Tensor, bias: Any, groups: int, cdim: int, transposed: bool,
             op: str) -> Tensor:
    """Grouped convolution: input channels and weights split into ``groups`` independent
    convolutions whose outputs are concatenated along the channels (as PyTorch's ``groups``)."""
    g = int(groups)
    cin = x.shape[cdim]
    if g < 1 or cin % g or w.shape[0] % g:
        raise RuntimeError(f"{op}: groups={g} must be positive and divide the input channels ({cin}) "
                           f"and the weight's first dim ({w.shape[0]})")
    if not transposed and w.shape[1] * g != cin:
        raise RuntimeError(f"{op}: expected input with {w.shape[1] * g} channels (weight {w.shape}, "
                           f"groups={g}), got {cin}")
    ys = [fn(xi, wi) for xi, wi in zip(x.chunk(g, cdim), w.chunk(g, 0))]
    y = cat(ys, cdim)
    if bias is not None:
        y = y + as_tensor_arg(bias, op).reshape((-1,) + (1,) * (-cdim - 1))
    return y


def conv1d(input: Any, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """y[n,o,i] = b_o + sum_{c,a} W[o,c,a] x[n, c, i s + a d - p] on (N, C, L) or (C, L) input."""
    x = as_tensor_arg(input, "conv1d")
    w = as_tensor_arg(weight, "conv1d")
    if w.ndim != 3:
        raise ShapeError(f"conv1d: weight must be 3-D (out_channels, in_channels, k), got shape {w.shape}")
    if x.ndim not in (2, 3):
        raise ShapeError(f"conv1d: expected a 3-D (N, C, L) or 2-D input, got shape {x.shape}")
    s = int_single(stride, "stride", "conv1d")
    d = int_single(dilation, "dilation", "conv1d")
    p = padding if isinstance(padding, str) else (0, int_single(padding, "padding", "conv1d"))
    if groups != 1:
        return _grouped(lambda xi, wi: conv1d(xi, wi, None, s, padding, d), x, w, bias, groups, -2,
                        False, "conv1d")
    y = conv2d(x.unsqueeze(-2), w.unsqueeze(2), bias, (1, s), p, (1, d))
    return y.squeeze(-2)


def _transpose_geometry(op: str, x: Tensor, w: Tensor, stride: Any, padding: Any, output_padding: Any,
                        dilation: Any, output_size: Any = None) -> Geometry:
    sh, sw = int_pair(stride, "stride", op)
    ph, pw = int_pair(padding, "padding", op)
    oph, opw = int_pair(output_padding, "output_padding", op)
    dh, dw = int_pair(dilation, "dilation", op)
    if oph >= max(sh, dh) or opw >= max(sw, dw):
        raise ValueError(f"{op}: output padding must be smaller than either stride or dilation, got "
                         f"output_padding {(oph, opw)}, stride {(sh, sw)}, dilation {(dh, dw)}")
    N, _, H, W = x.shape
    kh, kw = w.shape[2:]
    Ho = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    Wo = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    if output_size is not None:
        Ho, Wo = (int(v) for v in tuple(output_size)[-2:])
    if Ho < 1 or Wo < 1:
        raise ShapeError(f"{op}: the output size {(Ho, Wo)} for input {x.shape} is too small")
    g = conv_geometry(op, (N, w.shape[1], Ho, Wo), (kh, kw), (sh, sw), (ph, pw), (dh, dw))
    if (g.oh, g.ow) != (H, W):
        raise ValueError(f"{op}: requested output size {(Ho, Wo)} is not reachable from input "
                         f"{(H, W)} with stride {(sh, sw)}")
    return g


def conv_transpose2d(input: Any, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1,
                     output_size: Any = None) -> Tensor:
    """The adjoint of conv2d in its input: y = col2im(W^T x) + b, weight (C_in, C_out, kh, kw);
    H_out = (H - 1) s - 2 p + d (k - 1) + output_padding + 1."""
    op = "conv_transpose2d"
    x = as_tensor_arg(input, op)
    w = as_tensor_arg(weight, op)
    if w.ndim != 4:
        raise ShapeError(f"{op}: weight must be 4-D (in_channels, out_channels, kh, kw), got {w.shape}")
    if x.ndim == 3:
        return conv_transpose2d(x.unsqueeze(0), w, bias, stride, padding, output_padding, groups,
                                dilation, output_size).squeeze(0)
    if x.ndim != 4:
        raise ShapeError(f"{op}: expected a 4-D (N, C, H, W) or 3-D input, got shape {x.shape}")
    if groups != 1:
        if x.shape[1] != w.shape[0]:
            raise ShapeError(f"{op}: input has {x.shape[1]} channels but the weight {w.shape} expects "
                             f"{w.shape[0]}")
        return _grouped(lambda xi, wi: conv_transpose2d(xi, wi, None, stride, padding, output_padding, 1,
                                                        dilation, output_size),
                        x, w, bias, groups, -3, True, op)
    if x.shape[1] != w.shape[0]:
        raise ShapeError(f"{op}: input has {x.shape[1]} channels (shape {x.shape}) but the weight "
                         f"{w.shape} expects {w.shape[0]}")
    if x.dtype != w.dtype:
        raise DTypeError(f"{op}: input dtype {x.dtype} differs from weight dtype {w.dtype}")
    g = _transpose_geometry(op, x, w, stride, padding, output_padding, dilation, output_size)
    y = ConvTransposeInput.apply(x, w, g)
    if bias is not None:
        y = y + as_tensor_arg(bias, op).reshape(-1, 1, 1)
    return y


def conv_transpose1d(input: Any, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1,
                     output_size: Any = None) -> Tensor:
    """conv_transpose2d on a height-1 input: weight (C_in, C_out, k), input (N, C_in, L)."""
    op = "conv_transpose1d"
    x = as_tensor_arg(input, op)
    w = as_tensor_arg(weight, op)
    if w.ndim != 3:
        raise ShapeError(f"{op}: weight must be 3-D (in_channels, out_channels, k), got {w.shape}")
    if x.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 3-D (N, C, L) or 2-D input, got shape {x.shape}")
    size = None if output_size is None else (1, int(tuple(output_size)[-1]))
    y = conv_transpose2d(x.unsqueeze(-2), w.unsqueeze(2), bias, (1, int_single(stride, "stride", op)),
                         (0, int_single(padding, "padding", op)),
                         (0, int_single(output_padding, "output_padding", op)), groups,
                         (1, int_single(dilation, "dilation", op)), size)
    return y.squeeze(-2)


def _taps(kh: int, kw: int, dtype: Any) -> Tensor:
    """The (kh*kw, 1, kh, kw) one-hot kernel: output channel a*kw + b picks tap (a, b)."""
    return Tensor._make(np.eye(kh * kw, dtype=dtype).reshape(kh * kw, 1, kh, kw))


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:  # noqa: A002
    """im2col: (N, C, H, W) -> (N, C kh kw, L), column l holding the l-th window (row-major), rows
    ordered (c, a, b) as PyTorch's.

    >>> import netgrad as ng
    >>> unfold(ng.arange(4.0).reshape(1, 1, 2, 2), 1).tolist()
    [[[0.0, 1.0, 2.0, 3.0]]]
    """
    op = "unfold"
    x = as_tensor_arg(input, op)
    if x.ndim not in (3, 4):
        raise ShapeError(f"{op}: Input Error: Only 3D or 4D input Tensors are supported (got {x.ndim}D)")
    if x.ndim == 3:
        return unfold(x.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    N, C, H, W = x.shape
    kh, kw = int_pair(kernel_size, "kernel_size", op)
    g = conv_geometry(op, (N * C, 1, H, W), (kh, kw), stride, padding, dilation)
    y = Conv2dOp.apply(x.reshape(N * C, 1, H, W), _taps(kh, kw, x.dtype), None, g)
    return y.reshape(N, C * kh * kw, g.oh * g.ow)


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
         stride: Any = 1) -> Tensor:
    """col2im, the adjoint of unfold: (N, C kh kw, L) -> (N, C, H, W), overlapping values summed.

    >>> import netgrad as ng
    >>> fold(ng.ones(1, 4, 4), (3, 3), 2).tolist()[0][0]
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    op = "fold"
    x = as_tensor_arg(input, op)
    if x.ndim not in (2, 3):
        raise ShapeError(f"{op}: Input Error: Only unbatched (2D) or batched (3D) input Tensors are "
                         f"supported (got {x.ndim}D)")
    if x.ndim == 2:
        return fold(x.unsqueeze(0), output_size, kernel_size, dilation, padding, stride).squeeze(0)
    N, CK, L = x.shape
    kh, kw = int_pair(kernel_size, "kernel_size", op)
    H, W = int_pair(output_size, "output_size", op)
    if CK % (kh * kw):
        raise RuntimeError(f"{op}: Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={CK} and kernel_size={(kh, kw)}")
    C = CK // (kh * kw)
    g = conv_geometry(op, (N * C, 1, H, W), (kh, kw), stride, padding, dilation)
    if g.oh * g.ow != L:
        raise RuntimeError(f"{op}: Given output_size={(H, W)}, kernel_size={(kh, kw)}, "
                           f"dilation={(g.dh, g.dw)}, padding={(g.pads[0], g.pads[2])}, stride="
                           f"{(g.sh, g.sw)}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {g.oh} * {g.ow} = {g.oh * g.ow}, "
                           f"but got input.size(2)={L}.")
    cols = x.reshape(N * C, kh * kw, g.oh, g.ow)
    return ConvTransposeInput.apply(cols, _taps(kh, kw, x.dtype), g).reshape(N, C, H, W)
