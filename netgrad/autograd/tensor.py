"""``Tensor``: a NumPy array with a place in the computational graph.

The operators and most methods are attached by ``netgrad.functional`` (the layer above), which holds
the differentiable ops; this module holds storage, metadata and the entry point to backward.

>>> import netgrad as ng
>>> x = ng.tensor([0.35, 0.9], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad
tensor([0.7000, 1.8000])
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

import numpy as np

from . import dtypes
from .errors import DTypeError, GraphError
from .size import Size

_ndarray = np.ndarray


def as_array(data: Any, dtype=None) -> np.ndarray:
    """Convert user data to an ndarray with PyTorch's dtype inference (floats -> default dtype)."""
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(dtypes.as_dtype(dtype)) if dtype is not None else arr.copy()
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(data, np.ndarray):
        arr = np.array(data, dtype=dtype, copy=True)
    else:
        try:
            arr = np.array(data, dtype=dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(f"tensor: cannot convert {type(data).__name__} to a tensor: {e}") from e
        if dtype is None and arr.dtype.kind == "f":
            arr = arr.astype(dtypes.get_default_dtype(), copy=False)
        elif dtype is None and arr.dtype.kind in "iu" and arr.dtype != np.uint8:
            arr = arr.astype(np.int64, copy=False)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"tensor: unsupported data of dtype {arr.dtype} (numbers or booleans only)")
    return arr


def _legacy_array(args: tuple, dtype: Any) -> np.ndarray:
    if args and (isinstance(args[0], Size) or all(isinstance(a, (int, np.integer)) and not isinstance(a, bool)
                                                  for a in args)):
        shape = tuple(int(a) for a in (args[0] if isinstance(args[0], Size) else args))
        dt = dtypes.as_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
        return np.zeros(shape, dtype=dt)
    if len(args) > 1:
        raise TypeError("Tensor(): expected sizes as integers or one sequence of data, got "
                        f"{', '.join(type(a).__name__ for a in args)}")
    data = args[0] if args else ()
    if dtype is None and not isinstance(data, Tensor):
        dtype = dtypes.get_default_dtype()
    return as_array(data, dtype)


def version_box(t: Tensor) -> list:
    """The tensor's version counter, a one-element list shared with its views (made on first use,
    so that tensors nobody views or changes in place never pay for one)."""
    box = t._vc
    if box is None:
        box = t._vc = [0]
    return box


def version_of(t: Tensor) -> int:
    """How many in-place changes t's memory has had (0 before any counter was made)."""
    box = t._vc
    return 0 if box is None else box[0]


class HookHandle:
    """What ``register_hook`` (tensors) and ``register_forward_hook`` (modules) return: the hook is
    registered under a fresh id, and ``remove()`` takes it away again."""

    _next_id = 0

    def __init__(self, hooks: dict, hook) -> None:
        HookHandle._next_id += 1
        self.id, self._hooks = HookHandle._next_id, hooks
        hooks[self.id] = hook

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


