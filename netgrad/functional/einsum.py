"""Einstein summation (``einsum``) and pairwise distances (``cdist``).

>>> import netgrad as ng
>>> a = ng.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> ng.einsum("ij,jk->ik", a, a).tolist()
[[7.0, 10.0], [15.0, 22.0]]
>>> ng.einsum("ii", a).item()
5.0
>>> ng.cdist(ng.tensor([[0.0, 0.0]]), ng.tensor([[3.0, 4.0]])).item()
5.0
"""

from __future__ import annotations

import builtins
import string
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from . import elementwise as E
from . import reduction as R
from . import shape as S
from .core import as_tensor_arg, register_xp, xp_of
from .shape import index_put_zeros

__all__ = ["einsum", "cdist"]

_LETTERS = set(string.ascii_letters)


def _parse(equation: str, shapes: list) -> tuple[list, str]:
    """Operand subscripts and output subscripts with '...' spelled out as letters, and the
    implicit output (letters seen once, sorted) made explicit."""
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(shapes):
        raise ValueError(f"einsum(): the equation {equation!r} names {len(subs)} operands, "
                         f"got {len(shapes)}")
    used = set(eq) & _LETTERS
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for s, shp in zip(subs, shapes):
        bad = set(s.replace("...", "")) - _LETTERS
        if bad:
            raise ValueError(f"einsum(): invalid subscript {sorted(bad)[0]!r} in {equation!r} (letters only)")
        named = len(s.replace("...", ""))
        if ("..." in s and named > len(shp)) or ("..." not in s and named != len(shp)):
            raise ValueError(f"einsum(): subscripts {s!r} do not match an operand with {len(shp)} dims")
        if "..." in s:
            n_ell = max(n_ell, len(shp) - named)
    pool = "".join(spare[:n_ell])
    full = []
    for s, shp in zip(subs, shapes):
        if "..." in s:
            k = len(shp) - len(s.replace("...", ""))
            s = s.replace("...", pool[n_ell - k:])
        full.append(s)
    if arrow:
        if "..." in out:
            out = out.replace("...", pool)
        elif n_ell and any("..." in s for s in subs):
            raise ValueError(f"einsum(): output subscripts of {equation!r} must contain '...'")
        seen = "".join(full)
        for c in out:
            if c not in seen or out.count(c) > 1:
                raise ValueError(f"einsum(): output subscript {c!r} appears more than once or in no "
                                 f"operand of {equation!r}")
    else:
        joined = "".join(full)
        out = pool + "".join(sorted(c for c in set(joined) - set(pool) if joined.count(c) == 1))
    return full, out


def _sizes(subs: list, shapes: list, equation: str) -> dict:
    size: dict = {}
    for s, shp in zip(subs, shapes):
        for c, n in zip(s, shp):
            if size.get(c, 1) != 1 and n not in (1, size[c]):
                raise ValueError(f"einsum(): subscript {c!r} has size {n} in one operand and "
                                 f"{size[c]} in another ({equation!r})")
            size[c] = max(size.get(c, 1), n)
    return size


