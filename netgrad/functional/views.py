"""Views: tensors that share another's memory, as PyTorch's ``view``, slicing and ``transpose``.

A view shares its base's version counter, so an in-place change through either is seen by
backward's checks; and it remembers how to make itself from its base (``f(base)``), so that an
in-place change of the view is recorded at the base's place in the graph (PyTorch's CopySlices,
see ``netgrad.functional.inplace``). ``view`` never copies: it raises where the memory does not
allow the new shape (``reshape`` copies then), and ``contiguous`` gives C-ordered memory.

>>> import netgrad as ng
>>> x = ng.zeros(2, 3)
>>> v = x.view(-1)
>>> v[4] = 1.0
>>> x[1, 1].item(), x._version
(1.0, 1)
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import ShapeError
from ..autograd.tensor import version_box
from .core import as_tensor_arg

__all__: list[str] = []


def as_view(out: Tensor, x: Tensor, f: Callable[[Tensor], Tensor]) -> Tensor:
    """Mark ``out`` as a view of x when it shares x's memory: it shares x's version counter, and
    an in-place change of it is recorded at its base's place in the graph (``f(x)`` gives it)."""
    if out is x or not np.may_share_memory(out._data, x._data):
        return out
    out._vc = version_box(x)
    prev = x._view
    if prev is None:
        out._view = (x, f)
    else:
        base, g = prev
        out._view = (base, lambda t: f(g(t)))
    return out


def _view_array(arr: np.ndarray, shape: tuple) -> np.ndarray:
    """``arr`` reshaped without a copy, or ValueError where its strides do not allow that."""
    try:
        return np.reshape(arr, shape, copy=False)
    except TypeError:  # NumPy < 2.1 has no copy=: setting the shape of a view never copies
        out = arr.view()
        try:
            out.shape = shape
        except AttributeError as e:
            raise ValueError(str(e)) from None
        return out



def view(x: Any, *shape) -> Tensor:
    """x with a new shape, sharing its memory; raises where that needs a copy (as PyTorch's
    ``view``; ``reshape`` copies instead). ``x.view(dtype)`` reinterprets the bytes.

    >>> import netgrad as ng
    >>> x = ng.zeros(2, 3)
    >>> x.view(-1)[4] = 1.0
    >>> x
    tensor([[0., 0., 0.],
            [0., 1., 0.]])
    """
    from .shape import reshape, shape_arg

    x = as_tensor_arg(x, "view")
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)):
        return _view_dtype(x, shape[0])
    shape = shape_arg(shape)
    if np.prod(shape) != x._data.size and -1 not in shape:
        raise ShapeError(f"view: shape {list(shape)} is invalid for input of size {x._data.size}")
    try:
        _view_array(x._data, shape)
    except ValueError:
        if _relayout(x):
            return reshape(x, shape)
        raise ShapeError(
            f"view: view size is not compatible with input tensor's size and stride (shape "
            f"{list(x.shape)} to {list(shape)}: at least one dimension spans across two contiguous "
            "subspaces). Use .reshape(...) instead.") from None
    return reshape(x, shape)


def _relayout(x: Tensor) -> bool:
    """Give x C-ordered memory if its layout is netgrad's own choice, invisible in PyTorch (a
    convolution's channel-major output, say), where torch's tensor would be contiguous and its view
    would succeed. Only a tensor that is no view and has none (no version counter yet) is moved,
    so no other tensor loses its shared memory."""
    if x._view is not None or x._vc is not None:
        return False
    x._data = np.ascontiguousarray(x._data)
    return True


class Contiguous(Function):
    """y = x in C-ordered memory (a copy); dJ/dx = dJ/dy."""

    _array_backward = True
    _torch_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return np.ascontiguousarray(x._data)

    @staticmethod
    def backward(ctx, g):
        return g


def contiguous(x: Any, memory_format: Any = None) -> Tensor:
    """x itself if its memory is C-ordered, else a C-ordered copy (PyTorch's ``contiguous``).

    >>> import netgrad as ng
    >>> x = ng.arange(6.0).reshape(2, 3).t()
    >>> x.contiguous().view(-1)
    tensor([0., 3., 1., 4., 2., 5.])
    """
    x = as_tensor_arg(x, "contiguous")
    return x if x._data.flags.c_contiguous else Contiguous.apply(x)


def _view_dtype(x: Tensor, dtype: Any) -> Tensor:
    from ..autograd.dtypes import as_dtype

    out = Tensor._make(x._data.view(as_dtype(dtype)))
    out._vc = version_box(x)
    return out
