"""Selecting and scattering by index: index_select, masked_select, take, take_along_dim,
scatter, scatter_add, scatter_reduce, index_add, index_copy, index_fill, nonzero, argwhere,
count_nonzero, and ``where(condition)`` with one argument.

The differentiable ones are built from indexing (``x[idx]``, whose adjoint adds the gradient
back at ``idx``) and ``where``, so first and second derivatives follow from those; only
scatter_reduce's amax/amin/prod have their own Function.

>>> import netgrad as ng
>>> x = ng.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> ng.index_select(x, 1, ng.tensor([1])).tolist()
[[2.0], [4.0]]
>>> ng.scatter_add(ng.zeros(3), 0, ng.tensor([0, 0, 2]), ng.tensor([1.0, 2.0, 3.0])).tolist()
[3.0, 0.0, 3.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from . import elementwise as E
from . import shape as S
from .core import as_tensor_arg, normalize_dim
from .methods import bind_methods
from .shape import index_put_zeros

__all__ = ["index_select", "masked_select", "take", "take_along_dim", "scatter", "scatter_add",
           "scatter_reduce", "index_add", "index_copy", "index_fill", "nonzero", "argwhere",
           "count_nonzero", "where"]


def _index_array(index: Any, op: str) -> np.ndarray:
    idx = np.asarray(index._data if isinstance(index, Tensor) else index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): expected an integer (int64) index tensor, got {idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _flat_take(x: Tensor, flat: np.ndarray) -> Tensor:
    """x.flatten()[flat], differentiable (the adjoint adds back at ``flat``)."""
    return S.index(S.reshape(x, (-1,)), flat)


def _check_bounds(idx: np.ndarray, n: int, op: str, what: str = "index") -> np.ndarray:
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"{op}(): {what} {bad} is out of bounds for a dimension of size {n}")
    return np.where(idx < 0, idx + n, idx)


def index_select(input: Any, dim: int, index: Any) -> Tensor:  # noqa: A002
    """The slices of ``input`` at ``index`` (1-D) along ``dim``."""
    x = as_tensor_arg(input, "index_select")
    d = normalize_dim(dim, x.ndim, "index_select")
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): index must be 0-d or 1-D, got shape {idx.shape}")
    if x.ndim == 0:
        _check_bounds(idx, 1, "index_select")
        return S.reshape(x, (1,) * idx.ndim)
    idx = _check_bounds(idx.reshape(-1), x.shape[d], "index_select")
    return S.index(x, (slice(None),) * d + (idx,))


def masked_select(input: Any, mask: Any) -> Tensor:  # noqa: A002
    """The 1-D tensor of ``input``'s elements where ``mask`` (broadcast with it) is True."""
    x = as_tensor_arg(input, "masked_select")
    m = as_tensor_arg(mask, "masked_select")._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected a bool mask, got {m.dtype}")
    shape = np.broadcast_shapes(x.shape, m.shape)
    xb = x if x.shape == shape else S.expand(x, shape)
    return S.index(xb, np.broadcast_to(m, shape))


def take(input: Any, index: Any) -> Tensor:  # noqa: A002
    """``input`` read as 1-D at ``index``; the result has ``index``'s shape."""
    x = as_tensor_arg(input, "take")
    idx = _check_bounds(_index_array(index, "take"), int(x._data.size), "take")
    return _flat_take(x, idx)


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """Elements at ``indices`` along ``dim`` (``input`` and ``indices`` broadcast elsewhere);
    with no dim, both are read as 1-D."""
    x = as_tensor_arg(input, "take_along_dim")
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return take(S.reshape(x, (-1,)), idx.reshape(-1))
    d = normalize_dim(dim, x.ndim, "take_along_dim")
    if idx.ndim != x.ndim:
        raise RuntimeError(f"take_along_dim(): input {x.shape} and indices {idx.shape} must have the "
                           "same number of dims")
    xs, ids = list(x.shape), list(idx.shape)
    xs[d] = ids[d] = 1
    b = np.broadcast_shapes(tuple(xs), tuple(ids))
    xt = tuple(b[:d]) + (x.shape[d],) + tuple(b[d + 1:])
    it = tuple(b[:d]) + (idx.shape[d],) + tuple(b[d + 1:])
    xb = x if x.shape == xt else S.expand(x, xt)
    idx = _check_bounds(np.broadcast_to(idx, it), x.shape[d], "take_along_dim")
    return S.gather(xb, d, np.ascontiguousarray(idx))


