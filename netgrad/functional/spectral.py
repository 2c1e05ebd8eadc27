"""The spectral factorisations as differentiable ops: eigh (symmetric eigendecomposition) and svd, on
batches of matrices, with PyTorch's backward formulas (real case). Each op saves its factors (its
outputs) for backward, as PyTorch does: changing one in place before backward is refused, and under
``create_graph=True`` the saved factors come back attached to the op, so second derivatives flow
through the same formulas.

>>> import netgrad as ng
>>> ng.linalg.eigvalsh(ng.tensor([[2.0, 0.0], [0.0, 1.0]]))
tensor([1., 2.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .decomp import _col, _diag_embed, _lapack, _matrix_arg, _mT, _row

__all__ = ["eigh", "svd"]


def _zero(g: Any) -> bool:
    """No gradient reached this output (the engine hands unused outputs zeros; PyTorch's formulas
    then skip the terms that divide by eigenvalue or singular-value gaps)."""
    return not np.any(g._data if isinstance(g, Tensor) else g)


def _offdiag_gaps(w: Any) -> Any:
    """E_ij = w_j - w_i off the diagonal, 1 on it (the diagonal is replaced afterwards)."""
    return _col(w) - _row(w) + np.eye(w.shape[-1], dtype=w.dtype)


class Eigh(Function):
    """A = V diag(w) V^T (symmetric, lower triangle read); with K = skew(V^T dJ/dV) / 2,
    dJ/dA = V (diag(dJ/dw) + K / (w_j - w_i) off the diagonal) V^T."""

    _array_backward = True
    _torch_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, A, UPLO):
        w, V = _lapack("linalg.eigh", np.linalg.eigh, A._data, UPLO, what="the algorithm did not converge")
        ctx.save_for_backward(w, V)
        return w, V

    @staticmethod
    def backward(ctx, gw, gV):
        w, V = ctx.saved_tensors
        if _zero(gV):  # eigenvalues only: finite for repeated eigenvalues too
            return V @ (_row(gw) * _mT(V))
        off = 1 - np.eye(w.shape[-1], dtype=w.dtype)
        K = _mT(V) @ gV
        with np.errstate(divide="ignore", invalid="ignore"):  # equal eigenvalues: inf/NaN, as torch
            inner = 0.5 * (K - _mT(K)) / _offdiag_gaps(w) * off + _diag_embed(gw)
        return V @ inner @ _mT(V)


class SVD(Function):
    """A = U diag(S) V^T (k = min(m, n) vectors differentiated, PyTorch's formula): with
    J = skew(U^T dJ/dU), K = skew(V^T dJ/dV) and E_ij = S_j^2 - S_i^2,
    G = (J S_j + S_i K) / E off the diagonal + diag(dJ/dS); dJ/dA = U G V^T, plus
    (I - U U^T) dJ/dU S^-1 V^T when m > k, or U S^-1 dJ/dV^T (I - V V^T) when n > k."""

    _array_backward = True
    _torch_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, A, full_matrices):
        U, S, Vh = _lapack("linalg.svd", np.linalg.svd, A._data, full_matrices,
                           what="the algorithm did not converge")
        ctx.save_for_backward(U, S, Vh)
        ctx.full = full_matrices
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        m, n = U.shape[-2], Vh.shape[-1]
        k = min(m, n)
        if ctx.full:
            U, gU, Vh, gVh = U[..., :k], gU[..., :k], Vh[..., :k, :], gVh[..., :k, :]
        if _zero(gU) and _zero(gVh):  # singular values only: finite for repeated ones too
            return U @ (_row(gS) * Vh)
        V, gV = _mT(Vh), _mT(gVh)
        with np.errstate(divide="ignore", invalid="ignore"):  # equal singular values: inf/NaN, as torch
            return _svd_vectors_backward(U, S, Vh, V, gU, gS, gV, m, n, k)


def _svd_vectors_backward(U: Any, S: Any, Vh: Any, V: Any, gU: Any, gS: Any, gV: Any, m: int, n: int,
                          k: int) -> Any:
    J = _mT(U) @ gU
    J = J - _mT(J)
    K = _mT(V) @ gV
    K = K - _mT(K)
    S2 = S * S
    E = _col(S2) - _row(S2) + np.eye(k, dtype=S.dtype)
    off = 1 - np.eye(k, dtype=S.dtype)
    G = (J * _col(S) + _row(S) * K) / E * off + _diag_embed(gS)
    if m > k:
        gUS = gU / _col(S)
        return (U @ G + gUS - U @ (_mT(U) @ gUS)) @ Vh
    if n > k:
        SgVh = _mT(gV) / _row(S)
        return U @ (G @ Vh + SgVh - (SgVh @ V) @ Vh)
    return U @ G @ Vh


def eigh(A: Any, UPLO: str = "L") -> Any:
    """(eigenvalues ascending, eigenvectors as columns) of symmetric matrices (one triangle read)."""
    from .linalg_extra import EighResult

    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return EighResult(*Eigh.apply(_matrix_arg("linalg.eigh", A), UPLO))


def svd(A: Any, full_matrices: bool = True, *, driver: str | None = None) -> Any:
    """(U, S, Vh) with A = U diag(S) Vh, S descending."""
    from .linalg_extra import SVDResult

    return SVDResult(*SVD.apply(_matrix_arg("linalg.svd", A, square=False), bool(full_matrices)))