class Einsum(Function):
    """y = einsum(subs -> out, x_1, ..., x_n); dJ/dx_k = einsum of dJ/dy with the other operands
    into x_k's subscripts (letters summed within x_k alone broadcast back; a repeated letter puts
    the gradient on x_k's diagonal).

    >>> import netgrad as ng
    >>> a = ng.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> ng.einsum("ii", a).backward(); a.grad.tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    _array_backward = True

    @staticmethod
    def forward(ctx, eq, subs, out, *xs):
        ctx.save_for_backward(*xs)
        ctx.subs, ctx.out_subs = subs, out
        ctx.size = _sizes(subs, [x.shape for x in xs], eq)
        arrays = [x._data for x in xs]
        return np.asarray(np.einsum(",".join(subs) + "->" + out, *arrays, optimize=len(xs) > 2))

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        xp = xp_of(ctx)
        grads = []
        for k, (sk, xk) in enumerate(zip(ctx.subs, xs)):
            if not ctx.needs_input_grad[k + 3]:
                grads.append(None)
                continue
            others = [(s, x) for j, (s, x) in enumerate(zip(ctx.subs, xs)) if j != k]
            avail = set(ctx.out_subs).union(*[set(s) for s, _ in others])
            uniq = "".join(dict.fromkeys(sk))
            target = "".join(c for c in uniq if c in avail)
            ops = [x for _, x in others] + [g]
            eq = ",".join([s for s, _ in others] + [ctx.out_subs]) + "->" + target
            gu = xp.einsum(eq, *ops)
            if target != uniq:  # letters summed inside x_k alone: dJ/dx is constant along them
                kept = tuple(ctx.size[c] if c in target else 1 for c in uniq)
                gu = xp.broadcast_to(gu.reshape(kept), tuple(ctx.size[c] for c in uniq))
            if len(uniq) != len(sk):  # a repeated letter: the gradient lives on the diagonal
                full = tuple(ctx.size[c] for c in sk)
                grid = np.indices(gu.shape)
                flat = np.ravel_multi_index(tuple(grid[uniq.index(c)] for c in sk), full).reshape(-1)
                gu = index_put_zeros(gu.reshape(-1), (int(np.prod(full)),), flat).reshape(full)
            shape = tuple(xk.shape)
            bcast = tuple(i for i, (a, b) in enumerate(zip(shape, gu.shape)) if a == 1 and b != 1)
            if bcast:  # a size-1 dim broadcast against a longer one
                gu = gu.sum(axis=bcast, keepdims=True)
            if tuple(gu.shape) != shape:  # x_k's letter is longer than the others' size-1 dim
                gu = xp.broadcast_to(gu, shape)
            grads.append(gu)
        return (None, None, None, *grads)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sums of products over the repeated subscripts of ``equation`` (NumPy/PyTorch rules:
    '...', implicit output, repeated letters for diagonals)."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the first argument must be the equation string, got "
                        f"{type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = [as_tensor_arg(x, "einsum") for x in operands]
    if len({x.dtype for x in xs}) > 1:
        raise RuntimeError(f"einsum(): expected all operands to have the same dtype, got "
                           f"{[str(x.dtype) for x in xs]}")
    subs, out = _parse(equation, [x.shape for x in xs])
    return Einsum.apply(equation, subs, out, *xs)


class CdistMM(Function):
    """d_ij = sqrt(max(|a_i|^2 + |b_j|^2 - 2 a_i.b_j, 0)) (the matrix-product form PyTorch uses
    for many rows); with W = dJ/dd / d (0 where d = 0): dJ/da_i = (sum_j W_ij) a_i - (W b)_i,
    dJ/db_j = (sum_i W_ij) b_j - (W^T a)_j."""

    _array_backward = True
    _fresh_grads = True  # products and sums: arrays of their own

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = a._data, b._data
        sq = ((ad * ad).sum(-1)[..., :, None] + (bd * bd).sum(-1)[..., None, :]
              - 2 * (ad @ np.swapaxes(bd, -1, -2)))
        d = np.sqrt(np.maximum(sq, 0))
        ctx.save_for_backward(a, b, d)
        return d

    @staticmethod
    def backward(ctx, g):
        a, b, d = ctx.saved_tensors
        xp = xp_of(ctx)
        zero = d == 0
        w = xp.where(zero, 0.0, g / xp.where(zero, 1.0, d))
        wt = xp.swapaxes(w, -1, -2)
        ga = w.sum(axis=-1, keepdims=True) * a - w @ b if ctx.needs_input_grad[0] else None
        gb = wt.sum(axis=-1, keepdims=True) * b - wt @ a if ctx.needs_input_grad[1] else None
        return ga, gb


def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """d_ij = ||x1_i - x2_j||_p between the rows of x1 (..., P, M) and x2 (..., R, M); the
    gradient at a zero distance is 0, as in PyTorch."""
    a, b = as_tensor_arg(x1, "cdist"), as_tensor_arg(x2, "cdist")
    if a.ndim < 2 or b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {a.dtype}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    if compute_mode not in (None, "use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                            "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"cdist: {compute_mode!r} is not a valid value for compute_mode")
    rows = builtins.max(a.shape[-2], b.shape[-2])
    if p == 2 and (compute_mode == "use_mm_for_euclid_dist" or (
            compute_mode in (None, "use_mm_for_euclid_dist_if_necessary") and rows > 25)):
        # Many rows: the matrix-product form (PyTorch's switch), without a P x R x M difference.
        shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = a if a.shape[:-2] == shape else S.expand(a, shape + a.shape[-2:])
        b = b if b.shape[:-2] == shape else S.expand(b, shape + b.shape[-2:])
        return CdistMM.apply(a, b)
    diff = S.unsqueeze(a, -2) - S.unsqueeze(b, -3)
    if p == 0:
        return R.sum(E.cast(E.ne(diff, 0), diff.dtype), -1)
    if p == 2:
        return R.norm(diff, 2, -1)
    if p == 1:
        return R.sum(E.abs(diff), -1)
    if p == float("inf"):
        return R.amax(E.abs(diff), -1)
    zero = R.all(E.eq(diff, 0), -1, keepdim=True)  # ||0||^(1/p): keep the unused branch finite
    safe = E.where(zero, Tensor._make(np.ones((), diff.dtype)), diff)
    dist = R.sum(E.abs(safe) ** p, -1, keepdim=True) ** (1.0 / p)
    return S.squeeze(E.where(zero, Tensor._make(np.zeros((), diff.dtype)), dist), -1)


def _xp_einsum(eq, *ops):
    return einsum(eq, *ops)


register_xp(einsum=_xp_einsum)
