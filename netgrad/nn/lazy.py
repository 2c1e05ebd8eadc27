"""Lazy layers: ``nn.LazyLinear`` learns its ``in_features`` from the first input it sees.

Until then its weight is an empty Parameter; the first forward fills that same Parameter (so an
optimizer made before it keeps working) and the module becomes an ``nn.Linear``, as in PyTorch.

>>> import netgrad as ng
>>> net = ng.nn.Sequential(ng.nn.LazyLinear(8), ng.nn.ReLU(), ng.nn.LazyLinear(1))
>>> net(ng.rand(2, 20)).shape
(2, 1)
>>> net[0]
Linear(in_features=20, out_features=8, bias=True)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor, no_grad
from .linear import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["LazyLinear"]


class LazyLinear(Module):
    """``nn.Linear(in_features, out_features)`` with in_features taken from the first input."""

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features, self.out_features, self._dtype = 0, out_features, dtype
        self.weight = Parameter(None)
        self.bias = Parameter(None) if bias else None

    def has_uninitialized_params(self) -> bool:
        return self.in_features == 0

    def initialize_parameters(self, input: Tensor) -> None:  # noqa: A002
        """Make the weight (out, in) and the bias as ``nn.Linear`` would, in the same Parameters."""
        self._materialize(input.shape[-1], self._dtype if self._dtype is not None else input.dtype)

    def _materialize(self, in_features: int, dtype: Any) -> None:
        made = Linear(in_features, self.out_features, bias=self.bias is not None, dtype=dtype)
        with no_grad():
            self.weight.data = made.weight.data
            if self.bias is not None:
                self.bias.data = made.bias.data
        self.in_features = in_features
        del self._dtype
        self.__class__ = Linear
        self.__dict__["_init_args"] = ((in_features, self.out_features),
                                       {"bias": self.bias is not None, "dtype": made.weight.dtype})

    def materialize_from(self, state_dict: dict, prefix: str) -> None:
        """Take in_features from a checkpoint's weight (``load_state_dict`` before any forward,
        as PyTorch allows)."""
        w = state_dict.get(prefix + "weight")
        if w is not None and len(w.shape) == 2:
            self._materialize(int(w.shape[1]), self._dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self.initialize_parameters(input)
        return self(input)

    def extra_repr(self) -> str:
        return f"in_features=0, out_features={self.out_features}, bias={self.bias is not None}"
