"""More activation layers, the module forms of ``netgrad.functional.activation_more`` with
PyTorch's names, arguments, defaults and reprs.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> nn.Hardtanh(-2.0, 2.0)
Hardtanh(min_val=-2.0, max_val=2.0)
>>> nn.PReLU()(ng.tensor([-4.0, 1.0]))
tensor([-1.,  1.], grad_fn=<WhereBackward0>)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..functional import activation_more as M
from .linear import _empty
from .module import Module
from . import init as _init


def _inplace(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class Hardtanh(Module):
    """a = min(max(net, min_val), max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None or max_value is not None:
            import warnings

            warnings.warn("keyword argument `min_value`/`max_value` is deprecated and renamed to "
                          "`min_val`/`max_val`", FutureWarning, stacklevel=2)
            min_val = min_val if min_value is None else min_value
            max_val = max_val if max_value is None else max_value
        if max_val <= min_val:
            raise ValueError("Hardtanh: max_val must be greater than min_val")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """a = min(max(net, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace)


class _InplaceAct(Module):
    _fn: Any = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace)


class SELU(_InplaceAct):
    """a = scale (net if net > 0 else alpha (e^net - 1))."""

    _fn = staticmethod(M.selu)


class Mish(_InplaceAct):
    """a = net tanh(softplus(net))."""

    _fn = staticmethod(M.mish)


class Hardsigmoid(_InplaceAct):
    """a = min(max(net / 6 + 1/2, 0), 1)."""

    _fn = staticmethod(M.hardsigmoid)


class Hardswish(_InplaceAct):
    """a = net relu6(net + 3) / 6."""

    _fn = staticmethod(M.hardswish)


class CELU(Module):
    """a = max(0, net) + min(0, alpha (e^{net/alpha} - 1))."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class _Plain(Module):
    _fn: Any = None

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return type(self)._fn(input)


class Softsign(_Plain):
    """a = net / (1 + |net|)."""

    _fn = staticmethod(M.softsign)


class LogSigmoid(_Plain):
    """a = log sigma(net)."""

    _fn = staticmethod(M.logsigmoid)


class Tanhshrink(_Plain):
    """a = net - tanh(net)."""

    _fn = staticmethod(M.tanhshrink)


class Softshrink(Module):
    """a = net - lambd sign(net) where |net| > lambd, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """a = net where |net| > lambd, else 0."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.hardshrink(input, self.lambd)


class Softmin(Module):
    """a_i = e^{-net_i} / sum_j e^{-net_j} along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels of a (N, C, H, W) or (C, H, W) input, at each location."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        from ..functional.activation import softmax

        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return softmax(input, -3)


class GLU(Module):
    """GLU(a, b) = a * sigma(b), net split in halves along ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """a = net if net >= 0 else w net, w learnable (one per channel, or one shared), all
    initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = _empty(num_parameters, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _init.constant_(self.weight, self.init)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: slopes ~ U(lower, upper) per element in training, their mean in eval."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return M.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


__all__ = [
    "Hardtanh", "ReLU6", "SELU", "CELU", "Mish", "Softsign", "LogSigmoid", "Hardsigmoid",
    "Hardswish", "Softshrink", "Hardshrink", "Tanhshrink", "Softmin", "Softmax2d", "GLU", "PReLU",
    "RReLU",
]
