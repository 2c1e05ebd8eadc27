"""``DataLoader``: batches of a dataset, with ``torch.utils.data.DataLoader``'s arguments.

Each ``iter(loader)`` (each epoch) draws a fresh order. A ``TensorDataset`` (or a ``Subset`` of
one) read in a sequential or random order with the default collation takes a fast path: each
batch is one fancy-index per tensor (a slice when not shuffled), no per-example collation.

>>> import netgrad as ng
>>> from netgrad.utils.data import DataLoader, TensorDataset
>>> ds = TensorDataset(ng.arange(10), ng.arange(10) * 10)
>>> loader = DataLoader(ds, batch_size=4, shuffle=True, generator=ng.Generator(0))
>>> [x.tolist() for x, y in loader]
[[3, 7, 5, 2], [0, 8, 1, 6], [9, 4]]
>>> [len(x) for x, _ in DataLoader(ds, batch_size=4, drop_last=True)]
[4, 4]
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ...autograd import Tensor
from ...autograd import random_kernels
from ...autograd.random import Generator, generator_of
from ._collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]

_MP_METHODS = ("fork", "spawn", "forkserver")
_FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")


def get_worker_info() -> None:
    """Always None: netgrad's ``DataLoader`` reads every batch in the calling process (as PyTorch
    in its main process), so an ``IterableDataset`` needs no per-worker sharding."""
    return None


class _InfiniteConstantSampler(Sampler):
    """The placeholder sampler of an IterableDataset (as PyTorch's): None forever."""

    def __iter__(self) -> Iterator[None]:
        return itertools.repeat(None)


def _fast_arrays(dataset: Any) -> tuple[list[np.ndarray], np.ndarray | None] | None:
    """The arrays of a TensorDataset (and the index map of a Subset of one), else None. Subclasses
    that change how an example is read are left to the general path."""
    if isinstance(dataset, TensorDataset) and type(dataset).__getitem__ is TensorDataset.__getitem__:
        return [t._data for t in dataset.tensors], None
    if isinstance(dataset, Subset) and type(dataset).__getitem__ is Subset.__getitem__ \
            and type(dataset).__getitems__ is Subset.__getitems__:
        inner = _fast_arrays(dataset.dataset)
        idx = np.asarray(dataset.indices)
        if inner is not None and idx.ndim == 1 and idx.dtype.kind in "iu":
            arrays, base = inner
            return arrays, idx if base is None else base[idx]
    return None


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool) -> int | None:
    """PyTorch's checks of the worker options; the prefetch factor (2 by default with workers)."""
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                         "multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing. "
                         "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                         "to None.")
    elif num_workers > 0 and prefetch_factor is None:
        prefetch_factor = 2
    elif prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    return prefetch_factor


def _check_stream_options(shuffle: Any, sampler: Any, batch_sampler: Any) -> None:
    """An IterableDataset is read in its own order: PyTorch's errors for the order options."""
    if shuffle not in {False, None}:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                         f"but got shuffle={shuffle}")
    if sampler is not None:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                         f"but got sampler={sampler}")
    if batch_sampler is not None:
        raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler "
                         f"option, but got batch_sampler={batch_sampler}")


