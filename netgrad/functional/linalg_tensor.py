"""``netgrad.linalg``'s smaller functions, composed of its ops (gradients follow): solve_ex,
tensorinv, tensorsolve and vander; PyTorch's top-level cholesky_solve and cholesky_inverse.

>>> import netgrad as ng
>>> ng.linalg.vander(ng.tensor([1.0, 2.0, 3.0]))
tensor([[1., 1., 1.],
        [1., 2., 4.],
        [1., 3., 9.]])
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg
from . import decomp as D
from . import shape as S
from .linalg import with_out
from .methods import bind_methods

__all__ = ["cholesky_solve", "cholesky_inverse"]  # the rest is reached through netgrad.linalg

SolveExResult = namedtuple("linalg_solve_ex", ["result", "info"])


def _tolerance(op: str, s: Tensor, shape: tuple, atol: Any, rtol: Any) -> np.ndarray:
    sd = s._data
    eps = np.finfo(sd.dtype).eps
    # a tensor atol/rtol has the batch's shape: one tolerance per matrix
    at = 0.0 if atol is None else np.asarray(atol._data if isinstance(atol, Tensor) else atol)[..., None]
    if rtol is None:
        rt = eps * max(shape[-2:]) if atol is None or np.all(at <= 0) else 0.0
    else:
        rt = np.asarray(rtol._data if isinstance(rtol, Tensor) else rtol)[..., None]
    smax = sd[..., :1] if sd.shape[-1] else np.zeros(sd.shape[:-1] + (1,), sd.dtype)
    return np.maximum(at, rt * smax)


class Pinv(Function):
    """P = A^+ (singular values at or below the tolerance dropped); PyTorch's pinv_backward (the rank
    held constant), for G = dJ/dP, m <= n and K = G^T P:
    dJ/dA = -(P K)^T + K P^T - A P K P^T + P^T P (G^T - K A); m > n: the same transposed."""

    _array_backward = True
    _torch_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, A, atol, rtol):
        U, s, Vh = np.linalg.svd(A._data, full_matrices=False)
        keep = s > _tolerance("linalg.pinv", Tensor._make(s), A.shape, atol, rtol)
        s_inv = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0).astype(s.dtype)
        P = np.swapaxes(Vh, -1, -2) @ (s_inv[..., None] * np.swapaxes(U, -1, -2))
        ctx.save_for_backward(A, P)
        return P

    @staticmethod
    def backward(ctx, g):
        A, P = ctx.saved_tensors
        return _pinv_grad(A, P, g), None, None


def _pinv_grad(A: Any, P: Any, g: Any) -> Any:
    """torch's pinv_backward: the derivative of A^+ where the rank stays constant."""
    Ph, gh = D._mT(P), D._mT(g)
    m, n = A.shape[-2:]
    if m <= n:
        K = gh @ P
        KPh = K @ Ph
        return -D._mT(P @ K) + KPh - (A @ P) @ KPh + (Ph @ P) @ (gh - K @ A)
    K = P @ gh
    PhK = Ph @ K
    return -D._mT(K @ P) + (gh - A @ K) @ P @ Ph + PhK - PhK @ P @ A


def solve_ex(A: Any, B: Any, *, left: bool = True, check_errors: bool = False, out: Any = None) -> Any:
    """(X, info) with A X = B; info > 0 where A is singular (X then not finite), no error unless
    ``check_errors``."""
    A = D._matrix_arg("linalg.solve_ex", A)
    try:
        X = D.solve(A, B, left=left)
        return SolveExResult(X, Tensor._make(np.zeros(A.shape[:-2], np.int32)))
    except D.LinAlgError:
        if check_errors:
            raise
    info = np.zeros(A.shape[:-2], np.int32)
    for idx in np.ndindex(*A.shape[:-2]):
        info[idx] = int(np.linalg.matrix_rank(A._data[idx]) < A.shape[-1])
    # the solution's shape, from the same call on identities; its values are not finite
    eye = Tensor._make(np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())
    shape = D.solve(eye, B, left=left).shape
    return SolveExResult(Tensor._make(np.full(shape, np.nan, A.dtype)), Tensor._make(info))


