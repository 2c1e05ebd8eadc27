"""Samplers, as ``torch.utils.data.sampler``: the order (and batches) in which a ``DataLoader``
reads a map-style dataset. Random samplers draw from a netgrad ``Generator`` (the default one
when ``generator`` is None, so ``netgrad.manual_seed`` makes the order reproducible).

>>> import netgrad as ng
>>> from netgrad.utils.data import BatchSampler, RandomSampler, SequentialSampler
>>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
[[0, 1, 2], [3, 4, 5], [6]]
>>> a = list(RandomSampler(range(5), generator=ng.Generator(1)))
>>> sorted(a) == [0, 1, 2, 3, 4] and a == list(RandomSampler(range(5), generator=ng.Generator(1)))
True
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence, Sized

import numpy as np

from ...autograd import Tensor
from ...autograd import random_kernels as K
from ...autograd.random import Generator, generator_of

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]


class Sampler:
    """Base class: subclasses define ``__iter__`` (indices or keys) and usually ``__len__``."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _positive_int(x: Any) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool) and x > 0


def _check_generator(generator: Any, name: str) -> None:
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(f"{name}: generator must be a netgrad Generator, got {type(generator).__name__}")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices: a permutation (``num_samples`` > n: several permutations
    one after another, as PyTorch), or ``num_samples`` draws with ``replacement``.

    The order is drawn when ``iter()`` is called, not as it is consumed.
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Generator | None = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement}")
        n = self.num_samples
        if not _positive_int(n):
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={n}")
        _check_generator(generator, "RandomSampler")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _draw(self) -> np.ndarray:
        """This epoch's indices as an int64 array."""
        n, k = len(self.data_source), int(self.num_samples)
        # PyTorch's draws: without a generator, one of its own seeded from the default stream
        # (torch.empty((), dtype=int64).random_()); randint in chunks of 32 with replacement,
        # else randperm(n) per pass and one more whose head fills up num_samples
        g = self.generator
        if g is None:
            g = Generator(int(K.raw64(generator_of(None), 1)[0]) & (2 ** 63 - 1))
        if self.replacement:
            sizes = [32] * (k // 32) + [k % 32]
            return np.concatenate([K.randint(g, 0, n, (m,), np.int64) for m in sizes])
        parts = [K.randperm(g, n) for _ in range(k // n)]
        parts.append(K.randperm(g, n)[:k % n])
        return np.concatenate(parts)

    def __iter__(self) -> Iterator[int]:
        return iter(self._draw().tolist())

    def __len__(self) -> int:
        return int(self.num_samples)


class SubsetRandomSampler(Sampler):
    """The given indices in a random order (a fresh one each epoch)."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        _check_generator(generator, "SubsetRandomSampler")
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        perm = K.randperm(generator_of(self.generator), len(self.indices))
        return iter([self.indices[i] for i in perm.tolist()])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in 0..len(weights)-1, index i drawn with probability
    weights[i] / sum(weights) (with ``replacement``, or each at most once without)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Generator | None = None) -> None:
        if not _positive_int(num_samples):
            raise ValueError("num_samples should be a positive integer value, "
                             f"but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        _check_generator(generator, "WeightedRandomSampler")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        if (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: weights must be finite, >= 0, with a positive sum")
        if not replacement and num_samples > np.count_nonzero(w):
            raise RuntimeError(f"WeightedRandomSampler: cannot sample n_sample ({num_samples}) > the "
                               f"{np.count_nonzero(w)} non-zero weights without replacement")
        self.weights = Tensor._make(w)
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        w = self.weights._data
        idx = K.multinomial(generator_of(self.generator), w[None], self.num_samples, self.replacement)[0]
        return iter(idx.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; the last one shorter unless ``drop_last``."""

    def __init__(self, sampler: Sampler | Iterable[Any], batch_size: int, drop_last: bool) -> None:
        if not _positive_int(batch_size):
            raise ValueError("batch_size should be a positive integer value, "
                             f"but got batch_size={batch_size!r}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[Any]]:
        # iter(sampler) now, so that a random order is drawn when the epoch starts.
        return self._batches(iter(self.sampler))

    def _batches(self, it: Iterator[Any]) -> Iterator[list[Any]]:
        bs = self.batch_size
        while True:
            batch = []
            for x in it:
                batch.append(x)
                if len(batch) == bs:
                    break
            if len(batch) == bs or (batch and not self.drop_last):
                yield batch
            if len(batch) < bs:
                return

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else (n + self.batch_size - 1) // self.batch_size
