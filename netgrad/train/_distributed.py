"""What ``fit`` does differently on several ranks (``netgrad.distributed`` initialised, world size
above 1), in one object so that fit's loop reads the same in both cases.

- Data given as arrays or a Dataset is split with a ``DistributedSampler`` (``batch_size`` is per
  rank, as in PyTorch; its seed is rank 0's ``generator`` seed); a loader whose sampler has
  ``set_epoch`` gets it at the start of each epoch.
- The epoch's loss, example count and gradient sums are summed over the ranks and the metrics'
  predictions gathered, so every rank logs the same History.
- Decisions that could differ between ranks (Ctrl-C, time limit, callbacks) are rank 0's.
- Only rank 0 prints progress and writes checkpoints; every rank reads the checkpoint on resume,
  which refuses a different world size. An interrupt saves no partial epoch: the job resumes from
  the last finished epoch.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..autograd.creation import from_numpy

__all__ = ["Ranks", "ranks"]


class Ranks:
    """One process (the default): every method is the identity."""

    rank, size, active = 0, 1, False

    @property
    def main(self) -> bool:
        return self.rank == 0

    def loader(self, data: Any, batch_size: Any, shuffle: bool, generator: Any, dtype: Any) -> Any:
        return None

    def set_epoch(self, loader: Any, epoch: int) -> None:
        loader.set_epoch(epoch)

    def any(self, flag: bool) -> bool:
        return flag

    def agree(self, value: Any) -> Any:
        return value

    def reduce_epoch(self, stats: Any) -> None:
        pass

    def check_resume(self, path: Any, state: dict[str, Any]) -> None:
        ws = int(state.get("world_size", 1))
        if ws != self.size:
            raise ValueError(f"fit: the checkpoint {os.fspath(path)} was written by a job of {ws} "
                             f"process(es), this job has {self.size}: resume with the same number of "
                             f"processes (--nproc {ws}), or start again without the checkpoint")

    def exists(self, path: Any) -> bool:
        return path is not None and os.path.exists(path)


class _MPIRanks(Ranks):
    """Several ranks, through ``netgrad.distributed``'s collectives."""

    active = True

    def __init__(self, dist: Any):
        self.dist = dist
        self.rank, self.size = dist.get_rank(), dist.get_world_size()

    def loader(self, data: Any, batch_size: Any, shuffle: bool, generator: Any, dtype: Any) -> Any:
        from ..data import DataLoader
        from ..utils.data.distributed import DistributedSampler
        from .loop import make_loader

        if isinstance(data, DataLoader):
            return None
        base = make_loader(data, None, dtype=dtype)
        seed = generator.initial_seed() if generator is not None else None
        seed = self.agree(0 if seed is None else int(seed))
        sampler = DistributedSampler(base.dataset, num_replicas=self.size, rank=self.rank, shuffle=shuffle,
                                     seed=seed)
        bs = len(sampler) if batch_size is None else min(int(batch_size), len(sampler))
        return DataLoader(base.dataset, batch_size=max(bs, 1), sampler=sampler)

    def any(self, flag: bool) -> bool:
        t = from_numpy(np.array([int(bool(flag))], dtype=np.int32))  # a raw buffer, no pickling
        self.dist.all_reduce(t, op=self.dist.ReduceOp.MAX)
        return bool(t.item())

    def agree(self, value: Any) -> Any:
        box = [value]
        self.dist.broadcast_object_list(box, src=0)
        return box[0]

    def reduce_epoch(self, stats: Any) -> None:
        head = from_numpy(np.array([stats.loss_sum, float(stats.count)]))
        self.dist.all_reduce(head)
        stats.loss_sum, stats.count = float(head[0].item()), int(round(head[1].item()))
        for g in stats.grad_sum:
            self.dist.all_reduce(from_numpy(g))  # in place: into g itself, or copied back into it
        if stats.keep_outputs:
            stats.outputs = [self.gather_rows(stats.outputs)]
            stats.targets = [self.gather_rows(stats.targets)]

    def gather_rows(self, parts: list[np.ndarray]) -> np.ndarray:
        """Every rank's rows, concatenated in rank order."""
        seen: list[Any] = [None] * self.size
        self.dist.all_gather_object(seen, np.concatenate(parts) if parts else None)
        rows = [a for a in seen if a is not None]
        return np.concatenate(rows) if rows else np.empty(0)

    def exists(self, path: Any) -> bool:
        here = path is not None and os.path.exists(path)
        seen: list[Any] = [None] * self.size
        self.dist.all_gather_object(seen, here)
        if any(seen) and not all(seen):
            missing = [r for r, s in enumerate(seen) if not s]
            raise FileNotFoundError(f"fit: the checkpoint {os.fspath(path)} exists on some ranks but not "
                                    f"on rank(s) {', '.join(map(str, missing))}: resuming needs it on every "
                                    "rank (a shared file system)")
        return here


def ranks() -> Ranks:
    """The ranks of ``netgrad.distributed``'s group when it is initialised with several, else one."""
    import sys

    dist = sys.modules.get("netgrad.distributed")
    if dist is None or not dist.is_initialized() or dist.get_world_size() == 1:
        return Ranks()
    return _MPIRanks(dist)