class Tensor:
    """A multi-dimensional array that records the ops applied to it for reverse-mode autodiff.

    Create tensors with ``ng.tensor(data)`` or the factory functions (``ng.zeros``, ``ng.randn``...).
    """

    # Rarely set, so kept in the instance dict with class defaults (no cost when a tensor is made):
    # _vc, the version counter ([n], shared with views, see ``version_box``); _view, (base, f) for a
    # view, f(base) giving this tensor again; _hooks, a leaf's gradient hooks.
    __slots__ = ("_data", "grad", "_requires_grad", "grad_fn", "_out_idx", "__dict__", "__weakref__")
    _vc = None
    _view = None
    _hooks = None
    # NumPy must hand `ndarray op Tensor` to our reflected operators instead of looping itself.
    __array_ufunc__ = None
    __hash__ = object.__hash__
    # Set by netgrad.functional.inplace: makes an in-place variant (``sin_``) from its out-of-place
    # method on first use, so that op families loaded in any order all get theirs.
    _inplace_maker = None
    _n_leaf_hooks = 0  # leaf hooks ever registered: while 0, backward skips looking for them

    def __getattr__(self, name: str) -> Any:
        maker = Tensor._inplace_maker
        if maker is not None and name.endswith("_") and not name.startswith("_"):
            fn = maker(name)
            if fn is not None:
                setattr(Tensor, name, fn)
                return getattr(self, name)
        raise AttributeError(f"'Tensor' object has no attribute '{name}'")

    def __init__(self, *args: Any, dtype=None, requires_grad: bool = False, device: Any = None):
        """PyTorch's legacy constructor: ``Tensor(2, 3)`` or ``Tensor(size)`` is a zero tensor of
        that size, ``Tensor([1, 2])`` converts data to the default float dtype (``netgrad.tensor``
        infers the dtype instead), ``Tensor()`` is empty."""
        self._data = _legacy_array(args, dtype)
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._out_idx = 0
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, arr: np.ndarray, requires_grad: bool = False) -> Tensor:
        """Wrap an ndarray without copying or checking (the hot path of every op)."""
        t = object.__new__(cls)
        t._data = arr
        t.grad = None
        t._requires_grad = requires_grad
        t.grad_fn = None
        t._out_idx = 0
        return t

    # ----------------------------------------------------------------- metadata
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def device(self) -> str:
        return "cpu"

    def size(self, dim: int | None = None):
        """The shape as a ``netgrad.Size`` (PyTorch's ``size()``), or the length of dimension ``dim``."""
        return Size._trusted(self._data.shape) if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise GraphError("requires_grad_: a non-leaf tensor's flag cannot be turned off; use detach()")
        if requires_grad and self._data.dtype.kind != "f":
            raise DTypeError(
                f"requires_grad_: only floating point tensors can require gradients, got {self.dtype}")
        self._requires_grad = bool(requires_grad)
        return self

    # ------------------------------------------------------------ conversions
    @property
    def data(self) -> Tensor:
        """A tensor sharing this one's memory, outside the graph (PyTorch's ``.data``)."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = arr

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared memory), for any tensor, in the graph or not."""
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def item(self):
        if self._data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._data.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"bool of a tensor with {self._data.size} elements is ambiguous; use any() or all()")
        return bool(self._data.item())

    def detach(self) -> Tensor:
        """A new tensor sharing memory (and the version counter), cut from the graph."""
        t = Tensor._make(self._data)
        t._vc = version_box(self)
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (for inspecting deltas)."""
        if not self._requires_grad:
            raise GraphError("retain_grad: the tensor does not require grad")
        fn = self.grad_fn
        if fn is None:
            return
        if fn._retained is None:
            fn._retained = []
        fn._retained.append((self._out_idx, weakref.ref(self)))

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Backpropagate from this tensor: accumulate dJ/dleaf into every leaf's ``.grad``.

        ``gradient`` is dJ/dself, needed unless self has one element; the graph is freed
        afterwards unless ``retain_graph=True``; ``create_graph=True`` records the backward pass
        itself, so that the gradients can be differentiated again.
        """
        from .engine import run_backward

        run_backward([self], [gradient], retain_graph, create_graph)

    # ----------------------------------------------------- pickle and copy
    def __getstate__(self) -> dict:
        """The value, ``.grad`` and the flag (as PyTorch pickles a tensor in a graph: as a leaf): an
        unpickled tensor has a version counter of its own and no view or hooks of this process."""
        return {"_data": self._data, "grad": self.grad, "_requires_grad": self._requires_grad}

    def __setstate__(self, state: dict) -> None:
        self._data, self.grad = state["_data"], state["grad"]
        self._requires_grad, self.grad_fn, self._out_idx = state["_requires_grad"], None, 0

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self.grad_fn is not None:
            raise GraphError("Only Tensors created explicitly by the user (graph leaves) support the "
                             "deepcopy protocol at the moment. If you were attempting to deepcopy a "
                             "module, this may be because of a torch.nn.utils.weight_norm usage, see "
                             "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        out = type(self).__new__(type(self))
        memo[id(self)] = out
        out.__setstate__({"_data": self._data.copy(), "_requires_grad": self._requires_grad,
                          "grad": copy.deepcopy(self.grad, memo)})
        return out

    # ------------------------------------------------------ version counter
    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has had (shared with its views)."""
        return version_of(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` with dJ/dself when backward computes it; a tensor it returns
        replaces the gradient. Returns a handle whose ``remove()`` takes the hook away.

        >>> import netgrad as ng
        >>> x = ng.tensor([1.0, 2.0], requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([20., 40.])
        """
        if not self._requires_grad:
            raise GraphError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            hooks = self._hooks
            if hooks is None:
                hooks = self._hooks = {}
            Tensor._n_leaf_hooks += 1
        else:
            fn = self.grad_fn
            if fn._hooks is None:
                fn._hooks = {}
            hooks = fn._hooks.setdefault(self._out_idx, {})
        return HookHandle(hooks, hook)

    # --------------------------------------------------------------- display
    def __repr__(self) -> str:
        arr = self._data
        opts = {"precision": 4, "separator": ", ", "prefix": "tensor("}
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            body = np.array2string(arr, **opts, formatter={"float_kind": lambda v: f"{v:.0f}."})
        else:
            body = np.array2string(arr, **opts, floatmode="fixed" if arr.dtype.kind == "f" else "maxprec")
        extras = []
        if arr.dtype.kind == "f" and arr.dtype != dtypes.get_default_dtype():
            extras.append(f"dtype={arr.dtype}")
        elif arr.dtype.kind in "iu" and arr.dtype != np.int64:
            extras.append(f"dtype={arr.dtype}")
        elif arr.dtype.kind == "b":
            extras.append("dtype=bool")
        if arr.size == 0:
            extras.append(f"size={arr.shape}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"
