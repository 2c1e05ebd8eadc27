"""``netgrad.linalg``'s functions composed of the factorisations (decomp.py) and netgrad's ops, so
their gradients (and second derivatives) follow: norms, pinv, lstsq, matrix_rank, cond, matrix_exp,
matrix_power, multi_dot, vecdot, svdvals, eigvalsh, inv_ex, cholesky_ex; plus PyTorch's top-level
``det``, ``logdet``, ``slogdet``, ``inverse``, ``pinverse``, ``matrix_power``, ``matrix_exp``.

>>> import netgrad as ng
>>> ng.linalg.matrix_norm(ng.tensor([[3.0, 0.0], [0.0, 4.0]]), ord=2).item()
4.0
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from ..autograd import Tensor
from ..autograd.errors import DTypeError, ShapeError
from .core import as_tensor_arg, normalize_dim
from . import decomp as D
from . import spectral as SP
from . import elementwise as E
from . import reduction as R
from . import shape as S
from .linalg import with_out, matmul
from .linalg_tensor import Pinv, _tolerance, cholesky_inverse, cholesky_solve  # noqa: F401
from .methods import bind_methods

__all__ = ["det", "logdet", "slogdet", "inverse", "pinverse", "matrix_power", "matrix_exp", "chain_matmul",
           "svd", "qr", "cholesky", "cholesky_solve", "cholesky_inverse"]

SlogdetResult = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
QRResult = namedtuple("linalg_qr", ["Q", "R"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("linalg_svd", ["U", "S", "Vh"])
TorchSVDResult = namedtuple("svd", ["U", "S", "V"])
TorchQRResult = namedtuple("qr", ["Q", "R"])
LstsqResult = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
InvExResult = namedtuple("linalg_inv_ex", ["inverse", "info"])
CholeskyExResult = namedtuple("linalg_cholesky_ex", ["L", "info"])

_INF = math.inf


def _float_arg(op: str, x: Any) -> Tensor:
    x = as_tensor_arg(x, op)
    if x.dtype.kind != "f":
        raise DTypeError(f"{op}: Expected a floating point or complex tensor as input. Got {x.dtype}")
    return x


def vector_norm(x: Any, ord: float = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """(sum_i |x_i|^ord)^(1/ord) over ``dim`` (all elements by default); ord inf/-inf: max/min |x_i|,
    0: the count of non-zeros."""
    x = _float_arg("linalg.vector_norm", x)
    if dtype is not None:
        x = x.to(dtype)
    d = normalize_dim(dim, x.ndim, "linalg.vector_norm") if x.ndim else None
    if isinstance(d, int):
        d = (d,)
    if ord == 2:
        r = R.Norm2.apply(x, d, keepdim)
    elif ord == _INF:
        r = R.amax(E.abs(x), d, keepdim)
    elif ord == -_INF:
        r = R.amin(E.abs(x), d, keepdim)
    elif ord == 0:
        r = R.sum(E.where(x != 0, 1.0, x * 0), d, keepdim)  # connected to x, zero gradient (torch)
    elif ord == 1:
        r = R.sum(E.abs(x), d, keepdim)
    elif isinstance(ord, (int, float)):
        r = R.sum(E.abs(x) ** ord, d, keepdim) ** (1.0 / ord)
    else:
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    return with_out(r, out, "linalg.vector_norm")


def _matrix_dims(op: str, A: Tensor, dim: Sequence[int]) -> tuple[int, int]:
    if len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {tuple(dim)}")
    d0, d1 = normalize_dim(tuple(dim), A.ndim, op)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def matrix_norm(A: Any, ord: Any = "fro", dim: Sequence[int] = (-2, -1), keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """A matrix norm over dims ``dim``: 'fro', 'nuc' (sum of singular values), 2/-2 (largest/smallest
    singular value), 1/-1 (max/min column abs-sum), inf/-inf (max/min row abs-sum)."""
    op = "linalg.matrix_norm"
    A = _float_arg(op, A)
    if dtype is not None:
        A = A.to(dtype)
    if A.ndim < 2:
        raise ShapeError(f"{op}: The input tensor A must have at least 2 dimensions, got shape {A.shape}")
    d0, d1 = _matrix_dims(op, A, dim)
    if ord == "fro":
        return with_out(vector_norm(A, 2, (d0, d1), keepdim), out, op)
    if ord in ("nuc", 2, -2):
        rest = [k for k in range(A.ndim) if k not in (d0, d1)]
        s = svdvals(S.permute(A, (*rest, d0, d1)))
        r = R.sum(s, -1) if ord == "nuc" else (R.amax(s, -1) if ord == 2 else R.amin(s, -1))
        if keepdim:
            for k in sorted((d0, d1)):
                r = S.unsqueeze(r, k)
        return with_out(r, out, op)
    if ord in (1, -1, _INF, -_INF):
        summed, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = R.sum(E.abs(A), summed, keepdim=True)
        r = (R.amax if ord > 0 else R.amin)(sums, other, keepdim=True)
        if not keepdim:
            r = S.squeeze(S.squeeze(r, max(d0, d1)), min(d0, d1))
        return with_out(r, out, op)
    raise RuntimeError(f"{op}: Order {ord} not supported.")


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None, out: Tensor | None = None) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a 2-D
    input with ``ord`` given); the 2-norm of all elements when both are None."""
    A = _float_arg("linalg.norm", A)
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or (dim is None and ord is not None and A.ndim == 2):
        return matrix_norm(A, "fro" if ord is None else ord, dim if dim is not None else (-2, -1), keepdim,
                           dtype=dtype, out=out)
    if dim is None and ord is not None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def svdvals(A: Any, *, driver: str | None = None, out: Tensor | None = None) -> Tensor:
    """The singular values of each matrix, descending (dJ/dA = U diag(dJ/dS) V^T)."""
    return with_out(SP.svd(A, full_matrices=False).S, out, "linalg.svdvals")


