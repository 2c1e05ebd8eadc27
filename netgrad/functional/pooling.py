"""2-D max and average pooling on NCHW tensors, vectorised with strided window views.

Windows that tile the input (kernel = stride, the usual 2x2 pooling) are gathered by one strided
copy into contiguous (kh*kw, N, C, OH, OW) rows; other geometries loop over the kh*kw taps (never
over pixels). Max pooling routes each window's gradient to its FIRST maximum, as PyTorch does.

>>> import netgrad as ng
>>> ng.max_pool2d(ng.arange(16.0).reshape(1, 1, 4, 4), 2)
tensor([[[[5., 7.],
          [13., 15.]]]])
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..autograd import Function, Tensor
from ..kernels import memory
from ..autograd.errors import ShapeError
from ..kernels.threads import parallel_for
from ._core import as_tensor_arg
from .conv import Geometry, conv_geometry, _padded, int_pair
from .shape import index_put_zeros

__all__ = ["max_pool2d", "avg_pool2d"]


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
            taps = memory.empty((g.kh * g.kw,) + xd.shape[:2] + (g.oh, g.ow), xd.dtype)
            out = memory.empty(taps.shape[1:], xd.dtype)
            hit = memory.empty(taps.shape, bool)
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
        xp = _padded(xd, g, -np.inf)
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
            alloc = memory.empty if covered else memory.zeros
            # keep the input's memory layout so that the conv below gets a free reshape
            if ctx.channel_major:
                dx = alloc((C, N, H, W), gy.dtype).transpose(1, 0, 2, 3)
            else:
                dx = alloc((N, C, H, W), gy.dtype)
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
        xp = _padded(xd, g, 0.0)
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
            op = _padded(ones, g, 0.0)
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
            dzp = _padded(dz, g, 0.0)
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
