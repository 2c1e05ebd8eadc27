"""Cross-entropy on probabilities: the textbook J = -sum_k t_k log z_k where z is already softmax(net).

PyTorch's ``cross_entropy`` takes logits and applies softmax itself; a network that ends in
``Softmax`` must not be given to it (softmax would be applied twice). ``cross_entropy_probs`` is
the loss for that set-up, with the log kept away from 0.

>>> import netgrad as ng
>>> from netgrad.nn.functional import cross_entropy_probs
>>> z = ng.tensor([[0.7, 0.2, 0.1]], requires_grad=True)
>>> J = cross_entropy_probs(z, ng.tensor([0]))
>>> round(J.item(), 4)                      # -log 0.7
0.3567
>>> J.backward(); z.grad                     # -t / z
tensor([[-1.4286,  0.0000,  0.0000]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.errors import ShapeError
from .core import as_tensor_arg, xp_of
from .lossutil import check_reduction, _reduce

__all__ = ["cross_entropy_probs"]


class NegTLogZ(Function):
    """Elementwise -t log max(z, eps); dJ/dz = -t / max(z, eps) (the clamp keeps the loss and its
    gradient finite at z = 0 and still pushes z up where t > 0), dJ/dt = -log max(z, eps).

    >>> import netgrad as ng
    >>> z = ng.tensor([0.5, 0.0], requires_grad=True)
    >>> [round(v, 3) for v in NegTLogZ.apply(z, ng.tensor([1.0, 1.0]), 1e-12).tolist()]
    [0.693, 27.631]
    """

    _array_backward = True

    @staticmethod
    def forward(ctx, z, t, eps):
        ctx.save_for_backward(z, t)
        ctx.eps = eps
        return -(t._data * np.log(np.maximum(z._data, eps)))

    @staticmethod
    def backward(ctx, g):
        z, t = ctx.saved_tensors
        xp = xp_of(ctx)
        zc = xp.maximum(z, ctx.eps)
        gz = g * (0.0 - t / zc) if ctx.needs_input_grad[0] else None  # 0, not -0, where t = 0
        gt = g * (-xp.log(zc)) if ctx.needs_input_grad[1] else None
        return gz, gt


def cross_entropy_probs(input: Any, target: Any, dim: int = 1, eps: float = 1e-12,  # noqa: A002
                        reduction: str = "mean") -> Tensor:
    """Cross-entropy on probabilities z (e.g. a Softmax output): J_n = -sum_k t_nk log max(z_nk, eps).

    ``target``: class indices (shape (N,), or () for one unbatched example) or class probabilities
    of the input's shape. 'mean' averages over the examples (as ``cross_entropy``), 'sum' adds,
    'none' gives one value per example. Same value and gradient as ``nll_loss(log(z), target)``
    for z > eps, without log 0.

    >>> import netgrad as ng
    >>> z = ng.tensor([[0.5, 0.5], [0.9, 0.1]])
    >>> round(cross_entropy_probs(z, ng.tensor([1, 0])).item(), 4)   # (log 2 - log 0.9) / 2
    0.3993
    """
    op = "cross_entropy_probs"
    check_reduction(reduction, op)
    z = as_tensor_arg(input, op)
    if z.dtype.kind != "f":
        raise TypeError(f"{op}: expected floating-point probabilities, got {z.dtype}")
    zd = z._data
    if zd.size and (np.nanmin(zd) < 0 or np.nanmax(zd) > 1):
        raise ValueError(f"{op}: the input must hold probabilities in [0, 1] (apply softmax first, or use "
                         "cross_entropy, which takes logits)")
    if zd.ndim == 0:
        raise ShapeError(f"{op}: expected (C,) or (N, C, ...) probabilities, got a 0-d tensor")
    d = dim if dim >= 0 else dim + zd.ndim
    if zd.ndim == 1:
        d = 0
    t = target if isinstance(target, Tensor) else as_tensor_arg(target, op)
    if t.dtype.kind in "iub":
        idx = np.asarray(t._data, dtype=np.int64)
        C = zd.shape[d]
        want = zd.shape[:d] + zd.shape[d + 1:]
        if idx.shape != want:
            raise ShapeError(f"{op}: class-index target of shape {idx.shape} does not fit input of shape "
                             f"{zd.shape} (expected {want})")
        if idx.size and (idx.min() < 0 or idx.max() >= C):
            raise IndexError(f"{op}: target class out of range [0, {C - 1}]")
        onehot = np.moveaxis(np.eye(C, dtype=zd.dtype)[idx], -1, d)
        t = Tensor._make(onehot)
    else:
        if t.shape != z.shape:
            raise ShapeError(f"{op}: probability target of shape {tuple(t.shape)} must match the input's "
                             f"{tuple(z.shape)}")
        if t.dtype != z.dtype:
            t = t.to(z.dtype)
    per = NegTLogZ.apply(z, t, float(eps)).sum(dim=d)
    return _reduce(per, reduction, op)
