"""Convolution kernels: the forward product and both gradients of a 2-D convolution on NCHW arrays.

Three calls, each taking ndarrays and a ``Geometry`` (the plain tuple that
``netgrad.functional.conv.conv_geometry`` builds and checks):

- ``conv2d_forward(x, w, b, g)``: y[n,o,i,j] = b_o + sum_{c,a,b} w[o,c,a,b] x_pad[n,c,i s+a d,j s+b d]
- ``conv2d_input_grad(gy, w, g)``: dJ/dx, the adjoint of the forward in x (col2im(w^T dJ/dy))
- ``conv2d_weight_grad(x, gy, g)``: dJ/dw = dJ/dy (O x NHW) times im2col(x)^T

Fast path ``im2col`` (``kernels.on["im2col"]``): the windows of each image are copied once into
a (C kh kw, OH OW) column matrix and multiplied by the (O, C kh kw) weight matrix (one GEMM per
image, written straight into the C-contiguous NCHW output, as PyTorch's layout); dJ/dw sums
dJ/dy_n (O x OH OW) times the columns^T over the images (recomputed in backward, not kept), dJ/dx
is w^T dJ/dy_n followed by col2im. Images go in blocks whose columns fit in the CPU's cache
(about 2 MB), so the copy, the GEMMs and the adds read what was just written: whole-batch columns
were 42 MB for the CNN's conv2, written to memory and read back.

The GEMM form of dJ/dx (im2col of the padded dJ/dy and the flipped, in/out-swapped kernels, one
GEMM) was measured against col2im and lost: its columns are kh*kw times dJ/dy's size.

Reference (the paths off): one product per kernel tap (``np.tensordot`` of a shifted slice of the
zero-padded input), the gradients as the matching per-tap products and scatter-adds; plain NumPy,
C-ordered outputs.

>>> import numpy as np
>>> g = Geometry((1, 1, 3, 3), 2, 2, 1, 1, (0, 0, 0, 0), 1, 1, 2, 2)
>>> conv2d_forward(np.arange(9.0).reshape(1, 1, 3, 3), np.ones((1, 1, 2, 2)), None, g)[0, 0]
array([[ 8., 12.],
       [20., 24.]])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import on as _on


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


def tap_slices(g: Geometry) -> list[tuple[slice, slice]]:
    """For each kernel tap (a, b), row-major, the rows and columns of the padded input that it
    reads for all output positions: x_pad[:, :, rows, cols] is (N, C, OH, OW)."""
    hs, ws = g.sh * (g.oh - 1) + 1, g.sw * (g.ow - 1) + 1
    return [(slice(a * g.dh, a * g.dh + hs, g.sh), slice(c * g.dw, c * g.dw + ws, g.sw))
            for a in range(g.kh) for c in range(g.kw)]


def pad(x: np.ndarray, g: Geometry, fill: float = 0.0) -> np.ndarray:
    """x (N, C, H, W) with ``g.pads`` rows/columns of ``fill`` around each map (x itself if none)."""
    t, b, l, r = g.pads
    if not (t or b or l or r):
        return x
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=fill)


# ------------------------------------------------------------------ reference: one product per tap

def _ref_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: Geometry) -> np.ndarray:
    xp = pad(x, g)
    out = np.zeros((w.shape[0], x.shape[0], g.oh, g.ow), np.result_type(x, w))  # (O, N, OH, OW)
    for t, (rows, cols) in enumerate(tap_slices(g)):
        out += np.tensordot(w[:, :, t // g.kw, t % g.kw], xp[:, :, rows, cols], axes=([1], [1]))
    if b is not None:
        out += b.reshape(-1, 1, 1, 1)
    return np.ascontiguousarray(out.transpose(1, 0, 2, 3))


def _ref_input_grad(gy: np.ndarray, w: np.ndarray, g: Geometry) -> np.ndarray:
    N, C, H, W = g.in_shape
    t_, b_, l_, r_ = g.pads
    dxp = np.zeros((N, C, H + t_ + b_, W + l_ + r_), np.result_type(gy, w))
    for t, (rows, cols) in enumerate(tap_slices(g)):
        # (N, OH, OW, C) -> (N, C, OH, OW), added where tap t read its input
        dxp[:, :, rows, cols] += np.tensordot(gy, w[:, :, t // g.kw, t % g.kw],
                                              axes=([1], [0])).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(dxp[:, :, t_:t_ + H, l_:l_ + W])


def _ref_weight_grad(x: np.ndarray, gy: np.ndarray, g: Geometry) -> np.ndarray:
    xp = pad(x, g)
    gw = np.empty((gy.shape[1], x.shape[1], g.kh, g.kw), np.result_type(x, gy))
    for t, (rows, cols) in enumerate(tap_slices(g)):
        gw[:, :, t // g.kw, t % g.kw] = np.tensordot(gy, xp[:, :, rows, cols],
                                                     axes=([0, 2, 3], [0, 2, 3]))
    return gw


# ------------------------------------------------------------------ fast path: blocked im2col + GEMM

# Images per block: as many as keep one block's columns within this many elements (2 MB in
# float32, about what a core's L2 and its share of L3 hold): the CNN's conv2 (batch 64, 32 -> 64
# channels, 3x3 on 26x26) takes 3 images per block.
_BLOCK_COLS = 1 << 19


def _blocks(g: Geometry) -> list[tuple[int, int]]:
    N, C = g.in_shape[:2]
    per_image = C * g.kh * g.kw * g.oh * g.ow
    step = max(1, _BLOCK_COLS // max(per_image, 1))
    return [(n0, min(N, n0 + step)) for n0 in range(0, N, step)]


def _prefix(buf: np.ndarray, shape: tuple) -> np.ndarray:
    """The start of the flat buffer ``buf`` as a C-contiguous array of ``shape``."""
    return buf[:int(np.prod(shape))].reshape(shape)


class _Columns:
    """im2col of blocks of images, in one call's reused buffers (a zeroed padded block when the
    geometry pads): ``of(x)`` is the (n, C kh kw, OH OW) stack of the n images' column matrices."""

    def __init__(self, g: Geometry, dtype: np.dtype) -> None:
        N, C, H, W = g.in_shape
        t, b, l, r = g.pads
        n = _blocks(g)[0][1]
        self.g = g
        self.buf = np.empty(C * g.kh * g.kw * n * g.oh * g.ow, dtype)
        self.xp = np.zeros((n, C, H + t + b, W + l + r), dtype) if any(g.pads) else None

    def of(self, x: np.ndarray) -> np.ndarray:
        g = self.g
        n, C, H, W = x.shape
        if self.xp is not None:
            xp = self.xp[:n]
            xp[:, :, g.pads[0]:g.pads[0] + H, g.pads[2]:g.pads[2] + W] = x  # the border stays 0
            x = xp
        sN, sC, sH, sW = x.strides
        shape = (n, C, g.kh, g.kw, g.oh, g.ow)
        win = as_strided(x, shape, (sN, sC, g.dh * sH, g.dw * sW, g.sh * sH, g.sw * sW),
                         writeable=False)
        cols = _prefix(self.buf, shape)
        np.copyto(cols, win)
        return cols.reshape(n, C * g.kh * g.kw, g.oh * g.ow)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: Geometry) -> np.ndarray:
    """y = b + w * x (cross-correlation) as a C-contiguous (N, O, OH, OW) array."""
    if not _on["im2col"]:
        return _ref_forward(x, w, b, g)
    O = w.shape[0]
    wf = w.reshape(O, -1)
    out = np.empty((x.shape[0], O, g.oh, g.ow), np.result_type(x, w))
    columns = _Columns(g, x.dtype)
    for n0, n1 in _blocks(g):
        y = out[n0:n1]
        np.matmul(wf, columns.of(x[n0:n1]), out=y.reshape(n1 - n0, O, -1))  # a GEMM per image
        if b is not None:
            y += b.reshape(O, 1, 1)  # while the block is still in cache
    return out


