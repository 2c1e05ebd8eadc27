"""Datasets, as ``torch.utils.data.dataset``: map-style (``__getitem__`` and ``__len__``) and
iterable-style (``__iter__``) datasets, and ways to combine and split them.

>>> import netgrad as ng
>>> from netgrad.utils.data import TensorDataset, ConcatDataset, random_split
>>> ds = TensorDataset(ng.arange(10).reshape(5, 2), ng.tensor([0, 1, 0, 1, 1]))
>>> len(ds), ds[1]
(5, (tensor([2, 3]), tensor(1)))
>>> train, val = random_split(ds, [0.6, 0.4], generator=ng.Generator(0))
>>> len(train), len(val), len(ConcatDataset([train, val]))
(3, 2, 5)
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ...autograd import Tensor
from ...autograd.creation import tensor
from ...autograd import random_kernels
from ...autograd.random import Generator, generator_of

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
           "Subset", "random_split"]


class Dataset:
    """Map-style dataset: subclasses define ``__getitem__(i)`` (one example) and ``__len__``.
    ``a + b`` is ``ConcatDataset([a, b])``."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    # No __len__ here (as PyTorch): list() and len() probe it, and an IterableDataset may have none.

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Iterable-style dataset: subclasses define ``__iter__`` (a stream of examples); ``len`` is
    optional. ``a + b`` is ``ChainDataset([a, b])``.

    >>> class Count(IterableDataset):
    ...     def __iter__(self):
    ...         return iter(range(3))
    >>> list(Count() + Count())
    [0, 1, 2, 0, 1, 2]
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


def _as_tensor(a: Any, i: int) -> Tensor:
    if isinstance(a, Tensor):
        return a
    if isinstance(a, np.ndarray):
        if a.dtype.kind not in "biuf":  # what Tensor accepts: numbers or booleans
            raise TypeError(f"TensorDataset: argument {i} has dtype {a.dtype} (shape {a.shape}); "
                            "convert it to numbers first")
        return Tensor._make(a)
    try:
        return tensor(a)  # dtype inferred (Tensor(a) would give floats, as torch's legacy constructor)
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


class StackDataset(Dataset):
    """Datasets of the same length side by side: ``StackDataset(a, b)[i] == (a[i], b[i])``,
    ``StackDataset(x=a, y=b)[i] == {"x": a[i], "y": b[i]}``."""

    def __init__(self, *args: Any, **kwargs: Any):
        if args and kwargs:
            raise ValueError("StackDataset: Supported either ``tuple``- (via ``args``) or ``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("StackDataset: At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(len(d) != self._length for d in parts):
            raise ValueError(f"StackDataset: Size mismatch between datasets, lengths "
                             f"{[len(d) for d in parts]}")
        self.datasets: Any = tuple(args) if args else dict(kwargs)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset):
    """Map-style datasets one after another; ``cumulative_sizes[k]`` is the total length of the
    first k + 1 of them."""

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        if any(isinstance(d, IterableDataset) for d in self.datasets):
            raise TypeError("ConcatDataset does not support IterableDataset (use ChainDataset)")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError(f"ConcatDataset: absolute value of index should not exceed dataset length "
                                 f"({idx} for {len(self)})")
            idx = len(self) + idx
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        if k == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {idx} is out of range for length {len(self)}")
        return self.datasets[k][idx - (self.cumulative_sizes[k - 1] if k else 0)]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another (streams, lazily)."""

    def __init__(self, datasets: Iterable[Dataset]):
        self.datasets = datasets

    def _check(self, d: Any) -> None:
        if not isinstance(d, IterableDataset):
            raise TypeError(f"ChainDataset only supports IterableDataset, got {type(d).__name__}")

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            self._check(d)
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            self._check(d)
            total += len(d)  # type: ignore[arg-type]
        return total


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        if isinstance(index, np.ndarray):
            return self.dataset[np.asarray(self.indices)[index]]
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: list[int]) -> list[Any]:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[int(self.indices[i])] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


def _lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """PyTorch's rule: fractions when they sum to 1 (floors, the remainder round-robin), else counts."""
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"random_split: Fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(n * frac))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, k in enumerate(sizes):
            if k == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=3)
        lengths = sizes
    if sum(lengths) != n:
        raise ValueError("random_split: Sum of input lengths does not equal the length of the input "
                         f"dataset! (the lengths {lengths} must add up to {n}, or be fractions adding "
                         "up to 1)")
    if any(k < 0 or k != int(k) for k in lengths):
        raise ValueError(f"random_split: the lengths {lengths} must be integers >= 0")
    return [int(k) for k in lengths]


def random_split(dataset: Any, lengths: Sequence[float], generator: Generator | None = None) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1),
    drawn from ``generator`` (netgrad's default generator when None)."""
    n = len(dataset)
    sizes = _lengths(n, lengths)
    perm = random_kernels.randperm(generator_of(generator, "random_split"), n)  # torch's randperm
    out, start = [], 0
    for k in sizes:
        out.append(Subset(dataset, perm[start:start + k]))
        start += k
    return out
