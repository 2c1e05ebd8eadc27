"""Matrix factorisations and inverses as differentiable ops (``netgrad.linalg``'s core): inv, det,
slogdet, solve, solve_triangular, cholesky and qr (eigh and svd: spectral.py), on batches of matrices
(leading dims).

A backward that needs the op's own output (inv, det, solve, cholesky, qr) saves it with
``save_for_backward``: under ``create_graph=True`` it comes back attached to the node, so the same
formula is differentiable again. Second derivatives follow (PyTorch's formulas, real case).

>>> import netgrad as ng
>>> A = ng.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
>>> ng.linalg.det(A).backward()
>>> A.grad
tensor([[3., -1.],
        [-1., 2.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import DTypeError, ShapeError
from .core import as_tensor_arg
from . import arrange as _arr
from . import shape as _S

__all__ = ["LinAlgError", "inv", "det", "slogdet", "solve", "solve_triangular", "cholesky", "qr"]


class LinAlgError(RuntimeError):
    """A matrix the factorisation cannot handle (singular, not positive-definite), as
    ``torch.linalg.LinAlgError`` (a RuntimeError)."""


def _matrix_arg(op: str, A: Any, square: bool = True) -> Tensor:
    A = as_tensor_arg(A, op)
    if A.dtype.kind != "f":
        raise DTypeError(f"{op}: Expected a floating point or complex tensor as input. Got {A.dtype}")
    if A.ndim < 2:
        raise ShapeError(f"{op}: The input tensor A must have at least 2 dimensions, got shape {A.shape}")
    if square and A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"{op}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                         f"{A.shape[-1]} matrices")
    return A


def _lapack(op: str, fn: Any, *args: Any, what: str = "the input matrix is singular") -> Any:
    try:
        return fn(*args)
    except np.linalg.LinAlgError as e:
        raise LinAlgError(f"{op}: the computation could not be completed because {what} ({e})") from None


# Helpers that work on arrays (fast path) and on Tensors (create_graph=True) alike.
def _np(a: Any) -> bool:
    return isinstance(a, np.ndarray)


def _mT(a: Any) -> Any:
    return np.swapaxes(a, -1, -2) if _np(a) else a.mT


def _tril(a: Any, k: int = 0) -> Any:
    return np.tril(a, k) if _np(a) else _arr.tril(a, k)


def _triu(a: Any, k: int = 0) -> Any:
    return np.triu(a, k) if _np(a) else _arr.triu(a, k)


def _diag_embed(v: Any) -> Any:
    return v[..., None] * np.eye(v.shape[-1], dtype=v.dtype) if _np(v) else _arr.diag_embed(v)


def _col(v: Any) -> Any:  # (..., n) -> (..., 1, n)
    return v.reshape(v.shape[:-1] + (1, v.shape[-1]))


def _row(v: Any) -> Any:  # (..., n) -> (..., n, 1)
    return v.reshape(v.shape + (1,))


def _inv(a: Any) -> Any:
    return np.linalg.inv(a) if _np(a) else inv(a)


def _solve(a: Any, b: Any) -> Any:
    return np.linalg.solve(a, b) if _np(a) else solve(a, b)


def _solve_right(b: Any, a: Any) -> Any:  # X with X a = b
    return _mT(_solve(_mT(a), _mT(b)))


def _inv_or_pinv(a: Any) -> Any:
    """A^-1, or the pseudo-inverse where A is singular (slogdet's gradient then has a value, as
    torch's, instead of an error)."""
    try:
        return _inv(a)
    except (np.linalg.LinAlgError, LinAlgError):
        if _np(a):
            return np.linalg.pinv(a)
        from .linalg_extra import pinv

        return pinv(a)


class Inv(Function):
    """Y = A^-1; dJ/dA = -Y^T (dJ/dY) Y^T.

    >>> import netgrad as ng
    >>> ng.linalg.inv(ng.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """

    _array_backward = True
    _fresh_grads = True  # products: an array of its own
    _torch_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, A):
        Y = _lapack("linalg.inv", np.linalg.inv, A._data)
        ctx.save_for_backward(Y)
        return Y

    @staticmethod
    def backward(ctx, g):
        (Y,) = ctx.saved_tensors
        Yt = _mT(Y)
        return -(Yt @ g @ Yt)


class Det(Function):
    """d = det A; dJ/dA = dJ/dd * C with C the cofactor matrix: d * A^-T where A is well
    conditioned, else det(U) det(V^T) U diag(prod_{j != i} S_j) V^T from A = U diag(S) V^T (singular
    A included: C is not zero when A has rank n - 1).

    >>> import netgrad as ng
    >>> ng.linalg.det(ng.tensor([[2.0, 1.0], [1.0, 3.0]])).item()
    5.0
    """

    _array_backward = True
    _fresh_grads = True  # a product: an array of its own
    _torch_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, A):
        d = np.asarray(np.linalg.det(A._data))
        ctx.save_for_backward(A, d)
        return d

    @staticmethod
    def backward(ctx, g):
        A, d = ctx.saved_tensors
        return _row(_row(g)) * _cofactor(A, d)


