"""Shape ops: reshape/view, flatten, squeeze/unsqueeze, expand, transpose/permute, indexing,
cat, stack, split/chunk, pad, gather. Gradients flow back through each rearrangement.

>>> import netgrad as ng
>>> x = ng.arange(6.0).reshape(2, 3)
>>> x.T.shape
(3, 2)
>>> ng.cat([x, x], dim=0).shape
(4, 3)
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.engine import BroadcastTo
from ..autograd.errors import ShapeError
from .core import as_tensor_arg, normalize_dim, register_xp, xp_of
from .views import as_view, view  # noqa: F401  (view is shape.view too)

__all__ = ["reshape", "view", "flatten", "squeeze", "unsqueeze", "expand", "broadcast_to",
           "transpose", "permute", "permute_dims", "swapaxes", "index", "cat", "concatenate",
           "stack", "split", "chunk", "pad", "gather", "unbind", "moveaxis"]


class Reshape(Function):
    """y = x with a new shape (same elements, row-major); dJ/dx = dJ/dy reshaped back."""

    _array_backward = True
    _torch_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        try:
            return x._data.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape a tensor of shape {x.shape} "
                             f"({x._data.size} elements) into shape {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape), None


class Permute(Function):
    """y = x with axes reordered by ``dims``; dJ/dx = dJ/dy with the inverse order."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.inv = tuple(np.argsort(dims))
        return np.transpose(x._data, dims)

    @staticmethod
    def backward(ctx, g):
        return xp_of(ctx).permute_dims(g, ctx.inv), None


def plain_index(index: Any) -> Any:
    """Turn tensors inside an index into arrays; reject float indices clearly."""
    if isinstance(index, Tensor):
        index = index._data
    elif isinstance(index, tuple):
        return tuple(plain_index(i) for i in index)
    elif isinstance(index, list):
        index = np.asarray(index)
    if isinstance(index, np.ndarray) and index.dtype.kind not in "iub":
        raise IndexError(f"index: tensors used as indices must be integer or bool, got {index.dtype}")
    return index


def _is_basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class Index(Function):
    """y = x[index]; dJ/dx = zeros with dJ/dy added at ``index`` (repeated indices accumulate)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x.shape, index
        if _is_basic(index) and not _has_ellipsis(index):
            # x[0] of a vector: a 0-d view (NumPy would give a copied scalar), as PyTorch's view
            index = (*index, Ellipsis) if isinstance(index, tuple) else (index, Ellipsis)
        try:
            return x._data[index]
        except IndexError as e:
            raise IndexError(f"index: {e} (tensor shape {x.shape})") from None

    @staticmethod
    def backward(ctx, g):
        return index_put_zeros(g, ctx.in_shape, ctx.index), None


def _has_ellipsis(index: Any) -> bool:
    return any(p is Ellipsis for p in (index if isinstance(index, tuple) else (index,)))


class IndexAddZeros(Function):
    """y = zeros(shape) with g added at ``index``; dJ/dg = dJ/dy[index] (the adjoint of indexing)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        return index_put_zeros(g._data, shape, index)

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index], None, None


def index_put_zeros(g: Any, shape: tuple, index: Any) -> Any:
    """zeros(shape) with ``g`` added at ``index`` (repeated indices accumulate): the adjoint of
    ``x[index]``, recorded for tensors (double backward), plain NumPy for arrays.

    >>> import numpy as np
    >>> index_put_zeros(np.array([1.0, 2.0]), (3,), np.array([0, 0]))
    array([3., 0., 0.])
    """
    if isinstance(g, Tensor):
        return IndexAddZeros.apply(g, shape, index)
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


