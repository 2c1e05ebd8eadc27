"""The computational graph with its numbers: every value and, after ``backward``, every gradient.

``graph()`` draws the ops and shapes of a result's graph as autograd keeps it. To show what flows
along it, record the forward pass:

>>> import netgrad as ng
>>> from netgrad import viz
>>> x = ng.tensor([[0.35, 0.9]])                       # an input: a node too
>>> t = ng.tensor([[0.0, 1.0]])                        # the target
>>> W = ng.tensor([[0.1, 0.4], [0.8, 0.6]], requires_grad=True)
>>> with viz.record() as rec:
...     z = ng.softmax(x @ W, dim=1)                   # softmax is its own node
...     J = -(t * z.log()).sum()
>>> J.backward()
>>> g = rec.graph(J, names={"x": x, "t": t, "W": W, "z": z, "J": J})
>>> print(g.node("z").label)
z = Softmax (dim=1) → (1, 2)
data [[0.5187, 0.4813]]
grad [[0, -2.078]]
>>> print(g.node("W").label)
W (2, 2)
data [[0.1, 0.4], [0.8, 0.6]]
grad [[0.1816, -0.1816], [0.4669, -0.4669]]

Each op node shows its output's data and dJ/d(output) (collected by a hook during ``backward``),
each leaf its data and ``.grad``; tensors without gradient (inputs, targets) are leaves too. Small
tensors print in full, larger ones as shape, mean, min and max. Python numbers an op took (the 2
of ``x ** 2``) appear in its label. A fused op is labelled with what it computes (CrossEntropy:
log_softmax -> nll). Recording replaces ``Function.apply`` while the ``with`` block runs (in every
thread), so use it for small teaching graphs.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any, Iterator

import numpy as np

from ..autograd import Function, GraphError, Tensor
from .graph import Graph, GraphNode, _shape

__all__ = ["record", "Recording", "summarize"]

# What a fused op computes, in the notes' terms.
_FUSED = {"CrossEntropy": "log_softmax → nll", "BinaryCrossEntropyWithLogits": "sigmoid → bce",
          "LogSoftmax": "log ∘ softmax", "Linear": "x Wᵀ + b"}
_SNAPSHOT_MAX = 1_000_000  # elements: copy values up to this size when recorded


def summarize(a: Any, max_elements: int = 12, precision: int = 4) -> str:
    """A tensor's values in full when it has at most ``max_elements``, else shape, mean, min, max.

    >>> summarize(np.array([0.5, 1.0 / 3.0]))
    '[0.5, 0.3333]'
    >>> summarize(np.arange(100.0).reshape(10, 10))
    '(10, 10) mean 49.5, min 0, max 99'
    """
    arr = np.asarray(a._data if isinstance(a, Tensor) else a)
    if arr.size <= max_elements:
        if arr.ndim == 0:
            return f"{arr.item() + 0:.{precision}g}"
        return _nested(arr, precision)
    f = arr.astype(np.float64, copy=False)
    finite = f[np.isfinite(f)]
    extra = "" if finite.size == f.size else f" ({f.size - finite.size} not finite)"
    if finite.size == 0:
        return f"{_shape(arr.shape)} all non-finite"
    return (f"{_shape(arr.shape)} mean {finite.mean():.{precision}g}, min {finite.min():.{precision}g}, "
            f"max {finite.max():.{precision}g}{extra}")


def _nested(arr: np.ndarray, p: int) -> str:
    if arr.ndim == 1:
        return "[" + ", ".join(f"{v + 0:.{p}g}" for v in arr.tolist()) + "]"  # + 0: no "-0"
    return "[" + ", ".join(_nested(r, p) for r in arr) + "]"


class _Op:
    __slots__ = ("fn", "inputs", "outputs", "consts")

    def __init__(self, fn: Function, inputs: list, outputs: list, consts: list) -> None:
        self.fn, self.inputs, self.outputs, self.consts = fn, inputs, outputs, consts


class Recording:
    """The ops recorded by ``record()``: their inputs, output values and output gradients."""

    def __init__(self) -> None:
        self._ops: dict[int, _Op] = {}  # id(fn) -> op, in recording order
        self._data: dict[int, np.ndarray] = {}  # id(tensor) -> value when recorded
        self._grads: dict[int, np.ndarray] = {}  # id(output tensor) -> dJ/d(output), summed over backwards
        self._last: Tensor | None = None

    def __len__(self) -> int:
        return len(self._ops)

    def value(self, t: Tensor) -> np.ndarray:
        """The value ``t`` had when an op recorded here took or made it."""
        if id(t) not in self._data:
            raise KeyError("record: this tensor was not seen by any recorded op")
        return self._data[id(t)]

    def grad(self, t: Tensor) -> np.ndarray | None:
        """dJ/dt for a recorded op's output (collected during backward) or a leaf's ``.grad``."""
        if id(t) in self._grads:
            return self._grads[id(t)]
        return None if t.grad is None else np.asarray(t.grad._data)

    def _snap(self, t: Tensor) -> None:
        if id(t) not in self._data:
            d = t._data
            self._data[id(t)] = np.array(d) if d.size <= _SNAPSHOT_MAX else d

    def _note(self, args: tuple, out: Any) -> None:
        outs = [o for o in (out if isinstance(out, tuple) else (out,)) if isinstance(o, Tensor)]
        fn = next((o.grad_fn for o in outs if o.grad_fn is not None), None)
        if fn is None or id(fn) in self._ops:
            return  # not part of a graph (no input requires grad, or no_grad)
        inputs, consts = [], []
        params = _arg_names(type(fn))
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                self._snap(a)
                inputs.append((a, a.grad_fn, a._out_idx if a.grad_fn is not None else 0))
            elif isinstance(a, np.ndarray) and a.size:  # an op's own form of a target (class indices)
                self._data.setdefault(id(a), np.array(a))
                inputs.append((a, None, 0))
            elif isinstance(a, (int, float, np.number)) and a is not False:  # dims, exponents, scales
                pname = params[i] if i < len(params) else ""
                pname = "dim" if pname == "axis" else pname
                consts.append(str(a) if isinstance(a, bool) else
                              f"{pname}={a:g}" if len(pname) > 1 and pname != "other" else f"{a:g}")
        for o in outs:
            self._snap(o)
            if o._requires_grad:
                o.register_hook(self._grad_hook(id(o)))
        self._ops[id(fn)] = _Op(fn, inputs, outs, consts)
        self._last = outs[0]

    def _grad_hook(self, key: int):
        def hook(g: Tensor) -> None:
            arr = np.array(g._data)
            prev = self._grads.get(key)
            self._grads[key] = arr if prev is None else prev + arr
        return hook

    def graph(self, output: Tensor | None = None, names: dict[str, Tensor] | None = None,
              model: Any = None, max_elements: int = 12) -> Graph:
        """The graph of ``output`` (default: the last op recorded), values and gradients on every
        node. ``names``: {name: tensor} for leaves, inputs, targets and intermediate results;
        ``model``: a Module whose parameter names label its parameters."""
        out = output if output is not None else self._last
        if out is None:
            raise GraphError("record: nothing was recorded (no op on tensors that require grad ran "
                             "inside the with block)")
        named: dict[int, str] = {}
        if model is not None:
            named.update({id(p): n for n, p in model.named_parameters()})
        named.update({id(t): n for n, t in (names or {}).items()})
        root = self._ops.get(id(out.grad_fn)) if out.grad_fn is not None else None
        if root is None:
            raise GraphError("record: this tensor was not computed inside the record() block")
        g = Graph()
        keys: dict[int, str] = {}
        edges: list[tuple[str, str, str]] = []
        seen: set[int] = set()
        stack = [root]
        keys[id(root.fn)] = "n0"
        while stack:
            op = stack.pop()
            if id(op.fn) in seen:
                continue
            seen.add(id(op.fn))
            for t, fn, _idx in op.inputs:
                src = self._ops.get(id(fn)) if fn is not None else None
                obj = src.fn if src is not None else t
                k = keys.get(id(obj))
                if k is None:
                    k = keys[id(obj)] = f"n{len(keys)}"
                    if src is not None:
                        stack.append(src)
                    else:
                        name = named.get(id(t))
                        if name is None and isinstance(t, np.ndarray):
                            name = _same_values(t, names or {})
                        g.nodes.append(self._leaf_node(k, t, name, max_elements))
                edges.append((k, keys[id(op.fn)], _shape(t.shape)))
            g.nodes.append(self._op_node(keys[id(op.fn)], op, named, op is root, max_elements))
        g.nodes.sort(key=lambda n: int(n.key[1:]))
        g.edges = edges[::-1]
        return g

    def _leaf_node(self, key: str, t: Any, name: str | None, m: int) -> GraphNode:
        rg = isinstance(t, Tensor) and t._requires_grad
        kind = ("param" if name else "leaf") if rg else "input"
        title = name or ("leaf" if rg else "input")
        now = t._data if isinstance(t, Tensor) else t
        lines = [f"{title} {_shape(t.shape)}", "data " + summarize(self._data.get(id(t), now), m)]
        if rg:
            lines.append("grad " + (summarize(t.grad, m) if t.grad is not None else "(none yet)"))
        return GraphNode(key, "\n".join(lines), kind, name)

    def _op_node(self, key: str, op: _Op, named: dict[int, str], is_root: bool, m: int) -> GraphNode:
        cls = type(op.fn).op_title()
        name = next((named[id(o)] for o in op.outputs if id(o) in named), None)
        head = (f"{name} = " if name else "") + cls
        if cls in _FUSED:
            head += f" ({_FUSED[cls]})"
        elif op.consts:
            head += " (" + ", ".join(op.consts) + ")"
        shapes = ", ".join(_shape(o.shape) for o in op.outputs)
        lines = [f"{head} → {shapes}"]
        for i, o in enumerate(op.outputs):
            tag = f"out{i} " if len(op.outputs) > 1 else ""
            lines.append(f"{tag}data " + summarize(self._data.get(id(o), o._data), m))
            if o._requires_grad:
                gr = self._grads.get(id(o))
                if gr is None and o.grad is not None:
                    gr = o.grad._data
                lines.append(f"{tag}grad " + (summarize(gr, m) if gr is not None else "(run backward)"))
        return GraphNode(key, "\n".join(lines), "output" if is_root else "op", name, op.fn.name())


def _same_values(a: np.ndarray, names: dict[str, Any]) -> str | None:
    """The name of a given tensor with ``a``'s values (an op may take a target's array, or a copy)."""
    for n, t in names.items():
        d = t._data if isinstance(t, Tensor) else None
        if d is not None and d.shape == a.shape and (d is a or np.array_equal(d, a)):
            return n
    return None


def _arg_names(cls: type) -> list[str]:
    """The names of ``forward``'s arguments after ctx, to label the numbers an op took."""
    try:
        return list(inspect.signature(cls.forward).parameters)[1:]
    except (TypeError, ValueError):
        return []


_STACK: list[Recording] = []


@contextlib.contextmanager
def record() -> Iterator[Recording]:
    """Record every op run inside the block (values, inputs, and gradients once ``backward`` runs);
    ``.graph(output)`` then draws them. See the module docstring."""
    rec = Recording()
    orig = Function.__dict__["apply"]
    base = orig.__func__

    def apply(cls: type, *args: Any, **kwargs: Any) -> Any:
        out = base(cls, *args, **kwargs)
        if kwargs:
            args = args + tuple(kwargs.values())
        for r in _STACK:
            r._note(args, out)
        return out

    if not _STACK:
        Function.apply = classmethod(apply)
    _STACK.append(rec)
    try:
        yield rec
    finally:
        _STACK.remove(rec)
        if not _STACK:
            Function.apply = orig
