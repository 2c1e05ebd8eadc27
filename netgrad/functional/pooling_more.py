"""1-D pooling and adaptive pooling, as in ``torch.nn.functional``. The 1-D pools are the 2-D
ones on a height-1 input; adaptive average pooling is exact and separable, y = A_h x A_w^T with
A's rows averaging PyTorch's windows [floor(i L / O), ceil((i + 1) L / O)); adaptive max pooling
takes the max of each window (gradient to its first maximum).

>>> import netgrad as ng
>>> adaptive_avg_pool2d(ng.arange(16.0).reshape(1, 1, 4, 4), 1).tolist()
[[[[7.5]]]]
>>> max_pool1d(ng.tensor([[[1.0, 3.0, 2.0, 0.0]]]), 2).tolist()
[[[3.0, 2.0]]]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg
from .conv_more import int_single
from .pooling import avg_pool2d, max_pool2d
from .reduction import amax
from .shape import stack

__all__ = [
    "max_pool1d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "lp_pool1d", "lp_pool2d",
]


def _check_1d(x: Tensor, op: str) -> None:
    if x.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {x.shape}")


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    """y[n,c,i] = max of x over the window of ``kernel_size`` at i s (stride defaults to the kernel)."""
    x = as_tensor_arg(input, "max_pool1d")
    _check_1d(x, "max_pool1d")
    k = int_single(kernel_size, "kernel_size", "max_pool1d")
    s = k if stride is None or stride == () else int_single(stride, "stride", "max_pool1d")
    y = max_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, int_single(padding, "padding", "max_pool1d")),
                   (1, int_single(dilation, "dilation", "max_pool1d")), ceil_mode, return_indices)
    return y.squeeze(-2)


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """y[n,c,i] = mean of x over the window of ``kernel_size`` at i s."""
    x = as_tensor_arg(input, "avg_pool1d")
    _check_1d(x, "avg_pool1d")
    k = int_single(kernel_size, "kernel_size", "avg_pool1d")
    s = k if stride is None or stride == () else int_single(stride, "stride", "avg_pool1d")
    y = avg_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, int_single(padding, "padding", "avg_pool1d")),
                   ceil_mode, count_include_pad)
    return y.squeeze(-2)


def _windows(n_in: int, n_out: int) -> list[tuple[int, int]]:
    return [((i * n_in) // n_out, math.ceil((i + 1) * n_in / n_out)) for i in range(n_out)]


def _avg_matrix(n_in: int, n_out: int, dtype: Any) -> np.ndarray:
    a = np.zeros((n_out, n_in), dtype=dtype)
    for i, (s, e) in enumerate(_windows(n_in, n_out)):
        a[i, s:e] = 1.0 / (e - s)
    return a


def _sizes(output_size: Any, spatial: tuple, op: str) -> tuple:
    k = len(spatial)
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != k:
            raise ValueError(f"{op}: output_size must have {k} elements, got {output_size!r}")
        out = tuple(spatial[i] if v is None else int(v) for i, v in enumerate(output_size))
    else:
        out = (int(output_size),) * k
    if min(out) < 0:
        raise ValueError(f"{op}: output_size must be non-negative, got {output_size!r}")
    return out


def _check_nd(x: Tensor, k: int, op: str) -> None:
    if x.ndim not in (k + 1, k + 2) or 0 in x.shape[-k:]:
        raise ShapeError(f"{op}: Expected {k + 1}D or {k + 2}D tensor with non-zero spatial sizes, "
                         f"got shape {x.shape}")


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """y[..., i, j] = mean of x[..., hs_i:he_i, ws_j:we_j], PyTorch's adaptive windows."""
    x = as_tensor_arg(input, "adaptive_avg_pool2d")
    _check_nd(x, 2, "adaptive_avg_pool2d")
    H, W = x.shape[-2:]
    oh, ow = _sizes(output_size, (H, W), "adaptive_avg_pool2d")
    if oh and ow and H % oh == 0 and W % ow == 0:  # equal windows: a reshape and a mean
        lead = x.shape[:-2]
        return x.reshape(*lead, oh, H // oh, ow, W // ow).mean((-3, -1))
    ah = Tensor._make(_avg_matrix(H, oh, x.dtype))
    aw = Tensor._make(_avg_matrix(W, ow, x.dtype).T.copy())
    return ah @ x @ aw


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """y[..., i] = mean of x[..., s_i:e_i], PyTorch's adaptive windows."""
    x = as_tensor_arg(input, "adaptive_avg_pool1d")
    _check_nd(x, 1, "adaptive_avg_pool1d")
    (o,) = _sizes(output_size if isinstance(output_size, (tuple, list)) else (output_size,),
                  x.shape[-1:], "adaptive_avg_pool1d")
    return x @ Tensor._make(_avg_matrix(x.shape[-1], o, x.dtype).T.copy())


def _adaptive_max(x: Tensor, out: tuple, op: str) -> Tensor:
    k = len(out)
    wins = [_windows(n, o) for n, o in zip(x.shape[-k:], out)]
    lead = (slice(None),) * (x.ndim - k)
    if k == 1:
        return stack([amax(x[lead + (slice(s, e),)], -1) for s, e in wins[0]], -1)
    rows = [stack([amax(x[lead + (slice(hs, he), slice(ws, we))], (-2, -1)) for ws, we in wins[1]], -1)
            for hs, he in wins[0]]
    return stack(rows, -2)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Tensor:  # noqa: A002
    """y[..., i, j] = max of x[..., hs_i:he_i, ws_j:we_j] (gradient to the first maximum)."""
    op = "adaptive_max_pool2d"
    if return_indices:
        raise NotImplementedError(f"{op}: return_indices=True is not supported")
    x = as_tensor_arg(input, op)
    _check_nd(x, 2, op)
    H, W = x.shape[-2:]
    oh, ow = _sizes(output_size, (H, W), op)
    if oh and ow and H % oh == 0 and W % ow == 0:
        return max_pool2d(x, (H // oh, W // ow))
    return _adaptive_max(x, (oh, ow), op)


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Tensor:  # noqa: A002
    """y[..., i] = max of x[..., s_i:e_i]."""
    op = "adaptive_max_pool1d"
    if return_indices:
        raise NotImplementedError(f"{op}: return_indices=True is not supported")
    x = as_tensor_arg(input, op)
    _check_nd(x, 1, op)
    (o,) = _sizes(output_size if isinstance(output_size, (tuple, list)) else (output_size,),
                  x.shape[-1:], op)
    return _adaptive_max(x, (o,), op)


def _lp(x: Tensor, avg: Tensor, n: int, norm_type: float) -> Tensor:
    from .activation import relu
    from .elementwise import abs as _abs
    from .elementwise import sign

    return (sign(avg) * relu(_abs(avg)) * n) ** (1.0 / float(norm_type))


def lp_pool2d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    """y = (sum over each window of x^p)^(1/p), p = ``norm_type`` (PyTorch's formula)."""
    from .conv import int_pair

    x = as_tensor_arg(input, "lp_pool2d")
    kh, kw = int_pair(kernel_size, "kernel_size", "lp_pool2d")
    avg = avg_pool2d(x ** float(norm_type), (kh, kw), stride, 0, ceil_mode)
    return _lp(x, avg, kh * kw, norm_type)


def lp_pool1d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    """y = (sum over each window of x^p)^(1/p) along the last dim."""
    x = as_tensor_arg(input, "lp_pool1d")
    k = int_single(kernel_size, "kernel_size", "lp_pool1d")
    avg = avg_pool1d(x ** float(norm_type), k, stride, 0, ceil_mode)
    return _lp(x, avg, k, norm_type)
