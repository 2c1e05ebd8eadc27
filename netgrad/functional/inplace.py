"""In-place operations with PyTorch's rules: ``x += y``, ``p -= lr * p.grad``, ``add_``, ``x[i] = v``.

Every in-place op writes into the tensor's own memory (its views see the change) and bumps its
version counter, shared with its views. Backward refuses a saved value whose version has moved
since it was saved ("modified by an inplace operation"), so a changed value is never used silently.

- Where no graph is recorded (``no_grad``, or nothing involved requires grad), the result is
  written straight into x.
- Where a graph is recorded, the op runs out of place on a stand-in for x's old value (a copy, at
  x's place in the graph), the result is written into x, and x takes the result's place in the
  graph: ``x.grad_fn`` becomes the op's node. On a view of a tensor in the graph, the base takes
  the new value's place too (PyTorch's CopySlices), so ``h[0].mul_(2)`` is differentiated right.
- A leaf that requires grad (or a view of one) is refused while grad mode is on, as in PyTorch;
  under ``no_grad`` it is allowed: that is the notes' update rule, theta <- theta - eta dJ/dtheta.

>>> import netgrad as ng
>>> w = ng.tensor([1.0, 2.0], requires_grad=True)
>>> (w * w).sum().backward()
>>> with ng.no_grad():
...     w -= 0.25 * w.grad
>>> w
tensor([0.5000, 1.0000], requires_grad=True)
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd import DTypeError, Function, GraphError, ShapeError, Tensor, is_grad_enabled, no_grad
from ..autograd import random_kernels as K
from ..autograd.dtypes import torch_name
from ..autograd.tensor import version_box
from .core import data
from .methods import bind_methods
from .shape import plain_index

__all__: list[str] = []


def _requires_grad(v: Any) -> bool:
    return isinstance(v, Tensor) and v._requires_grad


def _refuse_leaf(x: Tensor, op: str) -> None:
    """PyTorch's rule: a leaf that requires grad (or a view of one) is changed only under no_grad."""
    view = x._view
    if x._requires_grad and x.grad_fn is None and view is None:
        raise GraphError(f"{op}: a leaf Variable that requires grad is being used in an in-place "
                         "operation. Wrap the update in `with torch.no_grad():` (netgrad.no_grad).")
    if view is not None and view[0]._requires_grad and view[0].grad_fn is None:
        raise GraphError(f"{op}: a view of a leaf Variable that requires grad is being used in an "
                         "in-place operation. Wrap the update in `with torch.no_grad():`.")


def _writable(x: Tensor, op: str) -> np.ndarray:
    arr = x._data
    if arr.flags.writeable:
        return arr
    if any(st == 0 and n > 1 for st, n in zip(arr.strides, arr.shape)):
        raise GraphError(
            f"{op}: unsupported operation: more than one element of the written-to tensor refers to a "
            f"single memory location (an expanded tensor of shape {list(x.shape)}). Please clone() the "
            "tensor before performing the operation.")
    raise GraphError(f"{op}: the tensor of shape {list(x.shape)} is read-only memory (from_numpy of "
                     "a read-only array, say); clone() it before performing the operation.")


def _fit(result: Any, x: Tensor, op: str) -> Tensor:
    """Check that an out-of-place result can be written into x (shape, dtype), as PyTorch does."""
    r = result if isinstance(result, Tensor) else Tensor._make(np.asarray(result))
    if r.shape != x.shape and broadcast_shape(r.shape, x.shape) != list(x.shape):
        raise ShapeError(f"{op}: output with shape {list(x.shape)} doesn't match the broadcast "
                         f"shape {broadcast_shape(r.shape, x.shape)}")
    if r.dtype != x.dtype and not np.can_cast(r.dtype, x.dtype, "same_kind"):
        raise DTypeError(f"{op}: result type {torch_name(r.dtype)} can't be cast to the desired "
                         f"output type {torch_name(x.dtype)}")
    return r


def broadcast_shape(a: tuple, b: tuple) -> list:
    """The shape a and b broadcast to, or a's own shape where they do not broadcast."""
    try:
        return list(np.broadcast_shapes(a, b))
    except ValueError:
        return list(a)


