"""Activation functions a = g(net), each one ``Function`` with forward and backward side by side.

Every function is stable for large |net|: no overflow, no NaN (exponentials only ever see
non-positive arguments). Outputs keep the input's dtype.

>>> import netgrad as ng
>>> net = ng.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
>>> ng.sigmoid(net)
tensor([0.0000, 0.5000, 1.0000], grad_fn=<SigmoidBackward0>)
>>> ng.relu(net).sum().backward(); net.grad
tensor([0., 0., 1.])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.tensor import version_box
from .core import as_tensor_arg, inplace_target, normalize_dim, register_xp, write_inplace, xp_of
from .methods import bind_methods

__all__ = [
    "relu", "leaky_relu", "sigmoid", "logistic", "tanh", "softmax", "log_softmax",
    "linear_activation", "identity", "step", "sign_unit", "threshold",
]


def _sigmoid_array(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow: e^-|x| is always in (0, 1]."""
    e = np.exp(-np.abs(x))
    d = 1.0 + e
    return np.where(x >= 0, 1.0 / d, e / d).astype(x.dtype, copy=False)


class ReLUOp(Function):
    """a = max(0, net); da/dnet = 1 where net > 0, else 0 (0 at net = 0, as PyTorch)."""

    _array_backward = True
    _torch_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = x._data
        # the mask only where the graph is recorded (needs_input_grad is empty otherwise)
        ctx.mask = xd > 0 if ctx.needs_input_grad else None
        return np.maximum(xd, 0)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask


class LeakyReLUOp(Function):
    """a = net if net > 0 else slope * net; da/dnet = 1 or slope."""

    _array_backward = True
    _torch_name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, x, slope):
        xd = x._data
        ctx.scale = np.where(xd > 0, 1.0, slope).astype(xd.dtype)
        return xd * ctx.scale

    @staticmethod
    def backward(ctx, g):
        return g * ctx.scale, None


class SigmoidOp(Function):
    """a = sigma(net) = 1 / (1 + e^-net); da/dnet = sigma(net) (1 - sigma(net))."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        out = _sigmoid_array(x._data)
        ctx.save_for_backward(out)  # the output a, as PyTorch: a later in-place change is refused
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)


class TanhOp(Function):
    """a = tanh(net); da/dnet = 1 - tanh(net)^2."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x._data)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        return g * (1 - t * t)


def _softmax_array(xd: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(xd - xd.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


class SoftmaxOp(Function):
    """a_i = e^{net_i} / sum_j e^{net_j} (shifted by the max); dJ/dnet = a * (g - sum_j g_j a_j)."""

    _array_backward = True
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, axis):
        out = _softmax_array(x._data, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return s * (g - (g * s).sum(axis=ctx.axis, keepdims=True)), None


class LogSoftmaxOp(Function):
    """a_i = net_i - log sum_j e^{net_j}; dJ/dnet = g - softmax(net) * sum_j g_j."""

    _array_backward = True
    _torch_name = "LogSoftmaxBackward0"
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, axis):
        xd = x._data
        shifted = xd - xd.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)  # softmax(net) = e^a, as PyTorch's backward reads it
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g - xp_of(ctx).exp(a) * g.sum(axis=ctx.axis, keepdims=True), None


