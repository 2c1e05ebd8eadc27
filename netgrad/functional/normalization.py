"""Per-sample normalisations with PyTorch's functional API: layer_norm, rms_norm, group_norm,
instance_norm and normalize.

Each is composed of netgrad's differentiable ops (mean, subtraction, product, rsqrt), so first and
second derivatives come from those ops' own backward formulas. With mu and sigma^2 the mean and
biased variance over the normalised axes:

    layer_norm(x) = gamma (x - mu) / sqrt(sigma^2 + eps) + beta        (over the trailing dims)
    rms_norm(x)   = gamma x / sqrt(mean(x^2) + eps)
    group_norm(x) = the same per sample and group of C / G channels, then gamma_c, beta_c
    instance_norm = per sample and channel, over the spatial dims
    normalize(x)  = x / max(||x||_p, eps)                              (along ``dim``)

>>> import netgrad as ng
>>> y = layer_norm(ng.tensor([[1.0, 2.0, 3.0]]), (3,))
>>> [round(v, 4) for v in y[0].tolist()]
[-1.2247, 0.0, 1.2247]
>>> normalize(ng.tensor([[3.0, 4.0]]))
tensor([[0.6000, 0.8000]])
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from ..autograd.grad_mode import no_grad
from .core import as_tensor_arg
from .elementwise import where

__all__ = ["layer_norm", "rms_norm", "group_norm", "instance_norm", "normalize"]


def _shape_tuple(normalized_shape: Any) -> tuple:
    if isinstance(normalized_shape, (int, np.integer)):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def _check_trailing(x: Tensor, shape: tuple, op: str) -> tuple:
    n = len(shape)
    if n == 0 or x.ndim < n or tuple(x.shape[x.ndim - n:]) != shape:
        raise ShapeError(f"{op}: given normalized_shape={list(shape)}, expected input with shape "
                         f"[*, {', '.join(map(str, shape))}], but got input of size {list(x.shape)}")
    return tuple(range(x.ndim - n, x.ndim))


def _standardise(x: Tensor, axes: tuple, eps: float) -> Tensor:
    """(x - mean) / sqrt(biased var + eps) over ``axes`` (composite: differentiable twice)."""
    xc = x - x.mean(axes, keepdim=True)
    return xc * ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple | None = None) -> Tensor:
    if weight is not None:
        y = y * (weight if shape is None else weight.reshape(shape))
    if bias is not None:
        y = y + (bias if shape is None else bias.reshape(shape))
    return y


def layer_norm(input: Any, normalized_shape: int | Sequence[int], weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """y = gamma (x - mu) / sqrt(sigma^2 + eps) + beta, mu and sigma^2 over the last
    len(normalized_shape) dims (biased variance).

    >>> import netgrad as ng
    >>> layer_norm(ng.tensor([2.0, 4.0]), 2)
    tensor([-1.0000,  1.0000])
    """
    x = as_tensor_arg(input, "layer_norm")
    shape = _shape_tuple(normalized_shape)
    axes = _check_trailing(x, shape, "layer_norm")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise ShapeError(f"layer_norm: expected {name} of shape {shape}, got {tuple(p.shape)}")
    return _affine(_standardise(x, axes, float(eps)), weight, bias)


def rms_norm(input: Any, normalized_shape: int | Sequence[int], weight: Tensor | None = None,  # noqa: A002
             eps: float | None = None) -> Tensor:
    """y = gamma x / sqrt(mean(x^2) + eps) over the last len(normalized_shape) dims; eps defaults
    to the machine epsilon of x's dtype (PyTorch's ``torch.finfo(x.dtype).eps``).

    >>> import netgrad as ng
    >>> [round(v, 4) for v in rms_norm(ng.tensor([3.0, -3.0]), [2]).tolist()]
    [1.0, -1.0]
    """
    x = as_tensor_arg(input, "rms_norm")
    shape = _shape_tuple(normalized_shape)
    axes = _check_trailing(x, shape, "rms_norm")
    if weight is not None and tuple(weight.shape) != shape:
        raise ShapeError(f"rms_norm: expected weight of shape {shape}, got {tuple(weight.shape)}")
    e = float(np.finfo(x.dtype).eps) if eps is None else float(eps)
    y = x * ((x * x).mean(axes, keepdim=True) + e).rsqrt()
    return y if weight is None else y * weight


def group_norm(input: Any, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """y = gamma_c (x - mu_g) / sqrt(sigma_g^2 + eps) + beta_c, statistics per sample over each
    group of C / num_groups channels and all spatial positions.

    >>> import netgrad as ng
    >>> group_norm(ng.tensor([[1.0, 3.0, 0.0, 0.0]]), 2).tolist()
    [[-0.999..., 0.999..., 0.0, 0.0]]
    """
    x = as_tensor_arg(input, "group_norm")
    if x.ndim < 2:
        raise ShapeError(f"group_norm: expected at least 2-D input (N, C, *), got shape {x.shape}")
    N, C = x.shape[0], x.shape[1]
    if num_groups <= 0 or C % num_groups:
        raise ValueError(f"group_norm: expected number of channels in input ({C}) to be divisible "
                         f"by num_groups ({num_groups})")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != (C,):
            raise ShapeError(f"group_norm: expected {name} of shape ({C},), got {tuple(p.shape)}")
    y = _standardise(x.reshape(N, num_groups, -1), (2,), float(eps)).reshape(x.shape)
    return _affine(y, weight, bias, (1, C) + (1,) * (x.ndim - 2))


def instance_norm(input: Any, running_mean: Tensor | None = None,  # noqa: A002
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """y = gamma_c (x - mu_nc) / sqrt(sigma_nc^2 + eps) + beta_c, statistics per sample and
    channel over the spatial dims (input (N, C, *)); the running estimates, when given, move
    towards the batch average of those statistics (unbiased variance), as PyTorch's.

    >>> import netgrad as ng
    >>> instance_norm(ng.tensor([[[1.0, 3.0]]]))
    tensor([[[-1.0000,  1.0000]]])
    """
    x = as_tensor_arg(input, "instance_norm")
    if x.ndim < 3:
        raise ShapeError(f"instance_norm: expected input of shape (N, C, *) with at least one "
                         f"spatial dim, got shape {x.shape}")
    C = x.shape[1]
    bshape = (1, C) + (1,) * (x.ndim - 2)
    axes = tuple(range(2, x.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: expected running_mean and running_var when "
                             "use_input_stats=False")
        inv = (1.0 / np.sqrt(running_var._data + eps)).astype(x.dtype).reshape(bshape)
        y = (x - running_mean._data.reshape(bshape).astype(x.dtype)) * inv
        return _affine(y, weight, bias, bshape)
    n = int(np.prod([x.shape[a] for a in axes]))
    if running_mean is not None or running_var is not None:
        with no_grad():
            xd = x._data
            m = float(momentum)
            if running_mean is not None:
                bm = xd.mean(axis=axes).mean(axis=0)
                running_mean._data *= 1 - m
                running_mean._data += m * bm.astype(running_mean.dtype)
            if running_var is not None:
                bv = xd.var(axis=axes, ddof=1 if n > 1 else 0).mean(axis=0)
                running_var._data *= 1 - m
                running_var._data += m * bv.astype(running_var.dtype)
    return _affine(_standardise(x, axes, float(eps)), weight, bias, bshape)


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12,  # noqa: A002
              out: Tensor | None = None) -> Tensor:
    """y = x / max(||x||_p, eps) along ``dim``.

    >>> import netgrad as ng
    >>> normalize(ng.tensor([1.0, -1.0]), p=1, dim=0)
    tensor([ 0.5000, -0.5000])
    """
    x = as_tensor_arg(input, "normalize")
    if x.ndim == 0:
        raise ShapeError("normalize: expected a tensor with at least one dimension, got a scalar")
    if p in (1, 2, float("inf")):
        norm = x.norm(p, dim, keepdim=True)
    else:  # (sum |x|^p)^(1/p) with a zero (not NaN) derivative where the whole slice is zero
        s = (x.abs() ** p).sum(dim, keepdim=True)
        live = s > 0
        norm = where(live, where(live, s, 1.0) ** (1.0 / p), 0.0)
    norm = norm.clamp_min(eps)
    y = x / norm.expand(x.shape)
    if out is not None:
        out.copy_(y)
        return out
    return y