# ------------------------------------------------------------------ scatter
def _scatter_positions(x: Tensor, d: int, idx: np.ndarray, src_shape: tuple | None, op: str):
    """Flat positions in x that ``idx`` writes (along ``d``) and flat positions in src it reads."""
    if idx.ndim != x.ndim or (src_shape is not None and len(src_shape) != idx.ndim):
        raise RuntimeError(f"{op}(): index {idx.shape}, self {x.shape} and src {src_shape} must "
                           "have the same number of dims")
    for k in range(idx.ndim):
        if (k != d and idx.shape[k] > x.shape[k]) or (src_shape is not None and idx.shape[k] > src_shape[k]):
            raise RuntimeError(f"{op}(): index {idx.shape} is larger than self {x.shape} or src "
                               f"{src_shape} outside dim {d}")
    idx = _check_bounds(idx, x.shape[d] if x.ndim else 1, op)
    grids = list(np.indices(idx.shape, sparse=True))
    src_pos = None if src_shape is None else np.ravel_multi_index(tuple(grids), src_shape).reshape(-1)
    grids[d] = idx
    tgt = np.ravel_multi_index(tuple(grids), x.shape).reshape(-1)  # the index arrays broadcast
    return tgt, src_pos


def _src_values(src: Tensor, src_pos: np.ndarray) -> Tensor:
    return _flat_take(src, src_pos)


def _prepare(input: Any, dim: int, index: Any, src: Any, op: str):
    x = as_tensor_arg(input, op)
    d = normalize_dim(dim, x.ndim, op) if x.ndim else 0
    idx = _index_array(index, op)
    if x.ndim == 0:
        x0 = x
        x = S.reshape(x, (1,))
        idx = idx.reshape((1,) * 1 if idx.size else (0,))
    else:
        x0 = None
    s = None
    if src is not None and isinstance(src, Tensor):
        s = src if src.ndim or x0 is None else S.reshape(src, (1,))
        if s.dtype != x.dtype:
            raise RuntimeError(f"{op}(): expected self.dtype to be equal to src.dtype, got {x.dtype} "
                               f"and {s.dtype}")
    tgt, src_pos = _scatter_positions(x, d, idx, None if s is None else s.shape, op)
    return x, x0, d, tgt, s, src_pos


def _back(out: Tensor, x0: Tensor | None) -> Tensor:
    return out if x0 is None else S.reshape(out, ())


def _mask(shape: tuple, tgt: np.ndarray) -> np.ndarray:
    m = np.zeros(int(np.prod(shape)), dtype=bool)
    m[tgt] = True
    return m.reshape(shape)


def _added(vals: Tensor, shape: tuple, tgt: np.ndarray) -> Tensor:
    """zeros(shape) with ``vals`` added at flat positions ``tgt`` (differentiable)."""
    n = int(np.prod(shape))
    if isinstance(vals, Tensor) and vals.requires_grad:
        return S.reshape(index_put_zeros(vals, (n,), tgt), shape)
    out = np.zeros(n, dtype=vals.dtype)
    np.add.at(out, tgt, vals._data)
    return Tensor._make(out.reshape(shape))


