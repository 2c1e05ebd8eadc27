"""The rest of PyTorch's Tensor surface that real programs touch: ``narrow``, the legacy ``new``,
``resize_``, device queries, and sparse tensors held dense.

netgrad has no sparse layout: ``to_sparse()``, ``sparse_coo_tensor`` and ``spmm`` give and take
ordinary dense tensors with the same values (a graph network's adjacency matrix computes the same,
only without the memory saving).

>>> import netgrad as ng
>>> x = ng.arange(6.0).reshape(2, 3)
>>> x.narrow(1, 1, 2)
tensor([[1., 2.],
        [4., 5.]])
>>> ng.sparse_coo_tensor([[0, 1], [2, 0]], [5.0, 7.0], (2, 3)).to_dense()
tensor([[0., 0., 5.],
        [7., 0., 0.]])
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from ..autograd import GraphError, Tensor, is_grad_enabled
from ..autograd.tensor import version_box
from .core import as_tensor_arg, normalize_dim
from .linalg import mm
from .methods import bind_methods
from .shape import index

__all__ = ["narrow", "narrow_copy", "sparse_coo_tensor", "spmm", "sparse"]


def narrow(input: Any, dim: int, start: Any, length: int) -> Tensor:  # noqa: A002
    """x[..., start:start + length, ...] along ``dim``: a view, as PyTorch's ``narrow``."""
    x = as_tensor_arg(input, "narrow")
    d = normalize_dim(dim, x.ndim, "narrow")
    n = x.shape[d]
    s = int(start) + (n if int(start) < 0 else 0)
    if not (0 <= s <= n and 0 <= length and s + length <= n):
        raise IndexError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return index(x, (slice(None),) * d + (slice(s, s + int(length)),))


def narrow_copy(input: Any, dim: int, start: Any, length: int) -> Tensor:  # noqa: A002
    """``narrow``, copied."""
    return narrow(input, dim, start, length).clone()


def _new(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """The legacy ``x.new(...)``: ``x.new(2, 3)`` a zero tensor of that size, ``x.new(data)`` the
    data, ``x.new()`` an empty one, all of x's dtype."""
    return Tensor(*args, dtype=kwargs.get("dtype", self.dtype))


def _resize_(self: Tensor, *sizes: Any, memory_format: Any = None) -> Tensor:
    """Give x the shape ``sizes`` in place: its first elements kept (in C order), new ones 0."""
    shape = tuple(int(s) for s in (sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list))
                                   else sizes))
    if self.requires_grad and is_grad_enabled():
        raise GraphError("resize_: cannot resize variables that require grad")
    if shape == self.shape:
        return self
    flat = self._data.reshape(-1)
    out = np.zeros(shape, dtype=self.dtype)
    n = min(flat.size, out.size)
    out.reshape(-1)[:n] = flat[:n]
    self._data = out
    version_box(self)[0] += 1
    return self


def _resize_as_(self: Tensor, other: Tensor, memory_format: Any = None) -> Tensor:
    return _resize_(self, other.shape)


def _to_dense(self: Tensor, dtype: Any = None, masked_grad: Any = None) -> Tensor:
    return self if dtype is None else self.to(dtype)


def _to_sparse(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """netgrad holds sparse tensors dense: the same values, in an ordinary tensor."""
    return self


def sparse_coo_tensor(indices: Any, values: Any, size: Any = None, *, dtype: Any = None,
                      device: Any = None, requires_grad: bool = False, check_invariants: Any = None,
                      is_coalesced: Any = None) -> Tensor:
    """A tensor of ``size`` with ``values`` at ``indices`` (a (ndim, nnz) index array), held dense;
    repeated indices add up, as coalescing does. Differentiable with respect to ``values``."""
    from .placing import index_put

    idx = np.asarray(indices._data if isinstance(indices, Tensor) else indices, dtype=np.int64)
    vals = as_tensor_arg(values, "sparse_coo_tensor")
    if dtype is not None:
        vals = vals.to(dtype)
    if idx.ndim != 2 or idx.shape[1] != vals.shape[0]:
        raise ValueError(f"sparse_coo_tensor: indices of shape {idx.shape} do not match "
                         f"{vals.shape[0]} values")
    if size is None:
        size = tuple(int(m) + 1 for m in idx.max(axis=1)) + tuple(vals.shape[1:])
    base = Tensor._make(np.zeros(tuple(size), dtype=vals.dtype))
    out = index_put(base, tuple(Tensor._make(i) for i in idx), vals, accumulate=True)
    if requires_grad:
        out.requires_grad_(True)
    return out


def spmm(input: Any, mat2: Any) -> Tensor:  # noqa: A002
    """The product of a (dense-held) sparse matrix and a dense one: ``mm``."""
    return mm(input, mat2)


sparse = types.SimpleNamespace(mm=spmm, sum=lambda x, dim=None: x.sum() if dim is None else x.sum(dim),
                               softmax=lambda x, dim, dtype=None: x.softmax(dim))

bind_methods(
    narrow=narrow, narrow_copy=narrow_copy, new=_new, resize_=_resize_, resize_as_=_resize_as_,
    to_dense=_to_dense, to_sparse=_to_sparse, to_sparse_coo=_to_sparse, coalesce=_to_sparse,
)
for _name in ("is_xpu", "is_mps", "is_mkldnn", "is_nested", "is_vulkan", "is_ipu", "is_mtia"):
    setattr(Tensor, _name, property(lambda self: False))
