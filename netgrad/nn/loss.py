"""Loss modules: ``criterion = nn.CrossEntropyLoss(); loss = criterion(output, target)``.

Each wraps the function of the same name in ``netgrad.functional`` (see there for formulas).

>>> import netgrad as ng
>>> import netgrad.nn as nn
>>> nn.MSELoss()(ng.tensor([1.0, 2.0]), ng.tensor([0.0, 0.0])).item()
2.5
"""

from __future__ import annotations

from typing import Any

from ..autograd import Tensor
from ..functional import loss as L
from ..functional.lossutil import legacy_reduction
from .module import Module


class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        # PyTorch's deprecated size_average/reduce set the reduction as torch does (never ignored)
        reduction = legacy_reduction(size_average, reduce, reduction, type(self).__name__)
        L.check_reduction(reduction, type(self).__name__, ("batchmean",))
        self.reduction = reduction


class MSELoss(_Loss):
    """J = (1/N) sum (y - y_hat)^2."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.mse_loss(input, target, reduction=self.reduction)


class HalfMSELoss(_Loss):
    """The notes' J = 1/(2N) sum (y - y_hat)^2."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.half_mse_loss(input, target, reduction=self.reduction)


class SSELoss(_Loss):
    """Sum of squares (RSS) J = sum (y - y_hat)^2; reduction 'sum' by default."""

    def __init__(self, reduction: str = "sum") -> None:
        super().__init__(reduction=reduction)

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.sse_loss(input, target, reduction=self.reduction)


RSSLoss = SSELoss


class L1Loss(_Loss):
    """J = (1/N) sum |y - y_hat|."""

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """J_i = d^2 / 2 if |d| < delta else delta (|d| - delta / 2)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """J_i = d^2 / (2 beta) if |d| < beta else |d| - beta / 2."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(_Loss):
    """J = -w (y log z + (1 - y) log(1 - z)) on probabilities z (logs clamped at -100)."""

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = weight

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """J = -w (p y log sigma(z) + (1 - y) log(1 - sigma(z))) on logits z, computed stably."""

    def __init__(self, weight: Any = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_Loss):
    """J_n = -sum_k t_nk log softmax(z_n)_k on logits z (class indices or probabilities)."""

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """J_n = -w_{y_n} a_{n, y_n} on log-probabilities a."""

    def __init__(self, weight: Any = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.nll_loss(input, target, self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class KLDivLoss(_Loss):
    """J_i = t_i (log t_i - log z_i), ``input`` = log z (PyTorch's convention)."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class SymmetricCrossEntropyLoss(_Loss):
    """The notes' J = -sum_k (t_k log z_k + z_k log t_k), clipped to [eps, 1] inside the logs."""

    def __init__(self, dim: int = -1, eps: float = 1e-7, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.dim, self.eps = dim, eps

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.symmetric_cross_entropy(input, target, self.dim, self.eps, self.reduction)


class BinaryLogLikelihood(_Loss):
    """The notes' l = sum y log y_hat + (1 - y) log(1 - y_hat) (to maximise; = -BCE)."""

    def __init__(self, reduction: str = "sum") -> None:
        super().__init__(reduction=reduction)

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002
        return L.binary_log_likelihood(input, target, reduction=self.reduction)
