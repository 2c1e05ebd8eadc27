"""2-D convolution and pooling on NCHW tensors, vectorised with strided window views.

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
>>> ng.max_pool2d(ng.arange(16.0).reshape(1, 1, 4, 4), 2)
tensor([[[[5., 7.],
          [13., 15.]]]])
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import Function, Tensor
from ..autograd.errors import DTypeError, ShapeError
from ._buffers import parallel_for, scratch
from ._core import as_tensor_arg
from .shape import index_put_zeros

__all__ = ["conv2d", "max_pool2d", "avg_pool2d"]


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


def _pair(v: Any, name: str, op: str) -> tuple[int, int]:
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise ValueError(f"{op}: {name} must be an int or a pair, got {v!r}")
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _geometry(op: str, in_shape: tuple, kernel: tuple, stride: Any, padding: Any,
              dilation: Any) -> Geometry:
    N, C, H, W = in_shape
    kh, kw = kernel
    sh, sw = _pair(stride, "stride", op)
    dh, dw = _pair(dilation, "dilation", op)
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
        ph, pw = _pair(padding, "padding", op)
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


def _padded(x: np.ndarray, g: Geometry, fill: float = 0.0, tag: str = "pad") -> np.ndarray:
    t, b, l, r = g.pads
    if not (t or b or l or r):
        return x
    N, C, H, W = x.shape
    # channel-major like the rest of the pipeline; the border is rewritten on every call
    buf = scratch((C, N, H + t + b, W + l + r), x.dtype, tag)
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
    cols = scratch(shape, x.dtype, "cols") if pooled else np.empty(shape, x.dtype)
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
        out = wf @ cols
        out = out.reshape(O, N, g.oh, g.ow)
    else:  # backward recomputes each chunk's columns instead of keeping them all
        cols, keep_cols = None, False
        out = np.empty((O, N, g.oh, g.ow), dtype=np.result_type(x, w))
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
    dxp = np.zeros((C, N, H + t + bt, W + l + r), dtype=gd.dtype)
    hs, ws = g.sh * (g.oh - 1) + 1, g.sw * (g.ow - 1) + 1
    for n0, n1 in _chunks(g):
        dcols = scratch((ckk, (n1 - n0) * g.oh * g.ow), gd.dtype, "dcols")
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
    g = _geometry("conv2d", x.shape, weight.shape[2:], stride, padding, dilation)
    return Conv2d.apply(x, weight, bias, g)


# ----------------------------------------------------------------------------------- pooling
def _tap_slices(g: Geometry) -> list[tuple[slice, slice]]:
    hs, ws = g.sh * (g.oh - 1) + 1, g.sw * (g.ow - 1) + 1
    return [(slice(a * g.dh, a * g.dh + hs, g.sh), slice(c * g.dw, c * g.dw + ws, g.sw))
            for a in range(g.kh) for c in range(g.kw)]


class MaxPool2d(Function):
    """y[n,c,i,j] = max over the window; dJ/dx gets dJ/dy at ONE element per window, the first
    maximum in row-major window order (as PyTorch), however many elements tie."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, g):
        xd = x._data
        ctx.g = g
        if _tiles(g):
            # Non-overlapping windows: one strided copy gathers the taps into contiguous rows
            # (kh*kw, N, C, OH, OW); max and the first-max mask are then fast contiguous passes.
            N = xd.shape[0]
            taps = scratch((g.kh * g.kw,) + xd.shape[:2] + (g.oh, g.ow), xd.dtype, "pooltaps")
            out = np.empty(taps.shape[1:], dtype=xd.dtype)
            hit = np.empty(taps.shape, dtype=bool)
            view = _tap_view(xd, g)
            kk = g.kh * g.kw

            def block(n0: int, n1: int) -> None:
                tb, hb = taps[:, n0:n1], hit[:, n0:n1]
                np.copyto(tb.reshape((g.kh, g.kw) + tb.shape[1:]), view[:, :, n0:n1])
                ob = np.max(tb, axis=0, out=out[n0:n1])
                np.equal(tb, ob, out=hb)
                if np.isnan(ob).any():
                    hb |= np.isnan(tb)
                taken = hb[0].copy()
                for t in range(1, kk):
                    hb[t] &= ~taken
                    taken |= hb[t]

            parallel_for(block, N, taps.size)
            ctx.mask, ctx.idx = hit.reshape((g.kh, g.kw) + hit.shape[1:]), None
            ctx.channel_major = xd.strides[1] > xd.strides[0]
            return out
        xp = _padded(xd, g, -np.inf, "maxpad")
        taps = _tap_slices(g)
        out = None
        for i, j in taps:
            v = xp[:, :, i, j]
            out = v.copy() if out is None else np.maximum(out, v, out=out)
        # The first tap equal to the max: scanning backwards, the earliest hit writes last.
        # NaN never compares equal, so a window holding NaN picks its first NaN (torch's argmax).
        idx = np.zeros(out.shape, dtype=np.uint8 if len(taps) < 256 else np.int32)
        isnan = np.isnan(out)
        any_nan = bool(isnan.any())
        for t in range(len(taps) - 1, -1, -1):
            i, j = taps[t]
            v = xp[:, :, i, j]
            hit = v == out
            if any_nan:
                hit |= isnan & np.isnan(v)
            np.copyto(idx, t, where=hit)
        ctx.mask, ctx.idx = None, idx
        return out

    @staticmethod
    def backward(ctx, gy):
        g, idx, mask = ctx.g, ctx.idx, ctx.mask
        if not ctx._arrays:
            if idx is None:
                idx = np.argmax(mask.reshape((-1,) + mask.shape[2:]), axis=0)
            return index_put_zeros(gy.reshape(-1), (int(np.prod(g.in_shape)),),
                                   _flat_indices(g, idx)).reshape(g.in_shape), None
        if mask is not None:
            N, C, H, W = g.in_shape
            covered = g.oh * g.kh == H and g.ow * g.kw == W
            alloc = np.empty if covered else np.zeros
            # keep the input's memory layout so that the conv below gets a free reshape
            if ctx.channel_major:
                dx = alloc((C, N, H, W), dtype=gy.dtype).transpose(1, 0, 2, 3)
            else:
                dx = alloc((N, C, H, W), dtype=gy.dtype)
            view = _tap_view(dx, g, writeable=True)

            def block(n0: int, n1: int) -> None:
                np.multiply(mask[:, :, n0:n1], gy[n0:n1], out=view[:, :, n0:n1])

            parallel_for(block, N, mask.size)
            return dx, None
        return _scatter_taps(gy, g, lambda t: idx == t), None


