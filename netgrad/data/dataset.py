"""Datasets: anything with ``__getitem__`` and ``__len__``; ``TensorDataset`` wraps arrays.

>>> import netgrad as ng
>>> from netgrad.data import TensorDataset, random_split
>>> ds = TensorDataset(ng.arange(10).reshape(5, 2), ng.tensor([0, 1, 0, 1, 1]))
>>> len(ds), ds[1]
(5, (tensor([2, 3]), tensor(1)))
>>> train, val = random_split(ds, [0.6, 0.4], generator=ng.Generator(0))
>>> len(train), len(val)
(3, 2)
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..autograd import Tensor
from ..autograd.random import Generator, rng

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split"]


class Dataset:
    """Base class: subclasses define ``__getitem__(i)`` (one example) and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _as_tensor(a: Any, i: int) -> Tensor:
    if isinstance(a, Tensor):
        return a
    if isinstance(a, np.ndarray):
        if a.dtype.kind not in "biuf":  # what Tensor accepts: numbers or booleans
            raise TypeError(f"TensorDataset: argument {i} has dtype {a.dtype} (shape {a.shape}); "
                            "convert it to numbers first")
        return Tensor._make(a)
    try:
        return Tensor(a)
    except TypeError as e:
        raise TypeError(f"TensorDataset: argument {i} cannot be made a tensor: {e}") from e


class TensorDataset(Dataset):
    """Examples are the rows of the given tensors (arrays are wrapped without copying):
    ``ds[i] == (t0[i], t1[i], ...)``."""

    def __init__(self, *tensors: Any):
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        self.tensors = tuple(_as_tensor(t, i) for i, t in enumerate(tensors))
        n = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in n or len(set(n)) != 1:
            shapes = [tuple(t.shape) for t in self.tensors]
            raise ValueError(f"TensorDataset: all tensors need the same first dimension, got shapes {shapes}")

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(t._data[index]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        return f"TensorDataset({len(self)} examples, shapes {[tuple(t.shape[1:]) for t in self.tensors]})"


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64).reshape(-1)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return self.dataset[self.indices[np.asarray(index)]]
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def _lengths(n: int, lengths: Sequence[float]) -> list[int]:
    lengths = list(lengths)
    if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in lengths):
        if sum(lengths) != n or any(x < 0 for x in lengths):
            raise ValueError(f"random_split: the lengths {lengths} must be >= 0 and add up to the "
                             f"dataset's {n}")
        return [int(x) for x in lengths]
    if not math.isclose(sum(lengths), 1.0, abs_tol=1e-9) or any(x < 0 for x in lengths):
        raise ValueError(f"random_split: fractions must be >= 0 and add up to 1, got {lengths}")
    out = [int(math.floor(n * f)) for f in lengths]
    for i in range(n - sum(out)):  # the remainder, round-robin (as PyTorch)
        out[i % len(out)] += 1
    return out


def random_split(dataset: Any, lengths: Sequence[float], generator: Generator | None = None) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    sizes = _lengths(n, lengths)
    perm = rng(generator).permutation(n)
    out, start = [], 0
    for k in sizes:
        out.append(Subset(dataset, perm[start:start + k]))
        start += k
    return out
