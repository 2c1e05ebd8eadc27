"""``nn.Embedding``: a lookup table, row k of the weight for token k (PyTorch's layer).

An embedding is the first layer of a one-hot input: one_hot(k) W = W[k], so its gradient is the
sum of the sensitivities of the positions that used row k, dJ/dW[k] = sum_{i: idx_i = k} delta_i.

>>> import netgrad as ng
>>> _ = ng.manual_seed(0)
>>> emb = ng.nn.Embedding(10, 3, padding_idx=0)
>>> emb(ng.tensor([[0, 2], [4, 0]])).shape
(2, 2, 3)
>>> emb
Embedding(10, 3, padding_idx=0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor, no_grad
from ..autograd.errors import DTypeError
from ..functional import where
from ..functional.core import as_tensor_arg
from ..functional.shape import index
from .module import Module
from .parameter import Parameter

__all__ = ["Embedding", "embedding"]


def _indices(input: Any, op: str) -> np.ndarray:  # noqa: A002
    idx = np.asarray(input._data if isinstance(input, Tensor) else input)
    if idx.dtype.kind not in "iu":
        raise DTypeError(f"{op}: expected indices of an integer dtype (Long or Int), got {idx.dtype}")
    return idx


def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """y[..., :] = W[input[...], :] (PyTorch's ``F.embedding``); row ``padding_idx`` gets no
    gradient; with ``max_norm`` the rows used are first rescaled, in place, to at most that norm.

    >>> import netgrad as ng
    >>> W = ng.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ng.nn.functional.embedding(ng.tensor([2, 1, 2]), W).sum(0)
    tensor([7., 10.], grad_fn=<SumBackward0>)
    """
    w = as_tensor_arg(weight, "embedding")
    idx = _indices(input, "embedding")
    n = w.shape[0]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"embedding: index out of range for a table of {n} rows "
                         f"(got indices from {idx.min()} to {idx.max()})")
    if scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: scale_grad_by_freq and sparse are not supported")
    if max_norm is not None:
        _renorm_rows(w, idx, float(max_norm), float(norm_type))
    if padding_idx is not None:
        pad = np.zeros((n, 1), dtype=bool)
        pad[padding_idx] = True
        w = where(Tensor._make(pad), w.detach(), w)  # the same values, no gradient for that row
    return index(w, idx)


def _renorm_rows(w: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    with no_grad():
        rows = np.unique(idx)
        norms = np.linalg.norm(w._data[rows], ord=norm_type, axis=1)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        w[Tensor._make(rows)] = w._data[rows] * scale[:, None]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1) (the
    ``padding_idx`` row zero), looked up by integer index."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} must be within num_embeddings "
                                 f"({num_embeddings})")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            from .. import randn

            self.weight = Parameter(randn(num_embeddings, embedding_dim, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_padding()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight of shape {tuple(_weight.shape)} does not match "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_padding(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def reset_parameters(self) -> None:
        from .init import normal_

        normal_(self.weight)
        self.reset_padding()

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type)

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, sparse: bool = False) -> Embedding:
        """An Embedding whose table is ``embeddings`` (frozen unless ``freeze=False``)."""
        if embeddings.ndim != 2:
            raise ValueError("Embedding.from_pretrained: embeddings must be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s
