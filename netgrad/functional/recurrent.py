"""Multi-output slicing for the recurrent layers: one graph node for all the pieces of a tensor.

A time loop reads x[t] for every t (and a gate block of every step's pre-activations); with one
``index`` op per piece, backward would build a zero tensor of the whole input for each piece and add
them all up, O(T^2) work for T steps. Here the pieces are the outputs of one node, whose backward
puts their gradients together once (pieces nothing used get zeros from the engine). The pieces are
views of the input, for the layers' own use: they are not tracked as views for in-place changes.

>>> import netgrad as ng
>>> x = ng.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
>>> a, b = unbind_steps(x)
>>> b
tensor([4., 5., 6.], grad_fn=<UnbindBackward0>)
>>> p, q = split_columns(x, (1, 2))
>>> (a.sum() + 2 * q.sum()).backward()
>>> x.grad
tensor([[1., 3., 3.],
        [0., 2., 2.]])
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg
from .shape import cat, stack

__all__ = ["unbind_steps", "split_columns"]


class UnbindSteps(Function):
    """y_t = x[t] for t = 0 .. T-1 (views); dJ/dx = [dJ/dy_0; dJ/dy_1; ...] stacked on axis 0."""

    _array_backward = True
    _fresh_grads = True  # one stacked array of its own
    _torch_name = "UnbindBackward0"

    @staticmethod
    def forward(ctx, x):
        return tuple(x._data[t] for t in range(x.shape[0]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(list(grads)) if ctx.create_graph else np.stack(grads)


class SplitColumns(Function):
    """y_k = x[:, b_k : b_(k+1)] (views) for the column blocks of the given sizes;
    dJ/dx = [dJ/dy_1, dJ/dy_2, ...] joined along the last axis."""

    _array_backward = True
    _fresh_grads = True  # one joined array of its own
    _torch_name = "SplitWithSizesBackward0"

    @staticmethod
    def forward(ctx, x, sizes):
        bounds = np.cumsum((0, *sizes))
        return tuple(x._data[..., int(bounds[k]):int(bounds[k + 1])] for k in range(len(sizes)))

    @staticmethod
    def backward(ctx, *grads):
        joined = cat(list(grads), -1) if ctx.create_graph else np.concatenate(grads, axis=-1)
        return joined, None


def unbind_steps(input: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """The slices x[0], x[1], ... along the first dimension, as one differentiable node."""
    x = as_tensor_arg(input, "unbind_steps")
    if x.ndim == 0 or x.shape[0] == 0:
        raise ShapeError(f"unbind_steps: expected a tensor with a non-empty first dimension, got shape "
                         f"{x.shape}")
    out = UnbindSteps.apply(x)
    return out if isinstance(out, tuple) else (out,)


def split_columns(input: Any, sizes: Sequence[int]) -> tuple[Tensor, ...]:  # noqa: A002
    """The blocks of the last dimension of the given sizes, as one differentiable node."""
    x = as_tensor_arg(input, "split_columns")
    sizes = tuple(int(s) for s in sizes)
    if x.ndim == 0 or sum(sizes) != x.shape[-1] or any(s <= 0 for s in sizes):
        raise ShapeError(f"split_columns: positive sizes {sizes} must add up to the last dimension of "
                         f"shape {x.shape}")
    out = SplitColumns.apply(x, sizes)
    return out if isinstance(out, tuple) else (out,)
