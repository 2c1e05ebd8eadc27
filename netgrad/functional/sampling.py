"""Sampling from distributions given as tensors: multinomial, bernoulli, normal, poisson.

Every draw comes from a ``Generator`` (netgrad's default one unless ``generator=`` is given), so
``netgrad.manual_seed`` makes a run repeat exactly. As in PyTorch, a sample drawn from parameters
that require grad requires grad too, with a zero gradient (these are not reparameterised draws).

>>> import netgrad as ng
>>> _ = ng.manual_seed(0)
>>> ng.multinomial(ng.tensor([0.0, 1.0, 0.0]), 2, replacement=True).tolist()
[1, 1]
>>> ng.bernoulli(ng.ones(3)).tolist()
[1.0, 1.0, 1.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor, dtypes
from ..autograd import random_kernels as K
from ..autograd.random import Generator, generator_of, rng
from .core import as_tensor_arg
from .methods import bind_methods

__all__ = ["multinomial", "bernoulli", "normal", "poisson"]


class Sample(Function):
    """y = a draw from a distribution with parameters x; dJ/dx = 0 (PyTorch's rule for
    bernoulli, normal and poisson: the draw is not differentiated through).

    >>> import netgrad as ng
    >>> mean = ng.zeros(2, requires_grad=True)
    >>> ng.normal(mean, 1.0).sum().backward(); mean.grad.tolist()
    [0.0, 0.0]
    """

    _array_backward = True
    _fresh_grads = True  # zeros of its own, one per parameter

    @staticmethod
    def forward(ctx, draw, *params):
        ctx.shapes = [(p.shape, p.dtype) if isinstance(p, Tensor) else None for p in params]
        return draw

    @staticmethod
    def backward(ctx, g):
        zeros = [None if s is None else Tensor._make(np.zeros(s[0], s[1])) if ctx.create_graph
                 else np.zeros(s[0], s[1]) for s in ctx.shapes]
        return (None, *[z if need else None for z, need in zip(zeros, ctx.needs_input_grad[1:])])


def _sampled(draw: np.ndarray, *params: Any) -> Tensor:
    return Sample.apply(draw, *params)


def _to_out(result: Tensor, out: Any) -> Tensor:
    """PyTorch's ``out=``: the result goes into ``out`` (resized as needed), which is returned."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"out= must be a tensor, got {type(out).__name__}")
    out._data = result._data.astype(out.dtype, copy=False)
    return out


def _float_input(x: Tensor, op: str, kernel: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for {x.dtype} (floating dtypes only)")


def multinomial(input: Any, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Generator | None = None, out: Any = None) -> Tensor:
    """``num_samples`` category indices per row of non-negative weights ``input`` (1-D or 2-D),
    drawn with probability proportional to the weights; int64."""
    x = as_tensor_arg(input, "multinomial")
    if x.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {x.dtype}")
    if x.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {x.shape}")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {num_samples})")
    w = x._data.reshape(-1, x.shape[-1]).astype(np.float64)
    if not np.all(np.isfinite(w)) or (w < 0).any():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    total = w.sum(axis=1)
    if (total <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and n > w.shape[1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                           f"replacement ({n} > {w.shape[1]})")
    idx = K.multinomial(generator_of(generator, "multinomial"), x._data.reshape(-1, x.shape[-1]), n,
                        bool(replacement))
    idx = idx.astype(np.int64)
    return _to_out(Tensor._make(idx if x.ndim == 2 else idx[0]), out)


def bernoulli(input: Any, p: float | None = None, *, generator: Generator | None = None,  # noqa: A002
              out: Any = None) -> Tensor:
    """1 with probability ``input`` (or ``p`` for every element), else 0; input's dtype."""
    x = as_tensor_arg(input, "bernoulli")
    if p is None:
        _float_input(x, "bernoulli", "bernoulli_tensor_cpu_p_")
        prob = x._data
    else:
        prob = np.full(x.shape, float(p))
    if np.any((prob < 0) | (prob > 1)) or np.any(np.isnan(prob)):
        raise RuntimeError("bernoulli: expected every probability p to satisfy 0 <= p <= 1")
    g = generator_of(generator, "bernoulli")
    if p is None:
        draw = K.bernoulli_tensor(g, np.ascontiguousarray(prob), x.dtype)
    else:
        draw = K.bernoulli_scalar(g, x.shape, float(p), x.dtype)
    return _to_out(_sampled(draw, x) if p is None else Tensor._make(draw), out)


def _check_std(std: Any) -> None:
    s = std._data if isinstance(std, Tensor) else np.asarray(std)
    if np.any(s < 0):
        if isinstance(std, Tensor):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        raise RuntimeError(f"normal expects std >= 0.0, but found std {float(s):g}")


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
           pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """Samples mean + std * N(0, 1): ``mean`` and ``std`` tensors (broadcast) or numbers, and
    with two numbers a ``size``."""
    _check_std(std)
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    g = generator_of(generator, "normal")
    if not tm and not ts:
        if size is None:
            raise TypeError("normal(): with a float mean and std, size is required")
        shape = tuple(size) if isinstance(size, (tuple, list)) else (int(size),)
        d = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
        if d.kind != "f":
            raise NotImplementedError(f"normal: \"normal_kernel_cpu\" not implemented for {d}")
        arr = K.normal(g, shape, d, float(mean), float(std))
        t = Tensor._make(arr, requires_grad=bool(requires_grad))
    else:
        ref = mean if tm else std
        for v in (mean, std):
            if isinstance(v, Tensor):
                _float_input(v, "normal", "normal_kernel_cpu")
        if tm and ts and mean.dtype != std.dtype:
            raise RuntimeError(f"normal: expected mean and std to have the same dtype, got "
                               f"{mean.dtype} and {std.dtype}")
        m = mean._data if tm else float(mean)
        s = std._data if ts else float(std)
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        d = ref.dtype
        # torch: normal_(0, std) then + mean for a number std, else normal_(0, 1) * std + mean
        if ts:
            draw = K.normal(g, shape, d) * s.astype(d, copy=False)
        else:
            draw = K.normal(g, shape, d, 0.0, s)
        draw = (draw + (m.astype(d, copy=False) if tm else d.type(m))).astype(d, copy=False)
        t = _sampled(draw, mean if tm else None, std if ts else None)
    return _to_out(t, out)


def poisson(input: Any, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """Counts drawn from Poisson(rate = input), elementwise, in the input's (floating) dtype."""
    x = as_tensor_arg(input, "poisson")
    _float_input(x, "poisson", "poisson_cpu")
    if np.any(x._data < 0) or np.any(np.isnan(x._data)):
        raise RuntimeError("poisson: invalid Poisson rate, expected rate to be non-negative")
    draw = rng(generator).poisson(x._data.astype(np.float64)).astype(x.dtype)
    return _sampled(draw, x)


bind_methods(multinomial=multinomial, bernoulli=bernoulli)