def _tiles(g: Geometry) -> bool:
    """Windows that tile the input: kernel == stride, no padding, no dilation."""
    return (g.kh, g.kw) == (g.sh, g.sw) and not any(g.pads) and (g.dh, g.dw) == (1, 1)


def _tap_view(a: np.ndarray, g: Geometry, writeable: bool = False) -> np.ndarray:
    """(kh, kw, N, C, OH, OW) strided view of the taps of non-overlapping windows of ``a``."""
    sN, sC, sH, sW = a.strides
    N, C = a.shape[:2]
    return as_strided(a, (g.kh, g.kw, N, C, g.oh, g.ow), (sH, sW, sN, sC, g.sh * sH, g.sw * sW),
                      writeable=writeable)


def _scatter_taps(gy: np.ndarray, g: Geometry, mask_of: Any) -> np.ndarray:
    """dJ/dx from per-tap contributions: tap t adds gy * mask_of(t) at its strided slice."""
    N, C, H, W = g.in_shape
    t_, b_, l_, r_ = g.pads
    dxp = np.zeros((C, N, H + t_ + b_, W + l_ + r_), dtype=gy.dtype).transpose(1, 0, 2, 3)
    overlap = g.kh * g.dh > g.sh or g.kw * g.dw > g.sw
    for t, (i, j) in enumerate(_tap_slices(g)):
        m = mask_of(t)
        contrib = gy * m if m is not None else gy
        if overlap:
            dxp[:, :, i, j] += contrib
        else:
            dxp[:, :, i, j] = contrib
    return dxp[:, :, t_:t_ + H, l_:l_ + W]


