"""Resampling and rearranging: interpolate (nearest, nearest-exact, linear, bilinear), pixel
shuffle/unshuffle, channel shuffle and the non-constant padding modes (reflect, replicate,
circular). All are index gathers or products with a fixed interpolation matrix, so their
backward (a scatter-add, or the matrix transposed) and double backward come from those ops.

>>> import netgrad as ng
>>> interpolate(ng.tensor([[[1.0, 2.0]]]), scale_factor=2).tolist()
[[[1.0, 1.0, 2.0, 2.0]]]
>>> pad_modes(ng.tensor([[[1.0, 2.0, 3.0]]]), (2, 1), "reflect").tolist()
[[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..autograd import Tensor
from .core import as_tensor_arg
from .indexing import index_select

__all__ = ["interpolate", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "pad_modes"]

_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad_modes(input: Any, pad: Sequence[int], mode: str = "reflect") -> Tensor:  # noqa: A002
    """F.pad's 'reflect' | 'replicate' | 'circular' modes: each padded dim (pairs from the last dim,
    PyTorch's order) is an index gather of the input, e.g. reflect: x[2], x[1] | x | x[-2], ....
    Only the last len(pad) // 2 dims (at most 3) of a batched/unbatched input may be padded."""
    x = as_tensor_arg(input, "pad")
    if mode not in _NP_MODE:
        raise NotImplementedError(f"pad: mode must be 'reflect', 'replicate' or 'circular', got {mode!r}")
    if len(pad) % 2:
        raise ValueError(f"pad: Padding length must be divisible by 2, got {tuple(pad)}")
    k = len(pad) // 2
    if k > 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"pad: {mode} padding of {k} dims needs a {k + 1}-D or {k + 2}-D input, "
                                  f"got shape {x.shape}")
    out = x
    for j in range(k):
        lo, hi = int(pad[2 * j]), int(pad[2 * j + 1])
        if lo == 0 and hi == 0:
            continue
        dim = x.ndim - 1 - j
        n = x.shape[dim]
        if min(lo, hi) < 0:
            raise NotImplementedError(f"pad: negative padding is not supported for mode {mode!r}")
        if mode == "reflect" and max(lo, hi) >= n:
            raise RuntimeError(f"pad: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {dim} of input {list(x.shape)}")
        if mode == "circular" and max(lo, hi) > n:
            raise RuntimeError("pad: Padding value causes wrapping around more than once.")
        idx = np.pad(np.arange(n), (lo, hi), mode=_NP_MODE[mode])
        out = index_select(out, dim, Tensor._make(idx.astype(np.int64)))
    return out


