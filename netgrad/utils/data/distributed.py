"""``DistributedSampler``: each rank's share of a data set, as PyTorch's
``torch.utils.data.distributed.DistributedSampler``, index for index.

The epoch's order is PyTorch's ``torch.randperm(n, generator=torch.Generator().manual_seed(seed +
epoch))``: a Fisher-Yates shuffle driven by the 32-bit Mersenne Twister seeded with the low 32 bits
of ``seed + epoch`` (NumPy's ``RandomState`` is that same generator), so every rank of a netgrad
job, and a PyTorch job with the same seed, epoch and world size, reads the same samples. The
order is padded by repeating its start (or cut, with ``drop_last``) to a multiple of the world
size and rank ``r`` takes every ``num_replicas``-th index from ``r``.

>>> from netgrad.utils.data.distributed import DistributedSampler
>>> [list(DistributedSampler(range(10), num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
[[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
>>> s = DistributedSampler(range(10), num_replicas=2, rank=0, seed=0); s.set_epoch(1); len(s)
5
"""

from __future__ import annotations

import math
from typing import Iterator, Sized

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]


def torch_randperm(n: int, seed: int) -> np.ndarray:
    """PyTorch's CPU ``randperm(n)`` from a generator seeded with ``seed``: for i < n - 1, swap
    position i with i + (r_i mod (n - i)), r_i the Mersenne Twister's i-th 32-bit output."""
    idx = np.arange(n, dtype=np.int64)
    if n < 2:
        return idx
    raw = np.random.RandomState(int(seed) & 0xFFFFFFFF).randint(0, 2**32, size=n - 1, dtype=np.uint32)
    z = (raw.astype(np.int64) % (n - np.arange(n - 1, dtype=np.int64))).tolist()
    out = idx.tolist()
    for i, zi in enumerate(z):
        j = i + zi
        out[i], out[j] = out[j], out[i]
    return np.asarray(out, dtype=np.int64)


class DistributedSampler(Sampler):
    """This rank's indices of ``dataset``: ``num_replicas`` and ``rank`` default to the process
    group's (``netgrad.distributed``); ``shuffle`` with ``seed``; call ``set_epoch(epoch)`` at the
    start of each epoch (``fit`` does it) so each epoch has its own order, the same on every rank.
    Without ``drop_last`` every rank gets ``ceil(N / num_replicas)`` indices (the order padded with
    its first ones); with it, ``floor(N / num_replicas)``."""

    def __init__(self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from ... import distributed as dist

            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler: num_replicas and rank default to the process "
                                   "group's, but netgrad.distributed is not initialized (call "
                                   "init_process_group, or pass num_replicas and rank)")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if int(num_replicas) < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be positive, got {num_replicas}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas, self.rank = int(num_replicas), int(rank)
        self.epoch = 0
        self.drop_last = bool(drop_last)
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle, self.seed = bool(shuffle), int(seed)

    def _indices(self) -> np.ndarray:
        n = len(self.dataset)
        order = torch_randperm(n, self.seed + self.epoch) if self.shuffle else np.arange(n, dtype=np.int64)
        if not self.drop_last:
            pad = self.total_size - n
            if pad > 0:
                order = np.concatenate([order, np.resize(order, pad)]) if n else order
        else:
            order = order[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """The epoch whose order ``__iter__`` gives (shuffle: seeded with ``seed + epoch``)."""
        self.epoch = int(epoch)

