"""Dropout layers (inverted dropout; the identity in ``eval()`` mode).

>>> import netgrad as ng
>>> drop = ng.nn.Dropout(0.5)
>>> drop.eval()(ng.ones(3))
tensor([1., 1., 1.])
>>> drop
Dropout(p=0.5, inplace=False)
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..functional.dropout import check_dropout_p, dropout, dropout2d
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        check_dropout_p(p, type(self).__name__)
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p in training, scale the rest by 1/(1 - p)."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels (feature maps) with probability p in training, scale by 1/(1 - p)."""

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        return dropout2d(input, self.p, self.training, self.inplace)