def _cofactor(A: Any, d: Any) -> Any:
    """d det A / dA. Near a singular A, d A^-T is a rounding error times its reciprocal (PyTorch's
    first derivative is then arbitrary; its second-order path uses the SVD, as here for every
    matrix of a batch once one has a condition number above 1/sqrt(eps))."""
    try:
        Ainv = _inv(A)
    except (np.linalg.LinAlgError, LinAlgError):
        return _svd_cofactor(A)
    a, ainv = (A, Ainv) if _np(A) else (A._data, Ainv._data)
    cond = np.linalg.norm(a, 1, axis=(-2, -1)) * np.linalg.norm(ainv, 1, axis=(-2, -1))
    if np.all(cond < 1 / np.sqrt(np.finfo(a.dtype).eps)):
        return _row(_row(d)) * _mT(Ainv)
    return _svd_cofactor(A)


def _svd_cofactor(A: Any) -> Any:
    from .spectral import svd  # spectral builds on this module

    U, S, Vh = np.linalg.svd(A) if _np(A) else svd(A)
    u, vh = (U, Vh) if _np(A) else (U._data, Vh._data)
    sign = np.linalg.det(u) * np.linalg.det(vh)  # +-1, piecewise constant: no gradient
    eye = np.eye(S.shape[-1], dtype=u.dtype)
    others = _col(S) * (1 - eye) + eye  # row i: the S_j, with 1 for S_i
    P = np.prod(others, -1) if _np(A) else others.prod(-1)
    return _row(_row(sign)) * ((U * _col(P)) @ Vh)


class Slogdet(Function):
    """(sign, log|det A|); dJ/dA = dJ/dlog|det A| * A^-T (sign is piecewise constant).

    >>> import netgrad as ng
    >>> ng.linalg.slogdet(ng.tensor([[-2.0, 0.0], [0.0, 1.0]]))
    linalg_slogdet(sign=tensor(-1.), logabsdet=tensor(0.6931))
    """

    _array_backward = True
    _torch_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, A):
        ctx.save_for_backward(A)
        sign, logabs = np.linalg.slogdet(A._data)
        return np.asarray(sign, A.dtype), np.asarray(logabs, A.dtype)

    @staticmethod
    def backward(ctx, gsign, glog):
        (A,) = ctx.saved_tensors
        return _row(_row(glog)) * _mT(_inv_or_pinv(A))


class Solve(Function):
    """X = A^-1 B; dJ/dB = A^-T dJ/dX, dJ/dA = -(dJ/dB) X^T (B a batch of matrices here)."""

    _array_backward = True
    _torch_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, A, B):
        X = _lapack("linalg.solve", np.linalg.solve, A._data, B._data)
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        gB = _solve(_mT(A), g)
        return (-(gB @ _mT(X)) if ctx.needs_input_grad[0] else None), gB


def _triangular(A: Any, upper: bool, unit: bool) -> Any:
    T = _triu(A) if upper else _tril(A)
    if unit:
        eye = np.eye(A.shape[-1], dtype=A.dtype)
        T = T * (1 - eye) + eye
    return T


class SolveTriangular(Function):
    """X = A^-1 B (left) or B A^-1 (right), A triangular; dJ/dB = A^-T dJ/dX (right: dJ/dX A^-T),
    dJ/dA = -(dJ/dB) X^T (right: -X^T dJ/dB), kept on A's triangle (off its diagonal if unit)."""

    _array_backward = True
    _torch_name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx, A, B, upper, left, unitriangular):
        T = _triangular(A._data, upper, unitriangular)
        solve_ = _solve if left else _solve_right
        X = _lapack("linalg.solve_triangular", solve_, *((T, B._data) if left else (B._data, T)))
        ctx.save_for_backward(A, X)
        ctx.flags = upper, left, unitriangular
        return X

    @staticmethod
    def backward(ctx, g):
        A, X = ctx.saved_tensors
        upper, left, unit = ctx.flags
        T = _triangular(A, upper, unit)
        gB = _solve(_mT(T), g) if left else _solve_right(g, _mT(T))
        gA = None
        if ctx.needs_input_grad[0]:
            gA = -(gB @ _mT(X)) if left else -(_mT(X) @ gB)
            k = 1 if unit else 0
            gA = _triu(gA, k) if upper else _tril(gA, -k)
        return gA, gB, None, None, None


class Cholesky(Function):
    """A = L L^T (L lower); with P = tril(L^T dJ/dL) and S = (P + tril(P, -1)^T) / 2,
    dJ/dA = L^-T S L^-1 (PyTorch's formula; only A's lower triangle is read)."""

    _array_backward = True
    _torch_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, A):
        L = _lapack("linalg.cholesky", np.linalg.cholesky, A._data, what="the input is not positive-definite")
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, g):
        (L,) = ctx.saved_tensors
        P = _tril(_mT(L) @ g)
        S = 0.5 * (P + _mT(_tril(P, -1)))
        return _solve_right(_solve(_mT(L), S), L)


