"""``DataLoader``: batches of a dataset, optionally shuffled by a seeded generator.

Each ``iter(loader)`` (each epoch) draws a fresh order. A ``TensorDataset`` (or a ``Subset`` of
one) takes a fast path: each batch is one fancy-index per tensor (a slice when not shuffled),
no per-example collation.

>>> import netgrad as ng
>>> from netgrad.data import DataLoader, TensorDataset
>>> ds = TensorDataset(ng.arange(10), ng.arange(10) * 10)
>>> loader = DataLoader(ds, batch_size=4, shuffle=True, generator=ng.Generator(0))
>>> [x.tolist() for x, y in loader]
[[4, 6, 2, 7], [3, 5, 9, 0], [8, 1]]
>>> [len(x) for x, _ in DataLoader(ds, batch_size=4, drop_last=True)]
[4, 4]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Callable, Iterator

import numpy as np

from ..autograd import Tensor
from ..autograd.random import Generator, rng
from .dataset import Subset, TensorDataset

__all__ = ["DataLoader", "default_collate"]


def default_collate(batch: list[Any]) -> Any:
    """Stack a list of examples: tensors/arrays/numbers into one tensor with a leading batch
    dimension; tuples, lists and dicts element by element; strings into a list."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor._make(np.stack([b._data for b in batch]))
    if isinstance(elem, np.ndarray):
        return Tensor._make(np.stack(batch))
    if isinstance(elem, (bool, np.bool_)):
        return Tensor._make(np.array(batch, dtype=np.bool_))
    if isinstance(elem, (int, np.integer)):
        return Tensor._make(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor._make(np.array(batch, dtype=np.float64))  # as PyTorch: Python floats -> float64
    if isinstance(elem, np.floating):
        return Tensor._make(np.array(batch, dtype=elem.dtype))
    if isinstance(elem, str):
        return list(batch)
    if isinstance(elem, Mapping):
        return {k: default_collate([b[k] for b in batch]) for k in elem}
    if isinstance(elem, (tuple, list)):
        if any(len(b) != len(elem) for b in batch):
            raise ValueError("default_collate: examples in a batch have different lengths")
        return type(elem)(default_collate(list(s)) for s in zip(*batch)) if isinstance(elem, tuple) \
            else [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(f"default_collate: cannot batch examples of type {type(elem).__name__}; "
                    "pass a collate_fn")


def _fast_arrays(dataset: Any) -> tuple[list[np.ndarray], np.ndarray | None] | None:
    """The arrays of a TensorDataset (and the index map of a Subset of one), else None."""
    if isinstance(dataset, TensorDataset):
        return [t._data for t in dataset.tensors], None
    if isinstance(dataset, Subset):
        inner = _fast_arrays(dataset.dataset)
        if inner is not None:
            arrays, base = inner
            return arrays, dataset.indices if base is None else base[dataset.indices]
    return None


class DataLoader:
    """Iterate over ``dataset`` in batches of ``batch_size`` (None: single examples, uncollated).

    ``shuffle`` draws a new permutation at the start of each epoch from ``generator`` (netgrad's
    default generator when None); ``drop_last`` drops a final short batch; ``collate_fn`` turns
    a list of examples into a batch (``default_collate``).
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Callable[[list[Any]], Any] | None = None,
                 generator: Generator | None = None):
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive integer or None, got {batch_size!r}")
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError("DataLoader: generator must be a netgrad Generator, "
                            f"got {type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self.generator = generator
        self._fast = _fast_arrays(dataset) if collate_fn is None else None

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self) -> np.ndarray | None:
        n = len(self.dataset)
        return rng(self.generator).permutation(n) if self.shuffle else None

    def __iter__(self) -> Iterator[Any]:
        # The permutation is drawn here, eagerly, so that the generator's state after iter()
        # does not depend on how many batches are consumed (checkpoints rely on this).
        return self._batches(self._order())

    def _batches(self, order: np.ndarray | None, start: int = 0) -> Iterator[Any]:
        """The batches for one epoch in ``order``, from batch number ``start`` (used by ``fit`` to
        resume an interrupted epoch)."""
        n = len(self.dataset)
        if self.batch_size is None:
            for i in range(start, n):
                yield self.dataset[int(order[i]) if order is not None else i]
            return
        bs = self.batch_size
        stop = n - n % bs if self.drop_last else n
        if self._fast is not None:
            arrays, base = self._fast
            for s in range(start * bs, stop, bs):
                idx: Any = slice(s, min(s + bs, n)) if order is None else order[s:s + bs]
                if base is not None:
                    idx = base[idx]
                yield tuple(Tensor._make(a[idx]) for a in arrays)
            return
        collate = self.collate_fn or default_collate
        for s in range(start * bs, stop, bs):
            ids = order[s:s + bs] if order is not None else range(s, min(s + bs, n))
            yield collate([self.dataset[int(i)] for i in ids])

    def __repr__(self) -> str:
        return (f"DataLoader({len(self.dataset)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")
