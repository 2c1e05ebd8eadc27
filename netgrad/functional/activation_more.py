"""More of PyTorch's activations (``torch.nn.functional``'s names, arguments and defaults).

Only the piecewise-linear clippers (hardtanh, hardsigmoid) are their own ``Function`` (their
gradient is 0 on the boundary, as PyTorch's); the rest are compositions of netgrad's
differentiable ops, so their backward and double backward come from those ops.

>>> import netgrad as ng
>>> relu6(ng.tensor([-1.0, 3.0, 9.0]))
tensor([0., 3., 6.])
>>> softsign(ng.tensor([1.0, -3.0]))
tensor([ 0.5000, -0.7500])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from ..autograd.random import rng
from .core import as_tensor_arg, normalize_dim, write_inplace
from .activation import sigmoid, softmax, tanh
from .elementwise import abs as _abs
from .elementwise import clamp, where
from .smooth import elu, softplus

__all__ = [
    "hardtanh", "relu6", "selu", "celu", "mish", "softsign", "logsigmoid", "hardsigmoid",
    "hardswish", "softshrink", "hardshrink", "tanhshrink", "softmin", "glu", "prelu", "rrelu",
    "gumbel_softmax",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _t(x: Any, op: str) -> Tensor:
    return as_tensor_arg(x, op)


class HardtanhOp(Function):
    """a = min(max(net, lo), hi); da/dnet = 1 if lo < net < hi else 0.

    >>> import netgrad as ng
    >>> HardtanhOp.apply(ng.tensor([-2.0, 0.5, 2.0]), -1.0, 1.0)
    tensor([-1.0000,  0.5000,  1.0000])
    """

    _array_backward = True
    _torch_name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        xd = x._data
        ctx.mask = (xd > lo) & (xd < hi)
        return np.clip(xd, lo, hi).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None, None


class HardsigmoidOp(Function):
    """a = min(max(net / 6 + 1/2, 0), 1); da/dnet = 1/6 if -3 < net < 3 else 0.

    >>> import netgrad as ng
    >>> HardsigmoidOp.apply(ng.tensor([-4.0, 0.0, 4.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """

    _array_backward = True
    _torch_name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = x._data
        ctx.mask = (xd > -3) & (xd < 3)
        return np.clip(xd / 6 + 0.5, 0, 1).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.mask / 6.0)


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    """a = min(max(net, min_val), max_val).

    >>> import netgrad as ng
    >>> hardtanh(ng.tensor([-2.0, 0.5, 2.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("hardtanh: min_val cannot be greater than max_val")
    x = _t(input, "hardtanh")
    return write_inplace(x, lambda t: HardtanhOp.apply(t, float(min_val), float(max_val)), inplace,
                         "hardtanh")


def relu6(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = min(max(net, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def selu(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = scale * (net if net > 0 else alpha (e^net - 1)), alpha ~ 1.6733, scale ~ 1.0507.

    >>> import netgrad as ng
    >>> selu(ng.tensor([1.0]))
    tensor([1.0507])
    """
    x = _t(input, "selu")
    return write_inplace(x, lambda t: elu(t, _SELU_ALPHA) * _SELU_SCALE, inplace, "selu")


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = max(0, net) + min(0, alpha (e^{net/alpha} - 1)) = alpha elu(net / alpha).

    >>> import netgrad as ng
    >>> celu(ng.tensor([2.0]), 2.0)
    tensor([2.])
    """
    if alpha == 0:
        raise ValueError("celu: ZeroDivisionError, alpha cannot be 0")
    x = _t(input, "celu")
    a = float(alpha)
    return write_inplace(x, lambda t: elu(t / a, 1.0) * a, inplace, "celu")


def mish(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = net tanh(softplus(net)).

    >>> import netgrad as ng
    >>> mish(ng.tensor([0.0]))
    tensor([0.])
    """
    x = _t(input, "mish")
    return write_inplace(x, lambda t: t * tanh(softplus(t)), inplace, "mish")


def softsign(input: Any) -> Tensor:  # noqa: A002
    """a = net / (1 + |net|)."""
    x = _t(input, "softsign")
    return x / (_abs(x) + 1)


def logsigmoid(input: Any) -> Tensor:  # noqa: A002
    """a = log sigma(net) = -softplus(-net) (stable for large |net|).

    >>> import netgrad as ng
    >>> logsigmoid(ng.tensor([-1000.0, 0.0]))
    tensor([-1.0000e+03, -6.9315e-01])
    """
    x = _t(input, "logsigmoid")
    return -softplus(-x)


def hardsigmoid(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = 0 if net <= -3, 1 if net >= 3, else net / 6 + 1/2."""
    x = _t(input, "hardsigmoid")
    return write_inplace(x, HardsigmoidOp.apply, inplace, "hardsigmoid")


def hardswish(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = net relu6(net + 3) / 6.

    >>> import netgrad as ng
    >>> hardswish(ng.tensor([-4.0, 0.0, 4.0]))
    tensor([-0., 0., 4.])
    """
    x = _t(input, "hardswish")
    return write_inplace(x, lambda t: t * HardtanhOp.apply(t + 3.0, 0.0, 6.0) / 6.0, inplace, "hardswish")


def _check_lambd(lambd: float, op: str) -> float:
    if lambd < 0:
        raise ValueError(f"{op}: lambda must be greater or equal to 0, but found to be {lambd}.")
    return float(lambd)


def softshrink(input: Any, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """a = net - lambd if net > lambd, net + lambd if net < -lambd, else 0.

    >>> import netgrad as ng
    >>> softshrink(ng.tensor([-1.0, 0.2, 1.0]))
    tensor([-0.5000,  0.0000,  0.5000])
    """
    x = _t(input, "softshrink")
    lam = _check_lambd(lambd, "softshrink")
    return x - clamp(x, -lam, lam)


def hardshrink(input: Any, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """a = net if |net| > lambd else 0.

    >>> import netgrad as ng
    >>> hardshrink(ng.tensor([-1.0, 0.2, 1.0]))
    tensor([-1.,  0.,  1.])
    """
    x = _t(input, "hardshrink")
    mask = (np.abs(x._data) > float(lambd)).astype(x.dtype)
    return x * mask


def tanhshrink(input: Any) -> Tensor:  # noqa: A002
    """a = net - tanh(net)."""
    x = _t(input, "tanhshrink")
    return x - tanh(x)


def softmin(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """a_i = e^{-net_i} / sum_j e^{-net_j} along ``dim`` (softmax of -net).

    >>> import netgrad as ng
    >>> softmin(ng.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    x = _t(input, "softmin")
    if dtype is not None:
        x = x.to(dtype)
    return softmax(-x, dim)


def glu(input: Any, dim: int = -1) -> Tensor:  # noqa: A002
    """GLU(a, b) = a * sigma(b), where net is split in halves a, b along ``dim``.

    >>> import netgrad as ng
    >>> glu(ng.tensor([2.0, 0.0]))
    tensor([1.])
    """
    x = _t(input, "glu")
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim(dim, x.ndim, "glu")
    if x.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {x.shape[d]}")
    a, b = x.chunk(2, d)
    return a * sigmoid(b)


def prelu(input: Any, weight: Any) -> Tensor:  # noqa: A002
    """a = net if net >= 0 else w_c net, with one learnable slope w_c per channel (dim 1) or one
    shared slope.

    >>> import netgrad as ng
    >>> prelu(ng.tensor([[-2.0, 2.0]]), ng.tensor([0.25]))
    tensor([[-0.5000,  2.0000]])
    """
    x = _t(input, "prelu")
    w = _t(weight, "prelu")
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    n = w.numel()
    if n != 1:
        if x.ndim == 0:
            raise RuntimeError("prelu: Not allow zero-dim input tensor.")
        c = x.shape[1] if x.ndim >= 2 else 1
        if c != n:
            raise RuntimeError(
                "prelu: Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {n} and channel size = {c}.")
        if x.ndim >= 2:
            w = w.reshape((n,) + (1,) * (x.ndim - 2))
    elif w.ndim:
        w = w.reshape(())
    return where(x._data >= 0, x, w * x)


def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False, generator: Any = None) -> Tensor:
    """Randomized leaky ReLU: a = net if net >= 0 else s net, s ~ U(lower, upper) per element in
    training (drawn from netgrad's generator), s = (lower + upper) / 2 otherwise.

    >>> import netgrad as ng
    >>> rrelu(ng.tensor([-3.0, 1.0]), 0.2, 0.4)
    tensor([-0.9000,  1.0000])
    """
    if lower > upper:
        raise ValueError(f"rrelu: Lower bound should be less than or equal to the upper bound, got "
                         f"lower={lower}, upper={upper}")
    x = _t(input, "rrelu")
    if training:
        u = rng(generator).uniform(lower, upper, size=x.shape)
        slope = np.where(x._data >= 0, 1.0, u).astype(x.dtype)
    else:
        mid = (lower + upper) / 2
        slope = np.where(x._data >= 0, 1.0, mid).astype(x.dtype)
    return write_inplace(x, lambda t: t * slope, inplace, "rrelu")


def gumbel_softmax(logits: Any, tau: float = 1.0, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1, generator: Any = None) -> Tensor:
    """Samples y = softmax((logits + g) / tau) along ``dim``, g_i = -log(E_i), E_i ~ Exp(1); with
    ``hard=True`` the one-hot of argmax y in the forward pass and y's gradient in backward
    (straight-through).

    >>> import netgrad as ng
    >>> _ = ng.manual_seed(0)
    >>> y = gumbel_softmax(ng.zeros(2, 3), hard=True)
    >>> y.sum(-1).tolist()
    [1.0, 1.0]
    """
    x = _t(logits, "gumbel_softmax")
    d = normalize_dim(dim, x.ndim, "gumbel_softmax") if x.ndim else 0
    gumbels = -np.log(rng(generator).exponential(size=x.shape)).astype(x.dtype)
    y = softmax((x + gumbels) / float(tau), d)
    if not hard:
        return y
    idx = np.argmax(y._data, axis=d) if x.ndim else 0
    onehot = np.zeros(x.shape, dtype=x.dtype)
    if x.ndim:
        np.put_along_axis(onehot, np.expand_dims(idx, d), 1, axis=d)
    else:
        onehot[()] = 1
    return y - y.detach() + onehot



# PyTorch's functional in-place spellings (``F.relu_(x)`` is ``F.relu(x, inplace=True)``)
def relu_(input: Any) -> Tensor:  # noqa: A002
    """``relu(input, inplace=True)``."""
    from .activation import relu

    return relu(input, inplace=True)


def elu_(input: Any, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``elu(input, alpha, inplace=True)``."""
    return elu(input, alpha, inplace=True)


def leaky_relu_(input: Any, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """``leaky_relu(input, negative_slope, inplace=True)``."""
    from .activation import leaky_relu

    return leaky_relu(input, negative_slope, inplace=True)


def threshold_(input: Any, threshold: float, value: float) -> Tensor:  # noqa: A002
    """``threshold(input, threshold, value, inplace=True)``."""
    from .activation import threshold as _threshold

    return _threshold(input, threshold, value, inplace=True)


def hardtanh_(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """``hardtanh(input, min_val, max_val, inplace=True)``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def selu_(input: Any) -> Tensor:  # noqa: A002
    """``selu(input, inplace=True)``."""
    return selu(input, inplace=True)


def celu_(input: Any, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``celu(input, alpha, inplace=True)``."""
    return celu(input, alpha, inplace=True)


def rrelu_(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
           generator: Any = None) -> Tensor:
    """``rrelu(input, lower, upper, training, inplace=True)``."""
    return rrelu(input, lower, upper, training, True, generator)


__all__ += ["relu_", "elu_", "leaky_relu_", "threshold_", "hardtanh_", "selu_", "celu_", "rrelu_"]
