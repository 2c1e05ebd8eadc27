"""``Function``: one differentiable op, its ``forward`` and ``backward`` side by side.

Every op in netgrad is a ``Function`` subclass, and so are users' custom ops, as in PyTorch:

>>> import netgrad as ng
>>> class Cube(ng.autograd.Function):
...     '''y = x^3, dy/dx = 3 x^2'''
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_tensors
...         return grad * 3 * x ** 2
>>> x = ng.tensor([2.0], requires_grad=True)
>>> Cube.apply(x).backward()
>>> x.grad
tensor([12.])

The instance made for each call is both ``ctx`` and the graph node. netgrad's own ops set
``_array_backward = True``: their ``forward`` works on ndarrays (``x._data``) and their ``backward``
is written with operators and functions that NumPy and netgrad share, so that the engine can run it
on raw arrays (fast) or, under ``create_graph=True``, on tensors (differentiable again).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .anomaly import anomaly_mode, record_forward
from .errors import GraphError, NetgradError, ShapeError
from .grad_mode import _state
from .dtypes import torch_name
from .tensor import Tensor, version_of

_ndarray = np.ndarray
_make = Tensor._make
_new = object.__new__

_FREED_MSG = (
    "Trying to backward through the graph a second time (or to read saved tensors after they were "
    "freed). Saved values are freed by backward() and autograd.grad(); pass retain_graph=True to "
    "the first call if you need to backward through the graph again."
)


class Function:
    """Base class of differentiable ops; subclass with static ``forward`` and ``backward``."""

    _array_backward = False  # netgrad's own ops: backward may run on ndarrays (see module doc)
    _freed = False
    _retained = None
    # Set by the engine before backward runs: True while it builds a differentiable graph of the
    # backward pass (backward(create_graph=True), autograd.grad(..., create_graph=True)).
    create_graph = False
    # backward returns arrays it allocated itself, one per input, sharing memory with nothing
    # (not its incoming gradient, not a saved value): the engine may then make them leaves'
    # .grad without a copy. The op says so; nothing is inferred from reference counts.
    _fresh_grads = False
    _saved: tuple = ()
    _saved_outputs = None  # [(position in _saved, output index)] for outputs a custom forward saved
    _n_out = 1  # outputs of this node; set on the instance only for tuple outputs
    _hooks = None  # {output index: {id: hook}} from Tensor.register_hook on non-leaf outputs
    _versions = None  # [(tensor, version when saved)]: checked before backward runs
    _torch_name = None  # PyTorch's name for this node where it is not f"{class name}Backward0"
    needs_input_grad: tuple = ()

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("Function subclasses must implement a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx: Function, *grad_outputs: Any) -> Any:
        raise NotImplementedError(f"{type(ctx).__name__} has no backward: it is not differentiable")

    # -------------------------------------------------------------- ctx API
    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors for ``backward``; read them back with ``ctx.saved_tensors``. Their
        versions are noted, so that backward can refuse values changed in place since."""
        self._saved = tensors
        if "_edges" in self.__dict__:  # only a recorded node has a backward that could read them
            self._versions = [(t, version_of(t)) for t in tensors if isinstance(t, Tensor)]

    def check_versions(self) -> None:
        """Raise PyTorch's error if a saved tensor was changed in place after it was saved."""
        for t, v in self._versions:
            now = version_of(t)
            if now != v:
                where = (f"which is output {t._out_idx} of {t.grad_fn.name()}," if t.grad_fn is not None
                         else "which is a leaf tensor,")
                kind = torch_name(t.dtype)
                raise GraphError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [torch.{kind}Tensor {list(t.shape)}], {where} is at version "
                    f"{now}; expected version {v} instead (in the backward of {self.name()}). Compute "
                    "the in-place change out of place (e.g. y = y + 1 instead of y += 1), or .clone() "
                    "the tensor before changing it.")

    # ------------------------------------------------------- introspection
    def name(self) -> str:
        """PyTorch's name for this node, e.g. ``MulBackward0``."""
        return self._torch_name or f"{self.op_title()}Backward0"

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple:
        """((node, output index), ...) per forward input: the node that made it, an
        ``AccumulateGrad`` for a leaf that requires grad, ``(None, 0)`` otherwise."""
        edges = self.__dict__.get("_edges", ())
        consts = self.__dict__.get("_consts", ())
        return tuple((None, 0) if e is None else
                     (AccumulateGrad(e[0]), 0) if isinstance(e[0], Tensor) else (e[0], e[1])
                     for i, e in enumerate(edges) if i not in consts)

    def register_hook(self, hook):
        raise NotImplementedError(f"{self.name()}.register_hook: node hooks are not supported; "
                                  "use Tensor.register_hook")

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise GraphError(_FREED_MSG)
        if self._array_backward and not self.create_graph:
            return tuple([t._data if isinstance(t, Tensor) else t for t in self._saved])
        if self._saved_outputs is not None:
            # The forward saved its own output: hand it back attached to this node, as PyTorch
            # does, so that a backward using it is differentiable again (create_graph=True).
            saved = list(self._saved)
            for pos, idx in self._saved_outputs:
                s = saved[pos]
                t = _make(s._data if isinstance(s, Tensor) else s, True)
                t.grad_fn, t._out_idx = self, idx
                saved[pos] = t
            return tuple(saved)
        return self._saved

    @classmethod
    def op_title(cls) -> str:
        """The op's name as pictures and messages show it: the class name without the ``Op`` that
        keeps it apart from an nn module of the same name (``SigmoidOp`` -> ``Sigmoid``)."""
        return cls.__name__.removesuffix("Op")

    @classmethod
    def op_name(cls) -> str:
        return cls.op_title().lower()

    # --------------------------------------------------------------- apply
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and, if grad mode is on and an input requires grad, record the node."""
        if kwargs:  # tensors given by keyword are inputs too (PyTorch binds them to positions)
            args, kwargs = _bind_kwargs(cls, args, kwargs)
        ctx = _new(cls)
        record = False
        if _state.enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = True
                    break
        if record:
            edges = []
            needs = []
            consts = None  # positions of arguments that are not tensors (next_functions skips them)
            for i, a in enumerate(args):
                if isinstance(a, Tensor) and a._requires_grad:
                    fn, d = a.grad_fn, a._data
                    # A leaf is its own edge target: the engine accumulates into its .grad.
                    edges.append((a, 0, d.shape, d.dtype) if fn is None
                                 else (fn, a._out_idx, d.shape, d.dtype))
                    needs.append(True)
                else:
                    edges.append(None)
                    needs.append(False)
                    if not isinstance(a, Tensor):
                        consts = [i] if consts is None else [*consts, i]
            ctx._edges = edges
            if consts is not None:
                ctx._consts = consts
            ctx.needs_input_grad = tuple(needs)
            if anomaly_mode.enabled:
                record_forward(ctx)
        try:
            if cls._array_backward:
                out = cls.forward(ctx, *args, **kwargs)
            else:
                prev = _state.enabled
                _state.enabled = False
                try:
                    out = cls.forward(ctx, *args, **kwargs)
                finally:
                    _state.enabled = prev
        except NetgradError:
            raise
        except ValueError as e:
            shapes = ", ".join(str(a.shape) for a in args if isinstance(a, (Tensor, _ndarray)))
            raise ShapeError(f"{cls.op_name()}: {e} (input shapes: {shapes})") from e

        if type(out) is not _ndarray and isinstance(out, np.generic):
            # NumPy reduces a 0-d result to a scalar; the tensor holds a 0-d array, and a forward
            # that saved the scalar gets that same array back (a saved output is found by identity)
            arr = np.asarray(out)
            if ctx._saved:
                ctx._saved = tuple(arr if s is out else s for s in ctx._saved)
            out = arr
        if record and ctx._saved:
            if type(out) is not _ndarray or any(s is out for s in ctx._saved):
                _note_saved_outputs(ctx, out, args)
            if ctx._saved_outputs is not None:
                return _keep_output_versions(ctx, out)
        if type(out) is _ndarray:
            # The common case, _wrap_output inlined: this runs once per op, recorded or not.
            t = _new(Tensor)
            t._data = out
            t.grad = None
            t._out_idx = 0
            if record and out.dtype.kind == "f":
                t._requires_grad = True
                t.grad_fn = ctx
            else:
                t._requires_grad = False
                t.grad_fn = None
            return t
        if type(out) is tuple:
            ctx._n_out = len(out)
            outs = tuple(_wrap_output(o, ctx, i, record) for i, o in enumerate(out))
            ctx._out_meta = [(o.shape, o.dtype) for o in outs]
            return outs
        return _wrap_output(out, ctx, 0, record)


class AccumulateGrad:
    """The node that stores a leaf's gradient in its ``.grad`` (``next_functions`` shows it)."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions: tuple = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    __hash__ = object.__hash__


