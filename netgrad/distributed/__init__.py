"""``netgrad.distributed``: PyTorch's ``torch.distributed`` collectives over MPI (mpi4py).

Start the processes with an MPI launcher (``mpiexec -n 2 python train.py``, or ``netgrad train
--nproc 2``), then in each::

    import netgrad.distributed as dist
    dist.init_process_group(backend="mpi")
    dist.all_reduce(t, op=dist.ReduceOp.SUM)      # in place, on every rank

Tensors travel as raw buffers (mpi4py's upper-case, buffer-based calls: no pickling of arrays);
only ``*_object`` functions pickle, as in PyTorch. One process group, ``COMM_WORLD``: the
``group`` arguments accept None (or ``group.WORLD``) only. ``async_op=True`` returns a ``Work``
whose ``wait()`` completes it. Faults: after ``init_process_group`` an uncaught exception on any
rank prints the traceback with the rank's name and aborts the whole job (MPI_Abort), so no rank
is left waiting in a collective; a rank killed by a signal is reported and the job ended by the
MPI launcher. Needs ``pip install 'netgrad[distributed]'`` (mpi4py + MPICH from PyPI).

Before ``init_process_group`` there is no group to ask:

>>> import netgrad.distributed as dist
>>> dist.is_initialized()
False
>>> dist.get_world_size()
Traceback (most recent call last):
...
ValueError: get_world_size: Default process group has not been initialized, ...
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..autograd.tensor import version_box
from . import _mpi

__all__ = [
    "ReduceOp", "Work", "GroupMember", "group", "is_available", "is_mpi_available", "init_process_group",
    "is_initialized", "destroy_process_group", "get_rank", "get_world_size", "get_backend", "barrier",
    "all_reduce", "broadcast", "all_gather", "reduce", "all_gather_object", "broadcast_object_list",
]


class ReduceOp:
    """The reduction of ``all_reduce`` and ``reduce``: ``ReduceOp.SUM``, ``PRODUCT``, ``MIN``, ``MAX``,
    ``AVG`` (the mean over ranks), ``BAND``, ``BOR``, ``BXOR``."""

    SUM = "SUM"
    PRODUCT = "PRODUCT"
    MIN = "MIN"
    MAX = "MAX"
    AVG = "AVG"
    BAND = "BAND"
    BOR = "BOR"
    BXOR = "BXOR"


_MPI_OPS = {"SUM": "SUM", "PRODUCT": "PROD", "MIN": "MIN", "MAX": "MAX", "AVG": "SUM", "BAND": "BAND",
            "BOR": "BOR", "BXOR": "BXOR"}


class _State:
    initialized = False
    comm: Any = None
    rank = 0
    size = 1


_state = _State()


class _World:
    """The default group (``group.WORLD``), the only one there is."""

    def __repr__(self) -> str:
        return "<netgrad.distributed group WORLD>"


class group:  # noqa: N801  (torch.distributed.group)
    WORLD = _World()


class GroupMember:
    WORLD = group.WORLD
    NON_GROUP_MEMBER = None


def is_available() -> bool:
    """True when mpi4py can be imported (``pip install 'netgrad[distributed]'``)."""
    return _mpi.available()


def is_mpi_available() -> bool:
    return _mpi.available()


def _check_group(group_: Any, op: str) -> None:
    if group_ is not None and group_ is not group.WORLD:
        raise ValueError(f"{op}: netgrad.distributed has only the default group (group=None)")


def _comm(op: str) -> Any:
    if not _state.initialized:
        raise ValueError(f"{op}: Default process group has not been initialized, please make sure to "
                         "call init_process_group.")
    return _state.comm


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout: Any = None,
                       world_size: int = -1, rank: int = -1, store: Any = None, group_name: str = "",
                       pg_options: Any = None, device_id: Any = None) -> None:
    """Join the job started by the MPI launcher: rank and world size come from MPI (``rank`` and
    ``world_size``, when given, must agree with them). Only ``backend='mpi'`` (or None) exists;
    ``init_method``, ``store`` and ``timeout`` are accepted for PyTorch compatibility and ignored
    (MPI's launcher does the rendezvous)."""
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(f"init_process_group: netgrad supports backend='mpi' only, got {backend!r} "
                         "(start the processes with mpiexec, or `netgrad train --nproc N`)")
    if _state.initialized:
        raise RuntimeError("trying to initialize the default process group twice!")
    MPI = _mpi.mpi()
    comm = MPI.COMM_WORLD
    r, n = comm.Get_rank(), comm.Get_size()
    if world_size not in (-1, None) and int(world_size) != n:
        raise ValueError(f"init_process_group: world_size={world_size}, but MPI started {n} process(es) "
                         f"(mpiexec -n {n})")
    if rank not in (-1, None) and int(rank) != r:
        raise ValueError(f"init_process_group: rank={rank}, but MPI gave this process rank {r}")
    _state.comm, _state.rank, _state.size, _state.initialized = comm, r, n, True
    _mpi.install_abort_hooks(r, n)


def is_initialized() -> bool:
    return _state.initialized


def destroy_process_group(group: Any = None) -> None:
    """Leave the default group (MPI itself is finalised when the process exits)."""
    _check_group(group, "destroy_process_group")
    _state.initialized, _state.comm, _state.rank, _state.size = False, None, 0, 1


def get_rank(group: Any = None) -> int:
    _check_group(group, "get_rank")
    _comm("get_rank")
    return _state.rank


def get_world_size(group: Any = None) -> int:
    _check_group(group, "get_world_size")
    _comm("get_world_size")
    return _state.size


def get_backend(group: Any = None) -> str:
    _check_group(group, "get_backend")
    _comm("get_backend")
    return "mpi"


class Work:
    """A pending non-blocking collective (``async_op=True``); ``wait()`` completes it."""

    def __init__(self, request: Any = None, finish: Any = None):
        self._request, self._finish, self._done = request, finish, request is None

    def wait(self, timeout: Any = None) -> bool:
        if not self._done:
            self._request.Wait()
            self._done = True
            if self._finish is not None:
                self._finish()
        return True

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self.wait()
        return self._done


def _tensor(t: Any, op: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(t).__name__}")
    return t


def _buffer(t: Tensor) -> tuple[np.ndarray, bool]:
    """The tensor's memory as a contiguous array to send or receive into; True when it is a copy
    that must be written back."""
    arr = t._data
    if arr.flags.c_contiguous and arr.flags.writeable:
        return arr, False
    return np.ascontiguousarray(arr), True


def _written(t: Tensor, buf: np.ndarray, copied: bool) -> None:
    if copied:
        np.copyto(t._data, buf)
    version_box(t)[0] += 1


def _op(op: Any, name: str) -> Any:
    key = getattr(op, "name", op)
    if key not in _MPI_OPS:
        raise ValueError(f"{name}: unknown reduce op {op!r} (use netgrad.distributed.ReduceOp)")
    return getattr(_mpi.mpi(), _MPI_OPS[key]), key == "AVG"


def _divide(buf: np.ndarray, n: int) -> None:
    if buf.dtype.kind == "f" or buf.dtype.kind == "c":
        buf /= n
    else:
        np.floor_divide(buf, n, out=buf)


def all_reduce(tensor: Tensor, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> Any:
    """Reduce ``tensor`` over all ranks with ``op``; every rank gets the result, in place."""
    t = _tensor(tensor, "all_reduce")
    _check_group(group, "all_reduce")
    comm = _comm("all_reduce")
    mop, avg = _op(op, "all_reduce")
    buf, copied = _buffer(t)
    n = _state.size

    def finish() -> None:
        if avg:
            _divide(buf, n)
        _written(t, buf, copied)

    if async_op:
        return Work(comm.Iallreduce(_mpi.mpi().IN_PLACE, buf, op=mop), finish)
    if n > 1:
        comm.Allreduce(_mpi.mpi().IN_PLACE, buf, op=mop)
    finish()
    return None


def reduce(tensor: Tensor, dst: int = 0, op: Any = ReduceOp.SUM, group: Any = None,
           async_op: bool = False, group_dst: int | None = None) -> Any:
    """Reduce ``tensor`` over all ranks with ``op`` into rank ``dst``'s tensor (the others' are
    left as they were)."""
    t = _tensor(tensor, "reduce")
    _check_group(group, "reduce")
    comm = _comm("reduce")
    dst = _root(dst if group_dst is None else group_dst, "reduce", "dst")
    mop, avg = _op(op, "reduce")
    buf, copied = _buffer(t)
    mine = _state.rank == dst
    MPI = _mpi.mpi()
    send = MPI.IN_PLACE if mine else buf
    recv = buf if mine else None

    def finish() -> None:
        if mine:
            if avg:
                _divide(buf, _state.size)
            _written(t, buf, copied)

    if async_op:
        return Work(comm.Ireduce(send, recv, op=mop, root=dst), finish)
    if _state.size > 1:
        comm.Reduce(send, recv, op=mop, root=dst)
    finish()
    return None


def _root(r: Any, op: str, name: str) -> int:
    r = int(r)
    if not 0 <= r < _state.size:
        raise ValueError(f"{op}: {name}={r} is not a rank of this group (world size {_state.size})")
    return r


def broadcast(tensor: Tensor, src: int = 0, group: Any = None, async_op: bool = False,
              group_src: int | None = None) -> Any:
    """Copy rank ``src``'s ``tensor`` into every rank's ``tensor`` (same shape and dtype on all)."""
    t = _tensor(tensor, "broadcast")
    _check_group(group, "broadcast")
    comm = _comm("broadcast")
    src = _root(src if group_src is None else group_src, "broadcast", "src")
    buf, copied = _buffer(t)

    def finish() -> None:
        if _state.rank != src:
            _written(t, buf, copied)

    if async_op:
        return Work(comm.Ibcast(buf, root=src), finish)
    if _state.size > 1:
        comm.Bcast(buf, root=src)
    finish()
    return None


def all_gather(tensor_list: list, tensor: Tensor, group: Any = None, async_op: bool = False) -> Any:
    """Fill ``tensor_list`` (one tensor per rank, each of ``tensor``'s shape and dtype) with every
    rank's ``tensor``, in rank order."""
    t = _tensor(tensor, "all_gather")
    _check_group(group, "all_gather")
    comm = _comm("all_gather")
    n = _state.size
    if not isinstance(tensor_list, list) or len(tensor_list) != n:
        got = len(tensor_list) if isinstance(tensor_list, list) else type(tensor_list).__name__
        raise ValueError(f"all_gather: tensor_list must be a list of {n} tensors (one per rank), got {got}")
    for k, out in enumerate(tensor_list):
        _tensor(out, "all_gather")
        if tuple(out.shape) != tuple(t.shape) or out.dtype != t.dtype:
            raise ValueError(f"all_gather: tensor_list[{k}] has shape {tuple(out.shape)} and dtype "
                             f"{out.dtype}, expected {tuple(t.shape)} and {t.dtype} (the input tensor's)")
    send = np.ascontiguousarray(t._data)
    recv = np.empty((n,) + send.shape, dtype=send.dtype)

    def finish() -> None:
        for k, out in enumerate(tensor_list):
            np.copyto(out._data, recv[k])
            version_box(out)[0] += 1

    if async_op:
        return Work(comm.Iallgather(send, recv), finish)
    comm.Allgather(send, recv)
    finish()
    return None


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Any:
    """Wait until every rank has reached the barrier."""
    _check_group(group, "barrier")
    comm = _comm("barrier")
    if async_op:
        return Work(comm.Ibarrier())
    comm.Barrier()
    return None


def all_gather_object(object_list: list, obj: Any, group: Any = None) -> None:
    """Fill ``object_list`` with every rank's (picklable) ``obj``, in rank order."""
    _check_group(group, "all_gather_object")
    comm = _comm("all_gather_object")
    if not isinstance(object_list, list) or len(object_list) != _state.size:
        raise ValueError(f"all_gather_object: object_list must be a list of {_state.size} entries")
    object_list[:] = comm.allgather(obj)


def broadcast_object_list(object_list: list, src: int = 0, group: Any = None, device: Any = None) -> None:
    """Replace ``object_list``'s entries on every rank with rank ``src``'s (picklable) objects."""
    _check_group(group, "broadcast_object_list")
    comm = _comm("broadcast_object_list")
    object_list[:] = comm.bcast(list(object_list), root=_root(src, "broadcast_object_list", "src"))


def _abort(message: str, code: int = 1) -> None:
    """Print ``message`` naming this rank and end every rank of the job."""
    sys.stdout.flush()
    err = sys.__stderr__ or sys.stderr
    err.write(f"netgrad.distributed: rank {_state.rank} of {_state.size}: {message}\n")
    err.flush()
    if _state.size > 1:
        _mpi.mpi().COMM_WORLD.Abort(code)
    raise SystemExit(code)
