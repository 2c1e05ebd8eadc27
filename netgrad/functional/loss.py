"""Loss functions J(y_hat, y), PyTorch's names and semantics, ``reduction`` 'mean' | 'sum' | 'none'.

Notation (the notes'): z or y_hat the network's output, t or y the target, N the number of terms
averaged over. Cross-entropy, NLL and the binary cross-entropies are single fused ops (their
backward is the closed form, e.g. softmax(z) - t), the rest are compositions of netgrad ops.

>>> import netgrad as ng
>>> z = ng.tensor([[2.0, 0.0, -1.0]], requires_grad=True)
>>> loss = ng.cross_entropy(z, ng.tensor([0]))
>>> round(loss.item(), 4)
0.1698
>>> loss.backward(); z.grad          # softmax(z) - t
tensor([[-0.1562,  0.1142,  0.0420]])
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import as_tensor_arg, data, xp_of
from .lossutil import check_reduction, _pair, _reduce, _weighted, legacy_reduction
from .activation import _sigmoid_array, sigmoid
from .crossentropy import cross_entropy, nll_loss
from .elementwise import abs as _abs
from .elementwise import clamp, exp, log, where
from .smooth import softplus

__all__ = [
    "mse_loss", "half_mse_loss", "sse_loss", "rss_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "kl_div", "symmetric_cross_entropy", "binary_log_likelihood", "one_hot",
]

# ---------------------------------------------------------------------------- regression losses
def mse_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
             reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean squared error J = (1/N) sum_i w_i (y_i - y_hat_i)^2 over all N elements (w = 1 unless
    ``weight``); ``size_average``/``reduce`` are PyTorch's deprecated spelling of ``reduction``.

    >>> import netgrad as ng
    >>> ng.mse_loss(ng.tensor([1.0, 2.0]), ng.tensor([0.0, 0.0])).item()
    2.5
    """
    reduction = legacy_reduction(size_average, reduce, reduction, "mse_loss")
    x, t = _pair(input, target, "mse_loss")
    d = x - t
    return _reduce(_weighted(d * d, weight, "mse_loss"), reduction, "mse_loss")


def half_mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """The notes' half mean squared error J = 1/(2N) sum_i (y_i - y_hat_i)^2 (dJ/dy_hat = (y_hat - y)/N).

    >>> import netgrad as ng
    >>> ng.half_mse_loss(ng.tensor([1.0, 2.0]), ng.tensor([0.0, 0.0])).item()
    1.25
    """
    x, t = _pair(input, target, "half_mse_loss")
    d = x - t
    return _reduce(d * d * 0.5, reduction, "half_mse_loss")


def sse_loss(input: Any, target: Any, reduction: str = "sum") -> Tensor:  # noqa: A002
    """Sum of squares (RSS, the squared error) J = sum_i (y_i - y_hat_i)^2; reduction 'sum' by default.

    >>> import netgrad as ng
    >>> ng.sse_loss(ng.tensor([1.0, 2.0]), ng.tensor([0.0, 0.0])).item()
    5.0
    """
    x, t = _pair(input, target, "sse_loss")
    d = x - t
    return _reduce(d * d, reduction, "sse_loss")


rss_loss = sse_loss


def l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
            reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean absolute error J = (1/N) sum_i w_i |y_i - y_hat_i| (w = 1 unless ``weight``).

    >>> import netgrad as ng
    >>> ng.l1_loss(ng.tensor([1.0, -3.0]), ng.tensor([0.0, 0.0])).item()
    2.0
    """
    reduction = legacy_reduction(size_average, reduce, reduction, "l1_loss")
    x, t = _pair(input, target, "l1_loss")
    return _reduce(_weighted(_abs(x - t), weight, "l1_loss"), reduction, "l1_loss")


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:  # noqa: A002
    """Huber: J_i = (1/2) d_i^2 if |d_i| < delta else delta (|d_i| - delta/2), d_i = y_hat_i - y_i.

    >>> import netgrad as ng
    >>> ng.huber_loss(ng.tensor([0.5, 3.0]), ng.tensor([0.0, 0.0]), reduction='none')
    tensor([0.1250, 2.5000])
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x, t = _pair(input, target, "huber_loss")
    d = x - t
    ad = _abs(d)
    small = ad._data < delta
    loss = where(small, d * d * 0.5, (ad - 0.5 * delta) * delta)
    return _reduce(loss, reduction, "huber_loss")


