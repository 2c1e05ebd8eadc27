"""Matrix products: ``matmul`` (1-D, 2-D and batched, as NumPy/PyTorch), ``mm``, ``bmm``, ``dot``,
``outer`` and ``linear`` (net = a W^T + b, the layer's forward propagation in one op).

>>> import netgrad as ng
>>> a = ng.ones(2, 3); b = ng.ones(3, 4)
>>> (a @ b).shape
(2, 4)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.creation import write_result
from ..autograd.errors import DTypeError, ShapeError
from .core import as_tensor_arg, register_xp, xp_of

__all__ = ["matmul", "mm", "bmm", "dot", "outer", "linear"]


def _check(op: str, a: np.ndarray, b: np.ndarray) -> None:
    if a.dtype != b.dtype:
        raise DTypeError(f"{op}: expected both operands to have the same dtype, got {a.dtype} and "
                         f"{b.dtype} (shapes {a.shape} and {b.shape}); convert one with .to(dtype)")
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"{op}: both operands need at least 1 dim, got shapes {a.shape} and {b.shape}")
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        raise ShapeError(f"{op}: shapes {a.shape} and {b.shape} cannot be multiplied ({ka} != {kb})")


class MatMul(Function):
    """y = a b; dJ/da = dJ/dy b^T, dJ/db = a^T dJ/dy (1-D operands promoted, batch dims summed)."""

    _array_backward = True
    _fresh_grads = True  # products: arrays of their own
    _torch_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = a._data, b._data
        _check("matmul", ad, bd)
        ctx.save_for_backward(a, b)
        return np.matmul(ad, bd)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = xp_of(ctx)
        na, nb = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if na else None), (g * a if nb else None)
        if a.ndim == 1:  # (k,) @ (..., k, n) -> (..., n)
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
            ga = (g2 @ xp.swapaxes(b, -1, -2)) if na else None
            gb = (a.reshape((-1, 1)) @ g2) if nb else None
            return ga, gb
        if b.ndim == 1:  # (..., m, k) @ (k,) -> (..., m)
            g2 = g.reshape(g.shape + (1,))
            ga = (g2 @ b.reshape((1, -1))) if na else None
            gb = (xp.swapaxes(a, -1, -2) @ g2).reshape(a.shape[:-2] + (a.shape[-1],)) if nb else None
            return ga, gb
        ga = (g @ xp.swapaxes(b, -1, -2)) if na else None
        gb = (xp.swapaxes(a, -1, -2) @ g) if nb else None
        return ga, gb


def _column_major(w: Any) -> bool:
    a = w._data if isinstance(w, Tensor) else w
    return a.ndim == 2 and a.flags.f_contiguous and not a.flags.c_contiguous


class LinearOp(Function):
    """net = a W^T + b (W is out x in, as in PyTorch); dJ/da = delta W, dJ/dW = delta^T a,
    dJ/db = sum over the batch of delta, where delta = dJ/dnet."""

    _array_backward = True
    _fresh_grads = True  # two products and a sum: arrays of their own
    _torch_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        xd, wd = x._data, w._data
        if wd.ndim != 2 or xd.ndim == 0 or xd.shape[-1] != wd.shape[1]:
            raise ShapeError(f"linear: input of shape {x.shape} does not match weight of shape "
                             f"{w.shape} (a 2-D (out, in) weight; the input's last dim must be in)")
        if xd.dtype != wd.dtype:
            raise DTypeError(f"linear: input dtype {xd.dtype} differs from weight dtype {wd.dtype}; "
                             "convert the input with .to(dtype) or the model with .to(dtype)")
        ctx.save_for_backward(x, w)
        ctx.bias_row = b is not None and b._data.ndim == 1
        # np.dot: for 2-D operands the product matmul computes, without its gufunc dispatch
        out = np.dot(xd, wd.T) if xd.ndim == 2 else xd @ wd.T
        if b is not None:
            try:
                out += b._data
            except ValueError:
                raise ShapeError(f"linear: bias of shape {b.shape} does not fit the output of shape "
                                 f"{out.shape} (weight {w.shape}; expected ({wd.shape[0]},))") from None
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx._saved  # saved_tensors, without its generic per-item unwrapping (every step)
        if not ctx.create_graph:
            x, w = x._data, w._data
        nx, nw, nb = ctx.needs_input_grad
        gx = g @ w if nx else None
        gw = None
        g2 = g.reshape((-1, g.shape[-1])) if g.ndim != 2 else g
        if nw:
            x2 = x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x
            # dJ/dW = delta^T x, in the weight's own layout as PyTorch gives a parameter's gradient
            # (C-contiguous for nn.Linear's weight; F for a transposed array a user passes)
            gw = (x2.T @ g2).T if _column_major(w) else g2.T @ x2
        if not nb:
            gb = None
        elif ctx.bias_row:  # dJ/db = sum over the batch of delta
            gb = g2.sum(0)
        else:  # a bias of another shape: the engine sums delta to it (a copy: grads are fresh)
            gb = g if ctx.create_graph else g.copy()
        return gx, gw, gb


def with_out(result: Tensor, out: Any, op: str) -> Tensor:
    """``result`` itself, or, when an ``out=`` tensor is given, ``result`` written into ``out``
    (``write_result``: PyTorch's ``out=`` rules, errors naming ``op``) and ``out`` returned."""
    return result if out is None else write_result(result, out, op)


def matmul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Matrix product with NumPy's rules for 1-D and batched operands."""
    return with_out(MatMul.apply(as_tensor_arg(input, "matmul"), as_tensor_arg(other, "matmul")), out,
                    "matmul")


def _operands(op: str, a: Any, b: Any, ndim: int, what: str) -> tuple[Tensor, Tensor]:
    a, b = as_tensor_arg(a, op), as_tensor_arg(b, op)
    if a.ndim != ndim or b.ndim != ndim or (ndim == 3 and a.shape[0] != b.shape[0]):
        raise ShapeError(f"{op}: expected {what}, got shapes {a.shape} and {b.shape}")
    return a, b


def mm(input: Any, mat2: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = a b for 2-D a (n, k) and b (k, m).

    >>> import netgrad as ng
    >>> ng.mm(ng.eye(2), ng.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[1., 2.],
            [3., 4.]])
    """
    return with_out(MatMul.apply(*_operands("mm", input, mat2, 2, "2-D operands")), out, "mm")


def bmm(input: Any, mat2: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """y[i] = a[i] b[i] for 3-D a (B, n, k) and b (B, k, m).

    >>> import netgrad as ng
    >>> ng.bmm(ng.ones(4, 2, 3), ng.ones(4, 3, 5)).shape
    (4, 2, 5)
    """
    ab = _operands("bmm", input, mat2, 3, "3-D operands with the same batch size")
    return with_out(MatMul.apply(*ab), out, "bmm")


def dot(input: Any, tensor: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = sum_i a_i b_i for 1-D a and b.

    >>> import netgrad as ng
    >>> ng.dot(ng.tensor([1.0, 2.0]), ng.tensor([3.0, 4.0])).item()
    11.0
    """
    return with_out(MatMul.apply(*_operands("dot", input, tensor, 1, "1-D operands")), out, "dot")


def outer(input: Any, vec2: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """y_ij = input_i vec2_j."""
    a, b = as_tensor_arg(input, "outer"), as_tensor_arg(vec2, "outer")
    return with_out(MatMul.apply(a.reshape(-1, 1), b.reshape(1, -1)), out, "outer")


def linear(input: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """net = x W^T + b, W of shape (out_features, in_features)."""
    return LinearOp.apply(as_tensor_arg(input, "linear"), weight, bias)


register_xp(matmul=matmul)