class Cat(Function):
    """y = [x_1; x_2; ...] along ``dim``; dJ/dx_k = the matching slice of dJ/dy."""

    _array_backward = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.bounds = np.cumsum([0] + [x.shape[dim] for x in xs])
        return np.concatenate([x._data for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, g):
        pre = (slice(None),) * ctx.dim
        b = ctx.bounds
        return (None,) + tuple(g[pre + (slice(int(b[k]), int(b[k + 1])),)] if need else None
                               for k, need in enumerate(ctx.needs_input_grad[1:]))


class Stack(Function):
    """y = x_1, x_2, ... stacked on a new axis ``dim``; dJ/dx_k = dJ/dy[..., k, ...]."""

    _array_backward = True

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return np.stack([x._data for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, g):
        pre = (slice(None),) * ctx.dim
        return (None,) + tuple(g[pre + (k,)] if need else None
                               for k, need in enumerate(ctx.needs_input_grad[1:]))


class Pad(Function):
    """y = x padded with a constant; dJ/dx = the un-padded centre of dJ/dy."""

    _array_backward = True
    _torch_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.centre = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        return np.pad(x._data, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.centre], None, None


class Gather(Function):
    """y[i][j] = x[i][index[i][j]] along ``dim``; dJ/dx = dJ/dy scattered back (accumulating)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = x.shape, dim, index
        return np.take_along_axis(x._data, index, axis=dim)

    @staticmethod
    def backward(ctx, g):
        full = _along_axis_index(ctx.index, ctx.dim)
        return index_put_zeros(g, ctx.in_shape, full), None, None


def _along_axis_index(index: np.ndarray, dim: int) -> tuple:
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


# ------------------------------------------------------------------ functions
def shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(x: Any, *shape) -> Tensor:
    """x with a new shape; one dimension may be -1 (inferred). A view of x where the memory
    allows, a copy otherwise (use ``view`` to insist on a view)."""
    x = as_tensor_arg(x, "reshape")
    shape = shape_arg(shape)
    if shape == x.shape:
        return x
    return as_view(Reshape.apply(x, shape), x, lambda t: reshape(t, shape))


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim``..``end_dim`` into one."""
    x = as_tensor_arg(x, "flatten")
    if x.ndim == 0:
        return reshape(x, 1)
    s = normalize_dim(start_dim, x.ndim, "flatten")
    e = normalize_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shp = x.shape
    return reshape(x, shp[:s] + (int(np.prod(shp[s:e + 1])),) + shp[e + 1:])


def squeeze(x: Any, dim: Any = None) -> Tensor:
    """x without its size-1 dimensions (all, or those in ``dim``)."""
    x = as_tensor_arg(x, "squeeze")
    if dim is None:
        return reshape(x, tuple(s for s in x.shape if s != 1))
    dims = normalize_dim(dim if isinstance(dim, (tuple, list)) else (dim,), x.ndim, "squeeze")
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def unsqueeze(x: Any, dim: int) -> Tensor:
    """x with a new size-1 dimension at ``dim``."""
    x = as_tensor_arg(x, "unsqueeze")
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def expand(x: Any, *sizes) -> Tensor:
    """Broadcast x to ``sizes`` without copying; -1 keeps a dimension."""
    x = as_tensor_arg(x, "expand")
    sizes = shape_arg(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ShapeError(f"expand: target {sizes} has fewer dims than the tensor's shape {x.shape}")
    if any(s == -1 for s in sizes[:lead]):
        raise ShapeError(f"expand: -1 is not allowed for a new leading dim, got {sizes} for shape {x.shape}")
    shape = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
    if shape == x.shape:
        return x
    return as_view(BroadcastTo.apply(x, shape), x, lambda t: BroadcastTo.apply(t, shape))


def broadcast_to(x: Any, shape: Sequence[int]) -> Tensor:
    """x broadcast to ``shape`` without copying (``expand``)."""
    return expand(x, tuple(shape))


def permute(x: Any, *dims) -> Tensor:
    """x with its dimensions reordered: y.shape[i] = x.shape[dims[i]]."""
    x = as_tensor_arg(x, "permute")
    dims = shape_arg(dims)
    axes = normalize_dim(dims, x.ndim, "permute")
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"permute: dims {dims} are not a permutation of a {x.ndim}-d tensor's axes")
    return as_view(Permute.apply(x, axes), x, lambda t: Permute.apply(t, axes))


def permute_dims(x: Any, axes: Sequence[int]) -> Tensor:
    """``permute`` with the Array API's name: one sequence of axes."""
    return permute(x, tuple(axes))


def transpose(x: Any, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    x = as_tensor_arg(x, "transpose")
    d0, d1 = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    axes = tuple(dims)
    return as_view(Permute.apply(x, axes), x, lambda t: Permute.apply(t, axes))


swapaxes = transpose


def moveaxis(x: Any, source: int, destination: int) -> Tensor:
    """x with dimension ``source`` moved to position ``destination``."""
    x = as_tensor_arg(x, "moveaxis")
    order = list(range(x.ndim))
    s = normalize_dim(source, x.ndim, "moveaxis")
    order.remove(s)
    order.insert(normalize_dim(destination, x.ndim, "moveaxis"), s)
    axes = tuple(order)
    return as_view(Permute.apply(x, axes), x, lambda t: Permute.apply(t, axes))


def index(x: Any, idx: Any) -> Tensor:
    """x[idx]: basic slicing (a view) and integer/boolean array indexing (a copy)."""
    x = as_tensor_arg(x, "index")
    i = plain_index(idx)
    out = Index.apply(x, i)
    return as_view(out, x, lambda t: Index.apply(t, i)) if _is_basic(i) else out


def _tensors(tensors: Sequence[Any], op: str) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    return [as_tensor_arg(t, op) for t in tensors]


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    ts = _tensors(tensors, "cat")
    d = normalize_dim(dim, ts[0].ndim, "cat")
    ref = ts[0].shape
    for t in ts[1:]:
        if t.ndim != len(ref) or any(a != b for i, (a, b) in enumerate(zip(t.shape, ref)) if i != d):
            raise ShapeError(f"cat: shapes {[tuple(t.shape) for t in ts]} differ outside dim {dim}")
    return Cat.apply(d, *ts)


concatenate = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join equally shaped tensors along a new dimension."""
    ts = _tensors(tensors, "stack")
    if any(t.shape != ts[0].shape for t in ts):
        raise ShapeError(f"stack: all tensors must have the same shape, got {[t.shape for t in ts]}")
    return Stack.apply(normalize_dim(dim, ts[0].ndim + 1, "stack"), *ts)


def split(x: Any, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple:
    """Split into pieces of a given size (the last may be smaller) or of the given sizes."""
    x = as_tensor_arg(x, "split")
    d = normalize_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0:
            raise ValueError("split: split size must be positive")
        sizes = [min(split_size_or_sections, n - s) for s in range(0, n, split_size_or_sections)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ShapeError(f"split: sections {sizes} do not add up to dim {dim}'s size {n}")
    pre = (slice(None),) * d
    out, start = [], 0
    for s in sizes:
        out.append(index(x, pre + (slice(start, start + s),)))
        start += s
    return tuple(out)


def chunk(x: Any, chunks: int, dim: int = 0) -> tuple:
    """``chunks`` pieces along ``dim`` of ceil(n / chunks) each (the last may be smaller)."""
    x = as_tensor_arg(x, "chunk")
    if not isinstance(chunks, (int, np.integer)) or chunks < 1:
        raise ValueError(f"chunk: chunks must be a positive integer, got {chunks!r}")
    n = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    return split(x, max(1, -(-n // chunks)), dim)


def unbind(x: Any, dim: int = 0) -> tuple:
    """The slices x[..., k, ...] along ``dim``, as a tuple (the dimension removed)."""
    x = as_tensor_arg(x, "unbind")
    d = normalize_dim(dim, x.ndim, "unbind")
    pre = (slice(None),) * d
    return tuple(index(x, pre + (k,)) for k in range(x.shape[d]))


def pad(x: Any, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant, PyTorch's order: ``(left, right, top, bottom, ...)`` from the last dim."""
    x = as_tensor_arg(x, "pad")
    if mode != "constant":  # reflect, replicate, circular
        from .resample import pad_modes

        return pad_modes(x, pad, mode)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: expected pairs for at most {x.ndim} dims, got {tuple(pad)}")
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        lo, hi = int(pad[2 * k]), int(pad[2 * k + 1])
        if lo < 0 or hi < 0:
            raise ValueError("pad: negative padding is not supported")
        widths[x.ndim - 1 - k] = (lo, hi)
    return Pad.apply(x, tuple(widths), value)


def gather(x: Any, dim: int, index: Any) -> Tensor:
    """out[i][j] = x[i][index[i][j]] for dim=1 (PyTorch's gather)."""
    x = as_tensor_arg(x, "gather")
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got {idx.dtype}")
    if idx.ndim != x.ndim:
        raise ShapeError(f"gather: index of shape {idx.shape} must have as many dims as input {x.shape}")
    return Gather.apply(x, normalize_dim(dim, x.ndim, "gather"), idx)


def _xp_broadcast_to(x, shape):
    return broadcast_to(x, shape)


register_xp(permute_dims=permute_dims, broadcast_to=_xp_broadcast_to, swapaxes=swapaxes,
            reshape=reshape, concatenate=cat, stack=stack)