def smooth_l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1: J_i = d_i^2 / (2 beta) if |d_i| < beta else |d_i| - beta/2 (Huber / beta)."""
    reduction = legacy_reduction(size_average, reduce, reduction, "smooth_l1_loss")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    x, t = _pair(input, target, "smooth_l1_loss")
    d = x - t
    ad = _abs(d)
    loss = where(ad._data < beta, d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


# --------------------------------------------------------------------------- binary losses
class BinaryCrossEntropy(Function):
    """J = -(y log z + (1 - y) log(1 - z)), each log clamped at -100 (PyTorch's convention, so
    z = 0 or 1 gives a finite loss); dJ/dz = (z - y) / max(z (1 - z), 1e-12),
    dJ/dy = log(1 - z) - log z."""

    _array_backward = True
    _torch_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, y):
        xd, yd = x._data, data(y)
        if xd.size and (xd.min() < 0 or xd.max() > 1):
            raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                             "(apply sigmoid first, or use binary_cross_entropy_with_logits)")
        with np.errstate(divide="ignore"):
            lx = np.maximum(np.log(xd), -100)
            l1x = np.maximum(np.log1p(-xd), -100)
        ctx.save_for_backward(x, y)
        ctx.logs = (lx, l1x)
        return -(yd * lx + (1 - yd) * l1x)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(ctx)
        gx = g * (x - y) / xp.maximum(x * (1 - x), 1e-12) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            if ctx.create_graph:
                lx, l1x = xp.maximum(xp.log(x), -100.0), xp.maximum(xp.log(1 - x), -100.0)
            else:
                lx, l1x = ctx.logs
            gy = g * (l1x - lx)
        return gx, gy


class BinaryCrossEntropyWithLogits(Function):
    """J = (1 - y) z + L log(1 + e^-z), L = 1 + (pos_weight - 1) y, computed stably as
    log(1 + e^-z) = softplus(-z); dJ/dz = (1 - y) - L (1 - sigma(z)) (= sigma(z) - y without
    pos_weight), dJ/dy = -z + (pos_weight - 1) softplus(-z)."""

    _array_backward = True
    _torch_name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, y, pos_weight):
        xd, yd = x._data, data(y)
        sp = np.logaddexp(0, -xd).astype(xd.dtype, copy=False)
        ctx.save_for_backward(x, y)
        ctx.pw, ctx.sp = pos_weight, sp
        ctx.sig = _sigmoid_array(xd)
        if pos_weight is None:
            return (1 - yd) * xd + sp
        return (1 - yd) * xd + (1 + (pos_weight - 1) * yd) * sp

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        pw = ctx.pw
        s = sigmoid(x) if ctx.create_graph else ctx.sig
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (s - y) if pw is None else g * ((1 - y) - (1 + (pw - 1) * y) * (1 - s))
        if ctx.needs_input_grad[1]:
            gy = -g * x
            if pw is not None:
                sp = softplus(-x) if ctx.create_graph else ctx.sp
                gy = gy + g * (pw - 1) * sp
        return gx, gy, None


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,  # noqa: A002
                         size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """BCE on probabilities z in [0, 1]: J_i = -w_i (y_i log z_i + (1 - y_i) log(1 - z_i)), logs
    clamped at -100 so that z = 0 or 1 never gives log(0).

    >>> import netgrad as ng
    >>> round(ng.binary_cross_entropy(ng.tensor([0.8]), ng.tensor([1.0])).item(), 4)
    0.2231
    """
    reduction = legacy_reduction(size_average, reduce, reduction, "binary_cross_entropy")
    check_reduction(reduction, "binary_cross_entropy")
    x, t = _pair(input, target, "binary_cross_entropy")
    loss = BinaryCrossEntropy.apply(x, t)
    if weight is not None:
        loss = loss * as_tensor_arg(weight, "binary_cross_entropy").to(x.dtype)
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """BCE on logits z (stable): J_i = -w_i (p y_i log sigma(z_i) + (1 - y_i) log(1 - sigma(z_i))),
    p = pos_weight; dJ/dz = sigma(z) - y for p = 1.

    >>> import netgrad as ng
    >>> ng.binary_cross_entropy_with_logits(ng.tensor([1000.0, -1000.0]), ng.tensor([1.0, 0.0])).item()
    0.0
    """
    reduction = legacy_reduction(size_average, reduce, reduction, "binary_cross_entropy_with_logits")
    check_reduction(reduction, "binary_cross_entropy_with_logits")
    x, t = _pair(input, target, "binary_cross_entropy_with_logits")
    pw = None if pos_weight is None else np.asarray(data(pos_weight), dtype=x.dtype)
    loss = BinaryCrossEntropyWithLogits.apply(x, t, pw)
    if weight is not None:
        loss = loss * as_tensor_arg(weight, "binary_cross_entropy_with_logits").to(x.dtype)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def binary_log_likelihood(input: Any, target: Any, reduction: str = "sum") -> Tensor:  # noqa: A002
    """The notes' binary log-likelihood l = sum_i y_i log y_hat_i + (1 - y_i) log(1 - y_hat_i), to be
    maximised (= -BCE); with a logistic output its gradient with respect to the output layer's
    weights is (y - y_hat) h. Logs are clamped at -100 as in BCE.

    >>> import netgrad as ng
    >>> round(ng.binary_log_likelihood(ng.tensor([0.5, 0.5]), ng.tensor([1.0, 0.0])).item(), 4)
    -1.3863
    """
    return -binary_cross_entropy(input, target, reduction=reduction)


def kl_div(input: Any, target: Any, size_average: Any = None, reduce: Any = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence D(t || z) with PyTorch's convention: ``input`` is log z (log-probabilities),
    J_i = t_i (log t_i - log z_i) (0 where t_i = 0); with ``log_target`` the target is log t too.
    'batchmean' divides the sum by the batch size (the true KL per sample); 'mean' by the number
    of elements.

    >>> import netgrad as ng
    >>> p = ng.tensor([[0.5, 0.5]])
    >>> ng.kl_div(ng.log(p), p, reduction='batchmean').item()
    0.0
    """
    op = "kl_div"
    if size_average is None and reduce is None and reduction == "mean":
        warnings.warn("kl_div: reduction 'mean' divides the total loss by both the batch size and "
                      "the support size; 'batchmean' divides only by the batch size, and aligns "
                      "with the KL div math definition (PyTorch's warning)", UserWarning, stacklevel=2)
    reduction = legacy_reduction(size_average, reduce, reduction, op)
    check_reduction(reduction, op, ("batchmean",))
    x, t = _pair(input, target, op)
    if log_target:
        loss = exp(t) * (t - x)
    else:
        safe = where(t._data > 0, t, 1.0)
        loss = t * (log(safe) - x)
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    return _reduce(loss, reduction, op)