def _flat_indices(g: Geometry, idx: np.ndarray) -> np.ndarray:
    """Flat index into the unpadded input of each window's chosen element (for double backward)."""
    N, C, H, W = g.in_shape
    a, c = np.divmod(idx.astype(np.int64), g.kw)
    rows = np.arange(g.oh).reshape(1, 1, -1, 1) * g.sh + a * g.dh - g.pads[0]
    cols = np.arange(g.ow).reshape(1, 1, 1, -1) * g.sw + c * g.dw - g.pads[2]
    base = (np.arange(N).reshape(-1, 1, 1, 1) * C + np.arange(C).reshape(1, -1, 1, 1)) * H * W
    return (base + rows * W + cols).reshape(-1)


class AvgPool2d(Function):
    """y[n,c,i,j] = (1/|window|) sum over the window; dJ/dx = dJ/dy / |window| at every tap."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, g, count_include_pad, divisor_override):
        xd = x._data
        xp = _padded(xd, g, 0.0, "avgpad")
        out = None
        for i, j in _tap_slices(g):
            v = xp[:, :, i, j]
            out = v.copy() if out is None else np.add(out, v, out=out)
        if divisor_override:
            div: Any = float(divisor_override)
        elif count_include_pad or not any(g.pads):
            div = float(g.kh * g.kw)
        else:
            ones = np.ones((1, 1) + xd.shape[2:], dtype=xd.dtype)
            op = _padded(ones, g, 0.0, "avgones")
            div = None
            for i, j in _tap_slices(g):
                v = op[:, :, i, j]
                div = v.copy() if div is None else div + v
        ctx.g, ctx.inv = g, (1.0 / div if isinstance(div, float) else (1.0 / div).astype(xd.dtype))
        out *= ctx.inv
        return out

    @staticmethod
    def backward(ctx, gy):
        g = ctx.g
        if not ctx._arrays:
            return AvgPoolAdjoint.apply(gy, g, ctx.inv), None, None, None
        return _scatter_taps(gy * ctx.inv, g, lambda t: None), None, None, None


class AvgPoolAdjoint(Function):
    """z = the adjoint of average pooling applied to g (its backward); linear, and its own
    adjoint is average pooling with the same divisor."""

    _array_backward = True

    @staticmethod
    def forward(ctx, gy, g, inv):
        ctx.g, ctx.inv = g, inv
        return _scatter_taps(gy._data * inv, g, lambda t: None)

    @staticmethod
    def backward(ctx, dz):
        g = ctx.g
        if ctx._arrays:
            dzp = _padded(dz, g, 0.0, "avgpad")
            out = None
            for i, j in _tap_slices(g):
                v = dzp[:, :, i, j]
                out = v.copy() if out is None else out + v
            return out * ctx.inv, None, None
        from .shape import pad as _pad

        t, b, l, r = g.pads
        dzp = _pad(dz, (l, r, t, b)) if any(g.pads) else dz
        out = None
        for i, j in _tap_slices(g):
            v = dzp[:, :, i, j]
            out = v if out is None else out + v
        return out * ctx.inv, None, None


def _pool_args(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               ceil_mode: bool) -> Geometry:
    if ceil_mode:
        raise NotImplementedError(f"{op}: ceil_mode=True is not supported")
    if x.ndim not in (3, 4):
        raise ShapeError(f"{op}: expected a 4-D (N, C, H, W) or 3-D input, got shape {x.shape}")
    k = _pair(kernel_size, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else stride
    ph, pw = _pair(padding, "padding", op)
    if ph > k[0] // 2 or pw > k[1] // 2:
        raise ValueError(f"{op}: padding should be at most half of the kernel size, got padding "
                         f"{(ph, pw)} for kernel {k}")
    return _geometry(op, x.shape if x.ndim == 4 else (1,) + x.shape, k, s, (ph, pw), dilation)


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
        return MaxPool2d.apply(x.unsqueeze(0), g).squeeze(0)
    return MaxPool2d.apply(x, g)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """y[n,c,i,j] = mean of x over the (kh, kw) window at (i s, j s) (zero padding counted in the
    mean unless ``count_include_pad=False``)."""
    x = as_tensor_arg(input, "avg_pool2d")
    g = _pool_args("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    if x.ndim == 3:
        return AvgPool2d.apply(x.unsqueeze(0), g, count_include_pad, divisor_override).squeeze(0)
    return AvgPool2d.apply(x, g, count_include_pad, divisor_override)
