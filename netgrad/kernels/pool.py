"""Pooling kernels on NCHW arrays: max pooling (forward and backward) and the window sum of
average pooling with its adjoint. Each takes ndarrays and a ``conv.Geometry``.

Max pooling routes each window's gradient to its FIRST maximum in row-major window order, a NaN
counting as the maximum (PyTorch's rule). ``max_pool2d_forward`` returns the output and the state
that ``max_pool2d_backward`` and ``max_pool2d_argmax`` read.

Fast path ``maxpool_tiles`` (``kernels.on["maxpool_tiles"]``), for windows that tile the input
(kernel = stride, no padding or dilation: the usual 2x2 pooling): one strided copy gathers the
taps into contiguous (kh kw, N, C, OH, OW) rows, so that the max and the first-maximum mask are
contiguous passes, and backward is one multiply of the mask with dJ/dy into a strided view of dJ/dx.
Reference (the path off, and every other geometry): the windows as a ``sliding_window_view`` of
the (-inf padded) input, ``argmax`` over each window, dJ/dx scattered tap by tap.

>>> import numpy as np
>>> from netgrad.kernels.conv import Geometry
>>> g = Geometry((1, 1, 2, 2), 2, 2, 2, 2, (0, 0, 0, 0), 1, 1, 1, 1)
>>> out, state = max_pool2d_forward(np.array([[[[1.0, 3.0], [3.0, 2.0]]]]), g)
>>> out.ravel(), max_pool2d_backward(np.ones((1, 1, 1, 1)), state, g).ravel()
(array([3.]), array([0., 1., 0., 0.]))
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from . import on as _on
from .conv import Geometry, pad, tap_slices


def _tiles(g: Geometry) -> bool:
    """Windows that tile the input: kernel == stride, no padding, no dilation."""
    return (g.kh, g.kw) == (g.sh, g.sw) and not any(g.pads) and (g.dh, g.dw) == (1, 1)


def _tap_view(a: np.ndarray, g: Geometry, writeable: bool = False) -> np.ndarray:
    """(kh, kw, N, C, OH, OW) strided view of the taps of non-overlapping windows of ``a``."""
    sN, sC, sH, sW = a.strides
    N, C = a.shape[:2]
    return as_strided(a, (g.kh, g.kw, N, C, g.oh, g.ow), (sH, sW, sN, sC, g.sh * sH, g.sw * sW),
                      writeable=writeable)


def _windows(x: np.ndarray, g: Geometry) -> np.ndarray:
    """(N, C, OH, OW, kh*kw) copy of each output's window of the -inf padded input."""
    xp = pad(x, g, -np.inf)
    span = (g.dh * (g.kh - 1) + 1, g.dw * (g.kw - 1) + 1)
    v = sliding_window_view(xp, span, axis=(2, 3))[:, :, ::g.sh, ::g.sw, ::g.dh, ::g.dw]
    return v[:, :, :g.oh, :g.ow].reshape(v.shape[:2] + (g.oh, g.ow, g.kh * g.kw))


def _tiles_forward(x: np.ndarray, g: Geometry) -> tuple[np.ndarray, np.ndarray]:
    kk = g.kh * g.kw
    taps = np.empty((kk,) + x.shape[:2] + (g.oh, g.ow), x.dtype)
    np.copyto(taps.reshape((g.kh, g.kw) + taps.shape[1:]), _tap_view(x, g))
    out = np.max(taps, axis=0)
    hit = np.equal(taps, out)
    if np.isnan(out).any():
        hit |= np.isnan(taps)
    taken = hit[0].copy()
    for t in range(1, kk):  # keep the first hit of each window only
        hit[t] &= ~taken
        taken |= hit[t]
    return out, hit.reshape((g.kh, g.kw) + hit.shape[1:])


def max_pool2d_forward(x: np.ndarray, g: Geometry) -> tuple[np.ndarray, Any]:
    """(y, state): y[n,c,i,j] = the max of x over window (i, j); state is backward's record of
    which element of each window is its first maximum."""
    if _on["maxpool_tiles"] and _tiles(g):
        out, mask = _tiles_forward(x, g)
        return out, ("mask", mask)
    win = _windows(x, g)
    idx = np.argmax(win, axis=-1)  # the first maximum; NaN counts as the maximum (torch's argmax)
    out = np.take_along_axis(win, idx[..., None], axis=-1)[..., 0]
    return out, ("index", idx)


def max_pool2d_argmax(state: Any, g: Geometry) -> np.ndarray:
    """The tap index a kw + b, within its window, of each output's chosen element."""
    if state[0] == "index":
        return state[1]
    mask = state[1]
    return np.argmax(mask.reshape((-1,) + mask.shape[2:]), axis=0)


def max_pool2d_backward(gy: np.ndarray, state: Any, g: Geometry) -> np.ndarray:
    """dJ/dx: dJ/dy[n,c,i,j] at the chosen element of window (i, j), zero elsewhere."""
    N, C, H, W = g.in_shape
    if state[0] == "mask":
        mask = state[1]
        covered = g.oh * g.kh == H and g.ow * g.kw == W
        dx = (np.empty if covered else np.zeros)((N, C, H, W), gy.dtype)
        np.multiply(mask, gy, out=_tap_view(dx, g, writeable=True))
        return dx
    idx = state[1]
    return window_scatter(gy, g, lambda t: idx == t)


def window_sum(x: np.ndarray, g: Geometry) -> np.ndarray:
    """y[n,c,i,j] = sum of the zero-padded x over window (i, j)."""
    xp = pad(x, g)
    out = None
    for rows, cols in tap_slices(g):
        v = xp[:, :, rows, cols]
        out = v.copy() if out is None else np.add(out, v, out=out)
    return out


def window_scatter(gy: np.ndarray, g: Geometry, mask_of: Any = None) -> np.ndarray:
    """The adjoint of ``window_sum``: each tap t of each window adds gy (times ``mask_of(t)``
    when given) to the input element it covers; padding is cut off."""
    N, C, H, W = g.in_shape
    t_, b_, l_, r_ = g.pads
    dxp = np.zeros((N, C, H + t_ + b_, W + l_ + r_), dtype=gy.dtype)
    for t, (rows, cols) in enumerate(tap_slices(g)):
        dxp[:, :, rows, cols] += gy if mask_of is None else gy * mask_of(t)
    return np.ascontiguousarray(dxp[:, :, t_:t_ + H, l_:l_ + W])


__all__ = ["max_pool2d_argmax", "max_pool2d_backward", "max_pool2d_forward", "window_scatter",
           "window_sum"]
