"""Batch normalisation: ``BatchNorm1d`` and ``BatchNorm2d`` with running statistics.

In training each channel is normalised with the batch's mean and (biased) variance, and the
running estimates are updated: r <- (1 - momentum) r + momentum * batch statistic (the unbiased
variance for the running variance, as PyTorch). In ``eval()`` the running estimates are used.

>>> import netgrad as ng
>>> bn = ng.nn.BatchNorm1d(3)
>>> y = bn(ng.randn(8, 3) * 5 + 2)
>>> bool((y.mean(0).abs() < 1e-5).all()), bool((bn.running_mean != 0).all())
(True, True)
>>> bn
BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import ShapeError
from ..autograd.grad_mode import no_grad
from ..functional.core import as_tensor_arg, xp_of
from . import init
from .linear import _empty
from .module import Module


class BatchNormTrain(Function):
    """y = gamma x_hat + beta, x_hat = (x - mu_B) / sqrt(var_B + eps) over the batch (and spatial)
    axes; dJ/dx = (gamma / sigma) (g - mean(g) - x_hat mean(g x_hat)), dJ/dgamma = sum g x_hat,
    dJ/dbeta = sum g."""

    _array_backward = True
    _fresh_grads = True  # products and sums: arrays of their own
    _torch_name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, axes, eps, stats):
        xd = x._data
        mean = xd.mean(axis=axes, keepdims=True)
        xc = xd - mean
        var = np.mean(xc * xc, axis=axes, keepdims=True)
        inv = 1.0 / np.sqrt(var + eps)
        xhat = xc * inv
        stats["mean"], stats["var"] = mean.reshape(-1), var.reshape(-1)
        ctx.save_for_backward(x, w)
        ctx.axes, ctx.eps, ctx.xhat, ctx.inv = axes, eps, xhat, inv
        ctx.bshape = mean.shape
        out = xhat
        if w is not None:
            out = out * w._data.reshape(mean.shape)
        if b is not None:
            out = out + b._data.reshape(mean.shape)
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        axes = ctx.axes
        if ctx.create_graph:  # x_hat and 1/sigma recomputed with netgrad ops: differentiable again
            xp = xp_of(ctx)
            xc = x - x.mean(axis=axes, keepdims=True)
            inv = 1.0 / xp.sqrt((xc * xc).mean(axis=axes, keepdims=True) + ctx.eps)
            xhat = xc * inv
        else:
            xhat, inv = ctx.xhat, ctx.inv
        nx, nw, nb = ctx.needs_input_grad[:3]
        gw = (g * xhat).sum(axis=axes) if nw else None
        gb = g.sum(axis=axes) if nb else None
        gx = None
        if nx:
            gg = g * w.reshape(ctx.bshape) if w is not None else g
            gx = inv * (gg - gg.mean(axis=axes, keepdims=True)
                        - xhat * (gg * xhat).mean(axis=axes, keepdims=True))
        return gx, gw, gb, None, None, None


def batch_norm(input: Any, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = gamma (x - mu) / sqrt(var + eps) + beta per channel (dim 1); batch statistics in
    training (updating the running ones in place), running statistics otherwise."""
    x = as_tensor_arg(input, "batch_norm")
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected at least 2-D input (N, C, ...), got shape {x.shape}")
    C = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    bshape = (1, C) + (1,) * (x.ndim - 2)
    if training or running_mean is None:
        n = x.numel() // C
        if training and n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when training, "
                             f"got input of shape {x.shape}")
        stats: dict = {}
        out = BatchNormTrain.apply(x, weight, bias, axes, float(eps), stats)
        if training and running_mean is not None:
            with no_grad():
                m = momentum
                unbiased = stats["var"] * (n / max(n - 1, 1))
                running_mean._data *= 1 - m
                running_mean._data += m * stats["mean"].astype(running_mean.dtype)
                running_var._data *= 1 - m
                running_var._data += m * unbiased.astype(running_var.dtype)
        return out
    inv = (1.0 / np.sqrt(running_var._data + eps)).astype(x.dtype)
    out = (x - running_mean._data.reshape(bshape)) * inv.reshape(bshape)
    if weight is not None:
        out = out * weight.reshape(bshape)
    if bias is not None:
        out = out + bias.reshape(bshape)
    return out


def _affine_params(module: Module, shape: tuple, affine: bool, bias: bool, dtype: Any) -> None:
    """Register ``weight`` (and ``bias`` if ``bias``) of ``shape``, uninitialised, on ``module``;
    None for those it does not have, as PyTorch's normalisation layers."""
    if affine:
        module.weight = _empty(*shape, dtype=dtype)
        if bias:
            module.bias = _empty(*shape, dtype=dtype)
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


class _BatchNorm(Module):
    _expected_dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        _affine_params(self, (self.num_features,), affine, bias, dtype)
        if track_running_stats:
            d = _empty(1, dtype=dtype).dtype
            self.register_buffer("running_mean", Tensor._make(np.zeros(self.num_features, d)))
            self.register_buffer("running_var", Tensor._make(np.ones(self.num_features, d)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        x = as_tensor_arg(input, type(self).__name__)
        if x.ndim not in self._expected_dims or x.shape[1] != self.num_features:
            dims = " or ".join(f"{d}-D" for d in self._expected_dims)
            raise ShapeError(f"{self!r}: expected {dims} input with {self.num_features} channels in "
                             f"dim 1, got shape {x.shape}")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch = self.training or not self.track_running_stats
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch,
                          factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) input."""

    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W) input, per channel."""

    _expected_dims = (4,)
