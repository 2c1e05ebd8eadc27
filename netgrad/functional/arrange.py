"""Rearranging and building tensors: flip, fliplr, flipud, roll, rot90, repeat_interleave, tile,
tril, triu, tril_indices, triu_indices, diag, diagonal, diag_embed, trace, block_diag, meshgrid,
cartesian_prod, kron, cross.

Each rearrangement reads x's elements at positions worked out on an array of flat positions
(``np.flip(positions)``, ``np.roll(positions)``, ...), so it is one indexing op: its gradient
adds back at those positions, and its second derivative follows. Ops that build a larger tensor
(diag of a vector, diag_embed, block_diag) place the elements with indexing's adjoint.

>>> import netgrad as ng
>>> ng.flip(ng.tensor([1.0, 2.0, 3.0]), [0]).tolist()
[3.0, 2.0, 1.0]
>>> ng.tril(ng.ones(2, 2)).tolist()
[[1.0, 0.0], [1.0, 1.0]]
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from ..autograd import Tensor
from . import elementwise as E
from . import shape as S
from .core import as_tensor_arg, normalize_dim
from .methods import bind_methods
from .shape import index_put_zeros

__all__ = ["flip", "fliplr", "flipud", "roll", "rot90", "repeat_interleave", "tile", "tril", "triu",
           "tril_indices", "triu_indices", "diag", "diagonal", "diag_embed", "trace", "block_diag",
           "meshgrid", "cartesian_prod", "kron", "cross"]


def _rearranged(x: Tensor, fn: Callable[[np.ndarray], np.ndarray]) -> Tensor:
    """x's elements at ``fn(flat positions of x)``: one differentiable indexing op."""
    pos = fn(np.arange(x._data.size, dtype=np.int64).reshape(x.shape))
    out = S.index(S.reshape(x, (-1,)), np.ascontiguousarray(pos).reshape(-1))
    return S.reshape(out, pos.shape)


def _placed(x: Tensor, shape: tuple, targets: np.ndarray) -> Tensor:
    """zeros(shape) with x's elements (in order) at flat positions ``targets``."""
    n = int(np.prod(shape))
    flat = S.reshape(x, (-1,))
    if x.requires_grad:
        return S.reshape(index_put_zeros(flat, (n,), targets.reshape(-1)), shape)
    out = np.zeros(n, dtype=x.dtype)
    out[targets.reshape(-1)] = flat._data
    return Tensor._make(out.reshape(shape))


def _dims(dims: Any) -> tuple:
    return tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)


def flip(input: Any, dims: Any) -> Tensor:  # noqa: A002
    """x with the order of its elements reversed along each of ``dims`` (a copy)."""
    x = as_tensor_arg(input, "flip")
    axes = normalize_dim(_dims(dims), x.ndim, "flip")
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"flip: dims {dims} has a dim repeated")
    return _rearranged(x, lambda p: np.flip(p, axes)) if x.ndim else x


def fliplr(input: Any) -> Tensor:  # noqa: A002
    """x with its columns (dim 1) reversed; needs at least 2 dims."""
    x = as_tensor_arg(input, "fliplr")
    if x.ndim < 2:
        raise RuntimeError(f"fliplr: input must be >= 2-d, got shape {x.shape}")
    return flip(x, 1)


def flipud(input: Any) -> Tensor:  # noqa: A002
    """x with its rows (dim 0) reversed; needs at least 1 dim."""
    x = as_tensor_arg(input, "flipud")
    if x.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d")
    return flip(x, 0)


def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """x shifted cyclically by ``shifts`` along ``dims`` (the flattened x when dims is None)."""
    x = as_tensor_arg(input, "roll")
    if x.ndim == 0:
        return _rearranged(x, lambda p: p)
    if dims is None:
        if len(_dims(shifts)) != 1:
            raise RuntimeError(f"roll: shifts {shifts} without dims must be a single shift")
        return _rearranged(x, lambda p: np.roll(p, _dims(shifts)[0]))
    sh, ax = _dims(shifts), normalize_dim(_dims(dims), max(x.ndim, 1), "roll")
    if len(sh) != len(ax):
        raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    return _rearranged(x, lambda p: np.roll(p, sh, ax)) if x.ndim else x


