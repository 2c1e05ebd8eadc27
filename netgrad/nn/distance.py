"""``nn.CosineSimilarity``, ``nn.PairwiseDistance`` and ``nn.Bilinear`` (PyTorch's API, init, repr).

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> nn.PairwiseDistance(eps=0.0)(ng.tensor([[0.0, 0.0]]), ng.tensor([[3.0, 4.0]]))
tensor([5.])
>>> nn.Bilinear(2, 3, 4)
Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)
"""

from __future__ import annotations

import math
from typing import Any

from ..autograd import Tensor
from ..functional import distance as D
from . import init
from .linear import _weight_and_bias
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance", "Bilinear"]


class CosineSimilarity(Module):
    """cos = x1 . x2 / (max(||x1||, eps) max(||x2||, eps)) along ``dim``."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return D.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """d = ||x1 - x2 + eps||_p along the last dim."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return D.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class Bilinear(Module):
    """y = x1^T A x2 + b, A of shape (out_features, in1_features, in2_features); A and b ~
    U(-1/sqrt(in1_features), 1/sqrt(in1_features)) as PyTorch."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        _weight_and_bias(self, (self.out_features, self.in1_features, self.in2_features),
                         self.out_features, bias, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Any, input2: Any) -> Tensor:
        return D.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