class DataLoader:
    """Iterate over ``dataset`` in batches, as ``torch.utils.data.DataLoader``.

    ``batch_size`` examples per batch (None: single examples, converted by ``default_convert``);
    ``shuffle`` draws a new permutation each epoch from ``generator`` (netgrad's default generator
    when None, so ``netgrad.manual_seed`` fixes it); or ``sampler`` gives the order, or
    ``batch_sampler`` the batches themselves; ``drop_last`` drops a final short batch;
    ``collate_fn`` turns a list of examples into a batch (``default_collate``). An
    ``IterableDataset`` is read as a stream (no shuffle, sampler or batch_sampler).

    ``num_workers``, ``prefetch_factor``, ``persistent_workers``, ``multiprocessing_context``,
    ``timeout``, ``worker_init_fn``, ``pin_memory``, ``pin_memory_device`` and ``in_order`` are
    accepted and checked as PyTorch checks them, but every batch is read here, in the calling
    process, in order: NumPy data needs no worker processes to reach a CPU model, and there is no
    device memory to pin. So ``worker_init_fn`` is never called and ``get_worker_info()`` is None
    (an ``IterableDataset`` is read once, not once per worker); the batches are the same as
    PyTorch's with ``num_workers=0``.
    """

    __initialized = False

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable[Any] | None = None,
                 batch_sampler: Sampler | Iterable[list[Any]] | None = None, num_workers: int = 0,
                 collate_fn: Callable[[list[Any]], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None, multiprocessing_context: Any = None,
                 generator: Generator | None = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True):
        prefetch_factor = _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError("DataLoader: generator must be a netgrad Generator, "
                            f"got {type(generator).__name__}")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            _check_stream_options(shuffle, sampler, batch_sampler)
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        self._own_batches = batch_sampler is None
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                             "with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.shuffle = bool(shuffle)
        self._collate_given = collate_fn is not None
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._fast = (_fast_arrays(dataset) if not self._collate_given and not self._iterable
                      and self._own_batches and batch_size is not None else None)
        self.__initialized = True

    @property
    def multiprocessing_context(self) -> Any:
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, ctx: Any) -> None:
        if ctx is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(ctx, str) and ctx not in _MP_METHODS:
                raise ValueError(f"multiprocessing_context option should specify a valid start method in "
                                 f"{list(_MP_METHODS)!r}, but got multiprocessing_context={ctx!r}")
        self.__multiprocessing_context = ctx

    def __setattr__(self, attr: str, val: Any) -> None:
        if self.__initialized and attr in _FROZEN:
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _order(self) -> Any:
        """This epoch's order: None (sequential), an index array (a RandomSampler: drawn now, so
        the generator's state after ``iter()`` does not depend on how many batches are read;
        checkpoints rely on this), or an iterator over the sampler or the batch sampler."""
        # PyTorch's loader iterator first draws a base seed (int64 random_()) from the loader's
        # generator or the default one: drawn here too, so shuffles stay in step with torch's
        random_kernels.raw64(generator_of(self.generator, "DataLoader"), 1)
        if self._iterable:
            return None
        if not self._own_batches:
            return iter(self.batch_sampler)
        if type(self.sampler) is SequentialSampler and self.sampler.data_source is self.dataset:
            return None
        if type(self.sampler) is RandomSampler:
            return self.sampler._draw()
        return iter(self.sampler)

    def __iter__(self) -> Iterator[Any]:
        return self.iter_epoch()

    def iter_epoch(self, start: int = 0) -> Iterator[Any]:
        """One epoch's batches from batch number ``start`` on; ``iter(loader)`` is
        ``loader.iter_epoch()`` (PyTorch's loader has no ``start``).

        The epoch's order is drawn when this is called, not when the first batch is read, and
        drawing it moves the generator (``generator``, else netgrad's current one) on by the same
        amount whatever ``start`` is. So with the generator's state from before an epoch put back,
        ``iter_epoch(k)`` gives that epoch's batches k, k+1, ... exactly: how ``fit`` resumes an
        interrupted epoch. The skipped batches are not read (an ``IterableDataset``, a stream, is
        read through them).

        >>> import netgrad as ng
        >>> from netgrad.utils.data import DataLoader, TensorDataset
        >>> loader = DataLoader(TensorDataset(ng.arange(6)), batch_size=2, shuffle=True,
        ...                     generator=ng.Generator(0))
        >>> before = loader.generator.get_state()
        >>> epoch = [x.tolist() for (x,) in loader]
        >>> loader.generator.set_state(before)  # the same epoch again, from its second batch
        >>> [x.tolist() for (x,) in loader.iter_epoch(start=1)] == epoch[1:]
        True
        """
        if not isinstance(start, (int, np.integer)) or isinstance(start, bool) or start < 0:
            raise ValueError(f"DataLoader.iter_epoch: start must be a non-negative integer, got {start!r}")
        return self._batches(self._order(), int(start))

    def set_epoch(self, epoch: int) -> None:
        """Tell the sampler which epoch begins, where it has ``set_epoch`` (a ``DistributedSampler``
        seeds its shuffle with ``seed + epoch``; in PyTorch one calls
        ``loader.sampler.set_epoch(epoch)``); this also reaches the sampler of a ``BatchSampler``
        given as ``batch_sampler``. Samplers without it are left alone. ``fit`` calls it before each
        epoch.

        >>> from netgrad.utils.data import DataLoader
        >>> from netgrad.utils.data.distributed import DistributedSampler
        >>> sampler = DistributedSampler(range(8), num_replicas=2, rank=0, seed=0)
        >>> loader = DataLoader(range(8), batch_size=4, sampler=sampler)
        >>> loader.set_epoch(3); sampler.epoch
        3
        """
        for s in (self.sampler, self.batch_sampler, getattr(self.batch_sampler, "sampler", None)):
            if callable(getattr(s, "set_epoch", None)):
                s.set_epoch(epoch)
                return

    def _fetch(self, ids: Any) -> Any:
        getitems = getattr(self.dataset, "__getitems__", None)
        items = getitems(list(ids)) if callable(getitems) else [self.dataset[i] for i in ids]
        return self.collate_fn(items)

    def _batches(self, order: Any, start: int = 0) -> Iterator[Any]:
        """The batches for one epoch in ``order`` (from ``_order``), from batch number ``start``."""
        if self._iterable:
            yield from itertools.islice(self._stream(), start, None)
            return
        if not self._own_batches:
            for ids in itertools.islice(order, start, None):
                yield self._fetch(ids)
            return
        if order is not None and not isinstance(order, np.ndarray):
            if self.batch_size is None:
                for i in itertools.islice(order, start, None):
                    yield self.collate_fn(self.dataset[i])
            else:
                for ids in itertools.islice(self.batch_sampler._batches(order), start, None):
                    yield self._fetch(ids)
            return
        n = len(self.dataset) if order is None else len(order)
        if self.batch_size is None:
            for i in range(start, n):
                yield self.collate_fn(self.dataset[int(order[i]) if order is not None else i])
            return
        bs = self.batch_size
        stop = n - n % bs if self.drop_last else n
        if self._fast is not None:
            arrays, base = self._fast
            for s in range(start * bs, stop, bs):
                idx: Any = slice(s, min(s + bs, n)) if order is None else order[s:s + bs]
                if base is not None:
                    idx = base[idx]
                yield [Tensor._make(a[idx]) for a in arrays]
            return
        for s in range(start * bs, stop, bs):
            yield self._fetch(order[s:s + bs].tolist() if order is not None else range(s, min(s + bs, n)))

    def _stream(self) -> Iterator[Any]:
        """An IterableDataset's examples, batched (``batch_size``) or converted one by one."""
        it = iter(self.dataset)
        if self.batch_size is None:
            for x in it:
                yield self.collate_fn(x)
            return
        while True:
            items = list(itertools.islice(it, self.batch_size))
            if not items or (self.drop_last and len(items) < self.batch_size):
                return
            yield self.collate_fn(items)
            if len(items) < self.batch_size:
                return

    def __repr__(self) -> str:
        n = len(self.dataset) if hasattr(self.dataset, "__len__") else "?"
        return (f"DataLoader({n} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")