def _stand_in(x: Tensor) -> Tensor:
    """x's current value at x's place in the graph, in memory of its own (x is about to change)."""
    t = Tensor._make(x._data.copy(), x._requires_grad)
    t.grad_fn, t._out_idx = x.grad_fn, x._out_idx
    return t


def _take_place(x: Tensor, result: Tensor) -> None:
    if result.grad_fn is not None or result._requires_grad:
        x.grad_fn, x._out_idx, x._requires_grad = result.grad_fn, result._out_idx, result._requires_grad


def _as_dtype_of(r: Tensor, x: Tensor) -> Tensor:
    return r if r.dtype == x.dtype else r.to(x.dtype)


def check_inplace_target(x: Tensor, op: str) -> None:
    """Refuse what PyTorch refuses before an in-place write: a leaf that requires grad (or a view
    of one) while grad mode is on, and memory that cannot be written."""
    if is_grad_enabled():
        _refuse_leaf(x, op)
    _writable(x, op)


def inplace(x: Tensor, op: str, compute: Callable[[Tensor], Any], others: tuple = ()) -> Tensor:
    """Run ``compute`` (an out-of-place op on x's value) and store its result in x, in place.

    ``others`` are the op's other arguments: a graph is recorded when grad mode is on and x or one
    of them requires grad. Returns x.
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    check_inplace_target(x, op)
    record = is_grad_enabled() and (x._requires_grad or any(_requires_grad(o) for o in others))
    if not record:
        with no_grad():
            r = _fit(compute(x), x, op)
        np.copyto(x._data, r._data, casting="unsafe")
    else:
        _record(x, op, compute)
    version_box(x)[0] += 1
    return x


def _record(x: Tensor, op: str, compute: Callable[[Tensor], Any]) -> None:
    view = x._view
    if view is None:
        r = _as_dtype_of(_fit(compute(_stand_in(x)), x, op), x)
        np.copyto(x._data, r._data)
        _take_place(x, r)
        return
    base, f = view
    _writable(base, op)
    old_base = _stand_in(base)
    r = _as_dtype_of(_fit(compute(f(old_base)), x, op), x)
    new_base = ViewScatter.apply(old_base, r, f)
    np.copyto(base._data, new_base._data)
    _take_place(base, new_base)
    _take_place(x, f(base))


class ViewScatter(Function):
    """y = base with its view f(base) replaced by v (PyTorch's CopySlices).

    dJ/dbase = dJ/dy with f(dJ/dy) zeroed; dJ/dv = f(dJ/dy).
    """

    _array_backward = True
    _torch_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, v, f):
        ctx.f = f
        out = base._data.copy()
        _region(out, f)[...] = v._data
        return out

    @staticmethod
    def backward(ctx, g):
        f = ctx.f
        if ctx.create_graph:
            gv = f(g)
            return ViewScatter.apply(g, gv * 0, f), gv, None
        gb = g.copy()
        _region(gb, f)[...] = 0
        return gb, _region(g, f), None


def _region(arr: np.ndarray, f: Callable) -> np.ndarray:
    """The memory of the view f picks out of ``arr`` (f is made of view ops only)."""
    with no_grad():
        return f(Tensor._make(arr))._data


class IndexPut(Function):
    """y = x with y[index] = v (``x[index] = v``).

    dJ/dx = dJ/dy with dJ/dy[index] zeroed; dJ/dv = dJ/dy[index], summed to v's shape.
    """

    _array_backward = True
    _torch_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, index, v):
        ctx.index = index
        out = x._data.copy()
        out[index] = data(v)
        return out

    @staticmethod
    def backward(ctx, g):
        idx = ctx.index
        if ctx.create_graph:
            return IndexPut.apply(g, idx, 0.0), None, g[idx]
        gx = g.copy()
        gx[idx] = 0
        return gx, None, g[idx]


class Overwrite(Function):
    """y = v broadcast to x's shape (``copy_``, ``fill_``); dJ/dx = 0 (zeros, as PyTorch gives),
    dJ/dv = dJ/dy summed back to v's shape."""

    _array_backward = True
    _torch_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, v):
        return np.broadcast_to(np.asarray(data(v), dtype=x.dtype), x.shape).copy()

    @staticmethod
    def backward(ctx, g):
        return g * 0, g


