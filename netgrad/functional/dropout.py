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

import warnings
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.random import generator_of
from ..autograd.random_kernels import bernoulli_scalar
from .core import as_tensor_arg, write_inplace

__all__ = ["dropout", "dropout2d"]


class DropoutOp(Function):
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
    # PyTorch's CPU dropout: noise.bernoulli_(1 - p) (u < 1 - p, u of 53 bits), then
    # noise.div_(1 - p) in the input's dtype, so a seed gives torch's mask
    keep = bernoulli_scalar(generator_of(generator, "dropout"), shape, 1.0 - p, dtype)
    return keep if p == 0 else np.divide(keep, np.asarray(1.0 - p, dtype=dtype), dtype=dtype)


def check_dropout_p(p: float, op: str) -> float:
    """``p`` as a float after checking it is a probability (ValueError naming ``op`` else).

    >>> check_dropout_p(0.25, "dropout")
    0.25
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False,  # noqa: A002
            generator: Any = None) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1 - p) (identity when not
    ``training``)."""
    x = as_tensor_arg(input, "dropout")
    p = check_dropout_p(p, "dropout")
    if not training or p == 0.0:
        return x
    mask = None if p == 1.0 else _mask(x.shape, p, x.dtype, generator)
    return write_inplace(x, lambda t: t * 0.0 if mask is None else DropoutOp.apply(t, mask), inplace,
                         "dropout")


_WARN_2D = ("dropout2d: Received a 2-D input to dropout2d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).")
_WARN_3D = ("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
            "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
            "will change in a future release to interpret the input as one without a batch dimension, i.e. "
            "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
            "dropout1d instead.")


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False,  # noqa: A002
              generator: Any = None) -> Tensor:
    """Zero whole channels: for (N, C, H, W) input each feature map is dropped with probability p,
    the kept ones scaled by 1/(1 - p). As PyTorch (with its warnings): a 3-D input is taken as
    (N, C, L), one mask value per channel, and a 2-D input gets elementwise dropout."""
    x = as_tensor_arg(input, "dropout2d")
    p = check_dropout_p(p, "dropout2d")
    if x.ndim not in (2, 3, 4):
        raise ValueError(f"dropout2d: expected a 2-D, 3-D or 4-D input, got shape {x.shape}")
    if x.ndim < 4:
        warnings.warn(_WARN_2D if x.ndim == 2 else _WARN_3D, UserWarning, stacklevel=2)
    if not training or p == 0.0:
        return x
    shape = {2: x.shape, 3: x.shape[:-1] + (1,), 4: x.shape[:-2] + (1, 1)}[x.ndim]
    mask = None if p == 1.0 else _mask(shape, p, x.dtype, generator)
    return write_inplace(x, lambda t: t * 0.0 if mask is None else DropoutOp.apply(t, mask), inplace,
                         "dropout2d")
