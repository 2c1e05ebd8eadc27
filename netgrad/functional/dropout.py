"""Dropout (inverted): in training each element is zeroed with probability p and the survivors
are scaled by 1/(1 - p), so evaluation needs no rescaling. Randomness comes from netgrad's seeded
generator (``ng.manual_seed``).

>>> import netgrad as ng
>>> _ = ng.manual_seed(0)
>>> y = ng.dropout(ng.ones(1000), p=0.5)
>>> sorted(set(y.tolist()))
[0.0, 2.0]
>>> ng.dropout(ng.ones(3), p=0.5, training=False)
tensor([1., 1., 1.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.random import rng
from ._core import as_tensor_arg, write_inplace

__all__ = ["dropout", "dropout2d"]


class Dropout(Function):
    """y = x * m / (1 - p), m_i ~ Bernoulli(1 - p); dJ/dx = dJ/dy * m / (1 - p)."""

    _array_backward = True
    _torch_name = "MulBackward0"

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x._data * mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None


def _mask(shape: tuple, p: float, dtype: np.dtype, generator: Any) -> np.ndarray:
    keep = rng(generator).random(shape, dtype=np.float32) >= p
    if p == 0:
        return keep.astype(dtype)
    scale = np.asarray(1.0 / (1.0 - p), dtype=dtype)
    return np.multiply(keep, scale, dtype=dtype)


def _check_p(p: float, op: str) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False,  # noqa: A002
            generator: Any = None) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1 - p) (identity when not
    ``training``)."""
    x = as_tensor_arg(input, "dropout")
    p = _check_p(p, "dropout")
    if not training or p == 0.0:
        return x
    mask = None if p == 1.0 else _mask(x.shape, p, x.dtype, generator)
    return write_inplace(x, lambda t: t * 0.0 if mask is None else Dropout.apply(t, mask), inplace,
                         "dropout")


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False,  # noqa: A002
              generator: Any = None) -> Tensor:
    """Zero whole channels: for (N, C, H, W) (or unbatched (C, H, W)) input each feature map is
    dropped with probability p, the kept ones scaled by 1/(1 - p)."""
    x = as_tensor_arg(input, "dropout2d")
    p = _check_p(p, "dropout2d")
    if x.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected a 3-D or 4-D input, got shape {x.shape}")
    if not training or p == 0.0:
        return x
    shape = x.shape[:-2] + (1, 1)
    mask = None if p == 1.0 else _mask(shape, p, x.dtype, generator)
    return write_inplace(x, lambda t: t * 0.0 if mask is None else Dropout.apply(t, mask), inplace,
                         "dropout2d")
