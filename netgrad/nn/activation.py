"""Activation layers: the module forms of ``netgrad.functional``'s activations.

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> nn.ReLU()(ng.tensor([-1.0, 1.0]))
tensor([0., 1.])
>>> nn.Softmax(dim=1)
Softmax(dim=1)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..functional import activation as A
from ..functional import smooth as S
from .module import Module


class ReLU(Module):
    """a = max(0, net)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.relu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """a = net if net > 0 else negative_slope * net."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """a = sigma(net) = 1 / (1 + e^-net); da/dnet = a (1 - a)."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.sigmoid(input)


Logistic = Sigmoid


class Tanh(Module):
    """a = tanh(net); da/dnet = 1 - a^2."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.tanh(input)


class Softmax(Module):
    """a_i = e^{net_i} / sum_j e^{net_j} along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """a_i = net_i - log sum_j e^{net_j} along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class ELU(Module):
    """a = net if net > 0 else alpha (e^net - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return S.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """a = net Phi(net) (Phi the standard normal CDF)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return S.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """a = (1/beta) log(1 + e^{beta net}), linear above ``threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return S.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class SiLU(Module):
    """a = net sigma(net)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return S.silu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LinearActivation(Module):
    """The notes' linear activation a = k net (the identity for k = 1)."""

    def __init__(self, k: float = 1.0) -> None:
        super().__init__()
        self.k = k

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.linear_activation(input, self.k)

    def extra_repr(self) -> str:
        return f"k={self.k}"


class Step(Module):
    """a = 1 if net >= threshold else 0 (1 at net = threshold, as the notes define the step).
    No gradient flows by default; ``straight_through=True`` passes dJ/da through unchanged (the
    straight-through estimator), see ``F.step``.

    >>> import netgrad as ng
    >>> ng.nn.Step(0.5)(ng.tensor([0.0, 0.5, 1.0]))
    tensor([0., 1., 1.])
    """

    def __init__(self, threshold: float = 0.0, straight_through: bool = False) -> None:
        super().__init__()
        self.threshold, self.straight_through = threshold, straight_through

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.step(input, self.threshold, self.straight_through)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, straight_through={self.straight_through}"


class SignUnit(Module):
    """The bipolar threshold unit: a = +1 if net >= threshold else -1 (outputs +-1, never 0;
    see ``F.sign_unit``).

    >>> import netgrad as ng
    >>> ng.nn.SignUnit()(ng.tensor([-2.0, 0.0, 2.0]))
    tensor([-1., 1., 1.])
    """

    def __init__(self, threshold: float = 0.0, straight_through: bool = False) -> None:
        super().__init__()
        self.threshold, self.straight_through = threshold, straight_through

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.sign_unit(input, self.threshold, self.straight_through)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, straight_through={self.straight_through}"


class Threshold(Module):
    """a = net if net > threshold else value (PyTorch's ``nn.Threshold``)."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return A.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")
