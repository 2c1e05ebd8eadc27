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
from ..autograd.errors import ShapeError
from ._core import as_tensor_arg, data, xp_of
from .activation import _sigmoid_array, sigmoid, softmax, softplus
from .elementwise import abs as _abs
from .elementwise import clamp, exp, log, where
from .shape import index_put_zeros, moveaxis

__all__ = [
    "mse_loss", "half_mse_loss", "sse_loss", "rss_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "kl_div", "symmetric_cross_entropy", "binary_log_likelihood", "one_hot",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, op: str, extra: tuple = ()) -> None:
    if reduction not in _REDUCTIONS + extra:
        allowed = ", ".join(repr(r) for r in _REDUCTIONS + extra)
        raise ValueError(f"{op}: reduction must be one of {allowed}, got {reduction!r}")


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    _check_reduction(reduction, op)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Any, target: Any, op: str) -> tuple:  # noqa: A002
    x = as_tensor_arg(input, op)
    t = target if isinstance(target, Tensor) else as_tensor_arg(target, op)
    if t.dtype != x.dtype and x.dtype.kind == "f":
        t = t.to(x.dtype)
    if x.shape != t.shape:
        try:
            np.broadcast_shapes(x.shape, t.shape)
        except ValueError:
            raise ShapeError(f"{op}: input of shape {x.shape} and target of shape {t.shape} do not "
                             "match") from None
        warnings.warn(f"{op}: target size {t.shape} differs from input size {x.shape}; they are "
                      "broadcast, which is likely not what you want", UserWarning, stacklevel=3)
    return x, t


# ---------------------------------------------------------------------------- regression losses
def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error J = (1/N) sum_i (y_i - y_hat_i)^2 over all N elements.

    >>> import netgrad as ng
    >>> ng.mse_loss(ng.tensor([1.0, 2.0]), ng.tensor([0.0, 0.0])).item()
    2.5
    """
    x, t = _pair(input, target, "mse_loss")
    d = x - t
    return _reduce(d * d, reduction, "mse_loss")


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


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error J = (1/N) sum_i |y_i - y_hat_i|.

    >>> import netgrad as ng
    >>> ng.l1_loss(ng.tensor([1.0, -3.0]), ng.tensor([0.0, 0.0])).item()
    2.0
    """
    x, t = _pair(input, target, "l1_loss")
    return _reduce(_abs(x - t), reduction, "l1_loss")


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


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:  # noqa: A002
    """Smooth L1: J_i = d_i^2 / (2 beta) if |d_i| < beta else |d_i| - beta/2 (Huber / beta)."""
    if beta == 0:
        return l1_loss(input, target, reduction)
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
            if ctx._arrays:
                lx, l1x = ctx.logs
            else:
                lx, l1x = xp.maximum(xp.log(x), -100.0), xp.maximum(xp.log(1 - x), -100.0)
            gy = g * (l1x - lx)
        return gx, gy