def tensorinv(A: Any, ind: int = 2, *, out: Tensor | None = None) -> Tensor:
    """The inverse of A seen as a map from its last dims to its first ``ind`` dims: tensordot(result,
    A, ind) is the identity (shape A.shape[ind:] + A.shape[:ind])."""
    A = as_tensor_arg(A, "linalg.tensorinv")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    n = int(np.prod(rows))
    if n != int(np.prod(cols)):
        raise ShapeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                         f"prod(self.shape[:ind]), but got {int(np.prod(cols))} != {n}")
    return with_out(D.inv(A.reshape(n, n)).reshape(tuple(cols) + tuple(rows)), out, "linalg.tensorinv")


def tensorsolve(A: Any, B: Any, dims: Sequence[int] | None = None, *, out: Tensor | None = None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B (``dims``: A's dims moved to the end first)."""
    A, B = as_tensor_arg(A, "linalg.tensorsolve"), as_tensor_arg(B, "linalg.tensorsolve")
    if dims is not None:
        moved = [d % A.ndim for d in dims]
        A = S.permute(A, tuple(d for d in range(A.ndim) if d not in moved) + tuple(moved))
    xshape = A.shape[B.ndim:]
    n = int(np.prod(B.shape))
    if A.shape[:B.ndim] != B.shape or int(np.prod(xshape)) != n:
        raise ShapeError(f"linalg.tensorsolve: Expected self to satisfy the requirement "
                         f"prod(result.shape) == prod(B.shape), got A {A.shape} and B {B.shape}")
    X = D.solve(A.reshape(n, n), B.reshape(n))
    return with_out(X.reshape(tuple(xshape)), out, "linalg.tensorsolve")


def vander(x: Any, *, N: int | None = None) -> Tensor:
    """The Vandermonde matrix [1, x, x^2, ..., x^(N-1)] of x's last dim (N = its size by default)."""
    x = as_tensor_arg(x, "linalg.vander")
    if x.ndim == 0:
        raise ShapeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else int(N)
    if n <= 1:
        raise RuntimeError(f"N must be greater than 1. Got {n}")
    cols = [x.unsqueeze(-1) ** 0 if x.dtype.kind == "f" else x.unsqueeze(-1) * 0 + 1]
    for _ in range(1, n):
        cols.append(cols[-1] * x.unsqueeze(-1))
    return S.cat(cols, -1)


def cholesky_solve(B: Any, L: Any, upper: bool = False, *, out: Tensor | None = None) -> Tensor:
    """X with A X = B, given A's Cholesky factor L (A = L L^T; ``upper=True``: A = U^T U)."""
    L = D._matrix_arg("cholesky_solve", L)
    B = as_tensor_arg(B, "cholesky_solve")
    if upper:
        Y = D.solve_triangular(L.mT, B, upper=False)
        return with_out(D.solve_triangular(L, Y, upper=True), out, "cholesky_solve")
    Y = D.solve_triangular(L, B, upper=False)
    return with_out(D.solve_triangular(L.mT, Y, upper=True), out, "cholesky_solve")


def cholesky_inverse(L: Any, upper: bool = False, *, out: Tensor | None = None) -> Tensor:
    """A^-1 given A's Cholesky factor L (A = L L^T; ``upper=True``: A = U^T U)."""
    L = D._matrix_arg("cholesky_inverse", L)
    eye = Tensor._make(np.broadcast_to(np.eye(L.shape[-1], dtype=L.dtype), L.shape).copy())
    return with_out(cholesky_solve(eye, L, upper), out, "cholesky_inverse")


bind_methods(cholesky_solve=cholesky_solve, cholesky_inverse=cholesky_inverse)