def conv2d_input_grad(gy: np.ndarray, w: np.ndarray, g: Geometry) -> np.ndarray:
    """dJ/dx = col2im(w^T dJ/dy): per image one GEMM, then one add per kernel tap."""
    if not _on["im2col"]:
        return _ref_input_grad(gy, w, g)
    N, C, H, W = g.in_shape
    O = w.shape[0]
    wt = w.reshape(O, -1).T
    t, bt, l, r = g.pads
    Hp, Wp = H + t + bt, W + l + r
    dtype = np.result_type(gy, w)
    out = np.empty((N, C, H, W), dtype)
    blocks = _blocks(g)
    step, kk = blocks[0][1], g.kh * g.kw
    padded = np.empty((step, C, Hp, Wp), dtype) if any(g.pads) else None
    dcols = np.empty(step * C * kk * g.oh * g.ow, dtype)
    taps = tap_slices(g)
    for n0, n1 in blocks:
        m = n1 - n0
        d = _prefix(dcols, (m, C, kk, g.oh * g.ow))
        np.matmul(wt, gy[n0:n1].reshape(m, O, -1), out=d.reshape(m, C * kk, -1))
        dx = out[n0:n1] if padded is None else padded[:m]
        dx.fill(0)
        d6 = d.reshape(m, C, kk, g.oh, g.ow)
        for k, (rr, cc) in enumerate(taps):
            dx[:, :, rr, cc] += d6[:, :, k]
        if padded is not None:  # C-contiguous like the input, as PyTorch's gradient
            out[n0:n1] = dx[:, :, t:t + H, l:l + W]
    return out


def conv2d_weight_grad(x: np.ndarray, gy: np.ndarray, g: Geometry) -> np.ndarray:
    """dJ/dw (O, C, kh, kw) = sum over images of dJ/dy (O x OH OW) times im2col(x)^T."""
    if not _on["im2col"]:
        return _ref_weight_grad(x, gy, g)
    O, C = gy.shape[1], x.shape[1]
    columns = _Columns(g, x.dtype)
    gw = None
    for n0, n1 in _blocks(g):
        part = np.matmul(gy[n0:n1].reshape(n1 - n0, O, -1),
                         columns.of(x[n0:n1]).transpose(0, 2, 1)).sum(axis=0)
        gw = part if gw is None else np.add(gw, part, out=gw)
    return gw.reshape(O, C, g.kh, g.kw)


__all__ = ["Geometry", "conv2d_forward", "conv2d_input_grad", "conv2d_weight_grad", "pad",
           "tap_slices"]