class BinaryCrossEntropyWithLogits(Function):
    """J = (1 - y) z + L log(1 + e^-z), L = 1 + (pos_weight - 1) y, computed stably as
    log(1 + e^-z) = softplus(-z); dJ/dz = (1 - y) - L (1 - sigma(z)) (= sigma(z) - y without
    pos_weight), dJ/dy = -z + (pos_weight - 1) softplus(-z)."""

    _array_backward = True

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
        s = ctx.sig if ctx._arrays else sigmoid(x)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (s - y) if pw is None else g * ((1 - y) - (1 + (pw - 1) * y) * (1 - s))
        if ctx.needs_input_grad[1]:
            gy = -g * x
            if pw is not None:
                sp = ctx.sp if ctx._arrays else softplus(-x)
                gy = gy + g * (pw - 1) * sp
        return gx, gy, None


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """BCE on probabilities z in [0, 1]: J_i = -w_i (y_i log z_i + (1 - y_i) log(1 - z_i)), logs
    clamped at -100 so that z = 0 or 1 never gives log(0).

    >>> import netgrad as ng
    >>> round(ng.binary_cross_entropy(ng.tensor([0.8]), ng.tensor([1.0])).item(), 4)
    0.2231
    """
    _check_reduction(reduction, "binary_cross_entropy")
    x, t = _pair(input, target, "binary_cross_entropy")
    loss = BinaryCrossEntropy.apply(x, t)
    if weight is not None:
        loss = loss * as_tensor_arg(weight, "binary_cross_entropy").to(x.dtype)
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """BCE on logits z (stable): J_i = -w_i (p y_i log sigma(z_i) + (1 - y_i) log(1 - sigma(z_i))),
    p = pos_weight; dJ/dz = sigma(z) - y for p = 1.

    >>> import netgrad as ng
    >>> ng.binary_cross_entropy_with_logits(ng.tensor([1000.0, -1000.0]), ng.tensor([1.0, 0.0])).item()
    0.0
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
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


# ------------------------------------------------------------------------ multi-class losses
class CrossEntropy(Function):
    """Fused log-softmax + cross-entropy over rows of logits z (M, C):
    J_n = -sum_k T_nk log softmax(z_n)_k, with T_nk = w_{y_n} [k = y_n] for class indices (the
    fast path) or a dense target matrix T (probabilities, label smoothing, class weights);
    dJ_n/dz_n = (sum_k T_nk) softmax(z_n) - T_n, i.e. the output sensitivity z - t for one-hot t."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, y, wy, T, reduction, denom):
        xd = x._data
        sh = xd - xd.max(axis=1, keepdims=True)
        e = np.exp(sh)
        se = e.sum(axis=1, keepdims=True)
        e /= se
        ctx.save_for_backward(x)
        ctx.p, ctx.y, ctx.wy, ctx.T, ctx.reduction, ctx.denom = e, y, wy, T, reduction, denom
        if T is None:
            rows = np.arange(xd.shape[0])
            per = -(sh[rows, y] - np.log(se[:, 0])) * wy
        else:
            logp = sh - np.log(se)
            ctx.a = T.sum(axis=1, keepdims=True)
            per = -(T * logp).sum(axis=1)
        if reduction == "none":
            return per
        total = per.sum()
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):  # all targets ignored: NaN, as PyTorch
                total = total / denom
        return np.asarray(total, dtype=xd.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.reduction == "none":
            s = g.reshape((-1, 1))
        else:
            s = g / ctx.denom if ctx.reduction == "mean" else g
        p = ctx.p if ctx._arrays else softmax(x, 1)
        if ctx.T is not None:
            return s * (ctx.a * p - ctx.T), None, None, None, None, None
        rows = np.arange(p.shape[0])
        coef = s * ctx.wy.reshape((-1, 1))
        if ctx._arrays:
            out = p * coef
            out[rows, ctx.y] -= coef[:, 0]
            return out, None, None, None, None, None
        onehot = np.zeros(p.shape, dtype=p.dtype)
        onehot[rows, ctx.y] = 1
        return (p - onehot) * coef, None, None, None, None, None


class NLLLoss(Function):
    """J_n = -w_{y_n} a_{n, y_n} for log-probabilities a (M, C); dJ_n/da_{n,k} = -w_{y_n} [k = y_n]."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, y, wy, reduction, denom):
        xd = x._data
        rows = np.arange(xd.shape[0])
        per = -xd[rows, y] * wy
        ctx.shape, ctx.y, ctx.wy, ctx.reduction, ctx.denom = xd.shape, y, wy, reduction, denom
        if reduction == "none":
            return per
        total = per.sum()
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                total = total / denom
        return np.asarray(total, dtype=xd.dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.reduction == "mean":
            g = g / ctx.denom
        vals = -g * ctx.wy
        rows = np.arange(ctx.shape[0])
        if ctx._arrays:
            out = np.zeros(ctx.shape, dtype=vals.dtype)
            out[rows, ctx.y] = vals
            return out, None, None, None, None
        return index_put_zeros(vals, ctx.shape, (rows, ctx.y)), None, None, None, None


def _class_rows(x: Tensor, target: Any, op: str) -> tuple:
    """Flatten (N, C, d1, ...) input to rows (M, C) and class-index targets to (M,)."""
    if x.ndim == 0:
        raise ShapeError(f"{op}: input must have a class dimension, got a 0-d tensor")
    tgt = np.asarray(data(target))
    unbatched = x.ndim == 1
    if unbatched:
        x = x.reshape(1, -1)
        tgt = tgt.reshape(1, *tgt.shape)
    C = x.shape[1]
    if x.ndim > 2:
        x2 = moveaxis(x, 1, -1).reshape(-1, C)
    else:
        x2 = x
    return x2, tgt, C, unbatched, (x.shape[:1] + x.shape[2:])


def _index_targets(tgt: np.ndarray, C: int, want: tuple, weight: Any, ignore_index: int,
                   dtype: np.dtype, op: str) -> tuple:
    if tgt.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {tgt.dtype} (for "
                        "probability targets give a float tensor of the input's shape)")
    if tgt.shape != want:
        raise ShapeError(f"{op}: expected target of shape {want} for input with batch shape {want} "
                         f"and {C} classes, got target of shape {tgt.shape}")
    y = tgt.reshape(-1).astype(np.int64)
    keep = y != ignore_index
    bad = keep & ((y < 0) | (y >= C))
    if bad.any():
        raise IndexError(f"{op}: target {int(y[bad][0])} is out of bounds for {C} classes")
    y = np.where(keep, y, 0)
    if weight is None:
        w = None
        wy = keep.astype(dtype)
    else:
        w = np.asarray(data(weight), dtype=dtype)
        if w.shape != (C,):
            raise ShapeError(f"{op}: weight must have shape ({C},) (one per class), got {w.shape}")
        wy = np.where(keep, w[y], 0).astype(dtype)
    return y, keep, w, wy


def cross_entropy(input: Any, target: Any, weight: Any = None, size_average: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy on logits z: J_n = -sum_k t_nk log softmax(z_n)_k.

    ``target`` holds class indices (shape (N,) or (N, d1, ...)) or class probabilities (the
    input's shape, e.g. one-hot). ``weight`` w_c rescales class c; with class indices and
    'mean' the sum is divided by sum_n w_{y_n} (PyTorch's convention). ``ignore_index`` rows
    contribute nothing. ``label_smoothing`` eps mixes the target with the uniform distribution:
    t = (1 - eps) t + eps / C. The backward pass is the closed form softmax(z) - t.

    >>> import netgrad as ng
    >>> z = ng.tensor([[0.0, 0.0]])
    >>> round(ng.cross_entropy(z, ng.tensor([1])).item(), 4)   # log 2
    0.6931
    """
    op = "cross_entropy"
    _check_reduction(reduction, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = as_tensor_arg(input, op)
    x2, tgt, C, unbatched, batch_shape = _class_rows(x, target, op)
    dtype = x.dtype
    eps = float(label_smoothing)
    if tgt.dtype.kind == "f":  # probabilities / one-hot
        if np.shape(data(target)) != x.shape:
            raise ShapeError(f"{op}: probability targets must have the input's shape {x.shape}, got "
                             f"{np.asarray(data(target)).shape}")
        if isinstance(target, Tensor) and target.requires_grad:
            raise NotImplementedError(f"{op}: gradients with respect to probability targets are "
                                      "not supported")
        T = np.asarray(tgt, dtype=dtype)
        if T.ndim > 2:
            T = np.moveaxis(T, 1, -1)
        T = T.reshape(-1, C)
        if eps:
            T = T * (1 - eps) + eps / C
        if weight is not None:
            T = T * np.asarray(data(weight), dtype=dtype)
        out = CrossEntropy.apply(x2, None, None, np.ascontiguousarray(T, dtype=dtype), reduction,
                                 float(T.shape[0]))
    else:
        y, keep, w, wy = _index_targets(tgt, C, batch_shape, weight, ignore_index, dtype, op)
        denom = float(wy.sum())
        if eps:
            wrow = np.ones(C, dtype) if w is None else w
            T = np.empty((y.shape[0], C), dtype=dtype)
            T[:] = (eps / C) * wrow
            T[np.arange(y.shape[0]), y] += (1 - eps) * wrow[y]
            T[~keep] = 0
            out = CrossEntropy.apply(x2, None, None, T, reduction, denom)
        else:
            out = CrossEntropy.apply(x2, y, wy, None, reduction, denom)
    if reduction == "none":
        out = out.reshape(batch_shape[1:] if unbatched else batch_shape)
    return out


def nll_loss(input: Any, target: Any, weight: Any = None, size_average: Any = None,  # noqa: A002
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood on log-probabilities a (e.g. log_softmax output):
    J_n = -w_{y_n} a_{n, y_n}; 'mean' divides by sum_n w_{y_n} (ignored targets excluded).

    >>> import netgrad as ng
    >>> a = ng.log(ng.tensor([[0.25, 0.75]]))
    >>> round(ng.nll_loss(a, ng.tensor([1])).item(), 4)
    0.2877
    """
    op = "nll_loss"
    _check_reduction(reduction, op)
    x = as_tensor_arg(input, op)
    x2, tgt, C, unbatched, batch_shape = _class_rows(x, target, op)
    y, _, _, wy = _index_targets(tgt, C, batch_shape, weight, ignore_index, x.dtype, op)
    out = NLLLoss.apply(x2, y, wy, reduction, float(wy.sum()))
    if reduction == "none":
        out = out.reshape(batch_shape[1:] if unbatched else batch_shape)
    return out


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
    _check_reduction(reduction, op, ("batchmean",))
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
