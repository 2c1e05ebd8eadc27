"""Writing values at positions, out of place: index_put, put, masked_scatter (PyTorch's
in-place ``index_put_``, ``put_`` and ``masked_scatter_`` are generated from these).

Each works out the flat positions written, then builds the result with ``where`` and indexing's
adjoint, so the input gets the gradient where it was kept and the values where they landed.

>>> import netgrad as ng
>>> x = ng.zeros(2, 3)
>>> ng.index_put(x, (ng.tensor([0, 1]), ng.tensor([2, 0])), ng.tensor(5.0)).tolist()
[[0.0, 0.0, 5.0], [5.0, 0.0, 0.0]]
>>> ng.masked_scatter(ng.zeros(3), ng.tensor([True, False, True]), ng.tensor([1.0, 2.0])).tolist()
[1.0, 0.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Tensor
from . import elementwise as E
from . import shape as S
from .core import as_tensor_arg
from .indexing import _added, _check_bounds, _mask, last_write
from .methods import bind_methods

__all__ = ["index_put", "put", "masked_scatter"]


def _written(x: Tensor, pos: np.ndarray, values: Tensor, accumulate: bool, op: str) -> Tensor:
    """x with ``values`` (one per flat position in ``pos``) written there, or added there."""
    if values.dtype != x.dtype:
        raise RuntimeError(f"{op}(): values of dtype {values.dtype} must match the input's dtype {x.dtype}")
    pos = pos.reshape(-1)
    vals = S.reshape(values, (-1,))
    if accumulate:
        return x + _added(vals, x.shape, pos)
    placed = last_write(vals, x.shape, pos)
    return E.where(Tensor._make(_mask(x.shape, pos)), placed, x)


def _broadcast_values(values: Any, shape: tuple, op: str) -> Tensor:
    v = as_tensor_arg(values, op)
    if v.shape == shape:
        return v
    try:
        np.broadcast_shapes(v.shape, shape)
    except ValueError:
        raise RuntimeError(f"{op}(): values of shape {v.shape} cannot be broadcast to the indexed "
                           f"shape {shape}") from None
    return S.expand(v, shape)


def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Tensor:  # noqa: A002
    """A copy of ``input`` with ``input[indices] = values`` (``+=`` with ``accumulate=True``,
    where repeated positions add up); ``indices`` is a tuple of index tensors, one per dim."""
    x = as_tensor_arg(input, "index_put")
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): indices must be a tuple of tensors")
    key = tuple(None if i is None else np.asarray(i._data if isinstance(i, Tensor) else i)
                for i in indices)
    for k in key:
        if k is not None and k.dtype.kind not in "iub":
            raise IndexError("index_put(): tensors used as indices must be long, int, byte or bool, "
                             f"got {k.dtype}")
    key = tuple(slice(None) if k is None else k for k in key)
    try:
        pos = np.arange(x._data.size, dtype=np.int64).reshape(x.shape)[key]
    except IndexError as e:
        raise IndexError(f"index_put(): {e} (input of shape {x.shape})") from None
    vals = _broadcast_values(values, pos.shape, "index_put")
    return _written(x, np.asarray(pos), vals, accumulate, "index_put")


def put(input: Any, index: Any, source: Any, accumulate: bool = False) -> Tensor:  # noqa: A002
    """A copy of ``input`` (read as 1-D) with ``source``'s elements written at ``index``."""
    x = as_tensor_arg(input, "put")
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"put(): expected a long index tensor, got {idx.dtype}")
    src = as_tensor_arg(source, "put")
    if src._data.size != idx.size:
        raise IndexError(f"put(): index ({idx.size} elements) and source ({src._data.size} elements) "
                           "must have the same number of elements")
    pos = _check_bounds(idx.astype(np.int64), int(x._data.size), "put")
    return _written(x, pos, src, accumulate, "put")


def masked_scatter(input: Any, mask: Any, source: Any) -> Tensor:  # noqa: A002
    """A copy of ``input`` whose elements where ``mask`` (broadcast) is True take ``source``'s
    elements, in row-major order."""
    x = as_tensor_arg(input, "masked_scatter")
    m = as_tensor_arg(mask, "masked_scatter")._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter(): expected a bool mask, got {m.dtype}")
    shape = np.broadcast_shapes(x.shape, m.shape)
    if shape != x.shape:
        x = S.expand(x, shape)
    pos = np.flatnonzero(np.broadcast_to(m, shape))
    src = as_tensor_arg(source, "masked_scatter")
    if src._data.size < len(pos):
        raise RuntimeError(f"masked_scatter(): source has {src._data.size} elements, the mask selects "
                           f"{len(pos)}")
    vals = S.index(S.reshape(src, (-1,)), np.arange(len(pos)))
    return _written(x, pos, vals, False, "masked_scatter")


bind_methods(index_put=index_put, put=put, masked_scatter=masked_scatter)
