"""The backward engine: iterative, deterministic reverse-mode accumulation over the graph.

Nodes are visited in a topological order computed without recursion, so a chain 10,000 ops deep
is fine. Each incoming gradient is reduced to its input's shape here, in one place, which undoes
NumPy broadcasting for every op.

>>> import netgrad as ng
>>> w = ng.tensor([1.0, 2.0], requires_grad=True)
>>> (w * 3).sum().backward()
>>> w.grad
tensor([3., 3.])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .anomaly import anomaly_mode, check_backward
from .errors import GraphError, ShapeError
from .function import _FREED_MSG, Function
from .grad_mode import _state
from .tensor import Tensor, as_array

_make = Tensor._make


def sum_to_array(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if g.shape == shape:
        return g
    if g.ndim > 1 and g.shape[1:] == shape:  # a bias over the batch: the common case, kept lean
        return np.add.reduce(g, axis=0)
    lead = g.ndim - len(shape)
    if lead < 0:
        raise ShapeError(f"backward: gradient of shape {g.shape} cannot be reduced to shape {shape}")
    stretched = tuple(i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if stretched:
        out = g.sum(axis=tuple(range(lead)) + stretched, keepdims=True)
        out = out.reshape(out.shape[lead:])
    else:  # the common case (a bias over the batch): a fresh array, no view to copy later
        out = g.sum(axis=tuple(range(lead)))
    if out.shape != shape:
        raise ShapeError(f"backward: gradient of shape {g.shape} does not broadcast to shape {shape}")
    return out


class SumTo(Function):
    """y = sum of g over broadcast axes (the adjoint of broadcasting); dy/dg = broadcast back."""

    _array_backward = True

    @staticmethod
    def forward(ctx, g, shape):
        ctx.in_shape = g.shape
        return sum_to_array(g._data, tuple(shape))

    @staticmethod
    def backward(ctx, grad):
        return broadcast_to(grad, ctx.in_shape), None


class BroadcastTo(Function):
    """y = x broadcast to ``shape`` (PyTorch's expand); dJ/dx = sum of dJ/dy over the new axes."""

    _array_backward = True
    _torch_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        try:
            return np.broadcast_to(x._data, tuple(shape))
        except ValueError:
            raise ShapeError(f"expand: cannot broadcast shape {x.shape} to {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        # The engine reduces to the input's shape; the grad itself passes through.
        return grad, None


def sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """``sum_to_array`` for arrays; a recorded op for tensors (double backward)."""
    if isinstance(g, Tensor):
        return g if g.shape == shape else SumTo.apply(g, shape)
    return sum_to_array(g, shape)


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    if isinstance(x, Tensor):
        return x if x.shape == tuple(shape) else BroadcastTo.apply(x, shape)
    return np.broadcast_to(x, shape)


def _root_grad(t: Tensor, g: Any, arrays: bool) -> Any:
    if g is None:
        if t._data.size != 1:
            raise GraphError(
                f"backward: grad can be implicitly created only for a one-element output, got shape "
                f"{t.shape}; pass gradient= of that shape (e.g. y.backward(ng.ones_like(y)))"
            )
        arr = np.array(1, dtype=t.dtype) if t._data.ndim == 0 else np.ones(t.shape, dtype=t.dtype)
        return arr if arrays else _make(arr)
    if isinstance(g, Tensor):
        arr = g._data
    else:
        arr = as_array(g, dtype=t.dtype)
    if arr.shape != t.shape:
        raise ShapeError(f"backward: gradient has shape {arr.shape} but the output has shape {t.shape}")
    if arrays:
        return arr.astype(t.dtype, copy=False)
    return g if isinstance(g, Tensor) else _make(arr.astype(t.dtype, copy=False))


class _Sink:
    """Where gradients for leaves go: into ``.grad`` (backward), or into the results of
    ``autograd.grad`` for the requested ``inputs`` (leaves' ``.grad`` untouched)."""

    def __init__(self, inputs: Sequence[Tensor] | None, arrays: bool):
        self.arrays = arrays
        self.leaf_hooks = Tensor._n_leaf_hooks > 0  # while none was ever registered, skip looking
        self.capturing = inputs is not None
        self.results: list = [None] * len(inputs) if inputs is not None else []
        self.leaves: dict[int, int] = {}  # id(leaf) -> position in inputs
        self.nodes: dict[tuple[Function, int], int] = {}  # (node, output) -> position in inputs
        self.repeats: list[tuple[int, int]] = []
        # Arrays already handed to a leaf or a root: copy before handing the same one out again.
        # Keyed by id but holding the array, so that a freed array's id cannot be reused and
        # mistaken for it (which would cost a spurious copy).
        self.handed: dict[int, Any] = {}
        self.fresh: dict[int, Any] = {}  # autograd.grad results known to own their memory
        self.pending: dict[int, tuple[Tensor, Any]] = {}  # hooked leaves: id -> (leaf, summed grad)
        self.hooked: dict[int, int] = {}  # hooked leaves: id -> edges into it still to come
        for k, t in enumerate(inputs or ()):
            if not isinstance(t, Tensor) or not t._requires_grad:
                raise GraphError(f"grad: input {k} does not require grad")
            table, key = (self.leaves, id(t)) if t.grad_fn is None else (self.nodes, (t.grad_fn, t._out_idx))
            if key in table:  # the same tensor listed twice: it gets the same gradient twice
                self.repeats.append((k, table[key]))
            else:
                table[key] = k

    def leaf(self, leaf: Tensor, g: Any, fresh: bool) -> None:
        """Add g to the leaf's gradient. A first gradient becomes ``.grad`` as it is only when
        the op that made it declared it an array of its own (``fresh``) and it was not handed out
        before; anything else (a view, the caller's gradient, Add's (g, g)) is copied, so that
        every ``.grad`` owns its memory and in-place changes of one never reach another."""
        if self.capturing:
            k = self.leaves.get(id(leaf))
            if k is not None:
                if self.results[k] is None:
                    self.results[k] = g
                    if fresh and self.arrays:
                        self.fresh[id(g)] = g
                else:
                    self.results[k] = g = self.results[k] + g
                    self.fresh[id(g)] = g
            return
        if leaf.grad is not None:
            if self.arrays:
                leaf.grad._data = leaf.grad._data + g
            else:
                leaf.grad = leaf.grad + g
            return
        if self.arrays:
            if not fresh or id(g) in self.handed:
                g = np.copy(g, order="K")  # in its own layout, as the op made it
            self.handed[id(g)] = g
            leaf.grad = _make(g)
        else:
            leaf.grad = g if id(g) not in self.handed else g.clone()
            self.handed[id(g)] = g

    def pend(self, leaf: Tensor, g: Any) -> None:
        """Hold a hooked leaf's gradient until backward has summed every path into it: its hooks
        see dJ/dleaf once, as in PyTorch."""
        prev = self.pending.get(id(leaf))
        self.pending[id(leaf)] = (leaf, g if prev is None else prev[1] + g)

    def arrived(self, leaf: Tensor, g: Any) -> None:
        """One more edge into a hooked leaf is done (g None: it sent nothing). After the last,
        its hooks run at once, while backward goes on elsewhere (DDP starts its allreduce here)."""
        if g is not None:
            self.pend(leaf, g)
        left = self.hooked[id(leaf)] = self.hooked[id(leaf)] - 1
        if left == 0:
            self.flush(leaf)

    def flush(self, leaf: Tensor) -> None:
        entry = self.pending.pop(id(leaf), None)
        if entry is not None:
            (g,) = _run_hooks({0: leaf._hooks}, [entry[1]], self.arrays)
            self.leaf(leaf, g, False)

    def flush_pending(self) -> None:
        for leaf, _ in list(self.pending.values()):
            self.flush(leaf)

    def node_output(self, node: Function, grads: list) -> None:
        for idx, g in enumerate(grads):
            k = self.nodes.get((node, idx))
            if k is not None:
                self.results[k] = g

    def finish(self, allow_unused: bool) -> list:
        results = self.results
        for k, first in self.repeats:
            results[k] = results[first]
        if not allow_unused:
            for k, r in enumerate(results):  # not .index(None): arrays compare elementwise
                if r is None:
                    raise GraphError(f"grad: input {k} was not used to compute the outputs")
        # Like leaves' .grad, each result is a writable array of its own (not a broadcast view,
        # not shared with another result or with the caller's gradient).
        seen: set[int] = set()
        for k, r in enumerate(results):
            if r is None or isinstance(r, Tensor):
                continue
            if id(r) not in self.fresh or id(r) in seen:
                r = r.copy()
            seen.add(id(r))
            results[k] = _make(r)
        return results


def _count_dependencies(starts: list[Function], hooked: dict | None = None) -> dict[Function, int]:
    """For every node reachable from ``starts``, how many edges lead into it (iteratively); with
    ``hooked``, also how many lead into each leaf that has hooks (id -> count)."""
    deps = dict.fromkeys(starts, 0)
    stack = list(starts)
    while stack:
        node = stack.pop()
        if node._freed:
            raise GraphError(_FREED_MSG)
        for e in node._edges:
            if e is None:
                continue
            tgt = e[0]
            if isinstance(tgt, Function):
                if tgt in deps:
                    deps[tgt] += 1
                else:
                    deps[tgt] = 1
                    stack.append(tgt)
            elif hooked is not None and tgt._hooks:
                hooked[id(tgt)] = hooked.get(id(tgt), 0) + 1
    return deps


def _retain(node: Function, grads: list, arrays: bool) -> None:
    """Store gradients for the node's outputs whose tensors asked for ``retain_grad()``."""
    for idx, ref in node._retained:
        t, g = ref(), grads[idx]
        if t is None or g is None:
            continue
        if t.grad is None:
            t.grad = _make(np.array(g)) if arrays else g
        elif arrays:  # accumulates across backward calls, like a leaf's (PyTorch)
            t.grad._data = t.grad._data + g
        else:
            t.grad = t.grad + g


def _run_hooks(hooks: dict, grads: list, arrays: bool) -> list:
    """Pass each output's gradient through its tensor's hooks (``Tensor.register_hook``), in the
    order they were registered; a hook that returns a tensor replaces the gradient."""
    grads = list(grads)
    for idx, fns in hooks.items():
        g = grads[idx]
        if g is None or not fns:
            continue
        for fn in list(fns.values()):
            res = fn(_make(g) if arrays else g)
            if res is not None:
                g = res
        grads[idx] = g._data if arrays and isinstance(g, Tensor) else g
    return grads


def _conform(g: Any, edge: tuple, node: Function, arrays: bool) -> Any:
    """Bring a gradient returned by ``node.backward`` to its input's type, dtype and shape:
    the one place where broadcasting is undone."""
    _, _, shape, dtype = edge
    if arrays:
        if type(g) is not np.ndarray:
            g = g._data if isinstance(g, Tensor) else np.asarray(g)
        if g.dtype is not dtype and g.dtype != dtype:
            g = g.astype(dtype)
    else:
        if not isinstance(g, Tensor):
            g = _make(np.asarray(g))
        if g.dtype != dtype:
            g = g.to(dtype)
    if g.shape != shape:
        try:
            g = sum_to(g, shape)
        except ShapeError as err:
            raise ShapeError(f"{type(node).__name__}.backward returned a gradient that does not fit its "
                             f"input: {err}") from None
    return g


def _missing_outputs(node: Function, grads: list, arrays: bool) -> list:
    # Only a multi-output node can have an output that nothing downstream used: it contributes 0.
    zeros = [np.zeros(s, d) for s, d in node._out_meta]
    return [g if g is not None else (z if arrays else _make(z)) for g, z in zip(grads, zeros)]


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Sequence[Tensor] | None = None,
    allow_unused: bool = True,
) -> list | None:
    """Backpropagate from ``roots``: each node runs once, after every node that feeds it a
    gradient, so sensitivities are complete before they flow on. With ``inputs``, return their
    gradients instead of accumulating into ``.grad`` (``autograd.grad``).

    The steps: seed the roots' gradients; count how many edges lead into each node; then, while a
    node has all its gradients, run its backward and send the results along its edges (a node
    that got none only releases its inputs); free each node's saved values unless the graph is
    retained."""
    if retain_graph is None:
        retain_graph = create_graph
    sink = _Sink(inputs, not create_graph)
    buffers, starts = _seed(roots, root_grads, sink)
    deps = _count_dependencies(starts, sink.hooked if sink.leaf_hooks else None)
    ready = [n for n in starts if deps[n] == 0]
    prev_mode = _state.enabled
    _state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            if grads is None:
                # Every path into this node returned None: nothing flows on, but its inputs must
                # still be released, or a node they share with other paths would never run.
                _send(node, (None,) * len(node._edges), False, buffers, deps, ready, sink)
            else:
                out = _run_node(node, grads, sink, create_graph)
                _send(node, out, node._fresh_grads, buffers, deps, ready, sink)
            if not retain_graph:
                # Drop saved tensors and edges now: this is what frees the activations' memory.
                node.__dict__.clear()
                node._freed = True
        sink.flush_pending()
    finally:
        _state.enabled = prev_mode
    return sink.finish(allow_unused) if inputs is not None else None


def _seed(roots: Sequence[Tensor], root_grads: Sequence[Any], sink: _Sink) -> tuple[dict, list]:
    """The roots' gradients (ones for a scalar), in the buffers of the nodes that made them."""
    buffers: dict[Function, list] = {}
    starts: list[Function] = []
    for k, (t, g) in enumerate(zip(roots, root_grads)):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward: expected a Tensor, got {type(t).__name__}")
        if not t._requires_grad:
            raise GraphError(
                f"backward: output {k} does not require grad and has no grad_fn (was it computed "
                "under no_grad, or from tensors without requires_grad=True?)"
            )
        g = _root_grad(t, g, sink.arrays)
        sink.handed[id(g)] = g  # the caller's array: never a leaf's .grad without a copy
        fn = t.grad_fn
        if fn is None:
            sink.pend(t, g) if t._hooks else sink.leaf(t, g, False)
            continue
        if fn._freed:
            raise GraphError(_FREED_MSG)
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn._n_out
            starts.append(fn)
        i = t._out_idx
        buf[i] = g if buf[i] is None else buf[i] + g
    return buffers, starts


def _run_node(node: Function, grads: list, sink: _Sink, create_graph: bool) -> tuple:
    """Run ``node.backward`` on the gradients of its outputs (after their tensors' hooks):
    on arrays, or on tensors while building a differentiable graph (``create_graph``)."""
    arrays = sink.arrays
    if node._hooks:
        grads = _run_hooks(node._hooks, grads, arrays)
    if node._retained is not None:
        _retain(node, grads, arrays)
    if sink.nodes:
        sink.node_output(node, grads)
    if node._n_out != 1 and any(g is None for g in grads):
        grads = _missing_outputs(node, grads, arrays)
    if node._versions:
        node.check_versions()
    node.create_graph = create_graph
    if create_graph or not node._array_backward:
        grads = [g if isinstance(g, Tensor) else _make(g) for g in grads]
    out = type(node).backward(node, *grads)
    if anomaly_mode.enabled:
        check_backward(node, out)
    if type(out) is not tuple:
        out = (out,)
    edges = node._edges
    if len(out) < len(edges) and any(e is not None for e in edges[len(out):]):
        raise GraphError(
            f"{type(node).__name__}.backward returned {len(out)} gradients, expected "
            f"{len(edges)} (one per forward input, None where there is none)"
        )
    return out


def _send(node: Function, out: tuple, fresh: bool, buffers: dict, deps: dict, ready: list,
          sink: _Sink) -> None:
    """Send each input's gradient along its edge: into the buffer of the node that made the
    input (which becomes ready when its last edge is in), or to a leaf. ``fresh``: the node
    declared its gradients arrays of their own (``Function._fresh_grads``)."""
    arrays = sink.arrays
    ndarray = np.ndarray
    for e, g in zip(node._edges, out):
        if e is None:
            continue
        tgt = e[0]
        if not isinstance(tgt, Function):  # a leaf
            if g is not None and not (arrays and type(g) is ndarray and g.shape == e[2] and g.dtype == e[3]):
                g = _conform(g, e, node, arrays)
            if sink.leaf_hooks and tgt._hooks:
                sink.arrived(tgt, g)
            elif g is not None:
                sink.leaf(tgt, g, fresh)
            continue
        if g is not None:
            if not (arrays and type(g) is ndarray and g.shape == e[2] and g.dtype == e[3]):
                g = _conform(g, e, node, arrays)
            buf = buffers.get(tgt)
            if buf is None:
                buf = buffers[tgt] = [None] * tgt._n_out
            idx = e[1]
            buf[idx] = g if buf[idx] is None else buf[idx] + g
        deps[tgt] -= 1
        if deps[tgt] == 0:
            ready.append(tgt)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = True,
) -> tuple:
    """dJ/d(inputs) for outputs J, returned rather than accumulated into ``.grad``.

    >>> import netgrad as ng
    >>> x = ng.tensor(3.0, requires_grad=True)
    >>> (dy,) = ng.autograd.grad(x ** 3, x, create_graph=True)   # 3 x^2 = 27
    >>> (d2y,) = ng.autograd.grad(dy, x)                          # 6 x = 18
    >>> float(dy), float(d2y)
    (27.0, 18.0)
    """
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        gouts = [None] * len(outs)
    elif isinstance(grad_outputs, Tensor):
        gouts = [grad_outputs]
    else:
        gouts = list(grad_outputs)
    res = run_backward(outs, gouts, retain_graph, create_graph, inputs=ins, allow_unused=allow_unused)
    return tuple(res)


def backward(tensors: Tensor | Sequence[Tensor], grad_tensors: Any = None,
             retain_graph: bool | None = None, create_graph: bool = False) -> None:
    """Backpropagate from several outputs at once (``ng.autograd.backward``)."""
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    gs = [None] * len(ts) if grad_tensors is None else (
        [grad_tensors] if isinstance(grad_tensors, Tensor) else list(grad_tensors))
    run_backward(ts, gs, retain_graph, create_graph)
