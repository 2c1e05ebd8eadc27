"""Smooth activations: ELU, GELU, softplus and SiLU, each one ``Function``, stable for large |z|.

>>> import netgrad as ng
>>> ng.softplus(ng.tensor([-1000.0, 0.0, 1000.0]))
tensor([0.0000e+00, 6.9315e-01, 1.0000e+03])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Function, Tensor
from .core import as_tensor_arg, write_inplace, xp_of
from .activation import _sigmoid_array, sigmoid

__all__ = ["elu", "gelu", "softplus", "silu"]


def _t(x: Any, op: str) -> Tensor:
    return as_tensor_arg(x, op)


class ELUOp(Function):
    """a = net if net > 0 else alpha (e^net - 1); da/dnet = 1 or a + alpha."""

    _array_backward = True
    _torch_name = "EluBackward0"
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, alpha):
        xd = x._data
        ctx.mask = xd > 0
        y = np.where(ctx.mask, xd, alpha * np.expm1(np.minimum(xd, 0))).astype(xd.dtype, copy=False)
        # The formula reads y. x is saved too, as PyTorch's elu saves it (an in-place change of x
        # before backward raises there); PyTorch saves y only for elu_, its out-of-place elu
        # recomputes from x, so an in-place change of y raises here and not there.
        ctx.save_for_backward(x, y)
        ctx.alpha = alpha
        return y

    @staticmethod
    def backward(ctx, g):
        _, y = ctx.saved_tensors
        return g * xp_of(ctx).where(ctx.mask, 1.0, y + ctx.alpha), None


_erf_impl = None


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function (SciPy's when installed, else math.erf elementwise)."""
    global _erf_impl
    if _erf_impl is None:
        try:
            from scipy.special import erf as _scipy_erf

            _erf_impl = _scipy_erf
        except ImportError:  # pragma: no cover - scipy ships with scikit-learn
            _erf_impl = np.vectorize(math.erf, otypes=[np.float64])
    return _erf_impl(x)


class GELUOp(Function):
    """a = net Phi(net) (Phi the standard normal CDF; ``approximate='tanh'``:
    0.5 net (1 + tanh(sqrt(2/pi) (net + 0.044715 net^3)))); da/dnet = Phi(net) + net phi(net)."""

    _array_backward = True
    _torch_name = "GeluBackward0"
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, approximate):
        xd = x._data
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            xc = np.clip(xd, -100, 100)  # tanh saturates long before; avoids overflow in xd^3
            return (0.5 * xd * (1 + np.tanh(_K * (xc + 0.044715 * xc ** 3)))).astype(xd.dtype, copy=False)
        return (0.5 * xd * (1 + _erf(xd * _SQRT1_2))).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(ctx)
        # phi(x) and tanh'(u) vanish for |x| > 40, so clipping only avoids overflow in x^2, x^3
        xc = xp.clip(x, -40.0, 40.0)
        if ctx.approximate == "tanh":
            u = _K * (xc + 0.044715 * xc ** 3)
            t = xp.tanh(u)
            du = _K * (1 + 3 * 0.044715 * xc * xc)
            return g * (0.5 * (1 + t) + 0.5 * xc * (1 - t * t) * du), None
        pdf = xp.exp(-0.5 * xc * xc) * _INV_SQRT_2PI
        if ctx.create_graph:  # Phi = gelu(x) / x is singular at 0: rebuild it from an op with dPhi = phi
            cdf = _NormalCDF.apply(x)
        else:
            cdf = 0.5 * (1 + _erf(x * _SQRT1_2))
        return g * (cdf + xc * pdf), None


class _NormalCDF(Function):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2; dPhi/dx = phi(x) (for GELU's double backward)."""

    _array_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = x._data
        return (0.5 * (1 + _erf(xd * _SQRT1_2))).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(ctx)
        xc = xp.clip(x, -40.0, 40.0)
        return g * xp.exp(-0.5 * xc * xc) * _INV_SQRT_2PI


_K = math.sqrt(2 / math.pi)
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class SoftplusOp(Function):
    """a = (1/beta) log(1 + e^{beta net}) (linear where beta net > threshold);
    da/dnet = sigma(beta net) (1 in the linear region)."""

    _array_backward = True
    _torch_name = "SoftplusBackward0"
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x, beta, thresh):
        xd = x._data
        bx = xd * beta
        ctx.lin = bx > thresh
        ctx.save_for_backward(x)
        ctx.beta = beta
        ctx.sig = _sigmoid_array(bx)
        out = np.logaddexp(0, bx) / beta if beta != 1 else np.logaddexp(0, bx)
        return np.where(ctx.lin, xd, out).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(ctx)
        s = sigmoid(x * ctx.beta) if ctx.create_graph else ctx.sig
        return g * xp.where(ctx.lin, 1.0, s), None, None


class SiLUOp(Function):
    """a = net sigma(net); da/dnet = sigma(net) (1 + net (1 - sigma(net)))."""

    _array_backward = True
    _torch_name = "SiluBackward0"
    _fresh_grads = True

    @staticmethod
    def forward(ctx, x):
        xd = x._data
        s = _sigmoid_array(xd)
        ctx.save_for_backward(x)
        ctx.sig = s
        return xd * s

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = sigmoid(x) if ctx.create_graph else ctx.sig
        return g * s * (1 + x * (1 - s))


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = net if net > 0 else alpha (e^net - 1).

    >>> import netgrad as ng
    >>> ng.elu(ng.tensor([-1000.0, 1.0]))
    tensor([-1.,  1.])
    """
    x = _t(input, "elu")
    return write_inplace(x, lambda t: ELUOp.apply(t, float(alpha)), inplace, "elu")


def gelu(input: Any, approximate: str = "none") -> Tensor:  # noqa: A002
    """a = net Phi(net), Phi the standard normal CDF (``approximate='tanh'``: the tanh formula).

    >>> import netgrad as ng
    >>> ng.gelu(ng.tensor([0.0, 10.0]))
    tensor([0., 10.])
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELUOp.apply(_t(input, "gelu"), approximate)


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """a = (1/beta) log(1 + e^{beta net}); linear (a = net) where beta net > threshold.

    >>> import netgrad as ng
    >>> ng.softplus(ng.tensor([-1000.0, 0.0, 1000.0]))
    tensor([0.0000e+00, 6.9315e-01, 1.0000e+03])
    """
    return SoftplusOp.apply(_t(input, "softplus"), float(beta), float(threshold))


def silu(input: Any, inplace: bool = False) -> Tensor:  # noqa: A002
    """a = net sigma(net) (also called swish).

    >>> import netgrad as ng
    >>> ng.silu(ng.tensor([0.0]))
    tensor([0.])
    """
    x = _t(input, "silu")
    return write_inplace(x, SiLUOp.apply, inplace, "silu")
