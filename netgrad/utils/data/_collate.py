"""``default_collate`` (a list of examples -> one batch) and ``default_convert`` (one example,
arrays -> tensors), as ``torch.utils.data.default_collate`` / ``default_convert``.

>>> import numpy as np
>>> from netgrad.utils.data import default_collate, default_convert
>>> b = default_collate([{"x": np.zeros(2), "y": 1, "id": "a"}, {"x": np.ones(2), "y": 0, "id": "b"}])
>>> b["x"].shape, b["y"].tolist(), b["id"]
((2, 2), [1, 0], ['a', 'b'])
>>> default_convert((np.arange(2), "s"))
[tensor([0, 1]), 's']
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...autograd import Tensor

__all__ = ["default_collate", "default_convert"]

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {} "
        "(pass a collate_fn to batch such examples)")


def _text_dtype(a: np.ndarray) -> bool:
    return a.dtype.kind in "SaUO"


def _same_type(elem: Any, values: dict[Any, Any]) -> Any:
    """A copy of the mapping ``elem`` holding ``values`` (a plain dict when it cannot be copied)."""
    try:
        clone = copy.copy(elem)
        clone.update(values)
        return clone
    except (TypeError, AttributeError):
        return values


def default_convert(data: Any) -> Any:
    """NumPy arrays and scalars -> tensors, inside dicts, namedtuples, tuples (-> lists) and
    lists; tensors, strings and anything else unchanged (the ``batch_size=None`` conversion)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _text_dtype(data) else Tensor._make(data)
    if isinstance(data, (np.bool_, np.number)):
        return Tensor._make(np.asarray(data))
    if isinstance(data, Mapping):
        return _same_type(data, {k: default_convert(data[k]) for k in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def _stack(arrays: list[np.ndarray]) -> Tensor:
    try:
        return Tensor._make(np.stack(arrays))
    except ValueError as e:
        shapes = sorted({tuple(a.shape) for a in arrays})
        raise RuntimeError("default_collate: stack expects each tensor to be equal size, got shapes "
                           f"{shapes}; pad the examples or pass a collate_fn") from e


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of examples: tensors, arrays and numbers into one tensor with a leading batch
    dimension (Python floats -> float64, ints -> int64, bools -> bool); dicts, namedtuples and
    lists element by element (tuples give lists, as PyTorch); strings stay a list."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([b._data for b in batch])
    if isinstance(elem, np.ndarray):
        if _text_dtype(elem):
            raise TypeError(_ERR.format(elem.dtype))
        return _stack(batch)
    if isinstance(elem, (np.bool_, np.number)):
        return Tensor._make(np.asarray(batch))
    if isinstance(elem, (bool, int)):
        return Tensor._make(np.array(batch, dtype=np.bool_ if isinstance(elem, bool) else np.int64))
    if isinstance(elem, float):
        return Tensor._make(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return _same_type(elem, {k: default_collate([d[k] for d in batch]) for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        columns = [default_collate(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        try:
            return type(elem)(columns)
        except TypeError:
            return columns
    raise TypeError(_ERR.format(type(elem)))
