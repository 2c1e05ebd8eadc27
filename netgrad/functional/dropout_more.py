"""dropout1d (whole channels of (N, C, L) input), alpha_dropout and feature_alpha_dropout (SELU's
dropout: dropped units set to the negative saturation -alpha' and the result affinely rescaled so
that zero mean and unit variance are kept), with netgrad's seeded generator.

>>> import netgrad as ng
>>> _ = ng.manual_seed(0)
>>> y = alpha_dropout(ng.randn(100000), 0.2, training=True)
>>> abs(y.mean().item()) < 0.02 and abs(y.std().item() - 1) < 0.02
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.random import rng
from .core import as_tensor_arg, write_inplace
from .dropout import DropoutOp, check_dropout_p, _mask

__all__ = ["dropout1d", "alpha_dropout", "feature_alpha_dropout"]

_ALPHA = 1.7580993408473766  # SELU's scale * alpha: the negative saturation value


def dropout1d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False,  # noqa: A002
              generator: Any = None) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p, scale the rest by
    1/(1 - p)."""
    x = as_tensor_arg(input, "dropout1d")
    p = check_dropout_p(p, "dropout1d")
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note "
                           "that dropout1d exists to provide channel-wise dropout on inputs with 1 "
                           "spatial dimension, a channel dimension, and an optional batch dimension "
                           "(i.e. 2D or 3D inputs).")
    if not training or p == 0.0:
        return x
    shape = x.shape[:-1] + (1,)
    mask = None if p == 1.0 else _mask(shape, p, x.dtype, generator)
    return write_inplace(x, lambda t: t * 0.0 if mask is None else DropoutOp.apply(t, mask), inplace,
                         "dropout1d")


def _alpha(x: Tensor, p: float, shape: tuple, inplace: bool, generator: Any, op: str) -> Tensor:
    if p == 1.0:
        return write_inplace(x, lambda t: t * 0.0, inplace, op)
    keep = (rng(generator).random(shape, dtype=np.float32) >= p).astype(x.dtype)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    scale = keep * a
    shift = ((keep - 1) * (_ALPHA * a) + _ALPHA * a * p).astype(x.dtype)
    return write_inplace(x, lambda t: DropoutOp.apply(t, np.broadcast_to(scale, x.shape)) + shift,
                         inplace, op)


def alpha_dropout(input: Any, p: float = 0.5, training: bool = False, inplace: bool = False,  # noqa: A002
                  generator: Any = None) -> Tensor:
    """y = a (x m - alpha' (1 - m)) + b, m ~ Bernoulli(1 - p) per element, with
    a = ((1 - p)(1 + p alpha'^2))^{-1/2}, b = a alpha' p (identity when not ``training``)."""
    x = as_tensor_arg(input, "alpha_dropout")
    p = check_dropout_p(p, "alpha_dropout")
    if not training or p == 0.0:
        return x
    return _alpha(x, p, x.shape, inplace, generator, "alpha_dropout")


def feature_alpha_dropout(input: Any, p: float = 0.5, training: bool = False, inplace: bool = False,  # noqa: A002
                          generator: Any = None) -> Tensor:
    """alpha_dropout with one mask value per channel (dims 0, 1 of an (N, C, *) input)."""
    x = as_tensor_arg(input, "feature_alpha_dropout")
    p = check_dropout_p(p, "feature_alpha_dropout")
    if not training or p == 0.0:
        return x
    if x.ndim < 2:
        raise RuntimeError("feature_alpha_dropout: Feature dropout requires at least 2 dimensions in "
                           "the input")
    return _alpha(x, p, x.shape[:2] + (1,) * (x.ndim - 2), inplace, generator, "feature_alpha_dropout")