class Scale(Function):
    """a = k net (the notes' linear activation with slope k); da/dnet = k."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        xd = x._data
        return (xd * k).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


class StepOp(Function):
    """a = 1 if net >= k else 0 (the perceptron's step, 1 at net = k as defined in the notes);
    da/dnet = 0, or 1 with the straight-through surrogate (the gradient passes as if the step
    were the identity).

    >>> import netgrad as ng
    >>> ng.step(ng.tensor([-1.0, 0.0, 1.0]))
    tensor([0., 1., 1.])
    """

    _array_backward = True

    @staticmethod
    def forward(ctx, x, k, straight_through):
        ctx.st = straight_through
        xd = x._data
        return (xd >= k).astype(xd.dtype)

    @staticmethod
    def backward(ctx, g):
        return (g if ctx.st else g * 0), None, None


class SignUnitOp(Function):
    """a = +1 if net >= k else -1 (the bipolar threshold unit; +1 at net = k, unlike ``sign``,
    which gives 0 there); da/dnet = 0, or 1 with the straight-through surrogate.

    >>> import netgrad as ng
    >>> ng.sign_unit(ng.tensor([-2.0, 0.0, 3.0]))
    tensor([-1., 1., 1.])
    """

    _array_backward = True

    @staticmethod
    def forward(ctx, x, k, straight_through):
        ctx.st = straight_through
        xd = x._data
        return np.where(xd >= k, 1.0, -1.0).astype(xd.dtype)

    @staticmethod
    def backward(ctx, g):
        return (g if ctx.st else g * 0), None, None


class ThresholdOp(Function):
    """a = net if net > threshold else value (PyTorch's ``threshold``); da/dnet = 1 or 0."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x, thresh, value):
        xd = x._data
        ctx.mask = xd > thresh
        return np.where(ctx.mask, xd, value).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None, None


def _t(x: Any, op: str) -> Tensor:
    return as_tensor_arg(x, op)


def relu(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = max(0, net). ``inplace=True`` writes a into net's memory and returns net (recorded in
    the graph as PyTorch's ``relu_``; see ``netgrad.functional.inplace``).

    >>> import netgrad as ng
    >>> ng.relu(ng.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    >>> net = ng.tensor([-1.0, 2.0]); ng.relu(net, inplace=True) is net, net
    (True, tensor([0., 2.]))
    """
    x = _t(input, "relu")
    target = inplace_target(x, "relu") if inplace else None
    if target is None:
        return write_inplace(x, ReLUOp.apply, inplace, "relu")
    np.maximum(target, 0, out=target)
    version_box(x)[0] += 1
    return x


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = net if net > 0 else negative_slope * net.

    >>> import netgrad as ng
    >>> ng.leaky_relu(ng.tensor([-1.0, 2.0]), 0.1)
    tensor([-0.1000,  2.0000])
    """
    x = _t(input, "leaky_relu")
    return write_inplace(x, lambda t: LeakyReLUOp.apply(t, float(negative_slope)), inplace, "leaky_relu")


def sigmoid(input: Any) -> Tensor:  # noqa: A002
    """a = sigma(net) = 1 / (1 + e^-net), the logistic function.

    >>> import netgrad as ng
    >>> ng.sigmoid(ng.tensor([0.0]))
    tensor([0.5000])
    """
    return SigmoidOp.apply(_t(input, "sigmoid"))


logistic = sigmoid


def tanh(input: Any) -> Tensor:  # noqa: A002
    """a = tanh(net) = (e^net - e^-net) / (e^net + e^-net).

    >>> import netgrad as ng
    >>> ng.tanh(ng.tensor([0.0]))
    tensor([0.])
    """
    return TanhOp.apply(_t(input, "tanh"))


def _dim(x: Tensor, dim: Any, op: str) -> int:
    if dim is None:  # PyTorch's legacy implicit choice
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return normalize_dim(dim, x.ndim, op) if x.ndim else 0


def softmax(input: Any, dim: int | None = None, dtype=None) -> Tensor:  # noqa: A002
    """a_i = e^{net_i} / sum_j e^{net_j} along ``dim``.

    >>> import netgrad as ng
    >>> ng.softmax(ng.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    x = _t(input, "softmax")
    if dtype is not None:
        x = x.to(dtype)
    return SoftmaxOp.apply(x, _dim(x, dim, "softmax"))


def log_softmax(input: Any, dim: int | None = None, dtype=None) -> Tensor:  # noqa: A002
    """a_i = net_i - log sum_j e^{net_j} along ``dim`` (stable: shifted by the max).

    >>> import netgrad as ng
    >>> ng.log_softmax(ng.tensor([1000.0, 1000.0]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    x = _t(input, "log_softmax")
    if dtype is not None:
        x = x.to(dtype)
    return LogSoftmaxOp.apply(x, _dim(x, dim, "log_softmax"))


def linear_activation(input: Any, k: float = 1.0) -> Tensor:  # noqa: A002
    """a = k net: the notes' linear (identity when k = 1) activation; da/dnet = k.

    >>> import netgrad as ng
    >>> ng.linear_activation(ng.tensor([1.0, -2.0]), 0.5)
    tensor([ 0.5000, -1.0000])
    """
    x = _t(input, "linear_activation")
    return Scale.apply(x, float(k))


def identity(input: Any) -> Tensor:  # noqa: A002
    """a = net."""
    return _t(input, "identity")


def step(input: Any, threshold: float = 0.0, straight_through: bool = False) -> Tensor:  # noqa: A002
    """a = 1 if net >= threshold else 0 (the perceptron's step / threshold unit, as in the notes:
    1 at net = threshold).

    The true derivative is zero almost everywhere, so by default no gradient flows. With
    ``straight_through=True`` backward uses the straight-through estimator: dJ/dnet = dJ/da, as
    if the step were the identity (Hinton / Bengio et al. 2013), which lets a network with step
    units be trained by gradient descent.

    >>> import netgrad as ng
    >>> ng.step(ng.tensor([-0.5, 0.0, 0.5]))
    tensor([0., 1., 1.])
    """
    return StepOp.apply(_t(input, "step"), float(threshold), bool(straight_through))


def sign_unit(input: Any, threshold: float = 0.0, straight_through: bool = False) -> Tensor:  # noqa: A002
    """a = +1 if net >= threshold else -1: the bipolar threshold unit (outputs +-1).

    Unlike ``sign`` (0 at 0, as torch.sign) it never outputs 0, so it can stand for a class label
    in {-1, +1}. Gradient: 0, or dJ/da passed through with ``straight_through=True`` (see ``step``).

    >>> import netgrad as ng
    >>> ng.sign_unit(ng.tensor([-0.5, 0.0, 0.5]))
    tensor([-1., 1., 1.])
    """
    return SignUnitOp.apply(_t(input, "sign_unit"), float(threshold), bool(straight_through))


def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = net if net > threshold else value (PyTorch's ``F.threshold``).

    >>> import netgrad as ng
    >>> ng.threshold(ng.tensor([0.5, 2.0]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    x = _t(input, "threshold")
    return write_inplace(x, lambda t: ThresholdOp.apply(t, float(threshold), float(value)), inplace,
                         "threshold")


def _xp_tanh(x):
    return tanh(x)


register_xp(tanh=_xp_tanh, sigmoid=sigmoid)
bind_methods(relu=relu, sigmoid=sigmoid, tanh=tanh, softmax=softmax, log_softmax=log_softmax)
