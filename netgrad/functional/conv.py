"""2-D convolution on NCHW tensors, vectorised with strided window views.

Convolution is im2col + one GEMM: the windows of the (padded) input are a zero-copy
``as_strided`` view, copied once into a reused (C*kh*kw, N*OH*OW) buffer and multiplied by the
(O, C*kh*kw) weight matrix. Backward: dJ/dW is one GEMM with the same buffer; dJ/dx is one GEMM
followed by col2im as kh*kw strided slice-adds (no Python loop over pixels, no ``np.add.at``).
Outputs are channel-major in memory (C, N, H, W) seen through an NCHW view, which makes the next
layer's im2col copy and the incoming gradient's reshape free.

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

from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import Function, Tensor
from ..kernels import memory
from ..autograd.errors import DTypeError, ShapeError
from ..kernels.threads import parallel_for
from ._core import as_tensor_arg

__all__ = ["conv2d"]


class Geometry(NamedTuple):
    """Everything about one convolution/pooling call except the data."""

    in_shape: tuple  # (N, C, H, W)
    kh: int
    kw: int
    sh: int
    sw: int
    pads: tuple  # (top, bottom, left, right)
    dh: int
    dw: int
    oh: int
    ow: int


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


def _padded(x: np.ndarray, g: Geometry, fill: float = 0.0) -> np.ndarray:
    t, b, l, r = g.pads
    if not (t or b or l or r):
        return x
    N, C, H, W = x.shape
    # channel-major like the rest of the pipeline; the border is rewritten on every call
    buf = memory.empty((C, N, H + t + b, W + l + r), x.dtype)
    buf[:, :, :t] = fill
    buf[:, :, H + t:] = fill
    buf[:, :, t:H + t, :l] = fill
    buf[:, :, t:H + t, W + l:] = fill
    out = buf.transpose(1, 0, 2, 3)
    out[:, :, t:t + H, l:l + W] = x
    return out


def _windows(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """Zero-copy (C, kh, kw, N, OH, OW) view of the windows of the padded input."""
    sN, sC, sH, sW = xp.strides
    N, C = xp.shape[:2]
    return as_strided(xp, (C, g.kh, g.kw, N, g.oh, g.ow),
                      (sC, g.dh * sH, g.dw * sW, sN, g.sh * sH, g.sw * sW), writeable=False)


def _im2col(x: np.ndarray, g: Geometry, pooled: bool = True) -> np.ndarray:
    N, C = x.shape[:2]
    xp = _padded(x, g)
    shape = (C, g.kh, g.kw, N, g.oh, g.ow)
    cols = memory.empty(shape, x.dtype) if pooled else np.empty(shape, x.dtype)
    win = _windows(xp, g)

    def copy(c0: int, c1: int) -> None:
        np.copyto(cols[c0:c1], win[c0:c1])

    parallel_for(copy, C, cols.size)
    return cols.reshape(C * g.kh * g.kw, N * g.oh * g.ow)


def _gt(gd: np.ndarray) -> np.ndarray:
    """dJ/dy (N, O, OH, OW) as an (O, N*OH*OW) matrix (free when it is channel-major already)."""
    N, O = gd.shape[:2]
    return gd.transpose(1, 0, 2, 3).reshape(O, -1)


# One im2col buffer holds at most this many elements (64 MB in float32); bigger batches (e.g. a
# test batch of 1000 images) are processed in chunks of images so that memory stays bounded.
_MAX_COLS = 1 << 24


def _chunks(g: Geometry) -> list[tuple[int, int]]:
    N, C = g.in_shape[:2]
    per_image = C * g.kh * g.kw * g.oh * g.ow
    step = max(1, _MAX_COLS // max(per_image, 1))
    return [(n0, min(N, n0 + step)) for n0 in range(0, N, step)]


def _conv_fwd(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: Geometry,
              keep_cols: bool) -> tuple[np.ndarray, np.ndarray | None]:
    N = x.shape[0]
    O = w.shape[0]
    wf = w.reshape(O, -1)
    chunks = _chunks(g)
    if len(chunks) == 1:
        cols = _im2col(x, g, pooled=True)
        out = np.matmul(wf, cols, out=memory.empty((O, cols.shape[1]), np.result_type(x, w)))
        out = out.reshape(O, N, g.oh, g.ow)
    else:  # backward recomputes each chunk's columns instead of keeping them all
        cols, keep_cols = None, False
        out = memory.empty((O, N, g.oh, g.ow), np.result_type(x, w))
        o3 = out.reshape(O, N, -1)
        for n0, n1 in chunks:
            o3[:, n0:n1] = (wf @ _im2col(x[n0:n1], g, pooled=True)).reshape(O, n1 - n0, -1)
    if b is not None:
        out += b.reshape(O, 1, 1, 1)
    return out.transpose(1, 0, 2, 3), (cols if keep_cols else None)


def _conv_bwd_input(gd: np.ndarray, w: np.ndarray, g: Geometry) -> np.ndarray:
    """dJ/dx = col2im(W^T dJ/dy): kh*kw strided slice-adds into the padded input."""
    N, C, H, W = g.in_shape
    O = w.shape[0]
    ckk = C * g.kh * g.kw
    wt = w.reshape(O, ckk).T
    t, bt, l, r = g.pads
    dxp = memory.zeros((C, N, H + t + bt, W + l + r), gd.dtype)
    hs, ws = g.sh * (g.oh - 1) + 1, g.sw * (g.ow - 1) + 1
    for n0, n1 in _chunks(g):
        dcols = memory.empty((ckk, (n1 - n0) * g.oh * g.ow), gd.dtype)
        np.matmul(wt, _gt(gd[n0:n1]), out=dcols)
        d6 = dcols.reshape(C, g.kh, g.kw, n1 - n0, g.oh, g.ow)
        dx = dxp[:, n0:n1]

        def add(c0: int, c1: int, dx: np.ndarray = dx, d6: np.ndarray = d6) -> None:
            for a in range(g.kh):
                for c in range(g.kw):
                    i0, j0 = a * g.dh, c * g.dw
                    dx[c0:c1, :, i0:i0 + hs:g.sh, j0:j0 + ws:g.sw] += d6[c0:c1, a, c]

        parallel_for(add, C, dcols.size)
    return dxp[:, :, t:t + H, l:l + W].transpose(1, 0, 2, 3)


def _conv_bwd_weight(x: np.ndarray, cols: np.ndarray | None, gd: np.ndarray, w_shape: tuple,
                     g: Geometry) -> np.ndarray:
    """dJ/dW = dJ/dy (O x NHW) times im2col(x)^T, from the kept columns or chunk by chunk."""
    # (cols @ G^T)^T rather than G @ cols^T: BLAS is markedly faster with the long axis inside
    if cols is not None:
        return (cols @ _gt(gd).T).T.reshape(w_shape)
    gw = None
    for n0, n1 in _chunks(g):
        part = _im2col(x[n0:n1], g, pooled=True) @ _gt(gd[n0:n1]).T
        gw = part if gw is None else gw + part
    return gw.T.reshape(w_shape)


class Conv2d(Function):
    """y[n,o,i,j] = b_o + sum_{c,a,b} W[o,c,a,b] x_pad[n, c, i s + a d, j s + b d];
    dJ/dW = dJ/dy (as O x NHW) times im2col(x)^T, dJ/dx = col2im(W^T dJ/dy), dJ/db = sum dJ/dy."""

    _array_backward = True
    _fresh_grads = True  # products and a sum: arrays of their own

    @staticmethod
    def forward(ctx, x, w, b, g):
        keep = bool(ctx.needs_input_grad) and ctx.needs_input_grad[1]
        out, cols = _conv_fwd(x._data, w._data, None if b is None else b._data, g, keep)
        ctx.save_for_backward(x, w)
        ctx.g, ctx.cols = g, cols
        return out

    @staticmethod
    def backward(ctx, gy):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        g = ctx.g
        if ctx._arrays:
            gx = _conv_bwd_input(gy, w, g) if nx else None
            gw = _conv_bwd_weight(x, ctx.cols, gy, w.shape, g) if nw else None
            ctx.cols = None  # hand the buffer back to the pool
        else:
            gx = ConvTransposeInput.apply(gy, w, g) if nx else None
            gw = ConvWeightGrad.apply(x, gy, g, tuple(w.shape)) if nw else None
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
        return _conv_bwd_input(gy._data, w._data, g)

    @staticmethod
    def backward(ctx, dz):
        gy, w = ctx.saved_tensors
        g = ctx.g
        ng_, nw = ctx.needs_input_grad[:2]
        if ctx._arrays:
            dg = _conv_fwd(dz, w, None, g, False)[0] if ng_ else None
            dw = _conv_bwd_weight(dz, None, gy, w.shape, g) if nw else None
        else:
            dg = Conv2d.apply(dz, w, None, g) if ng_ else None
            dw = ConvWeightGrad.apply(dz, gy, g, tuple(w.shape)) if nw else None
        return dg, dw, None


class ConvWeightGrad(Function):
    """v = dJ/dW of ``Conv2d`` as a function of (x, g); it is bilinear, so
    dJ/dx = col2im(m^T g) and dJ/dg = conv(x, m) for m = dJ/dv."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, gy, g, w_shape):
        ctx.save_for_backward(x, gy)
        ctx.g = g
        return _conv_bwd_weight(x._data, None, gy._data, w_shape, g)

    @staticmethod
    def backward(ctx, m):
        x, gy = ctx.saved_tensors
        g = ctx.g
        nx, ng_ = ctx.needs_input_grad[:2]
        if ctx._arrays:
            dx = _conv_bwd_input(gy, m, g) if nx else None
            dg = _conv_fwd(x, m, None, g, False)[0] if ng_ else None
        else:
            dx = ConvTransposeInput.apply(gy, m, g) if nx else None
            dg = Conv2d.apply(x, m, None, g) if ng_ else None
        return dx, dg, None, None


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
    return Conv2d.apply(x, weight, bias, g)
