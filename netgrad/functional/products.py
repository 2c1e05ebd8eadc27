"""PyTorch's other matrix products, composed of ``matmul`` and netgrad's ops (so their gradients and
second derivatives follow): mv, addmm, addmv, addbmm, baddbmm, addr, ger, inner, vdot, tensordot, dist.

>>> import netgrad as ng
>>> ng.addmm(ng.ones(2, 2), ng.eye(2), ng.eye(2), beta=0.5, alpha=2.0)
tensor([[2.5000, 0.5000],
        [0.5000, 2.5000]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg
from . import reduction as R
from . import shape as S
from .linalg import with_out, matmul, outer
from .methods import bind_methods

__all__ = ["mv", "addmm", "addmv", "addbmm", "baddbmm", "addr", "ger", "inner", "vdot", "tensordot", "dist"]


def _need(op: str, t: Tensor, ndim: int, name: str) -> None:
    if t.ndim != ndim:
        raise ShapeError(f"{op}: {name} must be a {ndim}-D tensor, got shape {tuple(t.shape)}")


def _scaled_sum(op: str, input: Any, prod: Tensor, beta: Any, alpha: Any) -> Tensor:  # noqa: A002
    """beta * input + alpha * prod; beta = 0 ignores input (NaN and inf in it do not propagate)."""
    x = as_tensor_arg(input, op)
    try:
        np.broadcast_shapes(x.shape, prod.shape)
    except ValueError:
        raise ShapeError(f"{op}: input of shape {tuple(x.shape)} does not broadcast to the product's shape "
                         f"{tuple(prod.shape)}") from None
    scaled = prod if alpha == 1 else prod * alpha
    if beta == 0:
        return S.expand(scaled, prod.shape) if scaled.shape != prod.shape else scaled
    out = (x if beta == 1 else x * beta) + scaled
    return out


def mv(input: Any, vec: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = A v for a matrix A (n, m) and a vector v (m,).

    >>> import netgrad as ng
    >>> ng.mv(ng.eye(2), ng.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """
    a, v = as_tensor_arg(input, "mv"), as_tensor_arg(vec, "mv")
    _need("mv", a, 2, "input")
    _need("mv", v, 1, "vec")
    return with_out(matmul(a, v), out, "mv")


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1,  # noqa: A002
          out: Tensor | None = None) -> Tensor:
    """beta * input + alpha * mat1 mat2 (2-D mat1, mat2; input broadcast)."""
    a, b = as_tensor_arg(mat1, "addmm"), as_tensor_arg(mat2, "addmm")
    _need("addmm", a, 2, "mat1")
    _need("addmm", b, 2, "mat2")
    return with_out(_scaled_sum("addmm", input, matmul(a, b), beta, alpha), out, "addmm")


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1,  # noqa: A002
          out: Tensor | None = None) -> Tensor:
    """beta * input + alpha * mat vec."""
    return with_out(_scaled_sum("addmv", input, mv(mat, vec), beta, alpha), out, "addmv")


def _batches(op: str, b1: Any, b2: Any) -> tuple[Tensor, Tensor]:
    a, b = as_tensor_arg(b1, op), as_tensor_arg(b2, op)
    _need(op, a, 3, "batch1")
    _need(op, b, 3, "batch2")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ShapeError(f"{op}: batch1 {tuple(a.shape)} and batch2 {tuple(b.shape)} do not fit "
                         "(same batch size, batch1.size(2) == batch2.size(1))")
    return a, b


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1,  # noqa: A002
            out: Tensor | None = None) -> Tensor:
    """beta * input + alpha * batch1[i] batch2[i] for each i."""
    a, b = _batches("baddbmm", batch1, batch2)
    return with_out(_scaled_sum("baddbmm", input, matmul(a, b), beta, alpha), out, "baddbmm")


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1,  # noqa: A002
           out: Tensor | None = None) -> Tensor:
    """beta * input + alpha * sum_i batch1[i] batch2[i]."""
    a, b = _batches("addbmm", batch1, batch2)
    return with_out(_scaled_sum("addbmm", input, R.sum(matmul(a, b), 0), beta, alpha), out, "addbmm")