def rot90(input: Any, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:  # noqa: A002
    """x rotated by k * 90 degrees in the plane of ``dims`` (from the first towards the second)."""
    x = as_tensor_arg(input, "rot90")
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected 2 dims, got {dims}")
    if x.ndim < 2:
        raise RuntimeError(f"rot90: expected a tensor with at least 2 dims, got shape {x.shape}")
    axes = normalize_dim(dims, x.ndim, "rot90")
    if axes[0] == axes[1]:
        raise RuntimeError(f"rot90: the two dims must differ, got {dims}")
    return _rearranged(x, lambda p: np.rot90(p, k, axes))


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times, one after another;
    ``repeat_interleave(counts)`` alone gives 0, 1, ... each repeated counts[i] times."""
    if repeats is None:
        counts = as_tensor_arg(input, "repeat_interleave")._data
        if counts.dtype.kind not in "iu" or counts.ndim > 1:
            raise RuntimeError("repeat_interleave: repeats must be a 0-d or 1-d integer tensor")
        return Tensor._make(np.repeat(np.arange(counts.size, dtype=np.int64), counts.reshape(-1)))
    x = as_tensor_arg(input, "repeat_interleave")
    r = np.asarray(repeats._data if isinstance(repeats, Tensor) else repeats)
    if r.dtype.kind not in "iu" or (r.size and r.min() < 0):
        raise RuntimeError("repeat_interleave: repeats must be non-negative integers")
    if dim is None:
        return _rearranged(x, lambda p: np.repeat(p.reshape(-1), r.reshape(-1) if r.ndim else r))
    d = normalize_dim(dim, max(x.ndim, 1), "repeat_interleave")
    if x.ndim == 0:
        x = S.reshape(x, (1,))
    if r.ndim and r.size not in (1, x.shape[d]):
        raise RuntimeError(f"repeat_interleave: repeats must have 1 or {x.shape[d]} elements, got {r.size}")
    return _rearranged(x, lambda p: np.repeat(p, r.reshape(-1) if r.ndim else r, axis=d))


def tile(input: Any, dims: Sequence[int]) -> Tensor:  # noqa: A002
    """x repeated ``dims[i]`` times along each dimension (``dims`` padded with 1s in front)."""
    x = as_tensor_arg(input, "tile")
    reps = _dims(dims)
    if any(int(r) < 0 for r in reps):
        raise RuntimeError(f"tile: repeats must be non-negative, got {tuple(reps)}")
    return _rearranged(x, lambda p: np.tile(p, reps))


def _triangle(input: Any, diagonal: int, lower: bool, op: str) -> Tensor:
    x = as_tensor_arg(input, op)
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape {x.shape}")
    keep = (np.tril if lower else np.triu)(np.ones(x.shape[-2:], dtype=bool), int(diagonal))
    return E.where(Tensor._make(keep), x, Tensor._make(np.zeros((), dtype=x.dtype)))


def tril(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle of the last two dims (j <= i + diagonal kept), zeros elsewhere."""
    return _triangle(input, diagonal, True, "tril")


def triu(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle of the last two dims (j >= i + diagonal kept), zeros elsewhere."""
    return _triangle(input, diagonal, False, "triu")


def _tri_indices(row: int, col: int, offset: int, dtype: Any, lower: bool) -> Tensor:
    if row < 0 or col < 0:
        raise RuntimeError(f"tril_indices/triu_indices: row and col must be non-negative, got {row}, {col}")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return Tensor._make(np.stack([r, c]).astype(np.int64 if dtype is None else np.dtype(dtype)))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The 2 x n (row, col) indices of a row x col matrix's lower triangle, row by row."""
    return _tri_indices(row, col, offset, dtype, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The 2 x n (row, col) indices of a row x col matrix's upper triangle, row by row."""
    return _tri_indices(row, col, offset, dtype, False)


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The diagonal of the (dim1, dim2) planes, as the last dim; ``offset`` > 0 above it."""
    x = as_tensor_arg(input, "diagonal")
    if x.ndim < 2:
        raise RuntimeError(f"diagonal: expected a tensor with at least 2 dims, got shape {x.shape}")
    d1, d2 = normalize_dim(dim1, x.ndim, "diagonal"), normalize_dim(dim2, x.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dim1 and dim2 cannot be the same dim ({dim1}, {dim2})")
    return _rearranged(x, lambda p: np.diagonal(p, offset, d1, d2))


_diagonal = diagonal  # diag's argument ``diagonal`` (PyTorch's name) hides the function


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """Matrices (in dims dim1, dim2 of a result with one more dim) whose ``offset`` diagonal
    holds x's last dim; zeros elsewhere."""
    x = as_tensor_arg(input, "diag_embed")
    if x.ndim == 0:
        x = S.reshape(x, (1,))
    nd = x.ndim + 1
    d1, d2 = normalize_dim(dim1, nd, "diag_embed"), normalize_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: dim1 and dim2 cannot be the same dim ({dim1}, {dim2})")
    m = x.shape[-1] + abs(int(offset))
    shape = list(x.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, m)
    targets = np.diagonal(np.arange(int(np.prod(shape))).reshape(shape), offset, d1, d2)
    return _placed(x, tuple(shape), targets)


def diag(input: Any, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A vector's square diagonal matrix (on the ``diagonal``-th diagonal), or a matrix's diagonal."""
    x = as_tensor_arg(input, "diag")
    if x.ndim == 1:
        return diag_embed(x, diagonal, 0, 1)
    if x.ndim == 2:
        return _diagonal(x, diagonal, 0, 1)
    raise RuntimeError(f"diag: expected a 1-D or 2-D tensor, got shape {x.shape}")


def trace(input: Any) -> Tensor:  # noqa: A002
    """sum_i x_ii of a matrix (integers give int64)."""
    x = as_tensor_arg(input, "trace")
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, got shape {x.shape}")
    return diagonal(x).sum()


def block_diag(*tensors: Any) -> Tensor:
    """The block-diagonal matrix of the given matrices (0-d: 1 x 1, 1-D: one row)."""
    ts = [as_tensor_arg(t, "block_diag") for t in tensors]
    if any(t.ndim > 2 for t in ts):
        raise RuntimeError("block_diag: input tensors must have 2 or fewer dimensions")
    ts = [S.reshape(t, (1, 1) if t.ndim == 0 else (1, -1) if t.ndim == 1 else t.shape) for t in ts]
    if not ts:
        return Tensor._make(np.zeros((1, 0), dtype=np.float32))
    floats = [t.dtype for t in ts if t.dtype.kind == "f"]  # PyTorch: a float type wins whole
    dtype = np.result_type(*(floats or [t.dtype for t in ts]))
    ts = [t if t.dtype == dtype else E.cast(t, dtype) for t in ts]
    rows, cols = sum(t.shape[0] for t in ts), sum(t.shape[1] for t in ts)
    targets, r0, c0 = [], 0, 0
    for t in ts:
        r, c = np.indices(t.shape)
        targets.append(((r + r0) * cols + c + c0).reshape(-1))
        r0, c0 = r0 + t.shape[0], c0 + t.shape[1]
    flat = S.cat([S.reshape(t, (-1,)) for t in ts], 0)
    return _placed(flat, (rows, cols), np.concatenate(targets))


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids of 1-D tensors: the i-th varies along dim i ('ij', the default) or with
    the first two dims swapped ('xy', as NumPy)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = [as_tensor_arg(t, "meshgrid") for t in tensors]
    if any(t.ndim > 1 for t in ts):
        raise RuntimeError("meshgrid: expects 0-d or 1-d tensors")
    if indexing is None:
        warnings.warn("meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    sizes = [int(t._data.size) for t in ts]
    axes = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(ts)
    for i, a in enumerate(axes):
        shape[a] = sizes[i]
    out = []
    for t, a in zip(ts, axes):
        view = [1] * len(ts)
        view[a] = -1
        out.append(S.expand(S.reshape(t, tuple(view)), tuple(shape)))
    return tuple(out)


def cartesian_prod(*tensors: Any) -> Tensor:
    """All combinations of the 1-D tensors' elements, one per row (a single tensor: itself)."""
    if len(tensors) == 1:
        return as_tensor_arg(tensors[0], "cartesian_prod")
    grids = meshgrid(*tensors, indexing="ij")
    return S.stack([S.reshape(g, (-1,)) for g in grids], 1)


def kron(input: Any, other: Any) -> Tensor:  # noqa: A002
    """The Kronecker product: blocks a_ij * b (dims matched by prepending 1s)."""
    a, b = as_tensor_arg(input, "kron"), as_tensor_arg(other, "kron")
    n = max(a.ndim, b.ndim)
    sa, sb = (1,) * (n - a.ndim) + a.shape, (1,) * (n - b.ndim) + b.shape
    a2 = S.reshape(a, tuple(v for s in sa for v in (s, 1)))
    b2 = S.reshape(b, tuple(v for s in sb for v in (1, s)))
    return S.reshape(a2 * b2, tuple(p * q for p, q in zip(sa, sb)))


def cross(input: Any, other: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product a x b of 3-vectors along ``dim`` (default: the first dim of size 3)."""
    from .indexing import index_select

    a, b = as_tensor_arg(input, "cross"), as_tensor_arg(other, "cross")
    shape = np.broadcast_shapes(a.shape, b.shape)
    a = a if a.shape == shape else S.expand(a, shape)
    b = b if b.shape == shape else S.expand(b, shape)
    if dim is None:
        sized = [k for k, s in enumerate(shape) if s == 3]
        if not sized:
            raise RuntimeError(f"cross: no dimension of size 3 in input of shape {shape}")
        d = sized[0]
    else:
        d = normalize_dim(dim, len(shape), "cross")
    if shape[d] != 3:
        raise RuntimeError(f"cross: inputs dimension {dim} must have length 3, got shape {shape}")
    i1, i2 = np.array([1, 2, 0]), np.array([2, 0, 1])
    return (index_select(a, d, i1) * index_select(b, d, i2) - index_select(a, d, i2) * index_select(b, d, i1))


bind_methods(flip=flip, fliplr=fliplr, flipud=flipud, roll=roll, rot90=rot90,
             repeat_interleave=repeat_interleave, tile=tile, tril=tril, triu=triu, diag=diag,
             diagonal=diagonal, diag_embed=diag_embed, trace=trace, kron=kron, cross=cross)