def symmetric_cross_entropy(input: Any, target: Any, dim: int = -1, eps: float = 1e-7,  # noqa: A002
                            reduction: str = "mean") -> Tensor:
    """The notes' symmetric cross-entropy J_n = -sum_k (t_k log z_k + z_k log t_k) over classes
    ``dim``, with z and t clipped to [eps, 1] inside the logs (so one-hot targets are fine);
    'mean' averages over samples, 'none' gives one value per sample.

    >>> import netgrad as ng
    >>> z = ng.tensor([[0.5, 0.5]]); t = ng.tensor([[1.0, 0.0]])
    >>> round(ng.symmetric_cross_entropy(z, t).item(), 4)   # -(log 0.5 + 0.5 log 1e-7)
    8.7522
    """
    op = "symmetric_cross_entropy"
    x, t = _pair(input, target, op)
    per = -(t * log(clamp(x, eps, 1.0)) + x * log(clamp(t, eps, 1.0))).sum(dim=dim)
    return _reduce(per, reduction, op)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """t_nk = 1 if y_n = k else 0 (int64), one more dimension of size ``num_classes``.

    >>> import netgrad as ng
    >>> ng.one_hot(ng.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    y = np.asarray(data(tensor))
    if y.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected an integer tensor of class indices, got {y.dtype}")
    if y.size and y.min() < 0:
        raise ValueError("one_hot: class values must be non-negative")
    n = int(y.max()) + 1 if num_classes == -1 else int(num_classes)
    if y.size and y.max() >= n:
        raise ValueError(f"one_hot: class value {int(y.max())} is out of range for {n} classes")
    out = np.zeros(y.shape + (n,), dtype=np.int64)
    np.put_along_axis(out, y[..., None].astype(np.int64), 1, axis=-1)
    return Tensor._make(out)