def eigvalsh(A: Any, UPLO: str = "L", *, out: Tensor | None = None) -> Tensor:
    """The eigenvalues of symmetric matrices, ascending."""
    return with_out(SP.eigh(A, UPLO).eigenvalues, out, "linalg.eigvalsh")


def pinv(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
         out: Tensor | None = None) -> Tensor:
    """The pseudo-inverse V diag(1/S) U^T, singular values at or below max(atol, rtol * S_max)
    treated as 0 (rtol defaults to eps * max(m, n))."""
    A = _float_arg("linalg.pinv", A)
    if A.ndim < 2:
        raise ShapeError(f"linalg.pinv: The input tensor A must have at least 2 dimensions, got {A.shape}")
    return with_out(Pinv.apply(A, atol, rtol), out, "linalg.pinv")


def matrix_rank(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
                out: Tensor | None = None) -> Tensor:
    """The number of singular values above max(atol, rtol * S_max), as int64."""
    A = _float_arg("linalg.matrix_rank", A)
    s = Tensor._make(np.linalg.svd(A._data, compute_uv=False)) if A.ndim >= 2 else None
    if s is None:
        raise ShapeError(f"linalg.matrix_rank: The input tensor A must have at least 2 dimensions, got "
                         f"shape {A.shape}")
    tol = _tolerance("linalg.matrix_rank", s, A.shape, atol, rtol)
    return with_out(Tensor._make((s._data > tol).sum(-1).astype(np.int64)), out, "linalg.matrix_rank")


def lstsq(A: Any, B: Any, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """The least-squares solution X of A X = B (pinv(A) B), with PyTorch's (solution, residuals,
    rank, singular_values); residuals and singular values as its CPU drivers give them."""
    A, B = _float_arg("linalg.lstsq", A), _float_arg("linalg.lstsq", B)
    if driver not in (None, "gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           f"gelss), got {driver}")
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if A.ndim < 2 or Bm.shape[-2] != A.shape[-2]:
        raise ShapeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), got shapes "
                         f"{A.shape} and {B.shape}")
    m, n = A.shape[-2:]
    rt = rcond if rcond is not None and rcond > 0 else np.finfo(A._data.dtype).eps * max(m, n)
    X = pinv(A, rtol=rt) @ Bm
    sv = np.linalg.svd(A._data, compute_uv=False)
    rank = (sv > rt * sv[..., :1]).sum(-1).astype(np.int64)
    drv = driver or "gelsy"
    empty = Tensor._make(np.zeros((0,), A._data.dtype))
    residuals = empty
    if m > n and drv != "gelsy" and np.all(rank == n):
        residuals = R.sum((A @ X - Bm) ** 2, -2)
    svals = Tensor._make(sv) if drv in ("gelsd", "gelss") else empty
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, Tensor._make(rank), svals)