class QR(Function):
    """A = Q R (m >= n): with M = R dJ/dR^T - dJ/dQ^T Q and copyltu(M) = tril(M) + tril(M, -1)^T,
    dJ/dA = (dJ/dQ + Q copyltu(M)) R^-T; m < n: A = [X Y], X = Q R_1, the same for X with
    dJ/dQ + Y dJ/dR_2^T, and dJ/dY = Q dJ/dR_2."""

    _array_backward = True
    _torch_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, A, mode):
        ctx.mode = mode
        if mode == "r":
            return np.zeros((0,), A.dtype), np.linalg.qr(A._data, mode="r")
        Q, R = np.linalg.qr(A._data, mode=mode)
        ctx.save_for_backward(A, Q, R)  # the factors, as PyTorch: changing one in place is refused
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        if ctx.mode == "r":
            raise RuntimeError("linalg.qr: The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                               "differentiate through linalg.qr.")
        A, Q, R = ctx.saved_tensors
        m, n = A.shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_tall(Q, R, gQ, gR)
        Y = A[..., m:]
        gX = _qr_tall(Q, R[..., :m], gQ + Y @ _mT(gR[..., m:]), gR[..., :m])
        gY = Q @ gR[..., m:]
        return _S.cat([gX, gY], -1) if ctx.create_graph else np.concatenate([gX, gY], -1)


def _qr_tall(Q: Any, R: Any, gQ: Any, gR: Any) -> Any:
    M = R @ _mT(gR) - _mT(gQ) @ Q
    copyltu = _tril(M) + _mT(_tril(M, -1))
    return _solve_right(gQ + Q @ copyltu, _mT(R))


def inv(A: Any, *, out: Tensor | None = None) -> Tensor:
    """A^-1 of each square matrix (LinAlgError where one is singular)."""
    from .linalg import with_out

    return with_out(Inv.apply(_matrix_arg("linalg.inv", A)), out, "linalg.inv")


def det(A: Any, *, out: Tensor | None = None) -> Tensor:
    """det A of each square matrix."""
    from .linalg import with_out

    return with_out(Det.apply(_matrix_arg("linalg.det", A)), out, "linalg.det")


def slogdet(A: Any) -> Any:
    """(sign, log|det A|) of each square matrix, as a named tuple."""
    from .linalg_extra import SlogdetResult

    return SlogdetResult(*Slogdet.apply(_matrix_arg("linalg.slogdet", A)))


def solve(A: Any, B: Any, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B); B a vector (or batch of them) or matrices."""
    A = _matrix_arg("linalg.solve", A)
    B = as_tensor_arg(B, "linalg.solve")
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    Bm = _row(B) if vector else B
    if Bm.ndim < 2 or Bm.shape[-2] != A.shape[-1]:
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                         f"({A.shape[-2]}x{A.shape[-1]} and {tuple(B.shape)})")
    if B.dtype != A.dtype:
        raise DTypeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                         f"{A.dtype} and B of type {B.dtype} instead")
    batch = np.broadcast_shapes(A.shape[:-2], Bm.shape[:-2])
    A = A if A.shape[:-2] == batch else _S.expand(A, batch + A.shape[-2:])
    Bm = Bm if Bm.shape[:-2] == batch else _S.expand(Bm, batch + Bm.shape[-2:])
    X = Solve.apply(A, Bm)
    return X.reshape(X.shape[:-1]) if vector else X


def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True, unitriangular: bool = False,
                     out: Tensor | None = None) -> Tensor:
    """X with A X = B (``left=False``: X A = B) for triangular A (only its triangle is read)."""
    from .linalg import with_out

    A = _matrix_arg("linalg.solve_triangular", A)
    B = as_tensor_arg(B, "linalg.solve_triangular")
    if B.ndim < 2 or B.shape[-2 if left else -1] != A.shape[-1]:
        raise ShapeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
                         f"{'AX = B' if left else 'XA = B'} ({tuple(A.shape)} and {tuple(B.shape)})")
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    A = A if A.shape[:-2] == batch else _S.expand(A, batch + A.shape[-2:])
    B = B if B.shape[:-2] == batch else _S.expand(B, batch + B.shape[-2:])
    return with_out(SolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular)), out,
                    "linalg.solve_triangular")


def cholesky(A: Any, *, upper: bool = False, out: Tensor | None = None) -> Tensor:
    """L with A = L L^T (``upper=True``: L^T), A symmetric positive-definite."""
    from .linalg import with_out

    L = Cholesky.apply(_matrix_arg("linalg.cholesky", A))
    return with_out(L.mT if upper else L, out, "linalg.cholesky")


def qr(A: Any, mode: str = "reduced") -> Any:
    """(Q, R) with A = Q R, Q orthonormal columns, R upper triangular; mode 'reduced', 'complete'
    or 'r' (Q empty)."""
    from .linalg_extra import QRResult

    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           "(default), 'r', or 'complete'")
    return QRResult(*QR.apply(_matrix_arg("linalg.qr", A, square=False), mode))