def _keep_output_versions(ctx: Function, out: Any) -> Any:
    """Wrap the outputs of a node whose forward saved some of them for backward, and note their
    versions: an in-place change of a saved output before backward is then refused."""
    if type(out) is tuple:
        ctx._n_out = len(out)
        outs = tuple(_wrap_output(o, ctx, i, True) for i, o in enumerate(out))
        ctx._out_meta = [(o.shape, o.dtype) for o in outs]
    else:
        outs = (_wrap_output(out, ctx, 0, True),)
    saved = {idx for _, idx in ctx._saved_outputs}
    ctx._versions = [*(ctx._versions or ()), *((outs[i], version_of(outs[i])) for i in saved)]
    return outs if type(out) is tuple else outs[0]


def _bind_kwargs(cls: type, args: tuple, kwargs: dict) -> tuple:
    try:
        bound = inspect.signature(cls.forward).bind(None, *args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{cls.__name__}.apply: {e}") from None
    bound.apply_defaults()
    return bound.args[1:], bound.kwargs


def _note_saved_outputs(ctx: Function, out: Any, args: tuple) -> None:
    """Which of the saved values are outputs of the forward (by identity: the arrays an op's
    forward returns, or the tensors a custom forward returns)."""
    outs = out if type(out) is tuple else (out,)
    # An input passed straight through as an output stays an input.
    found = [(pos, idx) for pos, s in enumerate(ctx._saved) if isinstance(s, (Tensor, _ndarray))
             and not any(s is a for a in args)
             for idx, o in enumerate(outs) if s is o]
    if found:
        ctx._saved_outputs = found


def _wrap_output(out: Any, ctx: Function, idx: int, record: bool) -> Tensor:
    arr = out._data if isinstance(out, Tensor) else out
    if type(arr) is not _ndarray:
        arr = np.asarray(arr)
    t = _make(arr)
    if record and arr.dtype.kind == "f":
        t._requires_grad = True
        t.grad_fn = ctx
        t._out_idx = idx
    return t