def cond(A: Any, p: Any = None, *, out: Tensor | None = None) -> Tensor:
    """The condition number: S_max / S_min (p None or 2; -2: S_min / S_max), or
    norm(A, p) norm(A^-1, p) for 'fro', 'nuc', 1, -1, inf, -inf."""
    A = _float_arg("linalg.cond", A)
    if p in (None, 2, -2):
        s = svdvals(A)
        big, small = R.amax(s, -1), R.amin(s, -1)
        return with_out(small / big if p == -2 else big / small, out, "linalg.cond")
    return with_out(matrix_norm(A, p) * matrix_norm(D.inv(A), p), out, "linalg.cond")


def matrix_power(A: Any, n: int, *, out: Tensor | None = None) -> Tensor:
    """A^n by repeated squaring (n = 0: the identity; n < 0: (A^-1)^|n|)."""
    A = as_tensor_arg(A, "linalg.matrix_power")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"linalg.matrix_power: A must be batches of square matrices, but they are shape "
                         f"{A.shape}")
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if n == 0:
        eye = Tensor._make(np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())
        # connected to A with a zero gradient, as torch's
        return with_out(E.where(Tensor._make(np.ones(A.shape, bool)), eye, A), out, "linalg.matrix_power")
    base, result, k = (D.inv(A) if n < 0 else A), None, abs(int(n))
    while k:
        if k & 1:
            result = base if result is None else matmul(result, base)
        k >>= 1
        if k:
            base = matmul(base, base)
    return with_out(result, out, "linalg.matrix_power")


def matrix_exp(A: Any) -> Tensor:
    """e^A = sum_k A^k / k!, by scaling and squaring a degree-18 Taylor polynomial."""
    A = _float_arg("linalg.matrix_exp", A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ShapeError(f"linalg.matrix_exp: expected a square matrix (or a batch of them), got {A.shape}")
    norm1 = float(np.abs(A._data).sum(-2).max()) if A._data.size else 0.0
    s = max(0, int(math.ceil(math.log2(norm1))) + 1) if norm1 > 0 else 0
    X = A / (2.0 ** s) if s else A
    eye = Tensor._make(np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())
    term, total = eye, eye
    for k in range(1, 19):
        term = matmul(term, X) / k
        total = total + term
    for _ in range(s):
        total = matmul(total, total)
    return total


def multi_dot(tensors: Sequence[Any], *, out: Tensor | None = None) -> Tensor:
    """The product of the matrices left to right (first/last may be 1-D: row/column vectors)."""
    ts = [as_tensor_arg(t, "linalg.multi_dot") for t in tensors]
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    ts[0] = ts[0].unsqueeze(0) if first_vec else ts[0]
    ts[-1] = ts[-1].unsqueeze(-1) if last_vec else ts[-1]
    for i, t in enumerate(ts):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    r = ts[0]
    for t in ts[1:]:
        if r.shape[-1] != t.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors cannot be chained, shapes {r.shape} and {t.shape}")
        r = matmul(r, t)
    if last_vec:
        r = r.squeeze(-1)
    if first_vec:
        r = r.squeeze(0)
    return with_out(r, out, "linalg.multi_dot")


def chain_matmul(*matrices: Any, out: Tensor | None = None) -> Tensor:
    """The product of 2-D matrices left to right (deprecated in PyTorch for linalg.multi_dot)."""
    if len(matrices) == 1:
        return as_tensor_arg(matrices[0], "chain_matmul")
    return multi_dot(matrices, out=out)


def vecdot(x: Any, y: Any, *, dim: int = -1, out: Tensor | None = None) -> Tensor:
    """sum_i x_i y_i along ``dim`` (broadcast)."""
    x, y = as_tensor_arg(x, "linalg.vecdot"), as_tensor_arg(y, "linalg.vecdot")
    return with_out(R.sum(x * y, dim), out, "linalg.vecdot")


def _each_matrix(A: Tensor, fn: Any) -> tuple[np.ndarray, np.ndarray]:
    """``fn`` on each matrix of ``A``'s batch apart: (results, NaN where ``fn`` raised
    LinAlgError; info, 1 there and 0 elsewhere) -- the ``*_ex`` functions' slow path."""
    info = np.zeros(A.shape[:-2], np.int32)
    res = np.full(A.shape, np.nan, A.dtype)
    for idx in np.ndindex(*A.shape[:-2]):
        try:
            res[idx] = fn(A._data[idx])
        except np.linalg.LinAlgError:
            info[idx] = 1
    return res, info


def inv_ex(A: Any, *, check_errors: bool = False, out: Any = None) -> Any:
    """(A^-1, info): info > 0 where a matrix is singular (its inverse then NaN), no error unless
    ``check_errors``."""
    A = D._matrix_arg("linalg.inv_ex", A)
    try:
        return InvExResult(D.inv(A), Tensor._make(np.zeros(A.shape[:-2], np.int32)))
    except D.LinAlgError:
        if check_errors:
            raise
    res, info = _each_matrix(A, np.linalg.inv)
    return InvExResult(Tensor._make(res), Tensor._make(info))


def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False, out: Any = None) -> Any:
    """(L, info): info > 0 where a matrix is not positive-definite, no error unless ``check_errors``."""
    A = D._matrix_arg("linalg.cholesky_ex", A)
    try:
        return CholeskyExResult(D.cholesky(A, upper=upper), Tensor._make(np.zeros(A.shape[:-2], np.int32)))
    except D.LinAlgError:
        if check_errors:
            raise
    res, info = _each_matrix(A, np.linalg.cholesky)
    L = Tensor._make(res)
    return CholeskyExResult(L.mT if upper else L, Tensor._make(info))


