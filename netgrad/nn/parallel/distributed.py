"""``DistributedDataParallel``: data-parallel training over ``netgrad.distributed`` (MPI).

Each rank runs the same model on its own part of the batch; backward leaves every rank holding
the gradient averaged over the ranks, so that identical optimisers keep identical parameters.

How the gradients travel. The parameters are grouped, in reverse registration order (about the
order backward produces their gradients), into buckets of at most ``bucket_cap_mb`` megabytes of
one dtype. A hook on each parameter (``Tensor.register_hook``: a leaf's hook sees its summed
gradient once, as in PyTorch) copies the gradient into its bucket's flat buffer; when a bucket is
full, a non-blocking allreduce (``MPI_Iallreduce``) is started on it at once, buckets always in
the same order on every rank. The hook that delivers the last expected gradient waits for all
buckets and writes the averages into ``.grad``. Waiting there, rather than in ``optimizer.step``
or a post-backward callback, keeps DDP independent of the optimiser (netgrad's engine has no
queue of post-backward callbacks, and the optimiser does not know about DDP): ``.grad`` holds the
average as soon as ``backward()`` returns, so gradient clipping, ``fit``'s gradient norm or any
code reading ``.grad`` sees what PyTorch's DDP would give.

Overlap: netgrad's engine (``autograd/engine.py``), as PyTorch's, runs a hooked leaf's hooks as
soon as its last incoming gradient has arrived, so the last layers' buckets are started while
backward still computes the first layers' gradients. How far the transfer itself progresses
meanwhile is up to the MPI library (without an asynchronous progress thread, much of it happens in
the final ``Waitall``).

``no_sync()``: backward inside it only accumulates local gradients; the first backward outside
averages the accumulated ``.grad``. Parameters that take no part in the loss: with
``find_unused_parameters=True`` each forward finds them from the output's graph, and their
buckets are completed with zeros (plus any accumulated gradient); otherwise an unfinished
reduction is reported at the next forward, as PyTorch does.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

from ...autograd import Tensor, no_grad
from ..module import Module

__all__ = ["DistributedDataParallel"]


class _Bucket:
    def __init__(self, index: int, params: list[tuple[int, Tensor]]) -> None:
        self.index = index
        self.params = params  # [(param_index, param)]
        self.dtype = params[0][1]._data.dtype
        self.offsets: list[int] = []
        n = 0
        for _, p in params:
            self.offsets.append(n)
            n += p._data.size
        self.numel = n
        self.buffer = np.empty(n, dtype=self.dtype)
        self.pending = 0
        self.request: Any = None



class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training on the ranks of ``netgrad.distributed``'s group.

    On construction rank 0's parameters and buffers are broadcast to every rank (after checking
    that every rank's parameters have the same names, shapes and dtypes). ``forward`` calls the
    module (broadcasting rank 0's buffers first when ``broadcast_buffers``, e.g. BatchNorm's running
    statistics); ``backward`` then averages the gradients over the ranks (see the module
    docstring). ``device_ids``, ``output_device``, ``dim``, ``process_group`` (None only),
    ``gradient_as_bucket_view`` and ``static_graph`` are PyTorch's and have no effect here.
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False, **kwargs: Any) -> None:
        super().__init__()
        from ... import distributed as dist

        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module, got {type(module).__name__}")
        if not dist.is_initialized():
            raise ValueError("DistributedDataParallel: Default process group has not been initialized, "
                             "please make sure to call init_process_group (netgrad.distributed).")
        if process_group is not None and process_group is not dist.group.WORLD:
            raise ValueError("DistributedDataParallel: netgrad.distributed has only the default group")
        cap = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        if cap <= 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.find_unused_parameters = bool(find_unused_parameters)
        self.bucket_cap_mb = cap
        self.require_backward_grad_sync = True
        self.dim, self.device_ids, self.output_device = dim, device_ids, output_device
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._dist = dist
        self._world = dist.get_world_size()
        _check_same_parameters(dist, module)
        with no_grad():
            for _, t in list(module.named_parameters()) + list(module.named_buffers()):
                dist.broadcast(t, 0)
        self._params = [p for _, p in named]
        self._buckets = _make_buckets(self._params, int(cap * 1024 * 1024))
        self._where: dict[int, tuple[_Bucket, int]] = {}
        for b in self._buckets:
            for slot, (_, p) in enumerate(b.params):
                self._where[id(p)] = (b, slot)
        self._handles = [p.register_hook(self._make_hook(p)) for p in self._params]
        self._reset()

    # ------------------------------------------------------------------ reduction state per backward
    def _reset(self) -> None:
        self._ready = 0
        self._next = 0  # the next bucket to start (buckets start in index order on every rank)
        for b in self._buckets:
            b.pending = len(b.params)
            b.request = None
        self._expected = len(self._params)
        self._active = False

    def _make_hook(self, p: Tensor) -> Any:
        def hook(grad: Tensor) -> Tensor | None:
            return self._on_grad(p, grad)

        return hook

    def _on_grad(self, p: Tensor, grad: Tensor) -> Tensor | None:
        if not self.require_backward_grad_sync or self._world == 1:
            return None
        self._active = True
        b, slot = self._where[id(p)]
        off = b.offsets[slot]
        view = b.buffer[off:off + p._data.size].reshape(p._data.shape)
        g = grad._data
        if p.grad is not None:  # accumulated under no_sync(): the sum is what gets averaged
            np.add(p.grad._data, g, out=view)
        else:
            np.copyto(view, g)
        self._mark(b)
        if self._ready < self._expected:
            return None
        # The last expected gradient: finish every bucket, then write the averages into .grad.
        avg = self._finish(exclude=p)
        p.grad = None  # the engine now stores the returned average as this parameter's gradient
        return Tensor._make(avg)

    def _mark(self, b: _Bucket) -> None:
        b.pending -= 1
        self._ready += 1
        if b.pending == 0:
            self._start_ready()

    def _start_ready(self) -> None:
        MPI = self._dist._mpi.mpi()
        comm = self._dist._state.comm
        while self._next < len(self._buckets) and self._buckets[self._next].pending == 0:
            b = self._buckets[self._next]
            b.request = comm.Iallreduce(MPI.IN_PLACE, b.buffer, op=MPI.SUM)
            self._next += 1

    def _finish(self, exclude: Tensor | None = None) -> np.ndarray | None:
        MPI = self._dist._mpi.mpi()
        MPI.Request.Waitall([b.request for b in self._buckets if b.request is not None])
        last = None
        for b in self._buckets:
            b.buffer /= self._world
            for slot, (_, p) in enumerate(b.params):
                off = b.offsets[slot]
                avg = b.buffer[off:off + p._data.size].reshape(p._data.shape)
                if p is exclude:
                    last = avg.copy()
                elif p.grad is not None and p.grad._data.dtype == avg.dtype and p.grad._data.flags.writeable:
                    np.copyto(p.grad._data, avg)
                else:
                    p.grad = Tensor._make(avg.copy())
        self._reset()
        return last

    def _prepare_unused(self, outputs: Any) -> None:
        """Mark the parameters the outputs do not depend on as ready (zero gradient)."""
        used = _reachable_leaves(outputs)
        unused = [p for p in self._params if id(p) not in used]
        self._expected = len(self._params) - len(unused)
        for p in unused:
            b, slot = self._where[id(p)]
            off = b.offsets[slot]
            view = b.buffer[off:off + p._data.size].reshape(p._data.shape)
            if p.grad is not None:
                np.copyto(view, p.grad._data)
            else:
                view[...] = 0
            b.pending -= 1
        self._start_ready()
        if self._expected == 0:  # nothing to wait for in backward: average now
            self._finish()

    # ------------------------------------------------------------------------------- Module API
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self._active:
            raise RuntimeError(
                "DistributedDataParallel: Expected to have finished reduction in the prior iteration "
                f"before starting a new one: {self._expected - self._ready} parameter(s) got no gradient "
                "in the last backward. Pass find_unused_parameters=True to DistributedDataParallel when "
                "some parameters take no part in the loss, and make sure every rank calls backward.")
        if self.broadcast_buffers and self.training and self._world > 1:
            with no_grad():
                for t in self.module.buffers():
                    self._dist.broadcast(t, 0)
        out = self.module(*inputs, **kwargs)
        if self.find_unused_parameters and self.require_backward_grad_sync and self._world > 1 \
                and self.training:
            self._reset()
            self._prepare_unused(out)
        return out

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward inside only accumulates each rank's own gradients (no communication); the
        first backward after it averages the accumulated sum."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def extra_repr(self) -> str:
        return f"world_size={self._world}, buckets={len(self._buckets)}, bucket_cap_mb={self.bucket_cap_mb:g}"


def _make_buckets(params: list[Tensor], cap_bytes: int) -> list[_Bucket]:
    buckets: list[_Bucket] = []
    cur: list[tuple[int, Tensor]] = []
    size = 0
    for i in reversed(range(len(params))):
        p = params[i]
        nbytes = p._data.nbytes
        if cur and (size + nbytes > cap_bytes or cur[0][1]._data.dtype != p._data.dtype):
            buckets.append(_Bucket(len(buckets), cur))
            cur, size = [], 0
        cur.append((i, p))
        size += nbytes
    if cur:
        buckets.append(_Bucket(len(buckets), cur))
    return buckets


def _check_same_parameters(dist: Any, module: Module) -> None:
    """Every rank must hold the same parameters (names, shapes, dtypes): else every rank raises the
    same error, naming the ranks that differ from rank 0."""
    mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in module.named_parameters()]
    mine += [(n, tuple(b.shape), str(b.dtype)) for n, b in module.named_buffers()]
    everyone: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, mine)
    ref = everyone[0]
    bad = [r for r, s in enumerate(everyone) if s != ref]
    if not bad:
        return
    r = bad[0]
    other = everyone[r]
    detail = f"rank 0 has {len(ref)} parameters and buffers, rank {r} has {len(other)}"
    for a, b in zip(ref, other):
        if a != b:
            detail = f"rank 0 has {a[0]} {a[1]} {a[2]}, rank {r} has {b[0]} {b[1]} {b[2]}"
            break
    raise ValueError(f"DistributedDataParallel: the model's parameters differ across ranks: rank(s) "
                     f"{', '.join(map(str, bad))} differ from rank 0 ({detail}); every rank must build the "
                     "same model")


def _reachable_leaves(outputs: Any) -> set[int]:
    """ids of the leaf tensors the outputs' graph reaches."""
    stack: list[Any] = []

    def collect(o: Any) -> None:
        if isinstance(o, Tensor):
            if o.grad_fn is not None:
                stack.append(o.grad_fn)
            elif o.requires_grad:
                leaves.add(id(o))
        elif isinstance(o, (list, tuple)):
            for x in o:
                collect(x)
        elif isinstance(o, dict):
            for x in o.values():
                collect(x)

    leaves: set[int] = set()
    collect(outputs)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for e in getattr(node, "_edges", ()) or ():
            if e is None:
                continue
            tgt = e[0]
            if isinstance(tgt, Tensor):
                leaves.add(id(tgt))
            else:
                stack.append(tgt)
    return leaves