# ----------------------------------------------------------------- methods
def setitem(x: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value``: in place, recorded in the graph where x or value requires grad."""
    idx = plain_index(index)
    if isinstance(value, Tensor) and not value._requires_grad:
        value = value._data
    if not (is_grad_enabled() and (x._requires_grad or _requires_grad(value))):
        if is_grad_enabled():
            _refuse_leaf(x, "__setitem__")
        _writable(x, "__setitem__")[idx] = data(value)
        version_box(x)[0] += 1
        return
    inplace(x, "__setitem__", lambda s: IndexPut.apply(s, idx, value), (value,))


def copy_(x: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """x <- src (broadcast to x's shape, cast to x's dtype); gradients flow to src."""
    if not isinstance(src, (Tensor, np.ndarray, int, float, bool, list, tuple)):
        raise TypeError(f"copy_: expected a tensor as the source, got {type(src).__name__}")
    s = src if isinstance(src, Tensor) else np.asarray(src)
    try:
        fits = np.broadcast_shapes(s.shape, x.shape) == x.shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"copy_: the source of shape {list(s.shape)} cannot be broadcast to the "
                           f"destination's shape {list(x.shape)}")
    if isinstance(s, Tensor) and s._requires_grad and s.dtype.kind == "f" and x.dtype.kind == "f":
        return inplace(x, "copy_", lambda t: Overwrite.apply(t, s.to(x.dtype)), (s,))
    return inplace(x, "copy_", lambda t: Overwrite.apply(t, data(s)))


def fill_(x: Tensor, value: Any) -> Tensor:
    """x <- value everywhere (a number or a one-element tensor)."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise ShapeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return copy_(x, value if isinstance(value, Tensor) else np.asarray(value))


def zero_(x: Tensor) -> Tensor:
    """x <- 0."""
    return inplace(x, "zero_", lambda t: Overwrite.apply(t, 0))


def _random_fill(name: str, draw: Callable) -> Callable:
    """An in-place random fill (``normal_``...) drawn as PyTorch's CPU generator draws it, so a
    seeded init gives torch's numbers (``netgrad.autograd.random_kernels``)."""
    def op(x: Tensor, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
        from ..autograd.random import generator_of

        values = draw(generator_of(generator, name), x.shape, x.dtype, *args, **kwargs)
        return inplace(x, name, lambda t: Overwrite.apply(t, values))

    op.__name__ = op.__qualname__ = name
    return op


def _uniform(g: Any, shape: tuple, dtype: Any, a: float = 0.0, b: float = 1.0, **kw: Any) -> np.ndarray:
    return K.uniform(g, shape, dtype, kw.get("from", a), kw.get("to", b))


def _bernoulli(g: Any, shape: tuple, dtype: Any, p: Any = 0.5) -> np.ndarray:
    if isinstance(p, Tensor):
        return K.bernoulli_tensor(g, np.broadcast_to(p._data, shape), dtype)
    return K.bernoulli_scalar(g, shape, float(p), dtype)


def _random(g: Any, shape: tuple, dtype: Any, low: int | None = None, high: int | None = None) -> np.ndarray:
    if low is None:  # torch: [0, 2^mantissa + 1) for floats, the dtype's range for integers
        low, high = 0, (2 ** (np.finfo(dtype).nmant + 1) + 1 if np.dtype(dtype).kind == "f"
                        else int(np.iinfo(dtype).max) + 1)
    elif high is None:
        low, high = 0, low
    return K.randint(g, int(low), int(high), shape, dtype)


uniform_ = _random_fill("uniform_", _uniform)
normal_ = _random_fill("normal_", lambda g, shape, dt, mean=0.0, std=1.0: K.normal(g, shape, dt, mean, std))
exponential_ = _random_fill("exponential_", lambda g, shape, dt, lambd=1.0: K.exponential(g, shape, dt,
                                                                                          lambd))
bernoulli_ = _random_fill("bernoulli_", _bernoulli)
random_ = _random_fill("random_", _random)


bind_methods(
    __setitem__=setitem, copy_=copy_, fill_=fill_, zero_=zero_, uniform_=uniform_, normal_=normal_,
    exponential_=exponential_, bernoulli_=bernoulli_, random_=random_,
)