# PyTorch's top-level names
def det(input: Any) -> Tensor:  # noqa: A002
    """det A of each square matrix (torch.det)."""
    return D.det(input)


def slogdet(input: Any) -> Any:  # noqa: A002
    """(sign, log|det A|) of each square matrix (torch.slogdet)."""
    return D.slogdet(input)


def logdet(input: Any) -> Tensor:  # noqa: A002
    """log det A: NaN where det A < 0, -inf where it is 0."""
    sign, logabs = D.slogdet(input)
    return logabs + E.log(sign.detach())


def inverse(input: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """A^-1 (torch.inverse)."""
    return D.inv(input, out=out)


def pinverse(input: Any, rcond: float = 1e-15) -> Tensor:  # noqa: A002
    """The pseudo-inverse, singular values <= rcond * S_max treated as 0 (torch.pinverse)."""
    return pinv(input, rtol=rcond)



def svd(input: Any, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """(U, S, V) with input = U diag(S) V^T (torch.svd: V, not Vh; ``some=False``: full U and V;
    ``compute_uv=False``: zero U and V)."""
    U, s, Vh = SP.svd(input, full_matrices=not some or not compute_uv)
    if not compute_uv:
        U, Vh = (Tensor._make(np.zeros(t.shape, t.dtype)) for t in (U, Vh))
    return TorchSVDResult(U, s, Vh.mT)


def qr(input: Any, some: bool = True) -> Any:  # noqa: A002
    """(Q, R) with input = Q R (torch.qr; ``some=False``: the complete Q)."""
    return TorchQRResult(*D.qr(input, "reduced" if some else "complete"))


def cholesky(input: Any, upper: bool = False) -> Tensor:  # noqa: A002
    """L with input = L L^T (``upper=True``: U = L^T with input = U^T U) (torch.cholesky)."""
    return D.cholesky(input, upper=upper)


bind_methods(svd=svd, qr=qr, cholesky=cholesky, det=det, logdet=logdet, slogdet=slogdet, inverse=inverse,
             pinverse=pinverse, matrix_power=matrix_power, matrix_exp=matrix_exp)
