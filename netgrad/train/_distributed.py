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
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(epoch)

    def any(self, flag: bool) -> bool:
        return flag

    def agree(self, value: Any) -> Any:
        return value

    def reduce_epoch(self, acc: Any) -> None:
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
    active = True

    def __init__(self, dist: Any):
        self.dist = dist
        self.rank, self.size = dist.get_rank(), dist.get_world_size()
        self.MPI = dist._mpi.mpi()
        self.comm = dist._state.comm
        self._flag = np.zeros(1, dtype=np.int32)  # one per batch: a raw buffer, no pickling

    def loader(self, data: Any, batch_size: Any, shuffle: bool, generator: Any, dtype: Any) -> Any:
        from ..data import DataLoader
        from ..utils.data.distributed import DistributedSampler
        from .loop import make_loader

        if isinstance(data, DataLoader):
            return None
        base = make_loader(data, None, dtype=dtype)
        seed = generator.initial_seed() if generator is not None else None
        seed = self.comm.bcast(0 if seed is None else int(seed), root=0)
        sampler = DistributedSampler(base.dataset, num_replicas=self.size, rank=self.rank, shuffle=shuffle,
                                     seed=seed)
        bs = len(sampler) if batch_size is None else min(int(batch_size), len(sampler))
        return DataLoader(base.dataset, batch_size=max(bs, 1), sampler=sampler)

    def any(self, flag: bool) -> bool:
        self._flag[0] = bool(flag)
        self.comm.Allreduce(self.MPI.IN_PLACE, self._flag, op=self.MPI.MAX)
        return bool(self._flag[0])

    def agree(self, value: Any) -> Any:
        return self.comm.bcast(value, root=0)

    def reduce_epoch(self, acc: Any) -> None:
        MPI, comm = self.MPI, self.comm
        head = np.array([acc.loss_sum, float(acc.count)])
        comm.Allreduce(MPI.IN_PLACE, head, op=MPI.SUM)
        acc.loss_sum, acc.count = float(head[0]), int(round(head[1]))
        for g in acc.grad:
            buf = np.ascontiguousarray(g)
            comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
            if buf is not g:
                g[...] = buf
        if acc.keep_preds:
            acc.preds = [_gather_rows(comm, MPI, acc.preds)]
            acc.targets = [_gather_rows(comm, MPI, acc.targets)]

    def exists(self, path: Any) -> bool:
        here = path is not None and os.path.exists(path)
        seen = self.comm.allgather(here)
        if any(seen) and not all(seen):
            missing = [r for r, s in enumerate(seen) if not s]
            raise FileNotFoundError(f"fit: the checkpoint {os.fspath(path)} exists on some ranks but not "
                                    f"on rank(s) {', '.join(map(str, missing))}: resuming needs it on every "
                                    "rank (a shared file system)")
        return here


def _gather_rows(comm: Any, MPI: Any, parts: list[np.ndarray]) -> np.ndarray:
    """Every rank's rows, concatenated in rank order (Allgatherv on the raw buffers)."""
    local = np.ascontiguousarray(np.concatenate(parts)) if parts else None
    meta = comm.allgather(None if local is None else (local.shape, local.dtype.str))
    ref = next((m for m in meta if m is not None), None)
    if ref is None:
        return np.empty(0)
    tail, dt = tuple(ref[0][1:]), np.dtype(ref[1])
    if local is None:
        local = np.empty((0,) + tail, dtype=dt)
    local = local.astype(dt, copy=False)
    rows = [0 if m is None else m[0][0] for m in meta]
    width = int(np.prod(tail, dtype=np.int64)) if tail else 1
    counts = [r * width for r in rows]
    out = np.empty((sum(rows),) + tail, dtype=dt)
    comm.Allgatherv(local, [out, counts])
    return out


def ranks() -> Ranks:
    """The ranks of ``netgrad.distributed``'s group when it is initialised with several, else one."""
    import sys

    dist = sys.modules.get("netgrad.distributed")
    if dist is None or not dist.is_initialized() or dist.get_world_size() == 1:
        return Ranks()
    return _MPIRanks(dist)