def _shuffle_args(op: str, input: Any, factor: int, factor_name: str) -> tuple[Tensor, int]:  # noqa: A002
    """pixel_shuffle's and pixel_unshuffle's checks, PyTorch's messages: (input, factor)."""
    x = as_tensor_arg(input, op)
    r = int(factor)
    if x.ndim < 3:
        raise RuntimeError(f"{op} expects input to have at least 3 dimensions, but got input "
                           f"with {x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{op} expects a positive {factor_name}, but got {r}")
    return x, r


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:  # noqa: A002
    """(*, C r^2, H, W) -> (*, C, H r, W r): y[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w].

    >>> import netgrad as ng
    >>> pixel_shuffle(ng.arange(4.0).reshape(1, 4, 1, 1), 2).tolist()
    [[[[0.0, 1.0], [2.0, 3.0]]]]
    """
    x, r = _shuffle_args("pixel_shuffle", input, upscale_factor, "upscale_factor")
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
                           f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:  # noqa: A002
    """The inverse of pixel_shuffle: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    x, r = _shuffle_args("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    *lead, c, h, w = x.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by "
                           f"downscale_factor, but got {h} x {w} and {r}")
    n = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Any, groups: int) -> Tensor:  # noqa: A002
    """(N, g k, *) -> channels regrouped as (k, g): channel i k + j goes to j g + i."""
    x = as_tensor_arg(input, "channel_shuffle")
    g = int(groups)
    if x.ndim < 3 or g <= 0 or x.shape[1] % g:
        raise RuntimeError(f"channel_shuffle: expects a >= 3-D input whose channels {x.shape[1:2]} are "
                           f"divisible by groups={g}, got shape {x.shape}")
    n, c = x.shape[:2]
    rest = x.shape[2:]
    return x.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(n, c, *rest)


_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_NEAREST = ("nearest", "nearest-exact")


def _source_scale(n_in: int, n_out: int, scale: float | None) -> float:
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def _linear_matrix(n_in: int, n_out: int, align_corners: bool, scale: float | None, dtype: Any) -> np.ndarray:
    dst = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = np.maximum((dst + 0.5) * _source_scale(n_in, n_out, scale) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    l1 = src - i0
    m = np.zeros((n_out, n_in), dtype=np.float64)
    np.add.at(m, (np.arange(n_out), i0), 1.0 - l1)
    np.add.at(m, (np.arange(n_out), i1), l1)
    return m.astype(dtype)


def _nearest_index(n_in: int, n_out: int, exact: bool, scale: float | None) -> np.ndarray:
    s = _source_scale(n_in, n_out, scale)
    dst = np.arange(n_out, dtype=np.float64)
    src = np.floor((dst + 0.5) * s) if exact else np.floor(dst * s)
    return np.minimum(src.astype(np.int64), n_in - 1)


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims (all dims after N, C) to ``size`` or floor(in * scale_factor):
    'nearest' takes x[floor(i in/out)], 'linear'/'bilinear' interpolate between the two nearest
    source pixels (centres aligned unless ``align_corners``), one dim at a time."""
    op = "interpolate"
    x = as_tensor_arg(input, op)
    if mode not in _LINEAR and mode not in _NEAREST:
        raise NotImplementedError(f"{op}: mode {mode!r} is not supported (nearest, nearest-exact, "
                                  "linear, bilinear, trilinear)")
    if antialias:
        raise NotImplementedError(f"{op}: antialias=True is not supported")
    if mode in _NEAREST and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    k = x.ndim - 2
    if k < 1:
        raise ValueError(f"{op}: expected a 3-D, 4-D or 5-D (N, C, *spatial) input, got shape {x.shape}")
    if mode in _LINEAR and _LINEAR[mode] != k:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined" if size is not None
                         else "either size or scale_factor should be defined")
    spatial = x.shape[2:]
    scales: list = [None] * k
    if size is not None:
        out = tuple(int(v) for v in size) if isinstance(size, (tuple, list)) else (int(size),) * k
        if len(out) != k:
            raise ValueError("Input and output must have the same number of spatial dimensions, but got "
                             f"input with spatial dimensions of {list(spatial)} and output size of "
                             f"{list(out)}.")
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * k
        if len(sf) != k:
            raise ValueError(f"{op}: scale_factor must have {k} elements, got {scale_factor!r}")
        out = tuple(int(math.floor(n * float(f))) for n, f in zip(spatial, sf))
        if not recompute_scale_factor:
            scales = [float(f) for f in sf]
    if min(out) <= 0:
        raise ValueError(f"{op}: output size {out} must be positive")
    y = x
    for j in range(k):
        dim = 2 + j
        n_in, n_out = spatial[j], out[j]
        if mode in _NEAREST:
            idx = _nearest_index(n_in, n_out, mode == "nearest-exact", scales[j])
            y = index_select(y, dim, Tensor._make(idx))
        else:
            m = Tensor._make(_linear_matrix(n_in, n_out, bool(align_corners), scales[j], x.dtype))
            y = (m @ y.moveaxis(dim, -2)).moveaxis(-2, dim)
    return y



def upsample(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
             align_corners: bool | None = None) -> Tensor:
    """PyTorch's deprecated name for ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """``interpolate(mode='nearest')`` (PyTorch's deprecated name)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """``interpolate(mode='bilinear', align_corners=True)`` (PyTorch's deprecated name)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ += ["upsample", "upsample_nearest", "upsample_bilinear"]