def ger(input: Any, vec2: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """The outer product y_ij = input_i vec2_j of two vectors."""
    a, b = as_tensor_arg(input, "ger"), as_tensor_arg(vec2, "ger")
    _need("ger", a, 1, "input")
    _need("ger", b, 1, "vec2")
    return with_out(matmul(a.reshape(-1, 1), b.reshape(1, -1)), out, "ger")


def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1,  # noqa: A002
         out: Tensor | None = None) -> Tensor:
    """beta * input + alpha * vec1 vec2^T."""
    a, b = as_tensor_arg(vec1, "addr"), as_tensor_arg(vec2, "addr")
    _need("addr", a, 1, "vec1")
    _need("addr", b, 1, "vec2")
    return with_out(_scaled_sum("addr", input, ger(a, b), beta, alpha), out, "addr")


def inner(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """sum_k a[..., k] b[..., k] over the last dims (a scalar operand multiplies).

    >>> import netgrad as ng
    >>> ng.inner(ng.tensor([1.0, 2.0]), ng.tensor([3.0, 4.0])).item()
    11.0
    """
    a, b = as_tensor_arg(input, "inner"), as_tensor_arg(other, "inner")
    if a.ndim == 0 or b.ndim == 0:
        return with_out(a * b, out, "inner")
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"inner() the last dimension must match on both input tensors but got shapes "
                         f"{list(a.shape)} and {list(b.shape)}")
    return with_out(tensordot(a, b, ([a.ndim - 1], [b.ndim - 1])), out, "inner")


def vdot(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """sum_i a_i b_i of two 1-D tensors (conj(a) for complex, which netgrad does not have)."""
    a, b = as_tensor_arg(input, "vdot"), as_tensor_arg(other, "vdot")
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise ShapeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
                         "to have the same number of elements, but got different numbers of elements")
    return with_out(matmul(a, b), out, "vdot")


def tensordot(a: Any, b: Any, dims: Any = 2, out: Tensor | None = None) -> Tensor:
    """sum over the paired dims: dims an int (a's last dims with b's first) or two lists.

    >>> import netgrad as ng
    >>> ng.tensordot(ng.ones(2, 3, 4), ng.ones(3, 4, 5)).shape
    (2, 5)
    """
    a, b = as_tensor_arg(a, "tensordot"), as_tensor_arg(b, "tensordot")
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        if len(dims) != 2:
            raise RuntimeError("tensordot expects dims to be an int or a pair of lists of dims")
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length, got {da} and {db}")
        da = [d % max(a.ndim, 1) for d in da]
        db = [d % max(b.ndim, 1) for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim "
                               f"{i} and second has size {b.shape[j]} in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da]))
    a2 = S.permute(a, (*free_a, *da)).reshape(-1, k)
    b2 = S.permute(b, (*db, *free_b)).reshape(k, -1)
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return with_out(matmul(a2, b2).reshape(shape), out, "tensordot")


def dist(input: Any, other: Any, p: float = 2) -> Tensor:  # noqa: A002
    """||input - other||_p over all elements (broadcast).

    >>> import netgrad as ng
    >>> ng.dist(ng.tensor([0.0, 0.0]), ng.tensor([3.0, 4.0])).item()
    5.0
    """
    from .linalg_extra import vector_norm

    a, b = as_tensor_arg(input, "dist"), as_tensor_arg(other, "dist")
    return vector_norm(a - b, p)


bind_methods(mv=mv, addmm=addmm, addmv=addmv, addbmm=addbmm, baddbmm=baddbmm, addr=addr, ger=ger,
             inner=inner, vdot=vdot, dist=dist, outer=outer)