def last_write(vals: Tensor, shape: tuple, pos: np.ndarray) -> Tensor:
    """zeros(shape) with ``vals`` written at flat positions ``pos``; where a position repeats, the
    last write wins, yet every value gets dJ/dy at its position, as PyTorch's gradient does."""
    _, last = np.unique(pos[::-1], return_index=True)
    keep = len(pos) - 1 - last
    if len(keep) == len(pos) or not (isinstance(vals, Tensor) and vals.requires_grad):
        return _added(_flat_take(vals, keep), shape, pos[keep])
    every = _added(vals, shape, pos)
    fix = _added(_flat_take(vals, keep), shape, pos[keep])._data - every._data
    return every + Tensor._make(fix)  # the fix is a constant: the gradient is every's


def scatter(input: Any, dim: int, index: Any, src: Any = None, value: Any = None, *,  # noqa: A002
            reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``src[i][j]`` (or ``value``) written at ``[i][index[i][j]]`` for
    dim=1; where an index repeats, the last write wins, and (PyTorch's gradient) every src value
    still gets dJ/dy at its target. ``reduce='add'|'multiply'`` combines instead."""
    if src is None and value is None:
        raise TypeError("scatter(): expected src (a tensor) or value (a number)")
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src  # scatter(x, dim, index, 2.0): PyTorch's value overload
    if reduce is not None:
        modes = {"add": "sum", "multiply": "prod"}
        if reduce not in modes:
            raise RuntimeError(f"scatter(): reduce argument must be 'add' or 'multiply', got {reduce!r}")
        if src is None:
            x = as_tensor_arg(input, "scatter")
            src = Tensor._make(np.full(np.shape(_index_array(index, "scatter")), value, dtype=x.dtype))
        return scatter_reduce(input, dim, index, src, modes[reduce])
    x, x0, d, tgt, s, src_pos = _prepare(input, dim, index, src, "scatter")
    mask = Tensor._make(_mask(x.shape, tgt))
    if s is None:
        placed = Tensor._make(np.asarray(value, dtype=x.dtype))
    else:
        placed = last_write(_src_values(s, src_pos), x.shape, tgt)
    return _back(E.where(mask, placed, x), x0)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor:  # noqa: A002
    """``input`` plus ``src[i][j]`` added at ``[i][index[i][j]]`` (dim=1); repeats accumulate."""
    src = as_tensor_arg(src, "scatter_add")
    x, x0, d, tgt, s, src_pos = _prepare(input, dim, index, src, "scatter_add")
    return _back(x + _added(_src_values(s, src_pos), x.shape, tgt), x0)


class ScatterExtreme(Function):
    """y_t = max (or min, or prod) of x_t (with include_self) and the src values sent to t.
    max/min: dJ/dx_t and dJ/dsrc_j share dJ/dy_t evenly among the elements equal to y_t;
    prod: dJ/de = dJ/dy_t prod_{e' != e} e' (exact with zeros; first order only).

    >>> import netgrad as ng
    >>> src = ng.tensor([1.0, 5.0, 5.0], requires_grad=True)
    >>> y = ng.scatter_reduce(ng.zeros(2), 0, ng.tensor([0, 0, 1]), src, "amax")
    >>> y.sum().backward(); y.tolist(), src.grad.tolist()
    ([5.0, 5.0], [0.0, 1.0, 1.0])
    """

    _array_backward = True

    @staticmethod
    def forward(ctx, x, src, tgt, src_pos, mode, include_self):
        xd = x._data.reshape(-1)
        vals = src._data.reshape(-1)[src_pos]
        hit = np.zeros(xd.shape, bool)
        hit[tgt] = True
        ufunc = {"amax": np.maximum, "amin": np.minimum, "prod": np.multiply}[mode]
        out = xd.copy()
        if not include_self:
            ident = {"amax": -np.inf, "amin": np.inf, "prod": 1}[mode]
            if xd.dtype.kind != "f" and mode != "prod":
                info = np.iinfo(xd.dtype) if xd.dtype.kind in "iu" else None
                ident = (info.min if mode == "amax" else info.max) if info else (mode == "amin")
            out[hit] = ident
        ufunc.at(out, tgt, vals)
        self_in = ~hit | include_self
        ctx.tgt, ctx.src_pos, ctx.shape, ctx.src_shape = tgt, src_pos, x.shape, src.shape
        ctx.mode = mode
        if mode == "prod":
            w_self, ctx.w_src = _prod_others(xd, vals, tgt, self_in)
            ctx.w_self = w_self.reshape(x.shape)
        else:
            # PyTorch counts a tied input value even with include_self=False (it then gets no
            # share): the shares below follow that.
            eq_self = xd == out
            eq_src = vals == out[tgt]
            count = eq_self.astype(xd.dtype)
            np.add.at(count, tgt, eq_src)
            count[count == 0] = 1
            ctx.w_self = ((eq_self & self_in) / count).reshape(x.shape)
            ctx.w_src = eq_src / count[tgt]
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        if ctx.mode == "prod" and ctx.create_graph:
            raise NotImplementedError("scatter_reduce(reduce='prod'): double backward is not supported")
        gx = g * ctx.w_self if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.needs_input_grad[1]:
            n = int(np.prod(ctx.src_shape))
            gs = index_put_zeros(g.reshape(-1)[ctx.tgt] * ctx.w_src, (n,), ctx.src_pos).reshape(ctx.src_shape)
        return gx, gs, None, None, None, None


def _prod_others(xd, vals, tgt, self_in):
    """For every element e of each product group, the product of the group's other elements."""
    nz_self = np.where(self_in & (xd != 0), xd, 1)
    nz_prod = nz_self.copy()
    np.multiply.at(nz_prod, tgt, np.where(vals != 0, vals, 1))
    zeros = ((xd == 0) & self_in).astype(np.int64)
    np.add.at(zeros, tgt, vals == 0)

    def others(e, z, p):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(e == 0, np.where(z == 1, p, 0), np.where(z == 0, p / np.where(e == 0, 1, e), 0))

    w_self = np.where(self_in, others(xd, zeros, nz_prod), 0)
    return w_self, others(vals, zeros[tgt], nz_prod[tgt])


def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """Combine the src values sent to each position (and the input's own value where
    ``include_self``) with ``reduce``: 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError("scatter_reduce(): reduce must be one of sum, prod, mean, amax, amin, "
                           f"got {reduce!r}")
    src = as_tensor_arg(src, "scatter_reduce")
    x, x0, d, tgt, s, src_pos = _prepare(input, dim, index, src, "scatter_reduce")
    if reduce in ("sum", "mean"):
        mask = _mask(x.shape, tgt)
        base = x if include_self else E.where(Tensor._make(mask), Tensor._make(np.zeros((), x.dtype)), x)
        total = base + _added(_src_values(s, src_pos), x.shape, tgt)
        if reduce == "sum":
            return _back(total, x0)
        count = np.where(mask, int(include_self), 1).reshape(-1)
        np.add.at(count, tgt, 1)
        count = count.reshape(x.shape)
        if x.dtype.kind != "f":
            return _back(Tensor._make(np.floor_divide(total._data, count).astype(x.dtype)), x0)
        return _back(total / Tensor._make(count.astype(x.dtype)), x0)
    return _back(ScatterExtreme.apply(x, s, tgt, src_pos, reduce, bool(include_self)), x0)


# ------------------------------------------------------------------ index_add / copy / fill
def _dim_index(x: Tensor, dim: int, index: Any, op: str) -> tuple[int, np.ndarray, tuple]:
    d = normalize_dim(dim, x.ndim, op) if x.ndim else 0
    idx = _index_array(index, op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): index must be 0-d or 1-D, got shape {idx.shape}")
    n = x.shape[d] if x.ndim else 1
    idx = _check_bounds(idx.reshape(-1), n, op)
    return d, idx, (slice(None),) * d + (idx,)


def _check_source(x: Tensor, d: int, idx: np.ndarray, source: Tensor, op: str) -> None:
    want = list(x.shape)
    if want:
        want[d] = len(idx)
    if source.ndim and tuple(want) != source.shape:
        raise RuntimeError(f"{op}(): source of shape {source.shape} should have shape {tuple(want)} "
                           f"(self {x.shape} with dim {d} of size len(index) = {len(idx)})")


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Tensor:  # noqa: A002
    """``input`` with ``alpha * source`` added at ``index`` along ``dim`` (repeats accumulate)."""
    x = as_tensor_arg(input, "index_add")
    source = as_tensor_arg(source, "index_add")
    d, idx, key = _dim_index(x, dim, index, "index_add")
    _check_source(x, d, idx, source, "index_add")
    src = source if alpha == 1 else source * alpha
    if x.ndim == 0:
        return x + S.reshape(src, ()).sum() if len(idx) else x
    src = src if src.ndim else S.expand(S.reshape(src, (1,) * x.ndim), tuple(
        len(idx) if k == d else s for k, s in enumerate(x.shape)))
    return x + index_put_zeros(src, x.shape, key) if src.requires_grad else \
        x + Tensor._make(index_put_zeros(src._data, x.shape, key))


def index_copy(input: Any, dim: int, index: Any, source: Any) -> Tensor:  # noqa: A002
    """``input`` with the slices at ``index`` along ``dim`` replaced by ``source``'s."""
    x = as_tensor_arg(input, "index_copy")
    source = as_tensor_arg(source, "index_copy")
    d, idx, key = _dim_index(x, dim, index, "index_copy")
    _check_source(x, d, idx, source, "index_copy")
    if x.ndim == 0:
        return S.reshape(source, ()) if len(idx) else x
    mask = np.zeros(x.shape, bool)
    mask[key] = True
    placed = index_put_zeros(source, x.shape, key) if source.requires_grad else \
        Tensor._make(index_put_zeros(source._data, x.shape, key))
    return E.where(Tensor._make(mask), placed, x)


def index_fill(input: Any, dim: int, index: Any, value: Any) -> Tensor:  # noqa: A002
    """``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    x = as_tensor_arg(input, "index_fill")
    d, idx, key = _dim_index(x, dim, index, "index_fill")
    mask = np.zeros(x.shape, bool)
    mask[key if x.ndim else ()] = bool(len(idx))
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"index_fill(): value must be a 0-d tensor, got shape {value.shape}")
        v = value if value.requires_grad else Tensor._make(value._data.astype(x.dtype))
    else:
        v = Tensor._make(np.asarray(value, dtype=x.dtype))
    return E.where(Tensor._make(mask), v, x)


# ------------------------------------------------------------------ nonzero
def nonzero(input: Any, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The int64 indices of the nonzero elements: an (n, ndim) tensor, or one 1-D tensor per dim."""
    xd = as_tensor_arg(input, "nonzero")._data
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(xd)))
    return Tensor._make(np.argwhere(xd).astype(np.int64))


def argwhere(input: Any) -> Tensor:  # noqa: A002
    """``nonzero(input)``: the (n, ndim) int64 indices of the nonzero elements."""
    return nonzero(input)


def count_nonzero(input: Any, dim: Any = None) -> Tensor:  # noqa: A002
    """The number of nonzero elements (along ``dim``), int64."""
    x = as_tensor_arg(input, "count_nonzero")
    d = normalize_dim(dim, x.ndim, "count_nonzero") if x.ndim else None
    return Tensor._make(np.asarray(np.count_nonzero(x._data, axis=d), dtype=np.int64))


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other``; with the condition alone,
    ``nonzero(condition, as_tuple=True)``."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where(): expected both input and other, or neither")
    return E.where(condition, input, other)


bind_methods(index_select=index_select, masked_select=masked_select, take=take,
             take_along_dim=take_along_dim, scatter=scatter, scatter_add=scatter_add,
             scatter_reduce=scatter_reduce, index_add=index_add, index_copy=index_copy,
             index_fill=index_fill, nonzero=nonzero, argwhere=argwhere, count_nonzero=count_nonzero)
